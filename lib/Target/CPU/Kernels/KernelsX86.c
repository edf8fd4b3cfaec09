/*===- KernelsX86.c - Kiln's x86-64 microkernel variants ----------*- C -*-===*
 *
 * Compiled to bitcode for x86-64 at build time. Each variant's register
 * tile fills its register file: AVX-512 has 32 vector registers of 16
 * floats, AVX2 16 of 8, SSE 16 of 4. kilnc picks the variant from the
 * target's features (lib/Target/CPU/Microkernels.cpp); the tiles come from
 * MicrokernelABI.h, whose table kilnc packs weights with.
 *
 *===----------------------------------------------------------------------===*/

#include "Common.h"

#define KC 256
/* How far ahead (in floats) the register tile prefetches its A panel:
 * about 40 K steps of AVX-512's 12 rows (85 of AVX2's 6), a DRAM latency
 * at the peak. A layer's packed weights are read once from memory, in
 * 4 KiB pages the hardware prefetchers do not run ahead across: without
 * it ResNet-18's 512-channel layers wait on memory for a quarter of
 * their time. 256 and 1024 measured no better. */
#define KILN_UK_A_PREFETCH 512
#define DW_PLANE KILN_UK_DW_PLANE
#define WINO_ROW KILN_UK_WINO_ROW

/* AVX-512: 12 x 32 tile, 24 accumulators. */
#define VW KILN_UK_AVX512_VW
#define MR KILN_UK_AVX512_MR
#define NV (KILN_UK_AVX512_NR / KILN_UK_AVX512_VW)
#define MC 96
#define NC 128
#define SUFFIX avx512
#include "Variant.inc"

/* AVX2 + FMA: 6 x 16 tile, 12 accumulators. */
#define VW KILN_UK_AVX2_VW
#define MR KILN_UK_AVX2_MR
#define NV (KILN_UK_AVX2_NR / KILN_UK_AVX2_VW)
#define MC 96
#define NC 128
#define SUFFIX avx2
#include "Variant.inc"

/* SSE2 (every x86-64): 6 x 8 tile, 12 accumulators. */
#define VW KILN_UK_SSE_VW
#define MR KILN_UK_SSE_MR
#define NV (KILN_UK_SSE_NR / KILN_UK_SSE_VW)
#define MC 96
#define NC 128
#define SUFFIX sse
#include "Variant.inc"
