//===- TensorConversion.cpp - ONNX tensors to MLIR attributes ---*- C++ -*-===//
//
// Converts ONNX element types and TensorProto payloads (raw_data or the
// typed repeated fields) into DenseElementsAttr, checking every size first
// so that a malformed weight is an error, never an out-of-bounds read.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace kiln::onnx_import {

Type convertONNXElementType(MLIRContext *ctx, int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT:
    return Float32Type::get(ctx);
  case onnx::TensorProto::DOUBLE:
    return Float64Type::get(ctx);
  case onnx::TensorProto::FLOAT16:
    return Float16Type::get(ctx);
  case onnx::TensorProto::BFLOAT16:
    return BFloat16Type::get(ctx);
  case kOnnxFloat8E4M3FN:
    return Float8E4M3FNType::get(ctx);
  case kOnnxFloat8E4M3FNUZ:
    return Float8E4M3FNUZType::get(ctx);
  case kOnnxFloat8E5M2:
    return Float8E5M2Type::get(ctx);
  case kOnnxFloat8E5M2FNUZ:
    return Float8E5M2FNUZType::get(ctx);
  // Unsigned types are signless too; the importer tracks which values are
  // unsigned and picks unsigned semantics where they differ (see
  // ImportContext.h).
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return IntegerType::get(ctx, 8);
  case onnx::TensorProto::UINT16:
    return IntegerType::get(ctx, 16);
  case onnx::TensorProto::UINT32:
    return IntegerType::get(ctx, 32);
  case onnx::TensorProto::UINT64:
    return IntegerType::get(ctx, 64);
  case onnx::TensorProto::INT16:
    return IntegerType::get(ctx, 16);
  case onnx::TensorProto::INT32:
    return IntegerType::get(ctx, 32);
  case onnx::TensorProto::INT64:
    return IntegerType::get(ctx, 64);
  case onnx::TensorProto::BOOL:
    return IntegerType::get(ctx, 1);
  default:
    return nullptr;
  }
}

/// An ONNX element type as --shape spells it (MLIR's names, u for
/// unsigned).
std::string onnxElementTypeName(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto::FLOAT16:
    return "f16";
  case onnx::TensorProto::BFLOAT16:
    return "bf16";
  case kOnnxFloat8E4M3FN:
    return "f8E4M3FN";
  case kOnnxFloat8E4M3FNUZ:
    return "f8E4M3FNUZ";
  case kOnnxFloat8E5M2:
    return "f8E5M2";
  case kOnnxFloat8E5M2FNUZ:
    return "f8E5M2FNUZ";
  case onnx::TensorProto::FLOAT:
    return "f32";
  case onnx::TensorProto::DOUBLE:
    return "f64";
  case onnx::TensorProto::BOOL:
    return "i1";
  case onnx::TensorProto::INT8:
    return "i8";
  case onnx::TensorProto::INT16:
    return "i16";
  case onnx::TensorProto::INT32:
    return "i32";
  case onnx::TensorProto::INT64:
    return "i64";
  case onnx::TensorProto::UINT8:
    return "u8";
  case onnx::TensorProto::UINT16:
    return "u16";
  case onnx::TensorProto::UINT32:
    return "u32";
  case onnx::TensorProto::UINT64:
    return "u64";
  default: {
    std::string name = onnx::TensorProto::DataType_Name((onnx::TensorProto::DataType)dataType);
    return name.empty() ? "data type " + std::to_string(dataType) : name;
  }
  }
}

bool isUnsignedONNXElementType(int32_t dataType) {
  return dataType == onnx::TensorProto::UINT8 || dataType == onnx::TensorProto::UINT16 ||
         dataType == onnx::TensorProto::UINT32 || dataType == onnx::TensorProto::UINT64;
}

