//===- AtenShapeOps.cpp - Views, layout and reductions ----------*- C++ -*-===//
//
// Shape ops with static shapes: flatten/view/reshape onto kiln.reshape
// (with -1 resolved), permute/transpose/t onto kiln.transpose, cat onto
// kiln.concat, slice/select onto kiln.slice, mean/sum onto kiln's
// reductions, pad and its named forms through buildPad (Padding.h);
// contiguous is the identity.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "kiln/Import/Padding.h"

#include <cmath>
#include <numeric>

using namespace mlir;

namespace kiln::torchscript {

namespace {

/// pad(input, pad, mode, value), constant_pad_nd(input, pad, value) and
/// reflection_/replication_padNd(input, pad): `pad` lists (begin, end)
/// pairs from the last dimension backwards; modes "constant", "reflect",
/// "replicate" (the edge) and "circular" (wrap).
LogicalResult pad(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  auto amounts = n.getInts(1);
  if (!type || !amounts)
    return failure();
  int64_t rank = type.getRank();
  if (amounts->size() % 2 || (int64_t)amounts->size() > 2 * rank)
    return n.error("pad needs (begin, end) pairs for at most " + Twine(rank) + " dimensions");
  StringRef kind = n.node.kind;
  std::string mode = "constant";
  unsigned valueArg = 2;
  if (kind == "aten::pad") {
    if (n.numInputs() > 2 && n.item(2).kind == Item::Kind::String)
      mode = n.item(2).s;
    valueArg = 3;
  } else if (kind.starts_with("aten::reflection_pad")) {
    mode = "reflect";
  } else if (kind.starts_with("aten::replication_pad")) {
    mode = "replicate";
  }
  static const std::pair<const char *, const char *> modes[] = {{"constant", "constant"},
                                                                {"reflect", "reflect"},
                                                                {"replicate", "edge"},
                                                                {"circular", "wrap"}};
  const char *kilnMode = nullptr;
  for (auto [torch, kiln] : modes)
    if (mode == torch)
      kilnMode = kiln;
  if (!kilnMode)
    return n.unsupported("pad mode '" + mode + "'");
  double value = 0.0;
  if (mode == "constant" && n.numInputs() > valueArg && !n.isNone(valueArg)) {
    auto v = n.getFloat(valueArg);
    if (!v)
      return failure();
    value = *v;
  }
  SmallVector<int64_t> pads(2 * rank, 0);
  for (size_t i = 0; i < amounts->size() / 2; ++i) {
    int64_t d = rank - 1 - i;
    pads[d] = (*amounts)[2 * i];
    pads[d + rank] = (*amounts)[2 * i + 1];
  }
  FailureOr<Value> y = buildPad(n, n.tensor(0), pads, kilnMode, value);
  if (failed(y))
    return failure();
  n.setTensor(0, *y);
  return success();
}

/// roll(input, shifts, dims): out[i] = in[(i - shift) mod size] along each
/// dim, a gather of constant indices; with no dims, over the flattened
/// tensor.
LogicalResult roll(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  auto shifts = n.getInts(1), dims = n.getInts(2);
  if (!type || !shifts || !dims)
    return failure();
  Value x = n.tensor(0);
  bool flat = dims->empty();
  if (flat) {
    if (shifts->size() != 1)
      return n.error("roll without dims takes one shift");
    x = n.reshape(x, {type.getNumElements()});
    dims->push_back(0);
  }
  if (shifts->size() != dims->size())
    return n.error("roll needs one shift per dim");
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  for (auto [shift, dim] : llvm::zip(*shifts, *dims)) {
    int64_t d = dim < 0 ? dim + rank : dim;
    if (d < 0 || d >= rank)
      return n.error("roll dim " + Twine(dim) + " is out of range");
    int64_t size = cast<RankedTensorType>(x.getType()).getDimSize(d);
    if (size == 0)
      continue;
    SmallVector<int64_t> indices;
    for (int64_t i = 0; i < size; ++i)
      indices.push_back((((i - shift) % size) + size) % size);
    auto indexType = RankedTensorType::get({size}, n.builder.getI64Type());
    Value at = ConstantOp::create(n.builder, n.loc, DenseIntElementsAttr::get(indexType, indices));
    x = n.create<GatherOp>(x, at, n.builder.getI64IntegerAttr(d));
  }
  n.setTensor(0, flat ? n.reshape(x, type.getShape()) : x);
  return success();
}

LogicalResult flatten(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  if (rank == 0) {
    n.setTensor(0, n.reshape(n.tensor(0), {1}));
    return success();
  }
  auto start = n.getDim(1, rank), end = n.getDim(2, rank);
  if (!start || !end)
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < *start; ++d)
    shape.push_back(type.getDimSize(d));
  int64_t merged = 1;
  for (int64_t d = *start; d <= *end; ++d)
    merged *= type.getDimSize(d);
  shape.push_back(merged);
  for (int64_t d = *end + 1; d < rank; ++d)
    shape.push_back(type.getDimSize(d));
  n.setTensor(0, n.reshape(n.tensor(0), shape));
  return success();
}

LogicalResult view(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  auto shape = n.getInts(1);
  if (!type || !shape)
    return failure();
  int64_t known = 1, inferred = -1;
  for (auto [i, d] : llvm::enumerate(*shape)) {
    if (d == -1) {
      if (inferred >= 0)
        return n.error("view's shape has more than one -1");
      inferred = i;
    } else {
      known *= d;
    }
  }
  if (inferred >= 0) {
    if (known == 0 || type.getNumElements() % known)
      return n.error("cannot view " + Twine(type.getNumElements()) + " elements as the shape");
    (*shape)[inferred] = type.getNumElements() / known;
  }
  int64_t total =
      std::accumulate(shape->begin(), shape->end(), int64_t(1), std::multiplies<int64_t>());
  if (total != type.getNumElements())
    return n.error("cannot view " + Twine(type.getNumElements()) + " elements as " + Twine(total));
  n.setTensor(0, n.reshape(n.tensor(0), *shape));
  return success();
}

LogicalResult permute(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  auto dims = n.getInts(1);
  if (!type || !dims)
    return failure();
  for (int64_t &d : *dims)
    if (d < 0)
      d += type.getRank();
  n.setTensor(0, n.create<TransposeOp>(n.tensor(0), n.builder.getDenseI64ArrayAttr(*dims)));
  return success();
}

LogicalResult transposeDims(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  int64_t a = 0, b = 1;
  if (n.node.kind == "aten::t") {
    if (rank < 2) {
      n.setResult(0, n.item(0));
      return success();
    }
  } else {
    auto d0 = n.getDim(1, rank), d1 = n.getDim(2, rank);
    if (!d0 || !d1)
      return failure();
    a = *d0;
    b = *d1;
  }
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[a], perm[b]);
  n.setTensor(0, n.create<TransposeOp>(n.tensor(0), n.builder.getDenseI64ArrayAttr(perm)));
  return success();
}

