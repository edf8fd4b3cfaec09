//===- CPU.h - Code generation for CPU targets ------------------*- C++ -*-===//
//
// Creates the LLVM TargetMachine for `--target/--cpu/--features`, runs
// LLVM's optimization pipeline and writes objects or assembly.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_H
#define KILN_TARGET_CPU_H

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>
#include <string>

namespace llvm {
class Module;
} // namespace llvm

namespace kiln {

struct CPUTargetOptions {
  std::string triple;   ///< empty: the host
  std::string cpu;      ///< empty: the host CPU when native, else "generic"
  std::string features; ///< empty: the host's when native
  unsigned optLevel = 2;
};

/// Builds the target machine (position-independent code, so that objects
/// link into executables and shared objects alike).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createCPUTargetMachine(const CPUTargetOptions &options);

/// Runs LLVM's default optimization pipeline at `optLevel`.
/// Runs LLVM's optimization pipeline for `optLevel`; with `sanitizeAddress`,
/// then instruments the module for AddressSanitizer (the program that runs
/// it must link ASan's runtime, e.g. be built with -fsanitize=address).
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine, unsigned optLevel,
                    bool sanitizeAddress = false);

/// The microkernel variant (include/kiln/Transforms/Microkernels.h) for
/// the machine's architecture and features: avx512, avx2 (with FMA), sse
/// on x86-64; neon on AArch64; empty where Kiln has no microkernels.
std::string selectMicrokernelVariant(const llvm::TargetMachine &machine);

/// Whether `variant` runs on the machine's architecture.
bool microkernelVariantFits(const llvm::TargetMachine &machine, llvm::StringRef variant);

/// Links the definitions of the microkernels that `module` calls
/// (kiln_uk_*) from the bitcode built with Kiln, with internal linkage and
/// without the bitcode's own target attributes, so that they are compiled
/// for the machine like the rest of the model. Does nothing when the
/// module calls none.
llvm::Error linkMicrokernels(llvm::Module &module, const llvm::TargetMachine &machine);

/// Emits `module` as an object file or assembly.
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine,
                            bool assembly, llvm::raw_pwrite_stream &os);

} // namespace kiln

#endif // KILN_TARGET_CPU_H
