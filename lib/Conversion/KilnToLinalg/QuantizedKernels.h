//===- QuantizedKernels.h - int8 convolution kernels, shared -----*- C++ -*-===//
//
// The pieces of the int8 convolution lowering (Quantized.cpp) that the
// row-band lowering (RowBands.cpp) builds its bands from: the reader of a
// kernel's int8 input, which may be a band of rows of it, and the
// all-parallel generic computing a range of a convolution's output rows.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_QUANTIZEDKERNELS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_QUANTIZEDKERNELS_H

#include "kiln/IR/KilnOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln::lowering {

/// ONNX's quantization of one f32 value:
/// saturate(round_half_even(x / scale) + zero_point) as i8.
mlir::Value quantizeValue(mlir::OpBuilder &b, mlir::Location l, mlir::Value x, mlir::Value scale,
                          mlir::Value zeroPoint);

/// Reads one int8 input element, centred on the input zero point, as i32,
/// at an index in the whole input's coordinates. Where the kernel's input
/// is the quantize of a model input (and the kernels may read it
/// unstored), the float element is read and quantized there, with the
/// same arithmetic as the quantize op. With `rowOrigin`, `source` holds a
/// band of the input's rows (dimension 2) starting at that row.
struct InputReader {
  mlir::Value source; // the int8 tensor, or the float model input
  mutable QuantizeOp quantize;
  int64_t zeroPoint;
  mlir::Value rowOrigin = {};

  mlir::Value read(mlir::OpBuilder &b, mlir::Location l, mlir::ValueRange index) const;
};

/// The reader of a kernel's int8 operand `original` (converted: `converted`).
InputReader makeReader(mlir::Value original, mlir::Value converted, int64_t zeroPoint,
                       bool unstored);

/// The output rows [firstRow, firstRow + rows of `type`) of the int8
/// convolution `op` (all of them where `firstRow` is null) as one
/// all-parallel generic of `type` into `init` (a new tensor when null):
/// `filter` and `bias` are `op`'s converted operands. With `outside`, the
/// rows may lie outside the output: they read only the taps inside the
/// input, and are computed but meaningless.
mlir::Value lowerConvRows(mlir::OpBuilder &b, mlir::Location loc, QConv2DOp op, mlir::Value filter,
                          mlir::Value bias, const InputReader &in, mlir::RankedTensorType type,
                          mlir::Value firstRow, mlir::Value init, bool outside = false);

/// kiln.row_bands; `unstored` as for makeReader.
void populateRowBandsToLinalgPatterns(mlir::RewritePatternSet &patterns, bool unstored);

} // namespace kiln::lowering

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_QUANTIZEDKERNELS_H
