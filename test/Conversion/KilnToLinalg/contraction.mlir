// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s
// Contraction.cpp: kiln.matmul and kiln.conv2d. Both accumulate into a
// zero-filled tensor; 2-D products are linalg.matmul, batched ones a
// generic with broadcasting batch maps; ungrouped convolutions are
// linalg.conv_2d_nchw_fchw, grouped ones a generic.

// A 2-D product is linalg.matmul into a zero-filled init.
// CHECK-LABEL: func.func @matmul_2d
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<4x3xf32>
  // CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[EMPTY]] : tensor<4x3xf32>)
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x3xf32>) outs(%[[FILL]] : tensor<4x3xf32>)
  // CHECK-NOT: linalg.generic
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// The zero of the fill has the element type of the result.
// CHECK-LABEL: func.func @matmul_2d_f16
func.func @matmul_2d_f16(%a: tensor<4x8xf16>, %b: tensor<8x3xf16>) -> tensor<4x3xf16> {
  // CHECK: arith.constant 0.000000e+00 : f16
  // CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x8xf16>, tensor<8x3xf16>) outs(%{{.*}} : tensor<4x3xf16>)
  %0 = kiln.matmul %a, %b : (tensor<4x8xf16>, tensor<8x3xf16>) -> tensor<4x3xf16>
  return %0 : tensor<4x3xf16>
}

// -----

// A batched lhs against a 2-D rhs: loops (batch, m, n, k); the rhs map has
// no batch dimension.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_batched
func.func @matmul_batched(%a: tensor<2x4x8xf32>, %b: tensor<8x3xf32>) -> tensor<2x4x3xf32> {
  // CHECK: %[[FILL:.*]] = linalg.fill
  // CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
  // CHECK-SAME: outs(%[[FILL]] : tensor<2x4x3xf32>)
  // CHECK-NEXT: ^bb0(%[[L:.*]]: f32, %[[R:.*]]: f32, %[[ACC:.*]]: f32):
  // CHECK-NEXT: %[[P:.*]] = arith.mulf %[[L]], %[[R]] : f32
  // CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
  // CHECK-NEXT: linalg.yield %[[S]] : f32
  // CHECK-NOT: linalg.matmul
  %0 = kiln.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// A 2-D lhs against a batched rhs: the lhs map has no batch dimension.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-LABEL: func.func @matmul_batched_rhs
func.func @matmul_batched_rhs(%a: tensor<4x8xf32>, %b: tensor<2x8x3xf32>) -> tensor<2x4x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<2x8x3xf32>) -> tensor<2x4x3xf32>
  return %0 : tensor<2x4x3xf32>
}

// -----

// A size-1 batch dimension broadcasts: its map reads index 0.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d1, d3)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_batch_broadcast
func.func @matmul_batch_broadcast(%a: tensor<1x4x8xf32>, %b: tensor<5x8x3xf32>) -> tensor<5x4x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]]
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<1x4x8xf32>, tensor<5x8x3xf32>) outs(%{{.*}} : tensor<5x4x3xf32>)
  %0 = kiln.matmul %a, %b : (tensor<1x4x8xf32>, tensor<5x8x3xf32>) -> tensor<5x4x3xf32>
  return %0 : tensor<5x4x3xf32>
}

// -----

// Batch dimensions of different ranks right-align, NumPy style.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_rank4_broadcast
func.func @matmul_rank4_broadcast(%a: tensor<2x1x4x8xf32>, %b: tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
  %0 = kiln.matmul %a, %b : (tensor<2x1x4x8xf32>, tensor<3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// An ungrouped convolution zero-pads the spatial dimensions of the input
// and is linalg.conv_2d_nchw_fchw.
// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32> {
  // CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
  // CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: tensor.yield %[[ZERO]] : f32
  // CHECK: } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  // CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32)
  // CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
  // CHECK-SAME: ins(%[[PAD]], %{{.*}} : tensor<1x3x10x10xf32>, tensor<16x3x3x3xf32>) outs(%[[FILL]] : tensor<1x16x8x8xf32>)
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
  return %0 : tensor<1x16x8x8xf32>
}

// -----

// Without padding the input is used as is: no tensor.pad.
// CHECK-LABEL: func.func @conv_unpadded
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<16x3x3x3xf32>)
func.func @conv_unpadded(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  // CHECK-NOT: tensor.pad
  // CHECK: linalg.conv_2d_nchw_fchw {{.*}} ins(%[[X]], %[[W]] : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>)
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

// Asymmetric pads [top, left, bottom, right] split into low and high;
// strides and dilations carry over per dimension.
// CHECK-LABEL: func.func @conv_strided_dilated
func.func @conv_strided_dilated(%x: tensor<1x3x9x9xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x4x6xf32> {
  // CHECK: tensor.pad %{{.*}} low[0, 0, 0, 1] high[0, 0, 2, 3]
  // CHECK: } : tensor<1x3x9x9xf32> to tensor<1x3x11x13xf32>
  // CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[2, 1]> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
  // CHECK-SAME: -> tensor<1x16x4x6xf32>
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 2, 1>, groups = 1 : i64,
         pads = array<i64: 0, 1, 2, 3>, strides = array<i64: 2, 2>}
       : (tensor<1x3x9x9xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x4x6xf32>
  return %0 : tensor<1x16x4x6xf32>
}

// -----

// Depthwise (groups = channels): a generic over (n, f, oh, ow, c, kh, kw)
// where output channel f reads input channel f.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d4, d2 + d5, d3 + d6)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @depthwise_conv
func.func @depthwise_conv(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32> {
  // CHECK: %[[FILL:.*]] = linalg.fill
  // CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
  // CHECK-SAME: outs(%[[FILL]] : tensor<1x4x4x4xf32>)
  // CHECK: arith.mulf
  // CHECK: arith.addf
  // CHECK-NOT: linalg.conv_2d_nchw_fchw
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 4 : i64,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Grouped convolution (2 groups of 2 input and 4 output channels), padded,
// strided and dilated: output channel f reads input channels
// (f floordiv 4) * 2 + c, at oh * stride + kh * dilation.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, (d1 floordiv 4) * 2 + d4, d2 * 2 + d5 * 2, d3 * 2 + d6 * 2)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-LABEL: func.func @grouped_conv
func.func @grouped_conv(%x: tensor<1x4x9x9xf32>, %w: tensor<8x2x3x3xf32>) -> tensor<1x8x4x4xf32> {
  // CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
  // CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[FILTER]], #{{.*}}]
  // CHECK-SAME: ins(%[[PAD]], %{{.*}} : tensor<1x4x11x11xf32>, tensor<8x2x3x3xf32>)
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 2, 2>, groups = 2 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
       : (tensor<1x4x9x9xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}
