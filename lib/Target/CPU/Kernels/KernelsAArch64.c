/*===- KernelsAArch64.c - Kiln's AArch64 microkernel variants -----*- C -*-===*
 *
 * Compiled to bitcode for AArch64 at build time. NEON has 32 vector
 * registers of 4 floats: an 8 x 12 tile keeps 24 accumulators, three B
 * vectors and two A vectors in registers. The tile comes from
 * MicrokernelABI.h, whose table kilnc packs weights with.
 *
 *===----------------------------------------------------------------------===*/

#include "Common.h"

#define KC 256
/* How far ahead (in floats) the register tile prefetches its A panel:
 * 64 K steps of NEON's 8 rows, more than a DRAM latency at the peak. */
#define KILN_UK_A_PREFETCH 512
#define DW_PLANE KILN_UK_DW_PLANE
#define WINO_ROW KILN_UK_WINO_ROW

#define VW KILN_UK_NEON_VW
#define MR KILN_UK_NEON_MR
#define NV (KILN_UK_NEON_NR / KILN_UK_NEON_VW)
#define MC 96
#define NC 120
#define SUFFIX neon
#include "Variant.inc"
