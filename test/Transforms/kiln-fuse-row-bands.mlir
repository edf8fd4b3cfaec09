// RUN: kiln-opt %s -kiln-fuse-row-bands="in-place-kernels=true" -split-input-file | FileCheck %s
// RUN: kiln-opt %s -kiln-fuse-row-bands="in-place-kernels=true max-recompute=0.5" -split-input-file | FileCheck %s --check-prefix=WIDE
// RUN: kiln-opt %s -kiln-fuse-row-bands="in-place-kernels=true max-recompute=0" -split-input-file | FileCheck %s --check-prefix=NONE
// kiln-fuse-row-bands (FuseRowBands.cpp): the segment of a chain of int8
// convolutions, and the band height, with the lowest modelled workspace
// peak within the recomputation budget.

// An inverted-residual-like chain on a 32x32 model input (which takes no
// workspace): depthwise 3x3 (8 channels), pointwise 8 -> 32, depthwise 3x3
// stride 2, pointwise 32 -> 8. Unbanded, the in-place kernels need
// 32x32x32 = 32768 bytes (the expanding pointwise and the strided
// depthwise). The function's 475136 multiply-accumulates allow 47513 more
// at the default 0.1. All four in bands of 4 of the 16 result rows: the
// strided depthwise computes 4 rows (4 x 512 bytes), the pointwise before
// it (4 - 1) x 2 + 3 = 9 rows (9 x 1024), the first depthwise 9 rows
// (9 x 256), so 2048 + 2048 + 9216 + 2304 = 15616 bytes; the 4 bands
// recompute 4 x 9 x 8192 - 262144 = 32768 of the expanding pointwise and
// 9216 of the first depthwise, 41984 in all. Bands of 3 rows would need
// 6 x 7 x 8192 - 262144 = 81920 more. At 0.5, bands of one row (3 rows of
// each intermediate, 167936 more) need 2048 + 512 + 3072 + 768 = 6400. At
// 0 nothing is banded.
// CHECK-LABEL: func.func @chain
// CHECK: %[[B:.*]] = kiln.row_bands %arg0 {rows = 4 : i64} : tensor<1x8x32x32xi8> -> tensor<1x8x16x16xi8> {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: tensor<1x8x32x32xi8>):
// CHECK-NEXT: %[[D:.*]] = kiln.qconv2d %[[IN]], %arg1
// CHECK-NEXT: %[[P:.*]] = kiln.qconv2d %[[D]], %arg2
// CHECK-NEXT: %[[S:.*]] = kiln.qconv2d %[[P]], %arg3
// CHECK-NEXT: %[[R:.*]] = kiln.qconv2d %[[S]], %arg4
// CHECK-NEXT: kiln.yield %[[R]] : tensor<1x8x16x16xi8>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[B]]
// WIDE-LABEL: func.func @chain
// WIDE: kiln.row_bands %arg0 {rows = 1 : i64}
// NONE-LABEL: func.func @chain
// NONE-NOT: kiln.row_bands
func.func @chain(%x: tensor<1x8x32x32xi8>, %w0: tensor<8x1x3x3xi8>, %w1: tensor<32x8x1x1xi8>,
                 %w2: tensor<32x1x3x3xi8>, %w3: tensor<8x32x1x1xi8>) -> tensor<1x8x16x16xi8> {
  %0 = kiln.qconv2d %x, %w0 {dilations = array<i64: 1, 1>, groups = 8 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x8x32x32xi8>, tensor<8x1x3x3xi8>) -> tensor<1x8x32x32xi8>
  %1 = kiln.qconv2d %0, %w1 {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x8x32x32xi8>, tensor<32x8x1x1xi8>) -> tensor<1x32x32x32xi8>
  %2 = kiln.qconv2d %1, %w2 {dilations = array<i64: 1, 1>, groups = 32 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, shift = array<i32: 31>, strides = array<i64: 2, 2>} : (tensor<1x32x32x32xi8>, tensor<32x1x3x3xi8>) -> tensor<1x32x16x16xi8>
  %3 = kiln.qconv2d %2, %w3 {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x32x16x16xi8>, tensor<8x32x1x1xi8>) -> tensor<1x8x16x16xi8>
  return %3 : tensor<1x8x16x16xi8>
}

// -----

// The expanding pointwise result is also returned: the chain stops there,
// and the depthwise alone is no chain.
// CHECK-LABEL: func.func @shared
// CHECK-NOT: kiln.row_bands
// WIDE-LABEL: func.func @shared
// WIDE-NOT: kiln.row_bands
func.func @shared(%x: tensor<1x8x32x32xi8>, %w1: tensor<32x8x1x1xi8>, %w2: tensor<32x1x3x3xi8>)
    -> (tensor<1x32x32x32xi8>, tensor<1x32x16x16xi8>) {
  %1 = kiln.qconv2d %x, %w1 {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x8x32x32xi8>, tensor<32x8x1x1xi8>) -> tensor<1x32x32x32xi8>
  %2 = kiln.qconv2d %1, %w2 {dilations = array<i64: 1, 1>, groups = 32 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 1, 1, 1, 1>, shift = array<i32: 31>, strides = array<i64: 2, 2>} : (tensor<1x32x32x32xi8>, tensor<32x1x3x3xi8>) -> tensor<1x32x16x16xi8>
  return %1, %2 : tensor<1x32x32x32xi8>, tensor<1x32x16x16xi8>
}

