//===- Resize.h - Separable interpolation, built once -----------*- C++ -*-===//
//
// ONNX's Resize and Upsample and TorchScript's upsample_* ops resize static
// tensors by constant factors. Both front ends build them here: each
// resized axis becomes gathers of constant indices times constant weights.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_RESIZE_H
#define KILN_IMPORT_RESIZE_H

#include "kiln/Import/CheckedBuilder.h"

#include <string>

namespace kiln {

/// How positions map and taps weigh, with ONNX Resize's names.
struct ResizeMode {
  /// "nearest", "linear" or "cubic".
  std::string mode = "nearest";
  /// coordinate_transformation_mode: "half_pixel", "pytorch_half_pixel",
  /// "align_corners", "asymmetric", "half_pixel_symmetric",
  /// "tf_half_pixel_for_nearest" or "tf_crop_and_resize".
  std::string coordinates = "half_pixel";
  /// nearest_mode: "round_prefer_floor", "round_prefer_ceil", "floor", "ceil".
  std::string nearest = "round_prefer_floor";
  double cubicA = -0.75;
  bool excludeOutside = false;
  double extrapolation = 0.0;
};

/// Resizes `x` to `outSize`, axis d with the scale `scales[d]` (output
/// over input, as the coordinate transformation uses it) and, for
/// tf_crop_and_resize, the region [roiStart[d], roiEnd[d]]. The taps
/// follow ONNX's reference implementation exactly. Reports what it cannot
/// build (integers with fractional taps, empty axes) and fails.
mlir::FailureOr<mlir::Value> buildResize(CheckedBuilder &b, mlir::Value x, const ResizeMode &mode,
                                         llvm::ArrayRef<int64_t> outSize,
                                         llvm::ArrayRef<double> scales,
                                         llvm::ArrayRef<double> roiStart,
                                         llvm::ArrayRef<double> roiEnd);

} // namespace kiln

#endif // KILN_IMPORT_RESIZE_H
