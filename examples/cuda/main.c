/* examples/cuda/main.c - the quickstart classifier on a GPU.
 *
 * classifier.o comes from `kilnc classifier.onnxtxt --device=cuda`
 * (kiln_add_model(... DEVICE cuda) in examples/CMakeLists.txt). The program
 * loads the model once, copies the input to the device, runs the model on
 * a stream of its own, copies the output back and prints it with the time
 * per run. It links libkiln_rt_cuda.a only: the CUDA driver is opened at run
 * time, and without a GPU the program says so and exits 0. */
#include "classifier.h"

#include <stdio.h>
#include <time.h>

#define CHECK(call)                                                                                \
  do {                                                                                             \
    kiln_status s_ = (call);                                                                       \
    if (s_ != KILN_OK) {                                                                           \
      fprintf(stderr, "%s: %s: %s\n", #call, kiln_status_string(s_), kiln_cuda_last_error());      \
      return 1;                                                                                    \
    }                                                                                              \
  } while (0)

static double seconds(void) {
  struct timespec t;
  timespec_get(&t, TIME_UTC);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  if (!kiln_cuda_available()) {
    printf("no GPU here (%s); nothing to run\n", kiln_cuda_last_error());
    return 0;
  }
  kiln_cuda_context *ctx;
  CHECK(kiln_cuda_context_create(&classifier_cuda_model, 0, &ctx));

  const float features[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  float probabilities[3];
  void *in_dev, *out_dev, *workspace = NULL, *stream;
  CHECK(kiln_cuda_malloc(&in_dev, CLASSIFIER_FEATURES_SIZE));
  CHECK(kiln_cuda_malloc(&out_dev, CLASSIFIER_PROBABILITIES_SIZE));
  if (CLASSIFIER_WORKSPACE_SIZE > 0)
    CHECK(kiln_cuda_malloc(&workspace, CLASSIFIER_WORKSPACE_SIZE));
  CHECK(kiln_cuda_stream_create(&stream));
  CHECK(kiln_cuda_memcpy_to_device(in_dev, features, sizeof features));

  classifier_inputs in = {in_dev};
  classifier_outputs out = {out_dev};
  CHECK(classifier_run_cuda(ctx, &in, &out, workspace, stream));
  CHECK(kiln_cuda_stream_synchronize(stream));
  CHECK(kiln_cuda_memcpy_to_host(probabilities, out_dev, sizeof probabilities));
  printf("probabilities [%.6f %.6f %.6f]\n", probabilities[0], probabilities[1], probabilities[2]);

  enum { RUNS = 1000 };
  double start = seconds();
  for (int i = 0; i < RUNS; ++i)
    CHECK(classifier_run_cuda(ctx, &in, &out, workspace, stream));
  CHECK(kiln_cuda_stream_synchronize(stream));
  printf("%.1f us per run (%d runs)\n", (seconds() - start) * 1e6 / RUNS, RUNS);

  kiln_cuda_stream_destroy(stream);
  kiln_cuda_free(workspace);
  kiln_cuda_free(out_dev);
  kiln_cuda_free(in_dev);
  kiln_cuda_context_destroy(ctx);
  return 0;
}
