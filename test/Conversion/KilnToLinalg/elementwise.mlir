// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
// Elementwise.cpp: every elementwise kiln op becomes an all-parallel
// linalg.generic into a tensor.empty; broadcasting lives in the indexing
// maps (right-aligned, size-1 dimensions read index 0).

// A rank-1 operand broadcasts along the leading dimension of the result.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
func.func @add_broadcast(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  // CHECK: %[[INIT:.*]] = tensor.empty() : tensor<4x3xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<3xf32>) outs(%[[INIT]] : tensor<4x3xf32>)
  // CHECK: arith.addf
  %0 = kiln.add %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Both operands broadcast: a size-1 dimension reads index 0 (d0, 0), a
// missing leading one is dropped from the map (d1).
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @sub_broadcast_both
func.func @sub_broadcast_both(%a: tensor<4x1xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[COL]], #[[ROW]], #[[ID]]]
  // CHECK: arith.subf %{{.*}}, %{{.*}} : f32
  %0 = kiln.sub %a, %b : (tensor<4x1xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A rank-0 operand is read through a map with no results.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @mul_scalar
func.func @mul_scalar(%a: tensor<2x3xf32>, %s: tensor<f32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]]]
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<f32>)
  // CHECK: arith.mulf
  %0 = kiln.mul %a, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A size-1 dimension that is also size 1 in the result keeps its dim expr.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @size_one_not_broadcast
func.func @size_one_not_broadcast(%a: tensor<1x3xf32>, %b: tensor<1x3xf32>) -> tensor<1x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ID]], #[[ID]]]
  %0 = kiln.add %a, %b : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

// Float arithmetic picks the f-variants: mulf, divf, math.powf, remf.
// CHECK-LABEL: func.func @float_arith
func.func @float_arith(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
  %0 = kiln.mul %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: arith.divf %{{.*}}, %{{.*}} : f32
  %1 = kiln.div %0, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: math.powf %{{.*}}, %{{.*}} : f32
  %2 = kiln.pow %1, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: arith.remf %{{.*}}, %{{.*}} : f32
  %3 = kiln.rem %2, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %3 : tensor<4xf32>
}

// -----

// Integer arithmetic picks the signed integer ops; pow is math.ipowi.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[BC:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @integer_arith
func.func @integer_arith(%a: tensor<4x3xi32>, %b: tensor<1x3xi32>) -> tensor<4x3xi32> {
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[BC]], #[[ID]]]
  // CHECK: arith.addi %{{.*}}, %{{.*}} : i32
  %0 = kiln.add %a, %b : (tensor<4x3xi32>, tensor<1x3xi32>) -> tensor<4x3xi32>
  // CHECK: arith.subi %{{.*}}, %{{.*}} : i32
  %1 = kiln.sub %0, %b : (tensor<4x3xi32>, tensor<1x3xi32>) -> tensor<4x3xi32>
  // CHECK: arith.muli %{{.*}}, %{{.*}} : i32
  %2 = kiln.mul %1, %b : (tensor<4x3xi32>, tensor<1x3xi32>) -> tensor<4x3xi32>
  // CHECK: arith.divsi %{{.*}}, %{{.*}} : i32
  %3 = kiln.div %2, %b : (tensor<4x3xi32>, tensor<1x3xi32>) -> tensor<4x3xi32>
  // CHECK: arith.remsi %{{.*}}, %{{.*}} : i32
  %4 = kiln.rem %3, %b : (tensor<4x3xi32>, tensor<1x3xi32>) -> tensor<4x3xi32>
  // CHECK: math.ipowi %{{.*}}, %{{.*}} : i32
  %5 = kiln.pow %4, %b : (tensor<4x3xi32>, tensor<1x3xi32>) -> tensor<4x3xi32>
  return %5 : tensor<4x3xi32>
}

// -----

