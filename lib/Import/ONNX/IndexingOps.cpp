//===- IndexingOps.cpp - ONNX ops built from index masks --------*- C++ -*-===//
//
// Ops whose result depends on element positions, written as comparisons
// against constant index tensors and selects, so they need no kiln op of
// their own:
//   Trilu     select with a triangular mask (constant unless k is known
//             only at run time)
//   Range     evaluated at compile time (its operands must be constants)
//   Hardmax   equal(iota, arg_max) cast to the input type
//   OneHot    equal(iota, indices) selecting the on/off values
//   GatherElements, GatherND   kiln.gather_elements, kiln.gather_nd
//   ScatterElements, ScatterND   kiln.scatter_elements, kiln.scatter_nd
//   EyeLike, HannWindow, HammingWindow, BlackmanWindow   constants
//   TopK      K rounds of arg_max/arg_min, gather_elements and masking
//   CumSum    a masked sum: x broadcast over a second copy of the axis,
//             zeroed where the (triangular) mask is false, and reduced
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// A constant i1 tensor of `shape` whose value at each index is `fn(index)`.
Value maskConstant(NodeImporter &n, ArrayRef<int64_t> shape,
                   llvm::function_ref<bool(ArrayRef<int64_t>)> fn) {
  auto type = RankedTensorType::get(shape, n.builder.getI1Type());
  SmallVector<bool> values;
  SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t linear = 0; linear < type.getNumElements(); ++linear) {
    int64_t rem = linear;
    for (int64_t d = shape.size() - 1; d >= 0; --d) {
      idx[d] = rem % shape[d];
      rem /= shape[d];
    }
    values.push_back(fn(idx));
  }
  return ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(type, ArrayRef<bool>(values)));
}

/// 0, 1, ..., size - 1 along `axis` of a rank-`rank` i64 tensor (1 elsewhere).
Value iota(NodeImporter &n, int64_t rank, int64_t axis, int64_t size) {
  SmallVector<int64_t> shape(rank, 1), values;
  shape[axis] = size;
  for (int64_t i = 0; i < size; ++i)
    values.push_back(i);
  return n.intConstant(values, shape);
}

LogicalResult importTrilu(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 2)
    return n.error("Trilu needs a rank of at least 2");
  bool upper = n.intAttr("upper", 1) != 0;
  ArrayRef<int64_t> shape = type.getShape().take_back(2);
  Value mask;
  if (!n.hasInput(1) || n.constantInts(1)) {
    int64_t k = n.hasInput(1) ? (*n.constantInts(1))[0] : 0;
    mask = maskConstant(n, shape, [&](ArrayRef<int64_t> ij) {
      int64_t diagonal = ij[1] - ij[0];
      return upper ? diagonal >= k : diagonal <= k;
    });
  } else {
    // k known at run time: compare it with the constant j - i.
    if (n.inputType(1).getNumElements() != 1 ||
        n.inputType(1).getElementType() != n.builder.getI64Type())
      return n.error("Trilu's k must be an int64 scalar");
    SmallVector<int64_t> diagonals;
    for (int64_t i = 0; i < shape[0]; ++i)
      for (int64_t j = 0; j < shape[1]; ++j)
        diagonals.push_back(j - i);
    Value diagonal = n.intConstant(diagonals, shape);
    Value k = n.reshape(n.input(1), {});
    mask = upper ? n.create<LessEqualOp>(k, diagonal) : n.create<LessEqualOp>(diagonal, k);
  }
  n.setResult(0, n.create<SelectOp>(mask, n.input(0), n.scalarConstant(type.getElementType(), 0)));
  return success();
}

