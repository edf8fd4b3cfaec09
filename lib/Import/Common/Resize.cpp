//===- Resize.cpp - Separable interpolation ---------------------*- C++ -*-===//
//
// Resize in every mode (nearest with its four rounding rules, linear,
// cubic) and coordinate transformation (half_pixel, pytorch_half_pixel,
// align_corners, asymmetric, half_pixel_symmetric, tf_half_pixel_for_nearest,
// tf_crop_and_resize with extrapolation), with exclude_outside and
// cubic_coeff_a, for both front ends.
//
// Interpolation is separable, and with static shapes and constant scales
// every tap's index and weight is known at compile time. Each resized axis,
// last to first (the order of ONNX's reference, which recurses from the
// outermost axis), becomes up to four gathers of constant indices along
// the axis times constant weights, summed; positions that extrapolate are
// then replaced by the extrapolation value. Taps that reduce to one element
// with weight 1 per output (nearest, aligned linear) are a single gather.
// The taps follow the reference implementation exactly: the n nearest
// points to the source coordinate (preferring the lower), edge-clamped,
// with its coefficient functions.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/Resize.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

/// One axis: for every output index, the taps' input indices and weights,
/// and whether the position extrapolates.
struct AxisTaps {
  SmallVector<SmallVector<int64_t>> indices;
  SmallVector<SmallVector<double>> weights;
  SmallVector<bool> outside;
};

SmallVector<double> coefficients(const ResizeMode &m, double ratio) {
  if (m.mode == "nearest") {
    if (ratio == std::floor(ratio))
      return {0, 1};
    if (m.nearest == "round_prefer_floor")
      return {double(ratio <= 0.5), double(ratio > 0.5)};
    if (m.nearest == "round_prefer_ceil")
      return {double(ratio < 0.5), double(ratio >= 0.5)};
    if (m.nearest == "floor")
      return {1, 0};
    return {0, 1}; // ceil
  }
  if (m.mode == "linear")
    return {1 - ratio, ratio};
  double a = m.cubicA, r = ratio, s = 1 - ratio;
  return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
          ((a + 2) * r - (a + 3)) * r * r + 1, ((a + 2) * s - (a + 3)) * s * s + 1,
          ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
}

AxisTaps computeTaps(const ResizeMode &m, int64_t in, int64_t out, double scale, double roiStart,
                     double roiEnd) {
  AxisTaps taps;
  // The transformations use the unrounded output length scale x in, as
  // ONNX's reference does (with sizes given, scale = out / in exactly).
  double length = scale * in;
  for (int64_t o = 0; o < out; ++o) {
    double x;
    const std::string &c = m.coordinates;
    if (c == "half_pixel")
      x = (o + 0.5) / scale - 0.5;
    else if (c == "pytorch_half_pixel")
      x = length > 1 ? (o + 0.5) / scale - 0.5 : 0;
    else if (c == "align_corners")
      x = length == 1 ? 0 : o * double(in - 1) / (length - 1);
    else if (c == "asymmetric")
      x = o / scale;
    else if (c == "half_pixel_symmetric") // opset 19
      x = double(in) / 2 * (1 - double(out) / length) + (o + 0.5) / scale - 0.5;
    else if (c == "tf_half_pixel_for_nearest")
      x = (o + 0.5) / scale;
    else // tf_crop_and_resize
      x = length > 1 ? roiStart * (in - 1) + o * (roiEnd - roiStart) * (in - 1) / (length - 1)
                     : 0.5 * (roiStart + roiEnd) * (in - 1);
    taps.outside.push_back(c == "tf_crop_and_resize" && (x < 0 || x > in - 1));
    int64_t base = (int64_t)std::floor(x);
    double ratio = x - base;
    if (ratio == 0)
      ratio = 1;
    SmallVector<double> w = coefficients(m, ratio);
    int64_t n = w.size();
    // The n nearest integer points to x, preferring the lower ones, on the
    // input padded by ceil(n / 2) edge copies on each side.
    int64_t pad = (n + 1) / 2;
    double xp = x + pad;
    int64_t limit = in + 2 * pad;
    SmallVector<int64_t> chosen;
    {
      SmallVector<std::pair<double, int64_t>> candidates;
      int64_t lo = std::max<int64_t>(0, (int64_t)std::floor(xp) - n),
              hi = std::min<int64_t>(limit - 1, (int64_t)std::ceil(xp) + n);
      for (int64_t i = lo; i <= hi; ++i)
        candidates.push_back({std::abs(xp - i), i});
      llvm::sort(candidates); // by distance, then the lower index
      for (int64_t k = 0; k < n && k < (int64_t)candidates.size(); ++k)
        chosen.push_back(candidates[k].second);
      llvm::sort(chosen);
    }
    SmallVector<int64_t> idx;
    for (int64_t p : chosen)
      idx.push_back(p - pad);
    if (m.excludeOutside) {
      double sum = 0;
      for (int64_t k = 0; k < n; ++k) {
        if (idx[k] < 0 || idx[k] >= in)
          w[k] = 0;
        sum += w[k];
      }
      if (sum != 0)
        for (double &v : w)
          v /= sum;
    }
    for (int64_t &i : idx) // edge padding
      i = std::clamp<int64_t>(i, 0, in - 1);
    taps.indices.push_back(idx);
    taps.weights.push_back(w);
  }
  return taps;
}

} // namespace

