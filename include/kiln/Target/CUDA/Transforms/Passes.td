//===- Passes.td - The CUDA backend's passes ---------------*- tablegen -*-===//
//
// The passes only CUDA compilations run, in the llvm phase, in this order:
// every top-level loop nest of the model function becomes a gpu.launch
// (kiln-cuda-map-to-launches); upstream's gpu-kernel-outlining turns the
// launches into kernels; the launches become calls into libkiln_rt_cuda
// (kiln-cuda-lower-launches); after gpu-module-to-binary, the device code
// becomes a host global (kiln-cuda-embed-device-code). The CUDA backend
// (lib/Target/CUDA/CUDABackend.cpp) adds them to the phase. The emulation
// backend runs the launches as host loops instead
// (kiln-cuda-launches-to-loops).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CUDA_TRANSFORMS_PASSES_TD
#define KILN_TARGET_CUDA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def MapToLaunchesPass : Pass<"kiln-cuda-map-to-launches", "mlir::func::FuncOp"> {
  let summary = "Run every top-level loop nest of a function as a gpu.launch";
  let description = [{
    Runs on buffers after `convert-linalg-to-parallel-loops`, where each
    linalg op is an `scf.parallel` over its parallel dimensions with its
    reductions as `scf.for` inside. Each top-level `scf.parallel` (static
    bounds, no reduction results) becomes one `gpu.launch` with one thread
    per iteration: the iteration space is linearized, cut into blocks of
    `block-size` threads (fewer, rounded to a warp, for a small space), and
    each thread delinearizes its index and runs the body once, guarded
    against the last block's overhang. Any other run of top-level ops that
    touches memory (a loop nest with only reductions, a scalar op) becomes
    a launch of one thread, so that no host code reads device memory.

    Values a launch uses from outside are sunk into it when they are
    constants or views (`memref.view`, `subview`, `expand_shape`,
    `collapse_shape`, `reinterpret_cast`, `cast`) of function arguments and
    globals, so that the outlined kernels take only whole buffers: the
    model's inputs, outputs, workspace and weights.

    ```mlir
    scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c8) step (%c1, %c1) {
      ...
    }
    // becomes
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, ...) threads(%tx, %ty, %tz) in (%bsx = %c32, ...) {
      %id = ... %bx * 32 + %tx
      scf.if (%id < 32) { %i = %id / 8; %j = %id % 8; ... }
      gpu.terminator
    }
    ```
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block for a large iteration space (a multiple of 32)">
  ];
  let dependentDialects = ["mlir::gpu::GPUDialect", "mlir::scf::SCFDialect",
                           "mlir::arith::ArithDialect"];
}

def LowerLaunchesPass : Pass<"kiln-cuda-lower-launches", "mlir::ModuleOp"> {
  let summary = "Turn gpu.launch_func into calls of libkiln_rt_cuda's launcher";
  let description = [{
    Runs after `gpu-kernel-outlining`. The kernels of every `gpu.module`
    move into one module, `@kiln_kernels`; each kernel's index in it is its
    number in the compiled model's kernel table, which this pass writes as
    the global `@__kiln_cuda_kernel_names` (the names, each ending in NUL).

    The model function gains a last argument, the launch state
    (`kiln_cuda_launch_state *` of runtime_cuda.h, an `!llvm.ptr`), and each
    `gpu.launch_func` becomes

    ```mlir
    func.call @kiln_cuda_launch(%state, %kernel, %gx, %gy, %gz, %bx, %by, %bz, %smem, %params, %n)
        : (!llvm.ptr, i32, i32, i32, i32, i32, i32, i32, i32, memref<64xi64>, i32) -> ()
    ```

    where `%params` holds the kernel's arguments: each buffer's aligned
    address, each integer widened to 64 bits. The launcher runs on the
    caller's stream and records the first error in the state; it never
    allocates and never synchronizes. Kernels take at most 64 arguments.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect", "mlir::memref::MemRefDialect",
                           "mlir::arith::ArithDialect", "mlir::func::FuncDialect"];
}

def EmbedDeviceCodePass : Pass<"kiln-cuda-embed-device-code", "mlir::ModuleOp"> {
  let summary = "Turn each gpu.binary object into a host global holding its PTX";
  let description = [{
    Runs after `gpu-module-to-binary{format=isa}`. Each object of each
    `gpu.binary`, the PTX for one `#nvvm.target`, becomes a constant global
    `@__kiln_cuda_ptx_<chip>` holding the text and a terminating NUL; the
    `gpu.binary` is erased. The CUDA backend assembles these into the
    model's fatbin when it finishes the LLVM module.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

def LaunchesToLoopsPass : Pass<"kiln-cuda-launches-to-loops", "mlir::func::FuncOp"> {
  let summary = "Run each gpu.launch as loops over its blocks and threads, on the host";
  let description = [{
    The inverse of a launch, for checking the CUDA backend's kernel mapping
    without a GPU: each `gpu.launch` becomes six nested `scf.for` loops,
    over the blocks (z, y, x) and then the threads (z, y, x), whose body is
    the launch's body with the block and thread ids replaced by the loop
    indices and the grid and block sizes by the launch's operands.
    `kilnc --device=cuda-emulation` runs it after
    `kiln-cuda-map-to-launches` and lowers the result like CPU code, so the
    ordinary harnesses compare every model's outputs with the reference.

    Only launches whose threads are independent can run one after another:
    a launch with `gpu.barrier`, shared-memory attributions, a cluster or
    async dependencies is an error.

    ```mlir
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %c5, ...) threads(%tx, ...) in (%sx = %c256, ...) {
      ... %bx ... %tx ...
      gpu.terminator
    }
    // becomes
    scf.for %bz = %c0 to %c1 step %c1 {
      ...
        scf.for %tx = %c0 to %c256 step %c1 {
          ... %bx ... %tx ...
        }
    }
    ```
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::arith::ArithDialect"];
}

#endif // KILN_TARGET_CUDA_TRANSFORMS_PASSES_TD
