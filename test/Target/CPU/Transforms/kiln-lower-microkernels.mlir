// RUN: kiln-opt %s -kiln-lower-microkernels -split-input-file -verify-diagnostics | FileCheck %s
// Bufferized microkernels become calls of kiln_uk_<kernel>_f32_<variant>
// with the buffers' addresses (0 for an absent bias or residual), the
// params as i64 and the clamp bounds as f32.

// CHECK: func.func private @kiln_uk_gemm_f32_avx2(index, index, index, index, index, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, f32, f32)
// CHECK-LABEL: func @gemm_with_bias
// CHECK: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK: %[[BASE:.*]], %{{.*}}, %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %arg0
// CHECK: memref.extract_aligned_pointer_as_index %[[BASE]]
// CHECK: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[HI:.*]] = arith.constant 0x7F800000 : f32
// CHECK: call @kiln_uk_gemm_f32_avx2(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ZERO]], {{.*}}, %[[LO]], %[[HI]])
// CHECK-NOT: kiln_cpu.microkernel
func.func @gemm_with_bias(%a: memref<4x8xf32>, %b: memref<128xf32>, %bias: memref<16xf32>,
                          %c: memref<4x16xf32>) {
  kiln_cpu.microkernel "gemm" "avx2" ins(%a, %b, %bias : memref<4x8xf32>, memref<128xf32>, memref<16xf32>)
      outs(%c : memref<4x16xf32>) {params = array<i64: 1, 4, 16, 8, 0, 8, 1, 0, 0, 0, 0, 16, 10>,
      lo = 0.0 : f32, hi = 0x7F800000 : f32}
  return
}

// -----

// A view's offset is part of its address: 4 bytes per f32 element.
// CHECK-LABEL: func @view_offset
// CHECK: %[[BASE:.*]], %[[OFFSET:.*]], %{{.*}}:4, %{{.*}}:4 = memref.extract_strided_metadata %{{.*}} : memref<1x4x4x4xf32>
// CHECK: %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %[[BASE]]
// CHECK: %[[BYTES:.*]] = arith.muli %[[OFFSET]], %c4
// CHECK: arith.addi %[[PTR]], %[[BYTES]]
func.func @view_offset(%ws: memref<1024xi8>, %w: memref<4x1x3x3xf32>) {
  %c0 = arith.constant 0 : index
  %c256 = arith.constant 256 : index
  %x = memref.view %ws[%c0][] : memref<1024xi8> to memref<1x4x4x4xf32>
  %y = memref.view %ws[%c256][] : memref<1024xi8> to memref<1x4x4x4xf32>
  kiln_cpu.microkernel "dwconv2d" "sse" ins(%x, %w : memref<1x4x4x4xf32>, memref<4x1x3x3xf32>)
      outs(%y : memref<1x4x4x4xf32>) {params = array<i64: 1, 4, 4, 4, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 0>,
      lo = 0xFF800000 : f32, hi = 0x7F800000 : f32}
  return
}

// -----

func.func @not_bufferized(%a: tensor<4x8xf32>, %b: tensor<128xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{must be bufferized before kiln-lower-microkernels}}
  %r = kiln_cpu.microkernel "gemm" "avx2" ins(%a, %b : tensor<4x8xf32>, tensor<128xf32>)
      outs(%c : tensor<4x16xf32>) {params = array<i64: 1, 4, 16, 8, 0, 8, 1, 0, 0, 0, 0, 16, 2>,
      lo = 0xFF800000 : f32, hi = 0x7F800000 : f32} -> tensor<4x16xf32>
  return %r : tensor<4x16xf32>
}
