//===- ImportBuilders.h - Builders both front ends share ---------*- C++ -*-===//
//
// Small kiln-op builders that the ONNX and TorchScript importers both need
// with the same behaviour: scalar constants and reshapes that are no-ops
// when the shape already matches.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_IMPORTBUILDERS_H
#define KILN_IMPORT_IMPORTBUILDERS_H

#include "kiln/IR/KilnOps.h"

#include "mlir/IR/Builders.h"

namespace kiln {

/// A rank-0 kiln.constant of `elementType` holding `value` (truncated for
/// integer types), which broadcasts against any tensor.
inline mlir::Value buildScalarConstant(mlir::OpBuilder &builder, mlir::Location loc,
                                       mlir::Type elementType, double value) {
  auto type = mlir::RankedTensorType::get({}, elementType);
  mlir::Attribute attr;
  if (auto ft = mlir::dyn_cast<mlir::FloatType>(elementType))
    attr = mlir::DenseElementsAttr::get(type, builder.getFloatAttr(ft, value));
  else
    attr = mlir::DenseElementsAttr::get(type,
                                        builder.getIntegerAttr(elementType, (int64_t)value));
  return ConstantOp::create(builder, loc, mlir::cast<mlir::ElementsAttr>(attr));
}

/// `value` reshaped to `shape` (folded), or `value` itself when it has it.
inline mlir::Value buildReshape(mlir::OpBuilder &builder, mlir::Location loc, mlir::Value value,
                                llvm::ArrayRef<int64_t> shape) {
  auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return builder.createOrFold<ReshapeOp>(
      loc, mlir::RankedTensorType::get(shape, type.getElementType()), value);
}

} // namespace kiln

#endif // KILN_IMPORT_IMPORTBUILDERS_H
