//===- CodeGen.h - LLVM code generation for CPU targets ---------*- C++ -*-===//
//
// Creates the LLVM TargetMachine for `--target/--cpu/--features`, runs
// LLVM's optimization pipeline and writes objects, assembly or shared
// objects.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_CODEGEN_H
#define KILN_TARGET_CPU_CODEGEN_H

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

/// Runs LLVM's optimization pipeline for `optLevel`; with `sanitizeAddress`,
/// then instruments the module for AddressSanitizer (the program that runs
/// it must link ASan's runtime, e.g. be built with -fsanitize=address).
void optimizeModule(llvm::Module &module, llvm::TargetMachine &machine, unsigned optLevel,
                    bool sanitizeAddress = false);

/// Emits `module` as an object file or assembly.
llvm::Error emitMachineCode(llvm::Module &module, llvm::TargetMachine &machine, bool assembly,
                            llvm::raw_pwrite_stream &os);

/// Links an object into a shared object with ld.lld (for kiln-run).
llvm::Error linkSharedObject(llvm::StringRef object, std::string &result);

} // namespace kiln

#endif // KILN_TARGET_CPU_CODEGEN_H
