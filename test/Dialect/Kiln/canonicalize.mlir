// RUN: kiln-opt %s -canonicalize -split-input-file | FileCheck %s
// Folders: identities disappear and ops on constants are evaluated.

// CHECK-LABEL: func @identities
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

// CHECK-LABEL: func @fold_constants
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

// CHECK-LABEL: func @fold_reshape_of_constant
func.func @fold_reshape_of_constant() -> tensor<4xf32> {
  %a = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: kiln.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]> : tensor<4xf32>
  %0 = kiln.reshape %a : tensor<2x2xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Comparisons, logic and select on constants fold, as in the Where/Equal
// shape arithmetic of exported `expand(n, -1, -1)`.
// CHECK-LABEL: func @fold_where_over_shape
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
// CHECK-LABEL: func @fold_cast
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
