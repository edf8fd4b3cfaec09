//===- Decompositions.h - Composite ops, decomposed once --------*- C++ -*-===//
//
// The framework ops that have no kiln op of their own and that both front
// ends import: each is decomposed here, once, into core kiln ops, with one
// formula. The ONNX and TorchScript importers call these; neither writes
// its own.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_DECOMPOSITIONS_H
#define KILN_IMPORT_DECOMPOSITIONS_H

#include "kiln/Import/CheckedBuilder.h"

namespace kiln {

/// hard_sigmoid(x) = clamp(alpha * x + beta, 0, 1).
mlir::Value buildHardSigmoid(CheckedBuilder &b, mlir::Value x, double alpha, double beta);

/// hard_swish(x) = x * hard_sigmoid(x, 1/6, 1/2), which is PyTorch's
/// x * relu6(x + 3) / 6.
mlir::Value buildHardSwish(CheckedBuilder &b, mlir::Value x);

/// silu(x) = x * sigmoid(x); the CPU microkernels fuse this form.
mlir::Value buildSilu(CheckedBuilder &b, mlir::Value x);

/// gelu(x) = 0.5 x (1 + erf(x / sqrt 2)) for `approximate` "none", and
/// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) for "tanh". Reports
/// any other approximation and fails.
mlir::FailureOr<mlir::Value> buildGelu(CheckedBuilder &b, mlir::Value x,
                                       llvm::StringRef approximate);

/// The remainder of a / b with the divisor's sign (Python's %, ONNX's Mod
/// with fmod = 0): kiln.rem (the dividend's sign), moved by b where it is
/// not zero and its sign differs from b's.
mlir::Value buildFlooredRemainder(CheckedBuilder &b, mlir::Value a, mlir::Value divisor);

/// Batch normalization with running statistics (inference): over the
/// channels, dimension 1 of `x`, y = x * a + c with a = scale / sqrt(var +
/// eps) and c = bias - mean * a. A null `scale` means 1, a null `bias` 0.
/// When every parameter is an f32 constant, a and c are computed here, in
/// double precision, so the model carries one multiply and one add per
/// element (which kiln's folders then merge into a preceding convolution's
/// weights where they can). Reports parameters that do not have one value
/// per channel and fails.
mlir::FailureOr<mlir::Value> buildBatchNormInference(CheckedBuilder &b, mlir::Value x,
                                                     mlir::Value scale, mlir::Value bias,
                                                     mlir::Value mean, mlir::Value var, double eps);

/// Layer normalization over axes [firstAxis, rank):
/// y = (x - mean) / sqrt(var + eps) * scale + bias (null `scale`: 1, null
/// `bias`: 0), with the mean and 1 / sqrt(var + eps) that ONNX's optional
/// outputs give (reduced axes kept).
struct LayerNormValues {
  mlir::Value y, mean, invStdDev;
};
LayerNormValues buildLayerNorm(CheckedBuilder &b, mlir::Value x, int64_t firstAxis,
                               mlir::Value scale, mlir::Value bias, double eps);

} // namespace kiln

#endif // KILN_IMPORT_DECOMPOSITIONS_H
