//===- Passes.td - Kiln target-neutral passes --------------*- tablegen -*-===//
//
// Passes on bufferized IR shared by every target.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TRANSFORMS_PASSES_TD
#define KILN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def PlanMemoryPass : Pass<"kiln-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Place every intermediate buffer at an offset of one workspace";
  let description = [{
    Replaces each `memref.alloc` of a bufferized model function with a
    `memref.view` into a new trailing function argument, the workspace
    (`memref<Nxi8>`, marked `kiln.workspace`). Buffers whose live ranges
    overlap get disjoint byte ranges; the others share memory. Live ranges
    run from the allocation to the last top-level op that uses the buffer or
    any view of it. Placement is greedy best-fit, largest buffer first, with
    every offset a multiple of `alignment`; the total is recorded as the
    function attribute `kiln.workspace_size`. Afterwards the function
    allocates nothing, so generated code never calls malloc.

    ```mlir
    %0 = memref.alloc() {alignment = 64 : i64} : memref<1x64xf32>
    // becomes
    %c0 = arith.constant 0 : index
    %0 = memref.view %ws[%c0][] : memref<256xi8> to memref<1x64xf32>
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", /*default=*/"64",
           "Byte alignment of the workspace and of every buffer in it">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def LowerStridedCopiesPass : Pass<"kiln-lower-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Turn copies between non-contiguous memrefs into linalg.copy";
  let description = [{
    Bufferization copies into and out of strided views (a padded tensor's
    interior, a concatenation's slice). `memref.copy` between such views
    would lower to a call into a support library that generated code must
    not depend on; as `linalg.copy` it becomes plain loops. Copies between
    contiguous buffers stay `memref.copy` and become `memcpy`.

    ```mlir
    memref.copy %a, %sub : memref<4x4xf32> to memref<4x4xf32, strided<[6, 1], offset: 7>>
    // becomes
    linalg.copy ins(%a : memref<4x4xf32>) outs(%sub : memref<4x4xf32, strided<[6, 1], offset: 7>>)
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def FlattenEmptyArgumentsPass : Pass<"kiln-flatten-empty-arguments", "mlir::func::FuncOp"> {
  let summary = "Retype zero-element memref arguments as memref<0xT>";
  let description = [{
    A model whose input or output has a zero dimension (a Slice that
    selects nothing, a Split part of size 0) gets a memref argument like
    `memref<20x0x5xf32>`. MLIR gives such a memref the constant layout 0, so
    it has no strides, and the bare-pointer calling convention cannot pass
    it. Nothing can be read or written through an empty buffer: the pass
    erases the copies and linalg ops that touch only empty arguments and
    retypes the arguments as rank-1 `memref<0xT>`, which pass as a plain
    pointer like any other. Any other use is an error.

    ```mlir
    func.func @main(%arg0: memref<4xf32>, %arg1: memref<2x0xf32>)
    // becomes
    func.func @main(%arg0: memref<4xf32>, %arg1: memref<0xf32>)
    ```
  }];
}

def SelectMicrokernelsPass : Pass<"kiln-select-microkernels", "mlir::func::FuncOp"> {
  let summary = "Compute convolutions and matrix products with CPU microkernels";
  let description = [{
    Runs on kiln ops, before they are lowered to linalg. Each f32
    `kiln.conv2d` (ungrouped or depthwise), `kiln.matmul`,
    `kiln.max_pool2d`, and `kiln.reduce_sum`/`kiln.reduce_mean` over
    trailing axes becomes a
    `kiln.microkernel` of the given vector variant, together with the ops
    that follow it and use only its result: a per-channel (convolution) or
    per-column (matrix product) bias add, an add of another tensor of the
    output's shape (a residual), and a final `kiln.relu` or `kiln.clamp`.
    Constant weights are packed here, at compile time, into the blocked
    layout the kernel reads (lib/Target/CPU/Kernels/Gemm.inc), so nothing
    is repacked at run time. The blocking comes from the variant's entry in
    the target table (include/kiln/Transforms/Microkernels.h), never from
    measurements, so the output depends only on the input and the options.
    An empty `variant` leaves the function as it is.

    ```mlir
    %c = kiln.conv2d %x, %w {...} : (...) -> tensor<1x64x56x56xf32>
    %r = kiln.relu %c : tensor<1x64x56x56xf32>
    // becomes
    %wp = kiln.constant dense<...> : tensor<36864xf32>
    %e = tensor.empty() : tensor<1x64x56x56xf32>
    %r = kiln.microkernel "conv2d" "avx2" ins(%x, %wp : ...) outs(%e : ...)
         {params = array<i64: ...>, lo = 0.0 : f32, hi = 0x7F800000 : f32} -> tensor<1x64x56x56xf32>
    ```
  }];
  let options = [
    Option<"variant", "variant", "std::string", /*default=*/"\"\"",
           "Microkernel variant: avx512, avx2, sse, neon, or empty for none">
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def LowerMicrokernelsPass : Pass<"kiln-lower-microkernels", "mlir::ModuleOp"> {
  let summary = "Turn bufferized kiln.microkernel ops into calls";
  let description = [{
    Each `kiln.microkernel` on buffers becomes a `func.call` of
    `kiln_uk_<kernel>_f32_<variant>` with the buffers' addresses (aligned
    pointer plus offset, as `index`), its integer params and its clamp
    bounds; absent bias and residual pass address 0. The callee is declared
    here; kilnc links its definition from the microkernel bitcode built
    with Kiln (lib/Target/CPU/Kernels) into the model's LLVM module.

    ```mlir
    kiln.microkernel "gemm" "avx2" ins(%a, %b : memref<8x16xf32>, memref<256xf32>)
        outs(%c : memref<8x16xf32>) {params = array<i64: ...>, lo = ..., hi = ...}
    // becomes
    func.call @kiln_uk_gemm_f32_avx2(%pa, %pb, %pc, %c0, %c0, ...) : (index, ...) -> ()
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect"];
}

def ApproximateMathPass : Pass<"kiln-approximate-math", "mlir::func::FuncOp"> {
  let summary = "Polynomial approximations of f32 exp, expm1, tanh, erf and logs";
  let description = [{
    Replaces f32 `math.exp`, `math.expm1`, `math.tanh`, `math.erf`,
    `math.log`, `math.log1p` and `math.log2` with MLIR's polynomial
    approximations (range reduction and a minimax polynomial, within a few
    ulp over the whole f32 range, infinities and NaN included). They are
    plain arithmetic, so LLVM vectorizes the loops holding them, where a
    libm call keeps every element scalar. kilnc runs it from -O1 on. The
    trigonometric functions keep their libm calls: the approximations lose
    accuracy on large arguments.

    ```mlir
    %y = math.exp %x : f32
    // becomes arith and math.fma ops, with no call
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect"];
}

def FuseElementwisePass : Pass<"kiln-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse elementwise linalg ops, never recomputing a broadcast value";
  let description = [{
    Upstream's elementwise fusion (with its reshape propagation and
    constant folding), with one rule of Kiln's: a producer is fused into a
    consumer only when the consumer reads it through a permutation, so
    that each of the producer's values is computed once. Fusing a
    broadcast producer would compute it again for every element it is
    broadcast to: a squeeze-and-excitation block's per-channel sigmoid,
    fused into the multiply by the feature map, costs one exp per pixel
    instead of one per channel.

    ```mlir
    %s = linalg.generic ... ins(%c : tensor<1x32x1x1xf32>) { sigmoid }
    %y = linalg.generic {indexing_maps = [#broadcast, #id, #id]} ins(%s, %x ...) { mulf }
    // %s stays its own loop: 32 sigmoids, not 32 x 112 x 112
    ```
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::affine::AffineDialect"];
}

def OutlineParallelLoopsPass : Pass<"kiln-outline-parallel-loops", "mlir::ModuleOp"> {
  let summary = "Move parallel loops with enough work into task functions";
  let description = [{
    Each `scf.parallel` at the top level of a function, with constant
    bounds and at least `min-work` operations (counting the iterations of
    nested loops with constant bounds), moves into a private task function
    `@<func>__kiln_task<N>(%begin: index, %end: index, <values>...)`
    marked `kiln.parallel_task`. Its iterations are cut into chunks (at
    most 64, each of at least a quarter of `min-work`) along the leading
    dimensions; the task runs chunks `[begin, end)`, and the other
    dimensions stay an inner `scf.parallel`. Constants, global addresses
    and views are recomputed in the task, so that LLVM still sees that two
    views of the workspace are disjoint; the other values it uses
    (function arguments, loaded scalars) become its arguments.

    The loop is replaced by a call that runs every chunk, `(0, chunks)`:
    the program means what it meant. `kiln-lower-parallel-calls` later
    hands the chunks to the runtime's `kiln_parallel_for`.

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c256, %c256) step (%c1, %c1) { ... }
    // becomes
    func.call @main__kiln_task0(%c0, %c64, %ws) : (index, index, memref<262144xi8>) -> ()
    ```
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"65536",
           "Operations a loop must run to be worth waking threads for">
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect",
                           "mlir::scf::SCFDialect", "mlir::LLVM::LLVMDialect"];
}

def LowerParallelCallsPass : Pass<"kiln-lower-parallel-calls", "mlir::ModuleOp"> {
  let summary = "Run task-function calls through the runtime's kiln_parallel_for";
  let description = [{
    On the LLVM dialect, after `convert-func-to-llvm`: for each function
    marked `kiln.parallel_task` (by `kiln-outline-parallel-loops`), adds an
    internal entry `void <task>_entry(void *ctx, int64_t begin, int64_t end)`
    that loads the task's arguments from a context struct and calls it.
    Each call `<task>(0, n, args...)` becomes: the arguments stored into a
    context struct on the caller's stack, then
    `kiln_parallel_for(n, <task>_entry, ctx)`, which runs chunks
    `[0, n)` over the runtime's threads (serially on bare metal) and
    returns when all are done.

    ```mlir
    llvm.call @main__kiln_task0(%c0, %c64, %ws) : (i64, i64, !llvm.ptr) -> ()
    // becomes
    llvm.store %ws, %field : !llvm.ptr, !llvm.ptr
    llvm.call @kiln_parallel_for(%c64, %entry, %ctx) : (i64, !llvm.ptr, !llvm.ptr) -> ()
    ```
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // KILN_TRANSFORMS_PASSES_TD
