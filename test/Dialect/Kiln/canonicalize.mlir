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
