/*===- test/e2e/harness.c - Generic C driver for one compiled model ------===*
 *
 * A plain C99 program that runs one model compiled by kilnc, to prove the
 * link path "NAME.o + NAME.h + libkiln_rt.a" works from ordinary C. It is
 * compiled once per model with
 *
 *   cc -std=c99 -I<dir of NAME.h> -I<runtime include>
 *      -DKILN_MODEL_HEADER='"NAME.h"' -DKILN_MODEL=NAME_model
 *      harness.c NAME.o libkiln_rt.a -lm
 *
 * and run as
 *
 *   harness IN_0.bin ... IN_{n-1}.bin OUT_0.bin ... OUT_{m-1}.bin
 *
 * where the n inputs and m outputs follow the descriptor's order. Every
 * file holds a tensor's raw bytes, dense and row-major, little-endian.
 *
 * Everything is sized from the descriptor alone: each input and output gets
 * its own heap block, the workspace comes from aligned_alloc with the
 * descriptor's workspace_align, and the run goes through kiln_run(). Before
 * the real run the harness also checks that kiln_run() refuses a NULL and a
 * misaligned workspace (when the model has one) without touching the
 * outputs. Outputs are pre-filled with 0xFF bytes (NaN for floats) and
 * followed by guard bytes, so unwritten elements and writes past the end
 * are caught. Every kiln_status error is reported with kiln_status_string.
 *
 * With -DKILN_PREFIX=NAME (and -DKILN_UPPER_PREFIX=UPPERNAME) it also uses
 * the generated header's typed API: it checks that NAME_inputs/NAME_outputs
 * have the layout of pointer arrays and that NAME_WORKSPACE_SIZE/_ALIGN
 * agree with the descriptor, runs NAME_run() a second time into fresh
 * output blocks and requires its outputs to be bit-identical to kiln_run's.
 *
 * Exit status: 0 success, 1 usage or I/O error, 2 a kiln_status error or a
 * failed self-check, 3 a buffer overrun detected by the guard bytes, 4 the
 * typed entry point disagrees with kiln_run or with the descriptor.
 *
 *===----------------------------------------------------------------------===*/

/* aligned_alloc is C11; ask the C library to declare it in C99 mode too. */
#ifndef _ISOC11_SOURCE
#define _ISOC11_SOURCE 1
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kiln/runtime.h>

#ifndef KILN_MODEL_HEADER
#error "define KILN_MODEL_HEADER, e.g. -DKILN_MODEL_HEADER='\"mlp.h\"'"
#endif
#ifndef KILN_MODEL
#error "define KILN_MODEL, the descriptor's name, e.g. -DKILN_MODEL=mlp_model"
#endif

#include KILN_MODEL_HEADER

#define GUARD_BYTES 64u
#define GUARD_VALUE 0xA5u
#define FILL_VALUE 0xFFu

static const char *prog = "harness";

#ifdef KILN_PREFIX
#define KILN_CAT_(a, b) a##b
#define KILN_CAT(a, b) KILN_CAT_(a, b)
typedef KILN_CAT(KILN_PREFIX, _inputs) typed_inputs;
typedef KILN_CAT(KILN_PREFIX, _outputs) typed_outputs;
#define TYPED_RUN KILN_CAT(KILN_PREFIX, _run)
#endif

static int host_is_big_endian(void) {
  const uint16_t one = 1;
  unsigned char first;
  memcpy(&first, &one, 1);
  return first == 0;
}

/* Converts between little-endian file bytes and host order, in place. */
static void swap_to_host(unsigned char *data, uint64_t bytes, size_t elem) {
  uint64_t i;
  size_t j;
  if (elem < 2 || !host_is_big_endian())
    return;
  for (i = 0; i + elem <= bytes; i += elem)
    for (j = 0; j < elem / 2; ++j) {
      unsigned char t = data[i + j];
      data[i + j] = data[i + elem - 1 - j];
      data[i + elem - 1 - j] = t;
    }
}

static void describe(const char *what, uint32_t index, const kiln_tensor_info *t) {
  uint32_t d;
  fprintf(stderr, "%s: %s %u '%s': %s [", prog, what, (unsigned)index, t->name ? t->name : "(null)",
          kiln_dtype_name(t->dtype));
  for (d = 0; d < t->rank; ++d)
    fprintf(stderr, "%s%lld", d ? "x" : "", (long long)t->dims[d]);
  fprintf(stderr, "], %llu bytes\n", (unsigned long long)t->byte_size);
}

