//===- NodeImporter.cpp - Per-node helpers for the ONNX importers -*- C++ -*-===//
//
// Attribute access with ONNX defaults, constant inputs, unsigned
// conversions and the messages the op-family files share; op creation is
// CheckedBuilder's (include/kiln/Import/CheckedBuilder.h).
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/SmallPtrSet.h"

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

SmallVector<int64_t> NodeImporter::intsAttr(StringRef name, ArrayRef<int64_t> defaultValue) const {
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

bool NodeImporter::inputIsUnsigned(unsigned i) const {
  return isUnsigned && hasInput(i) && isUnsigned(node.input(i));
}

bool NodeImporter::outputIsUnsigned(unsigned i) const {
  return isUnsigned && i < (unsigned)node.output_size() && isUnsigned(node.output(i));
}

Value NodeImporter::flipSignBit(Value x) {
  Type elt = cast<RankedTensorType>(x.getType()).getElementType();
  unsigned bits = elt.getIntOrFloatBitWidth();
  Value mask = ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(RankedTensorType::get({}, elt), APInt::getSignMask(bits)));
  return create<XorOp>(x, mask);
}

Value NodeImporter::convert(Value x, bool fromUnsigned, Type to, bool toUnsigned, bool saturate) {
  auto type = cast<RankedTensorType>(x.getType());
  Type from = type.getElementType();
  if (from == to)
    return x;
  auto as = [&](Type elt) { return RankedTensorType::get(type.getShape(), elt); };
  auto i64 = builder.getI64Type();
  // Saturation only means something for the float8 types.
  saturate = saturate && isa<FloatType>(to) && to.getIntOrFloatBitWidth() == 8;
  bool fromInt = from.isSignlessInteger() && !from.isInteger(1);
  if (fromUnsigned && fromInt && from.getIntOrFloatBitWidth() < 64 &&
      (isa<FloatType>(to) || to.getIntOrFloatBitWidth() > from.getIntOrFloatBitWidth())) {
    // Zero extension: sign-extend, then clear the bits above the source width.
    Value wide = create<CastOp>(as(i64), x);
    Value mask = ConstantOp::create(
        builder, loc,
        DenseElementsAttr::get(RankedTensorType::get({}, i64),
                               APInt::getLowBitsSet(64, from.getIntOrFloatBitWidth())));
    return create<CastOp>(as(to), create<AndOp>(wide, mask), saturate);
  }
  if (isa<FloatType>(from) && toUnsigned && to.getIntOrFloatBitWidth() < 64)
    // Float to unsigned: through i64, so that values above the signed range
    // of the target survive, then truncate.
    return create<CastOp>(as(to), create<CastOp>(as(i64), x));
  return create<CastOp>(as(to), x, saturate);
}

Value slice(NodeImporter &n, Value v, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
            ArrayRef<int64_t> strides) {
  return n.slice(v, offsets, sizes, strides);
}

Value transpose(NodeImporter &n, Value v, ArrayRef<int64_t> perm) { return n.transpose(v, perm); }

void NodeImporter::setResult(unsigned i, Value value) {
  if (outputs.size() <= i)
    outputs.resize(i + 1);
  outputs[i] = value;
}

std::string NodeImporter::describeInput(unsigned i) {
  std::string text;
  llvm::raw_string_ostream os(text);
  RankedTensorType type = inputType(i);
  os << "'" << node.input(i) << "' (";
  llvm::interleave(type.getShape(), os, "x");
  os << (type.getRank() ? " " : "scalar ") << type.getElementType() << ")";
  return text;
}

LogicalResult NodeImporter::requireSameElementType(unsigned a, unsigned b) {
  if (inputType(a).getElementType() == inputType(b).getElementType())
    return success();
  return error("inputs " + describeInput(a) + " and " + describeInput(b) +
               " have different element types; ONNX requires one type here "
               "(a Cast before the node would make them agree)");
}

LogicalResult NodeImporter::requireBroadcastable(unsigned a, unsigned b) {
  if (broadcastShapes(inputType(a).getShape(), inputType(b).getShape()))
    return success();
  return error("the shapes of inputs " + describeInput(a) + " and " + describeInput(b) +
               " do not broadcast (each dimension pair must be equal or include 1)");
}

LogicalResult NodeImporter::unsupportedAtRunTime(std::initializer_list<unsigned> inputs,
                                                 const Twine &what) {
  SmallVector<Value> values;
  for (unsigned i : inputs)
    if (Value v = input(i))
      values.push_back(v);
  return emitError(loc) << what << " is not supported" << constInputHint(values);
}

SmallVector<std::string> graphInputsFeeding(Value v) {
  SmallVector<std::string> names;
  llvm::SmallPtrSet<Value, 16> seen;
  SmallVector<Value> worklist{v};
  while (!worklist.empty()) {
    Value cur = worklist.pop_back_val();
    if (!cur || !seen.insert(cur).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(cur)) {
      auto func = dyn_cast_or_null<FunctionOpInterface>(arg.getOwner()->getParentOp());
      if (func && arg.getOwner()->isEntryBlock())
        if (auto name = func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "kiln.name"))
          if (!llvm::is_contained(names, name.str()))
            names.push_back(name.str());
      continue;
    }
    if (Operation *def = cur.getDefiningOp())
      llvm::append_range(worklist, def->getOperands());
  }
  llvm::sort(names);
  return names;
}

std::string constInputHint(ArrayRef<Value> values) {
  SmallVector<std::string> names;
  for (Value v : values)
    for (std::string &name : graphInputsFeeding(v))
      if (!llvm::is_contained(names, name))
        names.push_back(std::move(name));
  if (names.empty())
    return "";
  std::string hint =
      names.size() == 1 ? "; it comes from graph input " : "; it comes from graph inputs ";
  for (auto [i, name] : llvm::enumerate(names))
    hint += (i ? ", '" : "'") + name + "'";
  hint += ", which Kiln can take at compile time:";
  for (const std::string &name : names)
    hint += " --const-input " + name + "=...";
  return hint;
}

Value NodeImporter::intConstant(ArrayRef<int64_t> values, ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, builder.getI64Type());
  return ConstantOp::create(builder, loc, DenseIntElementsAttr::get(type, values));
}

FailureOr<int64_t> NodeImporter::normalizeAxis(int64_t axis, int64_t rank) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= std::max<int64_t>(rank, 1))
    return error("axis " + Twine(axis) + " is out of range for rank " + Twine(rank));
  return normalized;
}

} // namespace kiln::onnx_import
