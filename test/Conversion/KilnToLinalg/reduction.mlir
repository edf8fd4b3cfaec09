// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
// Reduction.cpp: reductions are linalg.generic ops with reduction iterators
// into a tensor filled with the identity, keep_dims a reshape afterwards;
// softmax subtracts the axis maximum first; arg_max/arg_min carry the
// running extreme and its index in one two-result generic.

// Non-adjacent axes reduce in one generic; without keep_dims no reshape.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @reduce_sum
func.func @reduce_sum(%x: tensor<2x3x4xf32>) -> tensor<3xf32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<3xf32>)
  // CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["reduction", "parallel", "reduction"]}
  // CHECK-SAME: ins(%{{.*}} : tensor<2x3x4xf32>) outs(%[[FILL]] : tensor<3xf32>)
  // CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: f32):
  // CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[X]] : f32
  // CHECK-NEXT: linalg.yield %[[S]] : f32
  // CHECK-NOT: tensor.expand_shape
  // CHECK: return %[[R]]
  %0 = kiln.reduce_sum %x {axes = array<i64: 0, 2>, keep_dims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// reduce_mean sums, then divides by the number of reduced elements (49);
// keep_dims reshapes 1x8 back to 1x8x1x1.
// CHECK-LABEL: func.func @reduce_mean_keep_dims
func.func @reduce_mean_keep_dims(%x: tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32> {
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]
  // CHECK: arith.addf
  // CHECK: } -> tensor<1x8xf32>
  // CHECK: %[[N:.*]] = arith.constant 4.900000e+01 : f32
  // CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
  // CHECK: arith.divf %{{.*}}, %[[N]] : f32
  // CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1]] : tensor<1x8xf32> into tensor<8xf32>
  // CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1, 2, 3]] output_shape [1, 8, 1, 1] : tensor<8xf32> into tensor<1x8x1x1xf32>
  %0 = kiln.reduce_mean %x {axes = array<i64: 2, 3>, keep_dims = true}
       : (tensor<1x8x7x7xf32>) -> tensor<1x8x1x1xf32>
  return %0 : tensor<1x8x1x1xf32>
}

// -----

// An integer mean divides with divsi; reducing every axis gives a rank-0
// tensor, which keep_dims expands to 1x1.
// CHECK-DAG: #[[ALL:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<() -> ()>
// CHECK-LABEL: func.func @reduce_mean_int_all_axes
func.func @reduce_mean_int_all_axes(%x: tensor<2x3xi32>) -> tensor<1x1xi32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
  // CHECK: linalg.fill ins(%[[ZERO]] : i32) outs(%{{.*}} : tensor<i32>)
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[ALL]]], iterator_types = ["reduction", "reduction"]}
  // CHECK: arith.addi
  // CHECK: %[[N:.*]] = arith.constant 6 : i32
  // CHECK: linalg.generic {indexing_maps = [#[[SCALAR]], #[[SCALAR]]], iterator_types = []}
  // CHECK: arith.divsi %{{.*}}, %[[N]] : i32
  // CHECK: tensor.expand_shape %{{.*}} [] output_shape [1] : tensor<i32> into tensor<1xi32>
  // CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [1, 1] : tensor<1xi32> into tensor<1x1xi32>
  %0 = kiln.reduce_mean %x {axes = array<i64: 0, 1>, keep_dims = true} : (tensor<2x3xi32>) -> tensor<1x1xi32>
  return %0 : tensor<1x1xi32>
}

// -----

