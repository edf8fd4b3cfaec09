//===- CodeGen.cpp - LLVM code generation for CPU targets -------*- C++ -*-===//
//
// TargetMachine creation from the user's triple, CPU and features, LLVM's
// optimization pipeline, and object or assembly emission.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Transforms/Instrumentation/AddressSanitizer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

namespace kiln {

using namespace llvm;

Expected<std::unique_ptr<TargetMachine>>
createCPUTargetMachine(const CPUTargetOptions &options) {
  static bool initialized = [] {
    InitializeAllTargetInfos();
    InitializeAllTargets();
    InitializeAllTargetMCs();
    InitializeAllAsmPrinters();
    InitializeAllAsmParsers();
    return true;
  }();
  (void)initialized;
  bool native = options.triple.empty();
  Triple triple(native ? sys::getDefaultTargetTriple() : options.triple);
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError("unknown target '%s': %s", triple.str().c_str(),
                             error.c_str());
  std::string cpu = options.cpu;
  std::string features = options.features;
  if (cpu.empty() || cpu == "native" || cpu == "host")
    cpu = native || cpu == "native" || cpu == "host" ? sys::getHostCPUName().str()
                                                     : "generic";
  if (features.empty() && native) {
    // Sorted, so the string (recorded in manifests) does not follow hash order.
    std::vector<std::pair<std::string, bool>> sorted;
    for (const auto &[name, enabled] : sys::getHostCPUFeatures())
      sorted.push_back({name.str(), enabled});
    llvm::sort(sorted);
    SubtargetFeatures host;
    for (const auto &[name, enabled] : sorted)
      host.AddFeature(name, enabled);
    features = host.getString();
  }
  TargetOptions targetOptions;
  CodeGenOptLevel level = options.optLevel == 0   ? CodeGenOptLevel::None
                          : options.optLevel == 1 ? CodeGenOptLevel::Less
                          : options.optLevel == 2 ? CodeGenOptLevel::Default
                                                  : CodeGenOptLevel::Aggressive;
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, Reloc::PIC_, std::nullopt, level));
  if (!machine)
    return createStringError("cannot create a target machine for '%s'",
                             triple.str().c_str());
  return machine;
}

void optimizeModule(Module &module, TargetMachine &machine, unsigned optLevel,
                    bool sanitizeAddress) {
  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb(&machine);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  OptimizationLevel level = optLevel == 0   ? OptimizationLevel::O0
                            : optLevel == 1 ? OptimizationLevel::O1
                            : optLevel == 2 ? OptimizationLevel::O2
                                            : OptimizationLevel::O3;
  ModulePassManager mpm = level == OptimizationLevel::O0
                              ? pb.buildO0DefaultPipeline(level)
                              : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
  if (sanitizeAddress) {
    // As clang does: instrument after optimization, so that ASan checks
    // the accesses the optimized code really makes. Every function (the
    // model, its entry points) is instrumented; the weights get redzones.
    for (Function &f : module)
      if (!f.isDeclaration())
        f.addFnAttr(Attribute::SanitizeAddress);
    ModulePassManager asan;
    asan.addPass(AddressSanitizerPass(AddressSanitizerOptions{}));
    asan.run(module, mam);
  }
}

Error emitMachineCode(Module &module, TargetMachine &machine, bool assembly,
                      raw_pwrite_stream &os) {
  legacy::PassManager pm;
  if (machine.addPassesToEmitFile(pm, os, nullptr,
                                  assembly ? CodeGenFileType::AssemblyFile
                                           : CodeGenFileType::ObjectFile))
    return createStringError("the target cannot emit this file type");
  pm.run(module);
  return Error::success();
}

} // namespace kiln
