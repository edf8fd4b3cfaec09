// RUN: kiln-opt %s -kiln-fuse-elementwise -split-input-file | FileCheck %s
// kiln-fuse-elementwise (FuseElementwise.cpp): upstream elementwise fusion,
// reshape propagation and constant folding, under one rule: a producer is
// fused only if it has a single use and the consumer reads it through a
// permutation map, so no value is computed more than once.

#id = affine_map<(d0, d1) -> (d0, d1)>

// Two elementwise generics on the same shape fuse into one.
// CHECK-LABEL: func.func @same_shape
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<4x8xf32>)
func.func @same_shape(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<4x8xf32>)
  // CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
  // CHECK-NEXT: %[[E:.*]] = math.exp %[[S]] : f32
  // CHECK-NEXT: linalg.yield %[[E]] : f32
  // CHECK-NOT: linalg.generic
  // CHECK: return %[[R]]
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#per_channel = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, 0)>

// A squeeze-and-excitation gate: the per-channel sigmoid is read by the
// multiply through a broadcasting map, so it is not fused (32 exps, not
// 32 x 8 x 8): two generics remain, the second reading the first.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d1, 0, 0)>
// CHECK-LABEL: func.func @broadcast_producer_not_fused
func.func @broadcast_producer_not_fused(%c: tensor<1x32x1x1xf32>, %x: tensor<1x32x8x8xf32>) -> tensor<1x32x8x8xf32> {
  // CHECK: %[[GATE:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], {{.*}} ins(%{{.*}} : tensor<1x32x1x1xf32>) outs(%{{.*}} : tensor<1x32x1x1xf32>)
  // CHECK: math.exp
  // CHECK: linalg.generic {indexing_maps = [#[[BC]], #[[ID]], #[[ID]]], {{.*}} ins(%[[GATE]], %{{.*}} : tensor<1x32x1x1xf32>, tensor<1x32x8x8xf32>)
  // CHECK-NOT: math.exp
  // CHECK: arith.mulf
  // CHECK-NOT: math.exp
  %e = tensor.empty() : tensor<1x32x1x1xf32>
  %s = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c : tensor<1x32x1x1xf32>) outs(%e : tensor<1x32x1x1xf32>) {
  ^bb0(%v: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %v : f32
    %ex = math.exp %n : f32
    %d = arith.addf %one, %ex : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<1x32x1x1xf32>
  %e2 = tensor.empty() : tensor<1x32x8x8xf32>
  %y = linalg.generic {indexing_maps = [#per_channel, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s, %x : tensor<1x32x1x1xf32>, tensor<1x32x8x8xf32>) outs(%e2 : tensor<1x32x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<1x32x8x8xf32>
  return %y : tensor<1x32x8x8xf32>
}

// -----

#id1 = affine_map<(d0) -> (d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
#rows = affine_map<(d0, d1) -> (d0)>

// A lower-rank producer broadcast along a dimension (a map dropping d1) is
// not a permutation either: not fused.
// CHECK-LABEL: func.func @row_broadcast_not_fused
func.func @row_broadcast_not_fused(%a: tensor<4xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>) outs(%{{.*}} : tensor<4xf32>)
  // CHECK: math.exp
  // CHECK: linalg.generic {{.*}} ins(%[[P]], %{{.*}} : tensor<4xf32>, tensor<4x8xf32>)
  // CHECK-NOT: math.exp
  // CHECK: arith.subf
  %e = tensor.empty() : tensor<4xf32>
  %0 = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#rows, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0, %b : tensor<4xf32>, tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.subf %y, %x : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>

// A consumer reading its producer transposed (a permutation map) fuses:
// every producer value is still computed once. The fused op reads the
// producer's input through the composed (transposed) map.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[T:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-LABEL: func.func @permutation_fused
// CHECK-SAME: (%[[A:.*]]: tensor<8x4xf32>)
func.func @permutation_fused(%a: tensor<8x4xf32>) -> tensor<4x8xf32> {
  // CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[T]], #[[ID]]], {{.*}} ins(%[[A]] : tensor<8x4xf32>) outs(%{{.*}} : tensor<4x8xf32>)
  // CHECK: %[[E:.*]] = math.exp
  // CHECK-NEXT: %[[N:.*]] = arith.negf %[[E]]
  // CHECK-NEXT: linalg.yield %[[N]]
  // CHECK-NOT: linalg.generic
  // CHECK: return %[[R]]
  %e = tensor.empty() : tensor<8x4xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<8x4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.negf %x : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>

// A producer that itself broadcasts one of its inputs still fuses into an
// identity consumer: the broadcast map moves into the fused op.
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @broadcasting_producer_fused
func.func @broadcasting_producer_fused(%a: tensor<8xf32>, %b: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[COL]], #[[ID]], #[[ID]]], {{.*}} ins(%{{.*}}, %{{.*}} : tensor<8xf32>, tensor<4x8xf32>)
  // CHECK: arith.addf
  // CHECK-NEXT: math.exp
  // CHECK-NOT: linalg.generic
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#col, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<8xf32>, tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<4x8xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>

// A producer with a second use is not fused (upstream would fuse and keep
// the producer, computing it twice): both generics remain.
// CHECK-LABEL: func.func @multi_use_not_fused
func.func @multi_use_not_fused(%a: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  // CHECK: %[[P:.*]] = linalg.generic
  // CHECK: math.exp
  // CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<4x8xf32>)
  // CHECK-NOT: math.exp
  // CHECK: arith.negf
  // CHECK: return %[[P]], %[[C]]
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%0 : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.negf %x : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#rows = affine_map<(d0, d1) -> (d0)>

// An elementwise producer read through the identity map fuses into a
// reduction: the exp moves into the reduction's body.
// CHECK-LABEL: func.func @into_reduction
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>)
func.func @into_reduction(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]} ins(%[[A]] : tensor<4x8xf32>)
  // CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: f32):
  // CHECK-NEXT: %[[E:.*]] = math.exp %[[X]] : f32
  // CHECK-NEXT: arith.addf %[[ACC]], %[[E]] : f32
  // CHECK-NOT: linalg.generic
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<4x8xf32>) outs(%e : tensor<4x8xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<4x8xf32>
  %z = arith.constant 0.0 : f32
  %e2 = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%z : f32) outs(%e2 : tensor<4xf32>) -> tensor<4xf32>
  %1 = linalg.generic {indexing_maps = [#id, #rows], iterator_types = ["parallel", "reduction"]}
      ins(%0 : tensor<4x8xf32>) outs(%f : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %o, %x : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

#id1 = affine_map<(d0) -> (d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// Reshape propagation: the expand_shape between two generics moves to the
// producer's input, and the generics fuse at the expanded shape.
// CHECK-LABEL: func.func @expand_between_fused
// CHECK-SAME: (%[[A:.*]]: tensor<6xf32>, %[[B:.*]]: tensor<2x3xf32>)
func.func @expand_between_fused(%a: tensor<6xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: %[[X:.*]] = tensor.expand_shape %[[A]] {{\[}}[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
  // CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[B]] : tensor<2x3xf32>, tensor<2x3xf32>)
  // CHECK: math.exp
  // CHECK-NEXT: arith.mulf
  // CHECK-NOT: linalg.generic
  // CHECK: return %[[R]]
  %e = tensor.empty() : tensor<6xf32>
  %0 = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%a : tensor<6xf32>) outs(%e : tensor<6xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  %r = tensor.expand_shape %0 [[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<2x3xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e2 : tensor<2x3xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.mulf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

#id1 = affine_map<(d0) -> (d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// A collapse_shape between two generics: the consumer is expanded to the
// producer's shape, they fuse, and the collapse moves to the result.
// CHECK-LABEL: func.func @collapse_between_fused
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<6xf32>)
func.func @collapse_between_fused(%a: tensor<2x3xf32>, %b: tensor<6xf32>) -> tensor<6xf32> {
  // CHECK: %[[BX:.*]] = tensor.expand_shape %[[B]] {{\[}}[0, 1]] output_shape [2, 3]
  // CHECK: %[[R:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[BX]] : tensor<2x3xf32>, tensor<2x3xf32>)
  // CHECK: math.exp
  // CHECK-NEXT: arith.mulf
  // CHECK: %[[C:.*]] = tensor.collapse_shape %[[R]] {{\[}}[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  // CHECK: return %[[C]]
  %e = tensor.empty() : tensor<2x3xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %r = tensor.collapse_shape %0 [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  %e2 = tensor.empty() : tensor<6xf32>
  %1 = linalg.generic {indexing_maps = [#id1, #id1, #id1], iterator_types = ["parallel"]}
      ins(%r, %b : tensor<6xf32>, tensor<6xf32>) outs(%e2 : tensor<6xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.mulf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  return %1 : tensor<6xf32>
}

// -----

#id1 = affine_map<(d0) -> (d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>

// The same rule guards reshape propagation: a producer with another use
// keeps its shape and the expand_shape stays between the generics.
// CHECK-LABEL: func.func @expand_between_multi_use
func.func @expand_between_multi_use(%a: tensor<6xf32>, %b: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<6xf32>) {
  // CHECK: %[[P:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<6xf32>) outs(%{{.*}} : tensor<6xf32>)
  // CHECK: %[[X:.*]] = tensor.expand_shape %[[P]] {{\[}}[0, 1]] output_shape [2, 3]
  // CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%[[X]], %{{.*}} : tensor<2x3xf32>, tensor<2x3xf32>)
  // CHECK-NOT: math.exp
  // CHECK: return %[[C]], %[[P]]
  %e = tensor.empty() : tensor<6xf32>
  %0 = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%a : tensor<6xf32>) outs(%e : tensor<6xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.exp %x : f32
    linalg.yield %s : f32
  } -> tensor<6xf32>
  %r = tensor.expand_shape %0 [[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
  %e2 = tensor.empty() : tensor<2x3xf32>
  %1 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%r, %b : tensor<2x3xf32>, tensor<2x3xf32>) outs(%e2 : tensor<2x3xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.mulf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  return %1, %0 : tensor<2x3xf32>, tensor<6xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>

// Constant folding: a generic transposing a single-use constant becomes
// the transposed constant.
// CHECK-LABEL: func.func @constant_transpose_folded
func.func @constant_transpose_folded() -> tensor<3x2xf32> {
  // CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
  // CHECK-NOT: linalg.generic
  // CHECK: return %[[C]]
  %c = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %0 = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#t = affine_map<(d0, d1) -> (d1, d0)>

// A constant with another use is not folded into a second constant.
// CHECK-LABEL: func.func @constant_transpose_multi_use
func.func @constant_transpose_multi_use() -> (tensor<3x2xf32>, tensor<2x3xf32>) {
  // CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
  // CHECK: %[[T:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<2x3xf32>)
  // CHECK: return %[[T]], %[[C]]
  %c = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %0 = linalg.generic {indexing_maps = [#t, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<3x2xf32>
  return %0, %c : tensor<3x2xf32>, tensor<2x3xf32>
}
