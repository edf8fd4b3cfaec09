// RUN: kiln-opt %s | kiln-opt | FileCheck %s
// kiln_cpu.microkernel round-trips on tensors (with results) and on
// buffers (without), with and without the optional bias and residual.

// CHECK-LABEL: func.func @on_tensors
func.func @on_tensors(%a: tensor<8x16xf32>, %b: tensor<256xf32>, %bias: tensor<16xf32>) -> tensor<8x16xf32> {
  %e = tensor.empty() : tensor<8x16xf32>
  // CHECK: %[[R:.*]] = kiln_cpu.microkernel "gemm" "avx2" ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<256xf32>, tensor<16xf32>) outs(%{{.*}} : tensor<8x16xf32>) {hi = 6.000000e+00 : f32, lo = 0.000000e+00 : f32, params = array<i64: 1, 8, 16, 16, 0, 16, 1, 0, 0, 0, 0, 0, 10>} -> tensor<8x16xf32>
  %r = kiln_cpu.microkernel "gemm" "avx2" ins(%a, %b, %bias : tensor<8x16xf32>, tensor<256xf32>, tensor<16xf32>) outs(%e : tensor<8x16xf32>) {params = array<i64: 1, 8, 16, 16, 0, 16, 1, 0, 0, 0, 0, 0, 10>, lo = 0.0 : f32, hi = 6.0 : f32} -> tensor<8x16xf32>
  // CHECK: return %[[R]]
  return %r : tensor<8x16xf32>
}

// CHECK-LABEL: func.func @on_buffers
func.func @on_buffers(%x: memref<2x64xf32>, %y: memref<2xf32>) {
  // CHECK: kiln_cpu.microkernel "rowsum" "neon" ins(%{{.*}} : memref<2x64xf32>) outs(%{{.*}} : memref<2xf32>)
  // CHECK-NOT: ->
  kiln_cpu.microkernel "rowsum" "neon" ins(%x : memref<2x64xf32>) outs(%y : memref<2xf32>) {params = array<i64: 2, 64, 64>, lo = 0xFF800000 : f32, hi = 0x7F800000 : f32}
  return
}
