// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
// DataMovement.cpp: constants become arith.constant, transpose is
// linalg.transpose, reshape/slice/pad/concat are tensor ops, and the
// gathers are linalg.generic ops that normalize each index (negative wraps,
// out of range clamps) and tensor.extract the source element.

// Constants of any element type and rank become arith.constant.
// CHECK-LABEL: func.func @constants
func.func @constants() -> (tensor<2xi32>, tensor<f32>) {
  // CHECK-DAG: %[[I:.*]] = arith.constant dense<[1, 2]> : tensor<2xi32>
  // CHECK-DAG: %[[F:.*]] = arith.constant dense<1.500000e+00> : tensor<f32>
  // CHECK: return %[[I]], %[[F]]
  %0 = kiln.constant dense<[1, 2]> : tensor<2xi32>
  %1 = kiln.constant dense<1.5> : tensor<f32>
  return %0, %1 : tensor<2xi32>, tensor<f32>
}

// -----

// transpose is linalg.transpose into a tensor.empty of the result type.
// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  // CHECK: %[[INIT:.*]] = tensor.empty() : tensor<4x2x3xf32>
  // CHECK: linalg.transpose ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<4x2x3xf32>) permutation = [2, 0, 1]
  %0 = kiln.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// An identity permutation folds away during the conversion.
// CHECK-LABEL: func.func @transpose_identity
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @transpose_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NOT: linalg.transpose
  // CHECK: return %[[X]]
  %0 = kiln.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// reshape collapses to rank 1, then expands to the target; either step is
// skipped when the source or target already has rank 1.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x6xf32>, %[[V:.*]]: tensor<6xf32>)
func.func @reshape(%x: tensor<2x6xf32>, %v: tensor<6xf32>) -> (tensor<3x4xf32>, tensor<12xf32>, tensor<2x3xf32>) {
  // CHECK: %[[FLAT:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<2x6xf32> into tensor<12xf32>
  // CHECK: %[[R0:.*]] = tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 4] : tensor<12xf32> into tensor<3x4xf32>
  %0 = kiln.reshape %x : tensor<2x6xf32> to tensor<3x4xf32>
  // CHECK: %[[R1:.*]] = tensor.collapse_shape %[[X]] {{\[}}[0, 1]] : tensor<2x6xf32> into tensor<12xf32>
  %1 = kiln.reshape %x : tensor<2x6xf32> to tensor<12xf32>
  // CHECK: %[[R2:.*]] = tensor.expand_shape %[[V]] {{\[}}[0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
  %2 = kiln.reshape %v : tensor<6xf32> to tensor<2x3xf32>
  // CHECK: return %[[R0]], %[[R1]], %[[R2]]
  return %0, %1, %2 : tensor<3x4xf32>, tensor<12xf32>, tensor<2x3xf32>
}

// -----

// Rank-0 tensors reshape through tensor<1xT> with empty reassociations.
// CHECK-LABEL: func.func @reshape_scalar
// CHECK-SAME: (%[[S:.*]]: tensor<f32>, %[[O:.*]]: tensor<1x1xf32>)
func.func @reshape_scalar(%s: tensor<f32>, %o: tensor<1x1xf32>) -> (tensor<1x1xf32>, tensor<f32>) {
  // CHECK: %[[E0:.*]] = tensor.expand_shape %[[S]] [] output_shape [1] : tensor<f32> into tensor<1xf32>
  // CHECK: %[[E1:.*]] = tensor.expand_shape %[[E0]] {{\[}}[0, 1]] output_shape [1, 1] : tensor<1xf32> into tensor<1x1xf32>
  %0 = kiln.reshape %s : tensor<f32> to tensor<1x1xf32>
  // CHECK: %[[C0:.*]] = tensor.collapse_shape %[[O]] {{\[}}[0, 1]] : tensor<1x1xf32> into tensor<1xf32>
  // CHECK: %[[C1:.*]] = tensor.collapse_shape %[[C0]] [] : tensor<1xf32> into tensor<f32>
  %1 = kiln.reshape %o : tensor<1x1xf32> to tensor<f32>
  // CHECK: return %[[E1]], %[[C1]]
  return %0, %1 : tensor<1x1xf32>, tensor<f32>
}

