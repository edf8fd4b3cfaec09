//===- Microkernels.h - Choosing and linking the CPU microkernels -*- C++ -*-===//
//
// The CPU backend's side of the microkernels: which variant of
// MicrokernelABI.h a target machine runs, and linking the kernels a model
// calls from the bitcode built with Kiln (lib/Target/CPU/Kernels).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_MICROKERNELS_H
#define KILN_TARGET_CPU_MICROKERNELS_H

#include "kiln/Target/CPU/MicrokernelABI.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace kiln {

/// The variant's entry in the ABI's table, or null for an unknown name.
inline const kiln_uk_variant *lookupMicrokernelVariant(llvm::StringRef name) {
  for (const kiln_uk_variant &variant : kiln_uk_variants)
    if (name == variant.name)
      return &variant;
  return nullptr;
}

/// The microkernel variant for the machine's architecture and features:
/// avx512, avx2 (with FMA), sse on x86-64; neon on AArch64; empty where
/// Kiln has no microkernels.
std::string selectMicrokernelVariant(const llvm::TargetMachine &machine);

/// Whether `variant` runs on the machine's architecture.
bool microkernelVariantFits(const llvm::TargetMachine &machine, llvm::StringRef variant);

/// Links the definitions of the microkernels that `module` calls
/// (kiln_uk_*) from the bitcode built with Kiln, with internal linkage and
/// without the bitcode's own target attributes, so that they are compiled
/// for the machine like the rest of the model. Does nothing when the
/// module calls none.
llvm::Error linkMicrokernels(llvm::Module &module, const llvm::TargetMachine &machine);

} // namespace kiln

#endif // KILN_TARGET_CPU_MICROKERNELS_H
