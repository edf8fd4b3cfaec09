//===- Passes.td - Kiln conversion passes ------------------*- tablegen -*-===//
//
// Conversions out of the kiln dialect.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CONVERSION_PASSES_TD
#define KILN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertKilnToLinalgPass : Pass<"convert-kiln-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower kiln ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every kiln op becomes named linalg ops (matmul, conv_2d_nchw_fchw,
    pooling, transpose) or `linalg.generic` on tensors, with `tensor` ops for
    data movement (pad, extract_slice, insert_slice, reshapes). Broadcasting
    is expressed in indexing maps, never materialized. After this pass no
    kiln op remains; an op that cannot be lowered is an error naming it.

    Convolutions read a zero-padded copy of their input (`tensor.pad`).
    With `guarded-grouped-padding`, a grouped convolution (such as a
    depthwise one) whose padded copy would be at least a quarter larger
    than its input instead reads the unpadded input inside the
    `linalg.generic` (`tensor.extract` at clamped indices, and a select
    that gives zero in the padding). On the small planes where the copy
    costs that much (a 25x5 plane padded to 27x7 is half again as large),
    that saves its memory for a few integer operations per product; the
    products and sums are the same, in the same order. Larger planes keep
    the copy, which costs little there. Kiln sets it when ops work in place
    (`--in-place`, on by default for bare-metal targets).

    With `in-place-kernels` (also set by `--in-place`), int8 depthwise
    convolutions whose output planes are no larger than their input planes
    compute one channel plane at a time into a small temporary and store
    it; int8 pointwise convolutions (1x1, stride 1, no padding) copy one
    pixel's channels into a temporary and store that pixel's outputs. Both
    are `scf.for` loops whose first result may be placed over the memory of
    the second iteration operand (the input), attribute
    `kiln.writes_over = array<i64: 0, 1>`: every store lands on input that
    has already been read. kiln-plan-memory places them so when the input
    dies there. An int8 convolution or matrix product whose input is the
    quantize of a model input reads the float input and quantizes each
    element where it is used, so the quantized copy needs no memory.

    With `arm-dsp` as well, an in-place int8 pointwise convolution whose
    filter is constant and whose input channels are a multiple of 4 packs
    each pixel's centred input channels as 16-bit pairs (0, 2), (1, 3),
    (4, 6), ... and its filter as one 32-bit word per 4 channels; each word
    gives two pairs of 16-bit weights (`llvm.arm.sxtb16` of the word and of
    the word rotated by 8 bits), and `llvm.arm.smlad` adds both products
    of a pair to the accumulator. Kiln sets it for Arm cores with the DSP
    extension.
  }];
  let options = [
    Option<"guardedGroupedPadding", "guarded-grouped-padding", "bool", /*default=*/"false",
           "Padded grouped convolutions read their unpadded input with bounds "
           "checks instead of a zero-padded copy">,
    Option<"inPlaceKernels", "in-place-kernels", "bool", /*default=*/"false",
           "int8 depthwise and pointwise convolutions may write over their input, "
           "and read a quantized model input without storing it">,
    Option<"armDsp", "arm-dsp", "bool", /*default=*/"false",
           "In-place int8 pointwise convolutions take the products of four input "
           "channels with two SXTB16 and two SMLAD (Arm cores with the DSP extension)">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect", "mlir::scf::SCFDialect",
    "mlir::bufferization::BufferizationDialect", "mlir::LLVM::LLVMDialect"
  ];
}

#endif // KILN_CONVERSION_PASSES_TD