LogicalResult cat(NodeImporter &n) {
  const Item &list = n.item(0);
  if (list.kind != Item::Kind::List || list.list.empty())
    return n.error("cat needs a list of tensors");
  SmallVector<Value> inputs;
  for (const Item &e : list.list) {
    if (e.kind != Item::Kind::Tensor)
      return n.error("cat needs a list of tensors");
    if (cast<RankedTensorType>(e.tensor.getType()).getNumElements() > 0)
      inputs.push_back(e.tensor);
  }
  int64_t rank = cast<RankedTensorType>(list.list.front().tensor.getType()).getRank();
  auto dim = n.getDim(1, rank);
  if (!dim)
    return failure();
  if (inputs.size() == 1) {
    n.setTensor(0, inputs.front());
    return success();
  }
  n.setTensor(0, n.create<ConcatOp>(inputs, n.builder.getI64IntegerAttr(*dim)));
  return success();
}

LogicalResult unsqueeze(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  auto dim = n.getDim(1, type.getRank() + 1);
  if (!dim)
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  shape.insert(shape.begin() + *dim, 1);
  n.setTensor(0, n.reshape(n.tensor(0), shape));
  return success();
}

LogicalResult squeeze(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  SmallVector<int64_t> shape;
  if (n.numInputs() > 1) {
    auto dim = n.getDim(1, type.getRank());
    if (!dim)
      return failure();
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (d != *dim || type.getDimSize(d) != 1)
        shape.push_back(type.getDimSize(d));
  } else {
    for (int64_t s : type.getShape())
      if (s != 1)
        shape.push_back(s);
  }
  n.setTensor(0, n.reshape(n.tensor(0), shape));
  return success();
}

