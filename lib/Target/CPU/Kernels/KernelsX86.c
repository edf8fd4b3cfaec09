/*===- KernelsX86.c - Kiln's x86-64 microkernel variants ----------*- C -*-===*
 *
 * Compiled to bitcode for x86-64 at build time. Each variant's register
 * tile fills its register file: AVX-512 has 32 vector registers of 16
 * floats, AVX2 16 of 8, SSE 16 of 4. kilnc picks the variant from the
 * target's features (lib/Target/CPU/Microkernels.cpp) and reads the same
 * MR and NR from its table when it packs weights. Keep the two in step.
 *
 *===----------------------------------------------------------------------===*/

#include "Common.h"

#define KC 256
#define DW_PLANE 65536
#define WINO_ROW 1024

/* AVX-512: 12 x 32 tile, 24 accumulators. */
#define VW 16
#define MR 12
#define NV 2
#define MC 96
#define NC 128
#define SUFFIX avx512
#include "Variant.inc"

/* AVX2 + FMA: 6 x 16 tile, 12 accumulators. */
#define VW 8
#define MR 6
#define NV 2
#define MC 96
#define NC 128
#define SUFFIX avx2
#include "Variant.inc"

/* SSE2 (every x86-64): 6 x 8 tile, 12 accumulators. */
#define VW 4
#define MR 6
#define NV 2
#define MC 96
#define NC 128
#define SUFFIX sse
#include "Variant.inc"