LogicalResult importRange(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  auto start = n.constantInput(0), limit = n.constantInput(1), delta = n.constantInput(2);
  if (!start || !limit || !delta) {
    // Operands known at run time, the length from the output's static shape
    // (inferred, or declared by the model): start + i * delta.
    auto shape = n.inferredOutputShape(0);
    if (!shape || shape->size() != 1 || (*shape)[0] <= 0 || elt.isInteger(1))
      return n.unsupportedAtRunTime({0, 1, 2}, "Range with operands computed at run time");
    int64_t count = (*shape)[0];
    Value i = iota(n, 1, 0, count);
    if (elt != n.builder.getI64Type())
      i = n.create<CastOp>(RankedTensorType::get({count}, elt), i);
    n.setResult(0, n.create<AddOp>(n.reshape(n.input(0), {}),
                                   n.create<MulOp>(i, n.reshape(n.input(2), {}))));
    return success();
  }
  auto scalar = [&](DenseElementsAttr a) -> double {
    if (isa<FloatType>(elt))
      return (*a.getValues<APFloat>().begin()).convertToDouble();
    return (double)(*a.getValues<APInt>().begin()).getSExtValue();
  };
  double s = scalar(*start), l = scalar(*limit), d = scalar(*delta);
  if (d == 0)
    return n.error("Range delta is zero");
  int64_t count = std::max<int64_t>((int64_t)std::ceil((l - s) / d), 0);
  if (count == 0)
    return n.unsupported("Range producing an empty tensor");
  if (count > (int64_t(1) << 24))
    return n.error("Range of " + Twine(count) + " elements is too large to evaluate");
  auto type = RankedTensorType::get({count}, elt);
  DenseElementsAttr value;
  if (auto ft = dyn_cast<FloatType>(elt)) {
    // Each element as start + i * delta, in the element type like ONNX's
    // reference (which accumulates in that type).
    SmallVector<APFloat> values;
    APFloat acc(s);
    bool lost;
    acc.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    APFloat step(d);
    step.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    for (int64_t i = 0; i < count; ++i) {
      values.push_back(acc);
      acc.add(step, APFloat::rmNearestTiesToEven);
    }
    value = DenseElementsAttr::get(type, values);
  } else {
    SmallVector<APInt> values;
    for (int64_t i = 0; i < count; ++i)
      values.emplace_back(elt.getIntOrFloatBitWidth(), (uint64_t)((int64_t)s + i * (int64_t)d),
                          /*isSigned=*/true, /*implicitTrunc=*/true);
    value = DenseElementsAttr::get(type, values);
  }
  n.setResult(0, ConstantOp::create(n.builder, n.loc, value));
  return success();
}

LogicalResult importHardmax(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return n.unsupported("element type Hardmax on non-float input");
  auto axis = n.normalizeAxis(n.intAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  Value x = n.input(0);
  if (n.getOpset() < 13) {
    // Before opset 13, Hardmax works on the input flattened to 2-D at axis.
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < type.getRank(); ++d)
      (d < *axis ? outer : inner) *= type.getDimSize(d);
    x = n.reshape(x, {outer, inner});
    axis = 1;
  }
  auto xType = cast<RankedTensorType>(x.getType());
  Value index = n.create<ArgMaxOp>(x, n.builder.getI64IntegerAttr(*axis),
                                   n.builder.getBoolAttr(true), n.builder.getBoolAttr(false));
  Value hot = n.create<EqualOp>(iota(n, xType.getRank(), *axis, xType.getDimSize(*axis)), index);
  Value y = n.create<CastOp>(xType, hot);
  n.setResult(0, n.reshape(y, type.getShape()));
  return success();
}

