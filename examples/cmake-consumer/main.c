/* main.c - runs two Kiln-compiled models from one program, with one
   static, suitably aligned workspace shared by both (they run one after
   the other), and prints what they computed. */
#include <stdio.h>

#include "edges.h"
#include "scorer.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define WORKSPACE_SIZE (MAX(EDGES_WORKSPACE_SIZE, SCORER_WORKSPACE_SIZE) + 1)
#define WORKSPACE_ALIGN 64

_Static_assert(EDGES_WORKSPACE_ALIGN <= WORKSPACE_ALIGN, "workspace alignment");
_Static_assert(SCORER_WORKSPACE_ALIGN <= WORKSPACE_ALIGN, "workspace alignment");

static _Alignas(WORKSPACE_ALIGN) unsigned char workspace[WORKSPACE_SIZE];

int main(void) {
  float image[16];
  for (int i = 0; i < 16; ++i)
    image[i] = (float)((i * 7) % 16) / 4.0f;
  float energy[2];
  edges_inputs edgesIn = {image};
  edges_outputs edgesOut = {energy};
  kiln_status status = edges_run(&edgesIn, &edgesOut, workspace);
  if (status != KILN_OK) {
    fprintf(stderr, "edges_run: %s\n", kiln_status_string(status));
    return 1;
  }

  float features[3] = {energy[0], energy[1], 1.0f};
  float scores[2];
  scorer_inputs scorerIn = {features};
  scorer_outputs scorerOut = {scores};
  status = scorer_run(&scorerIn, &scorerOut, workspace);
  if (status != KILN_OK) {
    fprintf(stderr, "scorer_run: %s\n", kiln_status_string(status));
    return 1;
  }
  printf("energy [%.6f %.6f]\n", energy[0], energy[1]);
  printf("scores [%.6f %.6f]\n", scores[0], scores[1]);
  return 0;
}
