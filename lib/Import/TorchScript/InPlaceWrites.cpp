//===- InPlaceWrites.cpp - In-place writes through views --------*- C++ -*-===//
//
// See InPlaceWrites.h: views are recorded as they are imported, and an
// in-place op's new value is written back through them to the root.
//
//===----------------------------------------------------------------------===//

#include "InPlaceWrites.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"

#include <algorithm>

using namespace mlir;

namespace kiln::torchscript {

namespace {

std::optional<int64_t> intItem(const Item &item) {
  if (item.kind == Item::Kind::Int)
    return item.i;
  return std::nullopt;
}

/// A dimension argument, negative ones counted from the end.
std::optional<int64_t> dimItem(const Item &item, int64_t rank) {
  auto d = intItem(item);
  if (!d)
    return std::nullopt;
  int64_t dim = *d < 0 ? *d + rank : *d;
  if (dim < 0 || dim >= std::max<int64_t>(rank, 1))
    return std::nullopt;
  return dim;
}

} // namespace

void ViewTracker::recordView(const TSNode &node, ArrayRef<Item> inputs) {
  if (node.outputs.empty() || node.inputs.empty() || inputs.empty() ||
      inputs[0].kind != Item::Kind::Tensor)
    return;
  auto type = cast<RankedTensorType>(inputs[0].tensor.getType());
  int64_t rank = type.getRank();
  using K = ViewStep::Kind;
  StringRef kind = node.kind;
  K k = llvm::StringSwitch<K>(kind)
            .Cases({"aten::slice", "aten::narrow"}, K::Slice)
            .Case("aten::select", K::Select)
            .Cases({"aten::view", "aten::reshape", "aten::_unsafe_view", "aten::view_as",
                    "aten::unsqueeze", "aten::squeeze", "aten::flatten", "aten::unflatten"},
                   K::Reshape)
            .Cases({"aten::contiguous", "aten::detach", "aten::alias"}, K::Reshape)
            .Cases({"aten::permute", "aten::transpose", "aten::t"}, K::Permute)
            .Cases({"aten::expand", "aten::expand_as"}, K::Opaque)
            .Default(K(-1));
  if (k == K(-1))
    return;
  ViewStep step;
  step.kind = k;
  step.parent = node.inputs[0];
  step.op = node.kind;
  if (k == K::Slice || k == K::Select) {
    auto dim = inputs.size() > 1 ? dimItem(inputs[1], rank) : std::nullopt;
    if (!dim)
      step.kind = K::Opaque;
    else {
      int64_t size = type.getDimSize(*dim);
      step.dim = *dim;
      auto norm = [&](int64_t v) { return std::clamp<int64_t>(v < 0 ? v + size : v, 0, size); };
      if (k == K::Select) {
        auto index = inputs.size() > 2 ? intItem(inputs[2]) : std::nullopt;
        step.start = index ? (*index < 0 ? *index + size : *index) : 0;
        step.end = step.start + 1;
        if (!index)
          step.kind = K::Opaque;
      } else if (kind == "aten::narrow") {
        auto start = inputs.size() > 2 ? intItem(inputs[2]) : std::nullopt;
        auto length = inputs.size() > 3 ? intItem(inputs[3]) : std::nullopt;
        if (!start || !length)
          step.kind = K::Opaque;
        else {
          step.start = norm(*start);
          step.end = std::min(size, step.start + *length);
        }
      } else {
        auto start = inputs.size() > 2 && inputs[2].kind != Item::Kind::None
                         ? intItem(inputs[2])
                         : std::optional<int64_t>(0);
        auto end = inputs.size() > 3 && inputs[3].kind != Item::Kind::None
                       ? intItem(inputs[3])
                       : std::optional<int64_t>(size);
        auto stride = inputs.size() > 4 ? intItem(inputs[4]) : std::optional<int64_t>(1);
        if (!start || !end || !stride)
          step.kind = K::Opaque;
        else {
          step.start = norm(*start);
          step.end = std::max(step.start, norm(*end));
          step.step = *stride;
        }
      }
    }
  } else if (k == K::Permute) {
    if (kind == "aten::permute") {
      if (inputs.size() < 2 || inputs[1].kind != Item::Kind::List)
        step.kind = K::Opaque;
      else
        for (const Item &d : inputs[1].list) {
          auto dim = dimItem(d, rank);
          if (!dim) {
            step.kind = K::Opaque;
            break;
          }
          step.perm.push_back(*dim);
        }
    } else {
      step.perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
      auto d0 = kind == "aten::t" ? std::optional<int64_t>(0) : dimItem(inputs[1], rank);
      auto d1 = kind == "aten::t" ? std::optional<int64_t>(rank > 1 ? 1 : 0)
                                  : (inputs.size() > 2 ? dimItem(inputs[2], rank) : std::nullopt);
      if (!d0 || !d1)
        step.kind = K::Opaque;
      else
        std::swap(step.perm[*d0], step.perm[*d1]);
    }
    if (step.kind == K::Permute && (int64_t)step.perm.size() != rank)
      step.kind = K::Opaque;
  }
  recordStep(node.outputs[0], std::move(step));
}

void ViewTracker::recordAlias(int id, int parent, StringRef op) {
  ViewStep step;
  step.kind = ViewStep::Kind::Reshape;
  step.parent = parent;
  step.op = op.str();
  recordStep(id, std::move(step));
}

void ViewTracker::recordStep(int id, ViewStep step) {
  int root = rootOf(step.parent);
  steps[id] = std::move(step);
  views[root].push_back(id);
}

int ViewTracker::rootOf(int id) const {
  while (steps[id])
    id = steps[id]->parent;
  return id;
}

LogicalResult ViewTracker::writeBack(int id, Value value, std::vector<std::optional<Item>> &items,
                                     CheckedBuilder &b, Location loc) {
  llvm::DenseSet<int> chain{id};
  items[id] = Item::ofTensor(value);
  int current = id;
  while (steps[current]) {
    const ViewStep &step = *steps[current];
    if (!items[step.parent] || items[step.parent]->kind != Item::Kind::Tensor)
      return emitError(loc) << "an in-place write through " << step.op
                            << " whose input is not a tensor is not supported";
    Value parent = items[step.parent]->tensor;
    auto parentType = cast<RankedTensorType>(parent.getType());
    switch (step.kind) {
    case ViewStep::Kind::Opaque:
      return emitError(loc) << "an in-place write into the result of " << step.op
                            << " is not supported (Kiln writes back through slice, narrow, "
                               "select, view, reshape, squeeze, unsqueeze, flatten, permute and "
                               "transpose)";
    case ViewStep::Kind::Reshape:
      value = b.reshape(value, parentType.getShape());
      break;
    case ViewStep::Kind::Permute: {
      SmallVector<int64_t> inverse(step.perm.size());
      for (auto [i, p] : llvm::enumerate(step.perm))
        inverse[p] = i;
      value = b.transpose(value, inverse);
      break;
    }
    case ViewStep::Kind::Select:
    case ViewStep::Kind::Slice: {
      if (step.step != 1)
        return emitError(loc) << "an in-place write into a slice with a step of " << step.step
                              << " is not supported";
      int64_t rank = parentType.getRank(), size = parentType.getDimSize(step.dim);
      if (step.kind == ViewStep::Kind::Select) {
        SmallVector<int64_t> shape(parentType.getShape());
        shape[step.dim] = 1;
        value = b.reshape(value, shape);
      }
      SmallVector<Value> pieces;
      auto part = [&](int64_t from, int64_t to) {
        SmallVector<int64_t> offsets(rank, 0), sizes(parentType.getShape()), strides(rank, 1);
        offsets[step.dim] = from;
        sizes[step.dim] = to - from;
        pieces.push_back(b.slice(parent, offsets, sizes, strides));
      };
      if (step.start > 0)
        part(0, step.start);
      pieces.push_back(value);
      if (step.end < size)
        part(step.end, size);
      value = pieces.size() == 1
                  ? pieces.front()
                  : b.create<ConcatOp>(pieces, b.builder.getI64IntegerAttr(step.dim));
      break;
    }
    }
    if (b.hadInvalidOp())
      return failure();
    current = step.parent;
    chain.insert(current);
    items[current] = Item::ofTensor(value);
  }
  // Every other view of the root still holds the old value.
  for (int view : views[current])
    if (!chain.contains(view)) {
      stale.insert(view);
      staleRoots[view] = current;
    }
  return success();
}

bool isInPlaceOp(StringRef kind, const AtenRegistry &registry) {
  if (kind == "aten::fill_" || kind == "aten::zero_" || kind == "aten::copy_")
    return true;
  if (!kind.starts_with("aten::") || !kind.ends_with("_") || kind.ends_with("__"))
    return false;
  return !registry.count(kind) && registry.count(kind.drop_back());
}

FailureOr<Value> importInPlaceValue(NodeImporter &n, const AtenRegistry &registry) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  Type elt = type.getElementType();
  StringRef kind = n.node.kind;
  Value value;
  if (kind == "aten::zero_")
    value = n.scalarConstant(elt, 0.0);
  else if (kind == "aten::fill_" || kind == "aten::copy_")
    value = n.asTensor(1, elt);
  else {
    if (failed(registry.lookup(kind.drop_back())(n)))
      return failure();
    if (n.results().empty() || n.results()[0].kind != Item::Kind::Tensor)
      return n.error(kind.drop_back() + " gives no tensor to write in place");
    value = n.results()[0].tensor;
    auto result = cast<RankedTensorType>(value.getType());
    if (result.getShape() != type.getShape())
      return n.error("the in-place result's shape differs from its target's");
    if (result.getElementType() != elt)
      value = n.create<CastOp>(type, value);
  }
  if (!value)
    return failure();
  if (value.getType() != type)
    value = n.create<BroadcastOp>(type, value);
  return value;
}

} // namespace kiln::torchscript
