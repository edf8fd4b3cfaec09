//===- ResizeOps.cpp - ONNX Resize to kiln ----------------------*- C++ -*-===//
//
// Resize's attributes and inputs (roi, scales or sizes as constants; opset
// 18's axes and keep_aspect_ratio_policy) resolved into every axis's
// output size, scale and region; the interpolation itself is built by
// buildResize (lib/Import/Common/Resize.cpp), which TorchScript's upsample
// ops share.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "kiln/Import/Resize.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

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
  std::string policy = n.getOpset() >= 18 ? n.stringAttr("keep_aspect_ratio_policy", "stretch")
                                          : std::string("stretch");
  if (!sizes && roi && scales && scales->empty() && policy == "stretch") {
    // Sizes known only at run time are the output's static shape (inferred,
    // or declared by the model), which the run-time values must match.
    if (auto shape = n.inferredOutputShape(0); shape && (int64_t)shape->size() == rank) {
      sizes.emplace();
      for (int64_t d : axes)
        sizes->push_back((*shape)[d]);
    }
  }
  if (!roi || !scales || !sizes)
    return n.unsupportedAtRunTime({1, 2, 3},
                                  "Resize with roi, scales or sizes computed at run time");
  if (scales->empty() == sizes->empty())
    return n.error("Resize needs exactly one of scales and sizes");
  int64_t listed = axes.size();
  if ((!scales->empty() && (int64_t)scales->size() != listed) ||
      (!sizes->empty() && (int64_t)sizes->size() != listed))
    return n.error("scales or sizes must have one entry per resized axis (" + Twine(listed) + ")");
  if (m.coordinates == "tf_crop_and_resize" && (int64_t)roi->size() != 2 * listed)
    return n.error("tf_crop_and_resize needs an roi of 2 x " + Twine(listed) + " values");

  // Every axis's output length and scale; unlisted axes stay as they are.
  SmallVector<int64_t> outSize(type.getShape());
  SmallVector<double> scaleOf(rank, 1.0), roiStartOf(rank, 0.0), roiEndOf(rank, 1.0);
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

  m.extrapolation = extrapolation;
  FailureOr<Value> y = buildResize(n, n.input(0), m, outSize, scaleOf, roiStartOf, roiEndOf);
  if (failed(y))
    return failure();
  n.setResult(0, *y);
  return success();
}

} // namespace

void registerResizeOps(OpRegistry &r) { r["Resize"] = importResize; }

} // namespace kiln::onnx_import
