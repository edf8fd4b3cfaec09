// RUN: kiln-opt %s -split-input-file -verify-diagnostics \
// RUN:   -pass-pipeline='builtin.module(kiln-verify-phase-contract{phase=llvm})' -o /dev/null
// The llvm phase's contract: the LLVM dialect only.

llvm.func @main(%x: !llvm.ptr, %ws: !llvm.ptr) {
  llvm.return
}

// -----

// expected-error @+1 {{'func.func' is not in the LLVM dialect}}
func.func @main() {
  return
}