// -----

// slice is tensor.extract_slice with the static offsets, sizes, strides.
// CHECK-LABEL: func.func @slice
// CHECK-SAME: (%[[X:.*]]: tensor<2x6xf32>)
func.func @slice(%x: tensor<2x6xf32>) -> tensor<2x2xf32> {
  // CHECK: tensor.extract_slice %[[X]][0, 1] [2, 2] [1, 2] : tensor<2x6xf32> to tensor<2x2xf32>
  %0 = kiln.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: 2, 2>, strides = array<i64: 1, 2>}
       : (tensor<2x6xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// pad is tensor.pad yielding the value attribute as a constant of the
// element type (an integer for integer tensors, -inf kept as -inf).
// CHECK-LABEL: func.func @pad
// CHECK-SAME: (%[[X:.*]]: tensor<2x6xf32>, %[[I:.*]]: tensor<2x3xi32>)
func.func @pad(%x: tensor<2x6xf32>, %i: tensor<2x3xi32>) -> (tensor<2x8xf32>, tensor<4x3xi32>, tensor<2x7xf32>) {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: tensor.pad %[[X]] low[0, 1] high[0, 1]
  // CHECK: tensor.yield %[[ZERO]] : f32
  // CHECK: } : tensor<2x6xf32> to tensor<2x8xf32>
  %0 = kiln.pad %x {high = array<i64: 0, 1>, low = array<i64: 0, 1>, value = 0.0 : f64}
       : (tensor<2x6xf32>) -> tensor<2x8xf32>
  // CHECK: %[[MINUS7:.*]] = arith.constant -7 : i32
  // CHECK: tensor.pad %[[I]] low[1, 0] high[1, 0]
  // CHECK: tensor.yield %[[MINUS7]] : i32
  // CHECK: } : tensor<2x3xi32> to tensor<4x3xi32>
  %1 = kiln.pad %i {high = array<i64: 1, 0>, low = array<i64: 1, 0>, value = -7.0 : f64}
       : (tensor<2x3xi32>) -> tensor<4x3xi32>
  // CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: tensor.pad %[[X]] low[0, 0] high[0, 1]
  // CHECK: tensor.yield %[[NEG_INF]] : f32
  %2 = kiln.pad %x {high = array<i64: 0, 1>, low = array<i64: 0, 0>, value = 0xFFF0000000000000 : f64}
       : (tensor<2x6xf32>) -> tensor<2x7xf32>
  return %0, %1, %2 : tensor<2x8xf32>, tensor<4x3xi32>, tensor<2x7xf32>
}

// -----

// Padding by nothing is no tensor.pad: the input is used as is.
// CHECK-LABEL: func.func @pad_nothing
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @pad_nothing(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NOT: tensor.pad
  // CHECK: return %[[X]] : tensor<2x3xf32>
  %0 = kiln.pad %x {high = array<i64: 0, 0>, low = array<i64: 0, 0>, value = 1.0 : f64}
       : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// concat inserts each input into a tensor.empty at its running offset
// along the axis.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<1x2xf32>, %[[B:.*]]: tensor<3x2xf32>, %[[C:.*]]: tensor<2x2xf32>)
func.func @concat(%a: tensor<1x2xf32>, %b: tensor<3x2xf32>, %c: tensor<2x2xf32>) -> tensor<6x2xf32> {
  // CHECK: %[[E:.*]] = tensor.empty() : tensor<6x2xf32>
  // CHECK: %[[S0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [1, 2] [1, 1] : tensor<1x2xf32> into tensor<6x2xf32>
  // CHECK: %[[S1:.*]] = tensor.insert_slice %[[B]] into %[[S0]][1, 0] [3, 2] [1, 1] : tensor<3x2xf32> into tensor<6x2xf32>
  // CHECK: %[[S2:.*]] = tensor.insert_slice %[[C]] into %[[S1]][4, 0] [2, 2] [1, 1] : tensor<2x2xf32> into tensor<6x2xf32>
  // CHECK: return %[[S2]]
  %0 = kiln.concat %a, %b, %c {axis = 0 : i64} : (tensor<1x2xf32>, tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<6x2xf32>
  return %0 : tensor<6x2xf32>
}

// -----

// Along axis 1 the offsets advance in the second dimension.
// CHECK-LABEL: func.func @concat_axis1
func.func @concat_axis1(%x: tensor<2x6xf32>) -> tensor<2x12xf32> {
  // CHECK: %[[S0:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [2, 6] [1, 1]
  // CHECK: tensor.insert_slice %{{.*}} into %[[S0]][0, 6] [2, 6] [1, 1]
  %0 = kiln.concat %x, %x {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2x6xf32>) -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// gather over rank-2 indices on axis 1: the indices are read through
// (d1, d2); each index is wrapped if negative and clamped into [0, 5];
// the other coordinates are the loop indices before and after them.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[X:.*]]: tensor<5x6x7xf32>, %[[I:.*]]: tensor<2x3xi32>)
func.func @gather(%x: tensor<5x6x7xf32>, %i: tensor<2x3xi32>) -> tensor<5x2x3x7xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
  // CHECK-SAME: ins(%[[I]] : tensor<2x3xi32>) outs(%{{.*}} : tensor<5x2x3x7xf32>)
  // CHECK-NEXT: ^bb0(%[[RAW:.*]]: i32, %{{.*}}: f32):
  // CHECK-NEXT: %[[IDX0:.*]] = arith.index_cast %[[RAW]] : i32 to index
  // CHECK-DAG: %[[EXTENT:.*]] = arith.constant 6 : index
  // CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : index
  // CHECK-DAG: %[[LAST:.*]] = arith.constant 5 : index
  // CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[IDX0]], %[[ZERO]] : index
  // CHECK: %[[WRAPPED:.*]] = arith.addi %[[IDX0]], %[[EXTENT]] : index
  // CHECK: %[[SEL:.*]] = arith.select %[[NEG]], %[[WRAPPED]], %[[IDX0]] : index
  // CHECK: %[[LO:.*]] = arith.maxsi %[[SEL]], %[[ZERO]] : index
  // CHECK: %[[CLAMPED:.*]] = arith.minsi %[[LO]], %[[LAST]] : index
  // CHECK: %[[D0:.*]] = linalg.index 0 : index
  // CHECK: %[[D3:.*]] = linalg.index 3 : index
  // CHECK: %[[V:.*]] = tensor.extract %[[X]][%[[D0]], %[[CLAMPED]], %[[D3]]] : tensor<5x6x7xf32>
  // CHECK: linalg.yield %[[V]] : f32
  %0 = kiln.gather %x, %i {axis = 1 : i64} : (tensor<5x6x7xf32>, tensor<2x3xi32>) -> tensor<5x2x3x7xf32>
  return %0 : tensor<5x2x3x7xf32>
}

// -----

// A rank-0 index drops the axis: the index is read through a map with no
// results and the remaining dimensions follow it.
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @gather_scalar_index
// CHECK-SAME: (%[[X:.*]]: tensor<5x6x7xf32>, %[[I:.*]]: tensor<i64>)
func.func @gather_scalar_index(%x: tensor<5x6x7xf32>, %i: tensor<i64>) -> tensor<6x7xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[SCALAR]], #{{.*}}], iterator_types = ["parallel", "parallel"]}
  // CHECK-SAME: ins(%[[I]] : tensor<i64>)
  // CHECK: %[[LAST:.*]] = arith.constant 4 : index
  // CHECK: %[[CLAMPED:.*]] = arith.minsi %{{.*}}, %[[LAST]] : index
  // CHECK: %[[D0:.*]] = linalg.index 0 : index
  // CHECK: %[[D1:.*]] = linalg.index 1 : index
  // CHECK: tensor.extract %[[X]][%[[CLAMPED]], %[[D0]], %[[D1]]] : tensor<5x6x7xf32>
  %0 = kiln.gather %x, %i {axis = 0 : i64} : (tensor<5x6x7xf32>, tensor<i64>) -> tensor<6x7xf32>
  return %0 : tensor<6x7xf32>
}

// -----

// gather_elements: a parallel generic over the indices; the normalized
// index replaces the loop index on the axis only.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @gather_elements
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>, %[[I:.*]]: tensor<4x2xi64>)
func.func @gather_elements(%x: tensor<4x10xf32>, %i: tensor<4x2xi64>) -> tensor<4x2xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
  // CHECK-SAME: ins(%[[I]] : tensor<4x2xi64>) outs(%{{.*}} : tensor<4x2xf32>)
  // CHECK: arith.index_cast %{{.*}} : i64 to index
  // CHECK: %[[EXTENT:.*]] = arith.constant 10 : index
  // CHECK: arith.cmpi slt
  // CHECK: arith.addi %{{.*}}, %[[EXTENT]] : index
  // CHECK: %[[COL:.*]] = arith.minsi
  // CHECK: %[[ROW:.*]] = linalg.index 0
  // CHECK-NOT: linalg.index 1
  // CHECK: tensor.extract %[[X]][%[[ROW]], %[[COL]]] : tensor<4x10xf32>
  %0 = kiln.gather_elements %x, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// gather_nd: a generic with no inputs; each result element reads its index
