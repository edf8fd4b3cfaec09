// RUN: kiln-opt %s -convert-kiln-to-linalg="in-place-kernels=true" -canonicalize -split-input-file | FileCheck %s
// RowBands.cpp: kiln.row_bands becomes one scf.for over bands of result
// rows, with a band buffer per intermediate allocated outside it; each op
// computes its band with rows numbered as in its whole tensor.

// 4 result rows in bands of 3: two bands, the second starting at
// min(3, 4 - 3) = 1. The strided depthwise computes 3 rows from input
// rows (row + first) * 2 - 1 + tap; the pointwise reads its band at
// row - first, which is the band's own row.
// CHECK-LABEL: func.func @bands
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK: %[[OUT:.*]] = bufferization.alloc_tensor() : tensor<1x4x4x8xi8>
// CHECK: %[[BAND:.*]] = bufferization.alloc_tensor() : tensor<1x2x3x8xi8>
// CHECK: scf.for %[[B:.*]] = %{{.*}} to %[[C2]] step %[[C1]] iter_args(%[[O:.*]] = %[[OUT]], %[[D:.*]] = %[[BAND]])
// CHECK: %[[M:.*]] = arith.muli %[[B]], %[[C3]] : index
// CHECK: %[[FIRST:.*]] = arith.minsi %[[M]], %[[C1]] : index
// CHECK: %[[DW:.*]] = linalg.generic {{.*}} outs(%[[D]] : tensor<1x2x3x8xi8>)
// CHECK: %[[ROW:.*]] = arith.addi %{{.*}}, %[[FIRST]] : index
// CHECK: arith.muli %[[ROW]], %[[C2]] : index
// CHECK: tensor.extract %arg0[{{.*}}] : tensor<1x2x8x8xi8>
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[O]][0, 0, %[[FIRST]], 0] [1, 4, 3, 8] [1, 1, 1, 1]
// CHECK: %[[PW:.*]] = linalg.generic {{.*}} outs(%[[SLICE]] : tensor<1x4x3x8xi8>)
// CHECK: tensor.extract %[[DW]][{{.*}}] : tensor<1x2x3x8xi8>
// CHECK: %[[INS:.*]] = tensor.insert_slice %[[PW]] into %[[O]][0, 0, %[[FIRST]], 0] [1, 4, 3, 8] [1, 1, 1, 1]
// CHECK: scf.yield %[[INS]], %[[DW]]
func.func @bands(%x: tensor<1x2x8x8xi8>, %w0: tensor<2x1x3x3xi8>, %w1: tensor<4x2x1x1xi8>) -> tensor<1x4x4x8xi8> {
  %r = kiln.row_bands %x {rows = 3 : i64} : tensor<1x2x8x8xi8> -> tensor<1x4x4x8xi8> {
  ^bb0(%in: tensor<1x2x8x8xi8>):
    %0 = kiln.qconv2d %in, %w0 {dilations = array<i64: 1, 1>, groups = 2 : i64, input_zero_point = -3 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, shift = array<i32: 31>, strides = array<i64: 2, 1>} : (tensor<1x2x8x8xi8>, tensor<2x1x3x3xi8>) -> tensor<1x2x4x8xi8>
    %1 = kiln.qconv2d %0, %w1 {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 5 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x4x8xi8>, tensor<4x2x1x1xi8>) -> tensor<1x4x4x8xi8>
    kiln.yield %1 : tensor<1x4x4x8xi8>
  }
  return %r : tensor<1x4x4x8xi8>
}

// -----

