//===- CheckedBuilder.cpp - The op builder both front ends share -*- C++ -*-===//

#include "kiln/Import/CheckedBuilder.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;

namespace kiln {

Value CheckedBuilder::scalarConstant(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute attr;
  if (auto ft = dyn_cast<FloatType>(elementType))
    attr = DenseElementsAttr::get(type, builder.getFloatAttr(ft, value));
  else
    attr = DenseElementsAttr::get(type, builder.getIntegerAttr(elementType, (int64_t)value));
  return ConstantOp::create(builder, loc, cast<ElementsAttr>(attr));
}

Value CheckedBuilder::reshape(Value value, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return create<ReshapeOp>(RankedTensorType::get(shape, type.getElementType()), value);
}

Value CheckedBuilder::slice(Value value, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                            ArrayRef<int64_t> strides) {
  return create<SliceOp>(value, builder.getDenseI64ArrayAttr(offsets),
                         builder.getDenseI64ArrayAttr(sizes),
                         builder.getDenseI64ArrayAttr(strides));
}

Value CheckedBuilder::transpose(Value value, ArrayRef<int64_t> perm) {
  return create<TransposeOp>(value, builder.getDenseI64ArrayAttr(perm));
}

Value CheckedBuilder::floatConstant(Type elementType, ArrayRef<int64_t> shape,
                                    ArrayRef<double> values) {
  const llvm::fltSemantics &semantics = cast<FloatType>(elementType).getFloatSemantics();
  SmallVector<APFloat> floats;
  for (double v : values) {
    APFloat f(v);
    bool lost;
    f.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
    floats.push_back(f);
  }
  auto type = RankedTensorType::get(shape, elementType);
  return ConstantOp::create(builder, loc, DenseElementsAttr::get(type, floats));
}

LogicalResult CheckedBuilder::error(const Twine &message) { return emitError(loc) << message; }

LogicalResult CheckedBuilder::unsupported(const Twine &what) {
  return emitError(loc) << what << " is not supported";
}

Value CheckedBuilder::standIn(ValueRange operands) {
  invalidOp = true;
  Type type = RankedTensorType::get({1}, builder.getF32Type());
  for (Value v : operands)
    if (isa<RankedTensorType>(v.getType())) {
      type = v.getType();
      break;
    }
  return UnrealizedConversionCastOp::create(builder, loc, TypeRange{type}, ValueRange{})
      .getResult(0);
}

LogicalResult CheckedBuilder::checkResultSizes(TypeRange types) {
  for (Type type : types) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor)
      continue;
    uint64_t count = 1;
    bool tooLarge = false;
    for (int64_t d : tensor.getShape()) {
      if (d < 0 || (d > 0 && count > (uint64_t(1) << 40) / (uint64_t)d)) {
        tooLarge = true;
        break;
      }
      count *= (uint64_t)d;
    }
    if (!tooLarge)
      continue;
    if (!invalidOp) {
      std::string shape;
      llvm::raw_string_ostream os(shape);
      llvm::interleave(tensor.getShape(), os, "x");
      os << " " << tensor.getElementType();
      emitError(loc) << "its result of shape " << shape
                     << " has more elements than Kiln accepts (2^40)";
    }
    return failure();
  }
  return success();
}

Value CheckedBuilder::verifyAndFold(Operation *op) {
  if (invalidOp)
    return op->getResult(0); // already reported; the node is discarded
  if (failed(checkResultSizes(op->getResultTypes()))) {
    invalidOp = true;
    return op->getResult(0);
  }
  if (failed(mlir::verify(op))) {
    invalidOp = true;
    return op->getResult(0);
  }
  SmallVector<Value, 1> folded;
  if (succeeded(builder.tryFold(op, folded)) && !folded.empty()) {
    op->erase();
    return folded.front();
  }
  return op->getResult(0);
}

} // namespace kiln
