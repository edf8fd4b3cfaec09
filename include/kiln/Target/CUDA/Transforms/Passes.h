//===- Passes.h - The CUDA backend's passes ---------------------*- C++ -*-===//
//
// Declares the passes of Passes.td: loop nests to launches, launches to
// runtime calls, and device code to host globals.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CUDA_TRANSFORMS_PASSES_H
#define KILN_TARGET_CUDA_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

/// The gpu.module kiln-cuda-lower-launches gathers every kernel into.
inline constexpr llvm::StringLiteral kCUDAKernelModule = "kiln_kernels";
/// The global holding the kernel table: the names, each ending in NUL.
inline constexpr llvm::StringLiteral kCUDAKernelNamesGlobal = "__kiln_cuda_kernel_names";
/// The prefix of the globals holding each target's PTX.
inline constexpr llvm::StringLiteral kCUDAPTXGlobalPrefix = "__kiln_cuda_ptx_";
/// The most arguments a kernel takes (the launcher's parameter array).
inline constexpr int64_t kCUDAMaxKernelParams = 64;

#define GEN_PASS_DECL
#include "kiln/Target/CUDA/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Target/CUDA/Transforms/Passes.h.inc"

} // namespace kiln

#endif // KILN_TARGET_CUDA_TRANSFORMS_PASSES_H
