//===- InitAll.cpp - Register every Kiln dialect, pass and pipeline -------===//
//
// kiln-opt and kilnc call these once at start-up.
//
//===----------------------------------------------------------------------===//

#include "kiln/InitAll.h"

#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnDialect.h"
#include "kiln/Pipelines/Pipelines.h"
#include "kiln/Target/CPU/IR/KilnCPUDialect.h"
#include "kiln/Target/CPU/Transforms/Passes.h"
#include "kiln/Target/CUDA/Transforms/Passes.h"
#include "kiln/Target/TargetBackend.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

using namespace mlir;

namespace kiln {

void registerKilnDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  // gpu-module-to-binary translates kernels to LLVM IR in the context.
  registerAllToLLVMIRTranslations(registry);
  registry.insert<KilnDialect, cpu::KilnCPUDialect>();
}

namespace {

/// The backend whose passes kiln-opt's phase pipelines add: the host CPU's.
/// Its passes depend on the pipeline options only, not on the machine.
const TargetBackend &getPipelineBackend() {
  static std::unique_ptr<TargetBackend> backend = [] {
    auto created = createTargetBackend(TargetOptions{});
    if (!created)
      llvm::report_fatal_error(created.takeError());
    return std::move(*created);
  }();
  return *backend;
}

} // namespace

void registerKilnPasses() {
  registerAllPasses();
  registerKilnConversionPasses();
  registerKilnTransformsPasses();
  registerKilnCPUTransformsPasses();
  registerKilnCUDATransformsPasses();
  for (Phase phase : {Phase::Kiln, Phase::Linalg, Phase::Bufferized, Phase::LLVM}) {
    std::string name = ("kiln-phase-" + getPhaseName(phase)).str();
    std::string description =
        ("Kiln's " + getPhaseName(phase) + " phase, as kilnc runs it for the host CPU").str();
    PassPipelineRegistration<PhasePipelineOptions>(
        name, description, [phase](OpPassManager &pm, const PhasePipelineOptions &options) {
          buildPhasePipeline(pm, phase, options.getPhaseOptions(), getPipelineBackend());
        });
  }
}

} // namespace kiln
