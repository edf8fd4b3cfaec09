/*===- test/cuda/cuda_harness.c - Runs one model compiled for CUDA --------===*
 *
 * A C99 program that runs a model compiled by `kilnc --device=cuda`,
 * linked as
 *
 *   cc -std=c99 -I<runtime include> -DKILN_CUDA_MODEL=NAME_cuda_model
 *      cuda_harness.c NAME.o libkiln_rt_cuda.a libkiln_rt.a -ldl -lpthread -lm
 *
 * and run as
 *
 *   cuda_harness [--tolerance T] [--runs N] IN_0.bin ... REF_0.bin ...
 *
 * with the inputs and the reference outputs (raw little-endian tensors in
 * descriptor order). Without a GPU it prints "SKIP: <why>" and exits 0.
 * With one it:
 *
 *   1. copies the inputs to device memory and runs the model once on a
 *      stream of its own; compares each output with its reference:
 *      max|a - r| / max|r| <= T for floats, equality otherwise;
 *   2. runs it again and requires the same bytes (deterministic kernels);
 *   3. captures a run into a CUDA graph, which fails if the run
 *      synchronizes, replays it, and requires the same bytes again;
 *   4. times N runs each way and prints the time per run.
 *
 * Exit status: 0 pass or skip, 1 usage or I/O error, 2 a kiln_status
 * error, 3 numerics, 4 a run that differs from the first.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include <kiln/runtime_cuda.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const kiln_cuda_model KILN_CUDA_MODEL;

#define MAX_TENSORS 64

static void *read_file(const char *path, uint64_t bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  void *data = malloc(bytes ? bytes : 1);
  size_t got = data ? fread(data, 1, bytes, f) : 0;
  int extra = fgetc(f);
  fclose(f);
  if (!data || got != bytes || extra != EOF) {
    fprintf(stderr, "%s does not hold %llu bytes\n", path, (unsigned long long)bytes);
    free(data);
    return NULL;
  }
  return data;
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

#define CHECK(call)                                                                                \
  do {                                                                                             \
    kiln_status s_ = (call);                                                                       \
    if (s_ != KILN_OK) {                                                                           \
      fprintf(stderr, "%s: %s: %s\n", #call, kiln_status_string(s_), kiln_cuda_last_error());      \
      return 2;                                                                                    \
    }                                                                                              \
  } while (0)

/* Copies every output to host memory, into out[i]. */
static kiln_status fetch(const kiln_cuda_model *m, void *const *device, void **host) {
  for (uint32_t i = 0; i < m->num_outputs; ++i) {
    kiln_status s = kiln_cuda_memcpy_to_host(host[i], device[i], m->outputs[i].byte_size);
    if (s != KILN_OK)
      return s;
  }
  return KILN_OK;
}

static int same_bytes(const kiln_cuda_model *m, void **a, void **b, const char *what) {
  for (uint32_t i = 0; i < m->num_outputs; ++i)
    if (memcmp(a[i], b[i], m->outputs[i].byte_size) != 0) {
      printf("%s: output '%s' differs from the first run\n", what, m->outputs[i].name);
      return 0;
    }
  printf("%s: same bytes as the first run\n", what);
  return 1;
}

