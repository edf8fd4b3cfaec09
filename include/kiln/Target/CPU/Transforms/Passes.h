//===- Passes.h - The CPU backend's passes ----------------------*- C++ -*-===//
//
// Declares the passes of Passes.td: microkernel selection and lowering,
// and parallel-loop outlining and lowering.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_TRANSFORMS_PASSES_H
#define KILN_TARGET_CPU_TRANSFORMS_PASSES_H

#include "kiln/Target/CPU/IR/KilnCPUDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

/// Function attribute marking a task function of kiln-outline-parallel-loops.
inline constexpr llvm::StringLiteral kParallelTaskAttr = "kiln.parallel_task";

#define GEN_PASS_DECL
#include "kiln/Target/CPU/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Target/CPU/Transforms/Passes.h.inc"

} // namespace kiln

#endif // KILN_TARGET_CPU_TRANSFORMS_PASSES_H
