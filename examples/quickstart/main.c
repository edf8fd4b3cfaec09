/* main.c - the quickstart program: runs the compiled classifier on one
   feature vector and prints the class probabilities. Link it with
   classifier.o (from kilnc) and libkiln_rt.a. */
#include <stdio.h>
#include <stdlib.h>

#include "classifier.h"

int main(void) {
  float features[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  float probabilities[3];
  classifier_inputs in = {features};
  classifier_outputs out = {probabilities};
  void *workspace = aligned_alloc(CLASSIFIER_WORKSPACE_ALIGN, CLASSIFIER_WORKSPACE_SIZE);

  kiln_status status = classifier_run(&in, &out, workspace);
  free(workspace);
  if (status != KILN_OK) {
    fprintf(stderr, "classifier_run: %s\n", kiln_status_string(status));
    return 1;
  }
  printf("features      [%.1f %.1f %.1f %.1f]\n", features[0], features[1], features[2],
         features[3]);
  printf("probabilities [%.6f %.6f %.6f]\n", probabilities[0], probabilities[1], probabilities[2]);
  return 0;
}
