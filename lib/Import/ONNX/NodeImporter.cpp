//===- NodeImporter.cpp - Per-node helpers for the ONNX importers -*- C++ -*-===//
//
// Attribute access with ONNX defaults, constant inputs, and the small
// builders (scalar constants, reshapes) that the op-family files share.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln::onnx_import {

Value NodeImporter::input(unsigned i) {
  if (!hasInput(i))
    return nullptr;
  return lookup(node.input(i));
}

RankedTensorType NodeImporter::inputType(unsigned i) {
  return cast<RankedTensorType>(input(i).getType());
}

std::optional<DenseElementsAttr> NodeImporter::constantInput(unsigned i) {
  Value v = input(i);
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return attr;
}

std::optional<SmallVector<int64_t>> NodeImporter::constantInts(unsigned i) {
  auto attr = constantInput(i);
  if (!attr || !isa<IntegerType>(attr->getElementType()))
    return std::nullopt;
  SmallVector<int64_t> values;
  for (const APInt &v : attr->getValues<APInt>())
    values.push_back(v.getSExtValue());
  return values;
}

const onnx::AttributeProto *NodeImporter::attr(StringRef name) const {
  for (const auto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t NodeImporter::intAttr(StringRef name, int64_t defaultValue) const {
  const auto *a = attr(name);
  return a ? a->i() : defaultValue;
}

float NodeImporter::floatAttr(StringRef name, float defaultValue) const {
  const auto *a = attr(name);
  return a ? a->f() : defaultValue;
}

std::string NodeImporter::stringAttr(StringRef name, StringRef defaultValue) const {
  const auto *a = attr(name);
  return a ? a->s() : defaultValue.str();
}

SmallVector<int64_t> NodeImporter::intsAttr(StringRef name,
                                            ArrayRef<int64_t> defaultValue) const {
  const auto *a = attr(name);
  if (!a)
    return SmallVector<int64_t>(defaultValue);
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<SmallVector<int64_t>> NodeImporter::inferredOutputShape(unsigned i) const {
  if (!inferredShape || i >= (unsigned)node.output_size() || node.output(i).empty())
    return std::nullopt;
  return inferredShape(node.output(i));
}

void NodeImporter::setResult(unsigned i, Value value) {
  if (outputs.size() <= i)
    outputs.resize(i + 1);
  outputs[i] = value;
}

LogicalResult NodeImporter::error(const Twine &message) {
  return emitError(loc) << message;
}

LogicalResult NodeImporter::unsupported(const Twine &what) {
  return emitError(loc) << what << " is not supported";
}

Value NodeImporter::scalarConstant(Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute attr;
  if (auto ft = dyn_cast<FloatType>(elementType))
    attr = DenseElementsAttr::get(type, builder.getFloatAttr(ft, value));
  else
    attr = DenseElementsAttr::get(type, builder.getIntegerAttr(elementType, (int64_t)value));
  return ConstantOp::create(builder, loc, cast<ElementsAttr>(attr));
}

Value NodeImporter::intConstant(ArrayRef<int64_t> values, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, builder.getI64Type());
  return ConstantOp::create(builder, loc, DenseIntElementsAttr::get(type, values));
}

Value NodeImporter::reshape(Value value, ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getShape() == shape)
    return value;
  return create<ReshapeOp>(RankedTensorType::get(shape, type.getElementType()), value);
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= std::max<int64_t>(rank, 1))
    return error("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
  return normalized;
}

} // namespace kiln::onnx_import
