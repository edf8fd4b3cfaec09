// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
// Pooling.cpp: max pooling is linalg.pooling_nchw_max over an input padded
// with -inf; average pooling is linalg.pooling_nchw_sum over a zero-padded
// input divided by the window size, or without count_include_pad by a
// compile-time tensor of the real elements each window covers.

// Max pooling without padding: -inf fills the init, no tensor.pad.
// CHECK-LABEL: func.func @max_pool
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>)
func.func @max_pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  // CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK-NOT: tensor.pad
  // CHECK: %[[FILL:.*]] = linalg.fill ins(%[[NEG_INF]] : f32) outs(%{{.*}} : tensor<1x2x2x2xf32>)
  // CHECK: %[[WINDOW:.*]] = tensor.empty() : tensor<2x2xf32>
  // CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
  // CHECK-SAME: ins(%[[X]], %[[WINDOW]] : tensor<1x2x4x4xf32>, tensor<2x2xf32>) outs(%[[FILL]] : tensor<1x2x2x2xf32>)
  %0 = kiln.max_pool2d %x {dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Padding never wins a max: the input is padded with -inf. Asymmetric pads,
// a non-square kernel, per-dimension strides and dilations carry over.
// CHECK-LABEL: func.func @max_pool_padded_dilated
func.func @max_pool_padded_dilated(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x2x3xf32> {
  // CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
  // CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 0, 1]
  // CHECK: tensor.yield %[[NEG_INF]] : f32
  // CHECK: } : tensor<1x2x5x5xf32> to tensor<1x2x6x7xf32>
  // CHECK: %[[WINDOW:.*]] = tensor.empty() : tensor<2x3xf32>
  // CHECK: linalg.pooling_nchw_max {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
  // CHECK-SAME: ins(%[[PAD]], %[[WINDOW]] : tensor<1x2x6x7xf32>, tensor<2x3xf32>)
  %0 = kiln.max_pool2d %x {dilations = array<i64: 2, 1>, kernel = array<i64: 2, 3>,
         pads = array<i64: 1, 1, 0, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x2x5x5xf32>) -> tensor<1x2x2x3xf32>
  return %0 : tensor<1x2x2x3xf32>
}

// -----

// The -inf identity follows the element type.
// CHECK-LABEL: func.func @max_pool_f16
func.func @max_pool_f16(%x: tensor<1x2x4x4xf16>) -> tensor<1x2x2x2xf16> {
  // CHECK: arith.constant 0xFC00 : f16
  // CHECK: linalg.pooling_nchw_max
  %0 = kiln.max_pool2d %x {dilations = array<i64: 1, 1>, kernel = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x2x4x4xf16>) -> tensor<1x2x2x2xf16>
  return %0 : tensor<1x2x2x2xf16>
}

// -----

// Unpadded average pooling divides by the window size, a rank-0 constant
// broadcast through a map with no results (count_include_pad is moot).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1, d2, d3) -> ()>
// CHECK-LABEL: func.func @avg_pool
// CHECK-SAME: (%[[X:.*]]: tensor<1x8x4x4xf32>)
func.func @avg_pool(%x: tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK-NOT: tensor.pad
  // CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32)
  // CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
  // CHECK-SAME: ins(%[[X]], %{{.*}} : tensor<1x8x4x4xf32>, tensor<2x2xf32>) outs(%[[FILL]] : tensor<1x8x2x2xf32>)
  // CHECK: %[[N:.*]] = arith.constant dense<4.000000e+00> : tensor<f32>
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
  // CHECK-SAME: ins(%[[SUM]], %[[N]] : tensor<1x8x2x2xf32>, tensor<f32>)
  // CHECK: arith.divf
  %0 = kiln.avg_pool2d %x {count_include_pad = false, kernel = array<i64: 2, 2>,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
  return %0 : tensor<1x8x2x2xf32>
}

// -----

// With count_include_pad, padded positions count as zeros: the input is
// zero-padded and every window divides by the full kernel size (9).
// CHECK-LABEL: func.func @avg_pool_include_pad
func.func @avg_pool_include_pad(%x: tensor<1x8x4x4xf16>) -> tensor<1x8x2x2xf16> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f16
  // CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: tensor.yield %[[ZERO]] : f16
  // CHECK: linalg.pooling_nchw_sum
  // CHECK-SAME: tensor<1x8x6x6xf16>, tensor<3x3xf16>
  // CHECK: arith.constant dense<9.000000e+00> : tensor<f16>
  // CHECK: arith.divf %{{.*}}, %{{.*}} : f16
  %0 = kiln.avg_pool2d %x {count_include_pad = true, kernel = array<i64: 3, 3>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x8x4x4xf16>) -> tensor<1x8x2x2xf16>
  return %0 : tensor<1x8x2x2xf16>
}

// -----

// Without count_include_pad, border windows divide by what they cover.
// CHECK-LABEL: func.func @avg_pool_exclude_pad
func.func @avg_pool_exclude_pad(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // CHECK: linalg.pooling_nchw_sum
  // CHECK: arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  // CHECK: arith.divf
  %0 = kiln.avg_pool2d %x {count_include_pad = false, kernel = array<i64: 3, 3>,
         pads = array<i64: 2, 2, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// The per-window counts (corners 4, edges 6, interior 9 for a 3x3 window
// with padding 1 and stride 1) are an OH x OW constant broadcast over N
// and C.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[HW:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-LABEL: func.func @avg_pool_exclude_pad_counts
func.func @avg_pool_exclude_pad_counts(%x: tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32> {
  // CHECK: %[[SUM:.*]] = linalg.pooling_nchw_sum
  // CHECK: %[[COUNTS:.*]] = arith.constant dense<{{\[}}[4.000000e+00, 6.000000e+00, 6.000000e+00, 4.000000e+00], [6.000000e+00, 9.000000e+00, 9.000000e+00, 6.000000e+00], [6.000000e+00, 9.000000e+00, 9.000000e+00, 6.000000e+00], [4.000000e+00, 6.000000e+00, 6.000000e+00, 4.000000e+00]]> : tensor<4x4xf32>
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[HW]], #[[ID]]]
  // CHECK-SAME: ins(%[[SUM]], %[[COUNTS]] : tensor<2x3x4x4xf32>, tensor<4x4xf32>)
  // CHECK: arith.divf
  %0 = kiln.avg_pool2d %x {count_include_pad = false, kernel = array<i64: 3, 3>,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}
