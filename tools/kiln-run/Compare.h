//===- Compare.h - Comparing model outputs with references -----*- C++ -*-===//
//
// The numeric comparison kiln-run applies between what a compiled model
// produced and an expected tensor. Floating-point outputs (f16, f32, f64)
// pass element by element when |actual - expected| <= atol + rtol *
// |expected|, with NaN matching NaN and infinities matching only the same
// infinity; alternatively the whole output passes when its largest absolute
// error relative to the largest absolute reference value stays under a
// bound. Integer and bool outputs must match exactly. The result carries
// the statistics kiln-run prints and the first few mismatching indices.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_RUN_COMPARE_H
#define KILN_TOOLS_KILN_RUN_COMPARE_H

#include "kiln/runtime.h"

#include <cstdint>
#include <vector>

namespace kiln {
namespace run {

struct CompareOptions {
  double rtol = 1e-4;
  double atol = 1e-5;
  /// When set, floating-point outputs pass iff maxAbsError / maxAbsReference
  /// <= relativeMaxError (maxAbsError <= relativeMaxError when the
  /// reference is all zeros), instead of the element-wise rule.
  bool useRelativeMaxError = false;
  double relativeMaxError = 0.0;
  /// How many mismatching flat indices to keep in CompareResult.
  unsigned maxReported = 10;
};

struct Mismatch {
  uint64_t index;  ///< flat row-major index
  double actual;   ///< value produced by the model
  double expected; ///< reference value
};

struct CompareResult {
  double maxAbsError = 0.0;     ///< over all elements; +inf for NaN-vs-number
  double maxAbsReference = 0.0; ///< over the finite reference elements
  uint64_t mismatches = 0;      ///< elements failing the element-wise rule
  uint64_t total = 0;
  /// The element with the largest error (valid when total > 0).
  Mismatch worst = {0, 0.0, 0.0};
  std::vector<Mismatch> firstMismatches;
  bool passed = true;

  /// maxAbsError / maxAbsReference, or maxAbsError when the reference is 0.
  double relativeError() const;
};

/// True for the dtypes compared with tolerances (f16, bf16, f32, f64).
bool isFloatDType(kiln_dtype dtype);

/// Reads element `index` of a dense buffer of `dtype` as a double.
double loadAsDouble(kiln_dtype dtype, const void *data, uint64_t index);

/// Compares `count` elements of two dense buffers of the same dtype.
CompareResult compareBuffers(kiln_dtype dtype, const void *actual, const void *expected,
                             uint64_t count, const CompareOptions &options);

} // namespace run
} // namespace kiln

#endif // KILN_TOOLS_KILN_RUN_COMPARE_H