// Float max/min are NaN-propagating compare-and-selects (no fmaximumf):
// pick by ogt/olt, then return lhs where lhs is NaN.
// CHECK-LABEL: func.func @float_max_min
func.func @float_max_min(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: ^bb0(%[[L:.*]]: f32, %[[R:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[L]], %[[R]] : f32
  // CHECK-NEXT: %[[PICK:.*]] = arith.select %[[GT]], %[[L]], %[[R]] : f32
  // CHECK-NEXT: %[[NAN:.*]] = arith.cmpf uno, %[[L]], %[[L]] : f32
  // CHECK-NEXT: %[[MAX:.*]] = arith.select %[[NAN]], %[[L]], %[[PICK]] : f32
  // CHECK-NEXT: linalg.yield %[[MAX]] : f32
  %0 = kiln.max %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK: ^bb0(%[[L2:.*]]: f32, %[[R2:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[LT:.*]] = arith.cmpf olt, %[[L2]], %[[R2]] : f32
  // CHECK-NEXT: %[[PICK2:.*]] = arith.select %[[LT]], %[[L2]], %[[R2]] : f32
  // CHECK-NEXT: %[[NAN2:.*]] = arith.cmpf uno, %[[L2]], %[[L2]] : f32
  // CHECK-NEXT: arith.select %[[NAN2]], %[[L2]], %[[PICK2]] : f32
  %1 = kiln.min %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  // CHECK-NOT: arith.maximumf
  // CHECK-NOT: arith.minimumf
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Integer max/min are signed.
// CHECK-LABEL: func.func @integer_max_min
func.func @integer_max_min(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  // CHECK: arith.maxsi %{{.*}}, %{{.*}} : i64
  %0 = kiln.max %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  // CHECK: arith.minsi %{{.*}}, %{{.*}} : i64
  %1 = kiln.min %0, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %1 : tensor<4xi64>
}

// -----

// Bitwise ops and shifts; shift_right is logical (zeros shift in).
// CHECK-LABEL: func.func @bitwise
func.func @bitwise(%a: tensor<4xi32>, %b: tensor<4xi32>, %p: tensor<4xi1>, %q: tensor<4xi1>)
    -> (tensor<4xi32>, tensor<4xi1>) {
  // CHECK: arith.andi %{{.*}}, %{{.*}} : i32
  %0 = kiln.and %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: arith.ori %{{.*}}, %{{.*}} : i32
  %1 = kiln.or %0, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: arith.xori %{{.*}}, %{{.*}} : i32
  %2 = kiln.xor %1, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: arith.shli %{{.*}}, %{{.*}} : i32
  %3 = kiln.shift_left %2, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: arith.shrui %{{.*}}, %{{.*}} : i32
  %4 = kiln.shift_right %3, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: arith.xori %{{.*}}, %{{.*}} : i1
  %5 = kiln.xor %p, %q : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  // CHECK-NOT: arith.shrsi
  return %4, %5 : tensor<4xi32>, tensor<4xi1>
}

// -----

// Float comparisons are ordered (false on NaN); the result is i1.
// CHECK-LABEL: func.func @float_compare
func.func @float_compare(%a: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  // CHECK: outs(%{{.*}} : tensor<4xi1>)
  // CHECK: arith.cmpf oeq, %{{.*}}, %{{.*}} : f32
  %0 = kiln.equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
  %1 = kiln.less %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  // CHECK: arith.cmpf ole, %{{.*}}, %{{.*}} : f32
  %2 = kiln.less_equal %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// Integer comparisons are signed.
// CHECK-LABEL: func.func @integer_compare
func.func @integer_compare(%a: tensor<4xi32>, %b: tensor<4xi32>)
    -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  // CHECK: arith.cmpi eq, %{{.*}}, %{{.*}} : i32
  %0 = kiln.equal %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  // CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : i32
  %1 = kiln.less %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  // CHECK: arith.cmpi sle, %{{.*}}, %{{.*}} : i32
  %2 = kiln.less_equal %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// select broadcasts all three operands; the body is arith.select.
// CHECK-DAG: #[[COND:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @select_broadcast
func.func @select_broadcast(%c: tensor<4x1xi1>, %a: tensor<4x3xf32>, %b: tensor<f32>) -> tensor<4x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[COND]], #[[ID]], #[[SCALAR]], #[[ID]]]
  // CHECK: ^bb0(%[[C:.*]]: i1, %[[T:.*]]: f32, %[[F:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[R:.*]] = arith.select %[[C]], %[[T]], %[[F]] : f32
  // CHECK-NEXT: linalg.yield %[[R]]
  %0 = kiln.select %c, %a, %b : (tensor<4x1xi1>, tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A comparison feeding a select: two generics, an i1 tensor in between.
// CHECK-LABEL: func.func @compare_select
func.func @compare_select(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  // CHECK: %[[MASK:.*]] = linalg.generic
  // CHECK: arith.cmpf olt
  // CHECK: } -> tensor<4x3xi1>
  // CHECK: linalg.generic {{.*}} ins(%[[MASK]], %{{.*}}, %{{.*}} : tensor<4x3xi1>, tensor<4x3xf32>, tensor<3xf32>)
  // CHECK: arith.select
  %0 = kiln.less %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
  %1 = kiln.select %0, %a, %b : (tensor<4x3xi1>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}

// -----

// Unary functions with a math op of the same name, one generic each.
// CHECK-LABEL: func.func @unary_math
func.func @unary_math(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: math.tanh %{{.*}} : f32
  %0 = kiln.tanh %x : tensor<8xf32>
  // CHECK: math.exp %{{.*}} : f32
  %1 = kiln.exp %0 : tensor<8xf32>
  // CHECK: math.log %{{.*}} : f32
  %2 = kiln.log %1 : tensor<8xf32>
  // CHECK: math.sqrt %{{.*}} : f32
  %3 = kiln.sqrt %2 : tensor<8xf32>
  // CHECK: math.erf %{{.*}} : f32
  %4 = kiln.erf %3 : tensor<8xf32>
  // CHECK: math.floor %{{.*}} : f32
  %5 = kiln.floor %4 : tensor<8xf32>
  // CHECK: math.ceil %{{.*}} : f32
  %6 = kiln.ceil %5 : tensor<8xf32>
  // CHECK: math.absf %{{.*}} : f32
  %7 = kiln.abs %6 : tensor<8xf32>
  // CHECK: arith.negf %{{.*}} : f32
  %8 = kiln.neg %7 : tensor<8xf32>
  return %8 : tensor<8xf32>
}

// -----

// Trigonometric and hyperbolic functions map to their math ops.
// CHECK-LABEL: func.func @trigonometric
func.func @trigonometric(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: math.sin %{{.*}} : f32
  %0 = kiln.sin %x : tensor<8xf32>
  // CHECK: math.cos %{{.*}} : f32
  %1 = kiln.cos %0 : tensor<8xf32>
  // CHECK: math.tan %{{.*}} : f32
  %2 = kiln.tan %1 : tensor<8xf32>
  // CHECK: math.asin %{{.*}} : f32
  %3 = kiln.asin %2 : tensor<8xf32>
  // CHECK: math.acos %{{.*}} : f32
  %4 = kiln.acos %3 : tensor<8xf32>
  // CHECK: math.atan %{{.*}} : f32
  %5 = kiln.atan %4 : tensor<8xf32>
  // CHECK: math.sinh %{{.*}} : f32
  %6 = kiln.sinh %5 : tensor<8xf32>
  // CHECK: math.cosh %{{.*}} : f32
  %7 = kiln.cosh %6 : tensor<8xf32>
  // CHECK: math.asinh %{{.*}} : f32
  %8 = kiln.asinh %7 : tensor<8xf32>
  // CHECK: math.acosh %{{.*}} : f32
  %9 = kiln.acosh %8 : tensor<8xf32>
  // CHECK: math.atanh %{{.*}} : f32
  %10 = kiln.atanh %9 : tensor<8xf32>
  return %10 : tensor<8xf32>
}

// -----

// Integer neg is 0 - x; integer abs is math.absi.
// CHECK-LABEL: func.func @integer_unary
func.func @integer_unary(%x: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK: ^bb0(%[[IN:.*]]: i32, %{{.*}}: i32):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0 : i32
  // CHECK-NEXT: arith.subi %[[ZERO]], %[[IN]] : i32
  %0 = kiln.neg %x : tensor<4xi32>
  // CHECK: math.absi %{{.*}} : i32
  %1 = kiln.abs %0 : tensor<4xi32>
  // CHECK-NOT: arith.negf
  // CHECK-NOT: math.absf
  return %1 : tensor<4xi32>
}

// -----

// relu is the NaN-propagating max with 0.
// CHECK-LABEL: func.func @relu
func.func @relu(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: %[[GT:.*]] = arith.cmpf ogt, %[[IN]], %[[ZERO]] : f32
  // CHECK-NEXT: %[[SEL:.*]] = arith.select %[[GT]], %[[IN]], %[[ZERO]] : f32
  // CHECK-NEXT: %[[NAN:.*]] = arith.cmpf uno, %[[IN]], %[[IN]] : f32
  // CHECK-NEXT: arith.select %[[NAN]], %[[IN]], %[[SEL]] : f32
  %0 = kiln.relu %x : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// sigmoid is 1 / (1 + exp(-x)).
// CHECK-LABEL: func.func @sigmoid
func.func @sigmoid(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
  // CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[IN]] : f32
  // CHECK-NEXT: %[[EXP:.*]] = math.exp %[[NEG]] : f32
  // CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
  // CHECK-NEXT: %[[R:.*]] = arith.divf %[[ONE]], %[[DEN]] : f32
  // CHECK-NEXT: linalg.yield %[[R]] : f32
  %0 = kiln.sigmoid %x : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// clamp is max with the lower bound, then min with the upper one, both
// constants from the f64 attributes.
// CHECK-LABEL: func.func @clamp
func.func @clamp(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
  // CHECK-DAG: %[[LO:.*]] = arith.constant -1.000000e+00 : f32
  // CHECK-DAG: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
  // CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[IN]], %[[LO]] : f32
  // CHECK-NEXT: %[[PICK:.*]] = arith.select %[[GT]], %[[IN]], %[[LO]] : f32
  // CHECK-NEXT: %[[NAN:.*]] = arith.cmpf uno, %[[IN]], %[[IN]] : f32
  // CHECK-NEXT: %[[MAX:.*]] = arith.select %[[NAN]], %[[IN]], %[[PICK]] : f32
  // CHECK-NEXT: %[[LT:.*]] = arith.cmpf olt, %[[MAX]], %[[HI]] : f32
  // CHECK-NEXT: arith.select %[[LT]], %[[MAX]], %[[HI]] : f32
  %0 = kiln.clamp %x {min = -1.0 : f64, max = 6.0 : f64} : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// leaky_relu is x >= 0 ? x : alpha * x.
// CHECK-LABEL: func.func @leaky_relu
func.func @leaky_relu(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
  // CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-DAG: %[[ALPHA:.*]] = arith.constant 2.500000e-01 : f32
  // CHECK: %[[POS:.*]] = arith.cmpf oge, %[[IN]], %[[ZERO]] : f32
  // CHECK: %[[SCALED:.*]] = arith.mulf %[[ALPHA]], %[[IN]] : f32
  // CHECK: arith.select %[[POS]], %[[IN]], %[[SCALED]] : f32
  %0 = kiln.leaky_relu %x {alpha = 0.25 : f64} : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// reciprocal is 1 / x.
// CHECK-LABEL: func.func @reciprocal
func.func @reciprocal(%x: tensor<8xf64>) -> tensor<8xf64> {
  // CHECK: ^bb0(%[[IN:.*]]: f64, %{{.*}}: f64):
  // CHECK-NEXT: %[[ONE:.*]] = arith.constant 1.000000e+00 : f64
  // CHECK-NEXT: arith.divf %[[ONE]], %[[IN]] : f64
  %0 = kiln.reciprocal %x : tensor<8xf64>
  return %0 : tensor<8xf64>
}

// -----

// Round half to even from roundf: ties take 2 * round(x / 2).
// CHECK-LABEL: func.func @round
func.func @round(%x: tensor<8xf32>) -> tensor<8xf32> {
  // CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
  // CHECK: %[[R:.*]] = math.round %[[IN]] : f32
  // CHECK: %[[D:.*]] = arith.subf %[[R]], %[[IN]] : f32
  // CHECK: %[[A:.*]] = math.absf %[[D]] : f32
  // CHECK: %[[TIE:.*]] = arith.cmpf oeq, %[[A]], %{{.*}} : f32
  // CHECK: %[[HALFX:.*]] = arith.mulf %[[IN]], %{{.*}} : f32
  // CHECK: %[[RH:.*]] = math.round %[[HALFX]] : f32
  // CHECK: %[[EVEN:.*]] = arith.mulf %{{.*}}, %[[RH]] : f32
  // CHECK: arith.select %[[TIE]], %[[EVEN]], %[[R]] : f32
  // CHECK-NOT: math.roundeven
  %0 = kiln.round %x : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// broadcast is a copy through a broadcasting map.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @broadcast
func.func @broadcast(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
  // CHECK-SAME: ins(%{{.*}} : tensor<3x1xf32>) outs(%{{.*}} : tensor<2x3x4xf32>)
  // CHECK-NEXT: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
  // CHECK-NEXT: linalg.yield %[[IN]] : f32
  %0 = kiln.broadcast %x : tensor<3x1xf32> to tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Casts between floats widen or narrow; to integer truncates toward zero.
// CHECK-LABEL: func.func @float_casts
func.func @float_casts(%f: tensor<4xf32>) -> (tensor<4xf64>, tensor<4xf16>, tensor<4xi8>, tensor<4xi1>) {
  // CHECK: arith.extf %{{.*}} : f32 to f64
  %0 = kiln.cast %f : tensor<4xf32> to tensor<4xf64>
  // CHECK: arith.truncf %{{.*}} : f32 to f16
  %1 = kiln.cast %f : tensor<4xf32> to tensor<4xf16>
  // CHECK: arith.fptosi %{{.*}} : f32 to i8
  %2 = kiln.cast %f : tensor<4xf32> to tensor<4xi8>
  // To i1: any non-zero value (NaN included) is true.
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NEXT: arith.cmpf une, %{{.*}}, %[[ZERO]] : f32
  %3 = kiln.cast %f : tensor<4xf32> to tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xf64>, tensor<4xf16>, tensor<4xi8>, tensor<4xi1>
}

// -----

// Between the two 16-bit floats, through f32 (every f16 and bf16 value is
// exact in f32), each way.
// CHECK-LABEL: func.func @half_casts
func.func @half_casts(%h: tensor<4xf16>, %b: tensor<4xbf16>) -> (tensor<4xbf16>, tensor<4xf16>) {
  // CHECK: %[[W:.*]] = arith.extf %{{.*}} : f16 to f32
  // CHECK-NEXT: arith.truncf %[[W]] : f32 to bf16
  %0 = kiln.cast %h : tensor<4xf16> to tensor<4xbf16>
  // CHECK: %[[V:.*]] = arith.extf %{{.*}} : bf16 to f32
  // CHECK-NEXT: arith.truncf %[[V]] : f32 to f16
  %1 = kiln.cast %b : tensor<4xbf16> to tensor<4xf16>
  return %0, %1 : tensor<4xbf16>, tensor<4xf16>
}

// -----

// float8 casts go through f32; `saturate` clamps to the largest finite
// value (448 for f8E4M3FN) with maximumf/minimumf, which keep NaN.
// CHECK-LABEL: func.func @float8_casts
func.func @float8_casts(%f: tensor<4xf32>, %h: tensor<4xf16>, %q: tensor<4xf8E5M2>,
                        %i: tensor<4xi32>)
    -> (tensor<4xf8E4M3FN>, tensor<4xf8E4M3FN>, tensor<4xf32>, tensor<4xf8E4M3FNUZ>,
        tensor<4xi64>, tensor<4xf8E5M2FNUZ>) {
  // CHECK: %[[LO:.*]] = arith.constant -4.480000e+02 : f32
  // CHECK-NEXT: %[[M:.*]] = arith.maximumf %{{.*}}, %[[LO]] : f32
  // CHECK-NEXT: %[[HI:.*]] = arith.constant 4.480000e+02 : f32
  // CHECK-NEXT: %[[C:.*]] = arith.minimumf %[[M]], %[[HI]] : f32
  // CHECK-NEXT: arith.truncf %[[C]] : f32 to f8E4M3FN
  %0 = kiln.cast %f {saturate} : tensor<4xf32> to tensor<4xf8E4M3FN>
  // Without saturate, the truncation alone.
  // CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: f8E4M3FN):
  // CHECK-NEXT: arith.truncf %[[IN]] : f32 to f8E4M3FN
  %1 = kiln.cast %f : tensor<4xf32> to tensor<4xf8E4M3FN>
  // CHECK: arith.extf %{{.*}} : f8E5M2 to f32
  %2 = kiln.cast %q : tensor<4xf8E5M2> to tensor<4xf32>
  // CHECK: %[[W:.*]] = arith.extf %{{.*}} : f16 to f32
  // CHECK-NEXT: arith.truncf %[[W]] : f32 to f8E4M3FNUZ
  %3 = kiln.cast %h : tensor<4xf16> to tensor<4xf8E4M3FNUZ>
  // CHECK: %[[E:.*]] = arith.extf %{{.*}} : f8E5M2 to f32
  // CHECK-NEXT: arith.fptosi %[[E]] : f32 to i64
  %4 = kiln.cast %q : tensor<4xf8E5M2> to tensor<4xi64>
  // CHECK: %[[S:.*]] = arith.sitofp %{{.*}} : i32 to f32
  // CHECK: arith.constant 5.734400e+04 : f32
  // CHECK: arith.truncf %{{.*}} : f32 to f8E5M2FNUZ
  %5 = kiln.cast %i {saturate} : tensor<4xi32> to tensor<4xf8E5M2FNUZ>
  return %0, %1, %2, %3, %4, %5 : tensor<4xf8E4M3FN>, tensor<4xf8E4M3FN>, tensor<4xf32>,
      tensor<4xf8E4M3FNUZ>, tensor<4xi64>, tensor<4xf8E5M2FNUZ>
}

// -----

// Integer casts: signed widening, truncation, signed to float; i1 is
// unsigned (0 or 1) in and compared with 0 out.
// CHECK-LABEL: func.func @integer_casts
func.func @integer_casts(%i: tensor<4xi32>, %b: tensor<4xi1>)
    -> (tensor<4xi64>, tensor<4xi8>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi1>) {
  // CHECK: arith.extsi %{{.*}} : i32 to i64
  %0 = kiln.cast %i : tensor<4xi32> to tensor<4xi64>
  // CHECK: arith.trunci %{{.*}} : i32 to i8
  %1 = kiln.cast %i : tensor<4xi32> to tensor<4xi8>
  // CHECK: arith.sitofp %{{.*}} : i32 to f32
  %2 = kiln.cast %i : tensor<4xi32> to tensor<4xf32>
  // CHECK: arith.uitofp %{{.*}} : i1 to f32
  %3 = kiln.cast %b : tensor<4xi1> to tensor<4xf32>
  // CHECK: arith.extui %{{.*}} : i1 to i32
  %4 = kiln.cast %b : tensor<4xi1> to tensor<4xi32>
  // CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
  // CHECK-NEXT: arith.cmpi ne, %{{.*}}, %[[ZERO]] : i32
  %5 = kiln.cast %i : tensor<4xi32> to tensor<4xi1>
  return %0, %1, %2, %3, %4, %5 : tensor<4xi64>, tensor<4xi8>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<4xi1>
}

// -----

// A cast to the operand's own type folds away during the conversion.
// CHECK-LABEL: func.func @identity_cast
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
func.func @identity_cast(%x: tensor<4xi32>) -> tensor<4xi32> {
  // CHECK-NOT: linalg.generic
  // CHECK: return %[[X]] : tensor<4xi32>
  %0 = kiln.cast %x : tensor<4xi32> to tensor<4xi32>
  return %0 : tensor<4xi32>
}
