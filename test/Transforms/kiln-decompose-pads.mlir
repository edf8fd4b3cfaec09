// RUN: kiln-opt %s -kiln-decompose-pads | FileCheck %s
// RUN: kiln-opt %s -kiln-decompose-pads -eliminate-empty-tensors \
// RUN:   -one-shot-bufferize="bufferize-function-boundaries" -cse -canonicalize \
// RUN:   | FileCheck %s --check-prefix=BUF
// kiln-decompose-pads (DecomposePads.cpp): tensor.pad becomes a fill and an
// insert_slice; after empty-tensor elimination the producer of the
// unpadded tensor writes into the padded buffer's interior; after CSE
// the copy of the interior onto itself folds away.

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// CHECK-LABEL: func.func @relu_then_pad
// CHECK-NOT: tensor.pad
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x2x6x6xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<1x2x6x6xf32>)
// CHECK: tensor.insert_slice %{{.*}} into %[[F]][0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// One buffer: the padded one, whose interior the ReLU writes.
// BUF-LABEL: func.func @relu_then_pad
// BUF: %[[P:.*]] = memref.alloc() {{.*}} : memref<1x2x6x6xf32>
// BUF-NOT: memref.alloc
// BUF: %[[IN:.*]] = memref.subview %[[P]][0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1]
// BUF: linalg.generic {{.*}} outs(%[[IN]] :
// BUF-NOT: memref.copy
// BUF: return
func.func @relu_then_pad(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x2x4x4xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x2x4x4xf32>) outs(%e : tensor<1x2x4x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %m = arith.maximumf %v, %zero : f32
    linalg.yield %m : f32
  } -> tensor<1x2x4x4xf32>
  %p = tensor.pad %r low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  return %p : tensor<1x2x6x6xf32>
}