/// slice(input, dim, start, end, step); None bounds are the whole axis.
LogicalResult slice(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  auto dim = n.getDim(1, rank);
  auto step = n.getInt(4);
  if (!dim || !step)
    return failure();
  int64_t size = type.getDimSize(*dim);
  int64_t start = 0, end = size;
  if (!n.isNone(2)) {
    auto v = n.getInt(2);
    if (!v)
      return failure();
    start = *v;
  }
  if (!n.isNone(3)) {
    auto v = n.getInt(3);
    if (!v)
      return failure();
    end = *v;
  }
  if (*step <= 0)
    return n.unsupported("slice with a step of " + Twine(*step));
  if (start < 0)
    start += size;
  if (end < 0)
    end += size;
  start = std::clamp<int64_t>(start, 0, size);
  end = std::clamp<int64_t>(end, start, size);
  int64_t count = (end - start + *step - 1) / *step;
  if (count == 0)
    return n.unsupported("slice producing an empty tensor");
  SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape()), strides(rank, 1);
  offsets[*dim] = start;
  sizes[*dim] = count;
  strides[*dim] = *step;
  n.setTensor(0, n.create<SliceOp>(n.tensor(0), n.builder.getDenseI64ArrayAttr(offsets),
                                   n.builder.getDenseI64ArrayAttr(sizes),
                                   n.builder.getDenseI64ArrayAttr(strides)));
  return success();
}

/// select(input, dim, index): a slice of one, the axis dropped.
LogicalResult select(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  auto dim = n.getDim(1, rank);
  auto index = n.getInt(2);
  if (!dim || !index)
    return failure();
  int64_t size = type.getDimSize(*dim), i = *index < 0 ? *index + size : *index;
  if (i < 0 || i >= size)
    return n.error("index " + Twine(*index) + " is out of range for size " + Twine(size));
  SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape()), strides(rank, 1);
  offsets[*dim] = i;
  sizes[*dim] = 1;
  Value s = n.create<SliceOp>(n.tensor(0), n.builder.getDenseI64ArrayAttr(offsets),
                              n.builder.getDenseI64ArrayAttr(sizes),
                              n.builder.getDenseI64ArrayAttr(strides));
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + *dim);
  n.setTensor(0, n.reshape(s, shape));
  return success();
}

/// mean / sum(input, dims, keepdim, dtype)
template <typename OpTy> LogicalResult reduce(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes;
  bool keep = false;
  if (n.numInputs() <= 2) { // mean(input, dtype): every axis
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  } else {
    auto dims = n.isNone(1) ? std::optional(SmallVector<int64_t>{}) : n.getInts(1, 1);
    auto keepdim = n.getBool(2);
    if (!dims || !keepdim)
      return failure();
    keep = *keepdim;
    for (int64_t d : *dims)
      axes.push_back(d < 0 ? d + rank : d);
    if (axes.empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    if (n.numInputs() > 3 && !n.isNone(3))
      return n.unsupported(n.node.kind + " with a dtype");
  }
  llvm::sort(axes);
  n.setTensor(0, n.create<OpTy>(n.tensor(0), n.builder.getDenseI64ArrayAttr(axes),
                                n.builder.getBoolAttr(keep)));
  return success();
}

/// norm(input, p, dim, keepdim[, dtype]) and linalg_vector_norm(input,
/// ord, dim, keepdim, dtype): the p-norm over `dim` (every axis when None
/// or empty); p = 2 (None), 1, inf, -inf or any other positive number.
LogicalResult norm(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  if (!isa<FloatType>(type.getElementType()))
    return n.unsupported(n.node.kind + " of an integer tensor");
  double p = 2.0;
  if (n.numInputs() > 1 && !n.isNone(1)) {
    auto v = n.getFloat(1);
    if (!v)
      return failure();
    p = *v;
  }
  int64_t rank = type.getRank();
  SmallVector<int64_t> axes;
  bool keep = false;
  if (n.numInputs() > 2 && !n.isNone(2)) {
    auto dims = n.getInts(2, 1);
    if (!dims)
      return failure();
    for (int64_t d : *dims)
      axes.push_back(d < 0 ? d + rank : d);
  }
  if (n.numInputs() > 3) {
    auto keepdim = n.getBool(3);
    if (!keepdim)
      return failure();
    keep = *keepdim;
  }
  if (n.numInputs() > 4 && !n.isNone(4))
    return n.unsupported(n.node.kind + " with a dtype");
  if (axes.empty())
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  llvm::sort(axes);
  auto axesAttr = n.builder.getDenseI64ArrayAttr(axes);
  auto keepAttr = n.builder.getBoolAttr(keep);
  Value x = n.tensor(0);
  Type elt = type.getElementType();
  Value r;
  if (p == 2.0)
    r = n.create<SqrtOp>(n.create<ReduceSumOp>(n.create<MulOp>(x, x), axesAttr, keepAttr));
  else if (p == 1.0)
    r = n.create<ReduceSumOp>(n.create<AbsOp>(x), axesAttr, keepAttr);
  else if (std::isinf(p))
    r = p > 0 ? n.create<ReduceMaxOp>(n.create<AbsOp>(x), axesAttr, keepAttr)
              : n.create<ReduceMinOp>(n.create<AbsOp>(x), axesAttr, keepAttr);
  else if (p > 0) {
    Value powered = n.create<PowOp>(n.create<AbsOp>(x), n.scalarConstant(elt, p));
    r = n.create<PowOp>(n.create<ReduceSumOp>(powered, axesAttr, keepAttr),
                        n.scalarConstant(elt, 1.0 / p));
  } else
    return n.unsupported(n.node.kind + " with p = " + std::to_string(p));
  n.setTensor(0, r);
  return success();
}

LogicalResult identity(NodeImporter &n) {
  n.setResult(0, n.item(0));
  return success();
}

/// expand(input, size, implicit): -1 keeps a dimension.
LogicalResult expand(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  auto sizes = n.getInts(1);
  if (!type || !sizes)
    return failure();
  int64_t offset = sizes->size() - type.getRank();
  if (offset < 0)
    return n.error("expand to fewer dimensions than the input has");
  for (int64_t d = 0; d < type.getRank(); ++d)
    if ((*sizes)[d + offset] == -1)
      (*sizes)[d + offset] = type.getDimSize(d);
  n.setTensor(
      0, n.create<BroadcastOp>(RankedTensorType::get(*sizes, type.getElementType()), n.tensor(0)));
  return success();
}

/// expand_as(input, other): expand to other's shape.
LogicalResult expandAs(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0), other = n.tensorType(1);
  if (!type || !other)
    return failure();
  if (other.getRank() < type.getRank())
    return n.error("expand_as to fewer dimensions than the input has");
  n.setTensor(0, n.create<BroadcastOp>(
                     RankedTensorType::get(other.getShape(), type.getElementType()), n.tensor(0)));
  return success();
}

