// RUN: kiln-opt %s -kiln-fuse-quantized-ops -split-input-file | FileCheck %s
// kiln-fuse-quantized-ops (FuseQuantizedOps.cpp): dequantize -> float op ->
// [relu | clamp] -> quantize chains become int8 kernels with fixed-point
// requantization; the ReLU or Clip becomes the output bounds.

// Per-channel weights: real scales 0.5 * 0.25 / 1 = 2^-3 and 0.5 * 0.5 / 1 =
// 2^-2, i.e. 2^30 * 2^-33 and 2^30 * 2^-32. The bias is in the accumulator's
// scale already (0.5 x weight scale). The ReLU clamps at the zero point 3.
// CHECK-LABEL: func.func @conv_bias_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xi8>)
// CHECK-DAG: %[[B:.*]] = kiln.constant dense<[8, -4]> : tensor<2xi32>
// CHECK-DAG: %[[W:.*]] = kiln.constant dense<{{.*}}> : tensor<2x2x1x1xi8>
// CHECK: %[[Y:.*]] = kiln.qconv2d %[[X]], %[[W]], %[[B]]
// CHECK-SAME: input_zero_point = -5 : i64
// CHECK-SAME: multiplier = array<i32: 1073741824, 1073741824>
// CHECK-SAME: output_max = 127 : i64, output_min = 3 : i64, output_zero_point = 3 : i64
// CHECK-SAME: shift = array<i32: 33, 32>
// CHECK-NOT: kiln.conv2d
// CHECK-NOT: kiln.dequantize
// CHECK: return %[[Y]]
func.func @conv_bias_relu(%xq: tensor<1x2x4x4xi8>) -> tensor<1x2x4x4xi8> {
  %x = kiln.dequantize %xq {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: -5>} : tensor<1x2x4x4xi8> to tensor<1x2x4x4xf32>
  %wq = kiln.constant dense<[[[[1]], [[2]]], [[[-3]], [[4]]]]> : tensor<2x2x1x1xi8>
  %w = kiln.dequantize %wq {axis = 0 : i64, scale = array<f32: 0.25, 0.5>, zero_point = array<i64: 0, 0>} : tensor<2x2x1x1xi8> to tensor<2x2x1x1xf32>
  %bq = kiln.constant dense<[8, -4]> : tensor<2xi32>
  %bf = kiln.dequantize %bq {axis = 0 : i64, scale = array<f32: 0.125, 0.25>, zero_point = array<i64: 0, 0>} : tensor<2xi32> to tensor<2xf32>
  %b = kiln.reshape %bf : tensor<2xf32> to tensor<1x2x1x1xf32>
  %c = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %a = kiln.add %c, %b : (tensor<1x2x4x4xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = kiln.relu %a : tensor<1x2x4x4xf32>
  %y = kiln.quantize %r {axis = 0 : i64, scale = array<f32: 1.0>, zero_point = array<i64: 3>} : tensor<1x2x4x4xf32> to tensor<1x2x4x4xi8>
  return %y : tensor<1x2x4x4xi8>
}

// -----

// Gemm with transB: the [N, K] weights are transposed to [K, N]; equal
// per-row scales collapse to one multiplier (0.5 * 0.5 / 0.25 = 1 = 2^30 *
// 2^-30). A flatten between the dequantize and the matmul does not hide it.
// CHECK-LABEL: func.func @flatten_gemm
// CHECK: %[[W:.*]] = kiln.constant dense<{{\[\[}}1, 5, 9], [2, 6, 10], [3, 7, 11], [4, 8, 12]]> : tensor<4x3xi8>
// CHECK: %[[F:.*]] = kiln.reshape %arg0 : tensor<1x4x1x1xi8> to tensor<1x4xi8>
// CHECK: kiln.qmatmul %[[F]], %[[W]] {lhs_zero_point = 0 : i64, multiplier = array<i32: 1073741824>,
// CHECK-SAME: output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, shift = array<i32: 30>}
func.func @flatten_gemm(%xq: tensor<1x4x1x1xi8>) -> tensor<1x3xi8> {
  %x = kiln.dequantize %xq {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 0>} : tensor<1x4x1x1xi8> to tensor<1x4x1x1xf32>
  %flat = kiln.reshape %x : tensor<1x4x1x1xf32> to tensor<1x4xf32>
  %wq = kiln.constant dense<[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]> : tensor<3x4xi8>
  %w = kiln.dequantize %wq {axis = 0 : i64, scale = array<f32: 0.5, 0.5, 0.5>, zero_point = array<i64: 0, 0, 0>} : tensor<3x4xi8> to tensor<3x4xf32>
  %wt = kiln.transpose %w {perm = array<i64: 1, 0>} : (tensor<3x4xf32>) -> tensor<4x3xf32>
  %m = kiln.matmul %flat, %wt : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  %y = kiln.quantize %m {axis = 0 : i64, scale = array<f32: 0.25>, zero_point = array<i64: 0>} : tensor<1x3xf32> to tensor<1x3xi8>
  return %y : tensor<1x3xi8>
}

// -----

// A residual add: both inputs shift left by 20 and rescale to twice the
// larger scale (0.5 -> 2^30 * 2^-31, 0.25 -> 2^30 * 2^-32); the sum
// rescales by 1 / (2^20 * 0.5) = 2^30 * 2^-49.
// CHECK-LABEL: func.func @residual_add
// CHECK: kiln.qadd %arg0, %arg1 {input_zero_points = array<i64: 1, -1>, left_shift = 20 : i64,
// CHECK-SAME: multiplier = array<i32: 1073741824, 1073741824, 1073741824>
// CHECK-SAME: output_zero_point = 0 : i64, shift = array<i32: 31, 32, 49>}
func.func @residual_add(%aq: tensor<1x2x2x2xi8>, %bq: tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8> {
  %a = kiln.dequantize %aq {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 1>} : tensor<1x2x2x2xi8> to tensor<1x2x2x2xf32>
  %b = kiln.dequantize %bq {axis = 0 : i64, scale = array<f32: 0.25>, zero_point = array<i64: -1>} : tensor<1x2x2x2xi8> to tensor<1x2x2x2xf32>
  %s = kiln.add %a, %b : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %y = kiln.quantize %s {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 0>} : tensor<1x2x2x2xf32> to tensor<1x2x2x2xi8>
  return %y : tensor<1x2x2x2xi8>
}

// -----

// Global average pooling: the real scale divides by the 16 elements of the
// window: 0.5 / (0.25 * 16) = 2^30 * 2^-33.
// CHECK-LABEL: func.func @global_mean
// CHECK: kiln.qavg_pool2d %arg0 {input_zero_point = 7 : i64, kernel = array<i64: 4, 4>, multiplier = array<i32: 1073741824>,
// CHECK-SAME: shift = array<i32: 33>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>) -> tensor<1x2x1x1xi8>
func.func @global_mean(%xq: tensor<1x2x4x4xi8>) -> tensor<1x2x1x1xi8> {
  %x = kiln.dequantize %xq {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 7>} : tensor<1x2x4x4xi8> to tensor<1x2x4x4xf32>
  %m = kiln.reduce_mean %x {axes = array<i64: 2, 3>, keep_dims = true} : (tensor<1x2x4x4xf32>) -> tensor<1x2x1x1xf32>
  %y = kiln.quantize %m {axis = 0 : i64, scale = array<f32: 0.25>, zero_point = array<i64: 0>} : tensor<1x2x1x1xf32> to tensor<1x2x1x1xi8>
  return %y : tensor<1x2x1x1xi8>
}

// -----

// A Clip between two quantized tensors: the real scale is 2 = 2^30 * 2^-29,
// the bounds quantize(0) = -10 and quantize(6) = 14. Matching parameters
// and no activation leave the int8 value as it is.
// CHECK-LABEL: func.func @clip_and_identity
// CHECK: %[[R:.*]] = kiln.requantize %arg0 {input_zero_point = 2 : i64, multiplier = array<i32: 1073741824>,
// CHECK-SAME: output_max = 14 : i64, output_min = -10 : i64, output_zero_point = -10 : i64, shift = array<i32: 29>}
// CHECK: return %[[R]], %arg0
func.func @clip_and_identity(%xq: tensor<8xi8>) -> (tensor<8xi8>, tensor<8xi8>) {
  %x = kiln.dequantize %xq {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 2>} : tensor<8xi8> to tensor<8xf32>
  %c = kiln.clamp %x {max = 6.0 : f64, min = 0.0 : f64} : tensor<8xf32>
  %y = kiln.quantize %c {axis = 0 : i64, scale = array<f32: 0.25>, zero_point = array<i64: -10>} : tensor<8xf32> to tensor<8xi8>
  %z = kiln.quantize %x {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 2>} : tensor<8xf32> to tensor<8xi8>
  return %y, %z : tensor<8xi8>, tensor<8xi8>
}

// -----

// Asymmetric weights (zero point 1) have no integer kernel: the chain
// stays float.
// CHECK-LABEL: func.func @asymmetric_weights
// CHECK: kiln.matmul
// CHECK: kiln.quantize
// CHECK-NOT: kiln.qmatmul
func.func @asymmetric_weights(%xq: tensor<1x2xi8>) -> tensor<1x2xi8> {
  %x = kiln.dequantize %xq {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 0>} : tensor<1x2xi8> to tensor<1x2xf32>
  %wq = kiln.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %w = kiln.dequantize %wq {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 1>} : tensor<2x2xi8> to tensor<2x2xf32>
  %m = kiln.matmul %x, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  %y = kiln.quantize %m {axis = 0 : i64, scale = array<f32: 0.25>, zero_point = array<i64: 0>} : tensor<1x2xf32> to tensor<1x2xi8>
  return %y : tensor<1x2xi8>
}
