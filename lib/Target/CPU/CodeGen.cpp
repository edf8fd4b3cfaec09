//===- CodeGen.cpp - LLVM code generation for CPU targets -------*- C++ -*-===//
//
// TargetMachine creation from the user's triple, CPU and features, LLVM's
// optimization pipeline, and object, assembly or shared-object emission.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/CodeGen.h"

#include "kiln/Config.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/Transforms/Instrumentation/AddressSanitizer.h"

namespace kiln {

using namespace llvm;

Expected<std::unique_ptr<TargetMachine>> createCPUTargetMachine(const CPUTargetOptions &options) {
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
  // Normalized, as Clang does: "thumbv7em-none-eabihf" names its environment
  // (the hard-float EABI) only once it is thumbv7em-none-unknown-eabihf.
  Triple triple(Triple::normalize(native ? sys::getDefaultTargetTriple() : options.triple));
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError("unknown target '%s': %s", triple.str().c_str(), error.c_str());
  std::string cpu = options.cpu;
  std::string features = options.features;
  if (cpu.empty() || cpu == "native" || cpu == "host")
    cpu = native || cpu == "native" || cpu == "host" ? sys::getHostCPUName().str() : "generic";
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
  // The float ABI the triple names (the hard-float EABI variants), so that
  // the object links with code built for it.
  switch (triple.getEnvironment()) {
  case Triple::EABIHF:
  case Triple::GNUEABIHF:
  case Triple::GNUEABIHFT64:
  case Triple::MuslEABIHF:
    targetOptions.FloatABIType = FloatABI::Hard;
    break;
  default:
    break;
  }
  // RISC-V: the ABI follows the floating-point extensions, as GCC's
  // default does (ilp32f with F, lp64d with D).
  if (triple.isRISCV()) {
    SubtargetFeatures parsed(features);
    auto has = [&](llvm::StringRef f) {
      return llvm::is_contained(parsed.getFeatures(), "+" + f.str());
    };
    bool rv64 = triple.isRISCV64();
    targetOptions.MCOptions.ABIName = has("d")   ? (rv64 ? "lp64d" : "ilp32d")
                                      : has("f") ? (rv64 ? "lp64f" : "ilp32f")
                                                 : (rv64 ? "lp64" : "ilp32");
  }
  // Bare metal links statically, without a GOT.
  Reloc::Model relocation = triple.isOSUnknown() ? Reloc::Static : Reloc::PIC_;
  CodeGenOptLevel level = options.optLevel == 0   ? CodeGenOptLevel::None
                          : options.optLevel == 1 ? CodeGenOptLevel::Less
                          : options.optLevel == 2 ? CodeGenOptLevel::Default
                                                  : CodeGenOptLevel::Aggressive;
  std::unique_ptr<TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, targetOptions, relocation, std::nullopt, level));
  if (!machine)
    return createStringError("cannot create a target machine for '%s'", triple.str().c_str());
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
  ModulePassManager mpm = level == OptimizationLevel::O0 ? pb.buildO0DefaultPipeline(level)
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
  if (machine.addPassesToEmitFile(
          pm, os, nullptr, assembly ? CodeGenFileType::AssemblyFile : CodeGenFileType::ObjectFile))
    return createStringError("the target cannot emit this file type");
  pm.run(module);
  return Error::success();
}

Error linkSharedObject(StringRef object, std::string &result) {
  std::string lld = KILN_LLVM_TOOLS_DIR "/ld.lld";
  if (!sys::fs::can_execute(lld)) {
    auto found = sys::findProgramByName("ld.lld");
    if (!found)
      return createStringError("--emit=shared needs ld.lld, which was not found");
    lld = *found;
  }
  SmallString<128> objPath, soPath;
  int fd;
  if (sys::fs::createTemporaryFile("kiln", "o", fd, objPath) ||
      sys::fs::createTemporaryFile("kiln", "so", soPath))
    return createStringError("cannot create temporary files");
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << object;
  }
  std::string message;
  StringRef args[] = {lld, "-shared", "--build-id=none", "-o", soPath, objPath};
  int rc = sys::ExecuteAndWait(lld, args, std::nullopt, {}, 0, 0, &message);
  std::string failure;
  if (rc != 0)
    failure = "linking the shared object failed" + (message.empty() ? "" : ": " + message);
  else if (auto buffer = MemoryBuffer::getFile(soPath))
    result = (*buffer)->getBuffer().str();
  else
    failure = "cannot read the linked shared object";
  sys::fs::remove(objPath);
  sys::fs::remove(soPath);
  if (!failure.empty())
    return createStringError(failure);
  return Error::success();
}

} // namespace kiln
