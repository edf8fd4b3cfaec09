/*===- MicrokernelABI.h - The contract of Kiln's CPU microkernels --*- C -*-===*
 *
 * Everything that Kiln's CPU microkernels (lib/Target/CPU/Kernels, C built
 * to bitcode) and the compiler that calls them (kiln_cpu.microkernel's
 * verifier, kiln-select-microkernels, kiln-lower-microkernels) must agree
 * on, written once: the bits of every kernel's `flags` argument, the
 * number of integer parameters each kernel takes, the register tile and
 * buffer sizes of each vector variant, and the Winograd kernel's plan for
 * sharing out its work. The kernels, the verifier and the passes all
 * include this header; nothing here is copied elsewhere.
 *
 * It is C99 and C++ alike, and has no dependencies but <stdint.h>.
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_TARGET_CPU_MICROKERNELABI_H
#define KILN_TARGET_CPU_MICROKERNELABI_H

#include <stdint.h>

/*===----------------------------------------------------------------------===*
 * Flag bits: the last integer parameter of every kernel.
 *===----------------------------------------------------------------------===*/

#define KILN_UK_A_PACKED 1  /* gemm: A holds MR-row panels (see Gemm.inc) */
#define KILN_UK_B_PACKED 2  /* gemm: B holds NR-column panels */
#define KILN_UK_BIAS_ROW 4  /* add bias[row] (conv: per output channel) */
#define KILN_UK_BIAS_COL 8  /* add bias[col] (matmul: per output column) */
#define KILN_UK_RESIDUAL 16 /* add residual[i][j], laid out like C */
#define KILN_UK_SILU 32     /* then x * sigmoid(x) (SiLU, "swish") */
#define KILN_UK_MEAN 64     /* rowsum: divide by the row's length */

/*===----------------------------------------------------------------------===*
 * Kernels: the integer parameters each takes, flags last, in the order of
 * its C signature. A kernel's operands are its inputs (two, or one for
 * the pooling and row-sum kernels), the bias when a BIAS flag is set, the
 * residual when KILN_UK_RESIDUAL is, then its outputs (the Winograd
 * kernel's second output is its scratch space).
 *===----------------------------------------------------------------------===*/

#define KILN_UK_GEMM_PARAMS 13
#define KILN_UK_CONV2D_PARAMS 16
#define KILN_UK_DWCONV2D_PARAMS 15
#define KILN_UK_MAXPOOL2D_PARAMS 15
#define KILN_UK_WINOGRAD3X3_PARAMS 10
#define KILN_UK_WINOGRAD3X3F4_PARAMS 10
#define KILN_UK_ROWSUM_PARAMS 3

typedef struct kiln_uk_kernel_info {
  const char *name; /* as in kiln_uk_<name>_f32_<variant> */
  int64_t params;   /* integer parameters, flags last */
  int64_t inputs;   /* operands before the bias and the residual */
  int64_t outputs;  /* outputs, scratch included */
} kiln_uk_kernel_info;

static const kiln_uk_kernel_info kiln_uk_kernels[] = {
    {"gemm", KILN_UK_GEMM_PARAMS, 2, 1},
    {"conv2d", KILN_UK_CONV2D_PARAMS, 2, 1},
    {"dwconv2d", KILN_UK_DWCONV2D_PARAMS, 2, 1},
    {"maxpool2d", KILN_UK_MAXPOOL2D_PARAMS, 1, 1},
    {"winograd3x3", KILN_UK_WINOGRAD3X3_PARAMS, 2, 2},
    {"winograd3x3f4", KILN_UK_WINOGRAD3X3F4_PARAMS, 2, 2},
    {"rowsum", KILN_UK_ROWSUM_PARAMS, 1, 1},
};
#define KILN_UK_NUM_KERNELS (sizeof(kiln_uk_kernels) / sizeof(kiln_uk_kernels[0]))

/*===----------------------------------------------------------------------===*
 * Variants: the register tile of each vector variant. kilnc packs constant
 * weights with these MR and NR; the kernels are instantiated with them.
 *===----------------------------------------------------------------------===*/

/* AVX-512: 32 registers of 16 floats; a 12 x 32 tile, 24 accumulators. */
#define KILN_UK_AVX512_VW 16
#define KILN_UK_AVX512_MR 12
#define KILN_UK_AVX512_NR 32
/* AVX2 + FMA: 16 registers of 8 floats; a 6 x 16 tile, 12 accumulators. */
#define KILN_UK_AVX2_VW 8
#define KILN_UK_AVX2_MR 6
#define KILN_UK_AVX2_NR 16
/* SSE2 (every x86-64): 16 registers of 4 floats; a 6 x 8 tile. */
#define KILN_UK_SSE_VW 4
#define KILN_UK_SSE_MR 6
#define KILN_UK_SSE_NR 8
/* NEON: 32 registers of 4 floats; an 8 x 12 tile, 24 accumulators. */
#define KILN_UK_NEON_VW 4
#define KILN_UK_NEON_MR 8
#define KILN_UK_NEON_NR 12

/* Floats in the depthwise kernel's padded plane buffer: kilnc selects that
 * kernel only for planes that fit. */
#define KILN_UK_DW_PLANE 65536
/* Floats in each of the Winograd kernel's row buffers: it takes outputs up
 * to about this many columns wide. */
#define KILN_UK_WINO_ROW 1024

typedef struct kiln_uk_variant {
  const char *name;     /* avx512, avx2, sse, neon */
  int64_t vector_width; /* floats per vector register */
  int64_t mr, nr;       /* the register tile: MR rows by NR columns */
  int64_t dw_plane;     /* floats of the depthwise kernel's plane buffer */
} kiln_uk_variant;

