//===- CPUBackend.h - The CPU target backends -------------------*- C++ -*-===//
//
// The CPU implementations of TargetBackend: one for targets with an
// operating system (x86-64, AArch64, RISC-V Linux; threads, microkernels)
// and one for bare metal (no threads: loops stay inline). Both generate
// code through an LLVM TargetMachine for `--target/--cpu/--features`.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_CPUBACKEND_H
#define KILN_TARGET_CPU_CPUBACKEND_H

#include "kiln/Target/TargetBackend.h"

namespace kiln {

/// The CPU backend for `options.triple` (empty: the host): hosted when the
/// triple names an operating system, bare metal when it does not.
llvm::Expected<std::unique_ptr<TargetBackend>> createCPUBackend(const TargetOptions &options);

} // namespace kiln

#endif // KILN_TARGET_CPU_CPUBACKEND_H
