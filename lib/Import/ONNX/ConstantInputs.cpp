//===- ConstantInputs.cpp - Graph inputs bound at compile time ---*- C++ -*-===//
//
// `kilnc --const-input NAME=VALUES` (or `NAME=@tensor.pb`) gives a graph
// input its value at compile time: the input becomes an initializer before
// the checker and shape inference run, so that shape operands computed
// from it (Slice bounds, Resize scales, reduction axes, Range limits, ...)
// fold to constants, and it leaves the compiled function's signature.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

using namespace mlir;

namespace kiln::onnx_import {

namespace {

/// Appends `value` to `raw` as `bytes` little-endian bytes.
void appendLittleEndian(std::string &raw, uint64_t value, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i)
    raw.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

/// Encodes one textual value as `dataType`'s raw little-endian bytes.
LogicalResult encodeValue(StringRef text, int32_t dataType, std::string &raw,
                          std::string &problem) {
  text = text.trim();
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
  case onnx::TensorProto::DOUBLE:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
  case kOnnxFloat8E4M3FN:
  case kOnnxFloat8E4M3FNUZ:
  case kOnnxFloat8E5M2:
  case kOnnxFloat8E5M2FNUZ: {
    double d;
    if (text.getAsDouble(d)) {
      problem = "'" + text.str() + "' is not a number";
      return failure();
    }
    if (dataType == onnx::TensorProto::DOUBLE) {
      uint64_t bits;
      std::memcpy(&bits, &d, sizeof bits);
      appendLittleEndian(raw, bits, 8);
    } else {
      const llvm::fltSemantics &semantics =
          dataType == onnx::TensorProto::FLOAT      ? APFloat::IEEEsingle()
          : dataType == onnx::TensorProto::BFLOAT16 ? APFloat::BFloat()
          : dataType == onnx::TensorProto::FLOAT16  ? APFloat::IEEEhalf()
          : dataType == kOnnxFloat8E4M3FN           ? APFloat::Float8E4M3FN()
          : dataType == kOnnxFloat8E4M3FNUZ         ? APFloat::Float8E4M3FNUZ()
          : dataType == kOnnxFloat8E5M2             ? APFloat::Float8E5M2()
                                                    : APFloat::Float8E5M2FNUZ();
      APFloat f(d);
      bool lost;
      f.convert(semantics, APFloat::rmNearestTiesToEven, &lost);
      appendLittleEndian(raw, f.bitcastToAPInt().getZExtValue(),
                         APFloat::getSizeInBits(semantics) / 8);
    }
    return success();
  }
  case onnx::TensorProto::BOOL: {
    std::string lower = text.lower();
    if (lower == "1" || lower == "true")
      raw.push_back(1);
    else if (lower == "0" || lower == "false")
      raw.push_back(0);
    else {
      problem = "'" + text.str() + "' is not a bool (0, 1, false or true)";
      return failure();
    }
    return success();
  }
  default:
    break;
  }
  unsigned bits = 0;
  bool isUnsigned = isUnsignedONNXElementType(dataType);
  switch (dataType) {
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    bits = 8;
    break;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
    bits = 16;
    break;
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
    bits = 32;
    break;
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
    bits = 64;
    break;
  default:
    problem = "inputs of type " + onnxElementTypeName(dataType) +
              " cannot be given inline; give a TensorProto file with @FILE";
    return failure();
  }
  APInt value;
  if (text.getAsInteger(10, value)) {
    problem = "'" + text.str() + "' is not an integer";
    return failure();
  }
  bool negative = value.isNegative();
  if ((isUnsigned && negative) ||
      (isUnsigned ? value.getActiveBits() > bits : value.getSignificantBits() > bits)) {
    problem = "'" + text.str() + "' does not fit in " +
              onnx::TensorProto::DataType_Name((onnx::TensorProto::DataType)dataType);
    return failure();
  }
  appendLittleEndian(raw, value.sextOrTrunc(64).getZExtValue(), bits / 8);
  return success();
}

/// The dimensions of `input` when all of them are known, else nullopt.
std::optional<std::vector<int64_t>> staticDims(const onnx::ValueInfoProto &input) {
  const auto &type = input.type().tensor_type();
  if (!type.has_shape())
    return std::nullopt;
  std::vector<int64_t> dims;
  for (const auto &dim : type.shape().dim()) {
    if (!dim.has_dim_value())
      return std::nullopt;
    dims.push_back(dim.dim_value());
  }
  return dims;
}

/// Builds the tensor `spec` describes for `input`; reports why not.
LogicalResult makeTensor(const onnx::ValueInfoProto &input, StringRef spec,
                         const std::map<std::string, std::vector<int64_t>> &shapes,
                         onnx::TensorProto &tensor, std::string &problem) {
  const auto &type = input.type().tensor_type();
  int32_t dataType = type.elem_type();
  if (spec.consume_front("@")) {
    auto buffer = llvm::MemoryBuffer::getFile(spec, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
    if (!buffer) {
      problem = "cannot read '" + spec.str() + "': " + buffer.getError().message();
      return failure();
    }
    if (!tensor.ParseFromArray((*buffer)->getBufferStart(), (*buffer)->getBufferSize())) {
      problem = "'" + spec.str() + "' is not a serialized ONNX TensorProto";
      return failure();
    }
    if (tensor.data_type() != dataType) {
      problem = "'" + spec.str() + "' holds " +
                onnx::TensorProto::DataType_Name((onnx::TensorProto::DataType)tensor.data_type()) +
                " but the input is " +
                onnx::TensorProto::DataType_Name((onnx::TensorProto::DataType)dataType);
      return failure();
    }
    if (type.has_shape()) {
      if (type.shape().dim_size() != tensor.dims_size()) {
        problem = "'" + spec.str() + "' has rank " + std::to_string(tensor.dims_size()) +
                  " but the input has rank " + std::to_string(type.shape().dim_size());
        return failure();
      }
      for (int i = 0; i < tensor.dims_size(); ++i)
        if (type.shape().dim(i).has_dim_value() &&
            type.shape().dim(i).dim_value() != tensor.dims(i)) {
          problem = "'" + spec.str() + "' has dimension " + std::to_string(i) + " of " +
                    std::to_string(tensor.dims(i)) + " but the input fixes it to " +
                    std::to_string(type.shape().dim(i).dim_value());
          return failure();
        }
    }
    return success();
  }

  // Inline values, comma separated.
  SmallVector<StringRef> parts;
  if (!spec.trim().empty())
    spec.split(parts, ',');
  std::string raw;
  for (StringRef part : parts)
    if (failed(encodeValue(part, dataType, raw, problem)))
      return failure();
  int64_t count = parts.size();
  std::vector<int64_t> dims;
  if (auto given = shapes.find(input.name()); given != shapes.end()) {
    dims = given->second;
  } else if (auto declared = staticDims(input)) {
    dims = *declared;
  } else if (type.has_shape() && type.shape().dim_size() == 0) {
    dims = {};
  } else if (!type.has_shape() || type.shape().dim_size() == 1) {
    dims = {count};
  } else {
    problem = "the input has rank " + std::to_string(type.shape().dim_size()) +
              " with unknown dimensions; give them with --shape " + input.name() + "=...";
    return failure();
  }
  int64_t expected = 1;
  for (int64_t d : dims)
    expected *= d;
  if (expected != count) {
    problem = std::to_string(count) + " value" + (count == 1 ? "" : "s") +
              " given for a tensor of " + std::to_string(expected);
    return failure();
  }
  tensor.set_data_type(dataType);
  for (int64_t d : dims)
    tensor.add_dims(d);
  tensor.set_raw_data(raw);
  return success();
}

} // namespace

LogicalResult bindConstantInputs(onnx::ModelProto &model, Location fileLoc,
                                 const std::map<std::string, std::string> &constants,
                                 const std::map<std::string, std::vector<int64_t>> &shapes) {
  if (constants.empty())
    return success();
  onnx::GraphProto &graph = *model.mutable_graph();
  llvm::StringSet<> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());
  bool failedAny = false;
  llvm::StringSet<> bound;
  for (const auto &[name, spec] : constants) {
    const onnx::ValueInfoProto *input = nullptr;
    for (const auto &candidate : graph.input())
      if (candidate.name() == name && !initializerNames.contains(name))
        input = &candidate;
    if (!input) {
      emitError(fileLoc) << "--const-input names '" << name
                         << "', which is not an input of the model";
      failedAny = true;
      continue;
    }
    if (!input->type().has_tensor_type()) {
      emitError(fileLoc) << "--const-input " << name << ": the input is not a tensor";
      failedAny = true;
      continue;
    }
    onnx::TensorProto tensor;
    std::string problem;
    if (failed(makeTensor(*input, spec, shapes, tensor, problem))) {
      emitError(fileLoc) << "--const-input " << name << ": " << problem;
      failedAny = true;
      continue;
    }
    tensor.set_name(name);
    *graph.add_initializer() = std::move(tensor);
    bound.insert(name);
  }
  if (failedAny)
    return failure();
  // From IR version 4 on, an initializer that is also a graph input is only
  // a default the caller may override; drop the input so that the value is
  // a true constant (older IR versions require initializers among inputs).
  if (model.ir_version() >= 4) {
    auto *inputs = graph.mutable_input();
    for (int i = inputs->size() - 1; i >= 0; --i)
      if (bound.contains(inputs->Get(i).name()))
        inputs->DeleteSubrange(i, 1);
  }
  return success();
}

} // namespace kiln::onnx_import
