// RUN: kiln-opt %s -split-input-file -verify-diagnostics \
// RUN:   -pass-pipeline='builtin.module(kiln-verify-phase-contract{phase=kiln})' -o /dev/null
// The import and kiln phases' contract (docs/architecture.md): @main on
// static tensors, a body of kiln ops. The later phases' contracts are
// checked in kiln-verify-phase-contract-{linalg,bufferized,llvm}.mlir.

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{internal error: the IR after the kiln phase breaks its contract: 'arith.addf' is not a kiln op}}
  %0 = arith.addf %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{@main takes or returns 'tensor<?xf32>', not a statically shaped tensor}}
func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}

// -----

// expected-error @+1 {{no func.func @main}}
module {
  func.func @other() {
    return
  }
}
