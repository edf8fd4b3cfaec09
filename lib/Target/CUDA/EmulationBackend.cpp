//===- EmulationBackend.cpp - The CUDA kernel mapping on the CPU -*- C++ -*-===//
//
// `kilnc --device=cuda-emulation`: a CPU artifact whose loops are the
// CUDA backend's kernels, run one thread after another. It maps every
// loop nest to a launch exactly as --device=cuda does
// (kiln-cuda-map-to-launches), then runs each launch as loops over its
// blocks and threads (kiln-cuda-launches-to-loops) and lowers the rest like
// the CPU backend, without microkernels or threads. The object, header and
// descriptor are the CPU's, so the ordinary harnesses check the mapping's
// index arithmetic on every model against the reference outputs, on a
// machine without a GPU. It checks nothing of NVVM, PTX or the driver.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CUDA/CUDABackend.h"

#include "kiln/Target/CPU/CPUBackend.h"
#include "kiln/Target/CUDA/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace kiln {
namespace {

class CUDAEmulationBackend : public TargetBackend {
public:
  explicit CUDAEmulationBackend(std::unique_ptr<TargetBackend> cpu) : cpu(std::move(cpu)) {}

  llvm::StringRef getName() const override { return "cuda-emulation"; }
  TargetDescription describe() const override { return cpu->describe(); }

  llvm::Expected<PhaseOptions> getPhaseOptions() const override {
    auto phase = cpu->getPhaseOptions();
    if (!phase)
      return phase.takeError();
    // The CUDA backend's choices: no microkernels, no host threads, the
    // libm functions rather than approximations (libdevice is exact too).
    phase->microkernels.clear();
    phase->parallelLoops = false;
    phase->approximateMath = false;
    if (phase->profile)
      return llvm::createStringError("--profile times CPU code; it does not apply to "
                                     "--device=cuda");
    return phase;
  }

  void buildLLVMPasses(OpPassManager &pm, const PhaseOptions &phase) const override {
    // The launches --device=cuda makes, run as host loops.
    OpPassManager &func = pm.nest<func::FuncOp>();
    buildCUDALaunchMappingPasses(func);
    func.addPass(createLaunchesToLoopsPass());
    buildLowerLoopsToLLVMPasses(pm, phase);
    pm.addPass(createCanonicalizerPass());
  }

  llvm::Error finishModule(llvm::Module &module, const ModelSignature &signature) const override {
    return cpu->finishModule(module, signature);
  }
  void optimizeModule(llvm::Module &module) const override { cpu->optimizeModule(module); }
  llvm::Error emit(llvm::Module &module, MachineCodeKind kind,
                   llvm::SmallVectorImpl<char> &out) const override {
    return cpu->emit(module, kind, out);
  }

private:
  std::unique_ptr<TargetBackend> cpu;
};

} // namespace

llvm::Expected<std::unique_ptr<TargetBackend>>
createCUDAEmulationBackend(const TargetOptions &options) {
  if (options.microkernels != "auto" && options.microkernels != "none")
    return llvm::createStringError(
        "--microkernels applies to --device=cpu; --device=cuda-emulation "
        "runs the CUDA backend's kernels");
  TargetOptions cpuOptions = options;
  cpuOptions.device = "cpu";
  cpuOptions.microkernels = "none";
  auto cpu = createCPUBackend(cpuOptions);
  if (!cpu)
    return cpu.takeError();
  return std::make_unique<CUDAEmulationBackend>(std::move(*cpu));
}

} // namespace kiln
