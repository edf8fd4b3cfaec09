/*===- KernelsAArch64.c - Kiln's AArch64 microkernel variants -----*- C -*-===*
 *
 * Compiled to bitcode for AArch64 at build time. NEON has 32 vector
 * registers of 4 floats: an 8 x 12 tile keeps 24 accumulators, three B
 * vectors and two A vectors in registers. kilnc reads the same MR and NR
 * from its table (lib/Target/CPU/Microkernels.cpp) when it packs weights.
 *
 *===----------------------------------------------------------------------===*/

#include "Common.h"

#define KC 256
#define DW_PLANE 65536
#define WINO_ROW 1024

#define VW 4
#define MR 8
#define NV 3
#define MC 96
#define NC 120
#define SUFFIX neon
#include "Variant.inc"
