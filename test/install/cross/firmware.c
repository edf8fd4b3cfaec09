/* firmware.c - the device side: runs the model from a static workspace. */
#include "edges.h"

static _Alignas(EDGES_WORKSPACE_ALIGN) unsigned char workspace[EDGES_WORKSPACE_SIZE + 1];

kiln_status firmware_step(const float image[16], float energy[2]) {
  edges_inputs in = {image};
  edges_outputs out = {energy};
  return edges_run(&in, &out, workspace);
}
