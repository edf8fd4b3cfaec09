//===- PrimOps.cpp - prim:: ops and compile-time values ---------*- C++ -*-===//
//
// Lists, tuples, sizes and scalar arithmetic: with static shapes these are
// all known while importing, so they become compile-time items rather than
// kiln ops (aten::size of a tensor is its static dimension; a list of ints
// feeds view's shape or conv's padding).
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln::torchscript {

namespace {

LogicalResult construct(NodeImporter &n) {
  Item list;
  list.kind = Item::Kind::List;
  for (unsigned i = 0; i < n.numInputs(); ++i)
    list.list.push_back(n.item(i));
  n.setResult(0, list);
  return success();
}

LogicalResult unpack(NodeImporter &n) {
  const Item &list = n.item(0);
  if (list.kind != Item::Kind::List || list.list.size() != n.node.outputs.size())
    return n.error("cannot unpack " + Twine(n.node.outputs.size()) + " values");
  for (auto [i, e] : llvm::enumerate(list.list))
    n.setResult(i, e);
  return success();
}

LogicalResult getItem(NodeImporter &n) {
  const Item &list = n.item(0);
  auto index = n.getInt(1);
  if (!index)
    return failure();
  if (list.kind != Item::Kind::List)
    return n.error("__getitem__ of a value that is not a list known at compile time");
  int64_t i = *index < 0 ? *index + (int64_t)list.list.size() : *index;
  if (i < 0 || i >= (int64_t)list.list.size())
    return n.error("index " + Twine(*index) + " is out of range");
  n.setResult(0, list.list[i]);
  return success();
}

LogicalResult listLength(NodeImporter &n) {
  if (n.item(0).kind == Item::Kind::List)
    n.setResult(0, Item::ofInt(n.item(0).list.size()));
  else if (n.item(0).kind == Item::Kind::Tensor)
    n.setResult(0, Item::ofInt(n.tensorType(0).getRank() ? n.tensorType(0).getDimSize(0) : 0));
  else
    return n.error("len of a value that is not a list or tensor");
  return success();
}

LogicalResult size(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  if (n.numInputs() > 1) {
    auto dim = n.getDim(1, type.getRank());
    if (!dim)
      return failure();
    n.setResult(0, Item::ofInt(type.getDimSize(*dim)));
    return success();
  }
  Item list;
  list.kind = Item::Kind::List;
  for (int64_t d : type.getShape())
    list.list.push_back(Item::ofInt(d));
  n.setResult(0, list);
  return success();
}

LogicalResult numel(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  n.setResult(0, Item::ofInt(type.getNumElements()));
  return success();
}

LogicalResult dim(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  n.setResult(0, Item::ofInt(type.getRank()));
  return success();
}

/// A number made a 0-d tensor stays a compile-time number (traced shape
/// arithmetic goes through these); ops that need a tensor make it a scalar
/// constant of their other operand's type.
LogicalResult numToTensor(NodeImporter &n) {
  const Item &v = n.item(0);
  if (v.kind != Item::Kind::Int && v.kind != Item::Kind::Bool && v.kind != Item::Kind::Float)
    return n.error("NumToTensor of a value not known at compile time");
  n.setResult(0, v);
  return success();
}

/// aten::Int, aten::Float, aten::Bool, aten::ScalarImplicit: a number, or a
/// constant scalar tensor read at compile time.
template <Item::Kind To> LogicalResult toScalar(NodeImporter &n) {
  const Item &v = n.item(0);
  double value;
  if (v.kind == Item::Kind::Tensor) {
    DenseElementsAttr attr;
    if (!matchPattern(v.tensor, m_Constant(&attr)) || attr.getNumElements() != 1)
      return n.error("converting a tensor computed at run time to a Python number is not "
                     "supported; Kiln needs it known at compile time");
    if (isa<FloatType>(attr.getElementType()))
      value = (*attr.getValues<APFloat>().begin()).convertToDouble();
    else
      value = (double)(*attr.getValues<APInt>().begin()).getSExtValue();
  } else {
    auto f = n.getFloat(0);
    if (!f)
      return failure();
    value = *f;
  }
  if (To == Item::Kind::Int)
    n.setResult(0, Item::ofInt((int64_t)value));
  else if (To == Item::Kind::Bool)
    n.setResult(0, Item::ofBool(value != 0));
  else
    n.setResult(0, Item::ofFloat(value));
  return success();
}

/// Comparisons of compile-time numbers (aten::eq.int, aten::lt.float, ...).
/// A comparison with a tensor operand: kiln's equal / less / less_equal,
/// with swapped operands for gt and ge and a negation for ne.
LogicalResult compareTensors(NodeImporter &n) {
  unsigned t = n.item(0).kind == Item::Kind::Tensor ? 0 : 1;
  Type elt = cast<RankedTensorType>(n.item(t).tensor.getType()).getElementType();
  Value a = n.asTensor(0, elt), b = n.asTensor(1, elt);
  if (!a || !b)
    return failure();
  StringRef kind = n.node.kind;
  Value r;
  if (kind == "aten::eq" || kind == "aten::ne")
    r = n.create<EqualOp>(a, b);
  else if (kind == "aten::lt")
    r = n.create<LessOp>(a, b);
  else if (kind == "aten::le")
    r = n.create<LessEqualOp>(a, b);
  else if (kind == "aten::gt")
    r = n.create<LessOp>(b, a);
  else
    r = n.create<LessEqualOp>(b, a);
  if (kind == "aten::ne")
    r = n.create<XorOp>(r, n.scalarConstant(n.builder.getI1Type(), 1));
  n.setTensor(0, r);
  return success();
}

template <typename Pred> LogicalResult compareNumbers(NodeImporter &n) {
  if (n.item(0).kind == Item::Kind::Tensor || n.item(1).kind == Item::Kind::Tensor)
    return compareTensors(n);
  if (n.item(0).kind == Item::Kind::None || n.item(1).kind == Item::Kind::None) {
    bool same = n.item(0).kind == n.item(1).kind;
    n.setResult(0, Item::ofBool(Pred()(same ? 0 : 1, 0)));
    return success();
  }
  auto a = n.getFloat(0), b = n.getFloat(1);
  if (!a || !b)
    return failure();
  n.setResult(0, Item::ofBool(Pred()(*a, *b)));
  return success();
}

LogicalResult logicalNot(NodeImporter &n) {
  auto b = n.getBool(0);
  if (!b)
    return failure();
  n.setResult(0, Item::ofBool(!*b));
  return success();
}

LogicalResult isNone(NodeImporter &n) {
  n.setResult(0, Item::ofBool(n.isNone(0) == (n.node.kind == "aten::__is__")));
  return success();
}

LogicalResult identity(NodeImporter &n) {
  n.setResult(0, n.item(0));
  return success();
}

LogicalResult ignore(NodeImporter &n) {
  for (unsigned i = 0; i < n.node.outputs.size(); ++i)
    n.setResult(i, Item::none());
  return success();
}

LogicalResult raise(NodeImporter &n) {
  return n.error("the model raises an exception on this path");
}

} // namespace

void registerPrimOps(AtenRegistry &r) {
  r["prim::ListConstruct"] = construct;
  r["prim::TupleConstruct"] = construct;
  r["prim::ListUnpack"] = unpack;
  r["prim::TupleUnpack"] = unpack;
  r["aten::__getitem__"] = getItem;
  r["prim::TupleIndex"] = getItem;
  r["aten::len"] = listLength;
  r["aten::size"] = size;
  r["aten::numel"] = numel;
  r["aten::dim"] = dim;
  r["prim::NumToTensor"] = numToTensor;
  r["aten::Int"] = toScalar<Item::Kind::Int>;
  r["aten::Float"] = toScalar<Item::Kind::Float>;
  r["aten::Bool"] = toScalar<Item::Kind::Bool>;
  r["aten::ScalarImplicit"] = toScalar<Item::Kind::Float>;
  r["aten::eq"] = compareNumbers<std::equal_to<double>>;
  r["aten::ne"] = compareNumbers<std::not_equal_to<double>>;
  r["aten::lt"] = compareNumbers<std::less<double>>;
  r["aten::le"] = compareNumbers<std::less_equal<double>>;
  r["aten::gt"] = compareNumbers<std::greater<double>>;
  r["aten::ge"] = compareNumbers<std::greater_equal<double>>;
  r["aten::__not__"] = logicalNot;
  r["aten::__is__"] = isNone;
  r["aten::__isnot__"] = isNone;
  r["prim::unchecked_cast"] = identity;
  r["aten::detach"] = identity;
  r["aten::warn"] = ignore;
  r["prim::RaiseException"] = raise;
}

} // namespace kiln::torchscript