// reduce_prod starts from 1 and multiplies; integers use muli.
// CHECK-LABEL: func.func @reduce_prod
func.func @reduce_prod(%x: tensor<2x3xi32>, %y: tensor<2x3xf32>) -> (tensor<i32>, tensor<2xf32>) {
  // CHECK: %[[ONE:.*]] = arith.constant 1 : i32
  // CHECK: linalg.fill ins(%[[ONE]] : i32) outs(%{{.*}} : tensor<i32>)
  // CHECK: arith.muli %{{.*}}, %{{.*}} : i32
  %0 = kiln.reduce_prod %x {axes = array<i64: 0, 1>, keep_dims = false} : (tensor<2x3xi32>) -> tensor<i32>
  // CHECK: %[[FONE:.*]] = arith.constant 1.000000e+00 : f32
  // CHECK: linalg.fill ins(%[[FONE]] : f32) outs(%{{.*}} : tensor<2xf32>)
  // CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
  %1 = kiln.reduce_prod %y {axes = array<i64: 1>, keep_dims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0, %1 : tensor<i32>, tensor<2xf32>
}

// -----

// Float max/min start from -inf/+inf and combine NaN-propagating.
// CHECK-LABEL: func.func @reduce_max_min_float
func.func @reduce_max_min_float(%x: tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<2xf32>) {
  // CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<2xf32>)
  // CHECK: ^bb0(%[[X:.*]]: f32, %[[ACC:.*]]: f32):
  // CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[ACC]], %[[X]] : f32
  // CHECK-NEXT: %[[PICK:.*]] = arith.select %[[GT]], %[[ACC]], %[[X]] : f32
  // CHECK-NEXT: %[[NAN:.*]] = arith.cmpf uno, %[[ACC]], %[[ACC]] : f32
  // CHECK-NEXT: arith.select %[[NAN]], %[[ACC]], %[[PICK]] : f32
  // CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
  %0 = kiln.reduce_max %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  // CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
  // CHECK: linalg.fill ins(%[[INF]] : f32) outs(%{{.*}} : tensor<2xf32>)
  // CHECK: arith.cmpf olt
  %1 = kiln.reduce_min %x {axes = array<i64: 1>, keep_dims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0, %1 : tensor<2x1xf32>, tensor<2xf32>
}

// -----

// Integer max/min start from the signed extremes and use maxsi/minsi.
// CHECK-LABEL: func.func @reduce_max_min_int
func.func @reduce_max_min_int(%x: tensor<2x3xi8>) -> (tensor<3xi8>, tensor<3xi8>) {
  // CHECK: %[[LOWEST:.*]] = arith.constant -128 : i8
  // CHECK: linalg.fill ins(%[[LOWEST]] : i8)
  // CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
  // CHECK: arith.maxsi %{{.*}}, %{{.*}} : i8
  %0 = kiln.reduce_max %x {axes = array<i64: 0>, keep_dims = false} : (tensor<2x3xi8>) -> tensor<3xi8>
  // CHECK: %[[HIGHEST:.*]] = arith.constant 127 : i8
  // CHECK: linalg.fill ins(%[[HIGHEST]] : i8)
  // CHECK: arith.minsi %{{.*}}, %{{.*}} : i8
  %1 = kiln.reduce_min %x {axes = array<i64: 0>, keep_dims = false} : (tensor<2x3xi8>) -> tensor<3xi8>
  return %0, %1 : tensor<3xi8>, tensor<3xi8>
}

// -----

// softmax: max along the axis (kept as size 1 and broadcast back), x - max,
// exp, sum along the axis, exp / sum.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x5xf32>)
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]}
  // CHECK: arith.cmpf ogt
  // CHECK: %[[MAXK:.*]] = tensor.expand_shape %[[MAX]] {{\[}}[0, 1]] output_shape [2, 1] : tensor<2xf32> into tensor<2x1xf32>
  // CHECK: %[[SHIFTED:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[X]], %[[MAXK]] : tensor<2x5xf32>, tensor<2x1xf32>)
  // CHECK: arith.subf
  // CHECK: %[[EXP:.*]] = linalg.generic {{.*}} ins(%[[SHIFTED]] : tensor<2x5xf32>)
  // CHECK: math.exp
  // CHECK: %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[ROWS]]], iterator_types = ["parallel", "reduction"]} ins(%[[EXP]] : tensor<2x5xf32>)
  // CHECK: arith.addf
  // CHECK: %[[SUMK:.*]] = tensor.expand_shape %[[SUM]]
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[EXP]], %[[SUMK]] : tensor<2x5xf32>, tensor<2x1xf32>)
  // CHECK: arith.divf
  // CHECK-NOT: math.log
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// log_softmax along axis 0: (x - max) - log(sum(exp(x - max))), the kept
// axis broadcasting as (0, d1).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[COLS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[KEPT:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @log_softmax
func.func @log_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[COLS]]], iterator_types = ["reduction", "parallel"]}
  // CHECK: arith.cmpf ogt
  // CHECK: tensor.expand_shape %{{.*}} {{\[}}[0, 1]] output_shape [1, 5] : tensor<5xf32> into tensor<1x5xf32>
  // CHECK: %[[SHIFTED:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[ID]]]
  // CHECK: arith.subf
  // CHECK: math.exp
  // CHECK: arith.addf
  // CHECK: %[[SUMK:.*]] = tensor.expand_shape
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[KEPT]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[SHIFTED]], %[[SUMK]] : tensor<2x5xf32>, tensor<1x5xf32>)
  // CHECK-NEXT: ^bb0(%[[S:.*]]: f32, %[[TOTAL:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[LOG:.*]] = math.log %[[TOTAL]] : f32
  // CHECK-NEXT: arith.subf %[[S]], %[[LOG]] : f32
  // CHECK-NOT: arith.divf
  %0 = kiln.log_softmax %x {axis = 0 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// arg_max keeps the first index of a tie with a strict ogt; the index is
// linalg.index of the axis; keep_dims expands the i64 result.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @arg_max
func.func @arg_max(%x: tensor<2x10xf32>) -> tensor<2x1xi64> {
  // CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: %[[VALUES:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<2xf32>)
  // CHECK: %[[ZERO:.*]] = arith.constant 0 : i64
  // CHECK: %[[INDICES:.*]] = linalg.fill ins(%[[ZERO]] : i64) outs(%{{.*}} : tensor<2xi64>)
  // CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#[[IN]], #[[OUT]], #[[OUT]]], iterator_types = ["parallel", "reduction"]}
  // CHECK-SAME: outs(%[[VALUES]], %[[INDICES]] : tensor<2xf32>, tensor<2xi64>)
  // CHECK-NEXT: ^bb0(%[[X:.*]]: f32, %[[BEST:.*]]: f32, %[[BESTI:.*]]: i64):
  // CHECK-NEXT: %[[BETTER:.*]] = arith.cmpf ogt, %[[X]], %[[BEST]] : f32
  // CHECK-NEXT: %[[I:.*]] = linalg.index 1 : index
  // CHECK-NEXT: %[[I64:.*]] = arith.index_cast %[[I]] : index to i64
  // CHECK-NEXT: %[[V:.*]] = arith.select %[[BETTER]], %[[X]], %[[BEST]] : f32
  // CHECK-NEXT: %[[VI:.*]] = arith.select %[[BETTER]], %[[I64]], %[[BESTI]] : i64
  // CHECK-NEXT: linalg.yield %[[V]], %[[VI]] : f32, i64
  // CHECK: tensor.expand_shape %[[R]]#1 {{\[}}[0, 1]] output_shape [2, 1] : tensor<2xi64> into tensor<2x1xi64>
  %0 = kiln.arg_max %x {axis = 1 : i64, keep_dims = true, select_last_index = false} : (tensor<2x10xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// select_last_index makes the comparison non-strict (oge), so a later tie
// wins.
// CHECK-LABEL: func.func @arg_max_last
func.func @arg_max_last(%x: tensor<2x10xf32>) -> tensor<2xi64> {
  // CHECK: %[[R:.*]]:2 = linalg.generic
  // CHECK: arith.cmpf oge
  // CHECK-NOT: tensor.expand_shape
  // CHECK: return %[[R]]#1 : tensor<2xi64>
  %0 = kiln.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = true} : (tensor<2x10xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// arg_min along axis 0 starts from +inf and compares olt; the index is
// linalg.index 0.
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @arg_min_first
func.func @arg_min_first(%x: tensor<2x10xf32>) -> tensor<10xi64> {
  // CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
  // CHECK: linalg.fill ins(%[[INF]] : f32) outs(%{{.*}} : tensor<10xf32>)
  // CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[OUT]], #[[OUT]]], iterator_types = ["reduction", "parallel"]}
  // CHECK: arith.cmpf olt
  // CHECK: linalg.index 0 : index
  %0 = kiln.arg_min %x {axis = 0 : i64, keep_dims = false, select_last_index = false} : (tensor<2x10xf32>) -> tensor<10xi64>
  return %0 : tensor<10xi64>
}

// -----

// Integer inputs compare signed: sgt / sle, from the signed extremes.
// CHECK-LABEL: func.func @arg_reduce_int
func.func @arg_reduce_int(%x: tensor<2x10xi32>) -> (tensor<2xi64>, tensor<10xi64>) {
  // CHECK: arith.constant -2147483648 : i32
  // CHECK: arith.cmpi sgt
  %0 = kiln.arg_max %x {axis = 1 : i64, keep_dims = false, select_last_index = false} : (tensor<2x10xi32>) -> tensor<2xi64>
  // CHECK: arith.constant 2147483647 : i32
  // CHECK: arith.cmpi sle
  %1 = kiln.arg_min %x {axis = 0 : i64, keep_dims = false, select_last_index = true} : (tensor<2x10xi32>) -> tensor<10xi64>
  return %0, %1 : tensor<2xi64>, tensor<10xi64>
}
