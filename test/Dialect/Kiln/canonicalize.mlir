// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s
// Folders: identities disappear and ops on constants are evaluated.

// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @identities(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %zero = kiln.constant dense<0.0> : tensor<3xf32>
  %one = kiln.constant dense<1.0> : tensor<2x3xf32>
  %0 = kiln.add %x, %zero : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = kiln.mul %0, %one : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = kiln.transpose %1 {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = kiln.reshape %2 : tensor<2x3xf32> to tensor<6xf32>
  %4 = kiln.reshape %3 : tensor<6xf32> to tensor<2x3xf32>
  // CHECK-NOT: kiln.
  // CHECK: return %[[X]]
  return %4 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @fold_constants
func.func @fold_constants() -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %a = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[10.0, 20.0]> : tensor<2xf32>
  // CHECK-DAG: kiln.constant dense<{{\[}}[1.100000e+01, 2.200000e+01], [1.300000e+01, 2.400000e+01]]>
  %0 = kiln.add %a, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  // CHECK-DAG: kiln.constant dense<{{\[}}[1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]>
  %1 = kiln.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  // CHECK-NOT: kiln.add
  // CHECK-NOT: kiln.transpose
  return %0, %1 : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @fold_reshape_of_constant
func.func @fold_reshape_of_constant() -> tensor<4xf32> {
  %a = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
  %0 = kiln.reshape %a : tensor<2x2xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Comparisons, logic and select on constants fold, as in the Where/Equal
// shape arithmetic of exported `expand(n, -1, -1)`.
// CHECK-LABEL: func.func @fold_where_over_shape
func.func @fold_where_over_shape() -> (tensor<3xi64>, tensor<3xi1>, tensor<2xi1>) {
  // CHECK-DAG: %[[SHAPE:.*]] = kiln.constant dense<[1, 1, 768]> : tensor<3xi64>
  // CHECK-DAG: %[[MASK:.*]] = kiln.constant dense<[false, true, true]> : tensor<3xi1>
  // CHECK-DAG: %[[NAN:.*]] = kiln.constant dense<[false, true]> : tensor<2xi1>
  // CHECK: return %[[SHAPE]], %[[MASK]], %[[NAN]]
  %shape = kiln.constant dense<[1, -1, -1]> : tensor<3xi64>
  %minus = kiln.constant dense<-1> : tensor<i64>
  %ones = kiln.constant dense<[1, 1, 768]> : tensor<3xi64>
  %eq = kiln.equal %shape, %minus : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %sel = kiln.select %eq, %ones, %shape : (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  %t = kiln.constant dense<true> : tensor<i1>
  %le = kiln.less_equal %minus, %shape : (tensor<i64>, tensor<3xi64>) -> tensor<3xi1>
  %lt = kiln.less %shape, %minus : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %or = kiln.or %lt, %eq : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %and = kiln.and %or, %le : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %f = kiln.constant dense<[1.0, 0x7FC00000]> : tensor<2xf32>
  %self = kiln.equal %f, %f : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
  %nan = kiln.xor %self, %t : (tensor<2xi1>, tensor<i1>) -> tensor<2xi1>
  return %sel, %and, %nan : tensor<3xi64>, tensor<3xi1>, tensor<2xi1>
}

// -----

// Casts of constants fold with kiln.cast's semantics.
// CHECK-LABEL: func.func @fold_cast
func.func @fold_cast() -> (tensor<3xf32>, tensor<3xi32>, tensor<3xi1>, tensor<2xi64>) {
  // CHECK-DAG: kiln.constant dense<[-1.000000e+00, 0.000000e+00, 3.000000e+00]> : tensor<3xf32>
  // CHECK-DAG: kiln.constant dense<[-2, 0, 2]> : tensor<3xi32>
  // CHECK-DAG: kiln.constant dense<[true, false, true]> : tensor<3xi1>
  // CHECK-DAG: kiln.constant dense<[-1, 1]> : tensor<2xi64>
  // CHECK-NOT: kiln.cast
  %i = kiln.constant dense<[-1, 0, 3]> : tensor<3xi8>
  %f = kiln.constant dense<[-2.7, 0.4, 2.9]> : tensor<3xf32>
  %n = kiln.constant dense<[-1, 1]> : tensor<2xi8>
  %0 = kiln.cast %i : tensor<3xi8> to tensor<3xf32>
  %1 = kiln.cast %f : tensor<3xf32> to tensor<3xi32>
  %2 = kiln.cast %i : tensor<3xi8> to tensor<3xi1>
  %3 = kiln.cast %n : tensor<2xi8> to tensor<2xi64>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<3xi32>, tensor<3xi1>, tensor<2xi64>
}

// -----

// float8 casts of constants: to nearest even; an overflow saturates with
// `saturate`, and is NaN (f8E4M3FN has no infinity) or infinity (f8E5M2)
// without it; NaN stays NaN; integers saturate too.
// CHECK-LABEL: func.func @fold_float8_cast
func.func @fold_float8_cast() -> (tensor<4xf8E4M3FN>, tensor<4xf8E4M3FN>, tensor<2xf8E5M2>,
                                  tensor<2xf8E5M2FNUZ>) {
  // CHECK-DAG: kiln.constant dense<[1.000000e+00, 4.480000e+02, -4.480000e+02, 0x7F]> : tensor<4xf8E4M3FN>
  // CHECK-DAG: kiln.constant dense<[1.000000e+00, 0x7F, 0xFF, 0x7F]> : tensor<4xf8E4M3FN>
  // CHECK-DAG: kiln.constant dense<[0x7C, 5.734400e+04]> : tensor<2xf8E5M2>
  // CHECK-DAG: kiln.constant dense<[5.734400e+04, -5.734400e+04]> : tensor<2xf8E5M2FNUZ>
  // CHECK-NOT: kiln.cast
  %f = kiln.constant dense<[1.0625, 1000.0, 0xFF800000, 0x7FC00000]> : tensor<4xf32>
  %g = kiln.constant dense<[1.0e6, 6.0e4]> : tensor<2xf32>
  %i = kiln.constant dense<[100000, -100000]> : tensor<2xi32>
  %0 = kiln.cast %f {saturate} : tensor<4xf32> to tensor<4xf8E4M3FN>
  %1 = kiln.cast %f : tensor<4xf32> to tensor<4xf8E4M3FN>
  %2 = kiln.cast %g : tensor<2xf32> to tensor<2xf8E5M2>
  %3 = kiln.cast %i {saturate} : tensor<2xi32> to tensor<2xf8E5M2FNUZ>
  return %0, %1, %2, %3 : tensor<4xf8E4M3FN>, tensor<4xf8E4M3FN>, tensor<2xf8E5M2>,
      tensor<2xf8E5M2FNUZ>
}

// -----

// kiln.constant folds to its value: identical constants are uniqued.
// CHECK-LABEL: func.func @fold_constant_uniqued
func.func @fold_constant_uniqued() -> (tensor<2xf32>, tensor<2xf32>) {
  // CHECK: %[[C:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK-NOT: kiln.constant
  // CHECK: return %[[C]], %[[C]]
  %a = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = kiln.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %a, %b : tensor<2xf32>, tensor<2xf32>
}

// -----

// Float unary ops on constants: neg, abs, relu, floor (toward -inf), ceil
// (toward +inf, -0.5 gives -0.0).
// CHECK-LABEL: func.func @fold_unary_float
func.func @fold_unary_float() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK-DAG: %[[NEG:.*]] = kiln.constant dense<[2.500000e+00, 5.000000e-01, -5.000000e-01, -3.000000e+00]> : tensor<4xf32>
  // CHECK-DAG: %[[ABS:.*]] = kiln.constant dense<[2.500000e+00, 5.000000e-01, 5.000000e-01, 3.000000e+00]> : tensor<4xf32>
  // CHECK-DAG: %[[RELU:.*]] = kiln.constant dense<[0.000000e+00, 0.000000e+00, 5.000000e-01, 3.000000e+00]> : tensor<4xf32>
  // CHECK-DAG: %[[FLOOR:.*]] = kiln.constant dense<[-3.000000e+00, -1.000000e+00, 0.000000e+00, 3.000000e+00]> : tensor<4xf32>
  // CHECK-DAG: %[[CEIL:.*]] = kiln.constant dense<[-2.000000e+00, -0.000000e+00, 1.000000e+00, 3.000000e+00]> : tensor<4xf32>
  // CHECK: return %[[NEG]], %[[ABS]], %[[RELU]], %[[FLOOR]], %[[CEIL]]
  %f = kiln.constant dense<[-2.5, -0.5, 0.5, 3.0]> : tensor<4xf32>
  %0 = kiln.neg %f : tensor<4xf32>
  %1 = kiln.abs %f : tensor<4xf32>
  %2 = kiln.relu %f : tensor<4xf32>
  %3 = kiln.floor %f : tensor<4xf32>
  %4 = kiln.ceil %f : tensor<4xf32>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// relu keeps NaN, whatever its sign bit, as the lowered relu does; -0.0
// becomes +0.0.
// CHECK-LABEL: func.func @fold_relu_nan
func.func @fold_relu_nan() -> tensor<4xf32> {
  // CHECK: %[[R:.*]] = kiln.constant dense<[0xFFC00000, 0x7FC00000, 0.000000e+00, 0.000000e+00]> : tensor<4xf32>
  // CHECK: return %[[R]]
  %f = kiln.constant dense<[0xFFC00000, 0x7FC00000, -1.0, -0.0]> : tensor<4xf32>
  %0 = kiln.relu %f : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Integer neg and abs wrap like the lowered code: INT_MIN stays INT_MIN.
// CHECK-LABEL: func.func @fold_unary_int
func.func @fold_unary_int() -> (tensor<3xi32>, tensor<3xi32>) {
  // CHECK-DAG: %[[NEG:.*]] = kiln.constant dense<[3, 0, -2147483648]> : tensor<3xi32>
  // CHECK-DAG: %[[ABS:.*]] = kiln.constant dense<[5, 0, -2147483648]> : tensor<3xi32>
  // CHECK-NOT: kiln.neg
  // CHECK-NOT: kiln.abs
  // CHECK: return %[[NEG]], %[[ABS]]
  %i = kiln.constant dense<[-3, 0, -2147483648]> : tensor<3xi32>
  %j = kiln.constant dense<[-5, 0, -2147483648]> : tensor<3xi32>
  %0 = kiln.neg %i : tensor<3xi32>
  %1 = kiln.abs %j : tensor<3xi32>
  return %0, %1 : tensor<3xi32>, tensor<3xi32>
}

// -----

// Unary ops on non-constants stay.
// CHECK-LABEL: func.func @unary_not_constant
func.func @unary_not_constant(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: kiln.neg
  // CHECK: kiln.abs
  // CHECK: kiln.relu
  // CHECK: kiln.floor
  // CHECK: kiln.ceil
  %0 = kiln.neg %x : tensor<4xf32>
  %1 = kiln.abs %0 : tensor<4xf32>
  %2 = kiln.relu %1 : tensor<4xf32>
  %3 = kiln.floor %2 : tensor<4xf32>
  %4 = kiln.ceil %3 : tensor<4xf32>
  return %4 : tensor<4xf32>
}

// -----

// Integer add, sub and mul of constants are evaluated with broadcasting;
// integer div is not.
// CHECK-LABEL: func.func @fold_int_arith
func.func @fold_int_arith() -> (tensor<2x2xi32>, tensor<2x2xi32>, tensor<2x2xi32>, tensor<2x2xi32>) {
  // CHECK-DAG: %[[A:.*]] = kiln.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi32>
  // CHECK-DAG: %[[B:.*]] = kiln.constant dense<[10, -20]> : tensor<2xi32>
  // CHECK-DAG: %[[ADD:.*]] = kiln.constant dense<{{\[}}[11, -18], [13, -16]]> : tensor<2x2xi32>
  // CHECK-DAG: %[[SUB:.*]] = kiln.constant dense<{{\[}}[-9, 22], [-7, 24]]> : tensor<2x2xi32>
  // CHECK-DAG: %[[MUL:.*]] = kiln.constant dense<{{\[}}[10, -40], [30, -80]]> : tensor<2x2xi32>
  // CHECK: %[[DIV:.*]] = kiln.div %[[A]], %[[B]]
  // CHECK: return %[[ADD]], %[[SUB]], %[[MUL]], %[[DIV]]
  %a = kiln.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %b = kiln.constant dense<[10, -20]> : tensor<2xi32>
  %0 = kiln.add %a, %b : (tensor<2x2xi32>, tensor<2xi32>) -> tensor<2x2xi32>
  %1 = kiln.sub %a, %b : (tensor<2x2xi32>, tensor<2xi32>) -> tensor<2x2xi32>
  %2 = kiln.mul %a, %b : (tensor<2x2xi32>, tensor<2xi32>) -> tensor<2x2xi32>
  %3 = kiln.div %a, %b : (tensor<2x2xi32>, tensor<2xi32>) -> tensor<2x2xi32>
  return %0, %1, %2, %3 : tensor<2x2xi32>, tensor<2x2xi32>, tensor<2x2xi32>, tensor<2x2xi32>
}

// -----

// Arithmetic on i1 constants is not evaluated.
// CHECK-LABEL: func.func @i1_arith_not_folded
func.func @i1_arith_not_folded() -> tensor<2xi1> {
  // CHECK: kiln.add
  %a = kiln.constant dense<[true, false]> : tensor<2xi1>
  %b = kiln.constant dense<[true, true]> : tensor<2xi1>
  %0 = kiln.add %a, %b : (tensor<2xi1>, tensor<2xi1>) -> tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// Float sub, mul and div of constants, broadcasting a rank-0 operand.
// CHECK-LABEL: func.func @fold_float_arith
func.func @fold_float_arith() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  // CHECK-DAG: %[[SUB:.*]] = kiln.constant dense<[-3.000000e+00, 2.000000e+00]> : tensor<2xf32>
  // CHECK-DAG: %[[MUL:.*]] = kiln.constant dense<[4.000000e+00, 2.400000e+01]> : tensor<2xf32>
  // CHECK-DAG: %[[DIV:.*]] = kiln.constant dense<[2.500000e-01, 1.500000e+00]> : tensor<2xf32>
  // CHECK: return %[[SUB]], %[[MUL]], %[[DIV]]
  %a = kiln.constant dense<[1.0, 6.0]> : tensor<2xf32>
  %b = kiln.constant dense<4.0> : tensor<f32>
  %0 = kiln.sub %a, %b : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %1 = kiln.mul %a, %b : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %2 = kiln.div %a, %b : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// 0 + x, x - 0, 1 * x and x / 1 fold to x.
// CHECK-LABEL: func.func @more_identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @more_identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK-NOT: kiln.add
  // CHECK-NOT: kiln.sub
  // CHECK-NOT: kiln.mul
  // CHECK-NOT: kiln.div
  // CHECK: return %[[X]], %[[X]], %[[X]], %[[X]]
  %z = kiln.constant dense<0.0> : tensor<2x3xf32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.add %z, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.sub %x, %z : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = kiln.mul %one, %x : (tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = kiln.div %x, %one : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// The identities need the neutral element on the right side for sub and
// div, a result of x's own type (no broadcast of x), and a float splat.
// CHECK-LABEL: func.func @identities_guarded
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[V:.*]]: tensor<3xf32>, %[[I:.*]]: tensor<2x3xi32>)
func.func @identities_guarded(%x: tensor<2x3xf32>, %v: tensor<3xf32>, %i: tensor<2x3xi32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi32>) {
  // CHECK-DAG: %[[IONE:.*]] = kiln.constant dense<1> : tensor<2x3xi32>
  // CHECK-DAG: %[[ZERO:.*]] = kiln.constant dense<0.000000e+00> : tensor<2x3xf32>
  // CHECK-DAG: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<2x3xf32>
  // CHECK: %[[SUB:.*]] = kiln.sub %[[ZERO]], %[[X]]
  // CHECK: %[[DIV:.*]] = kiln.div %[[ONE]], %[[X]]
  // CHECK: %[[ADD:.*]] = kiln.add %[[V]], %[[ZERO]] : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[MUL:.*]] = kiln.mul %[[V]], %[[ONE]] : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[IMUL:.*]] = kiln.mul %[[I]], %[[IONE]]
  // CHECK: return %[[SUB]], %[[DIV]], %[[ADD]], %[[MUL]], %[[IMUL]]
  %z = kiln.constant dense<0.0> : tensor<2x3xf32>
  %one = kiln.constant dense<1.0> : tensor<2x3xf32>
  %ione = kiln.constant dense<1> : tensor<2x3xi32>
  %0 = kiln.sub %z, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.div %one, %x : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = kiln.add %v, %z : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = kiln.mul %v, %one : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = kiln.mul %i, %ione : (tensor<2x3xi32>, tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi32>
}

// -----

// Bitwise ops on integer constants wider than i1.
// CHECK-LABEL: func.func @fold_bitwise_int
func.func @fold_bitwise_int() -> (tensor<2xi8>, tensor<2xi8>, tensor<2xi8>) {
  // CHECK-DAG: %[[AND:.*]] = kiln.constant dense<[8, 15]> : tensor<2xi8>
  // CHECK-DAG: %[[OR:.*]] = kiln.constant dense<[14, -1]> : tensor<2xi8>
  // CHECK-DAG: %[[XOR:.*]] = kiln.constant dense<[6, -16]> : tensor<2xi8>
  // CHECK: return %[[AND]], %[[OR]], %[[XOR]]
  %c = kiln.constant dense<[12, -1]> : tensor<2xi8>
  %d = kiln.constant dense<[10, 15]> : tensor<2xi8>
  %0 = kiln.and %c, %d : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %1 = kiln.or %c, %d : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %2 = kiln.xor %c, %d : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %0, %1, %2 : tensor<2xi8>, tensor<2xi8>, tensor<2xi8>
}

// -----

// Bitwise ops with a non-constant operand stay.
// CHECK-LABEL: func.func @bitwise_not_constant
func.func @bitwise_not_constant(%x: tensor<2xi8>) -> tensor<2xi8> {
  // CHECK: kiln.and
  // CHECK: kiln.or
  // CHECK: kiln.xor
  %c = kiln.constant dense<[12, -1]> : tensor<2xi8>
  %0 = kiln.and %x, %c : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %1 = kiln.or %0, %c : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %2 = kiln.xor %1, %c : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  return %2 : tensor<2xi8>
}

// -----

// Float comparisons of constants: NaN compares false, -0.0 == 0.0.
// CHECK-LABEL: func.func @fold_compare_float
func.func @fold_compare_float() -> (tensor<2xi1>, tensor<2xi1>, tensor<2xi1>) {
  // CHECK-DAG: %[[TF:.*]] = kiln.constant dense<[true, false]> : tensor<2xi1>
  // CHECK-DAG: %[[TT:.*]] = kiln.constant dense<true> : tensor<2xi1>
  // CHECK-NOT: kiln.less
  // CHECK-NOT: kiln.equal
  // CHECK: return %[[TF]], %[[TF]], %[[TT]]
  %n = kiln.constant dense<[1.0, 0x7FC00000]> : tensor<2xf32>
  %four = kiln.constant dense<4.0> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.less %n, %four : (tensor<2xf32>, tensor<f32>) -> tensor<2xi1>
  %1 = kiln.less_equal %n, %one : (tensor<2xf32>, tensor<f32>) -> tensor<2xi1>
  %z = kiln.constant dense<[0.0, -0.0]> : tensor<2xf32>
  %pz = kiln.constant dense<0.0> : tensor<f32>
  %2 = kiln.equal %z, %pz : (tensor<2xf32>, tensor<f32>) -> tensor<2xi1>
  return %0, %1, %2 : tensor<2xi1>, tensor<2xi1>, tensor<2xi1>
}

// -----

// Comparisons with a non-constant operand stay.
// CHECK-LABEL: func.func @compare_not_constant
func.func @compare_not_constant(%x: tensor<3xi64>) -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  // CHECK: kiln.equal
  // CHECK: kiln.less
  // CHECK: kiln.less_equal
  %c = kiln.constant dense<-1> : tensor<i64>
  %0 = kiln.equal %x, %c : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %1 = kiln.less %x, %c : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %2 = kiln.less_equal %x, %c : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  return %0, %1, %2 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// select of one value on both sides is that value, unless the condition
// broadcasts it to a larger shape; a constant condition alone does not
// fold (the values must be constants too).
// CHECK-LABEL: func.func @select_same_value
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<f32>)
func.func @select_same_value(%c: tensor<4xi1>, %x: tensor<4xf32>, %y: tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  // CHECK-DAG: %[[T:.*]] = kiln.constant dense<true> : tensor<4xi1>
  // CHECK-DAG: %[[BC:.*]] = kiln.select %[[C]], %[[Y]], %[[Y]] : (tensor<4xi1>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  // CHECK-DAG: %[[CT:.*]] = kiln.select %[[T]], %[[X]], %[[Y]]
  // CHECK: return %[[X]], %[[BC]], %[[CT]]
  %0 = kiln.select %c, %x, %x : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = kiln.select %c, %y, %y : (tensor<4xi1>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  %t = kiln.constant dense<true> : tensor<4xi1>
  %2 = kiln.select %t, %x, %y : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// More casts: to the same type is the operand; float narrowing rounds to
// nearest even (65520 overflows f16 to inf); i1 to float is 0 or 1;
// integer narrowing truncates the bits.
// CHECK-LABEL: func.func @fold_cast_more
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
func.func @fold_cast_more(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<3xf16>, tensor<2xf32>, tensor<2xi8>) {
  // CHECK-DAG: %[[H:.*]] = kiln.constant dense<[1.000000e+00, 0x7C00, 9.997550e-02]> : tensor<3xf16>
  // CHECK-DAG: %[[B:.*]] = kiln.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
  // CHECK-DAG: %[[T:.*]] = kiln.constant dense<[44, 127]> : tensor<2xi8>
  // CHECK-NOT: kiln.cast
  // CHECK: return %[[X]], %[[H]], %[[B]], %[[T]]
  %0 = kiln.cast %x : tensor<4xf32> to tensor<4xf32>
  %c = kiln.constant dense<[1.0, 65520.0, 0.1]> : tensor<3xf32>
  %1 = kiln.cast %c : tensor<3xf32> to tensor<3xf16>
  %b = kiln.constant dense<[true, false]> : tensor<2xi1>
  %2 = kiln.cast %b : tensor<2xi1> to tensor<2xf32>
  %w = kiln.constant dense<[300, -129]> : tensor<2xi32>
  %3 = kiln.cast %w : tensor<2xi32> to tensor<2xi8>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<3xf16>, tensor<2xf32>, tensor<2xi8>
}

// -----

// Elementwise evaluation of comparisons, select, logic and casts stops at
// 4096 elements.
// CHECK-LABEL: func.func @fold_element_limit
func.func @fold_element_limit() -> (tensor<4096xi1>, tensor<4097xi1>, tensor<4097xf32>) {
  // CHECK-DAG: %[[FOLDED:.*]] = kiln.constant dense<true> : tensor<4096xi1>
  // CHECK-DAG: %[[BIG:.*]] = kiln.constant dense<1> : tensor<4097xi32>
  // CHECK-DAG: %[[EQ:.*]] = kiln.equal %[[BIG]], %[[BIG]] : (tensor<4097xi32>, tensor<4097xi32>) -> tensor<4097xi1>
  // CHECK-DAG: %[[CAST:.*]] = kiln.cast %[[BIG]] : tensor<4097xi32> to tensor<4097xf32>
  // CHECK: return %[[FOLDED]], %[[EQ]], %[[CAST]]
  %a = kiln.constant dense<1> : tensor<4096xi32>
  %0 = kiln.equal %a, %a : (tensor<4096xi32>, tensor<4096xi32>) -> tensor<4096xi1>
  %b = kiln.constant dense<1> : tensor<4097xi32>
  %1 = kiln.equal %b, %b : (tensor<4097xi32>, tensor<4097xi32>) -> tensor<4097xi1>
  %2 = kiln.cast %b : tensor<4097xi32> to tensor<4097xf32>
  return %0, %1, %2 : tensor<4096xi1>, tensor<4097xi1>, tensor<4097xf32>
}

// -----

// Transposes of constants: a splat is resized; a rank-3 constant is
// permuted (result dim i is input dim perm[i]). A transpose of a
// non-constant with a real permutation stays.
// CHECK-LABEL: func.func @fold_transpose_more
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @fold_transpose_more(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<3x4x2xi32>, tensor<3x2xf32>) {
  // CHECK-DAG: %[[SPLAT:.*]] = kiln.constant dense<1.000000e+00> : tensor<3x2xf32>
  // CHECK-DAG: %[[PERM:.*]] = kiln.constant dense<{{\[\[\[}}0, 12], [1, 13], [2, 14], [3, 15]], {{\[\[}}4, 16], [5, 17], [6, 18], [7, 19]], {{\[\[}}8, 20], [9, 21], [10, 22], [11, 23]]]> : tensor<3x4x2xi32>
  // CHECK-DAG: %[[T:.*]] = kiln.transpose %[[X]] {perm = array<i64: 1, 0>}
  // CHECK: return %[[SPLAT]], %[[PERM]], %[[T]]
  %s = kiln.constant dense<1.0> : tensor<2x3xf32>
  %0 = kiln.transpose %s {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %c = kiln.constant dense<[[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], [[12, 13, 14, 15], [16, 17, 18, 19], [20, 21, 22, 23]]]> : tensor<2x3x4xi32>
  %1 = kiln.transpose %c {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xi32>) -> tensor<3x4x2xi32>
  %2 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0, %1, %2 : tensor<3x2xf32>, tensor<3x4x2xi32>, tensor<3x2xf32>
}

// -----

// A reshape of a reshape reads the original tensor; the inner reshape
// stays only while something else uses it.
// CHECK-LABEL: func.func @fold_reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @fold_reshape_of_reshape(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<1x6xf32>, tensor<6xf32>) {
  // CHECK-DAG: %[[FLAT:.*]] = kiln.reshape %[[X]] : tensor<2x3xf32> to tensor<6xf32>
  // CHECK-DAG: %[[A:.*]] = kiln.reshape %[[X]] : tensor<2x3xf32> to tensor<3x2xf32>
  // CHECK-DAG: %[[B:.*]] = kiln.reshape %[[X]] : tensor<2x3xf32> to tensor<1x6xf32>
  // CHECK: return %[[A]], %[[B]], %[[FLAT]]
  %0 = kiln.reshape %x : tensor<2x3xf32> to tensor<6xf32>
  %1 = kiln.reshape %0 : tensor<6xf32> to tensor<3x2xf32>
  %2 = kiln.reshape %1 : tensor<3x2xf32> to tensor<1x6xf32>
  return %1, %2, %0 : tensor<3x2xf32>, tensor<1x6xf32>, tensor<6xf32>
}

// -----

// A broadcast to its own type is its input; a broadcast splat constant is
// a larger splat. Non-splat constants are not materialized larger.
// CHECK-LABEL: func.func @fold_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[V:.*]]: tensor<3xf32>)
func.func @fold_broadcast(%x: tensor<2x3xf32>, %v: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<4x2xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  // CHECK-DAG: %[[SPLAT:.*]] = kiln.constant dense<2.000000e+00> : tensor<4x2xf32>
  // CHECK-DAG: %[[C:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
  // CHECK-DAG: %[[BC:.*]] = kiln.broadcast %[[C]] : tensor<3xf32> to tensor<2x3xf32>
  // CHECK-DAG: %[[BV:.*]] = kiln.broadcast %[[V]] : tensor<3xf32> to tensor<2x3xf32>
  // CHECK: return %[[X]], %[[SPLAT]], %[[BC]], %[[BV]]
  %0 = kiln.broadcast %x : tensor<2x3xf32> to tensor<2x3xf32>
  %s = kiln.constant dense<2.0> : tensor<1x2xf32>
  %1 = kiln.broadcast %s : tensor<1x2xf32> to tensor<4x2xf32>
  %c = kiln.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %2 = kiln.broadcast %c : tensor<3xf32> to tensor<2x3xf32>
  %3 = kiln.broadcast %v : tensor<3xf32> to tensor<2x3xf32>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<4x2xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// A concat of one input is that input; of two it stays.
// CHECK-LABEL: func.func @fold_concat
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @fold_concat(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<4x3xf32>) {
  // CHECK: %[[TWO:.*]] = kiln.concat %[[X]], %[[X]] {axis = 0 : i64}
  // CHECK: return %[[X]], %[[TWO]]
  %0 = kiln.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = kiln.concat %x, %x {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<4x3xf32>
}

// -----

// A slice of the whole tensor is the tensor; a slice of a splat constant
// is a smaller splat. A real window, and a window of a non-splat constant,
// stay.
// CHECK-LABEL: func.func @fold_slice
// CHECK-SAME: (%[[X:.*]]: tensor<4x3xf32>)
func.func @fold_slice(%x: tensor<4x3xf32>) -> (tensor<4x3xf32>, tensor<2x3xf32>, tensor<2x2xf32>, tensor<2xf32>) {
  // CHECK-DAG: %[[SPLAT:.*]] = kiln.constant dense<5.000000e+00> : tensor<2x2xf32>
  // CHECK-DAG: %[[C:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
  // CHECK-DAG: %[[WIN:.*]] = kiln.slice %[[X]] {offsets = array<i64: 1, 0>
  // CHECK-DAG: %[[CWIN:.*]] = kiln.slice %[[C]]
  // CHECK: return %[[X]], %[[WIN]], %[[SPLAT]], %[[CWIN]]
  %0 = kiln.slice %x {offsets = array<i64: 0, 0>, sizes = array<i64: 4, 3>, strides = array<i64: 1, 1>} : (tensor<4x3xf32>) -> tensor<4x3xf32>
  %1 = kiln.slice %x {offsets = array<i64: 1, 0>, sizes = array<i64: 2, 3>, strides = array<i64: 1, 1>} : (tensor<4x3xf32>) -> tensor<2x3xf32>
  %s = kiln.constant dense<5.0> : tensor<4x3xf32>
  %2 = kiln.slice %s {offsets = array<i64: 1, 1>, sizes = array<i64: 2, 2>, strides = array<i64: 2, 1>} : (tensor<4x3xf32>) -> tensor<2x2xf32>
  %c = kiln.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %3 = kiln.slice %c {offsets = array<i64: 1>, sizes = array<i64: 2>, strides = array<i64: 1>} : (tensor<4xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3 : tensor<4x3xf32>, tensor<2x3xf32>, tensor<2x2xf32>, tensor<2xf32>
}

// -----

// Gathers from constants are evaluated: negative indices wrap (-1 is the
// last row), out-of-range ones clamp (5 reads row 2), on the leading axis
// (rows copied as bytes), on an inner axis, from i1 data (element by
// element) and from a splat.
// CHECK-LABEL: func.func @fold_gather
func.func @fold_gather() -> (tensor<2x2x2xf32>, tensor<3x2xi32>, tensor<2xi1>, tensor<4x2xf32>) {
  // CHECK-DAG: %[[ROWS:.*]] = kiln.constant dense<{{\[\[\[}}5.000000e+00, 6.000000e+00], [1.000000e+00, 2.000000e+00]], {{\[\[}}5.000000e+00, 6.000000e+00], [3.000000e+00, 4.000000e+00]]]> : tensor<2x2x2xf32>
  // CHECK-DAG: %[[COLS:.*]] = kiln.constant dense<{{\[}}[3, 1], [6, 4], [9, 7]]> : tensor<3x2xi32>
  // CHECK-DAG: %[[BOOLS:.*]] = kiln.constant dense<[false, true]> : tensor<2xi1>
  // CHECK-DAG: %[[SPLAT:.*]] = kiln.constant dense<7.000000e+00> : tensor<4x2xf32>
  // CHECK-NOT: kiln.gather
  // CHECK: return %[[ROWS]], %[[COLS]], %[[BOOLS]], %[[SPLAT]]
  %t = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %i = kiln.constant dense<[[-1, 0], [5, 1]]> : tensor<2x2xi64>
  %0 = kiln.gather %t, %i {axis = 0 : i64} : (tensor<3x2xf32>, tensor<2x2xi64>) -> tensor<2x2x2xf32>
  %m = kiln.constant dense<[[1, 2, 3], [4, 5, 6], [7, 8, 9]]> : tensor<3x3xi32>
  %k = kiln.constant dense<[2, -3]> : tensor<2xi64>
  %1 = kiln.gather %m, %k {axis = 1 : i64} : (tensor<3x3xi32>, tensor<2xi64>) -> tensor<3x2xi32>
  %b = kiln.constant dense<[true, false, false]> : tensor<3xi1>
  %j = kiln.constant dense<[2, 0]> : tensor<2xi32>
  %2 = kiln.gather %b, %j {axis = 0 : i64} : (tensor<3xi1>, tensor<2xi32>) -> tensor<2xi1>
  %s = kiln.constant dense<7.0> : tensor<5x2xf32>
  %l = kiln.constant dense<[0, 1, 2, 3]> : tensor<4xi64>
  %3 = kiln.gather %s, %l {axis = 0 : i64} : (tensor<5x2xf32>, tensor<4xi64>) -> tensor<4x2xf32>
  return %0, %1, %2, %3 : tensor<2x2x2xf32>, tensor<3x2xi32>, tensor<2xi1>, tensor<4x2xf32>
}

// -----

// A gather needs both the data and the indices constant.
// CHECK-LABEL: func.func @gather_not_constant
func.func @gather_not_constant(%t: tensor<3x2xf32>, %i: tensor<2xi64>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  // CHECK: kiln.gather %arg0, %arg1
  // CHECK: kiln.gather %{{.*}}, %arg1
  %0 = kiln.gather %t, %i {axis = 0 : i64} : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  %c = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %1 = kiln.gather %c, %i {axis = 0 : i64} : (tensor<3x2xf32>, tensor<2xi64>) -> tensor<2x2xf32>
  return %0, %1 : tensor<2x2xf32>, tensor<2x2xf32>
}
