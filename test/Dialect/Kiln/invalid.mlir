// RUN: kiln-opt %s -split-input-file -verify-diagnostics
// Verifiers name the offending shapes and values.

func.func @no_broadcast(%a: tensor<4x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{operand shapes 4x3 and 2 do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.add %a, %b : (tensor<4x3xf32>, tensor<2xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @matmul_k(%a: tensor<4x8xf32>, %b: tensor<7x3xf32>) {
  // expected-error @+1 {{contraction sizes differ: lhs 4x8 has K=8, rhs 7x3 has K=7}}
  %0 = kiln.matmul %a, %b : (tensor<4x8xf32>, tensor<7x3xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{filter 8x3x3x3 expects 6 input channels, input 1x4x8x8 has 4}}
  %0 = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 2 : i64,
         pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>}
       : (tensor<1x4x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{cannot reshape 2x6 (12 elements) to 5 (5 elements)}}
  %0 = kiln.reshape %x : tensor<2x6xf32> to tensor<5xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x6xf32>) {
  // expected-error @+2 {{perm is not a permutation of the input's 2 dimensions}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x6xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @slice_window(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{dimension 1: window offset 4, size 2, stride 2 does not fit extent 6}}
  %0 = kiln.slice %x {offsets = array<i64: 0, 4>, sizes = array<i64: 2, 2>, strides = array<i64: 1, 2>}
       : (tensor<2x6xf32>) -> tensor<2x2xf32>
  return
}

// -----

func.func @clamp_bounds(%x: tensor<4xf32>) {
  // expected-error @+1 {{min 6.00 is greater than max 0.00}}
  %0 = kiln.clamp %x {min = 6.0 : f64, max = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @reduce_axes(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{axes must be sorted and unique}}
  %0 = kiln.reduce_sum %x {axes = array<i64: 1, 0>, keep_dims = false} : (tensor<2x6xf32>) -> tensor<f32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = kiln.softmax %x {axis = 2 : i64} : tensor<2x6xf32>
  return
}

// -----

func.func @broadcast_to(%x: tensor<2x6xf32>) {
  // expected-error @+1 {{cannot broadcast 2x6 to 3x6}}
  %0 = kiln.broadcast %x : tensor<2x6xf32> to tensor<3x6xf32>
  return
}

// -----

func.func @compare_types(%a: tensor<4xf32>, %b: tensor<4xi32>) -> tensor<4xi1> {
  // expected-error @+1 {{operand element types differ: 'f32' and 'i32'}}
  %0 = kiln.less %a, %b : (tensor<4xf32>, tensor<4xi32>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @select_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{value element types differ: 'f32' and 'f16'}}
  %0 = kiln.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_broadcast(%c: tensor<3xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{operand shapes 3, 4 and 4 do not broadcast}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.select %c, %a, %b : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @arg_max_axis(%x: tensor<2x10xf32>) -> tensor<2xi64> {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.arg_max %x {axis = 2 : i64, keep_dims = false, select_last_index = false} : (tensor<2x10xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @neg_bool(%x: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of floating-point or 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values}}
  %0 = kiln.neg %x : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @gather_elements_rank(%x: tensor<4x10xf32>, %i: tensor<4xi64>) -> tensor<4xf32> {
  // expected-error @+2 {{indices of rank 1 for an input of rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.gather_elements %x, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<4xi64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gather_elements_off_axis(%x: tensor<4x10xf32>, %i: tensor<5x1xi64>) -> tensor<5x1xf32> {
  // expected-error @+2 {{indices 5x1 exceed the input 4x10 off the axis}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.gather_elements %x, %i {axis = 1 : i64} : (tensor<4x10xf32>, tensor<5x1xi64>) -> tensor<5x1xf32>
  return %0 : tensor<5x1xf32>
}

// -----

func.func @scatter_nd_updates(%nd: tensor<4x4xf32>, %ni: tensor<2x1xi64>, %nu: tensor<2x3xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{updates must be 2x4, not 2x3}}
  %0 = kiln.scatter_nd %nd, %ni, %nu : (tensor<4x4xf32>, tensor<2x1xi64>, tensor<2x3xf32>) -> tensor<4x4xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @scatter_reduction(%d: tensor<3x5xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x5xf32> {
  // expected-error @+1 {{unknown reduction 'avg'}}
  %0 = kiln.scatter_elements %d, %i, %u {axis = 1 : i64, reduction = "avg"} : (tensor<3x5xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

func.func @gather_nd_tuple(%x: tensor<2x3xf32>, %i: tensor<5x3xi64>) -> tensor<5xf32> {
  // expected-error @+2 {{batch_dims 0 and index tuples of 3 do not fit input 2x3 and indices 5x3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = kiln.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<2x3xf32>, tensor<5x3xi64>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @row_bands_one_op(%x: tensor<1x2x4x4xi8>, %w: tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8> {
  // expected-error @+1 {{body must chain at least two convolutions}}
  %r = kiln.row_bands %x {rows = 2 : i64} : tensor<1x2x4x4xi8> -> tensor<1x2x4x4xi8> {
  ^bb0(%in: tensor<1x2x4x4xi8>):
    %0 = kiln.qconv2d %in, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8>
    kiln.yield %0 : tensor<1x2x4x4xi8>
  }
  return %r : tensor<1x2x4x4xi8>
}

// -----

func.func @row_bands_not_a_chain(%x: tensor<1x2x4x4xi8>, %w: tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8> {
  // expected-error @+1 {{body op 0 must be the only reader of the op before it}}
  %r = kiln.row_bands %x {rows = 2 : i64} : tensor<1x2x4x4xi8> -> tensor<1x2x4x4xi8> {
  ^bb0(%in: tensor<1x2x4x4xi8>):
    %0 = kiln.qconv2d %in, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8>
    %1 = kiln.qconv2d %in, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8>
    kiln.yield %1 : tensor<1x2x4x4xi8>
  }
  return %r : tensor<1x2x4x4xi8>
}

// -----

func.func @row_bands_too_tall(%x: tensor<1x2x4x4xi8>, %w: tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8> {
  // expected-error @+1 {{bands of 5 rows exceed the result's 4}}
  %r = kiln.row_bands %x {rows = 5 : i64} : tensor<1x2x4x4xi8> -> tensor<1x2x4x4xi8> {
  ^bb0(%in: tensor<1x2x4x4xi8>):
    %0 = kiln.qconv2d %in, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8>
    %1 = kiln.qconv2d %0, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, input_zero_point = 0 : i64, multiplier = array<i32: 1073741824>, output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64, pads = array<i64: 0, 0, 0, 0>, shift = array<i32: 31>, strides = array<i64: 1, 1>} : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8>
    kiln.yield %1 : tensor<1x2x4x4xi8>
  }
  return %r : tensor<1x2x4x4xi8>
}
