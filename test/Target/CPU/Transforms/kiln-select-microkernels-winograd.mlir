// RUN: kiln-opt %s -split-input-file \
// RUN:   -pass-pipeline='builtin.module(func.func(kiln-select-microkernels{variant=avx2}))' \
// RUN:   | FileCheck %s
// RUN: kiln-opt %s -split-input-file \
// RUN:   -pass-pipeline='builtin.module(func.func(kiln-select-microkernels{variant=avx2 winograd-tile=2}))' \
// RUN:   | FileCheck %s --check-prefix=F2
// 3x3 stride-1 convolutions with 16+ channels in and out are Winograd
// products: F(4x4, 3x3) where its 4x4 tiles fill at least one panel of
// NR = 16 columns (avx2), F(2x2, 3x3) where only its 2x2 tiles do, and the
// im2col product below that. The filter is transformed (U = G g G^T) and
// packed at compile time: 36 matrices of 18 x 16 (cout 16 in 6-row panels,
// cin 16) for F(4x4), 16 for F(2x2). With a filter of ones, U's first
// component is 1/16 for F(4x4) (G's first row is [1/4, 0, 0]) and 1 for
// F(2x2); kiln-opt prints them as little-endian hex, 0x3D800000 and
// 0x3F800000.

// 16x16 outputs: 16 tiles of 4x4.
// CHECK-LABEL: func @f4
// CHECK: kiln.constant dense<"0x0000803D{{.*}}> : tensor<10368xf32>
// CHECK: kiln_cpu.microkernel "winograd3x3f4" "avx2" ins(%arg0, %{{.*}}, %{{.*}} : tensor<1x16x16x16xf32>, tensor<10368xf32>, tensor<16x1x1xf32>)
// CHECK-SAME: params = array<i64: 1, 16, 16, 16, 16, 16, 16, 1, 1, 4>}
// F2-LABEL: func @f4
// F2: kiln.constant dense<"0x0000803F{{.*}}> : tensor<4608xf32>
// F2: kiln_cpu.microkernel "winograd3x3" "avx2"
func.func @f4(%x: tensor<1x16x16x16xf32>) -> tensor<1x16x16x16xf32> {
  %w = kiln.constant dense<1.0> : tensor<16x16x3x3xf32>
  %b = kiln.constant dense<0.5> : tensor<16x1x1xf32>
  %c = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x16x16x16xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x16x16xf32>
  %a = kiln.add %c, %b : (tensor<1x16x16x16xf32>, tensor<16x1x1xf32>) -> tensor<1x16x16x16xf32>
  %r = kiln.relu %a : tensor<1x16x16x16xf32>
  return %r : tensor<1x16x16x16xf32>
}

// -----

// 12x12 outputs: 9 tiles of 4x4 would fill 9 of a panel's 16 columns; 36
// tiles of 2x2 fill more than two.
// CHECK-LABEL: func @f2
// CHECK: kiln.constant dense<"0x0000803F{{.*}}> : tensor<4608xf32>
// CHECK: kiln_cpu.microkernel "winograd3x3" "avx2"
// CHECK-SAME: params = array<i64: 1, 16, 12, 12, 16, 12, 12, 1, 1, 0>}
func.func @f2(%x: tensor<1x16x12x12xf32>) -> tensor<1x16x12x12xf32> {
  %w = kiln.constant dense<1.0> : tensor<16x16x3x3xf32>
  %c = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x16x12x12xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x12x12xf32>
  return %c : tensor<1x16x12x12xf32>
}

// -----

// 6x6 outputs: 9 tiles of 2x2, under one panel: the im2col product.
// CHECK-LABEL: func @im2col
// CHECK: kiln_cpu.microkernel "conv2d" "avx2"
// CHECK-NOT: winograd
func.func @im2col(%x: tensor<1x16x6x6xf32>) -> tensor<1x16x6x6xf32> {
  %w = kiln.constant dense<1.0> : tensor<16x16x3x3xf32>
  %c = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x16x6x6xf32>, tensor<16x16x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %c : tensor<1x16x6x6xf32>
}
