// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// kiln_cpu.microkernel's verifier checks each kernel against its entry in
// include/kiln/Target/CPU/MicrokernelABI.h.

func.func @unknown_kernel(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{unknown kernel 'fft'}}
  %r = kiln_cpu.microkernel "fft" "avx2" ins(%x : tensor<4xf32>) outs(%y : tensor<4xf32>) {params = array<i64: 0>, lo = 0.0 : f32, hi = 0.0 : f32} -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

func.func @param_count(%x: tensor<2x4xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{kernel 'rowsum' takes 3 params, got 2}}
  %r = kiln_cpu.microkernel "rowsum" "sse" ins(%x : tensor<2x4xf32>) outs(%y : tensor<2xf32>) {params = array<i64: 2, 0>, lo = 0.0 : f32, hi = 0.0 : f32} -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

func.func @winograd_scratch(%x: tensor<1x16x8x8xf32>, %w: tensor<4096xf32>, %y: tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32> {
  // expected-error @+1 {{kernel 'winograd3x3' has 2 outputs, got 1}}
  %r = kiln_cpu.microkernel "winograd3x3" "avx2" ins(%x, %w : tensor<1x16x8x8xf32>, tensor<4096xf32>) outs(%y : tensor<1x16x8x8xf32>) {params = array<i64: 1, 16, 8, 8, 16, 1, 1, 0, 0, 0>, lo = 0.0 : f32, hi = 0.0 : f32} -> tensor<1x16x8x8xf32>
  return %r : tensor<1x16x8x8xf32>
}

// -----

// Flag 4 = KILN_UK_BIAS_ROW: a bias operand must follow the two.
func.func @bias_flag(%a: tensor<8x16xf32>, %b: tensor<256xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{flags 4 need 3 inputs, got 2}}
  %r = kiln_cpu.microkernel "gemm" "avx2" ins(%a, %b : tensor<8x16xf32>, tensor<256xf32>) outs(%c : tensor<8x16xf32>) {params = array<i64: 1, 8, 16, 16, 0, 16, 1, 0, 0, 0, 0, 0, 4>, lo = 0.0 : f32, hi = 0.0 : f32} -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

func.func @residual_flag(%a: tensor<8x16xf32>, %b: tensor<256xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  // expected-error @+1 {{flags 16 need 3 inputs, got 2}}
  %r = kiln_cpu.microkernel "gemm" "avx2" ins(%a, %b : tensor<8x16xf32>, tensor<256xf32>) outs(%c : tensor<8x16xf32>) {params = array<i64: 1, 8, 16, 16, 0, 16, 1, 0, 0, 0, 0, 0, 16>, lo = 0.0 : f32, hi = 0.0 : f32} -> tensor<8x16xf32>
  return %r : tensor<8x16xf32>
}

// -----

func.func @mixed(%x: memref<2x4xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{mixes tensor and buffer operands}}
  %r = kiln_cpu.microkernel "rowsum" "sse" ins(%x : memref<2x4xf32>) outs(%y : tensor<2xf32>) {params = array<i64: 2, 4, 0>, lo = 0.0 : f32, hi = 0.0 : f32} -> tensor<2xf32>
  return %r : tensor<2xf32>
}

// -----

func.func @not_f32(%x: tensor<2x4xf16>, %y: tensor<2xf16>) -> tensor<2xf16> {
  // expected-error @+1 {{operands must be f32, got 'tensor<2x4xf16>'}}
  %r = kiln_cpu.microkernel "rowsum" "sse" ins(%x : tensor<2x4xf16>) outs(%y : tensor<2xf16>) {params = array<i64: 2, 4, 0>, lo = 0.0 : f32, hi = 0.0 : f32} -> tensor<2xf16>
  return %r : tensor<2xf16>
}

// -----

func.func @buffer_result(%x: memref<2x4xf32>, %y: memref<2xf32>) {
  // expected-error @+1 {{has a result of each output's type on tensors, none on buffers}}
  %r = kiln_cpu.microkernel "rowsum" "sse" ins(%x : memref<2x4xf32>) outs(%y : memref<2xf32>) {params = array<i64: 2, 4, 0>, lo = 0.0 : f32, hi = 0.0 : f32} -> tensor<2xf32>
  return
}
