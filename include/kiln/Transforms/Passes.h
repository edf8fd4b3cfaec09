//===- Passes.h - Kiln target-neutral passes --------------------*- C++ -*-===//
//
// Declares the target-neutral passes (Passes.td): the static memory plan
// and the passes on bufferized IR, elementwise fusion, math approximations
// and the check of each phase's IR contract.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TRANSFORMS_PASSES_H
#define KILN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace kiln {

/// Function attribute holding the planned workspace size in bytes.
inline constexpr llvm::StringLiteral kWorkspaceSizeAttr = "kiln.workspace_size";
/// Function attribute recording the memory plan: `steps` (the node and op
/// of each top-level op that does work, in order) and `buffers` (each
/// buffer's node, op, offset, size, bytes and first and last step).
inline constexpr llvm::StringLiteral kMemoryPlanAttr = "kiln.memory_plan";
/// Argument attribute marking the workspace argument.
inline constexpr llvm::StringLiteral kWorkspaceArgAttr = "kiln.workspace";

#define GEN_PASS_DECL
#include "kiln/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kiln/Transforms/Passes.h.inc"

} // namespace kiln

#endif // KILN_TRANSFORMS_PASSES_H
