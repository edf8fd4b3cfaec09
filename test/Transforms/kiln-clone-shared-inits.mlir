// RUN: kiln-opt %s -kiln-clone-shared-inits -split-input-file | FileCheck %s
// RUN: kiln-opt %s -kiln-clone-shared-inits -split-input-file \
// RUN:   | kiln-opt -one-shot-bufferize="bufferize-function-boundaries" -split-input-file \
// RUN:   | FileCheck %s --check-prefix=BUF
// kiln-clone-shared-inits (CloneSharedInits.cpp): a zero-filled
// destination that CSE shared between two ops is cloned for the second, so
// bufferization gives each its own buffer instead of copying the shared one.

// CHECK-LABEL: func.func @two_products
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<4x4xf32>)
// CHECK: linalg.matmul {{.*}} outs(%[[F]] : tensor<4x4xf32>)
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK: %[[F2:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E2]] : tensor<4x4xf32>)
// CHECK: linalg.matmul {{.*}} outs(%[[F2]] : tensor<4x4xf32>)
// Two allocations and no copy.
// BUF-LABEL: func.func @two_products
// BUF-COUNT-2: memref.alloc
// BUF-NOT: memref.copy
// BUF: return
func.func @two_products(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %ab = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %abb = linalg.matmul ins(%ab, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %abb : tensor<4x4xf32>
}

// -----

// A shared tensor.empty stays shared: it holds nothing to copy.
// CHECK-LABEL: func.func @shared_empty
// CHECK-COUNT-1: tensor.empty
// CHECK-NOT: tensor.empty
func.func @shared_empty(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %e = tensor.empty() : tensor<4xf32>
  %x = linalg.exp ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %y = linalg.abs ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  return %x, %y : tensor<4xf32>, tensor<4xf32>
}
