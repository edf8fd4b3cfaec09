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
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::tensor::TensorDialect", "mlir::scf::SCFDialect"
  ];
}

#endif // KILN_CONVERSION_PASSES_TD
