//===- TensorIO.cpp - Reading ONNX TensorProto and .npy files --*- C++ -*-===//
//
// Implements the tensor file formats of kiln-run. NumPy files are parsed by
// hand: the magic, the version, the little header dictionary (descr,
// fortran_order, shape) and the raw C-order data that follows. TensorProto
// files go through the ONNX protobuf classes; their payload may be in
// raw_data or in one of the typed repeated fields (float_data, int32_data,
// int64_data, double_data, uint64_data) and is converted to the dense
// little-endian layout of the Kiln ABI. Every size is checked against the
// bytes actually present before it is used.
//
//===----------------------------------------------------------------------===//

#include "TensorIO.h"

#include <onnx/onnx_pb.h>

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "kiln-run assumes a little-endian host"
#endif

namespace kiln {
namespace run {

//===----------------------------------------------------------------------===//
// Small helpers
//===----------------------------------------------------------------------===//

bool elementCount(const int64_t *dims, size_t rank, uint64_t &count) {
  const uint64_t limit = uint64_t(1) << 62;
  uint64_t n = 1;
  for (size_t i = 0; i < rank; ++i) {
    if (dims[i] < 0)
      return false;
    uint64_t d = static_cast<uint64_t>(dims[i]);
    if (d != 0 && n > limit / d)
      return false;
    n *= d;
  }
  count = n;
  return true;
}

uint64_t Tensor::numElements() const {
  uint64_t n = 0;
  if (!elementCount(dims.data(), dims.size(), n))
    return 0;
  return n;
}

std::string formatDims(const int64_t *dims, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; ++i) {
    if (i)
      s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

std::string formatDims(const std::vector<int64_t> &dims) {
  return formatDims(dims.data(), dims.size());
}

float halfToFloat(uint16_t bits) {
  uint32_t sign = (bits >> 15) & 1u;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), int(exponent) - 25);
  return sign ? -magnitude : magnitude;
}

bool isFloat8DType(kiln_dtype dtype) {
  return dtype == KILN_DTYPE_F8E4M3FN || dtype == KILN_DTYPE_F8E4M3FNUZ ||
         dtype == KILN_DTYPE_F8E5M2 || dtype == KILN_DTYPE_F8E5M2FNUZ;
}

float float8ToFloat(kiln_dtype dtype, uint8_t bits) {
  bool e5 = dtype == KILN_DTYPE_F8E5M2 || dtype == KILN_DTYPE_F8E5M2FNUZ;
  bool uz = dtype == KILN_DTYPE_F8E4M3FNUZ || dtype == KILN_DTYPE_F8E5M2FNUZ;
  int mantissaBits = e5 ? 2 : 3, bias = (e5 ? 15 : 7) + (uz ? 1 : 0);
  uint32_t magnitude = bits & 0x7fu;
  if (uz ? bits == 0x80u : (e5 ? magnitude > 0x7cu : magnitude == 0x7fu))
    return NAN;
  float value;
  if (e5 && !uz && magnitude == 0x7cu)
    value = INFINITY;
  else {
    uint32_t exponent = magnitude >> mantissaBits,
             mantissa = magnitude & ((1u << mantissaBits) - 1);
    value = exponent == 0 ? std::ldexp(float(mantissa), 1 - bias - mantissaBits)
                          : std::ldexp(float(mantissa | (1u << mantissaBits)),
                                       int(exponent) - bias - mantissaBits);
  }
  return (bits & 0x80u) ? -value : value;
}

static bool readWholeFile(const std::string &path, std::vector<uint8_t> &bytes,
                          std::string &error) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    error = "'" + path + "' is not a regular file";
    return false;
  }
  FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = "cannot open '" + path + "': " + std::strerror(errno);
    return false;
  }
  bytes.clear();
  uint8_t buffer[65536];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    bytes.insert(bytes.end(), buffer, buffer + got);
  bool failed = std::ferror(file);
  std::fclose(file);
  if (failed) {
    error = "cannot read '" + path + "'";
    return false;
  }
  return true;
}

bool readTensorFile(const std::string &path, Tensor &tensor, std::string &error) {
  std::vector<uint8_t> bytes;
  if (!readWholeFile(path, bytes, error))
    return false;
  const std::string what = "'" + path + "'";
  bool looksNpy = bytes.size() >= 6 && std::memcmp(bytes.data(), "\x93NUMPY", 6) == 0;
  bool namedNpy = path.size() >= 4 && path.compare(path.size() - 4, 4, ".npy") == 0;
  if (looksNpy || namedNpy)
    return parseNpy(bytes.data(), bytes.size(), what, tensor, error);
  return parseTensorProto(bytes.data(), bytes.size(), what, tensor, error);
}

