//===- Passes.h - Kiln conversion passes ------------------------*- C++ -*-===//
//
// Declares the conversions out of the kiln dialect and their patterns.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_CONVERSION_PASSES_H
#define KILN_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
} // namespace mlir

namespace kiln {

#define GEN_PASS_DECL
#include "kiln/Conversion/Passes.h.inc"

/// Elementwise arithmetic, activations, casts and broadcasts.
void populateKilnElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Matmul and convolution. With `guardedPadding`, padded grouped
/// convolutions read their unpadded input with bounds checks.
void populateKilnContractionToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                             bool guardedPadding = false);
/// Max and average pooling.
void populateKilnPoolingToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Reductions and softmax.
void populateKilnReductionToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Constants, transpose, reshape, concat, slice, pad and gather.
void populateKilnDataMovementToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Scatters: scf.for nests over tensors (lib/Conversion/KilnToLinalg/Scatter.cpp).
void populateKilnScatterToLoopsPatterns(mlir::RewritePatternSet &patterns);
/// quantize/dequantize and the int8 kernels (Quantized.cpp). With
/// `inPlaceKernels`, depthwise and pointwise convolutions may write over
/// their input, and kernels read a quantized model input unstored; with
/// `armDsp`, those pointwise convolutions use SXTB16 and SMLAD.
void populateKilnQuantizedToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                           bool inPlaceKernels = false, bool armDsp = false);

#define GEN_PASS_REGISTRATION
#include "kiln/Conversion/Passes.h.inc"

} // namespace kiln

#endif // KILN_CONVERSION_PASSES_H