/// zeros / ones (size, dtype, layout, device, pin_memory) and full (size,
/// value, ...): constants; the dtype defaults to f32. new_zeros / new_ones
/// / new_empty (self, size, dtype, ...) and new_full (self, size, value,
/// ...) default to self's element type; new_empty's values are
/// unspecified, and zero here.
LogicalResult filled(NodeImporter &n) {
  StringRef kind = n.node.kind;
  bool isNew = kind.starts_with("aten::new_");
  unsigned first = isNew ? 1 : 0;
  Type elt = n.builder.getF32Type();
  if (isNew) {
    RankedTensorType self = n.tensorType(0);
    if (!self)
      return failure();
    elt = self.getElementType();
  }
  auto sizes = n.getInts(first);
  if (!sizes)
    return failure();
  bool isFull = kind.ends_with("full");
  double value = kind.ends_with("ones") ? 1.0 : 0.0;
  if (isFull) {
    auto v = n.getFloat(first + 1);
    if (!v)
      return failure();
    value = *v;
  }
  unsigned dtypeArg = first + (isFull ? 2 : 1);
  if (!n.isNone(dtypeArg)) {
    auto code = n.getInt(dtypeArg);
    if (!code)
      return failure();
    elt = scalarTypeFromCode(n.getContext(), *code);
    if (!elt)
      return n.unsupported(kind + " with dtype code " + Twine(*code));
  }
  auto type = RankedTensorType::get(*sizes, elt);
  n.setTensor(0, n.create<BroadcastOp>(type, n.scalarConstant(elt, value)));
  return success();
}

/// Slices of `x` along `dim` of the given sizes, as a list item.
Item pieces(NodeImporter &n, Value x, int64_t dim, ArrayRef<int64_t> sizes) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  Item list;
  list.kind = Item::Kind::List;
  SmallVector<int64_t> offsets(rank, 0), shape(type.getShape()), strides(rank, 1);
  for (int64_t size : sizes) {
    shape[dim] = size;
    list.list.push_back(Item::ofTensor(n.create<SliceOp>(x, n.builder.getDenseI64ArrayAttr(offsets),
                                                         n.builder.getDenseI64ArrayAttr(shape),
                                                         n.builder.getDenseI64ArrayAttr(strides))));
    offsets[dim] += size;
  }
  return list;
}

