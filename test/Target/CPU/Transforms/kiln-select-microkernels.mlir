// RUN: kiln-opt %s -split-input-file \
// RUN:   -pass-pipeline='builtin.module(func.func(kiln-select-microkernels{variant=avx2}))' \
// RUN:   | FileCheck %s
// Convolutions and matrix products, with the bias, residual and activation
// after them, become kiln_cpu.microkernel ops; constant weights are packed at
// compile time into the kernels' panels (avx2: MR = 6 rows, NR = 16 columns).

// A convolution's filter is packed into 6-row panels: cout 2 fills one
// panel with four zero rows. The bias (per channel) and the ReLU fold in.
// CHECK-LABEL: func @conv_bias_relu
// CHECK: %[[W:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<6xf32>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x2x4x4xf32>
// CHECK: %[[R:.*]] = kiln_cpu.microkernel "conv2d" "avx2" ins(%arg0, %[[W]], %[[B:.*]] : tensor<1x1x4x4xf32>, tensor<6xf32>, tensor<2x1x1xf32>)
// CHECK-SAME: outs(%[[E]] : tensor<1x2x4x4xf32>) {hi = 0x7F800000 : f32, lo = 0.000000e+00 : f32,
// CHECK-SAME: params = array<i64: 1, 1, 4, 4, 2, 4, 4, 1, 1, 1, 1, 1, 1, 0, 0, 4>}
// CHECK-NOT: kiln.relu
// CHECK: return %[[R]]
func.func @conv_bias_relu(%x: tensor<1x1x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = kiln.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = kiln.constant dense<[[[0.5]], [[-0.5]]]> : tensor<2x1x1xf32>
  %c = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %a = kiln.add %c, %b : (tensor<1x2x4x4xf32>, tensor<2x1x1xf32>) -> tensor<1x2x4x4xf32>
  %r = kiln.relu %a : tensor<1x2x4x4xf32>
  return %r : tensor<1x2x4x4xf32>
}

// -----

// A residual block's tail: conv, add of the shortcut, ReLU. 8 output
// channels take two 6-row panels (2 x 27 x 6 floats). Padding,
// stride and dilation pass as params; flags 16 marks the residual.
// CHECK-LABEL: func @conv_residual
// CHECK: kiln_cpu.microkernel "conv2d" "avx2" ins(%arg0, %{{.*}}, %arg1 : tensor<1x3x9x9xf32>, tensor<324xf32>, tensor<1x8x4x4xf32>)
// CHECK-SAME: lo = 0.000000e+00 : f32, params = array<i64: 1, 3, 9, 9, 8, 4, 4, 3, 3, 2, 2, 1, 1, 1, 0, 16>}
func.func @conv_residual(%x: tensor<1x3x9x9xf32>, %s: tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %w = kiln.constant dense<0.25> : tensor<8x3x3x3xf32>
  %c = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 1, 0, 0, 0>, strides = array<i64: 2, 2>}
       : (tensor<1x3x9x9xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x4x4xf32>
  %a = kiln.add %s, %c : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %r = kiln.relu %a : tensor<1x8x4x4xf32>
  return %r : tensor<1x8x4x4xf32>
}

// -----

// Depthwise: the filter is read as it is; Clip(0, 6) is the clamp bounds.
// CHECK-LABEL: func @depthwise_relu6
// CHECK: kiln_cpu.microkernel "dwconv2d" "avx2" ins(%arg0, %arg1 : tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>)
// CHECK-SAME: hi = 6.000000e+00 : f32, lo = 0.000000e+00 : f32, params = array<i64: 1, 4, 8, 8, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 0>}
func.func @depthwise_relu6(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %c = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 4 : i64,
         pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
       : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  %r = kiln.clamp %c {max = 6.0 : f64, min = 0.0 : f64} : tensor<1x4x8x8xf32>
  return %r : tensor<1x4x8x8xf32>
}

// -----

// Grouped convolutions that are not depthwise stay with the generic lowering.
// CHECK-LABEL: func @grouped
// CHECK: kiln.conv2d
// CHECK-NOT: kiln_cpu.microkernel
func.func @grouped(%x: tensor<1x4x6x6xf32>) -> tensor<1x4x4x4xf32> {
  %w = kiln.constant dense<1.0> : tensor<4x2x3x3xf32>
  %c = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x4x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %c : tensor<1x4x4x4xf32>
}

// -----

// A conv result used twice keeps its consumers: only the conv is a kernel.
// CHECK-LABEL: func @shared_result
// CHECK: %[[C:.*]] = kiln_cpu.microkernel "conv2d"
// CHECK-SAME: lo = 0xFF800000
// CHECK: kiln.relu %[[C]]
// CHECK: kiln.neg %[[C]]
func.func @shared_result(%x: tensor<1x1x4x4xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>) {
  %w = kiln.constant dense<2.0> : tensor<1x1x1x1xf32>
  %c = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  %r = kiln.relu %c : tensor<1x1x4x4xf32>
  %n = kiln.neg %c : tensor<1x1x4x4xf32>
  return %r, %n : tensor<1x1x4x4xf32>, tensor<1x1x4x4xf32>
}

