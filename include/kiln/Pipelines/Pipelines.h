//===- Pipelines.h - Kiln's named compilation phases ------------*- C++ -*-===//
//
// The compiler is a sequence of phases, each a pass pipeline with a stated
// IR contract at its end (docs/architecture.md):
//
//   import     -> kiln ops as the importer built them
//   kiln       -> kiln ops, canonicalized and folded
//   linalg     -> linalg/tensor/arith/math on tensors; of kiln ops only
//                 kiln.microkernel
//   bufferized -> memrefs; no allocation; one workspace argument
//   llvm       -> LLVM dialect only, bare-pointer calling convention
//
// `kilnc --compile-to=PHASE` stops after a phase; kiln-opt runs each as a
// registered pipeline (kiln-phase-kiln, kiln-phase-linalg, ...).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PIPELINES_PIPELINES_H
#define KILN_PIPELINES_PIPELINES_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace kiln {

enum class Phase { Import, Kiln, Linalg, Bufferized, LLVM };

/// Parses a phase name ("import", "kiln", "linalg", "bufferized", "llvm").
std::optional<Phase> parsePhase(llvm::StringRef name);
llvm::StringRef getPhaseName(Phase phase);

struct PhaseOptions {
  /// Bit width of `index` in generated code: the target's pointer width.
  unsigned indexBitwidth = 64;
  /// Byte alignment of the workspace and its buffers.
  int64_t workspaceAlignment = 64;
  /// Print IR after every pass to stderr (kilnc --print-ir-after-all).
  bool printAfterAll = false;
  /// The CPU microkernel variant convolutions and matrix products use
  /// (include/kiln/Transforms/Microkernels.h); empty for none.
  std::string microkernels;
  /// Compute exp, tanh, erf, log and friends with MLIR's polynomial
  /// approximations (vectorizable, within a few ulp) instead of libm calls.
  bool approximateMath = false;
  /// Run the parallel loops of linalg ops with enough work through the
  /// runtime's kiln_parallel_for (kiln-outline-parallel-loops).
  bool parallelLoops = false;
};

/// The pass pipeline text that takes IR from the phase before `phase` to
/// `phase` (empty for Import).
std::string getPhasePipeline(Phase phase, const PhaseOptions &options);

/// Runs the phases after `from` up to and including `to` on `module`.
mlir::LogicalResult runPhases(mlir::ModuleOp module, Phase from, Phase to,
                              const PhaseOptions &options);

/// Registers every dialect, interface and extension the phases use.
void registerKilnDialects(mlir::DialectRegistry &registry);
/// Registers Kiln's passes, the upstream ones the phases use, and the
/// kiln-phase-* pipelines (for kiln-opt).
void registerKilnPasses();

} // namespace kiln

#endif // KILN_PIPELINES_PIPELINES_H