/// chunk(x, chunks, dim): pieces of ceil(size / chunks).
LogicalResult chunk(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  auto chunks = n.getInt(1);
  auto dim = n.getDim(2, type.getRank());
  if (!chunks || !dim)
    return failure();
  int64_t size = type.getDimSize(*dim), step = (size + *chunks - 1) / *chunks;
  SmallVector<int64_t> sizes;
  for (int64_t at = 0; at < size; at += step)
    sizes.push_back(std::min(step, size - at));
  n.setResult(0, pieces(n, n.tensor(0), *dim, sizes));
  return success();
}

/// split(x, split_size or sizes, dim)
LogicalResult split(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  auto dim = n.getDim(2, type.getRank());
  if (!dim)
    return failure();
  int64_t size = type.getDimSize(*dim);
  SmallVector<int64_t> sizes;
  if (n.item(1).kind == Item::Kind::Int) {
    int64_t step = n.item(1).i;
    if (step <= 0)
      return n.error("split size must be positive");
    for (int64_t at = 0; at < size; at += step)
      sizes.push_back(std::min(step, size - at));
  } else {
    auto given = n.getInts(1);
    if (!given)
      return failure();
    sizes = *given;
  }
  n.setResult(0, pieces(n, n.tensor(0), *dim, sizes));
  return success();
}

/// unbind(x, dim): the slices with the axis dropped.
LogicalResult unbind(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  auto dim = n.getDim(1, type.getRank());
  if (!dim)
    return failure();
  Item list = pieces(n, n.tensor(0), *dim, SmallVector<int64_t>(type.getDimSize(*dim), 1));
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + *dim);
  for (Item &e : list.list)
    e.tensor = n.reshape(e.tensor, shape);
  n.setResult(0, list);
  return success();
}

/// unflatten(x, dim, sizes)
LogicalResult unflatten(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  auto dim = n.getDim(1, type.getRank());
  auto sizes = n.getInts(2);
  if (!dim || !sizes)
    return failure();
  int64_t known = 1, inferred = -1;
  for (auto [i, s] : llvm::enumerate(*sizes)) {
    if (s == -1)
      inferred = i;
    else
      known *= s;
  }
  if (inferred >= 0)
    (*sizes)[inferred] = type.getDimSize(*dim) / known;
  SmallVector<int64_t> shape(type.getShape().take_front(*dim));
  shape.append(sizes->begin(), sizes->end());
  shape.append(type.getShape().begin() + *dim + 1, type.getShape().end());
  n.setTensor(0, n.reshape(n.tensor(0), shape));
  return success();
}

} // namespace

void registerAtenShapeOps(AtenRegistry &r) {
  r["aten::chunk"] = chunk;
  r["aten::unsafe_chunk"] = chunk;
  r["aten::split"] = split;
  r["aten::unsafe_split"] = split;
  r["aten::split_with_sizes"] = split;
  r["aten::unbind"] = unbind;
  r["aten::unflatten"] = unflatten;
  r["aten::zeros"] = filled;
  r["aten::ones"] = filled;
  r["aten::full"] = filled;
  for (const char *name :
       {"aten::new_zeros", "aten::new_ones", "aten::new_full", "aten::new_empty"})
    r[name] = filled;
  r["aten::flatten"] = flatten;
  r["aten::roll"] = roll;
  for (const char *name :
       {"aten::pad", "aten::constant_pad_nd", "aten::reflection_pad1d", "aten::reflection_pad2d",
        "aten::reflection_pad3d", "aten::replication_pad1d", "aten::replication_pad2d",
        "aten::replication_pad3d"})
    r[name] = pad;
  r["aten::view"] = view;
  r["aten::reshape"] = view;
  r["aten::permute"] = permute;
  r["aten::transpose"] = transposeDims;
  r["aten::t"] = transposeDims;
  r["aten::cat"] = cat;
  r["aten::unsqueeze"] = unsqueeze;
  r["aten::squeeze"] = squeeze;
  r["aten::slice"] = slice;
  r["aten::select"] = select;
  r["aten::mean"] = reduce<ReduceMeanOp>;
  r["aten::sum"] = reduce<ReduceSumOp>;
  r["aten::norm"] = norm;
  r["aten::linalg_vector_norm"] = norm;
  r["aten::contiguous"] = identity;
  r["aten::clone"] = identity;
  r["aten::expand"] = expand;
  r["aten::expand_as"] = expandAs;
}

} // namespace kiln::torchscript
