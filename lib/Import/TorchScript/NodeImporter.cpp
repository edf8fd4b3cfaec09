//===- NodeImporter.cpp - Per-node helpers for the aten:: importers -*- C++ -*-===//
//
// Typed access to a node's inputs (tensors, or values known at compile
// time) and results; op creation is CheckedBuilder's
// (include/kiln/Import/CheckedBuilder.h).
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace kiln::torchscript {

Type scalarTypeFromCode(MLIRContext *ctx, int64_t code) {
  switch (code) {
  case 1:
    return IntegerType::get(ctx, 8);
  case 2:
    return IntegerType::get(ctx, 16);
  case 3:
    return IntegerType::get(ctx, 32);
  case 4:
    return IntegerType::get(ctx, 64);
  case 5:
    return Float16Type::get(ctx);
  case 6:
    return Float32Type::get(ctx);
  case 7:
    return Float64Type::get(ctx);
  case 11:
    return IntegerType::get(ctx, 1);
  default:
    return nullptr;
  }
}

Type convertDType(MLIRContext *ctx, DType dtype) {
  switch (dtype) {
  case DType::Float32:
    return Float32Type::get(ctx);
  case DType::Float64:
    return Float64Type::get(ctx);
  case DType::Float16:
    return Float16Type::get(ctx);
  case DType::Int64:
    return IntegerType::get(ctx, 64);
  case DType::Int32:
    return IntegerType::get(ctx, 32);
  case DType::Int16:
    return IntegerType::get(ctx, 16);
  case DType::Int8:
  case DType::UInt8:
    return IntegerType::get(ctx, 8);
  case DType::Bool:
    return IntegerType::get(ctx, 1);
  case DType::Other:
    return nullptr;
  }
  return nullptr;
}

Value NodeImporter::tensor(unsigned i) {
  // Numbers become 0-d constants where a tensor is needed.
  if (i < inputs.size()) {
    Item &item = inputs[i];
    if (item.kind == Item::Kind::Float)
      item = Item::ofTensor(scalarConstant(builder.getF32Type(), item.f));
    else if (item.kind == Item::Kind::Int)
      item = Item::ofTensor(scalarConstant(builder.getI64Type(), item.i));
    else if (item.kind == Item::Kind::Bool)
      item = Item::ofTensor(scalarConstant(builder.getI1Type(), item.b));
  }
  if (i >= inputs.size() || inputs[i].kind != Item::Kind::Tensor) {
    (void)error("input " + Twine(i) + " must be a tensor");
    return nullptr;
  }
  return inputs[i].tensor;
}

RankedTensorType NodeImporter::tensorType(unsigned i) {
  Value v = tensor(i);
  return v ? cast<RankedTensorType>(v.getType()) : nullptr;
}

std::optional<int64_t> NodeImporter::getInt(unsigned i) {
  if (i < inputs.size()) {
    if (inputs[i].kind == Item::Kind::Int)
      return inputs[i].i;
    if (inputs[i].kind == Item::Kind::Bool)
      return (int64_t)inputs[i].b;
  }
  (void)error("input " + Twine(i) + " must be an int known at compile time");
  return std::nullopt;
}

std::optional<double> NodeImporter::getFloat(unsigned i) {
  if (i < inputs.size()) {
    if (inputs[i].kind == Item::Kind::Float)
      return inputs[i].f;
    if (inputs[i].kind == Item::Kind::Int)
      return (double)inputs[i].i;
    if (inputs[i].kind == Item::Kind::Bool)
      return (double)inputs[i].b;
  }
  (void)error("input " + Twine(i) + " must be a number known at compile time");
  return std::nullopt;
}

std::optional<bool> NodeImporter::getBool(unsigned i) {
  if (i < inputs.size()) {
    if (inputs[i].kind == Item::Kind::Bool)
      return inputs[i].b;
    if (inputs[i].kind == Item::Kind::Int)
      return inputs[i].i != 0;
  }
  (void)error("input " + Twine(i) + " must be a bool known at compile time");
  return std::nullopt;
}

std::optional<SmallVector<int64_t>> NodeImporter::getInts(unsigned i, unsigned repeat) {
  if (i < inputs.size()) {
    const Item &item = inputs[i];
    if (item.kind == Item::Kind::Int && repeat > 0)
      return SmallVector<int64_t>(repeat, item.i);
    if (item.kind == Item::Kind::List) {
      SmallVector<int64_t> values;
      for (const Item &e : item.list) {
        if (e.kind != Item::Kind::Int)
          break;
        values.push_back(e.i);
      }
      if (values.size() == item.list.size()) {
        if (repeat > 1 && values.size() == 1)
          values.assign(repeat, values.front());
        return values;
      }
    }
  }
  (void)error("input " + Twine(i) + " must be a list of ints known at compile time");
  return std::nullopt;
}

std::optional<int64_t> NodeImporter::getDim(unsigned i, int64_t rank) {
  auto d = getInt(i);
  if (!d)
    return std::nullopt;
  int64_t dim = *d < 0 ? *d + rank : *d;
  if (dim < 0 || dim >= std::max<int64_t>(rank, 1)) {
    (void)error("dimension " + Twine(*d) + " is out of range for rank " + Twine(rank));
    return std::nullopt;
  }
  return dim;
}

void NodeImporter::setResult(unsigned i, Item item) {
  if (outputs.size() <= i)
    outputs.resize(i + 1);
  outputs[i] = std::move(item);
}

Value NodeImporter::asTensor(unsigned i, Type elementType) {
  if (i < inputs.size() && inputs[i].kind == Item::Kind::Tensor) {
    Value v = inputs[i].tensor;
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getElementType() != elementType)
      v = create<CastOp>(RankedTensorType::get(type.getShape(), elementType), v);
    return v;
  }
  auto number = getFloat(i);
  if (!number)
    return nullptr;
  return scalarConstant(elementType, *number);
}

} // namespace kiln::torchscript
