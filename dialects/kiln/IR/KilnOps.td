//===- KilnOps.td - Kiln dialect operations ----------------*- tablegen -*-===//
//
// The core op set. One op per mathematical concept: importers decompose
// framework ops (Gemm, BatchNormalization, LayerNormalization, Flatten, ...)
// into these. Every tensor is statically shaped.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "KilnDialect.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def Kiln_Tensor : StaticShapeTensorOf<[AnyType]>;
def Kiln_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;
def Kiln_IndexTensor : StaticShapeTensorOf<[AnySignlessInteger]>;
def Kiln_NumericTensor : StaticShapeTensorOf<[AnyFloat, I8, I16, I32, I64]>;

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "A tensor constant (a weight, a bias, a folded value)";
  let description = [{
    Holds a dense tensor value. Weights become constants; lowering turns
    them into read-only, 64-byte aligned globals of the object file.

    ```mlir
    %w = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic with broadcasting
//===----------------------------------------------------------------------===//

class Kiln_BinaryOp<string mnemonic, string equation, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])> {
  let summary = "Elementwise `" # equation # "` with NumPy broadcasting";
  let description = [{
    Computes `}] # equation # [{` elementwise. Operands have the same element
    type and broadcast against each other from the trailing dimension, as in
    NumPy: each pair of dimensions is equal or one of them is 1.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_AddOp : Kiln_BinaryOp<"add", "lhs + rhs", [Commutative]> { let hasFolder = 1; }