//===----------------------------------------------------------------------===//
// NumPy .npy
//===----------------------------------------------------------------------===//

namespace {

/// A parser for the Python literal dictionary in a .npy header.
class NpyHeaderParser {
public:
  explicit NpyHeaderParser(const std::string &text) : text(text) {}

  bool parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape, std::string &error) {
    bool haveDescr = false, haveFortran = false, haveShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("expected '{'", error);
    skipSpace();
    while (!consume('}')) {
      std::string key;
      if (!parseString(key))
        return fail("expected a quoted key", error);
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after '" + key + "'", error);
      skipSpace();
      if (key == "descr") {
        if (!parseString(descr))
          return fail("'descr' is not a simple dtype string (structured "
                      "arrays are not supported)",
                      error);
        haveDescr = true;
      } else if (key == "fortran_order") {
        if (consumeWord("True"))
          fortran = true;
        else if (consumeWord("False"))
          fortran = false;
        else
          return fail("'fortran_order' is not True or False", error);
        haveFortran = true;
      } else if (key == "shape") {
        if (!parseShape(shape))
          return fail("'shape' is not a tuple of non-negative integers", error);
        haveShape = true;
      } else {
        return fail("unexpected key '" + key + "'", error);
      }
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      skipSpace();
      if (!consume('}'))
        return fail("expected ',' or '}'", error);
      break;
    }
    if (!haveDescr || !haveFortran || !haveShape)
      return fail("missing 'descr', 'fortran_order' or 'shape'", error);
    return true;
  }

private:
  bool fail(const std::string &message, std::string &error) {
    error = "malformed .npy header: " + message;
    return false;
  }
  void skipSpace() {
    while (pos < text.size() &&
           (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
  }
  bool consume(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }
  bool consumeWord(const char *word) {
    size_t n = std::strlen(word);
    if (text.compare(pos, n, word) != 0)
      return false;
    pos += n;
    return true;
  }
  bool parseString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return false;
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == std::string::npos)
      return false;
    out = text.substr(pos, end - pos);
    pos = end + 1;
    return true;
  }
  bool parseInt(int64_t &value) {
    size_t start = pos;
    uint64_t v = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      v = v * 10 + uint64_t(text[pos] - '0');
      if (v > (uint64_t(1) << 62))
        return false;
      ++pos;
    }
    if (pos == start)
      return false;
    consume('L'); // Python 2 long suffix.
    value = static_cast<int64_t>(v);
    return true;
  }
  bool parseShape(std::vector<int64_t> &shape) {
    shape.clear();
    if (!consume('('))
      return false;
    skipSpace();
    while (!consume(')')) {
      int64_t d;
      if (!parseInt(d))
        return false;
      shape.push_back(d);
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      if (!consume(')'))
        return false;
      break;
    }
    return true;
  }

  const std::string &text;
  size_t pos = 0;
};

struct NpyType {
  const char *code;
  kiln_dtype dtype;
};

const NpyType npyTypes[] = {
    {"f2", KILN_DTYPE_F16}, {"f4", KILN_DTYPE_F32}, {"f8", KILN_DTYPE_F64}, {"i1", KILN_DTYPE_I8},
    {"u1", KILN_DTYPE_U8},  {"i2", KILN_DTYPE_I16}, {"u2", KILN_DTYPE_U16}, {"i4", KILN_DTYPE_I32},
    {"u4", KILN_DTYPE_U32}, {"i8", KILN_DTYPE_I64}, {"u8", KILN_DTYPE_U64}, {"b1", KILN_DTYPE_BOOL},
    {"?", KILN_DTYPE_BOOL},
};

} // namespace

