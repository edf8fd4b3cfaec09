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
  }];
  let options = [
    Option<"guardedGroupedPadding", "guarded-grouped-padding", "bool", /*default=*/"false",
           "Padded grouped convolutions read their unpadded input with bounds "
           "checks instead of a zero-padded copy">
  ];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect", "mlir::scf::SCFDialect"
  ];
}

#endif // KILN_CONVERSION_PASSES_TD