FailureOr<Value> buildResize(CheckedBuilder &b, Value x, const ResizeMode &m,
                             ArrayRef<int64_t> outSize, ArrayRef<double> scales,
                             ArrayRef<double> roiStart, ArrayRef<double> roiEnd) {
  Value y = x;
  auto type = cast<RankedTensorType>(x.getType());
  Type elt = type.getElementType();
  int64_t rank = type.getRank();
  if ((int64_t)outSize.size() != rank || (int64_t)scales.size() != rank ||
      (int64_t)roiStart.size() != rank || (int64_t)roiEnd.size() != rank)
    return (void)b.error("a resize needs a size, scale and region per axis"), failure();
  bool isFloat = isa<FloatType>(elt);
  for (int64_t d = rank - 1; d >= 0; --d) {
    int64_t in = type.getDimSize(d);
    int64_t out = outSize[d];
    double scale = scales[d];
    if (out <= 0)
      return (void)b.unsupported("a resize to an empty axis"), failure();
    if (out == in && scale == 1.0 && m.coordinates != "tf_crop_and_resize")
      continue; // identity along this axis
    AxisTaps taps = computeTaps(m, in, out, scale, roiStart[d], roiEnd[d]);
    // Where every output reads one input element with weight 1 (nearest,
    // or linear on aligned positions), the taps collapse into one gather;
    // an axis that gathers 0, 1, ..., in - 1 is left alone.
    bool anyOutside = llvm::is_contained(taps.outside, true);
    SmallVector<int64_t> single;
    for (int64_t o = 0; o < out; ++o) {
      int64_t pick = -1, nonZero = 0;
      for (size_t k = 0; k < taps.weights[o].size(); ++k)
        if (taps.weights[o][k] != 0) {
          ++nonZero;
          pick = taps.weights[o][k] == 1 ? taps.indices[o][k] : -1;
        }
      if (nonZero != 1 || pick < 0) {
        single.clear();
        break;
      }
      single.push_back(pick);
    }
    if (!single.empty()) {
      if (!anyOutside && out == in && llvm::equal(single, llvm::seq<int64_t>(0, in)))
        continue;
      taps.indices.assign(out, SmallVector<int64_t>{});
      taps.weights.assign(out, SmallVector<double>{1.0});
      for (int64_t o = 0; o < out; ++o)
        taps.indices[o].push_back(single[o]);
    }
    auto current = cast<RankedTensorType>(y.getType());
    SmallVector<int64_t> weightShape(rank, 1);
    weightShape[d] = out;
    Value sum;
    size_t tapCount = taps.indices[0].size();
    for (size_t k = 0; k < tapCount; ++k) {
      SmallVector<int64_t> idx;
      SmallVector<double> w;
      bool allZero = true, allOne = true;
      for (int64_t o = 0; o < out; ++o) {
        idx.push_back(taps.indices[o][k]);
        w.push_back(taps.weights[o][k]);
        allZero &= w.back() == 0;
        allOne &= w.back() == 1;
      }
      if (allZero)
        continue;
      auto indexType = RankedTensorType::get({out}, b.builder.getI64Type());
      Value indices =
          ConstantOp::create(b.builder, b.loc, DenseIntElementsAttr::get(indexType, idx));
      Value tap = b.create<GatherOp>(y, indices, b.builder.getI64IntegerAttr(d));
      if (!allOne) {
        if (!isFloat)
          return (void)b.unsupported("a resize of integers with fractional taps"), failure();
        tap = b.create<MulOp>(tap, b.floatConstant(elt, weightShape, w));
      }
      sum = sum ? b.create<AddOp>(sum, tap) : tap;
    }
    if (!sum) { // every weight zero (exclude_outside on a degenerate axis)
      SmallVector<int64_t> shape(current.getShape());
      shape[d] = out;
      sum = b.create<BroadcastOp>(RankedTensorType::get(shape, elt), b.scalarConstant(elt, 0));
    }
    if (anyOutside) {
      SmallVector<int64_t> maskShape(rank, 1);
      maskShape[d] = out;
      auto maskType = RankedTensorType::get(maskShape, b.builder.getI1Type());
      SmallVector<bool> inside;
      for (bool o : taps.outside)
        inside.push_back(!o);
      Value mask = ConstantOp::create(b.builder, b.loc,
                                      DenseElementsAttr::get(maskType, ArrayRef<bool>(inside)));
      sum = b.create<SelectOp>(mask, sum, b.scalarConstant(elt, m.extrapolation));
    }
    y = sum;
  }
  return y;
}

} // namespace kiln
