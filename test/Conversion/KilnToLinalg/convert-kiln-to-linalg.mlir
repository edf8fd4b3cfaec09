// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
// Pass-level behaviour of convert-kiln-to-linalg (KilnToLinalg.cpp). The
// lowering of each op family is tested in the family files next to this
// one: elementwise, contraction, pooling, reduction, data-movement,
// scatter.

// Ops of every family in one function, each consuming the previous one's
// lowered value: no kiln op is left, and the values are threaded through.
// CHECK-LABEL: func.func @all_families
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[I:.*]]: tensor<2xi64>)
func.func @all_families(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %i: tensor<2xi64>) -> tensor<1x2xf32> {
  // CHECK: %[[CONV:.*]] = linalg.conv_2d_nchw_fchw {{.*}} ins(%{{.*}}, %[[W]] :
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[CONV]] : tensor<1x4x8x8xf32>)
  %1 = kiln.relu %0 : tensor<1x4x8x8xf32>
  // CHECK: %[[POOL:.*]] = linalg.pooling_nchw_max {{.*}} ins(%[[RELU]], %{{.*}} : tensor<1x4x8x8xf32>, tensor<2x2xf32>)
  %2 = kiln.max_pool2d %1 {dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  // CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[POOL]] : tensor<1x4x4x4xf32>) outs(%{{.*}} : tensor<1x4xf32>)
  // CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<1x4xf32>)
  %3 = kiln.reduce_mean %2 {axes = array<i64: 2, 3>, keep_dims = false}
       : (tensor<1x4x4x4xf32>) -> tensor<1x4xf32>
  // CHECK: %[[GATHER:.*]] = linalg.generic {{.*}} ins(%[[I]] : tensor<2xi64>)
  // CHECK: tensor.extract %[[MEAN]][%{{.*}}, %{{.*}}] : tensor<1x4xf32>
  %4 = kiln.gather %3, %i {axis = 1 : i64} : (tensor<1x4xf32>, tensor<2xi64>) -> tensor<1x2xf32>
  // CHECK: return %[[GATHER]] : tensor<1x2xf32>
  // CHECK-NOT: kiln.
  return %4 : tensor<1x2xf32>
}

// -----

// Ops of other dialects are left as they are; the kiln ops around them
// lower.
// CHECK-LABEL: func.func @other_dialects_kept
func.func @other_dialects_kept(%n: index, %x: tensor<4xf32>) -> (index, tensor<4xf32>) {
  // CHECK: %[[A:.*]] = affine.apply #{{.*}}(%{{.*}})
  %0 = affine.apply affine_map<(d0) -> (d0 * 2)>(%n)
  // CHECK: %[[R:.*]] = linalg.generic
  // CHECK-NOT: kiln.relu
  %1 = kiln.relu %x : tensor<4xf32>
  // CHECK: return %[[A]], %[[R]]
  return %0, %1 : index, tensor<4xf32>
}

// -----

// Every function of the module is converted, not only the first.
// CHECK-LABEL: func.func @first
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @second
// CHECK: linalg.transpose
// CHECK-NOT: kiln.
func.func @first(%a: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %0 = kiln.matmul %a, %a : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}
func.func @second(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %0 = kiln.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}
