/* short_input.c - runs mlp with its input buffer whole, or (with any
   argument) one float short, each buffer in its own heap block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"

int main(int argc, char **argv) {
  (void)argv;
  size_t bytes = argc > 1 ? MLP_X_SIZE - 4 : MLP_X_SIZE;
  float *x = malloc(bytes), *y = malloc(MLP_Y_SIZE);
  const float values[4] = {1, 2, 3, 4};
  memcpy(x, values, bytes);
  void *ws = aligned_alloc(MLP_WORKSPACE_ALIGN, MLP_WORKSPACE_SIZE);
  mlp_inputs in = {x};
  mlp_outputs out = {y};
  kiln_status s = mlp_run_checked(&in, &out, ws, MLP_WORKSPACE_SIZE);
  printf("%s input: %s %.6f\n", argc > 1 ? "short" : "whole", kiln_status_string(s), y[0]);
  free(x);
  free(y);
  free(ws);
  return 0;
}
