//===- TensorIO.h - Reading and writing tensor files ------------*- C++ -*-===//
//
// The tensors kiln-run feeds to and reads back from a compiled model, and
// the two file formats it exchanges them in: serialized ONNX TensorProto
// messages (.pb) and NumPy arrays (.npy, format versions 1 to 3). A tensor
// is held as its Kiln dtype, its dimensions and a dense row-major buffer of
// little-endian elements, which is exactly the layout the generated code
// expects. Every reader validates sizes against the file and reports
// problems as messages instead of failing hard, so a bad or truncated file
// produces a clean error.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_RUN_TENSORIO_H
#define KILN_TOOLS_KILN_RUN_TENSORIO_H

#include "kiln/runtime.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln {
namespace run {

/// A dense row-major tensor read from (or to be written to) a file.
struct Tensor {
  kiln_dtype dtype = 0;
  std::vector<int64_t> dims;
  /// numElements() * kiln_dtype_size(dtype) bytes, little-endian elements.
  std::vector<uint8_t> data;
  /// The name stored in a .pb file, if any; informational only.
  std::string name;

  uint64_t numElements() const;
};

/// Multiplies out `dims` into an element count. Returns false when a
/// dimension is negative or the product overflows 2^62.
bool elementCount(const int64_t *dims, size_t rank, uint64_t &count);

/// Formats dims as "[2, 3]" ("[]" for a scalar).
std::string formatDims(const int64_t *dims, size_t rank);
std::string formatDims(const std::vector<int64_t> &dims);

/// Converts an IEEE half-precision bit pattern to float.
float halfToFloat(uint16_t bits);

/// Whether `dtype` is one of the float8 types (KILN_DTYPE_F8*).
bool isFloat8DType(kiln_dtype dtype);
/// Converts a float8 bit pattern of `dtype` to float.
float float8ToFloat(kiln_dtype dtype, uint8_t bits);

/// Reads a .npy or TensorProto file, deciding by the NumPy magic bytes.
/// On failure returns false and sets `error` to a message that names the
/// file.
bool readTensorFile(const std::string &path, Tensor &tensor, std::string &error);

/// Parses an in-memory .npy image; `what` names it in messages.
bool parseNpy(const uint8_t *bytes, size_t size, const std::string &what, Tensor &tensor,
              std::string &error);

/// Parses an in-memory serialized TensorProto; `what` names it in messages.
bool parseTensorProto(const uint8_t *bytes, size_t size, const std::string &what, Tensor &tensor,
                      std::string &error);

/// Writes a dense buffer as a version 1.0 .npy file.
bool writeNpy(const std::string &path, kiln_dtype dtype, const int64_t *dims, size_t rank,
              const void *data, uint64_t byteSize, std::string &error);

} // namespace run
} // namespace kiln

#endif // KILN_TOOLS_KILN_RUN_TENSORIO_H
