// RUN: kiln-opt %s -kiln-lower-strided-copies | FileCheck %s
// Copies touching a non-contiguous view become linalg.copy (plain loops
// later); contiguous copies stay memref.copy (memcpy later).

// CHECK-LABEL: func @into_padded_interior
func.func @into_padded_interior(%src: memref<1x3x8x8xf32>, %dst: memref<1x3x10x10xf32>) {
  %sub = memref.subview %dst[0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
      : memref<1x3x10x10xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  // CHECK: linalg.copy ins(%{{.*}} : memref<1x3x8x8xf32>) outs(%{{.*}} : memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>)
  // CHECK-NOT: memref.copy
  memref.copy %src, %sub : memref<1x3x8x8xf32> to memref<1x3x8x8xf32, strided<[300, 100, 10, 1], offset: 11>>
  return
}

// CHECK-LABEL: func @contiguous
func.func @contiguous(%src: memref<4x4xf32>, %dst: memref<4x4xf32>) {
  // CHECK: memref.copy %{{.*}}, %{{.*}} : memref<4x4xf32> to memref<4x4xf32>
  // CHECK-NOT: linalg.copy
  memref.copy %src, %dst : memref<4x4xf32> to memref<4x4xf32>
  return
}
