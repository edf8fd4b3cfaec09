// RUN: kiln-opt %s -convert-kiln-to-linalg -canonicalize -split-input-file | FileCheck %s
// Quantized.cpp: int8 kernels become all-parallel generics over their int8
// result; the int32 accumulator is an scf.for nest in the payload (no
// int32 tensor), windows that cross the padding get clamped loop bounds
// (no padded copy), and the payload ends with the fixed-point
// requantization.

// CHECK-LABEL: func.func @depthwise_padded
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3xi8>, %[[W:.*]]: tensor<2x1x3x3xi8>, %[[B:.*]]: tensor<2xi32>)
// CHECK-DAG: %[[M:.*]] = arith.constant dense<[1073741824, 1518500250]> : tensor<2xi32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[33, 32]> : tensor<2xi32>
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[B]], %[[M]], %[[S]] : tensor<2xi32>, tensor<2xi32>, tensor<2xi32>) outs(%{{.*}} : tensor<1x2x3x3xi8>)
// CHECK: ^bb0(%[[BIAS:.*]]: i32, %[[MULT:.*]]: i32, %[[SHIFT:.*]]: i32, %{{.*}}: i8):
// CHECK: %[[LO:.*]] = arith.maxsi %{{.*}}, %c0 : index
// CHECK: %[[HI:.*]] = arith.minsi %{{.*}}, %c3 : index
// CHECK: %[[ACC:.*]] = scf.for %[[KH:.*]] = %[[LO]] to %[[HI]] step %c1 iter_args(%{{.*}} = %[[BIAS]]) -> (i32)
// CHECK: scf.for
// CHECK: tensor.extract %[[X]]
// CHECK: arith.subi %{{.*}}, %c-5_i32 : i32
// CHECK: tensor.extract %[[W]]
// CHECK: arith.muli %{{.*}} : i32
// CHECK: %[[ACC64:.*]] = arith.extsi %[[ACC]] : i32 to i64
// CHECK: %[[M64:.*]] = arith.extsi %[[MULT]] : i32 to i64
// CHECK: %[[S64:.*]] = arith.extsi %[[SHIFT]] : i32 to i64
// CHECK: %[[P:.*]] = arith.muli %[[ACC64]], %[[M64]] : i64
// CHECK: %[[R:.*]] = arith.addi %[[P]], %{{.*}} : i64
// CHECK: %[[Q:.*]] = arith.shrsi %[[R]], %[[S64]] : i64
// CHECK: %[[Z:.*]] = arith.addi %[[Q]], %c3_i64 : i64
// CHECK: arith.maxsi %[[Z]], %c3_i64 : i64
// CHECK: arith.minsi %{{.*}}, %c127_i64 : i64
// CHECK: arith.trunci %{{.*}} : i64 to i8
func.func @depthwise_padded(%x: tensor<1x2x3x3xi8>, %w: tensor<2x1x3x3xi8>, %b: tensor<2xi32>) -> tensor<1x2x3x3xi8> {
  %y = kiln.qconv2d %x, %w, %b {dilations = array<i64: 1, 1>, groups = 2 : i64, input_zero_point = -5 : i64, multiplier = array<i32: 1073741824, 1518500250>, output_max = 127 : i64, output_min = 3 : i64, output_zero_point = 3 : i64, pads = array<i64: 1, 1, 1, 1>, shift = array<i32: 33, 32>, strides = array<i64: 1, 1>} : (tensor<1x2x3x3xi8>, tensor<2x1x3x3xi8>, tensor<2xi32>) -> tensor<1x2x3x3xi8>
  return %y : tensor<1x2x3x3xi8>
}

// -----

// A pointwise convolution never crosses padding: constant bounds, one
// multiplier held as constants.
// CHECK-LABEL: func.func @pointwise
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x4x2x2xi8>)
// CHECK-NOT: arith.maxsi %{{.*}} : index
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}} = %c0_i32) -> (i32)
// CHECK: arith.muli %{{.*}}, %c1073741824_i64 : i64
func.func @pointwise(%x: tensor<1x3x2x2xi8>, %w: tensor<4x3x1x1xi8>) -> tensor<1x4x2x2xi8> {
  %y = kiln.qconv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x3x2x2xi8>, tensor<4x3x1x1xi8>) -> tensor<1x4x2x2xi8>
  return %y : tensor<1x4x2x2xi8>
}

// -----

// CHECK-LABEL: func.func @matmul_add_pool_requantize
// CHECK: scf.for %{{.*}} = %c0 to %c4 step %c1
// CHECK: arith.shli %{{.*}}, %c20_i64 : i64
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1
// The pool's accumulator starts at -zero point x window size.
// CHECK: iter_args(%{{.*}} = %c-28_i32)
// CHECK: arith.subi %{{.*}}, %c2_i64 : i64
func.func @matmul_add_pool_requantize(%a: tensor<1x4xi8>, %w: tensor<4x2xi8>, %x: tensor<1x2x2x2xi8>, %v: tensor<8xi8>)
    -> (tensor<1x2xi8>, tensor<1x2x2x2xi8>, tensor<1x2x1x1xi8>, tensor<8xi8>) {
  %m = kiln.qmatmul %a, %w {lhs_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, shift = array<i32: 30>} : (tensor<1x4xi8>, tensor<4x2xi8>) -> tensor<1x2xi8>
  %s = kiln.qadd %x, %x {input_zero_points = array<i64: 1, -1>, left_shift = 20 : i64, multiplier = array<i32: 1073741824, 1073741824, 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, shift = array<i32: 31, 32, 49>} : (tensor<1x2x2x2xi8>, tensor<1x2x2x2xi8>) -> tensor<1x2x2x2xi8>
  %p = kiln.qavg_pool2d %x {input_zero_point = 7 : i64, kernel = array<i64: 2, 2>, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, shift = array<i32: 33>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xi8>) -> tensor<1x2x1x1xi8>
  %r = kiln.requantize %v {input_zero_point = 2 : i64, multiplier = array<i32: 1073741824>, output_max = 14 : i64, output_min = -10 : i64, output_zero_point = -10 : i64, shift = array<i32: 29>} : (tensor<8xi8>) -> tensor<8xi8>
  return %m, %s, %p, %r : tensor<1x2xi8>, tensor<1x2x2x2xi8>, tensor<1x2x1x1xi8>, tensor<8xi8>
}

// -----

// quantize: ONNX's f32 arithmetic, per axis from constant tensors;
// dequantize: (x - zero point) * scale.
// CHECK-LABEL: func.func @quantize_dequantize
// CHECK: arith.divf
// CHECK: math.round
// CHECK: arith.addf
// CHECK: arith.fptosi %{{.*}} : f32 to i8
// CHECK: arith.sitofp %{{.*}} : i8 to f32
// CHECK: arith.subf
// CHECK: arith.mulf
func.func @quantize_dequantize(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %q = kiln.quantize %x {axis = 1 : i64, scale = array<f32: 0.5, 0.25, 2.0>, zero_point = array<i64: 1, 0, -1>} : tensor<2x3xf32> to tensor<2x3xi8>
  %d = kiln.dequantize %q {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 3>} : tensor<2x3xi8> to tensor<2x3xf32>
  return %d : tensor<2x3xf32>
}