FailureOr<DenseElementsAttr> convertTensorProto(MLIRContext *ctx, const onnx::TensorProto &tensor,
                                                llvm::function_ref<void(const Twine &)> error) {
  Type elementType = convertONNXElementType(ctx, tensor.data_type());
  if (!elementType) {
    error("unsupported element type " + onnxElementTypeName(tensor.data_type()));
    return failure();
  }
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL) {
    error("weights stored as external data are not supported yet");
    return failure();
  }
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t d : tensor.dims()) {
    if (d < 0 || (d > 0 && count > (int64_t(1) << 40) / d)) {
      error("invalid or enormous dimension " + Twine(d));
      return failure();
    }
    shape.push_back(d);
    count *= d;
  }
  auto type = RankedTensorType::get(shape, elementType);
  unsigned bits = elementType.getIntOrFloatBitWidth();
  size_t bytes = bits == 1 ? 1 : bits / 8;

  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (raw.size() != (size_t)count * bytes) {
      error("raw_data holds " + Twine(raw.size()) + " bytes, the shape needs " +
            Twine(count * bytes));
      return failure();
    }
    if (bits == 1) {
      SmallVector<bool> values;
      for (char c : raw)
        values.push_back(c != 0);
      return DenseElementsAttr::get(type, ArrayRef<bool>(values));
    }
    return DenseElementsAttr::getFromRawBuffer(type, ArrayRef<char>(raw.data(), raw.size()));
  }

  auto checkCount = [&](int64_t have) -> LogicalResult {
    if (have == count)
      return success();
    error("holds " + Twine(have) + " values, the shape needs " + Twine(count));
    return failure();
  };
  switch (tensor.data_type()) {
  case onnx::TensorProto::FLOAT: {
    if (failed(checkCount(tensor.float_data_size())))
      return failure();
    SmallVector<float> v(tensor.float_data().begin(), tensor.float_data().end());
    return DenseElementsAttr::get(type, ArrayRef<float>(v));
  }
  case onnx::TensorProto::DOUBLE: {
    if (failed(checkCount(tensor.double_data_size())))
      return failure();
    SmallVector<double> v(tensor.double_data().begin(), tensor.double_data().end());
    return DenseElementsAttr::get(type, ArrayRef<double>(v));
  }
  case onnx::TensorProto::INT64: {
    if (failed(checkCount(tensor.int64_data_size())))
      return failure();
    SmallVector<int64_t> v(tensor.int64_data().begin(), tensor.int64_data().end());
    return DenseElementsAttr::get(type, ArrayRef<int64_t>(v));
  }
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::UINT64: {
    if (failed(checkCount(tensor.uint64_data_size())))
      return failure();
    SmallVector<APInt> v;
    for (uint64_t value : tensor.uint64_data())
      v.emplace_back(bits, value, /*isSigned=*/false, /*implicitTrunc=*/true);
    return DenseElementsAttr::get(type, v);
  }
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16: {
    // int32_data carries the 16-bit patterns.
    if (failed(checkCount(tensor.int32_data_size())))
      return failure();
    const llvm::fltSemantics &semantics =
        tensor.data_type() == onnx::TensorProto::FLOAT16 ? APFloat::IEEEhalf() : APFloat::BFloat();
    SmallVector<APFloat> v;
    for (int32_t bitsValue : tensor.int32_data())
      v.emplace_back(semantics, APInt(16, (uint16_t)bitsValue));
    return DenseElementsAttr::get(type, v);
  }
  case kOnnxFloat8E4M3FN:
  case kOnnxFloat8E4M3FNUZ:
  case kOnnxFloat8E5M2:
  case kOnnxFloat8E5M2FNUZ: {
    // int32_data carries the 8-bit patterns.
    if (failed(checkCount(tensor.int32_data_size())))
      return failure();
    const llvm::fltSemantics &semantics = cast<FloatType>(elementType).getFloatSemantics();
    SmallVector<APFloat> v;
    for (int32_t bitsValue : tensor.int32_data())
      v.emplace_back(semantics, APInt(8, (uint8_t)bitsValue));
    return DenseElementsAttr::get(type, v);
  }
  default: {
    // INT32, INT16, INT8, UINT16, UINT8 and BOOL travel in int32_data.
    if (failed(checkCount(tensor.int32_data_size())))
      return failure();
    SmallVector<APInt> v;
    for (int32_t value : tensor.int32_data())
      v.emplace_back(bits, (uint64_t)(int64_t)value, /*isSigned=*/true,
                     /*implicitTrunc=*/true);
    return DenseElementsAttr::get(type, v);
  }
  }
}

} // namespace kiln::onnx_import