int main(int argc, char **argv) {
  const kiln_cuda_model *m = &KILN_CUDA_MODEL;
  double tolerance = 1e-3;
  int runs = 20, arg = 1;
  for (; arg < argc && strncmp(argv[arg], "--", 2) == 0; ++arg) {
    if (strcmp(argv[arg], "--tolerance") == 0 && arg + 1 < argc)
      tolerance = atof(argv[++arg]);
    else if (strcmp(argv[arg], "--runs") == 0 && arg + 1 < argc)
      runs = atoi(argv[++arg]);
    else
      break;
  }
  if (argc - arg != (int)(m->num_inputs + m->num_outputs) || m->num_inputs > MAX_TENSORS ||
      m->num_outputs > MAX_TENSORS) {
    fprintf(stderr, "usage: %s [--tolerance T] [--runs N] IN_0..IN_%u REF_0..REF_%u\n", argv[0],
            m->num_inputs, m->num_outputs);
    return 1;
  }
  printf("model %s: %u kernels for %s, %llu bytes of weights, workspace %llu bytes\n", m->name,
         m->num_kernels, m->gpu_archs, (unsigned long long)m->weights_size,
         (unsigned long long)m->workspace_size);
  if (!kiln_cuda_available()) {
    printf("SKIP: no GPU: %s\n", kiln_cuda_last_error());
    return 0;
  }

  kiln_cuda_context *ctx;
  CHECK(kiln_cuda_context_create(m, 0, &ctx));
  void *host_in[MAX_TENSORS], *dev_in[MAX_TENSORS], *ref[MAX_TENSORS], *dev_out[MAX_TENSORS];
  void *first[MAX_TENSORS], *again[MAX_TENSORS];
  for (uint32_t i = 0; i < m->num_inputs; ++i) {
    if (!(host_in[i] = read_file(argv[arg + i], m->inputs[i].byte_size)))
      return 1;
    CHECK(kiln_cuda_malloc(&dev_in[i], m->inputs[i].byte_size));
    CHECK(kiln_cuda_memcpy_to_device(dev_in[i], host_in[i], m->inputs[i].byte_size));
  }
  for (uint32_t i = 0; i < m->num_outputs; ++i) {
    uint64_t bytes = m->outputs[i].byte_size;
    if (!(ref[i] = read_file(argv[arg + m->num_inputs + i], bytes)))
      return 1;
    first[i] = malloc(bytes ? bytes : 1);
    again[i] = malloc(bytes ? bytes : 1);
    CHECK(kiln_cuda_malloc(&dev_out[i], bytes));
  }
  void *workspace = NULL;
  if (m->workspace_size)
    CHECK(kiln_cuda_malloc(&workspace, m->workspace_size));
  void *stream;
  CHECK(kiln_cuda_stream_create(&stream));

  /* 1. Numerics. */
  CHECK(kiln_cuda_run(ctx, (const void *const *)dev_in, dev_out, workspace, stream));
  CHECK(kiln_cuda_stream_synchronize(stream));
  CHECK(fetch(m, dev_out, first));
  int ok = 1;
  for (uint32_t i = 0; i < m->num_outputs; ++i) {
    const kiln_tensor_info *t = &m->outputs[i];
    if (t->dtype != KILN_DTYPE_F32) {
      int equal = memcmp(first[i], ref[i], t->byte_size) == 0;
      printf("output '%s': %s\n", t->name, equal ? "equal" : "DIFFERS");
      ok &= equal;
      continue;
    }
    const float *a = first[i], *r = ref[i];
    uint64_t n = t->byte_size / 4;
    double diff = 0, scale = 0;
    int finite = 1;
    for (uint64_t k = 0; k < n; ++k) {
      if (!isfinite(a[k]))
        finite = 0;
      double d = fabs((double)a[k] - r[k]);
      if (d > diff)
        diff = d;
      if (fabs(r[k]) > scale)
        scale = fabs(r[k]);
    }
    double rel = scale > 0 ? diff / scale : diff;
    int pass = finite && rel <= tolerance;
    printf("output '%s': relative error %.3g (max abs %.3g), tolerance %.3g: %s\n", t->name, rel,
           diff, tolerance, pass ? "ok" : "FAIL");
    ok &= pass;
  }
  if (!ok)
    return 3;

  /* 2. Determinism. */
  CHECK(kiln_cuda_run(ctx, (const void *const *)dev_in, dev_out, workspace, stream));
  CHECK(kiln_cuda_stream_synchronize(stream));
  CHECK(fetch(m, dev_out, again));
  if (!same_bytes(m, first, again, "second run"))
    return 4;

  /* 3. A captured run: no synchronization or allocation inside. */
  kiln_cuda_graph *graph;
  CHECK(
      kiln_cuda_graph_create(ctx, (const void *const *)dev_in, dev_out, workspace, stream, &graph));
  CHECK(kiln_cuda_graph_launch(graph, stream));
  CHECK(kiln_cuda_stream_synchronize(stream));
  CHECK(fetch(m, dev_out, again));
  if (!same_bytes(m, first, again, "graph replay"))
    return 4;

  /* 4. Time. */
  if (runs > 0) {
    double t0 = now_ms();
    for (int r = 0; r < runs; ++r)
      CHECK(kiln_cuda_run(ctx, (const void *const *)dev_in, dev_out, workspace, stream));
    CHECK(kiln_cuda_stream_synchronize(stream));
    double t1 = now_ms();
    for (int r = 0; r < runs; ++r)
      CHECK(kiln_cuda_graph_launch(graph, stream));
    CHECK(kiln_cuda_stream_synchronize(stream));
    double t2 = now_ms();
    printf("time: %.3f ms/run on the stream, %.3f ms/run as a graph (%d runs)\n", (t1 - t0) / runs,
           (t2 - t1) / runs, runs);
  }
  kiln_cuda_graph_destroy(graph);
  kiln_cuda_stream_destroy(stream);
  kiln_cuda_context_destroy(ctx);
  printf("PASS\n");
  return 0;
}