// tuple from the indices, normalizes each component against its own input
// dimension (2, then 3), then extracts the trailing slice element.
// CHECK-LABEL: func.func @gather_nd
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<5x2xi64>)
func.func @gather_nd(%x: tensor<2x3x4xf32>, %i: tensor<5x2xi64>) -> tensor<5x4xf32> {
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<5x4xf32>)
  // CHECK: %[[P:.*]] = linalg.index 0
  // CHECK: %[[J0:.*]] = arith.constant 0 : index
  // CHECK: tensor.extract %[[I]][%[[P]], %[[J0]]] : tensor<5x2xi64>
  // CHECK: %[[E0:.*]] = arith.constant 2 : index
  // CHECK: %[[L0:.*]] = arith.constant 1 : index
  // CHECK: arith.addi %{{.*}}, %[[E0]] : index
  // CHECK: %[[C0:.*]] = arith.minsi %{{.*}}, %[[L0]] : index
  // CHECK: %[[J1:.*]] = arith.constant 1 : index
  // CHECK: tensor.extract %[[I]][%[[P]], %[[J1]]] : tensor<5x2xi64>
  // CHECK: %[[E1:.*]] = arith.constant 3 : index
  // CHECK: %[[L1:.*]] = arith.constant 2 : index
  // CHECK: arith.addi %{{.*}}, %[[E1]] : index
  // CHECK: %[[C1:.*]] = arith.minsi %{{.*}}, %[[L1]] : index
  // CHECK: %[[R:.*]] = linalg.index 1
  // CHECK: tensor.extract %[[X]][%[[C0]], %[[C1]], %[[R]]] : tensor<2x3x4xf32>
  %0 = kiln.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<2x3x4xf32>, tensor<5x2xi64>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// With batch_dims = 1 the leading coordinate is the shared batch position,
// and the index component addresses input dimension 1 (extent 3).
// CHECK-LABEL: func.func @gather_nd_batch
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<2x5x1xi64>)
func.func @gather_nd_batch(%x: tensor<2x3x4xf32>, %i: tensor<2x5x1xi64>) -> tensor<2x5x4xf32> {
  // CHECK: %[[B:.*]] = linalg.index 0
  // CHECK: %[[P:.*]] = linalg.index 1
  // CHECK: tensor.extract %[[I]][%[[B]], %[[P]], %{{.*}}] : tensor<2x5x1xi64>
  // CHECK: %[[E:.*]] = arith.constant 3 : index
  // CHECK: %[[L:.*]] = arith.constant 2 : index
  // CHECK: arith.addi %{{.*}}, %[[E]] : index
  // CHECK: %[[C:.*]] = arith.minsi %{{.*}}, %[[L]] : index
  // CHECK: %[[R:.*]] = linalg.index 2
  // CHECK: tensor.extract %[[X]][%[[B]], %[[C]], %[[R]]] : tensor<2x3x4xf32>
  %0 = kiln.gather_nd %x, %i {batch_dims = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x1xi64>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}
