/* Links classifier.o (kilnc --device=cuda) with libkiln_rt_cuda.a: prints
 * the descriptor and, on a machine with a GPU, runs the model and prints
 * its outputs; without one, says why not. */
#include "classifier.h"

#include <stdio.h>
#include <string.h>

int main(void) {
  const kiln_cuda_model *m = &classifier_cuda_model;
  printf("descriptor: %s on %s for %s: %u inputs, %u outputs\n", m->name, m->device, m->gpu_archs,
         m->num_inputs, m->num_outputs);
  printf("kernels:");
  const char *name = m->kernel_names;
  for (unsigned i = 0; i < m->num_kernels; ++i, name += strlen(name) + 1)
    printf(" %s", name);
  printf("\nstatus strings: %s / %s\n", kiln_status_string(KILN_ERROR_NO_DEVICE),
         kiln_status_string(KILN_ERROR_DEVICE));
  if (m->abi_version != KILN_CUDA_ABI_VERSION || m->fingerprint != CLASSIFIER_FINGERPRINT)
    return 1;
  if (classifier_run_cuda(NULL, NULL, NULL, NULL, NULL) != KILN_ERROR_NULL_POINTER)
    return 1;
  kiln_cuda_context *ctx;
  kiln_status s = kiln_cuda_context_create(m, 0, &ctx);
  if (s == KILN_ERROR_NO_DEVICE) {
    printf("no GPU: %s\n", kiln_cuda_last_error());
    return 0;
  }
  if (s != KILN_OK) {
    printf("error: %s: %s\n", kiln_status_string(s), kiln_cuda_last_error());
    return 1;
  }
  static const float x[4] = {1, 2, 3, 4};
  float y[3];
  void *dx, *dy, *ws = NULL;
  if (kiln_cuda_malloc(&dx, sizeof x) || kiln_cuda_malloc(&dy, sizeof y) ||
      (CLASSIFIER_WORKSPACE_SIZE && kiln_cuda_malloc(&ws, CLASSIFIER_WORKSPACE_SIZE)) ||
      kiln_cuda_memcpy_to_device(dx, x, sizeof x))
    return 1;
  classifier_inputs in = {dx};
  classifier_outputs out = {dy};
  if ((s = classifier_run_cuda(ctx, &in, &out, ws, NULL)) != KILN_OK ||
      (s = kiln_cuda_stream_synchronize(NULL)) != KILN_OK ||
      (s = kiln_cuda_memcpy_to_host(y, dy, sizeof y)) != KILN_OK) {
    printf("error: %s: %s\n", kiln_status_string(s), kiln_cuda_last_error());
    return 1;
  }
  printf("probabilities: %.6f %.6f %.6f\n", y[0], y[1], y[2]);
  kiln_cuda_context_destroy(ctx);
  return 0;
}
