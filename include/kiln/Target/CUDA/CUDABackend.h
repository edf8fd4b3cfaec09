//===- CUDABackend.h - The CUDA target backend ------------------*- C++ -*-===//
//
// The CUDA implementation of TargetBackend (`kilnc --device=cuda`): every
// loop nest of the model runs as a kernel, compiled through NVVM to PTX for
// each `--gpu-arch` and assembled by ptxas into one fatbin that the host
// object embeds with the launch code, the weights and the descriptor of
// runtime_cuda.h. docs/cuda.md describes the artifact.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CUDA_CUDABACKEND_H
#define KILN_TARGET_CUDA_CUDABACKEND_H

#include "kiln/Target/TargetBackend.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

/// The first passes of the CUDA llvm phase, on each function: copies and
/// linalg ops to loop nests, and each loop nest to a gpu.launch
/// (kiln-cuda-map-to-launches). --device=cuda and --device=cuda-emulation
/// share them, so that the emulation checks the launches CUDA runs.
void buildCUDALaunchMappingPasses(mlir::OpPassManager &func);

/// The CUDA backend for `options.gpuArchs`; the host code is for
/// `options.triple` (empty: the host).
llvm::Expected<std::unique_ptr<TargetBackend>> createCUDABackend(const TargetOptions &options,
                                                                 WarningHandler warn);

/// `--device=cuda-emulation`: the CUDA backend's kernel mapping run on the
/// host CPU, one thread after another, in a CPU artifact
/// (lib/Target/CUDA/EmulationBackend.cpp). For checking the mapping's
/// numerics without a GPU.
llvm::Expected<std::unique_ptr<TargetBackend>>
createCUDAEmulationBackend(const TargetOptions &options);

} // namespace kiln

#endif // KILN_TARGET_CUDA_CUDABACKEND_H
