/* runtime_checks.c - every caller mistake the runtime turns into a status.
 *
 * Built against the header of one model version (mlp.h) and linked with
 * the object of either that version or another (same interface, other
 * weights). The tensors handed to failing calls lie in PROT_NONE pages:
 * touching them would fault, so each printed status also proves that the
 * call returned before accessing memory. */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "mlp.h"

#define SHOW(what, expr) printf("%s: %s\n", what, kiln_status_string(expr))

int main(void) {
  long page = 4096;
  setvbuf(stdout, NULL, _IONBF, 0); /* each line out before any fault */
  /* Two inaccessible pages: poisoned tensors and a poisoned workspace. */
  char *guard = mmap(NULL, 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (guard == MAP_FAILED)
    return 2;
  const float *px = (const float *)guard;
  float *py = (float *)guard;
  void *pws = guard + page;

  kiln_status version = kiln_model_check(&mlp_model, MLP_FINGERPRINT);
  SHOW("model check", version);
  mlp_inputs in = {px};
  mlp_outputs out = {py};
  if (version != KILN_OK) {
    /* Another version linked in: the checked entry refuses to run it. */
    SHOW("run_checked", mlp_run_checked(&in, &out, pws, MLP_WORKSPACE_SIZE));
    return 0;
  }

  SHOW("null inputs", mlp_run(NULL, &out, pws));
  SHOW("null outputs", mlp_run(&in, NULL, pws));
  mlp_inputs no_x = {NULL};
  SHOW("null tensor", mlp_run(&no_x, &out, pws));
  SHOW("null workspace", mlp_run(&in, &out, NULL));
  SHOW("misaligned workspace", mlp_run(&in, &out, (char *)pws + 8));
  SHOW("small workspace (typed)", mlp_run_checked(&in, &out, pws, MLP_WORKSPACE_SIZE - 1));
  SHOW("small workspace (generic)",
       kiln_run_sized(&mlp_model, (const void *const *)&in, (void *const *)&out, pws,
                      MLP_WORKSPACE_SIZE - 1));
  SHOW("null model", kiln_run(NULL, (const void *const *)&in, (void *const *)&out, pws));
  SHOW("null model check", kiln_model_check(NULL, MLP_FINGERPRINT));
  SHOW("wrong fingerprint", kiln_model_check(&mlp_model, MLP_FINGERPRINT ^ 1));

  /* A descriptor from another ABI version: only its first field is read. */
  kiln_model old;
  memcpy(&old, &mlp_model, sizeof old);
  old.abi_version = 1;
  old.run = NULL;
  SHOW("old ABI", kiln_run(&old, (const void *const *)&in, (void *const *)&out, pws));
  SHOW("old ABI check", kiln_model_check(&old, MLP_FINGERPRINT));
  uint32_t index;
  SHOW("old ABI lookup", kiln_model_find_input(&old, "x", &index));

  /* And the same calls with real buffers succeed. */
  void *ws = aligned_alloc(MLP_WORKSPACE_ALIGN, MLP_WORKSPACE_SIZE);
  float x[4] = {1, 2, 3, 4}, y[3];
  mlp_inputs good_in = {x};
  mlp_outputs good_out = {y};
  SHOW("good run_checked", mlp_run_checked(&good_in, &good_out, ws, MLP_WORKSPACE_SIZE));
  SHOW("good run_sized", kiln_run_sized(&mlp_model, (const void *const *)&good_in,
                                        (void *const *)&good_out, ws, MLP_WORKSPACE_SIZE));
  printf("y: %.6f %.6f %.6f\n", y[0], y[1], y[2]);
  free(ws);
  munmap(guard, 2 * page);
  return 0;
}