def Kiln_SubOp : Kiln_BinaryOp<"sub", "lhs - rhs"> { let hasFolder = 1; }
def Kiln_MulOp : Kiln_BinaryOp<"mul", "lhs * rhs", [Commutative]> { let hasFolder = 1; }
def Kiln_DivOp : Kiln_BinaryOp<"div", "lhs / rhs"> { let hasFolder = 1; }
def Kiln_MaxOp : Kiln_BinaryOp<"max", "max(lhs, rhs)", [Commutative]>;
def Kiln_MinOp : Kiln_BinaryOp<"min", "min(lhs, rhs)", [Commutative]>;
def Kiln_PowOp : Kiln_BinaryOp<"pow", "lhs ^ rhs">;
def Kiln_RemOp : Kiln_BinaryOp<"rem", "fmod(lhs, rhs)"> {
  let description = [{
    The remainder of division truncated toward zero: the result has the
    sign of `lhs` (C's `fmod` and `%`). ONNX `Mod` with `fmod = 0` (the
    sign of the divisor) is built from this and `kiln.select`.

    ```mlir
    %r = kiln.rem %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    ```
  }];
}
def Kiln_ShiftLeftOp : Kiln_BinaryOp<"shift_left", "lhs << rhs">;
def Kiln_ShiftRightOp : Kiln_BinaryOp<"shift_right", "lhs >> rhs (logical: zeros shift in)">;
def Kiln_AndOp : Kiln_BinaryOp<"and", "lhs & rhs", [Commutative]> { let hasFolder = 1; }
def Kiln_OrOp : Kiln_BinaryOp<"or", "lhs | rhs", [Commutative]> { let hasFolder = 1; }
def Kiln_XorOp : Kiln_BinaryOp<"xor", "lhs ^ rhs (bitwise)", [Commutative]> {
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Comparison and selection
//===----------------------------------------------------------------------===//

class Kiln_CompareOp<string mnemonic, string equation, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, InferTypeOpAdaptor])> {
  let summary = "Elementwise `" # equation # "` with NumPy broadcasting, to `i1`";
  let description = [{
    Compares elementwise after broadcasting; the result is an `i1` tensor.
    Integers compare signed; for floats, any comparison with NaN is false.
    `a > b` is `kiln.less %b, %a`.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xi1>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs StaticShapeTensorOf<[I1]>:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_EqualOp : Kiln_CompareOp<"equal", "lhs == rhs", [Commutative]>;
def Kiln_LessOp : Kiln_CompareOp<"less", "lhs < rhs">;
def Kiln_LessEqualOp : Kiln_CompareOp<"less_equal", "lhs <= rhs">;

def Kiln_SelectOp : Kiln_Op<"select", [Pure, InferTypeOpAdaptor]> {
  let summary = "Elementwise `condition ? on_true : on_false` with broadcasting";
  let description = [{
    The three operands broadcast against each other, NumPy style; the
    condition is `i1`, the two values share an element type. ONNX `Where`
    maps to it one to one.

    ```mlir
    %r = kiln.select %c, %a, %b : (tensor<4x1xi1>, tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins StaticShapeTensorOf<[I1]>:$condition, Kiln_Tensor:$on_true,
                       Kiln_Tensor:$on_false);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$condition `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary functions and activations
//===----------------------------------------------------------------------===//

class Kiln_UnaryOp<string mnemonic, string equation, list<Trait> traits = [],
                   Type tensorType = Kiln_FloatTensor, string kind = "a floating-point">
    : Kiln_Op<mnemonic, !listconcat(traits, [Pure, SameOperandsAndResultType])> {
  let summary = "Elementwise `" # equation # "`";
  let description = [{
    Computes `}] # equation # [{` for every element of }] # kind # [{
    tensor; the result has the operand's type.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %x : tensor<1x64xf32>
    ```
  }];
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_ReluOp : Kiln_UnaryOp<"relu", "max(x, 0)"> { let hasFolder = 1; }
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", "tanh(x)">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", "exp(x)">;
def Kiln_LogOp : Kiln_UnaryOp<"log", "log(x)">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", "sqrt(x)">;
def Kiln_NegOp : Kiln_UnaryOp<"neg", "-x", [], Kiln_NumericTensor, "a float or integer"> { let hasFolder = 1; }
def Kiln_AbsOp : Kiln_UnaryOp<"abs", "|x|", [], Kiln_NumericTensor, "a float or integer"> { let hasFolder = 1; }
def Kiln_ErfOp : Kiln_UnaryOp<"erf", "erf(x)">;
def Kiln_ReciprocalOp : Kiln_UnaryOp<"reciprocal", "1 / x">;
def Kiln_FloorOp : Kiln_UnaryOp<"floor", "floor(x)"> { let hasFolder = 1; }
def Kiln_CeilOp : Kiln_UnaryOp<"ceil", "ceil(x)"> { let hasFolder = 1; }
def Kiln_RoundOp : Kiln_UnaryOp<"round", "round half to even(x)">;
def Kiln_SinOp : Kiln_UnaryOp<"sin", "sin(x)">;
def Kiln_CosOp : Kiln_UnaryOp<"cos", "cos(x)">;
def Kiln_TanOp : Kiln_UnaryOp<"tan", "tan(x)">;
def Kiln_AsinOp : Kiln_UnaryOp<"asin", "asin(x)">;
def Kiln_AcosOp : Kiln_UnaryOp<"acos", "acos(x)">;
def Kiln_AtanOp : Kiln_UnaryOp<"atan", "atan(x)">;
def Kiln_SinhOp : Kiln_UnaryOp<"sinh", "sinh(x)">;
def Kiln_CoshOp : Kiln_UnaryOp<"cosh", "cosh(x)">;
def Kiln_AsinhOp : Kiln_UnaryOp<"asinh", "asinh(x)">;
def Kiln_AcoshOp : Kiln_UnaryOp<"acosh", "acosh(x)">;
def Kiln_AtanhOp : Kiln_UnaryOp<"atanh", "atanh(x)">;

def Kiln_ClampOp : Kiln_Op<"clamp", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise `min(max(x, min), max)`";
  let description = [{
    Clamps every element into `[min, max]`. Relu6 is `clamp` with min 0 and
    max 6; ONNX Clip with constant bounds becomes this op.

    ```mlir
    %r = kiln.clamp %x {max = 6.0 : f64, min = 0.0 : f64} : tensor<8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, F64Attr:$min, F64Attr:$max);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Kiln_LeakyReluOp : Kiln_Op<"leaky_relu", [Pure, SameOperandsAndResultType]> {
  let summary = "Elementwise `x >= 0 ? x : alpha * x`";
  let description = [{
    ```mlir
    %r = kiln.leaky_relu %x {alpha = 0.01 : f64} : tensor<8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, F64Attr:$alpha);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Kiln_CastOp : Kiln_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Converts every element to another element type";
  let description = [{
    Float to integer truncates toward zero; integer widening is signed; to
    `i1`, any non-zero value is true. Float narrowing rounds to nearest even;
    a value beyond the target's range becomes infinity, or NaN in the float8
    types that have no infinity (`f8E4M3FN`, `f8E4M3FNUZ`, `f8E5M2FNUZ`).
    With `saturate` (ONNX's default for float8 targets), a value beyond the
    range, infinity included, becomes the largest finite value of its sign
    instead; NaN stays NaN.

    ```mlir
    %r = kiln.cast %x : tensor<4xi64> to tensor<4xf32>
    %q = kiln.cast %x {saturate} : tensor<4xf32> to tensor<4xf8E4M3FN>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, UnitAttr:$saturate);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions and convolution
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "Batched matrix product with broadcast batch dimensions";
  let description = [{
    Both operands have rank at least 2. The last two dimensions multiply as
    matrices (`[.., M, K] x [.., K, N] -> [.., M, N]`); the leading batch
    dimensions broadcast as in NumPy. Importers turn rank-1 operands into
    rank-2 ones with `kiln.reshape`.

    ```mlir
    %r = kiln.matmul %a, %b : (tensor<2x4x8xf32>, tensor<8x3xf32>) -> tensor<2x4x3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$lhs, Kiln_FloatTensor:$rhs);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_Conv2DOp : Kiln_Op<"conv2d", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D convolution, NCHW input and OIHW filter, with groups";
  let description = [{
    `input` is `N x C x H x W`, `filter` is `F x C/groups x KH x KW`. The
    input is zero-padded by `pads = [top, left, bottom, right]`; `strides`
    and `dilations` are `[h, w]`. Output channel `f` reads input channels of
    group `f / (F / groups)`. The bias is a separate `kiln.add`.

    ```mlir
    %r = kiln.conv2d %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
           pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
         : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$filter,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads, I64Attr:$groups);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input `,` $filter attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class Kiln_Pool2DOp<string mnemonic, string what> : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D " # what # " pooling over NCHW windows";
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_MaxPool2DOp : Kiln_Pool2DOp<"max_pool2d", "max"> {
  let description = [{
    The maximum of each `kernel` window; padding (`[top, left, bottom,
    right]`) never wins. Ceil-mode output sizes are expressed by the importer
    as extra bottom/right padding.

    ```mlir
    %r = kiln.max_pool2d %x {dilations = array<i64: 1, 1>, kernel = array<i64: 3, 3>,
           pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
         : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads);
}

def Kiln_AvgPool2DOp : Kiln_Pool2DOp<"avg_pool2d", "average"> {
  let description = [{
    The mean of each `kernel` window. With `count_include_pad`, padded
    positions count as zeros; without, each window divides by the number of
    real input elements it covers.

    ```mlir
    %r = kiln.avg_pool2d %x {count_include_pad = false, kernel = array<i64: 2, 2>,
           pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
         : (tensor<1x8x4x4xf32>) -> tensor<1x8x2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       BoolAttr:$count_include_pad);
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, string what>
    : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "The " # what # " over `axes`";
  let description = [{
    Reduces the listed axes (sorted, unique, non-negative). With `keep_dims`
    the reduced axes stay as size 1; global pooling is a reduction over the
    spatial axes.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %x {axes = array<i64: 2, 3>, keep_dims = true}
         : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$axes, BoolAttr:$keep_dims);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", "sum">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", "arithmetic mean">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", "maximum">;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", "minimum">;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", "product">;

class Kiln_ArgReduceOp<string mnemonic, string what>
    : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "The `i64` index of the " # what # " along `axis`";
  let description = [{
    For every position of the other axes, the index along `axis` (non-
    negative) of the }] # what # [{ element. Ties go to the first such index,
    or to the last with `select_last_index`. With `keep_dims` the axis stays
    as size 1.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %x {axis = 1 : i64, keep_dims = false, select_last_index = false}
         : (tensor<2x10xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis, BoolAttr:$keep_dims,
                       BoolAttr:$select_last_index);
  let results = (outs StaticShapeTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Kiln_ArgMaxOp : Kiln_ArgReduceOp<"arg_max", "largest">;
def Kiln_ArgMinOp : Kiln_ArgReduceOp<"arg_min", "smallest">;

class Kiln_SoftmaxBase<string mnemonic, string equation>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "`" # equation # "` along one axis";
  let description = [{
    Normalizes along `axis` (non-negative), computed stably by subtracting
    the axis maximum first.

    ```mlir
    %r = kiln.}] # mnemonic # [{ %x {axis = 1 : i64} : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_SoftmaxBase<"softmax", "exp(x) / sum(exp(x))">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxBase<"log_softmax", "x - log(sum(exp(x)))">;

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Kiln_TransposeOp : Kiln_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "Permutes dimensions: result dim i is input dim perm[i]";
  let description = [{
    ```mlir
    %r = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Reinterprets the row-major elements with a new static shape";
  let description = [{
    The element count is unchanged. Flatten, Squeeze and Unsqueeze all
    become reshapes.

    ```mlir
    %r = kiln.reshape %x : tensor<1x512x1x1xf32> to tensor<1x512xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_BroadcastOp : Kiln_Op<"broadcast", [Pure, SameOperandsAndResultElementType]> {
  let summary = "Broadcasts to a larger static shape, NumPy style";
  let description = [{
    ```mlir
    %r = kiln.broadcast %x : tensor<3x1xf32> to tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "Joins tensors along one axis";
  let description = [{
    ```mlir
    %r = kiln.concat %a, %b {axis = 1 : i64} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_SliceOp : Kiln_Op<"slice", [Pure, InferTypeOpAdaptor]> {
  let summary = "A strided window: `sizes` elements from `offsets` by `strides`";
  let description = [{
    For every dimension `d`, result index `i` reads input index
    `offsets[d] + i * strides[d]`. Strides are positive; importers resolve
    negative ONNX steps and clamp out-of-range bounds.

    ```mlir
    %r = kiln.slice %x {offsets = array<i64: 0, 1>, sizes = array<i64: 2, 2>,
           strides = array<i64: 1, 2>} : (tensor<2x6xf32>) -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$offsets,
                       DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$strides);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_PadOp : Kiln_Op<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "Pads every dimension with a constant value";
  let description = [{
    `low[d]` elements are added before and `high[d]` after dimension `d`,
    all set to `value`.

    ```mlir
    %r = kiln.pad %x {high = array<i64: 0, 1>, low = array<i64: 0, 1>, value = 0.0 : f64}
         : (tensor<2x3xf32>) -> tensor<2x5xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high, F64Attr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_GatherOp : Kiln_Op<"gather", [Pure, InferTypeOpAdaptor]> {
  let summary = "Selects slices along `axis` by integer indices";
  let description = [{
    The result shape is `input[:axis] ++ indices ++ input[axis+1:]`.
    Negative indices count from the end of the axis; an index out of range
    is clamped into it.

    ```mlir
    %r = kiln.gather %table, %ids {axis = 0 : i64}
         : (tensor<100x16xf32>, tensor<1x4xi64>) -> tensor<1x4x16xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Kiln_GatherElementsOp : Kiln_Op<"gather_elements", [Pure, InferTypeOpAdaptor]> {
  let summary = "Picks one element along `axis` for every index";
  let description = [{
    `indices` has the input's rank; the result has its shape. Result element
    `r[i0, ..., ik, ...]` (with `ik` on `axis`) is
    `input[i0, ..., indices[i0, ..., ik, ...], ...]`. Negative indices count
    from the end of the axis; an index out of range is clamped into it.

    ```mlir
    %r = kiln.gather_elements %scores, %labels {axis = 1 : i64}
         : (tensor<4x10xf32>, tensor<4x1xi64>) -> tensor<4x1xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$indices, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

def Kiln_GatherNDOp : Kiln_Op<"gather_nd", [Pure, InferTypeOpAdaptor]> {
  let summary = "Gathers slices addressed by index tuples";
  let description = [{
    `indices` is `[..., k]`. With `batch_dims = b`, the first `b` dimensions
    of the input and the indices are shared batch dimensions; every index
    tuple addresses a slice of the input by its next `k` dimensions. The
    result is `indices.shape[:-1] ++ input.shape[b + k:]`. Negative indices
    count from the end; out-of-range ones are clamped.

    ```mlir
    %r = kiln.gather_nd %x, %idx {batch_dims = 0 : i64}
         : (tensor<2x2xf32>, tensor<2x2xi64>) -> tensor<2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_IndexTensor:$indices, I64Attr:$batch_dims);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input `,` $indices attr-dict `:` functional-type(operands, results)";
}

class Kiln_ScatterOp<string mnemonic, string what> : Kiln_Op<mnemonic, [Pure]> {
  let summary = "A copy of `data` with elements replaced at indices (" # what # ")";
  let arguments = (ins Kiln_Tensor:$data, Kiln_IndexTensor:$indices, Kiln_Tensor:$updates,
                       DefaultValuedStrAttr<StrAttr, "none">:$reduction);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Kiln_ScatterElementsOp : Kiln_ScatterOp<"scatter_elements", "one index per update"> {
  let description = [{
    The inverse of `kiln.gather_elements`: `indices` and `updates` have one
    shape, of the data's rank. Update `u[i0, ..., ik, ...]` (`ik` on `axis`)
    goes to `data[i0, ..., indices[i0, ..., ik, ...], ...]`. Negative
    indices count from the end; `reduction` is `none` (replace; among
    duplicates the last update wins), `add`, `mul`, `max` or `min`
    (combined with what is there). Updates apply in row-major order.

    ```mlir
    %r = kiln.scatter_elements %data, %idx, %upd {axis = 1 : i64, reduction = "add"}
         : (tensor<3x5xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x5xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$data, Kiln_IndexTensor:$indices, Kiln_Tensor:$updates,
                       I64Attr:$axis, DefaultValuedStrAttr<StrAttr, "none">:$reduction);
}

def Kiln_ScatterNDOp : Kiln_ScatterOp<"scatter_nd", "index tuples address slices"> {
  let description = [{
    `indices` is `[..., k]`: each of its tuples addresses a slice of `data`
    by its first `k` dimensions; `updates` is `indices.shape[:-1] ++
    data.shape[k:]`. `reduction` as for `kiln.scatter_elements`.

    ```mlir
    %r = kiln.scatter_nd %data, %idx, %upd {reduction = "none"}
         : (tensor<4x4x4xf32>, tensor<2x1xi64>, tensor<2x4x4xf32>) -> tensor<4x4x4xf32>
    ```
  }];
}

include "KilnQuantOps.td"
include "KilnBandOps.td"

#endif // KILN_OPS_TD