// -----

// Two same-size pointwise convolutions write over their inputs: 8192 bytes
// each. Bands would need the input and the result whole, and more.
// CHECK-LABEL: func.func @no_gain
// CHECK-NOT: kiln.row_bands
// WIDE-LABEL: func.func @no_gain
// WIDE-NOT: kiln.row_bands
func.func @no_gain(%x: tensor<1x8x32x32xi8>, %w0: tensor<8x8x1x1xi8>, %w1: tensor<8x8x1x1xi8>,
                   %w2: tensor<8x8x1x1xi8>) -> tensor<1x8x32x32xi8> {
  %0 = kiln.qconv2d %x, %w0 {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x8x32x32xi8>, tensor<8x8x1x1xi8>) -> tensor<1x8x32x32xi8>
  %1 = kiln.qconv2d %0, %w1 {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x8x32x32xi8>, tensor<8x8x1x1xi8>) -> tensor<1x8x32x32xi8>
  %2 = kiln.qconv2d %1, %w2 {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x8x32x32xi8>, tensor<8x8x1x1xi8>) -> tensor<1x8x32x32xi8>
  return %2 : tensor<1x8x32x32xi8>
}

// -----

// Float stages: a convolution with its bias add and ReLU or clamp. The
// 32x32 model input is copied into a padded buffer for the depthwise
// (34 x 34 x 4 x 4 = 18496 bytes); the expanding pointwise writes straight
// into the padded buffer of the strided depthwise (34 x 34 x 16 x 4 =
// 73984), so both of those need 16384 + 73984 = 90368 bytes. The 139264
// multiply-accumulates allow 13926 more. All three in bands of 4 of the
// 16 result rows read their inputs unpadded: 9 rows of the pointwise
// (9 x 2048) and 9 of the first depthwise (9 x 512) with the 16384-byte
// result, 39424 bytes, for 8192 + 4608 = 12800 more; bands of 3 would add
// 20480 to the pointwise alone.
// CHECK-LABEL: func.func @float_chain
// CHECK: %[[B:.*]] = kiln.row_bands %arg0 {rows = 4 : i64} : tensor<1x4x32x32xf32> -> tensor<1x16x16x16xf32> {
// CHECK-NEXT: ^bb0(%[[IN:.*]]: tensor<1x4x32x32xf32>):
// CHECK-NEXT: kiln.conv2d %[[IN]], %arg1
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.relu
// CHECK-NEXT: kiln.conv2d
// CHECK-NEXT: kiln.add
// CHECK-NEXT: kiln.relu
// CHECK-NEXT: kiln.conv2d
// CHECK-NEXT: kiln.add
// CHECK-NEXT: %[[C:.*]] = kiln.clamp
// CHECK-NEXT: kiln.yield %[[C]] : tensor<1x16x16x16xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[B]]
// WIDE-LABEL: func.func @float_chain
// NONE-LABEL: func.func @float_chain
// NONE-NOT: kiln.row_bands
func.func @float_chain(%x: tensor<1x4x32x32xf32>, %w0: tensor<4x1x3x3xf32>, %w1: tensor<16x4x1x1xf32>, %w2: tensor<16x1x3x3xf32>) -> tensor<1x16x16x16xf32> {
  %b0 = kiln.constant dense<0.5> : tensor<4x1x1xf32>
  %b1 = kiln.constant dense<0.25> : tensor<16x1x1xf32>
  %b2 = kiln.constant dense<-0.5> : tensor<16x1x1xf32>
  %0 = kiln.conv2d %x, %w0 {dilations = array<i64: 1, 1>, groups = 4 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<1x4x32x32xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x32x32xf32>
  %1 = kiln.add %0, %b0 : (tensor<1x4x32x32xf32>, tensor<4x1x1xf32>) -> tensor<1x4x32x32xf32>
  %2 = kiln.relu %1 : tensor<1x4x32x32xf32>
  %3 = kiln.conv2d %2, %w1 {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x4x32x32xf32>, tensor<16x4x1x1xf32>) -> tensor<1x16x32x32xf32>
  %4 = kiln.add %3, %b1 : (tensor<1x16x32x32xf32>, tensor<16x1x1xf32>) -> tensor<1x16x32x32xf32>
  %5 = kiln.relu %4 : tensor<1x16x32x32xf32>
  %6 = kiln.conv2d %5, %w2 {dilations = array<i64: 1, 1>, groups = 16 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x16x32x32xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x16x16xf32>
  %7 = kiln.add %6, %b2 : (tensor<1x16x16x16xf32>, tensor<16x1x1xf32>) -> tensor<1x16x16x16xf32>
  %8 = kiln.clamp %7 {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x16x16x16xf32>
  return %8 : tensor<1x16x16x16xf32>
}