bool parseNpy(const uint8_t *bytes, size_t size, const std::string &what, Tensor &tensor,
              std::string &error) {
  if (size < 10 || std::memcmp(bytes, "\x93NUMPY", 6) != 0) {
    error = what + " is not a .npy file (bad magic)";
    return false;
  }
  unsigned major = bytes[6];
  size_t headerStart, headerLen;
  if (major == 1) {
    headerLen = size_t(bytes[8]) | size_t(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) {
      error = what + ": truncated .npy header";
      return false;
    }
    headerLen = size_t(bytes[8]) | size_t(bytes[9]) << 8 | size_t(bytes[10]) << 16 |
                size_t(bytes[11]) << 24;
    headerStart = 12;
  } else {
    error = what + ": unsupported .npy format version " + std::to_string(major) + "." +
            std::to_string(bytes[7]);
    return false;
  }
  if (headerLen > size - headerStart) {
    error = what + ": truncated .npy header";
    return false;
  }

  std::string header(reinterpret_cast<const char *>(bytes + headerStart), headerLen);
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
  NpyHeaderParser parser(header);
  if (!parser.parse(descr, fortran, shape, error)) {
    error = what + ": " + error;
    return false;
  }

  // The byte-order character: '<' little, '>' big, '|' not applicable,
  // '=' native (little on every host kiln-run supports).
  std::string code = descr;
  char order = '=';
  if (!code.empty() && std::strchr("<>|=", code[0])) {
    order = code[0];
    code.erase(0, 1);
  }
  kiln_dtype dtype = 0;
  for (const NpyType &t : npyTypes)
    if (code == t.code)
      dtype = t.dtype;
  if (dtype == 0) {
    error = what + ": unsupported .npy dtype '" + descr + "'";
    return false;
  }
  size_t elemSize = kiln_dtype_size(dtype);
  if (order == '>' && elemSize > 1) {
    error = what + ": big-endian .npy data ('" + descr + "') is not supported";
    return false;
  }
  if (fortran && shape.size() > 1) {
    error = what + ": Fortran-order .npy arrays are not supported";
    return false;
  }

  uint64_t count;
  if (!elementCount(shape.data(), shape.size(), count) || count > UINT64_MAX / elemSize) {
    error = what + ": .npy shape " + formatDims(shape) + " is too large";
    return false;
  }
  uint64_t want = count * elemSize;
  size_t dataStart = headerStart + headerLen;
  uint64_t have = size - dataStart;
  if (have != want) {
    error = what + ": " + (have < want ? "truncated" : "oversized") + " .npy data: shape " +
            formatDims(shape) + " needs " + std::to_string(want) + " bytes, file has " +
            std::to_string(have);
    return false;
  }

  tensor.dtype = dtype;
  tensor.dims = std::move(shape);
  tensor.name.clear();
  tensor.data.assign(bytes + dataStart, bytes + size);
  if (dtype == KILN_DTYPE_BOOL)
    for (uint8_t &b : tensor.data)
      b = b ? 1 : 0;
  return true;
}

bool writeNpy(const std::string &path, kiln_dtype dtype, const int64_t *dims, size_t rank,
              const void *data, uint64_t byteSize, std::string &error) {
  const char *code = nullptr;
  for (const NpyType &t : npyTypes)
    if (t.dtype == dtype) {
      code = t.code;
      break;
    }
  // NumPy has neither bfloat16 nor the float8 types: their bit patterns,
  // as kiln-run reads them.
  if (dtype == KILN_DTYPE_BF16)
    code = "u2";
  else if (isFloat8DType(dtype))
    code = "u1";
  if (!code) {
    error =
        "cannot write '" + path + "': dtype " + kiln_dtype_name(dtype) + " has no .npy equivalent";
    return false;
  }

  std::string header = "{'descr': '";
  header += kiln_dtype_size(dtype) == 1 ? '|' : '<';
  header += code;
  header += "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < rank; ++i) {
    header += std::to_string(dims[i]);
    if (rank == 1 || i + 1 < rank)
      header += rank == 1 ? "," : ", ";
  }
  header += "), }";

  // Pad with spaces and a final newline so the data starts on a 64-byte
  // boundary; fall back to format 2.0 for very long headers.
  size_t prefix = 10;
  size_t total = prefix + header.size() + 1;
  if ((total + 63) / 64 * 64 - prefix > 65535)
    prefix = 12;
  total = prefix + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::string out = "\x93NUMPY";
  size_t len = header.size();
  if (prefix == 10) {
    out += '\x01';
    out += '\x00';
    out += char(len & 0xff);
    out += char((len >> 8) & 0xff);
  } else {
    out += '\x02';
    out += '\x00';
    for (int i = 0; i < 4; ++i)
      out += char((len >> (8 * i)) & 0xff);
  }
  out += header;

  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file) {
    error = "cannot create '" + path + "': " + std::strerror(errno);
    return false;
  }
  bool ok = std::fwrite(out.data(), 1, out.size(), file) == out.size();
  if (ok && byteSize > 0)
    ok = std::fwrite(data, 1, byteSize, file) == byteSize;
  if (std::fclose(file) != 0)
    ok = false;
  if (!ok) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto
//===----------------------------------------------------------------------===//

namespace {

/// Copies a typed repeated field into `out`, narrowing each value to T.
template <typename T, typename Field>
void narrowInto(const Field &field, std::vector<uint8_t> &out) {
  out.resize(size_t(field.size()) * sizeof(T));
  for (int i = 0; i < field.size(); ++i) {
    T value = static_cast<T>(field.Get(i));
    std::memcpy(out.data() + size_t(i) * sizeof(T), &value, sizeof(T));
  }
}

} // namespace

