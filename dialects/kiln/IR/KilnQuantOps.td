//===- KilnQuantOps.td - Kiln quantized operations ---------*- tablegen -*-===//
//
// Affine int8 quantization: quantize/dequantize at the boundaries between
// float and integer code, and integer kernels that accumulate in int32 and
// requantize with a fixed-point multiplier and shift. kiln-fuse-quantized-ops
// forms the kernels from dequantize -> float op -> quantize chains.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_QUANT_OPS_TD
#define KILN_QUANT_OPS_TD

def Kiln_I8Tensor : StaticShapeTensorOf<[I8]>;
def Kiln_I32Tensor : StaticShapeTensorOf<[I32]>;
def Kiln_F32Tensor : StaticShapeTensorOf<[F32]>;

//===----------------------------------------------------------------------===//
// Quantize and dequantize
//===----------------------------------------------------------------------===//

class Kiln_QuantParamsOp<string mnemonic, string what>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultShape]> {
  let summary = what # " with constant scales and zero points";
  let hasVerifier = 1;
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
}

def Kiln_QuantizeOp : Kiln_QuantParamsOp<"quantize", "Float to signed int8"> {
  let description = [{
    `saturate(round_half_even(x / scale) + zero_point)` into `[-128, 127]`,
    computed in f32 as ONNX QuantizeLinear defines it. `scale` and
    `zero_point` hold one value (per tensor) or one per index of `axis`.

    ```mlir
    %q = kiln.quantize %x {axis = 0 : i64, scale = array<f32: 0.05>,
           zero_point = array<i64: -3>} : tensor<1x8xf32> to tensor<1x8xi8>
    ```
  }];
  let arguments = (ins Kiln_F32Tensor:$input, DenseF32ArrayAttr:$scale,
                       DenseI64ArrayAttr:$zero_point, I64Attr:$axis);
  let results = (outs Kiln_I8Tensor:$result);
}

