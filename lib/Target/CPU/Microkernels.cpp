//===- Microkernels.cpp - Linking the CPU microkernels ----------*- C++ -*-===//
//
// Chooses the microkernel variant for a target and links the kernels a
// model calls from the bitcode built into kilnc (Kernels/, compiled by the
// build for x86-64 and AArch64).
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/Microkernels.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Target/TargetMachine.h"

namespace kiln {

using namespace llvm;

namespace {

const unsigned char kX86Bitcode[] = {
#include "Kernels_x86_64.bc.inc"
};
const unsigned char kAArch64Bitcode[] = {
#include "Kernels_aarch64.bc.inc"
};

bool hasFeature(const TargetMachine &machine, StringRef feature) {
  return machine.getMCSubtargetInfo()->checkFeatures(("+" + feature).str());
}

} // namespace

std::string selectMicrokernelVariant(const TargetMachine &machine) {
  const Triple &triple = machine.getTargetTriple();
  if (triple.getArch() == Triple::x86_64) {
    if (hasFeature(machine, "avx512f"))
      return "avx512";
    if (hasFeature(machine, "avx2") && hasFeature(machine, "fma"))
      return "avx2";
    return "sse";
  }
  if (triple.getArch() == Triple::aarch64 && hasFeature(machine, "neon"))
    return "neon";
  return "";
}

bool microkernelVariantFits(const TargetMachine &machine, StringRef variant) {
  Triple::ArchType arch = machine.getTargetTriple().getArch();
  if (variant == "neon")
    return arch == Triple::aarch64;
  return arch == Triple::x86_64 && (variant == "avx512" || variant == "avx2" || variant == "sse");
}

Error linkMicrokernels(Module &module, const TargetMachine &machine) {
  bool calls = false;
  for (Function &f : module)
    calls |= f.isDeclaration() && f.getName().starts_with("kiln_uk_");
  if (!calls)
    return Error::success();
  ArrayRef<unsigned char> bitcode;
  switch (machine.getTargetTriple().getArch()) {
  case Triple::x86_64:
    bitcode = kX86Bitcode;
    break;
  case Triple::aarch64:
    bitcode = kAArch64Bitcode;
    break;
  default:
    return createStringError("Kiln has no microkernels for %s",
                             machine.getTargetTriple().str().c_str());
  }
  MemoryBufferRef buffer(StringRef((const char *)bitcode.data(), bitcode.size()),
                         "kiln-microkernels");
  Expected<std::unique_ptr<Module>> kernels = parseBitcodeFile(buffer, module.getContext());
  if (!kernels)
    return kernels.takeError();
  (*kernels)->setTargetTriple(module.getTargetTriple());
  (*kernels)->setDataLayout(module.getDataLayout());
  (*kernels)->setSourceFileName(module.getSourceFileName());
  // The build compiled the kernels for the architecture's baseline; they
  // take the model's CPU and features instead.
  for (Function &f : **kernels) {
    f.removeFnAttr("target-cpu");
    f.removeFnAttr("target-features");
    f.removeFnAttr("tune-cpu");
  }
  // Only the module flags the model's code generation should see.
  if (NamedMDNode *flags = (*kernels)->getModuleFlagsMetadata())
    (*kernels)->eraseNamedMetadata(flags);
  if (NamedMDNode *ident = (*kernels)->getNamedMetadata("llvm.ident"))
    (*kernels)->eraseNamedMetadata(ident);
  if (Linker::linkModules(module, std::move(*kernels), Linker::LinkOnlyNeeded))
    return createStringError("cannot link the CPU microkernels into the model");
  for (Function &f : module)
    if (!f.isDeclaration() && f.getName().starts_with("kiln_uk_"))
      f.setLinkage(GlobalValue::InternalLinkage);
  return Error::success();
}

} // namespace kiln