/* Reads exactly `bytes` bytes of `path` into a new heap block. */
static unsigned char *read_tensor(const char *path, const kiln_tensor_info *t) {
  FILE *f = fopen(path, "rb");
  unsigned char *data;
  long size;
  if (!f) {
    fprintf(stderr, "%s: cannot open input '%s'\n", prog, path);
    return NULL;
  }
  if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fprintf(stderr, "%s: cannot determine the size of '%s'\n", prog, path);
    fclose(f);
    return NULL;
  }
  if ((uint64_t)size != t->byte_size) {
    fprintf(stderr, "%s: input '%s' has %ld bytes but tensor '%s' needs %llu\n", prog, path, size,
            t->name, (unsigned long long)t->byte_size);
    fclose(f);
    return NULL;
  }
  data = (unsigned char *)malloc((size_t)t->byte_size + 1u);
  if (!data) {
    fprintf(stderr, "%s: out of memory reading '%s'\n", prog, path);
    fclose(f);
    return NULL;
  }
  if (t->byte_size && fread(data, 1, (size_t)t->byte_size, f) != (size_t)t->byte_size) {
    fprintf(stderr, "%s: short read on '%s'\n", prog, path);
    free(data);
    fclose(f);
    return NULL;
  }
  fclose(f);
  swap_to_host(data, t->byte_size, kiln_dtype_size(t->dtype));
  return data;
}

static int write_tensor(const char *path, unsigned char *data, const kiln_tensor_info *t) {
  FILE *f = fopen(path, "wb");
  int ok;
  if (!f) {
    fprintf(stderr, "%s: cannot create output '%s'\n", prog, path);
    return 0;
  }
  swap_to_host(data, t->byte_size, kiln_dtype_size(t->dtype));
  ok = fwrite(data, 1, (size_t)t->byte_size, f) == (size_t)t->byte_size;
  if (fclose(f) != 0)
    ok = 0;
  if (!ok)
    fprintf(stderr, "%s: cannot write output '%s'\n", prog, path);
  return ok;
}

/* Allocates one output block per tensor, pre-filled and guarded. */
static int alloc_outputs(const kiln_model *m, void **outputs) {
  uint32_t i;
  for (i = 0; i < m->num_outputs; ++i) {
    uint64_t n = m->outputs[i].byte_size;
    unsigned char *p = (unsigned char *)malloc((size_t)n + GUARD_BYTES);
    if (!p) {
      fprintf(stderr, "%s: out of memory for output %u\n", prog, (unsigned)i);
      return 0;
    }
    memset(p, FILL_VALUE, (size_t)n);
    memset(p + n, GUARD_VALUE, GUARD_BYTES);
    outputs[i] = p;
  }
  return 1;
}

static int is_filled(const unsigned char *p, uint64_t n, unsigned char v) {
  uint64_t i;
  for (i = 0; i < n; ++i)
    if (p[i] != v)
      return 0;
  return 1;
}

