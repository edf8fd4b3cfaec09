//===- ResizeOps.cpp - ONNX Resize to kiln ----------------------*- C++ -*-===//
//
// Resize in every mode (nearest with its four rounding rules, linear,
// cubic) and coordinate transformation (half_pixel, pytorch_half_pixel,
// align_corners, asymmetric, tf_half_pixel_for_nearest, tf_crop_and_resize
// with extrapolation), with exclude_outside and cubic_coeff_a.
//
// Interpolation is separable, and with static shapes and constant scales
// every tap's index and weight is known at compile time. Each resized axis,
// last to first (the order of ONNX's reference, which recurses from the
// outermost axis), becomes up to four gathers of constant indices along
// the axis times constant weights, summed; positions that extrapolate are
// then replaced by extrapolation_value. Taps that reduce to one element with
// weight 1 per output (nearest, aligned linear) are a single gather. The
// taps follow the reference
// implementation exactly: the n nearest points to the source coordinate
// (preferring the lower), edge-clamped, with its coefficient functions.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// One axis: for every output index, the taps' input indices and weights,
/// and whether the position extrapolates.
struct AxisTaps {
  SmallVector<SmallVector<int64_t>> indices;
  SmallVector<SmallVector<double>> weights;
  SmallVector<bool> outside;
};

