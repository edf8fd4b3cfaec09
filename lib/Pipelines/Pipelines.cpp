//===- Pipelines.cpp - Kiln's named compilation phases ----------*- C++ -*-===//
//
// Builds each phase on an OpPassManager from Kiln's and upstream's pass
// constructors. The target's passes come from its TargetBackend; every
// phase ends with kiln-verify-phase-contract, which checks the IR
// contract of docs/architecture.md at the boundary.
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"

#include "kiln/Conversion/Passes.h"
#include "kiln/Target/TargetBackend.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace kiln {

std::optional<Phase> parsePhase(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("import", Phase::Import)
      .Case("kiln", Phase::Kiln)
      .Case("linalg", Phase::Linalg)
      .Case("bufferized", Phase::Bufferized)
      .Case("llvm", Phase::LLVM)
      .Default(std::nullopt);
}

llvm::StringRef getPhaseName(Phase phase) {
  switch (phase) {
  case Phase::Import:
    return "import";
  case Phase::Kiln:
    return "kiln";
  case Phase::Linalg:
    return "linalg";
  case Phase::Bufferized:
    return "bufferized";
  case Phase::LLVM:
    return "llvm";
  }
  llvm_unreachable("unknown phase");
}

PhaseOptions PhasePipelineOptions::getPhaseOptions() const {
  PhaseOptions options;
  options.indexBitwidth = indexBitwidth;
  options.workspaceAlignment = workspaceAlignment;
  options.microkernels = microkernels;
  options.approximateMath = approximateMath;
  options.parallelLoops = parallelLoops;
  options.inPlace = inPlace;
  options.armDsp = armDsp;
  options.rowBands = rowBands;
  options.profile = profile;
  return options;
}

namespace {

void buildKilnPhase(OpPassManager &pm, const PhaseOptions &options) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
  func.addPass(createFuseQuantizedOpsPass());
  func.addPass(createCanonicalizerPass());
  if (options.rowBands) {
    FuseRowBandsPassOptions bands;
    bands.inPlaceKernels = options.inPlace;
    func.addPass(createFuseRowBandsPass(bands));
  }
}

void buildLinalgPhase(OpPassManager &pm, const PhaseOptions &options, const TargetBackend &target) {
  target.buildPreLinalgPasses(pm, options);
  pm.addPass(createConvertKilnToLinalgPass(
      ConvertKilnToLinalgPassOptions{options.inPlace, options.inPlace, options.armDsp}));
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createCanonicalizerPass());
  func.addPass(createFuseElementwisePass());
  func.addPass(createCanonicalizerPass());
  func.addPass(createCSEPass());
  // After the last CSE: every op gets a destination of its own.
  func.addPass(createCloneSharedInitsPass());
  if (options.inPlace)
    func.addPass(createElementwiseInPlacePass());
}

void buildBufferizedPhase(OpPassManager &pm, const PhaseOptions &options) {
  if (options.inPlace)
    pm.nest<func::FuncOp>().addPass(createDecomposePadsPass());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion = bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferResultsToOutParamsPassOptions outParams;
  outParams.hoistStaticAllocs = true;
  outParams.modifyPublicFunctions = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createCSEPass());
  func.addPass(createCanonicalizerPass());
  func.addPass(createPlanMemoryPass(PlanMemoryPassOptions{options.workspaceAlignment}));
  func.addPass(createCanonicalizerPass());
}

} // namespace

void buildLowerLoopsToLLVMPasses(OpPassManager &pm, const PhaseOptions &options) {
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createLowerAffinePass());
  func.addPass(createSCFToControlFlowPass());
  func.addPass(arith::createArithExpandOpsPass());
  func.addPass(createExpandFloat8Pass());
  if (options.approximateMath)
    func.addPass(createApproximateMathPass());
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  unsigned bits = options.indexBitwidth;
  FinalizeMemRefToLLVMConversionPassOptions memrefOptions;
  memrefOptions.indexBitwidth = bits;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefOptions));
  ArithToLLVMConversionPassOptions arithOptions;
  arithOptions.indexBitwidth = bits;
  pm.addPass(createArithToLLVMConversionPass(arithOptions));
  ConvertControlFlowToLLVMPassOptions cfOptions;
  cfOptions.indexBitwidth = bits;
  pm.addPass(createConvertControlFlowToLLVMPass(cfOptions));
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = true;
  funcOptions.indexBitwidth = bits;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  ConvertIndexToLLVMPassOptions indexOptions;
  indexOptions.indexBitwidth = bits;
  pm.addPass(createConvertIndexToLLVMPass(indexOptions));
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void buildPhasePipeline(OpPassManager &pm, Phase phase, const PhaseOptions &options,
                        const TargetBackend &target) {
  switch (phase) {
  case Phase::Import:
    break;
  case Phase::Kiln:
    buildKilnPhase(pm, options);
    break;
  case Phase::Linalg:
    buildLinalgPhase(pm, options, target);
    break;
  case Phase::Bufferized:
    buildBufferizedPhase(pm, options);
    break;
  case Phase::LLVM:
    target.buildLLVMPasses(pm, options);
    break;
  }
  pm.addPass(
      createVerifyPhaseContractPass(VerifyPhaseContractPassOptions{getPhaseName(phase).str()}));
}

void buildPipeline(OpPassManager &pm, Phase from, Phase to, const PhaseOptions &options,
                   const TargetBackend &target) {
  for (int p = (int)from + 1; p <= (int)to; ++p)
    buildPhasePipeline(pm, (Phase)p, options, target);
}

std::string getPipelineText(MLIRContext &ctx, Phase from, Phase to, const PhaseOptions &options,
                            const TargetBackend &target) {
  PassManager pm(&ctx, ModuleOp::getOperationName());
  buildPipeline(pm, from, to, options, target);
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  return text;
}

LogicalResult runPhases(ModuleOp module, Phase from, Phase to, const PhaseOptions &options,
                        const TargetBackend &target, bool printAfterAll) {
  for (int p = (int)from + 1; p <= (int)to; ++p) {
    PassManager pm(module.getContext());
    if (printAfterAll) {
      module.getContext()->disableMultithreading();
      pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                          [](Pass *, Operation *) { return true; });
    }
    buildPhasePipeline(pm, (Phase)p, options, target);
    if (failed(pm.run(module)))
      return failure();
  }
  return success();
}

} // namespace kiln