// The quantize of a model input, read unstored: each band quantizes the
// input rows its first convolution reads (rows first - 1 to first + 2,
// clamped to the input) into a band of its own, once per element.
// CHECK-LABEL: func.func @quantized_input
// CHECK: %[[OUT:.*]] = bufferization.alloc_tensor() : tensor<1x2x6x4xi8>
// CHECK: %[[BAND:.*]] = bufferization.alloc_tensor() : tensor<1x2x2x4xi8>
// CHECK: %[[QBAND:.*]] = bufferization.alloc_tensor() : tensor<1x1x4x4xi8>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[OUT]], %[[D:.*]] = %[[BAND]], %[[Q:.*]] = %[[QBAND]])
// CHECK: %[[QV:.*]] = linalg.generic {{.*}} outs(%[[Q]] : tensor<1x1x4x4xi8>)
// CHECK: tensor.extract %arg0[{{.*}}] : tensor<1x1x6x4xf32>
// CHECK: arith.divf
// CHECK: arith.fptosi {{.*}} : f32 to i8
// CHECK: %[[DV:.*]] = linalg.generic {{.*}} outs(%[[D]] : tensor<1x2x2x4xi8>)
// CHECK-NOT: tensor<1x1x6x4xf32>
// CHECK: tensor.extract %[[QV]][{{.*}}] : tensor<1x1x4x4xi8>
// CHECK: scf.yield %{{.*}}, %[[DV]], %[[QV]]
// CHECK-NOT: kiln.quantize
func.func @quantized_input(%x: tensor<1x1x6x4xf32>, %w0: tensor<2x1x3x3xi8>, %w1: tensor<2x2x1x1xi8>) -> tensor<1x2x6x4xi8> {
  %q = kiln.quantize %x {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 1>} : tensor<1x1x6x4xf32> to tensor<1x1x6x4xi8>
  %r = kiln.row_bands %q {rows = 2 : i64} : tensor<1x1x6x4xi8> -> tensor<1x2x6x4xi8> {
  ^bb0(%in: tensor<1x1x6x4xi8>):
    %0 = kiln.qconv2d %in, %w0 {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 1 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x1x6x4xi8>, tensor<2x1x3x3xi8>) -> tensor<1x2x6x4xi8>
    %1 = kiln.qconv2d %0, %w1 {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x6x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x6x4xi8>
    kiln.yield %1 : tensor<1x2x6x4xi8>
  }
  return %r : tensor<1x2x6x4xi8>
}

// -----

// Float stages: the depthwise computes 4 rows from min(band x 4, 2) - 1
// (its rows outside the input clamp their taps), then ReLU; the pointwise
// reads the band at its own rows, adds the bias (the add's left operand,
// so on the left) and clamps, into the result's rows.
// CHECK-LABEL: func.func @float_bands
// CHECK: %[[OUT:.*]] = bufferization.alloc_tensor() : tensor<1x3x6x5xf32>
// CHECK: %[[BAND:.*]] = bufferization.alloc_tensor() : tensor<1x2x4x5xf32>
// CHECK: scf.for {{.*}} iter_args(%[[O:.*]] = %[[OUT]], %[[D:.*]] = %[[BAND]])
// CHECK: %[[FIRST:.*]] = arith.minsi
// CHECK: %[[DW:.*]] = linalg.generic {{.*}} outs(%[[D]] : tensor<1x2x4x5xf32>)
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0[{{.*}}] : tensor<1x2x6x5xf32>
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.cmpf ogt
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[O]][0, 0, %[[FIRST]], 0] [1, 3, 4, 5]
// CHECK: %[[PW:.*]] = linalg.generic {{.*}} outs(%[[SLICE]] : tensor<1x3x4x5xf32>)
// CHECK: tensor.extract %[[DW]][{{.*}}] : tensor<1x2x4x5xf32>
// CHECK: %[[BIAS:.*]] = tensor.extract %{{.*}}[{{.*}}] : tensor<3x1x1xf32>
// CHECK: arith.addf %[[BIAS]], %{{.*}} : f32
// CHECK: arith.cmpf olt
// CHECK: tensor.insert_slice %[[PW]] into %[[O]][0, 0, %[[FIRST]], 0] [1, 3, 4, 5]
func.func @float_bands(%x: tensor<1x2x6x5xf32>, %w0: tensor<2x1x3x3xf32>, %w1: tensor<3x2x1x1xf32>) -> tensor<1x3x6x5xf32> {
  %b = kiln.constant dense<[[[0.5]], [[-0.5]], [[1.0]]]> : tensor<3x1x1xf32>
  %r = kiln.row_bands %x {rows = 4 : i64} : tensor<1x2x6x5xf32> -> tensor<1x3x6x5xf32> {
  ^bb0(%in: tensor<1x2x6x5xf32>):
    %0 = kiln.conv2d %in, %w0 {dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x2x6x5xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x5xf32>
    %1 = kiln.relu %0 : tensor<1x2x6x5xf32>
    %2 = kiln.conv2d %1, %w1 {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x6x5xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x6x5xf32>
    %3 = kiln.add %b, %2 : (tensor<3x1x1xf32>, tensor<1x3x6x5xf32>) -> tensor<1x3x6x5xf32>
    %4 = kiln.clamp %3 {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x3x6x5xf32>
    kiln.yield %4 : tensor<1x3x6x5xf32>
  }
  return %r : tensor<1x3x6x5xf32>
}
