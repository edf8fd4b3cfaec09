/* mlp_main.c - calls a model compiled by kilnc through its typed entry
   point and through kiln_run, and checks the runtime's argument checks. */
#include <stdio.h>
#include <stdlib.h>

#include "mlp.h"

int main(void) {
  void *ws = aligned_alloc(MLP_WORKSPACE_ALIGN, MLP_WORKSPACE_SIZE);
  float x[4] = {1, 2, 3, 4}, y[3];
  mlp_inputs in = {x};
  mlp_outputs out = {y};
  kiln_status s = mlp_run(&in, &out, ws);
  printf("run: %s: %.6f %.6f %.6f\n", kiln_status_string(s), y[0], y[1], y[2]);
  s = kiln_run(&mlp_model, (const void *const *)&in, (void *const *)&out, ws);
  printf("kiln_run: %s\n", kiln_status_string(s));
  printf("misaligned: %s\n", kiln_status_string(mlp_run(&in, &out, (char *)ws + 4)));
  printf("null output: %s\n", kiln_status_string(mlp_run(&in, NULL, ws)));
  out.y = NULL;
  printf("null tensor: %s\n", kiln_status_string(mlp_run(&in, &out, ws)));
  printf("model %s: %u input '%s' rank %u, output '%s' %llu bytes\n", mlp_model.name,
         mlp_model.num_inputs, mlp_model.inputs[0].name, mlp_model.inputs[0].rank,
         mlp_model.outputs[0].name, (unsigned long long)mlp_model.outputs[0].byte_size);
  free(ws);
  return 0;
}