LogicalResult importOneHot(NodeImporter &n) {
  RankedTensorType indicesType = n.inputType(0);
  int64_t rank = indicesType.getRank() + 1;
  auto axis = n.normalizeAxis(n.intAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  auto depth = n.constantInput(1);
  int64_t size;
  if (depth && depth->getNumElements() == 1) {
    size = isa<FloatType>(depth->getElementType())
               ? (int64_t)(*depth->getValues<APFloat>().begin()).convertToDouble()
               : (*depth->getValues<APInt>().begin()).getSExtValue();
  } else if (auto shape = n.inferredOutputShape(0); shape && (int64_t)shape->size() == rank) {
    size = (*shape)[*axis]; // the depth known at run time must agree with it
  } else {
    return n.unsupportedAtRunTime({1}, "OneHot with depth computed at run time");
  }
  if (size <= 0)
    return n.error("OneHot depth " + Twine(size) + " is not positive");
  RankedTensorType valuesType = n.inputType(2);
  if (valuesType.getNumElements() != 2)
    return n.error("OneHot values must hold [off, on]");
  Value indices = n.input(0);
  auto i64 = n.builder.getI64Type();
  if (indicesType.getElementType() != i64) // Float indices truncate, as in ONNX.
    indices = n.create<CastOp>(RankedTensorType::get(indicesType.getShape(), i64), indices);
  // Negative indices count from the end.
  Value negative = n.create<LessOp>(indices, n.scalarConstant(i64, 0));
  indices =
      n.create<SelectOp>(negative, n.create<AddOp>(indices, n.scalarConstant(i64, size)), indices);
  SmallVector<int64_t> shape(indicesType.getShape());
  shape.insert(shape.begin() + *axis, 1);
  Value hot = n.create<EqualOp>(iota(n, rank, *axis, size), n.reshape(indices, shape));
  Value values = n.reshape(n.input(2), {2});
  auto one = [&](int64_t i) {
    SmallVector<int64_t> offsets{i}, sizes{1}, strides{1};
    return n.reshape(n.create<SliceOp>(values, n.builder.getDenseI64ArrayAttr(offsets),
                                       n.builder.getDenseI64ArrayAttr(sizes),
                                       n.builder.getDenseI64ArrayAttr(strides)),
                     {});
  };
  n.setResult(0, n.create<SelectOp>(hot, one(1), one(0)));
  return success();
}

LogicalResult importCumSum(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (elt.isInteger(1))
    return n.unsupported("element type CumSum on bool input");
  int64_t rank = type.getRank();
  if (n.inputType(1).getNumElements() != 1 || !isa<IntegerType>(n.inputType(1).getElementType()))
    return n.error("CumSum's axis must be one integer");
  bool exclusive = n.intAttr("exclusive", 0) != 0, reverse = n.intAttr("reverse", 0) != 0;
  // out[i] = sum over j of x[j] where mask(i, j); axis a holds i, a + 1 holds j.
  auto along = [&](int64_t axis) -> FailureOr<Value> {
    int64_t size = type.getDimSize(axis);
    if (size > 4096)
      return (void)n.unsupported("CumSum over an axis longer than 4096"), failure();
    SmallVector<int64_t> xShape(type.getShape());
    xShape.insert(xShape.begin() + axis, 1);
    Value x = n.reshape(n.input(0), xShape);
    SmallVector<int64_t> maskShape(rank + 1, 1);
    maskShape[axis] = size;
    maskShape[axis + 1] = size;
    Value mask = maskConstant(n, maskShape, [&](ArrayRef<int64_t> idx) {
      int64_t i = idx[axis], j = idx[axis + 1];
      if (reverse)
        return exclusive ? j > i : j >= i;
      return exclusive ? j < i : j <= i;
    });
    Value masked = n.create<SelectOp>(mask, x, n.scalarConstant(elt, 0));
    return n.create<ReduceSumOp>(masked, n.builder.getDenseI64ArrayAttr({axis + 1}),
                                 n.builder.getBoolAttr(false));
  };
  if (auto axisValue = n.constantInts(1)) {
    auto axis = n.normalizeAxis((*axisValue)[0], rank);
    if (failed(axis))
      return failure();
    FailureOr<Value> y = along(*axis);
    if (failed(y))
      return failure();
    n.setResult(0, *y);
    return success();
  }
  // An axis known only at run time: the sums along every axis, the one it
  // names selected (the result's shape is the input's either way).
  Value axis = n.reshape(n.input(1), {});
  Value y;
  for (int64_t d = rank - 1; d >= 0; --d) {
    FailureOr<Value> sum = along(d);
    if (failed(sum))
      return failure();
    if (!y) {
      y = *sum; // the last axis, also where the axis is out of range
      continue;
    }
    Type at = cast<RankedTensorType>(axis.getType()).getElementType();
    Value named = n.create<OrOp>(n.create<EqualOp>(axis, n.scalarConstant(at, (double)d)),
                                 n.create<EqualOp>(axis, n.scalarConstant(at, (double)(d - rank))));
    y = n.create<SelectOp>(named, *sum, y);
  }
  n.setResult(0, y);
  return success();
}

LogicalResult importGatherElements(NodeImporter &n) {
  RankedTensorType data = n.inputType(0), indices = n.inputType(1);
  auto axis = n.normalizeAxis(n.intAttr("axis", 0), data.getRank());
  if (failed(axis))
    return failure();
  if (indices.getRank() != data.getRank())
    return n.error("indices must have the data's rank");
  for (int64_t d = 0; d < data.getRank(); ++d)
    if (d != *axis && indices.getDimSize(d) > data.getDimSize(d))
      return n.error("indices are larger than the data off the axis");
  if (data.getDimSize(*axis) == 0)
    return n.error("gather from an empty axis");
  n.setResult(
      0, n.create<GatherElementsOp>(n.input(0), n.input(1), n.builder.getI64IntegerAttr(*axis)));
  return success();
}

/// ReverseSequence: along time_axis, the first sequence_lens[b] elements of
/// each batch entry b reversed, the rest kept. The lengths may be known
/// only at run time: the source index of every element, t < len ? len - 1 -
/// t : t, is computed elementwise and read with gather_elements.
LogicalResult importReverseSequence(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  int64_t rank = type.getRank();
  if (rank < 2)
    return n.error("ReverseSequence needs an input of rank 2 or more");
  auto timeAxis = n.normalizeAxis(n.intAttr("time_axis", 0), rank);
  auto batchAxis = n.normalizeAxis(n.intAttr("batch_axis", 1), rank);
  if (failed(timeAxis) || failed(batchAxis))
    return failure();
  if (*timeAxis == *batchAxis)
    return n.error("time_axis and batch_axis must differ");
  int64_t steps = type.getDimSize(*timeAxis), batch = type.getDimSize(*batchAxis);
  RankedTensorType lensType = n.inputType(1);
  if (lensType.getRank() != 1 || lensType.getDimSize(0) != batch)
    return n.error("sequence_lens must have one entry per batch entry (" + Twine(batch) + ")");
  auto i64 = n.builder.getI64Type();
  SmallVector<int64_t> timeShape(rank, 1), batchShape(rank, 1);
  timeShape[*timeAxis] = steps;
  batchShape[*batchAxis] = batch;
  Value t = n.intConstant(llvm::to_vector(llvm::seq<int64_t>(0, steps)), timeShape);
  Value lens =
      n.reshape(n.create<CastOp>(RankedTensorType::get({batch}, i64), n.input(1)), batchShape);
  SmallVector<int64_t> pairShape(rank, 1);
  pairShape[*timeAxis] = steps;
  pairShape[*batchAxis] = batch;
  auto pairType = RankedTensorType::get(pairShape, i64);
  Value inside = n.create<LessOp>(RankedTensorType::get(pairShape, n.builder.getI1Type()), t, lens);
  Value reversed = n.create<SubOp>(
      pairType,
      n.create<SubOp>(RankedTensorType::get(batchShape, i64), lens, n.intConstant({1}, {})), t);
  Value source = n.create<SelectOp>(pairType, inside, reversed, n.create<BroadcastOp>(pairType, t));
  Value indices = n.create<BroadcastOp>(RankedTensorType::get(type.getShape(), i64), source);
  n.setResult(
      0, n.create<GatherElementsOp>(n.input(0), indices, n.builder.getI64IntegerAttr(*timeAxis)));
  return success();
}

/// EyeLike: a constant with ones on diagonal k, in `dtype` or the input's
/// element type.
LogicalResult importEyeLike(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (type.getRank() != 2)
    return n.error("EyeLike needs a 2-D input");
  Type elt = type.getElementType();
  if (const auto *dtype = n.attr("dtype")) {
    elt = convertONNXElementType(n.getContext(), dtype->i());
    if (!elt)
      return n.unsupported("EyeLike dtype " + Twine(dtype->i()));
  }
  int64_t k = n.intAttr("k", 0);
  Value mask =
      maskConstant(n, type.getShape(), [&](ArrayRef<int64_t> ij) { return ij[1] - ij[0] == k; });
  auto result = RankedTensorType::get(type.getShape(), elt);
  n.setResult(0, n.create<CastOp>(result, mask));
  return success();
}

/// Hann, Hamming and Blackman windows: constants of the size the node's
/// input gives (or that shape inference fixes).
template <int Kind> // 0 Hann, 1 Hamming, 2 Blackman
LogicalResult importWindow(NodeImporter &n) {
  int64_t size;
  if (auto c = n.constantInts(0); c && c->size() == 1)
    size = (*c)[0];
  else if (auto shape = n.inferredOutputShape(0); shape && shape->size() == 1)
    size = (*shape)[0];
  else
    return n.unsupportedAtRunTime({0}, n.node.op_type() + " with a size computed at run time");
  if (size <= 0)
    return n.unsupported(n.node.op_type() + " producing an empty tensor");
  Type elt = convertONNXElementType(n.getContext(), n.intAttr("output_datatype", 1));
  if (!elt || !isa<FloatType>(elt))
    return n.unsupported(n.node.op_type() + " with a non-float output_datatype");
  double denominator = n.intAttr("periodic", 1) ? size : size - 1;
  SmallVector<APFloat> values;
  for (int64_t i = 0; i < size; ++i) {
    double phase = denominator > 0 ? 2 * M_PI * i / denominator : 0;
    double v;
    if (Kind == 0)
      v = 0.5 - 0.5 * std::cos(phase);
    else if (Kind == 1)
      v = 25.0 / 46.0 - 21.0 / 46.0 * std::cos(phase);
    else
      v = 0.42 - 0.5 * std::cos(phase) + 0.08 * std::cos(2 * phase);
    APFloat f(v);
    bool lost;
    f.convert(cast<FloatType>(elt).getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(f);
  }
  n.setResult(
      0, ConstantOp::create(n.builder, n.loc,
                            DenseElementsAttr::get(RankedTensorType::get({size}, elt), values)));
  return success();
}

/// TopK with K known at compile time: K rounds of arg_max (arg_min for the
/// smallest), each taking the value with gather_elements and masking its
/// position out. Ties keep the lower index first, as ONNX asks.
LogicalResult importTopK(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (elt.isInteger(1))
    return n.unsupported("element type TopK on bool input");
  int64_t rank = type.getRank();
  auto axis = n.normalizeAxis(n.intAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  int64_t k;
  if (auto c = n.constantInts(1); c && c->size() == 1)
    k = (*c)[0];
  else if (auto shape = n.inferredOutputShape(0); shape && (int64_t)shape->size() == rank)
    k = (*shape)[*axis];
  else
    return n.unsupportedAtRunTime({1}, "TopK with K computed at run time");
  int64_t size = type.getDimSize(*axis);
  if (k <= 0 || k > size)
    return n.error("TopK K " + Twine(k) + " is not in [1, " + Twine(size) + "]");
  if (k > 64)
    return n.unsupported("TopK with K above 64");
  bool largest = n.intAttr("largest", 1) != 0;
  auto &b = n.builder;
  // Unsigned integers rank by their sign-flipped values.
  Value x = n.input(0), current = n.inputIsUnsigned(0) ? n.flipSignBit(x) : x;
  // Masked positions get the value that never wins.
  Value never;
  if (auto ft = dyn_cast<FloatType>(elt))
    never = n.scalarConstant(elt, largest ? -std::numeric_limits<double>::infinity()
                                          : std::numeric_limits<double>::infinity());
  else {
    unsigned bits = elt.getIntOrFloatBitWidth();
    APInt v = largest ? APInt::getSignedMinValue(bits) : APInt::getSignedMaxValue(bits);
    never = ConstantOp::create(b, n.loc, DenseElementsAttr::get(RankedTensorType::get({}, elt), v));
  }
  Value positions = iota(n, rank, *axis, size);
  SmallVector<Value> values, indices;
  for (int64_t i = 0; i < k; ++i) {
    auto keep = b.getBoolAttr(true), first = b.getBoolAttr(false);
    Value index = largest ? n.create<ArgMaxOp>(current, b.getI64IntegerAttr(*axis), keep, first)
                          : n.create<ArgMinOp>(current, b.getI64IntegerAttr(*axis), keep, first);
    indices.push_back(index);
    values.push_back(n.create<GatherElementsOp>(x, index, b.getI64IntegerAttr(*axis)));
    if (i + 1 < k)
      current = n.create<SelectOp>(n.create<EqualOp>(positions, index), never, current);
  }
  auto concat = [&](SmallVector<Value> &vs) {
    return vs.size() == 1 ? vs[0] : n.create<ConcatOp>(vs, b.getI64IntegerAttr(*axis));
  };
  n.setResult(0, concat(values));
  n.setResult(1, concat(indices));
  return success();
}

LogicalResult importGatherND(NodeImporter &n) {
  RankedTensorType data = n.inputType(0), indices = n.inputType(1);
  int64_t b = n.intAttr("batch_dims", 0);
  if (indices.getRank() < 1)
    return n.error("indices must have rank 1 or more");
  int64_t k = indices.getShape().back();
  if (b < 0 || b >= indices.getRank() || k < 1 || b + k > data.getRank() ||
      data.getShape().take_front(b) != indices.getShape().take_front(b))
    return n.error("batch_dims and the index tuples do not fit the data and indices");
  n.setResult(0, n.create<GatherNDOp>(n.input(0), n.input(1), n.builder.getI64IntegerAttr(b)));
  return success();
}

/// ScatterElements (and Scatter, its name before opset 11).
LogicalResult importScatterElements(NodeImporter &n) {
  RankedTensorType data = n.inputType(0), indices = n.inputType(1), updates = n.inputType(2);
  auto axis = n.normalizeAxis(n.intAttr("axis", 0), data.getRank());
  if (failed(axis))
    return failure();
  if (indices.getShape() != updates.getShape() || indices.getRank() != data.getRank())
    return n.error("indices and updates must share one shape of the data's rank");
  for (int64_t d = 0; d < data.getRank(); ++d)
    if (d != *axis && indices.getDimSize(d) > data.getDimSize(d))
      return n.error("indices are larger than the data off the axis");
  if (data.getElementType() != updates.getElementType())
    return n.error("updates and data differ in element type");
  std::string reduction = n.stringAttr("reduction", "none");
  n.setResult(0, n.create<ScatterElementsOp>(data, n.input(0), n.input(1), n.input(2),
                                             n.builder.getI64IntegerAttr(*axis),
                                             n.builder.getStringAttr(reduction)));
  return success();
}

LogicalResult importScatterND(NodeImporter &n) {
  RankedTensorType data = n.inputType(0), indices = n.inputType(1), updates = n.inputType(2);
  if (indices.getRank() < 1 || indices.getShape().back() > data.getRank())
    return n.error("index tuples are longer than the data's rank");
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(indices.getShape().back()));
  if (updates.getShape() != ArrayRef<int64_t>(expected))
    return n.error("updates have the wrong shape for these indices");
  if (data.getElementType() != updates.getElementType())
    return n.error("updates and data differ in element type");
  n.setResult(0, n.create<ScatterNDOp>(data, n.input(0), n.input(1), n.input(2),
                                       n.builder.getStringAttr(n.stringAttr("reduction", "none"))));
  return success();
}

} // namespace

void registerIndexingOps(OpRegistry &r) {
  r["ReverseSequence"] = importReverseSequence;
  r["GatherND"] = importGatherND;
  r["ScatterElements"] = importScatterElements;
  r["Scatter"] = importScatterElements;
  r["ScatterND"] = importScatterND;
  r["EyeLike"] = importEyeLike;
  r["HannWindow"] = importWindow<0>;
  r["HammingWindow"] = importWindow<1>;
  r["BlackmanWindow"] = importWindow<2>;
  r["TopK"] = importTopK;
  r["GatherElements"] = importGatherElements;
  r["Trilu"] = importTrilu;
  r["Range"] = importRange;
  r["Hardmax"] = importHardmax;
  r["OneHot"] = importOneHot;
  r["CumSum"] = importCumSum;
}

} // namespace kiln::onnx_import
