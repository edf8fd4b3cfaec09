//===- Pipelines.cpp - Kiln's named compilation phases ----------*- C++ -*-===//
//
// Each phase is a textual pass pipeline of Kiln and upstream passes, so
// that kiln-opt can replay exactly what kilnc runs.
//
//===----------------------------------------------------------------------===//

#include "kiln/Pipelines/Pipelines.h"

#include "kiln/Conversion/Passes.h"
#include "kiln/IR/KilnDialect.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/FormatVariadic.h"

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

std::string getPhasePipeline(Phase phase, const PhaseOptions &options) {
  switch (phase) {
  case Phase::Import:
    return "";
  case Phase::Kiln:
    return "builtin.module(func.func(canonicalize,cse))";
  case Phase::Linalg:
    return std::string("builtin.module(") +
           (options.microkernels.empty()
                ? ""
                : "func.func(kiln-select-microkernels{variant=" + options.microkernels + "}),") +
           "convert-kiln-to-linalg,"
           "func.func(canonicalize,kiln-fuse-elementwise,canonicalize,cse))";
  case Phase::Bufferized:
    return llvm::formatv(
        "builtin.module(eliminate-empty-tensors,one-shot-bufferize{{bufferize-function-boundaries "
        "function-boundary-type-conversion=identity-layout-map},"
        "buffer-results-to-out-params{{hoist-static-allocs modify-public-functions},"
        "func.func(cse,canonicalize,kiln-plan-memory{{alignment={0}}),canonicalize)",
        options.workspaceAlignment);
  case Phase::LLVM:
    return llvm::formatv(
        "builtin.module(kiln-lower-microkernels,func.func(kiln-flatten-empty-arguments,"
        "kiln-lower-strided-copies,{3}),{4}func.func(lower-affine,"
        "convert-scf-to-cf,arith-expand{2}),convert-math-to-funcs,"
        "expand-strided-metadata,lower-affine,convert-math-to-llvm,convert-math-to-libm,"
        "finalize-memref-to-llvm{{index-bitwidth={0}},"
        "convert-arith-to-llvm{{index-bitwidth={0}},"
        "convert-cf-to-llvm{{index-bitwidth={0}},"
        "convert-func-to-llvm{{use-bare-ptr-memref-call-conv index-bitwidth={0}},"
        "convert-index-to-llvm{{index-bitwidth={0}},"
        "reconcile-unrealized-casts,{5}canonicalize)",
        options.indexBitwidth, "",
        options.approximateMath ? ",kiln-approximate-math" : "",
        options.parallelLoops ? "convert-linalg-to-parallel-loops" : "convert-linalg-to-loops",
        options.parallelLoops ? "kiln-outline-parallel-loops," : "",
        options.parallelLoops ? "kiln-lower-parallel-calls," : "");
  }
  llvm_unreachable("unknown phase");
}

LogicalResult runPhases(ModuleOp module, Phase from, Phase to,
                        const PhaseOptions &options) {
  for (int p = (int)from + 1; p <= (int)to; ++p) {
    PassManager pm(module.getContext());
    if (options.printAfterAll) {
      module.getContext()->disableMultithreading();
      pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                          [](Pass *, Operation *) { return true; });
    }
    // The phase pipelines are anchored on builtin.module, like `pm`.
    std::string pipeline = getPhasePipeline((Phase)p, options);
    StringRef inner = StringRef(pipeline).drop_front(strlen("builtin.module(")).drop_back();
    if (failed(parsePassPipeline(inner, pm, llvm::errs())))
      return module.emitError() << "internal error: bad pipeline for phase "
                                << getPhaseName((Phase)p);
    if (failed(pm.run(module)))
      return failure();
  }
  return success();
}

void registerKilnDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<KilnDialect>();
}

void registerKilnPasses() {
  registerAllPasses();
  registerKilnConversionPasses();
  registerKilnTransformsPasses();
  PhaseOptions defaults;
  for (Phase phase : {Phase::Kiln, Phase::Linalg, Phase::Bufferized, Phase::LLVM}) {
    std::string name = ("kiln-phase-" + getPhaseName(phase)).str();
    std::string pipeline = getPhasePipeline(phase, defaults);
    PassPipelineRegistration<>(
        name, ("Kiln's " + getPhaseName(phase) + " phase: " + pipeline).str(),
        [pipeline](OpPassManager &pm) {
          // The phase pipelines are anchored on builtin.module.
          StringRef inner = StringRef(pipeline).drop_front(strlen("builtin.module(")).drop_back();
          if (failed(parsePassPipeline(inner, pm)))
            llvm::report_fatal_error("bad Kiln phase pipeline");
        });
  }
}

} // namespace kiln