static const kiln_uk_variant kiln_uk_variants[] = {
    {"avx512", KILN_UK_AVX512_VW, KILN_UK_AVX512_MR, KILN_UK_AVX512_NR, KILN_UK_DW_PLANE},
    {"avx2", KILN_UK_AVX2_VW, KILN_UK_AVX2_MR, KILN_UK_AVX2_NR, KILN_UK_DW_PLANE},
    {"sse", KILN_UK_SSE_VW, KILN_UK_SSE_MR, KILN_UK_SSE_NR, KILN_UK_DW_PLANE},
    {"neon", KILN_UK_NEON_VW, KILN_UK_NEON_MR, KILN_UK_NEON_NR, KILN_UK_DW_PLANE},
};
#define KILN_UK_NUM_VARIANTS (sizeof(kiln_uk_variants) / sizeof(kiln_uk_variants[0]))

/*===----------------------------------------------------------------------===*
 * The Winograd plan: how the Winograd kernels (Kernels/Winograd.inc) split
 * their work, and so how much scratch kiln-select-microkernels gives them.
 * `comps` is the number of transformed components of a tile: 16 for
 * F(2x2, 3x3), 36 for F(4x4, 3x3).
 *
 * The tiles are cut into blocks of `panels_per_block` NR-tile panels, as
 * many as keep a block's transformed input V (comps x cin x block tiles)
 * and products M (comps x cout x block tiles) within KILN_WINO_BLOCK floats each,
 * so that a block stays in the cache of the core working on it. The
 * (block, group) units are shared out as `tasks` contiguous runs
 * (KILN_WINO_TASKS at most), each with its own scratch.
 *
 * With at least KILN_WINO_TASKS / 2 blocks, a unit is a whole block (one
 * group of all output channels), and each run transforms its blocks'
 * input into its own V: scratch = tasks x (v_block + m_slice). With fewer
 * blocks, the output channels are cut into `groups` of `group_rows` (a
 * multiple of MR) too; every block's V is then shared by its groups,
 * transformed first, in `groups` channel chunks per block:
 * scratch = blocks x v_block + tasks x m_slice. On one thread, the kernel
 * follows kiln_uk_wino_serial_plan instead, whose scratch the plan's
 * includes.
 *===----------------------------------------------------------------------===*/

#define KILN_WINO_BLOCK 32768 /* floats of V, and of M, per block */
#define KILN_WINO_TASKS 8     /* runs of units, at most */

typedef struct kiln_uk_wino_plan {
  int64_t panels_per_block, blocks;
  int64_t group_rows, groups;
  int64_t units, tasks;
  int64_t shared_v;         /* groups share each block's V */
  int64_t v_block, m_slice; /* floats of one block's V, of one run's M */
  int64_t scratch;          /* floats in all */
} kiln_uk_wino_plan;

static inline kiln_uk_wino_plan kiln_uk_wino_make_plan(int64_t cin, int64_t cout, int64_t tiles,
                                                       int64_t mr, int64_t nr, int64_t comps) {
  kiln_uk_wino_plan p;
  int64_t panels = (tiles + nr - 1) / nr, widest = cin > cout ? cin : cout;
  p.panels_per_block = KILN_WINO_BLOCK / (comps * widest * nr);
  if (p.panels_per_block < 1)
    p.panels_per_block = 1;
  if (p.panels_per_block > panels)
    p.panels_per_block = panels;
  p.blocks = (panels + p.panels_per_block - 1) / p.panels_per_block;
  int64_t row_panels = (cout + mr - 1) / mr;
  /* Half as many blocks as runs still keep two threads busy; fewer get
   * channel groups. */
  int64_t wanted =
      2 * p.blocks >= KILN_WINO_TASKS ? 1 : (KILN_WINO_TASKS + p.blocks - 1) / p.blocks;
  if (wanted > row_panels)
    wanted = row_panels;
  p.group_rows = (row_panels + wanted - 1) / wanted * mr;
  p.groups = (cout + p.group_rows - 1) / p.group_rows;
  p.units = p.blocks * p.groups;
  p.tasks = p.units < KILN_WINO_TASKS ? p.units : KILN_WINO_TASKS;
  int64_t block_tiles = p.panels_per_block * nr;
  p.shared_v = p.groups > 1;
  p.v_block = comps * block_tiles * cin;
  p.m_slice = comps * block_tiles * p.group_rows;
  p.scratch =
      p.shared_v ? p.blocks * p.v_block + p.tasks * p.m_slice : p.tasks * (p.v_block + p.m_slice);
  /* Room for the plan on one thread too (kiln_uk_wino_serial_plan). */
  int64_t serial = p.v_block + comps * block_tiles * row_panels * mr;
  if (p.scratch < serial)
    p.scratch = serial;
  return p;
}

/* The plan on one thread: every block a unit of all output channels, in
 * one run, so that one block's V and M are all the scratch it touches. */
static inline kiln_uk_wino_plan kiln_uk_wino_serial_plan(kiln_uk_wino_plan p, int64_t cout,
                                                         int64_t mr, int64_t nr, int64_t comps) {
  p.group_rows = (cout + mr - 1) / mr * mr;
  p.groups = 1;
  p.units = p.blocks;
  p.tasks = 1;
  p.shared_v = 0;
  p.m_slice = comps * p.panels_per_block * nr * p.group_rows;
  return p;
}

#endif /* KILN_TARGET_CPU_MICROKERNELABI_H */