def Kiln_DequantizeOp : Kiln_QuantParamsOp<"dequantize", "Signed int8 or int32 to float"> {
  let description = [{
    `(x - zero_point) * scale` in f32, as ONNX DequantizeLinear defines
    it. int32 inputs are quantized biases.

    ```mlir
    %x = kiln.dequantize %q {axis = 0 : i64, scale = array<f32: 0.05>,
           zero_point = array<i64: -3>} : tensor<1x8xi8> to tensor<1x8xf32>
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[I8, I32]>:$input, DenseF32ArrayAttr:$scale,
                       DenseI64ArrayAttr:$zero_point, I64Attr:$axis);
  let results = (outs Kiln_F32Tensor:$result);
}

//===----------------------------------------------------------------------===//
// Integer kernels
//===----------------------------------------------------------------------===//

// Every integer kernel ends with the same requantization of its int32
// accumulator `acc` (per output channel where the arrays have one entry
// per channel, else per tensor):
//
//   y = clamp(((acc * multiplier + 2^(shift-1)) >> shift) + output_zero_point,
//             output_min, output_max)
//
// in 64-bit arithmetic, with multiplier in [2^30, 2^31) and shift in
// [1, 63]: the TFLite and CMSIS-NN scheme with a single rounding.
// Activation clamps (ReLU, Clip) are folded into output_min/output_max.

class Kiln_QKernelOp<string mnemonic, string what>
    : Kiln_Op<mnemonic, [Pure]> {
  let summary = what # ", int8 in, int32 accumulation, requantized int8 out";
  let results = (outs Kiln_I8Tensor:$result);
  let hasVerifier = 1;
}

def Kiln_QConv2DOp : Kiln_QKernelOp<"qconv2d", "2-D convolution"> {
  let description = [{
    The convolution of `kiln.conv2d` (NCHW input, OIHW filter, groups) on
    int8 values: `acc[f] = bias[f] + sum((x - input_zero_point) * w)`.
    Weights are symmetric (zero point 0). Padding contributes nothing: it
    holds the input's zero point. `multiplier` and `shift` have one entry,
    or one per output channel.

    ```mlir
    %y = kiln.qconv2d %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64,
           input_zero_point = -5 : i64, multiplier = array<i32: 1518500250>,
           output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 3 : i64,
           pads = array<i64: 1, 1, 1, 1>, shift = array<i32: 38>, strides = array<i64: 1, 1>}
         : (tensor<1x3x8x8xi8>, tensor<16x3x3x3xi8>, tensor<16xi32>) -> tensor<1x16x8x8xi8>
    ```
  }];
  let arguments = (ins Kiln_I8Tensor:$input, Kiln_I8Tensor:$filter,
                       Optional<Kiln_I32Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads, I64Attr:$groups,
                       I64Attr:$input_zero_point, DenseI32ArrayAttr:$multiplier,
                       DenseI32ArrayAttr:$shift, I64Attr:$output_zero_point,
                       I64Attr:$output_min, I64Attr:$output_max);
  let assemblyFormat = [{
    $input `,` $filter (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_QMatmulOp : Kiln_QKernelOp<"qmatmul", "Matrix product"> {
  let description = [{
    `[M, K] x [K, N] -> [M, N]`: `acc[m, n] = bias[n] + sum_k (x[m, k] -
    lhs_zero_point) * w[k, n]`, with symmetric weights. `multiplier` and
    `shift` have one entry, or one per column `n`.

    ```mlir
    %y = kiln.qmatmul %x, %w, %b {lhs_zero_point = 0 : i64, multiplier = array<i32: 1518500250>,
           output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 0 : i64,
           shift = array<i32: 38>}
         : (tensor<1x640xi8>, tensor<640x128xi8>, tensor<128xi32>) -> tensor<1x128xi8>
    ```
  }];
  let arguments = (ins Kiln_I8Tensor:$lhs, Kiln_I8Tensor:$rhs, Optional<Kiln_I32Tensor>:$bias,
                       I64Attr:$lhs_zero_point, DenseI32ArrayAttr:$multiplier,
                       DenseI32ArrayAttr:$shift, I64Attr:$output_zero_point,
                       I64Attr:$output_min, I64Attr:$output_max);
  let assemblyFormat = [{
    $lhs `,` $rhs (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Kiln_QAddOp : Kiln_QKernelOp<"qadd", "Elementwise sum of two same-shape tensors"> {
  let description = [{
    Each operand is centred on its zero point, shifted left by
    `left_shift` and rescaled to a common scale by its own multiplier and
    shift (arrays of two: lhs, rhs); their sum is requantized by the last
    entry (arrays of three). This is TFLite's int8 add.

    ```mlir
    %y = kiln.qadd %a, %b {input_zero_points = array<i64: 3, -2>, left_shift = 20 : i64,
           multiplier = array<i32: 1073741824, 1431655765, 1518500250>,
           output_max = 127 : i64, output_min = -128 : i64, output_zero_point = 1 : i64,
           shift = array<i32: 31, 31, 50>}
         : (tensor<1x16x8x8xi8>, tensor<1x16x8x8xi8>) -> tensor<1x16x8x8xi8>
    ```
  }];
  let arguments = (ins Kiln_I8Tensor:$lhs, Kiln_I8Tensor:$rhs,
                       DenseI64ArrayAttr:$input_zero_points, I64Attr:$left_shift,
                       DenseI32ArrayAttr:$multiplier, DenseI32ArrayAttr:$shift,
                       I64Attr:$output_zero_point, I64Attr:$output_min, I64Attr:$output_max);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def Kiln_QAvgPool2DOp : Kiln_QKernelOp<"qavg_pool2d", "2-D average pooling without padding"> {
  let description = [{
    `acc = sum(x - input_zero_point)` over each `kernel` window; the
    requantization's real scale includes the division by the window size.

    ```mlir
    %y = kiln.qavg_pool2d %x {input_zero_point = -128 : i64, kernel = array<i64: 25, 5>,
           multiplier = array<i32: 1518500250>, output_max = 127 : i64, output_min = -128 : i64,
           output_zero_point = -128 : i64, shift = array<i32: 38>, strides = array<i64: 1, 1>}
         : (tensor<1x64x25x5xi8>) -> tensor<1x64x1x1xi8>
    ```
  }];
  let arguments = (ins Kiln_I8Tensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, I64Attr:$input_zero_point,
                       DenseI32ArrayAttr:$multiplier, DenseI32ArrayAttr:$shift,
                       I64Attr:$output_zero_point, I64Attr:$output_min, I64Attr:$output_max);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_RequantizeOp : Kiln_QKernelOp<"requantize", "Elementwise change of scale"> {
  let description = [{
    `acc = x - input_zero_point`, requantized: a quantize of a dequantize
    with other parameters, with a ReLU or Clip between them folded into
    the output bounds.

    ```mlir
    %y = kiln.requantize %x {input_zero_point = 4 : i64, multiplier = array<i32: 1073741824>,
           output_max = 127 : i64, output_min = -7 : i64, output_zero_point = -7 : i64,
           shift = array<i32: 30>} : (tensor<8xi8>) -> tensor<8xi8>
    ```
  }];
  let arguments = (ins Kiln_I8Tensor:$input, I64Attr:$input_zero_point,
                       DenseI32ArrayAttr:$multiplier, DenseI32ArrayAttr:$shift,
                       I64Attr:$output_zero_point, I64Attr:$output_min, I64Attr:$output_max);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif // KILN_QUANT_OPS_TD
