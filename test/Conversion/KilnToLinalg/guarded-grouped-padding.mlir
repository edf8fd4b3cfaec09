// RUN: kiln-opt %s -convert-kiln-to-linalg="guarded-grouped-padding=true" -split-input-file | FileCheck %s
// RUN: kiln-opt %s -convert-kiln-to-linalg -split-input-file | FileCheck %s --check-prefix=COPY
// convert-kiln-to-linalg's guarded-grouped-padding (Contraction.cpp): a
// grouped convolution whose padded copy would be at least a quarter larger
// than its input reads the unpadded input in its body, at clamped indices,
// with zero selected in the padding. Without the option, or where the copy
// is cheap, the input is padded as usual.

// A depthwise 3x3 on a 5x5 plane: the padded 7x7 copy is almost twice the
// size.
// CHECK-LABEL: func.func @depthwise_small_plane
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x5x5xf32>, %[[W:.*]]: tensor<4x1x3x3xf32>)
// CHECK-NOT: tensor.pad
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK-SAME: ins(%[[W]] : tensor<4x1x3x3xf32>)
// CHECK: ^bb0(%[[WV:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-DAG: arith.cmpi sge
// CHECK-DAG: arith.cmpi sle
// CHECK-DAG: arith.minsi
// CHECK-DAG: arith.maxsi
// CHECK: %[[V:.*]] = tensor.extract %[[X]][
// CHECK: %[[SEL:.*]] = arith.select %{{.*}}, %[[V]], %{{.*}} : f32
// CHECK: %[[P:.*]] = arith.mulf %[[SEL]], %[[WV]] : f32
// CHECK: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK: linalg.yield %[[S]] : f32
// COPY-LABEL: func.func @depthwise_small_plane
// COPY: tensor.pad
func.func @depthwise_small_plane(%x: tensor<1x4x5x5xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 4 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x4x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// On a 32x32 plane the 34x34 copy is 13% larger: it stays.
// CHECK-LABEL: func.func @depthwise_large_plane
// CHECK: tensor.pad
func.func @depthwise_large_plane(%x: tensor<1x4x32x32xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x32x32xf32> {
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 4 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x4x32x32xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x32x32xf32>
  return %0 : tensor<1x4x32x32xf32>
}

// -----

// Ungrouped convolutions keep the copy.
// CHECK-LABEL: func.func @ungrouped
// CHECK: tensor.pad
// CHECK: linalg.conv_2d_nchw_fchw
func.func @ungrouped(%x: tensor<1x4x5x5xf32>, %w: tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x4x5x5xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}
