//===- Passes.td - The CPU backend's passes ----------------*- tablegen -*-===//
//
// The passes only CPU compilations run: microkernel selection (on kiln ops,
// before the linalg conversion) and lowering (on buffers), and the
// outlining of parallel loops into tasks for the runtime's threads.
// TargetBackend::buildPreLinalgPasses and buildLLVMPasses of the CPU
// backend (lib/Target/CPU/CPUBackend.cpp) add them to the phases.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_TRANSFORMS_PASSES_TD
#define KILN_TARGET_CPU_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SelectMicrokernelsPass : Pass<"kiln-select-microkernels", "mlir::func::FuncOp"> {
  let summary = "Compute convolutions and matrix products with CPU microkernels";
  let description = [{
    Runs on kiln ops, before they are lowered to linalg. Each f32
    `kiln.conv2d` (ungrouped or depthwise), `kiln.matmul`,
    `kiln.max_pool2d`, and `kiln.reduce_sum`/`kiln.reduce_mean` over
    trailing axes becomes a
    `kiln_cpu.microkernel` of the given vector variant, together with the ops
    that follow it and use only its result: a per-channel (convolution) or
    per-column (matrix product) bias add, an add of another tensor of the
    output's shape (a residual), and a final `kiln.relu` or `kiln.clamp`.
    Constant weights are packed here, at compile time, into the blocked
    layout the kernel reads (lib/Target/CPU/Kernels/Gemm.inc), so nothing
    is repacked at run time. The blocking comes from the variant's entry in
    the target table (include/kiln/Target/CPU/MicrokernelABI.h), never from
    measurements, so the output depends only on the input and the options.
    An empty `variant` leaves the function as it is.

    ```mlir
    %c = kiln.conv2d %x, %w {...} : (...) -> tensor<1x64x56x56xf32>
    %r = kiln.relu %c : tensor<1x64x56x56xf32>
    // becomes
    %wp = kiln.constant dense<...> : tensor<36864xf32>
    %e = tensor.empty() : tensor<1x64x56x56xf32>
    %r = kiln_cpu.microkernel "conv2d" "avx2" ins(%x, %wp : ...) outs(%e : ...)
         {params = array<i64: ...>, lo = 0.0 : f32, hi = 0x7F800000 : f32} -> tensor<1x64x56x56xf32>
    ```
  }];
  let options = [
    Option<"variant", "variant", "std::string", /*default=*/"\"\"",
           "Microkernel variant: avx512, avx2, sse, neon, or empty for none">,
    Option<"winogradTile", "winograd-tile", "int64_t", /*default=*/"4",
           "Largest Winograd tile for 3x3 stride-1 convolutions: 4 takes "
           "F(4x4, 3x3) where its tiles fill a panel, 2 only F(2x2, 3x3)">
  ];
  let dependentDialects = ["mlir::tensor::TensorDialect", "kiln::cpu::KilnCPUDialect"];
}

def InsertProfilePass : Pass<"kiln-insert-profile", "mlir::ModuleOp"> {
  let summary = "Time every op of the model function by its model node (kilnc --profile)";
  let description = [{
    Every op of `@main` that does work (a linalg op, a
    `kiln_cpu.microkernel`, a `memref.copy`) is bracketed by calls of the
    runtime's `kiln_profile_clock` (monotonic nanoseconds), and the
    difference and one call are added to the entry of its model node: the
    first name in its location and the importer's op kind (`onnx.Conv`,
    `torch.aten::linear`), so ops fused from several nodes count for the
    first. The entries are the globals `kiln_profile_ns` and
    `kiln_profile_calls` (i64 each) and `kiln_profile_names` ("node\top\0"
    per entry); module finishing renames them NAME_profile_ns, ... and
    adds NAME_profile_count, which `kiln-run --profile` reads.

    ```mlir
    linalg.generic ... loc("/layer1/Relu"(...))
    // becomes
    %t0 = func.call @kiln_profile_clock() : () -> i64
    linalg.generic ...
    %t1 = func.call @kiln_profile_clock() : () -> i64
    // kiln_profile_ns[i] += %t1 - %t0; kiln_profile_calls[i] += 1
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect"];
}

def LowerMicrokernelsPass : Pass<"kiln-lower-microkernels", "mlir::ModuleOp"> {
  let summary = "Turn bufferized kiln_cpu.microkernel ops into calls";
  let description = [{
    Each `kiln_cpu.microkernel` on buffers becomes a `func.call` of
    `kiln_uk_<kernel>_f32_<variant>` with the buffers' addresses (aligned
    pointer plus offset, as `index`), its integer params and its clamp
    bounds; absent bias and residual pass address 0. The callee is declared
    here; kilnc links its definition from the microkernel bitcode built
    with Kiln (lib/Target/CPU/Kernels) into the model's LLVM module.

    ```mlir
    kiln_cpu.microkernel "gemm" "avx2" ins(%a, %b : memref<8x16xf32>, memref<256xf32>)
        outs(%c : memref<8x16xf32>) {params = array<i64: ...>, lo = ..., hi = ...}
    // becomes
    func.call @kiln_uk_gemm_f32_avx2(%pa, %pb, %pc, %c0, %c0, ...) : (index, ...) -> ()
    ```
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::func::FuncDialect",
                           "mlir::memref::MemRefDialect"];
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

#endif // KILN_TARGET_CPU_TRANSFORMS_PASSES_TD
