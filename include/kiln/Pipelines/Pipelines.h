//===- Pipelines.h - Kiln's named compilation phases ------------*- C++ -*-===//
//
// The compiler is a sequence of phases, each a pass pipeline with a stated
// IR contract at its end (docs/architecture.md):
//
//   import     -> kiln ops as the importer built them
//   kiln       -> kiln ops, canonicalized and folded
//   linalg     -> linalg/tensor/arith/math on tensors, and the target's own
//                 codegen ops (kiln_cpu.microkernel); no kiln op
//   bufferized -> memrefs; no allocation; one workspace argument
//   llvm       -> LLVM dialect only, bare-pointer calling convention
//
// The phases are built in C++ on an OpPassManager; what differs by target
// comes from the TargetBackend (include/kiln/Target/TargetBackend.h).
// `kilnc --print-pipeline` prints the exact pipeline kilnc runs, which
// `kiln-opt --pass-pipeline=...` replays; kiln-opt also registers each
// phase as `kiln-phase-<name>`, with PhasePipelineOptions.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_PIPELINES_PIPELINES_H
#define KILN_PIPELINES_PIPELINES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassOptions.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

class TargetBackend;

enum class Phase { Import, Kiln, Linalg, Bufferized, LLVM };

/// Parses a phase name ("import", "kiln", "linalg", "bufferized", "llvm").
std::optional<Phase> parsePhase(llvm::StringRef name);
llvm::StringRef getPhaseName(Phase phase);

/// The settings the phases take. The target backend chooses them for a
/// compilation (TargetBackend::getPhaseOptions).
struct PhaseOptions {
  /// Bit width of `index` in generated code: the target's pointer width.
  unsigned indexBitwidth = 64;
  /// Byte alignment of the workspace and its buffers.
  int64_t workspaceAlignment = 64;
  /// The CPU microkernel variant convolutions and matrix products use
  /// (include/kiln/Target/CPU/MicrokernelABI.h); empty for none.
  std::string microkernels;
  /// Compute exp, tanh, erf, log and friends with MLIR's polynomial
  /// approximations (vectorizable, within a few ulp) instead of libm calls.
  bool approximateMath = false;
  /// Run the parallel loops of linalg ops with enough work through the
  /// runtime's kiln_parallel_for (kiln-outline-parallel-loops).
  bool parallelLoops = false;
  /// Save workspace by writing results over the buffers they replace:
  /// elementwise ops over a dead input (kiln-elementwise-in-place),
  /// producers straight into the interior of a padded tensor
  /// (kiln-decompose-pads, then empty-tensor elimination); and grouped
  /// convolutions read their input unpadded (convert-kiln-to-linalg's
  /// guarded-grouped-padding).
  bool inPlace = false;
  /// int8 pointwise convolutions use the Arm DSP extension's SXTB16 and
  /// SMLAD (two 16-bit products per instruction): 32-bit Arm cores with
  /// DSP, such as the Cortex-M4, M7 and M33.
  bool armDsp = false;
  /// Compute chains of int8 convolutions a band of rows at a time where
  /// that lowers the workspace peak (kiln-fuse-row-bands).
  bool rowBands = false;
  /// Time every op of the model function by its model node
  /// (kiln-insert-profile; kiln-run --profile reads the tables).
  bool profile = false;
};

/// PhaseOptions as pass-pipeline options, for kiln-opt's kiln-phase-*
/// pipelines: `kiln-phase-llvm{parallel-loops=true index-bitwidth=32}`.
struct PhasePipelineOptions : mlir::PassPipelineOptions<PhasePipelineOptions> {
  Option<unsigned> indexBitwidth{*this, "index-bitwidth",
                                 llvm::cl::desc("Bit width of index in generated code"),
                                 llvm::cl::init(64)};
  Option<int64_t> workspaceAlignment{*this, "workspace-alignment",
                                     llvm::cl::desc("Byte alignment of workspace buffers"),
                                     llvm::cl::init(64)};
  Option<std::string> microkernels{*this, "microkernels",
                                   llvm::cl::desc("CPU microkernel variant; empty for none"),
                                   llvm::cl::init("")};
  Option<bool> approximateMath{*this, "approximate-math",
                               llvm::cl::desc("Polynomial approximations of exp, tanh, ..."),
                               llvm::cl::init(false)};
  Option<bool> parallelLoops{*this, "parallel-loops",
                             llvm::cl::desc("Run parallel loops on the runtime's threads"),
                             llvm::cl::init(false)};
  Option<bool> inPlace{*this, "in-place",
                       llvm::cl::desc("Write results over the buffers they replace"),
                       llvm::cl::init(false)};
  Option<bool> armDsp{*this, "arm-dsp",
                      llvm::cl::desc("int8 pointwise convolutions use SXTB16 and SMLAD"),
                      llvm::cl::init(false)};
  Option<bool> rowBands{*this, "row-bands",
                        llvm::cl::desc("Band chains of int8 convolutions by rows"),
                        llvm::cl::init(false)};
  Option<bool> profile{*this, "profile", llvm::cl::desc("Time every op by its model node"),
                       llvm::cl::init(false)};

  PhaseOptions getPhaseOptions() const;
};

/// Adds the passes that take IR from the phase before `phase` to `phase`
/// (none for Import), ending with the check of `phase`'s IR contract.
void buildPhasePipeline(mlir::OpPassManager &pm, Phase phase, const PhaseOptions &options,
                        const TargetBackend &target);

/// Adds every phase after `from` up to and including `to`.
void buildPipeline(mlir::OpPassManager &pm, Phase from, Phase to, const PhaseOptions &options,
                   const TargetBackend &target);

/// The textual form of buildPipeline's passes, anchored on builtin.module:
/// what `kilnc --print-pipeline` prints and `kiln-opt --pass-pipeline` runs.
std::string getPipelineText(mlir::MLIRContext &ctx, Phase from, Phase to,
                            const PhaseOptions &options, const TargetBackend &target);

/// Runs the phases after `from` up to and including `to` on `module`, one
/// pass manager per phase; with `printAfterAll`, prints the IR after every
/// pass to stderr.
mlir::LogicalResult runPhases(mlir::ModuleOp module, Phase from, Phase to,
                              const PhaseOptions &options, const TargetBackend &target,
                              bool printAfterAll = false);

/// The target-neutral end of an llvm phase: loops, affine, math, memref,
/// arith, control flow, func and index to the LLVM dialect, with the
/// bare-pointer calling convention. Backends call it from buildLLVMPasses.
void buildLowerLoopsToLLVMPasses(mlir::OpPassManager &pm, const PhaseOptions &options);

} // namespace kiln

#endif // KILN_PIPELINES_PIPELINES_H