struct ResizeMode {
  std::string mode, coordinates, nearest;
  double cubicA = -0.75;
  bool excludeOutside = false;
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

LogicalResult importResize(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  int64_t rank = type.getRank();
  ResizeMode m;
  m.mode = n.stringAttr("mode", "nearest");
  m.coordinates = n.stringAttr("coordinate_transformation_mode", "half_pixel");
  if (m.coordinates == "tf_half_pixel_for_nn") // its name in early opset-11 exporters
    m.coordinates = "tf_half_pixel_for_nearest";
  m.nearest = n.stringAttr("nearest_mode", "round_prefer_floor");
  m.cubicA = n.floatAttr("cubic_coeff_a", -0.75f);
  m.excludeOutside = n.intAttr("exclude_outside", 0) != 0;
  double extrapolation = n.floatAttr("extrapolation_value", 0.0f);
  if (m.mode != "nearest" && m.mode != "linear" && m.mode != "cubic")
    return n.error("unknown Resize mode '" + m.mode + "'");
  static const char *coordinateModes[] = {
      "half_pixel", "pytorch_half_pixel",        "align_corners",
      "asymmetric", "tf_half_pixel_for_nearest", "tf_crop_and_resize"};
  if (!llvm::is_contained(coordinateModes, m.coordinates) &&
      !(m.coordinates == "half_pixel_symmetric" && n.getOpset() >= 19))
    return n.error("unknown coordinate_transformation_mode '" + m.coordinates + "'");
  static const char *nearestModes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  if (!llvm::is_contained(nearestModes, m.nearest))
    return n.error("unknown nearest_mode '" + m.nearest + "'");
  if (m.mode != "nearest" && !isa<FloatType>(elt))
    return n.unsupported(m.mode + " Resize of integers");
  if (m.coordinates == "tf_crop_and_resize" && !isa<FloatType>(elt))
    return n.unsupported("tf_crop_and_resize Resize of integers");

  // roi (1), scales (2), sizes (3): absent, empty, or constants.
  auto constantFloats = [&](unsigned i) -> std::optional<SmallVector<double>> {
    if (!n.hasInput(i) || n.inputType(i).getNumElements() == 0)
      return SmallVector<double>{};
    auto c = n.constantInput(i);
    if (!c)
      return std::nullopt;
    SmallVector<double> v;
    for (APFloat f : c->getValues<APFloat>())
      v.push_back(f.convertToDouble());
    return v;
  };
  auto roi = constantFloats(1), scales = constantFloats(2);
  std::optional<SmallVector<int64_t>> sizes = n.hasInput(3) && n.inputType(3).getNumElements() > 0
                                                  ? n.constantInts(3)
                                                  : SmallVector<int64_t>{};
  if (!roi || !scales || !sizes)
    return n.unsupportedAtRunTime({1, 2, 3},
                                  "Resize with roi, scales or sizes computed at run time");
  if (scales->empty() == sizes->empty())
    return n.error("Resize needs exactly one of scales and sizes");
  // Opset 18: scales, sizes and roi may cover only the listed axes.
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  if (n.getOpset() >= 18 && n.attr("axes")) {
    axes.clear();
    for (int64_t a : n.intsAttr("axes")) {
      auto axis = n.normalizeAxis(a, rank);
      if (failed(axis))
        return failure();
      if (llvm::is_contained(axes, *axis))
        return n.error("Resize axes list axis " + Twine(*axis) + " twice");
      axes.push_back(*axis);
    }
  }
  int64_t listed = axes.size();
  if ((!scales->empty() && (int64_t)scales->size() != listed) ||
      (!sizes->empty() && (int64_t)sizes->size() != listed))
    return n.error("scales or sizes must have one entry per resized axis (" + Twine(listed) + ")");
  if (m.coordinates == "tf_crop_and_resize" && (int64_t)roi->size() != 2 * listed)
    return n.error("tf_crop_and_resize needs an roi of 2 x " + Twine(listed) + " values");

  // Every axis's output length and scale; unlisted axes stay as they are.
  SmallVector<int64_t> outSize(type.getShape());
  SmallVector<double> scaleOf(rank, 1.0), roiStartOf(rank, 0.0), roiEndOf(rank, 1.0);
  std::string policy = n.getOpset() >= 18 ? n.stringAttr("keep_aspect_ratio_policy", "stretch")
                                          : std::string("stretch");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    return n.error("unknown keep_aspect_ratio_policy '" + policy + "'");
  std::optional<double> common;
  if (!sizes->empty() && policy != "stretch") {
    // One scale for every listed axis, the one that fits (not_larger) or
    // covers (not_smaller) the requested sizes.
    for (int64_t i = 0; i < listed; ++i) {
      double s = double((*sizes)[i]) / double(type.getDimSize(axes[i]));
      common = !common ? s : policy == "not_larger" ? std::min(*common, s) : std::max(*common, s);
    }
  }
  for (int64_t i = 0; i < listed; ++i) {
    int64_t d = axes[i], in = type.getDimSize(d);
    if (common) {
      scaleOf[d] = *common;
      outSize[d] = (int64_t)std::llround(*common * double(in));
    } else if (!sizes->empty()) {
      outSize[d] = (*sizes)[i];
      scaleOf[d] = double(outSize[d]) / double(in);
    } else {
      scaleOf[d] = (*scales)[i];
      if (scaleOf[d] <= 0)
        return n.error("Resize scale " + std::to_string(scaleOf[d]) + " is not positive");
      outSize[d] = (int64_t)std::floor(in * scaleOf[d]);
    }
    if (roi->size() == (size_t)2 * listed) {
      roiStartOf[d] = (*roi)[i];
      roiEndOf[d] = (*roi)[i + listed];
    }
  }
  if (n.getOpset() >= 18 && n.intAttr("antialias", 0) && m.mode != "nearest")
    for (int64_t d = 0; d < rank; ++d)
      if (scaleOf[d] < 1)
        return n.unsupported("antialiased " + m.mode + " Resize that downsamples");

  Value y = n.input(0);
  for (int64_t d = rank - 1; d >= 0; --d) {
    int64_t in = type.getDimSize(d);
    int64_t out = outSize[d];
    double scale = scaleOf[d];
    if (out <= 0)
      return n.unsupported("Resize to an empty axis");
    double roiStart = roiStartOf[d];
    double roiEnd = roiEndOf[d];
    if (out == in && scale == 1.0 && m.coordinates != "tf_crop_and_resize")
      continue; // identity along this axis
    AxisTaps taps = computeTaps(m, in, out, scale, roiStart, roiEnd);
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
    auto weightType = RankedTensorType::get(weightShape, elt);
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
      Value tap = n.create<GatherOp>(y, n.intConstant(idx, {out}), n.builder.getI64IntegerAttr(d));
      if (!allOne) {
        if (!isa<FloatType>(elt))
          return n.unsupported("Resize of integers with mixed taps");
        SmallVector<APFloat> values;
        for (double v : w) {
          APFloat f(v);
          bool lost;
          f.convert(cast<FloatType>(elt).getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
          values.push_back(f);
        }
        Value weights =
            ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(weightType, values));
        tap = n.create<MulOp>(tap, weights);
      }
      sum = sum ? n.create<AddOp>(sum, tap) : tap;
    }
    if (!sum) { // every weight zero (exclude_outside on a degenerate axis)
      SmallVector<int64_t> shape(current.getShape());
      shape[d] = out;
      sum = n.create<BroadcastOp>(RankedTensorType::get(shape, elt), n.scalarConstant(elt, 0));
    }
    if (anyOutside) {
      SmallVector<int64_t> maskShape(rank, 1);
      maskShape[d] = out;
      auto maskType = RankedTensorType::get(maskShape, n.builder.getI1Type());
      SmallVector<bool> inside;
      for (bool o : taps.outside)
        inside.push_back(!o);
      Value mask = ConstantOp::create(n.builder, n.loc,
                                      DenseElementsAttr::get(maskType, ArrayRef<bool>(inside)));
      sum = n.create<SelectOp>(mask, sum, n.scalarConstant(elt, extrapolation));
    }
    y = sum;
  }
  n.setResult(0, y);
  return success();
}

} // namespace

void registerResizeOps(OpRegistry &r) { r["Resize"] = importResize; }

} // namespace kiln::onnx_import