int main(int argc, char **argv) {
  const kiln_model *m = &KILN_MODEL;
  void **inputs = NULL, **outputs = NULL;
  unsigned char *ws = NULL;
  size_t ws_align, ws_bytes;
  kiln_status status;
  uint32_t i;
  int rc = 1;

  if (argc > 0 && argv[0])
    prog = argv[0];
  if (m->abi_version != KILN_ABI_VERSION) {
    fprintf(stderr, "%s: model '%s' has ABI version %u, runtime.h is %u\n", prog, m->name,
            (unsigned)m->abi_version, (unsigned)KILN_ABI_VERSION);
    return 2;
  }
  if ((uint64_t)argc != 1u + (uint64_t)m->num_inputs + m->num_outputs) {
    fprintf(stderr,
            "usage: %s INPUT... OUTPUT...\n"
            "model '%s' has %u input(s) and %u output(s); files are raw "
            "little-endian tensors in descriptor order\n",
            prog, m->name, (unsigned)m->num_inputs, (unsigned)m->num_outputs);
    for (i = 0; i < m->num_inputs; ++i)
      describe("input", i, &m->inputs[i]);
    for (i = 0; i < m->num_outputs; ++i)
      describe("output", i, &m->outputs[i]);
    return 1;
  }

  inputs = (void **)calloc(m->num_inputs + 1u, sizeof(void *));
  outputs = (void **)calloc(m->num_outputs + 1u, sizeof(void *));
  if (!inputs || !outputs) {
    fprintf(stderr, "%s: out of memory\n", prog);
    goto done;
  }
  for (i = 0; i < m->num_inputs; ++i)
    if (!(inputs[i] = read_tensor(argv[1 + i], &m->inputs[i])))
      goto done;
  if (!alloc_outputs(m, outputs))
    goto done;

  /* The workspace: aligned_alloc needs a size that is a multiple of the
     alignment; keep at least one block so the pointer is never NULL. */
  ws_align = (size_t)m->workspace_align;
  if (ws_align & (ws_align - 1u)) {
    fprintf(stderr, "%s: workspace_align %llu is not a power of two\n", prog,
            (unsigned long long)m->workspace_align);
    rc = 2;
    goto done;
  }
  if (ws_align < 16u)
    ws_align = 16u;
  ws_bytes = ((size_t)m->workspace_size + ws_align) / ws_align * ws_align;
  ws = (unsigned char *)aligned_alloc(ws_align, ws_bytes);
  if (!ws) {
    fprintf(stderr, "%s: cannot allocate a %llu-byte workspace\n", prog,
            (unsigned long long)ws_bytes);
    goto done;
  }

  /* Self-checks of the argument checking: a NULL workspace and one off by a
     byte must be refused, and must leave the outputs untouched. */
  if (m->workspace_size > 0) {
    status = kiln_run(m, (const void *const *)inputs, outputs, NULL);
    if (status != KILN_ERROR_BAD_WORKSPACE) {
      fprintf(stderr,
              "%s: kiln_run with a NULL workspace returned %d (%s), "
              "expected KILN_ERROR_BAD_WORKSPACE\n",
              prog, (int)status, kiln_status_string(status));
      rc = 2;
      goto done;
    }
    if (m->workspace_align > 1) {
      status = kiln_run(m, (const void *const *)inputs, outputs, ws + 1);
      if (status != KILN_ERROR_BAD_WORKSPACE) {
        fprintf(stderr,
                "%s: kiln_run with a misaligned workspace returned %d (%s), "
                "expected KILN_ERROR_BAD_WORKSPACE\n",
                prog, (int)status, kiln_status_string(status));
        rc = 2;
        goto done;
      }
    }
    for (i = 0; i < m->num_outputs; ++i)
      if (!is_filled((const unsigned char *)outputs[i], m->outputs[i].byte_size, FILL_VALUE)) {
        fprintf(stderr, "%s: a refused run wrote to output %u\n", prog, (unsigned)i);
        rc = 2;
        goto done;
      }
  }

  status = kiln_run(m, (const void *const *)inputs, outputs, ws);
  if (status != KILN_OK) {
    fprintf(stderr, "%s: kiln_run(%s) failed with status %d: %s\n", prog, m->name, (int)status,
            kiln_status_string(status));
    rc = 2;
    goto done;
  }
  for (i = 0; i < m->num_outputs; ++i)
    if (!is_filled((const unsigned char *)outputs[i] + m->outputs[i].byte_size, GUARD_BYTES,
                   GUARD_VALUE)) {
      fprintf(stderr, "%s: the run wrote past the end of output %u ('%s')\n", prog, (unsigned)i,
              m->outputs[i].name);
      rc = 3;
      goto done;
    }

#ifdef KILN_PREFIX
  /* The typed API of the generated header must describe the same model and
     compute the same bits as the generic entry point. */
  {
    typed_inputs tin;
    typed_outputs tout;
    void **typed = (void **)calloc(m->num_outputs + 1u, sizeof(void *));
    int agree = 1;
    if (sizeof tin != m->num_inputs * sizeof(void *) ||
        sizeof tout != m->num_outputs * sizeof(void *)) {
      fprintf(stderr,
              "%s: %s_inputs/_outputs are not pointer arrays of the "
              "descriptor's length\n",
              prog, m->name);
      free(typed);
      rc = 4;
      goto done;
    }
#ifdef KILN_UPPER_PREFIX
    if ((uint64_t)KILN_CAT(KILN_UPPER_PREFIX, _WORKSPACE_SIZE) != m->workspace_size ||
        (uint64_t)KILN_CAT(KILN_UPPER_PREFIX, _WORKSPACE_ALIGN) != m->workspace_align) {
      fprintf(stderr,
              "%s: the header's workspace macros (%llu, align %llu) "
              "differ from the descriptor (%llu, align %llu)\n",
              prog, (unsigned long long)KILN_CAT(KILN_UPPER_PREFIX, _WORKSPACE_SIZE),
              (unsigned long long)KILN_CAT(KILN_UPPER_PREFIX, _WORKSPACE_ALIGN),
              (unsigned long long)m->workspace_size, (unsigned long long)m->workspace_align);
      free(typed);
      rc = 4;
      goto done;
    }
#endif
    if (!typed || !alloc_outputs(m, typed)) {
      fprintf(stderr, "%s: out of memory\n", prog);
      if (typed)
        for (i = 0; i < m->num_outputs; ++i)
          free(typed[i]);
      free(typed);
      goto done;
    }
    memcpy(&tin, inputs, sizeof tin);
    memcpy(&tout, typed, sizeof tout);
    status = TYPED_RUN(&tin, &tout, ws);
    if (status != KILN_OK) {
      fprintf(stderr, "%s: %s_run failed with status %d: %s\n", prog, m->name, (int)status,
              kiln_status_string(status));
      agree = 0;
      rc = 2;
    }
    for (i = 0; agree && i < m->num_outputs; ++i)
      if (memcmp(typed[i], outputs[i], (size_t)m->outputs[i].byte_size + GUARD_BYTES) != 0) {
        fprintf(stderr,
                "%s: output %u ('%s') of %s_run differs from "
                "kiln_run's\n",
                prog, (unsigned)i, m->outputs[i].name, m->name);
        agree = 0;
        rc = 4;
      }
    for (i = 0; i < m->num_outputs; ++i)
      free(typed[i]);
    free(typed);
    if (!agree)
      goto done;
  }
#endif
  for (i = 0; i < m->num_outputs; ++i)
    if (!write_tensor(argv[1 + m->num_inputs + i], (unsigned char *)outputs[i], &m->outputs[i]))
      goto done;
  rc = 0;

done:
  free(ws);
  if (inputs)
    for (i = 0; i < m->num_inputs; ++i)
      free(inputs[i]);
  if (outputs)
    for (i = 0; i < m->num_outputs; ++i)
      free(outputs[i]);
  free(inputs);
  free(outputs);
  return rc;
}
