/*===- Common.h - Shared definitions of Kiln's CPU microkernels ----*- C -*-===*
 *
 * The microkernels are C compiled to LLVM bitcode when Kiln is built, one
 * bitcode file per architecture, and linked into each model's LLVM module
 * by kilnc. There they lose their own target attributes and are compiled
 * for the model's --cpu/--features, inlined and specialized like the rest
 * of the generated code. They allocate nothing: scratch space is on the
 * stack and bounded by the blocking constants of each variant.
 *
 * Vectors use the compilers' generic vector extension, so one source
 * serves AVX-512, AVX2, SSE and NEON; LLVM picks the instructions.
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_KERNELS_COMMON_H
#define KILN_KERNELS_COMMON_H

#include <stdint.h>

#include "kiln/Target/CPU/MicrokernelABI.h"

#define KILN_UK_CONCAT2(a, b) a##b
#define KILN_UK_CONCAT(a, b) KILN_UK_CONCAT2(a, b)

#define KILN_UK_ALWAYS_INLINE static inline __attribute__((always_inline))
#define KILN_UK_MIN(a, b) ((a) < (b) ? (a) : (b))
#define KILN_UK_MAX(a, b) ((a) > (b) ? (a) : (b))

/* The flag bits (KILN_UK_*), the variants' register tiles and the
 * Winograd plan are the ABI shared with kilnc: MicrokernelABI.h. */

/* The runtime's parallel-for (runtime/src/parallel.c): calls
 * fn(ctx, begin, end) over disjoint ranges covering [0, n), on up to the
 * thread count set through kiln_set_num_threads / KILN_NUM_THREADS. */
typedef void (*kiln_task_fn)(void *ctx, int64_t begin, int64_t end);
void kiln_parallel_for(int64_t n, kiln_task_fn fn, void *ctx);
int kiln_get_num_threads(void);

/* The epilogue every kernel applies to a finished output element:
 * clamp(acc + bias + residual, lo, hi), then SiLU when flagged. lo/hi are
 * -inf/+inf when the model has no clamp, 0/+inf for ReLU, 0/6 for ReLU6.
 * A NaN stays NaN, as in the model's unfused ops. */
typedef struct kiln_uk_epilogue {
  const float *bias;
  const float *residual;
  int64_t residual_bs, residual_rs;
  int64_t flags;
  float lo, hi;
} kiln_uk_epilogue;

/* One matrix product (or convolution as a product) for the blocked driver
 * of Gemm.inc: C[b] = epilogue(A[b] x B[b]) for b < batch, with A m x k,
 * B k x n and C m x n. For a convolution, B is the implicit im2col matrix
 * of the NCHW input (k = cin*kh*kw, n = oh*ow), gathered while packing. */
typedef struct kiln_uk_gemm_args {
  const float *a, *b;
  float *c;
  int64_t batch, m, n, k;
  int64_t a_bs, a_rs, a_cs; /* element strides; ignored when A is packed */
  int64_t b_bs, b_rs, b_cs;
  int64_t c_bs, c_rs;
  int64_t m_blocks, n_blocks;
  int a_major;     /* tasks split M blocks (else N blocks) first */
  int64_t groups;  /* groups of blocks of the other dimension */
  int batch_inner; /* tasks take the batch inside the major blocks */
  int conv;        /* B is an NCHW input read through im2col */
  int64_t ih, iw, ow, kh, kw, sh, sw, dh, dw, pt, pl;
  kiln_uk_epilogue ep;
} kiln_uk_gemm_args;

#endif /* KILN_KERNELS_COMMON_H */
