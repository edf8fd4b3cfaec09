// RUN: kiln-opt %s -convert-kiln-to-linalg="in-place-kernels=true" -canonicalize -split-input-file | FileCheck %s
// RUN: kiln-opt %s -convert-kiln-to-linalg="in-place-kernels=true arm-dsp=true" -canonicalize -split-input-file | FileCheck %s --check-prefix=DSP
// Quantized.cpp with in-place-kernels: int8 depthwise and pointwise
// convolutions become scf.for loops marked kiln.writes_over, which
// kiln-plan-memory may place over their input; a kernel whose input is the
// quantize of a model input reads the float input and quantizes in place.

// Stride 1: an output plane is as large as its input plane, so input
// plane c is copied into a temporary first.
// CHECK-LABEL: func.func @depthwise_same_size
// CHECK: %[[DEST:.*]] = bufferization.alloc_tensor() : tensor<1x2x4x4xi8>
// CHECK: scf.for %[[C:[a-z0-9]+]] = %c0 to %c2 step %c1 iter_args(%[[D:[a-z0-9]+]] = %[[DEST]]
// CHECK: %[[COPY:.*]] = linalg.generic
// CHECK: tensor.extract %arg0[%{{.*}}, %[[C]], %{{.*}}, %{{.*}}] : tensor<1x2x4x4xi8>
// CHECK: linalg.generic
// CHECK: tensor.extract %[[COPY]]
// CHECK: tensor.insert_slice %{{.*}} into %[[D]][0, %[[C]], 0, 0] [1, 1, 4, 4] [1, 1, 1, 1]
// CHECK: } {kiln.writes_over = array<i64: 0, 1>}
func.func @depthwise_same_size(%x: tensor<1x2x4x4xi8>, %w: tensor<2x1x3x3xi8>) -> tensor<1x2x4x4xi8> {
  %y = kiln.qconv2d %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<2x1x3x3xi8>) -> tensor<1x2x4x4xi8>
  return %y : tensor<1x2x4x4xi8>
}

// -----

// Stride 2: output planes are a quarter of the input's, and every output
// lands below the input later outputs read: no copy.
// CHECK-LABEL: func.func @depthwise_strided
// CHECK: scf.for %[[C:[a-z0-9]+]] = %c0 to %c2 step %c1
// CHECK-NOT: tensor.extract %arg0[%{{.*}}, %[[C]], %{{.*}}, %{{.*}}] : tensor<1x2x8x8xi8>
// CHECK: linalg.generic
// CHECK: tensor.extract %arg0[%c0, %[[C]], %{{.*}}, %{{.*}}] : tensor<1x2x8x8xi8>
// CHECK: tensor.insert_slice
// CHECK: } {kiln.writes_over = array<i64: 0, 1>}
func.func @depthwise_strided(%x: tensor<1x2x8x8xi8>, %w: tensor<2x1x3x3xi8>) -> tensor<1x2x4x4xi8> {
  %y = kiln.qconv2d %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, shift = array<i32: 31>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xi8>, tensor<2x1x3x3xi8>) -> tensor<1x2x4x4xi8>
  return %y : tensor<1x2x4x4xi8>
}

// -----

// Pointwise, growing from 2 to 3 channels: one loop over the 4 pixels;
// each pixel's input channels are copied, then its 3 outputs stored.
// CHECK-LABEL: func.func @pointwise_growing
// CHECK: scf.for %[[P:[a-z0-9]+]] = %c0 to %c4 step %c1 iter_args(%[[D:[a-z0-9]+]] = %{{[a-z0-9]+}}
// CHECK: %[[COL:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2xi8>)
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<3xi8>)
// CHECK: tensor.extract %[[COL]]
// CHECK: tensor.insert_slice %{{.*}} into %[[D]][0, 0, %{{.*}}, %{{.*}}] [1, 3, 1, 1] [1, 1, 1, 1]
// CHECK: } {kiln.writes_over = array<i64: 0, 1>}
func.func @pointwise_growing(%x: tensor<1x2x2x2xi8>, %w: tensor<3x2x1x1xi8>) -> tensor<1x3x2x2xi8> {
  %y = kiln.qconv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x2x2xi8>, tensor<3x2x1x1xi8>) -> tensor<1x3x2x2xi8>
  return %y : tensor<1x3x2x2xi8>
}

// -----

// The quantize of the model input is read unstored: the matmul divides
// each f32 element by the scale, rounds and adds the zero point itself.
// CHECK-LABEL: func.func @quantized_model_input
// CHECK: linalg.generic
// CHECK: scf.for
// CHECK: %[[F:.*]] = tensor.extract %arg0[%{{.*}}, %{{.*}}] : tensor<1x4xf32>
// CHECK: arith.divf %[[F]], %cst
// CHECK: arith.fptosi %{{.*}} : f32 to i8
func.func @quantized_model_input(%x: tensor<1x4xf32>, %w: tensor<4x2xi8>) -> tensor<1x2xi8> {
  %q = kiln.quantize %x {axis = 0 : i64, scale = array<f32: 0.5>, zero_point = array<i64: 0>} : tensor<1x4xf32> to tensor<1x4xi8>
  %m = kiln.qmatmul %q, %w {lhs_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, shift = array<i32: 30>} : (tensor<1x4xi8>, tensor<4x2xi8>) -> tensor<1x2xi8>
  return %m : tensor<1x2xi8>
}

// -----

// With arm-dsp, a constant filter over 4 input channels is one word per
// output channel (bytes 1, -2, 3, -4 = 0xFC03FE01 = -66847231); each pixel's centred
// channels are packed as 16-bit pairs (0, 2) and (1, 3), and SXTB16 and
// SMLAD take the four products.
// CHECK-LABEL: func.func @pointwise_dsp
// CHECK-NOT: llvm.call_intrinsic
// DSP-LABEL: func.func @pointwise_dsp
// DSP: arith.constant dense<{{\[\[}}-66847231], [150537733]]> : tensor<2x1xi32>
// DSP: scf.for
// DSP: arith.andi %{{.*}}, %c65535_i32 : i32
// DSP: arith.shli %{{.*}}, %c16_i32 : i32
// DSP: llvm.call_intrinsic "llvm.arm.sxtb16"
// DSP: llvm.call_intrinsic "llvm.arm.sxtb16"
// DSP: llvm.call_intrinsic "llvm.arm.smlad"
// DSP: llvm.call_intrinsic "llvm.arm.smlad"
// DSP: } {kiln.writes_over = array<i64: 0, 1>}
func.func @pointwise_dsp(%x: tensor<1x4x2x2xi8>) -> tensor<1x2x2x2xi8> {
  %w = kiln.constant dense<[[[[1]], [[-2]], [[3]], [[-4]]], [[[5]], [[6]], [[-7]], [[8]]]]> : tensor<2x4x1x1xi8>
  %y = kiln.qconv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = -3 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x4x2x2xi8>, tensor<2x4x1x1xi8>) -> tensor<1x2x2x2xi8>
  return %y : tensor<1x2x2x2xi8>
}
