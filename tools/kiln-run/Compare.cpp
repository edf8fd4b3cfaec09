//===- Compare.cpp - Comparing model outputs with references ---*- C++ -*-===//
//
// Implements the element-wise and relative comparisons described in
// Compare.h. Values are widened to double for the statistics; integer
// elements are additionally compared bit for bit so 64-bit values that do
// not fit a double exactly are still judged exactly.
//
//===----------------------------------------------------------------------===//

#include "Compare.h"

#include "TensorIO.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace kiln {
namespace run {

bool isFloatDType(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_F16 || dtype == KILN_DTYPE_BF16 || dtype == KILN_DTYPE_F32 ||
         dtype == KILN_DTYPE_F64 || isFloat8DType(dtype);
}

template <typename T> static T loadElement(const void *data, uint64_t index) {
  T value;
  std::memcpy(&value, static_cast<const uint8_t *>(data) + index * sizeof(T), sizeof(T));
  return value;
}

double loadAsDouble(kiln_dtype dtype, const void *data, uint64_t index) {
  switch (dtype) {
  case KILN_DTYPE_F32:
    return loadElement<float>(data, index);
  case KILN_DTYPE_F64:
    return loadElement<double>(data, index);
  case KILN_DTYPE_F16:
    return halfToFloat(loadElement<uint16_t>(data, index));
  case KILN_DTYPE_BF16: { // the upper half of an f32
    uint32_t bits = uint32_t(loadElement<uint16_t>(data, index)) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  case KILN_DTYPE_F8E4M3FN:
  case KILN_DTYPE_F8E4M3FNUZ:
  case KILN_DTYPE_F8E5M2:
  case KILN_DTYPE_F8E5M2FNUZ:
    return float8ToFloat(dtype, loadElement<uint8_t>(data, index));
  case KILN_DTYPE_U8:
    return loadElement<uint8_t>(data, index);
  case KILN_DTYPE_I8:
    return loadElement<int8_t>(data, index);
  case KILN_DTYPE_U16:
    return loadElement<uint16_t>(data, index);
  case KILN_DTYPE_I16:
    return loadElement<int16_t>(data, index);
  case KILN_DTYPE_I32:
    return loadElement<int32_t>(data, index);
  case KILN_DTYPE_U32:
    return loadElement<uint32_t>(data, index);
  case KILN_DTYPE_I64:
    return double(loadElement<int64_t>(data, index));
  case KILN_DTYPE_U64:
    return double(loadElement<uint64_t>(data, index));
  case KILN_DTYPE_BOOL:
    return loadElement<uint8_t>(data, index) ? 1.0 : 0.0;
  default:
    return 0.0;
  }
}

double CompareResult::relativeError() const {
  if (maxAbsReference > 0.0)
    return maxAbsError / maxAbsReference;
  return maxAbsError;
}

CompareResult compareBuffers(kiln_dtype dtype, const void *actual, const void *expected,
                             uint64_t count, const CompareOptions &options) {
  const double inf = std::numeric_limits<double>::infinity();
  const bool isFloat = isFloatDType(dtype);
  const size_t elemSize = kiln_dtype_size(dtype);
  const uint8_t *a8 = static_cast<const uint8_t *>(actual);
  const uint8_t *e8 = static_cast<const uint8_t *>(expected);

  CompareResult result;
  result.total = count;
  double worstError = -1.0;

  for (uint64_t i = 0; i < count; ++i) {
    double a = loadAsDouble(dtype, actual, i);
    double e = loadAsDouble(dtype, expected, i);
    double error;
    bool mismatch;
    if (isFloat) {
      if (std::isnan(a) || std::isnan(e)) {
        mismatch = !(std::isnan(a) && std::isnan(e));
        error = mismatch ? inf : 0.0;
      } else if (std::isinf(a) || std::isinf(e)) {
        mismatch = a != e;
        error = mismatch ? inf : 0.0;
      } else {
        error = std::fabs(a - e);
        mismatch = error > options.atol + options.rtol * std::fabs(e);
      }
      if (std::isfinite(e))
        result.maxAbsReference = std::max(result.maxAbsReference, std::fabs(e));
    } else {
      if (dtype == KILN_DTYPE_BOOL)
        mismatch = (a8[i] != 0) != (e8[i] != 0);
      else
        mismatch = std::memcmp(a8 + i * elemSize, e8 + i * elemSize, elemSize) != 0;
      error = mismatch ? std::fabs(a - e) : 0.0;
      // Two distinct 64-bit integers can widen to the same double.
      if (mismatch && error == 0.0)
        error = 1.0;
      result.maxAbsReference = std::max(result.maxAbsReference, std::fabs(e));
    }

    if (error > worstError) {
      worstError = error;
      result.worst = {i, a, e};
    }
    result.maxAbsError = std::max(result.maxAbsError, error);
    if (mismatch) {
      ++result.mismatches;
      if (result.firstMismatches.size() < options.maxReported)
        result.firstMismatches.push_back({i, a, e});
    }
  }

  if (isFloat && options.useRelativeMaxError)
    result.passed = result.relativeError() <= options.relativeMaxError;
  else
    result.passed = result.mismatches == 0;
  return result;
}

} // namespace run
} // namespace kiln
