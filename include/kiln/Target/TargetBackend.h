//===- TargetBackend.h - The one interface for code generation targets -*- C++ -*-===//
//
// Everything that differs by target sits behind kiln::TargetBackend. The
// driver (lib/Driver) and the phases (lib/Pipelines) ask it for:
//
//   - the phase options: index width, microkernels, parallel loops,
//     approximate math (getPhaseOptions);
//   - the target's passes: those on kiln IR before the linalg conversion
//     (buildPreLinalgPasses) and the whole llvm phase, from bufferized IR
//     to the LLVM dialect (buildLLVMPasses);
//   - module finishing: triple and data layout, entry points, the weights'
//     section and alignment, symbol names, linked kernel code
//     (finishModule);
//   - optimization and emission: object, shared object, assembly
//     (optimizeModule, emit).
//
// Shared code never asks which target it is compiling for. A new target
// implements this class and adds itself to createTargetBackend()
// (lib/Target/TargetRegistry.cpp); docs/architecture.md ("Adding a target")
// walks through the CPU backend as the example.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_TARGETBACKEND_H
#define KILN_TARGET_TARGETBACKEND_H

#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Target/ModelSignature.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <memory>
#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace kiln {

/// What the user asked of the target: kilnc's target flags.
struct TargetOptions {
  /// The device: "cpu" or "cuda".
  std::string device = "cpu";
  /// `--gpu-arch` (CUDA): comma-separated sm_NN, oldest to newest or not.
  std::string gpuArchs = "sm_80,sm_90";
  /// `--cuda-path` (CUDA): the toolkit's root; empty: look for it.
  std::string cudaPath;
  /// `--target`, `--cpu`, `--features`; empty: the host's.
  std::string triple, cpu, features;
  /// `-O0` ... `-O3`.
  unsigned optLevel = 2;
  /// `--microkernels`: "auto", "none" or a variant name.
  std::string microkernels = "auto";
  /// `--sanitize=address`: instrument the generated code for ASan.
  bool sanitizeAddress = false;
  /// `--weights-section` (CPU, ELF): the weights' section; empty: the
  /// backend's default.
  std::string weightsSection;
  /// `--in-place`: "auto" (on for bare-metal targets), "on" or "off":
  /// whether ops write their results over inputs nothing reads afterwards.
  std::string inPlace = "auto";
  /// `--row-bands`: "auto" (on for bare-metal targets), "on" or "off":
  /// whether chains of int8 convolutions are computed band by band.
  std::string rowBands = "auto";
  /// `--profile` (hosted CPU): time every op by its model node.
  bool profile = false;
};

/// The machine code a backend emits.
/// DeviceAssembly is the accelerator's own assembly (PTX for CUDA).
enum class MachineCodeKind { Object, Assembly, SharedObject, DeviceAssembly };

/// What manifests, fingerprints and diagnostics record about a target.
struct TargetDescription {
  std::string triple, cpu, features;
};

/// Reports a warning from a backend (kilnc prints "kilnc: warning: ...").
using WarningHandler = std::function<void(const llvm::Twine &)>;

class TargetBackend {
public:
  virtual ~TargetBackend() = default;

  /// The device name ("cpu").
  virtual llvm::StringRef getName() const = 0;
  /// The resolved triple, CPU and features.
  virtual TargetDescription describe() const = 0;

  /// The phase options for this target and the user's flags. Fails with a
  /// message for a flag the target cannot honour.
  virtual llvm::Expected<PhaseOptions> getPhaseOptions() const = 0;

  /// Passes on canonical kiln IR that run first in the linalg phase, before
  /// convert-kiln-to-linalg (the CPU backend selects microkernels here).
  virtual void buildPreLinalgPasses(mlir::OpPassManager &pm, const PhaseOptions &options) const {}
  /// The llvm phase: from bufferized IR with one workspace argument to the
  /// LLVM dialect with the bare-pointer calling convention.
  virtual void buildLLVMPasses(mlir::OpPassManager &pm, const PhaseOptions &options) const = 0;

  /// Finishes the translated module: the target's triple and data layout,
  /// the model function renamed to `<name>_invoke`, the entry points and
  /// descriptor for `signature`, the weights' section and alignment, and
  /// any code the model calls that the target links in.
  virtual llvm::Error finishModule(llvm::Module &module, const ModelSignature &signature) const = 0;
  /// Runs the target's optimization pipeline at the user's level.
  virtual void optimizeModule(llvm::Module &module) const = 0;
  /// Writes NAME.h for `signature`: the shared types and this target's entry
  /// points (the CPU's by default).
  virtual void emitHeader(const ModelSignature &signature, llvm::raw_ostream &os) const;

  /// Emits `module` as `kind` into `out`.
  virtual llvm::Error emit(llvm::Module &module, MachineCodeKind kind,
                           llvm::SmallVectorImpl<char> &out) const = 0;
};

/// The backend for `options.device` and `options.triple`: the hosted CPU
/// backend for triples with an operating system, the bare-metal CPU backend
/// for those without one.
/// The CUDA backend for `options.device == "cuda"`. Warnings (a missing
/// ptxas) go to `warn`.
llvm::Expected<std::unique_ptr<TargetBackend>> createTargetBackend(const TargetOptions &options,
                                                                   WarningHandler warn = nullptr);

} // namespace kiln

#endif // KILN_TARGET_TARGETBACKEND_H