// -----

// Constant weights of a matrix product are packed into 16-column panels
// (flags 2) and the per-column bias folds in (flags 8). The batch of a
// 3-D lhs joins its rows: 2 x 3 rows.
// CHECK-LABEL: func @linear
// CHECK: %[[W:.*]] = kiln.constant dense<[1.000000e+00, 2.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00]> : tensor<16xf32>
// CHECK: kiln_cpu.microkernel "gemm" "avx2" ins(%arg0, %[[W]], %{{.*}} : tensor<2x3x1xf32>, tensor<16xf32>, tensor<2xf32>)
// CHECK-SAME: params = array<i64: 1, 6, 2, 1, 0, 1, 1, 0, 0, 0, 0, 2, 10>}
func.func @linear(%x: tensor<2x3x1xf32>) -> tensor<2x3x2xf32> {
  %w = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %b = kiln.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %m = kiln.matmul %x, %w : (tensor<2x3x1xf32>, tensor<1x2xf32>) -> tensor<2x3x2xf32>
  %a = kiln.add %m, %b : (tensor<2x3x2xf32>, tensor<2xf32>) -> tensor<2x3x2xf32>
  return %a : tensor<2x3x2xf32>
}

// -----

// Two runtime operands with a batch: unpacked, with batch strides.
// CHECK-LABEL: func @batched
// CHECK: kiln_cpu.microkernel "gemm" "avx2" ins(%arg0, %arg1 : tensor<2x4x8x16xf32>, tensor<2x4x16x8xf32>)
// CHECK-SAME: params = array<i64: 8, 8, 8, 16, 128, 16, 1, 128, 8, 1, 64, 8, 0>}
func.func @batched(%a: tensor<2x4x8x16xf32>, %b: tensor<2x4x16x8xf32>) -> tensor<2x4x8x8xf32> {
  %m = kiln.matmul %a, %b : (tensor<2x4x8x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x8x8xf32>
  return %m : tensor<2x4x8x8xf32>
}

// -----

// A transposed rhs (attention's Q x K^T) is read in place through strides.
// CHECK-LABEL: func @transposed_rhs
// CHECK: kiln_cpu.microkernel "gemm" "avx2" ins(%arg0, %arg1 : tensor<4x5x8xf32>, tensor<4x6x8xf32>)
// CHECK-SAME: params = array<i64: 4, 5, 6, 8, 40, 8, 1, 48, 1, 8, 30, 6, 0>}
func.func @transposed_rhs(%q: tensor<4x5x8xf32>, %k: tensor<4x6x8xf32>) -> tensor<4x5x6xf32> {
  %t = kiln.transpose %k {perm = array<i64: 0, 2, 1>} : (tensor<4x6x8xf32>) -> tensor<4x8x6xf32>
  %m = kiln.matmul %q, %t : (tensor<4x5x8xf32>, tensor<4x8x6xf32>) -> tensor<4x5x6xf32>
  return %m : tensor<4x5x6xf32>
}

// -----

// Operands whose batch dims broadcast partially stay generic.
// CHECK-LABEL: func @partial_broadcast
// CHECK: kiln.matmul
// CHECK-NOT: kiln_cpu.microkernel
func.func @partial_broadcast(%a: tensor<2x1x3x4xf32>, %b: tensor<1x5x4x2xf32>) -> tensor<2x5x3x2xf32> {
  %m = kiln.matmul %a, %b : (tensor<2x1x3x4xf32>, tensor<1x5x4x2xf32>) -> tensor<2x5x3x2xf32>
  return %m : tensor<2x5x3x2xf32>
}

// -----

// Sums and means over trailing axes are row sums (flags 64: a mean);
// other axes stay generic.
// CHECK-LABEL: func @reductions
// CHECK: kiln_cpu.microkernel "rowsum" "avx2" ins(%arg0 : tensor<1x8x5x5xf32>) outs(%{{.*}} : tensor<1x8x1x1xf32>)
// CHECK-SAME: params = array<i64: 8, 25, 64>}
// CHECK: kiln.reduce_sum %arg0 {axes = array<i64: 1>
func.func @reductions(%x: tensor<1x8x5x5xf32>) -> (tensor<1x8x1x1xf32>, tensor<1x5x5xf32>) {
  %m = kiln.reduce_mean %x {axes = array<i64: 2, 3>, keep_dims = true} : (tensor<1x8x5x5xf32>) -> tensor<1x8x1x1xf32>
  %s = kiln.reduce_sum %x {axes = array<i64: 1>, keep_dims = false} : (tensor<1x8x5x5xf32>) -> tensor<1x5x5xf32>
  return %m, %s : tensor<1x8x1x1xf32>, tensor<1x5x5xf32>
}
