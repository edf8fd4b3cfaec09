//===- DataDependentOps.cpp - Ops whose result shape depends on data -*- C++ -*-===//
//
// Compress, NonZero and Unique give results whose shape depends on values,
// not only on shapes. Kiln compiles static shapes, so these import when the
// values that decide the shape are known at compile time: Compress with a
// constant condition becomes a gather with constant indices; NonZero and
// Unique of constants are evaluated. Otherwise the error names the graph
// inputs that `--const-input` can bind.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "llvm/ADT/STLExtras.h"

#include <map>
#include <numeric>

using namespace mlir;

namespace kiln::onnx_import {

namespace {

/// An empty constant of `shape` (some dimension 0) and `elementType`.
Value emptyConstant(NodeImporter &n, ArrayRef<int64_t> shape, Type elementType) {
  auto type = RankedTensorType::get(shape, elementType);
  return ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(type, ArrayRef<Attribute>{}));
}

LogicalResult importCompress(NodeImporter &n) {
  Value x = n.input(0);
  RankedTensorType xType = n.inputType(0);
  auto condition = n.constantInput(1);
  if (!condition)
    return n.unsupportedAtRunTime({1}, "Compress with a condition computed at run time");
  SmallVector<int64_t> kept;
  for (auto [i, v] : llvm::enumerate(condition->getValues<APInt>()))
    if (!v.isZero())
      kept.push_back(i);
  int64_t axis;
  if (const auto *a = n.attr("axis")) {
    auto normalized = n.normalizeAxis(a->i(), xType.getRank());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  } else {
    x = n.reshape(x, {xType.getNumElements()});
    axis = 0;
  }
  auto shape = llvm::to_vector(cast<RankedTensorType>(x.getType()).getShape());
  if (!kept.empty() && kept.back() >= shape[axis])
    return n.error("Compress condition selects index " + Twine(kept.back()) +
                   " of an axis of size " + Twine(shape[axis]));
  shape[axis] = kept.size();
  if (kept.empty()) {
    n.setResult(0, emptyConstant(n, shape, xType.getElementType()));
    return success();
  }
  n.setResult(0, n.create<GatherOp>(RankedTensorType::get(shape, xType.getElementType()), x,
                                    n.intConstant(kept, {(int64_t)kept.size()}),
                                    n.builder.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult importNonZero(NodeImporter &n) {
  auto x = n.constantInput(0);
  if (!x)
    return n.unsupportedAtRunTime(
        {0}, "NonZero of values computed at run time (its result's shape depends on them)");
  ArrayRef<int64_t> shape = x->getType().getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> positions; // linear indices of the non-zero elements
  int64_t linear = 0;
  if (isa<FloatType>(x->getElementType())) {
    for (const APFloat &v : x->getValues<APFloat>()) {
      if (!v.isZero())
        positions.push_back(linear);
      ++linear;
    }
  } else {
    for (const APInt &v : x->getValues<APInt>()) {
      if (!v.isZero())
        positions.push_back(linear);
      ++linear;
    }
  }
  int64_t count = positions.size();
  auto i64 = n.builder.getI64Type();
  if (count == 0) {
    n.setResult(0, emptyConstant(n, {rank, 0}, i64));
    return success();
  }
  SmallVector<int64_t> out(rank * count);
  for (int64_t j = 0; j < count; ++j) {
    int64_t rest = positions[j];
    for (int64_t d = rank - 1; d >= 0; --d) {
      out[d * count + j] = rest % shape[d];
      rest /= shape[d];
    }
  }
  n.setResult(0, n.intConstant(out, {rank, count}));
  return success();
}

/// Orders two slices of constants element by element, like NumPy's unique.
struct SliceOrder {
  bool isFloat, isUnsigned;
  int compare(ArrayRef<Attribute> a, ArrayRef<Attribute> b) const {
    for (size_t i = 0; i < a.size(); ++i) {
      if (isFloat) {
        APFloat x = cast<FloatAttr>(a[i]).getValue(), y = cast<FloatAttr>(b[i]).getValue();
        if (x < y)
          return -1;
        if (y < x)
          return 1;
      } else {
        APInt x = cast<IntegerAttr>(a[i]).getValue(), y = cast<IntegerAttr>(b[i]).getValue();
        if (isUnsigned ? x.ult(y) : x.slt(y))
          return -1;
        if (isUnsigned ? y.ult(x) : y.slt(x))
          return 1;
      }
    }
    return 0;
  }
};

LogicalResult importUnique(NodeImporter &n) {
  auto x = n.constantInput(0);
  if (!x)
    return n.unsupportedAtRunTime(
        {0}, "Unique of values computed at run time (its result's shape depends on them)");
  Type elementType = x->getElementType();
  SmallVector<int64_t> shape(x->getType().getShape());
  bool hasAxis = n.attr("axis") != nullptr;
  int64_t axis = 0;
  if (hasAxis) {
    auto normalized = n.normalizeAxis(n.intAttr("axis", 0), shape.size());
    if (failed(normalized))
      return failure();
    axis = *normalized;
  } else {
    shape = {x->getNumElements()};
  }
  // Slices along `axis`: outer x extent x inner.
  int64_t outer = 1, inner = 1, extent = shape[axis];
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < (int64_t)shape.size(); ++d)
    inner *= shape[d];
  auto values = llvm::to_vector(x->getValues<Attribute>());
  SmallVector<SmallVector<Attribute>> slices(extent);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t e = 0; e < extent; ++e)
      for (int64_t i = 0; i < inner; ++i)
        slices[e].push_back(values[(o * extent + e) * inner + i]);

  SliceOrder order{isa<FloatType>(elementType), n.inputIsUnsigned(0)};
  // First occurrences in input order, then (when sorted) in value order.
  SmallVector<int64_t> firsts, inverse(extent), counts;
  for (int64_t e = 0; e < extent; ++e) {
    auto it =
        llvm::find_if(firsts, [&](int64_t f) { return order.compare(slices[f], slices[e]) == 0; });
    if (it == firsts.end()) {
      firsts.push_back(e);
      counts.push_back(1);
    } else {
      ++counts[it - firsts.begin()];
    }
  }
  SmallVector<int64_t> rank(firsts.size());
  std::iota(rank.begin(), rank.end(), 0);
  if (n.intAttr("sorted", 1))
    llvm::sort(rank, [&](int64_t a, int64_t b) {
      // Distinct by construction, so this order is total.
      return order.compare(slices[firsts[a]], slices[firsts[b]]) < 0;
    });
  SmallVector<int64_t> indices, sortedCounts, position(firsts.size());
  for (auto [k, r] : llvm::enumerate(rank)) {
    indices.push_back(firsts[r]);
    sortedCounts.push_back(counts[r]);
    position[r] = k;
  }
  for (int64_t e = 0; e < extent; ++e)
    for (auto [u, f] : llvm::enumerate(firsts))
      if (order.compare(slices[f], slices[e]) == 0)
        inverse[e] = position[u];

  int64_t unique = indices.size();
  SmallVector<int64_t> yShape = shape;
  yShape[axis] = unique;
  SmallVector<Attribute> y;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < unique; ++k)
      for (int64_t i = 0; i < inner; ++i)
        y.push_back(values[(o * extent + indices[k]) * inner + i]);
  n.setResult(
      0, ConstantOp::create(n.builder, n.loc,
                            DenseElementsAttr::get(RankedTensorType::get(yShape, elementType), y)));
  n.setResult(1, n.intConstant(indices, {unique}));
  n.setResult(2, n.intConstant(inverse, {extent}));
  n.setResult(3, n.intConstant(sortedCounts, {unique}));
  return success();
}

} // namespace

void registerDataDependentOps(OpRegistry &r) {
  r["Compress"] = importCompress;
  r["NonZero"] = importNonZero;
  r["Unique"] = importUnique;
}

} // namespace kiln::onnx_import
