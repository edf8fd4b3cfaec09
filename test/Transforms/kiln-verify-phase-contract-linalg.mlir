// RUN: kiln-opt %s -split-input-file -verify-diagnostics \
// RUN:   -pass-pipeline='builtin.module(kiln-verify-phase-contract{phase=linalg})' -o /dev/null
// The linalg phase's contract: no kiln op remains, tensors are static; a
// target's own codegen ops may stay.

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.copy ins(%x : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{the IR after the linalg phase breaks its contract: 'kiln.relu' was not lowered}}
  %0 = kiln.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @main(%a: tensor<2x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %0 = kiln_cpu.microkernel "rowsum" "sse" ins(%a : tensor<2x4xf32>) outs(%e : tensor<2x4xf32>) {hi = 0x7F800000 : f32, lo = 0xFF800000 : f32, params = array<i64: 2, 4, 0>} -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @main(%x: tensor<4xf32>, %n: index) -> tensor<4xf32> {
  // expected-error @+1 {{result of type 'tensor<?xf32>' is not statically shaped}}
  %e = tensor.empty(%n) : tensor<?xf32>
  return %x : tensor<4xf32>
}
