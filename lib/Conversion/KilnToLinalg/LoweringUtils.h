//===- LoweringUtils.h - Shared helpers of the kiln-to-linalg lowering -*- C++ -*-===//
//
// Builders shared by the op-family files: empty and filled tensors,
// broadcasting indexing maps, scalar constants and arithmetic that picks
// the float or integer arith op for an element type.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
#define KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H

#include "kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln::lowering {

/// `tensor.empty` of `type`.
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type);
/// `linalg.fill` of a new tensor of `type` with `value`.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                         mlir::Value value);
/// Whether `type` is one of the 8-bit float types (f8E4M3FN, f8E5M2 and
/// their FNUZ variants), which only move and convert.
inline bool isFloat8(mlir::Type type) {
  return mlir::isa<mlir::FloatType>(type) && type.getIntOrFloatBitWidth() == 8;
}
/// A scalar `arith.constant` of `type` (float or integer).
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type, double value);
/// The identity of a max (lowest value) or min (highest value) reduction.
mlir::Value lowestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);
mlir::Value highestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);

/// The map reading an operand of `shape` inside a loop nest over `result`
/// dimensions, NumPy broadcasting (right-aligned; size-1 dims read index 0).
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx, llvm::ArrayRef<int64_t> shape,
                             llvm::ArrayRef<int64_t> result);

/// Builds an all-parallel `linalg.generic` producing `resultType` from
/// `inputs` broadcast to it, with `body` computing one element.
mlir::Value createElementwise(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType resultType,
    mlir::ValueRange inputs,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange)> body);

/// Reshapes a contiguous tensor to `type` with collapse/expand_shape.
mlir::Value createReshape(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                          mlir::RankedTensorType type);

/// `tensor.pad` with a constant padding value.
mlir::Value createPad(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      mlir::Value padValue);

/// Elementwise arithmetic choosing the float or integer arith op.
mlir::Value createAdd(mlir::OpBuilder &b, mlir::Location loc, mlir::Value l, mlir::Value r);
mlir::Value createMul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value l, mlir::Value r);
mlir::Value createMax(mlir::OpBuilder &b, mlir::Location loc, mlir::Value l, mlir::Value r);
mlir::Value createMin(mlir::OpBuilder &b, mlir::Location loc, mlir::Value l, mlir::Value r);

/// Round half to even from C99's roundf (half away from zero), so that
/// bare-metal libms without C23's roundevenf suffice.
mlir::Value createRoundHalfEven(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);

/// An index read from an indices tensor as `index`: negative values count
/// from the end of an axis of `extent`, out-of-range values are clamped.
mlir::Value normalizeIndex(mlir::OpBuilder &b, mlir::Location loc, mlir::Value raw, int64_t extent);

/// A loop nest of scf.for ops carrying one accumulator: `bounds` are
/// (lower, upper) pairs; `body` adds one term given the induction values.
mlir::Value accumulate(mlir::OpBuilder &b, mlir::Location l,
                       llvm::ArrayRef<std::pair<mlir::Value, mlir::Value>> bounds, mlir::Value init,
                       llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                                      mlir::ValueRange, mlir::Value)>
                           body,
                       llvm::SmallVector<mlir::Value> ivs = {});

/// The taps [lower, upper) of a window dimension that land inside an input
/// of `size`, for the output position `out`: the input index out * stride -
/// pad + k * dilation must be in [0, size). Constant [0, kernel) where no
/// output position in [0, outSize) has a window crossing the padding,
/// unless `clamp` (positions outside [0, outSize) get clamped too).
std::pair<mlir::Value, mlir::Value> tapRange(mlir::OpBuilder &b, mlir::Location l, mlir::Value out,
                                             int64_t outSize, int64_t size, int64_t kernel,
                                             int64_t stride, int64_t dilation, int64_t pad,
                                             bool clamp = false);

} // namespace kiln::lowering

#endif // KILN_LIB_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
