//===- CPUBackend.cpp - The CPU target backends -----------------*- C++ -*-===//
//
// The hosted CPU backend (targets with an operating system: threads, the
// runtime's parallel-for, microkernels) and the bare-metal one, which
// differs only in its policy: no threads, so loops stay inline. Both emit
// through an LLVM TargetMachine.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/CPUBackend.h"

#include "kiln/Target/Artifact.h"
#include "kiln/Target/CPU/CodeGen.h"
#include "kiln/Target/CPU/Microkernels.h"
#include "kiln/Target/CPU/Transforms/Passes.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"

using namespace mlir;

namespace kiln {
namespace {

/// Weights: read-only, 64-byte aligned, and on ELF in a section a linker
/// script can place (`--weights-section` names another).
constexpr llvm::StringLiteral kWeightsSection = ".rodata.kiln.weights";
constexpr uint64_t kWeightsAlignment = 64;
/// The bare-metal workspace alignment: enough for any scalar or SIMD
/// access of an M-profile or RV32 core.
constexpr int64_t kBareMetalWorkspaceAlignment = 16;

class CPUBackend : public TargetBackend {
public:
  CPUBackend(TargetOptions options, std::unique_ptr<llvm::TargetMachine> machine)
      : options(std::move(options)), machine(std::move(machine)) {}

  llvm::StringRef getName() const override { return "cpu"; }

  TargetDescription describe() const override {
    return {machine->getTargetTriple().str(), machine->getTargetCPU().str(),
            machine->getTargetFeatureString().str()};
  }

  llvm::Expected<PhaseOptions> getPhaseOptions() const override {
    PhaseOptions phase;
    phase.indexBitwidth = machine->createDataLayout().getPointerSizeInBits();
    phase.approximateMath = options.optLevel > 0;
    phase.parallelLoops = options.optLevel > 0 && hasThreads();
    phase.inPlace = options.inPlace == "on";
    phase.rowBands = options.rowBands == "on";
    phase.profile = options.profile;
    const llvm::Triple &triple = machine->getTargetTriple();
    phase.armDsp = options.optLevel > 0 && (triple.isARM() || triple.isThumb()) &&
                   machine->getMCSubtargetInfo()->checkFeatures("+dsp");
    if (options.microkernels == "auto") {
      phase.microkernels = options.optLevel == 0 ? "" : selectMicrokernelVariant(*machine);
    } else if (options.microkernels != "none") {
      if (!lookupMicrokernelVariant(options.microkernels) ||
          !microkernelVariantFits(*machine, options.microkernels))
        return llvm::createStringError(
            "--microkernels=" + options.microkernels + " does not run on " +
            machine->getTargetTriple().str() +
            "; use auto, none, or one of avx512, avx2, sse (x86-64), neon (AArch64)");
      phase.microkernels = options.microkernels;
    }
    return phase;
  }

  void buildPreLinalgPasses(OpPassManager &pm, const PhaseOptions &phase) const override {
    if (!phase.microkernels.empty())
      pm.nest<func::FuncOp>().addPass(
          createSelectMicrokernelsPass(SelectMicrokernelsPassOptions{phase.microkernels}));
  }

  void buildLLVMPasses(OpPassManager &pm, const PhaseOptions &phase) const override {
    if (phase.profile)
      pm.addPass(createInsertProfilePass());
    pm.addPass(createLowerMicrokernelsPass());
    OpPassManager &func = pm.nest<func::FuncOp>();
    func.addPass(createFlattenEmptyArgumentsPass());
    func.addPass(createLowerStridedCopiesPass());
    func.addPass(phase.parallelLoops ? createConvertLinalgToParallelLoopsPass()
                                     : createConvertLinalgToLoopsPass());
    if (phase.parallelLoops)
      pm.addPass(createOutlineParallelLoopsPass());
    buildLowerLoopsToLLVMPasses(pm, phase);
    if (phase.parallelLoops)
      pm.addPass(createLowerParallelCallsPass());
    pm.addPass(createCanonicalizerPass());
  }

  llvm::Error finishModule(llvm::Module &module, const ModelSignature &signature) const override {
    module.setTargetTriple(machine->getTargetTriple());
    module.setDataLayout(machine->createDataLayout());
    std::string implName = signature.name + "_invoke";
    if (llvm::Function *f = module.getFunction("main"))
      f->setName(implName);
    if (auto err = emitEntryPoints(signature, implName, module))
      return err;
    exportProfile(module, signature.name);
    bool isELF = machine->getTargetTriple().isOSBinFormatELF();
    llvm::StringRef section = options.weightsSection.empty()
                                  ? llvm::StringRef(kWeightsSection)
                                  : llvm::StringRef(options.weightsSection);
    placeWeights(module, isELF ? section : "", kWeightsAlignment);
    return linkMicrokernels(module, *machine);
  }

  void optimizeModule(llvm::Module &module) const override {
    kiln::optimizeModule(module, *machine, options.optLevel, options.sanitizeAddress);
  }

  llvm::Error emit(llvm::Module &module, MachineCodeKind kind,
                   llvm::SmallVectorImpl<char> &out) const override {
    if (kind == MachineCodeKind::DeviceAssembly)
      return llvm::createStringError("--emit=ptx needs --device=cuda");
    llvm::SmallString<0> code;
    llvm::raw_svector_ostream os(code);
    if (auto err = emitMachineCode(module, *machine, kind == MachineCodeKind::Assembly, os))
      return err;
    if (kind != MachineCodeKind::SharedObject) {
      out.assign(code.begin(), code.end());
      return llvm::Error::success();
    }
    std::string shared;
    if (auto err = linkSharedObject(code.str(), shared))
      return err;
    out.assign(shared.begin(), shared.end());
    return llvm::Error::success();
  }

protected:
  /// Whether generated code may call the runtime's threads.
  virtual bool hasThreads() const { return true; }

  TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> machine;
};

/// Bare metal (a triple without an operating system, such as
/// thumbv7em-none-eabihf): no threads, so parallel loops stay inline and
/// the model never calls kiln_parallel_for. RAM is what such targets run
/// out of: ops work in place unless --in-place=off, and the workspace's
/// buffers are aligned to 16 bytes, not a cache line.
class BareMetalCPUBackend : public CPUBackend {
public:
  using CPUBackend::CPUBackend;

  llvm::Expected<PhaseOptions> getPhaseOptions() const override {
    auto phase = CPUBackend::getPhaseOptions();
    if (!phase)
      return phase.takeError();
    if (options.profile)
      return llvm::createStringError("--profile needs a hosted target: its timers read the "
                                     "operating system's monotonic clock");
    phase->workspaceAlignment = kBareMetalWorkspaceAlignment;
    phase->inPlace = options.inPlace != "off";
    phase->rowBands = options.rowBands != "off";
    return phase;
  }

protected:
  bool hasThreads() const override { return false; }
};

} // namespace

llvm::Expected<std::unique_ptr<TargetBackend>> createCPUBackend(const TargetOptions &options) {
  auto machine = createCPUTargetMachine(
      CPUTargetOptions{options.triple, options.cpu, options.features, options.optLevel});
  if (!machine)
    return machine.takeError();
  if (!options.weightsSection.empty() && !(*machine)->getTargetTriple().isOSBinFormatELF())
    return llvm::createStringError("--weights-section needs an ELF target; " +
                                   (*machine)->getTargetTriple().str() + " is not one");
  if ((*machine)->getTargetTriple().isOSUnknown())
    return std::make_unique<BareMetalCPUBackend>(options, std::move(*machine));
  return std::make_unique<CPUBackend>(options, std::move(*machine));
}

} // namespace kiln