bool parseTensorProto(const uint8_t *bytes, size_t size, const std::string &what, Tensor &tensor,
                      std::string &error) {
  if (size > size_t(INT_MAX)) {
    error = what + " is too large for a TensorProto file";
    return false;
  }
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes, int(size))) {
    error = what + " is neither a .npy file nor a valid TensorProto "
                   "(truncated or corrupt?)";
    return false;
  }
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    error = what + ": TensorProto with external data is not supported";
    return false;
  }
  if (proto.has_segment()) {
    error = what + ": segmented TensorProto is not supported";
    return false;
  }
  kiln_dtype dtype = proto.data_type();
  size_t elemSize = kiln_dtype_size(dtype);
  if (elemSize == 0) {
    error = what + ": unsupported TensorProto data_type " + std::to_string(proto.data_type()) +
            (proto.data_type() == 0 ? " (not a tensor file?)" : "");
    return false;
  }
  std::vector<int64_t> dims(proto.dims().begin(), proto.dims().end());
  uint64_t count;
  if (!elementCount(dims.data(), dims.size(), count) || count > uint64_t(INT_MAX)) {
    error = what + ": invalid or too large TensorProto dims " + formatDims(dims);
    return false;
  }

  std::vector<uint8_t> data;
  uint64_t want = count * elemSize;
  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != want) {
      error = what + ": raw_data has " + std::to_string(raw.size()) + " bytes, dims " +
              formatDims(dims) + " of " + kiln_dtype_name(dtype) + " need " + std::to_string(want);
      return false;
    }
    data.assign(raw.begin(), raw.end());
  } else {
    int64_t have = 0;
    const char *field = "";
    switch (dtype) {
    case KILN_DTYPE_F32:
      field = "float_data";
      have = proto.float_data_size();
      narrowInto<float>(proto.float_data(), data);
      break;
    case KILN_DTYPE_F64:
      field = "double_data";
      have = proto.double_data_size();
      narrowInto<double>(proto.double_data(), data);
      break;
    case KILN_DTYPE_I64:
      field = "int64_data";
      have = proto.int64_data_size();
      narrowInto<int64_t>(proto.int64_data(), data);
      break;
    case KILN_DTYPE_U32:
      field = "uint64_data";
      have = proto.uint64_data_size();
      narrowInto<uint32_t>(proto.uint64_data(), data);
      break;
    case KILN_DTYPE_U64:
      field = "uint64_data";
      have = proto.uint64_data_size();
      narrowInto<uint64_t>(proto.uint64_data(), data);
      break;
    case KILN_DTYPE_I32:
      field = "int32_data";
      have = proto.int32_data_size();
      narrowInto<int32_t>(proto.int32_data(), data);
      break;
    case KILN_DTYPE_I16:
      field = "int32_data";
      have = proto.int32_data_size();
      narrowInto<int16_t>(proto.int32_data(), data);
      break;
    case KILN_DTYPE_U16:
    case KILN_DTYPE_F16:  // int32_data holds the IEEE half bit patterns,
    case KILN_DTYPE_BF16: // or bfloat16's.
      field = "int32_data";
      have = proto.int32_data_size();
      narrowInto<uint16_t>(proto.int32_data(), data);
      break;
    case KILN_DTYPE_I8:
      field = "int32_data";
      have = proto.int32_data_size();
      narrowInto<int8_t>(proto.int32_data(), data);
      break;
    case KILN_DTYPE_U8:
    case KILN_DTYPE_F8E4M3FN: // int32_data holds the float8 bit patterns.
    case KILN_DTYPE_F8E4M3FNUZ:
    case KILN_DTYPE_F8E5M2:
    case KILN_DTYPE_F8E5M2FNUZ:
      field = "int32_data";
      have = proto.int32_data_size();
      narrowInto<uint8_t>(proto.int32_data(), data);
      break;
    case KILN_DTYPE_BOOL:
      field = "int32_data";
      have = proto.int32_data_size();
      data.resize(size_t(have));
      for (int64_t i = 0; i < have; ++i)
        data[size_t(i)] = proto.int32_data(int(i)) != 0;
      break;
    default:
      break;
    }
    if (uint64_t(have) != count) {
      error = what + ": " + field + " has " + std::to_string(have) + " values, dims " +
              formatDims(dims) + " need " + std::to_string(count);
      return false;
    }
  }
  if (dtype == KILN_DTYPE_BOOL)
    for (uint8_t &b : data)
      b = b ? 1 : 0;

  tensor.dtype = dtype;
  tensor.dims = std::move(dims);
  tensor.data = std::move(data);
  tensor.name = proto.name();
  return true;
}

} // namespace run
} // namespace kiln
