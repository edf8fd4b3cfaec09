// RUN: kiln-opt %s -kiln-elementwise-in-place -split-input-file | FileCheck %s
// RUN: kiln-opt %s -kiln-elementwise-in-place -split-input-file \
// RUN:   | kiln-opt -one-shot-bufferize="bufferize-function-boundaries" -split-input-file \
// RUN:   | FileCheck %s --check-prefix=BUF
// kiln-elementwise-in-place (ElementwiseInPlace.cpp): an elementwise op
// whose input is computed here and read by nothing else writes its result
// over that input; bufferization then gives both one buffer.

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// A convolution's result, then ReLU: the ReLU writes over it.
// CHECK-LABEL: func.func @relu_after_matmul
// BUF-LABEL: func.func @relu_after_matmul
func.func @relu_after_matmul(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[MM:.*]] = linalg.matmul
  %mm = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x8xf32>)
                      outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}], iterator_types = ["parallel", "parallel"]}
  // CHECK-SAME: outs(%[[MM]] : tensor<4x8xf32>)
  // CHECK-NEXT: ^bb0(%[[OUT:.*]]: f32):
  // CHECK-NEXT: arith.maximumf %[[OUT]]
  // One allocation: the matmul's, which the ReLU reuses.
  // BUF: memref.alloc
  // BUF-NOT: memref.alloc
  // BUF: return
  %e2 = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %m = arith.maximumf %x, %zero : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>

// A bias add: the broadcast bias stays an input; the other operand, read
// through the result's own map, becomes the destination.
// CHECK-LABEL: func.func @bias_add
// CHECK: %[[MM:.*]] = linalg.matmul
// CHECK: linalg.generic {indexing_maps = [#[[ROW:.*]], #[[ID:.*]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%{{.*}} : tensor<8xf32>) outs(%[[MM]] : tensor<4x8xf32>)
// CHECK-NEXT: ^bb0(%[[BIAS:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK-NEXT: arith.addf %[[OUT]], %[[BIAS]]
func.func @bias_add(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>, %bias: tensor<8xf32>) -> tensor<4x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  %mm = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x8xf32>)
                      outs(%f : tensor<4x8xf32>) -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%mm, %bias : tensor<4x8xf32>, tensor<8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// Nothing to write over: a function argument is the caller's input, a
// constant is read-only, and a tensor read again later is still needed.
// CHECK-LABEL: func.func @not_writable
// CHECK-COUNT-3: ins(%{{.*}} : tensor<4x8xf32>) outs(%{{.*}} : tensor<4x8xf32>)
func.func @not_writable(%a: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %c = arith.constant dense<1.0> : tensor<4x8xf32>
  %e = tensor.empty() : tensor<4x8xf32>
  %from_arg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  %from_const = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = arith.negf %x : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  // %from_arg is returned too, so it cannot be overwritten.
  %again = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%from_arg : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %n = math.exp %x : f32
    linalg.yield %n : f32
  } -> tensor<4x8xf32>
  return %from_arg, %from_const, %again : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>

// A transposing read or a change of element type cannot write in place.
// CHECK-LABEL: func.func @different_map_or_type
// CHECK-COUNT-4: ins(
func.func @different_map_or_type(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xi1>) {
  %e = tensor.empty() : tensor<4x4xf32>
  %s = linalg.add ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %s2 = linalg.add ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %t = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<4x4xf32>) outs(%e : tensor<4x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<4x4xf32>
  %eb = tensor.empty() : tensor<4x4xi1>
  %c = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%s2 : tensor<4x4xf32>) outs(%eb : tensor<4x4xi1>) {
  ^bb0(%x: f32, %o: i1):
    %zero = arith.constant 0.0 : f32
    %p = arith.cmpf ogt, %x, %zero : f32
    linalg.yield %p : i1
  } -> tensor<4x4xi1>
  return %t, %c : tensor<4x4xf32>, tensor<4x4xi1>
}
