//===- QuantizationOps.cpp - ONNX quantized ops to kiln ---------*- C++ -*-===//
//
// QuantizeLinear, DequantizeLinear (per tensor, per axis, and from opset 21
// per block along the axis),
// DynamicQuantizeLinear, MatMulInteger, ConvInteger, QLinearMatMul and
// QLinearConv. Integer products accumulate in f64, which holds every
// int8/uint8 dot product exactly (int32 accumulation as ONNX defines it,
// with no overflow short of 2^53); requantization follows ONNX's reference:
// y = saturate(round_half_even(x / scale) + zero_point).
//
// QuantizeLinear and DequantizeLinear with constant f32 scales and int8
// storage (int32 too, for DequantizeLinear's biases) become kiln.quantize
// and kiln.dequantize, which kiln-fuse-quantized-ops turns into integer
// kernels; other forms (uint8, run-time scales) are float arithmetic.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

Type f32(NodeImporter &n) { return n.builder.getF32Type(); }
Type f64(NodeImporter &n) { return n.builder.getF64Type(); }

/// Input `i` as floats of type `to` (zero-extending unsigned integers).
Value asFloat(NodeImporter &n, unsigned i, Type to) {
  return n.convert(n.input(i), n.inputIsUnsigned(i), to, false);
}

/// A per-axis parameter ([C]) reshaped to broadcast along `axis` of a
/// rank-`rank` tensor; scalars stay as they are.
Value alongAxis(NodeImporter &n, Value v, int64_t axis, int64_t rank) {
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getRank() == 0 || type.getNumElements() == 1)
    return n.reshape(v, {});
  SmallVector<int64_t> shape(rank, 1);
  shape[axis] = type.getNumElements();
  return n.reshape(v, shape);
}

/// The node's `axis` for a per-axis scale (input `scale`); per-tensor
/// scales ignore it.
FailureOr<int64_t> quantAxis(NodeImporter &n, unsigned scale, int64_t rank) {
  if (n.inputType(scale).getNumElements() <= 1)
    return 0;
  return n.normalizeAxis(n.intAttr("axis", 1), rank);
}

/// saturate(round(x) + zero_point) into the integer type `to`.
Value requantize(NodeImporter &n, Value x, Value zeroPoint, Type to, bool toUnsigned) {
  Type elt = cast<RankedTensorType>(x.getType()).getElementType();
  Value y = n.create<RoundOp>(x);
  if (zeroPoint)
    y = n.create<AddOp>(y, zeroPoint);
  unsigned bits = to.getIntOrFloatBitWidth();
  double lo = toUnsigned ? 0 : -std::ldexp(1.0, bits - 1);
  double hi = toUnsigned ? std::ldexp(1.0, bits) - 1 : std::ldexp(1.0, bits - 1) - 1;
  (void)elt;
  y = n.create<ClampOp>(y, n.builder.getF64FloatAttr(lo), n.builder.getF64FloatAttr(hi));
  return n.convert(y, false, to, toUnsigned);
}

/// The constant scales and zero points of a Q/DQ node whose storage is
/// signed int8 (or int32 for `allowI32`), or nullopt where the node needs
/// the float form.
struct QuantParams {
  SmallVector<float> scale;
  SmallVector<int64_t> zeroPoint;
};
std::optional<QuantParams> constantQuantParams(NodeImporter &n, Type storage, bool storageUnsigned,
                                               bool allowI32) {
  if (storageUnsigned || !(storage.isInteger(8) || (allowI32 && storage.isInteger(32))))
    return std::nullopt;
  auto scale = n.constantInput(1);
  if (!scale || !scale->getElementType().isF32())
    return std::nullopt;
  QuantParams p;
  for (float v : scale->getValues<float>())
    p.scale.push_back(v);
  if (n.hasInput(2)) {
    auto zp = n.constantInts(2);
    if (!zp || zp->size() != p.scale.size())
      return std::nullopt;
    p.zeroPoint = *zp;
  } else {
    p.zeroPoint.assign(p.scale.size(), 0);
  }
  if (llvm::any_of(p.scale, [](float s) { return !(s > 0) || !std::isfinite(s); }))
    return std::nullopt;
  return p;
}

/// Opset 21's block quantization: scale and zero point have the input's
/// rank, with ceil(d / block_size) values along `axis`, one per block of
/// block_size elements. Returns input `i` gathered to one value per input
/// element along the axis, or null with the node's error reported.
FailureOr<Value> blockParameter(NodeImporter &n, unsigned i, Value v, int64_t axis, int64_t block) {
  RankedTensorType x = n.inputType(0), p = n.inputType(i);
  if (p.getRank() != x.getRank())
    return n.error("a block-quantization parameter must have the input's rank, not " +
                   n.describeInput(i));
  int64_t d = x.getDimSize(axis);
  for (int64_t k = 0; k < x.getRank(); ++k) {
    int64_t want = k == axis ? (d + block - 1) / block : x.getDimSize(k);
    if (p.getDimSize(k) != want)
      return n.error("block-quantization parameter " + n.describeInput(i) + " needs " +
                     Twine(want) + " values along axis " + Twine(k));
  }
  SmallVector<int64_t> blockOf;
  for (int64_t e = 0; e < d; ++e)
    blockOf.push_back(e / block);
  return n.create<GatherOp>(v, n.intConstant(blockOf, {d}), n.builder.getI64IntegerAttr(axis));
}

/// block_size (opset 21+), or 0; negative values are refused.
FailureOr<int64_t> blockSize(NodeImporter &n) {
  int64_t block = n.getOpset() >= 21 ? n.intAttr("block_size", 0) : 0;
  if (block < 0)
    return n.error("block_size " + Twine(block) + " is negative");
  return block;
}

LogicalResult importDequantize(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  auto block = blockSize(n);
  if (failed(block))
    return failure();
  // From opset 19 the scale may be float16 (the output's type).
  Type outElt = n.inputType(1).getElementType();
  if (n.getOpset() >= 23 && n.intAttr("output_dtype", 0)) {
    outElt = convertONNXElementType(n.builder.getContext(), (int32_t)n.intAttr("output_dtype", 0));
    if (!outElt || !isa<FloatType>(outElt))
      return n.error("output_dtype must be a float type");
  }
  if (*block) {
    auto axis = n.normalizeAxis(n.intAttr("axis", 1), type.getRank());
    if (failed(axis))
      return failure();
    auto scale = blockParameter(n, 1, asFloat(n, 1, f32(n)), *axis, *block);
    if (failed(scale))
      return failure();
    Value x = asFloat(n, 0, f32(n));
    if (n.hasInput(2)) {
      auto zp = blockParameter(n, 2, asFloat(n, 2, f32(n)), *axis, *block);
      if (failed(zp))
        return failure();
      x = n.create<SubOp>(x, *zp);
    }
    Value y = n.create<MulOp>(x, *scale);
    n.setResult(0, outElt.isF32() ? y : n.convert(y, false, outElt, false));
    return success();
  }
  auto axis = quantAxis(n, 1, type.getRank());
  if (failed(axis))
    return failure();
  if (!outElt.isF32()) {
    Value x = asFloat(n, 0, f32(n));
    if (n.hasInput(2))
      x = n.create<SubOp>(x, alongAxis(n, asFloat(n, 2, f32(n)), *axis, type.getRank()));
    Value y = n.create<MulOp>(x, alongAxis(n, asFloat(n, 1, f32(n)), *axis, type.getRank()));
    n.setResult(0, n.convert(y, false, outElt, false));
    return success();
  }
  if (auto p = constantQuantParams(n, type.getElementType(), n.inputIsUnsigned(0), true)) {
    auto result = RankedTensorType::get(type.getShape(), f32(n));
    n.setResult(0, n.create<DequantizeOp>(result, n.input(0), p->scale, p->zeroPoint, *axis));
    return success();
  }
  Value x = asFloat(n, 0, f32(n));
  if (n.hasInput(2))
    x = n.create<SubOp>(x, alongAxis(n, asFloat(n, 2, f32(n)), *axis, type.getRank()));
  n.setResult(0, n.create<MulOp>(x, alongAxis(n, n.input(1), *axis, type.getRank())));
  return success();
}

LogicalResult importQuantize(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (!type.getElementType().isF32())
    return n.unsupported("QuantizeLinear of non-f32 input");
  auto block = blockSize(n);
  if (failed(block))
    return failure();
  Type to = n.hasInput(2) ? n.inputType(2).getElementType() : n.builder.getI8Type();
  bool toUnsigned = n.hasInput(2) ? n.inputIsUnsigned(2) : true; // default uint8
  if (int64_t dtype = n.getOpset() >= 21 ? n.intAttr("output_dtype", 0) : 0;
      dtype && !n.hasInput(2)) {
    to = convertONNXElementType(n.builder.getContext(), (int32_t)dtype);
    toUnsigned = isUnsignedONNXElementType((int32_t)dtype);
    if (!to || !isa<IntegerType>(to) || to.isInteger(1))
      return n.unsupported("QuantizeLinear to output_dtype " + Twine(dtype));
  }
  if (*block) {
    auto axis = n.normalizeAxis(n.intAttr("axis", 1), type.getRank());
    if (failed(axis))
      return failure();
    auto scale = blockParameter(n, 1, n.input(1), *axis, *block);
    if (failed(scale))
      return failure();
    Value zp;
    if (n.hasInput(2)) {
      auto z = blockParameter(n, 2, asFloat(n, 2, f32(n)), *axis, *block);
      if (failed(z))
        return failure();
      zp = *z;
    }
    n.setResult(0, requantize(n, n.create<DivOp>(n.input(0), *scale), zp, to, toUnsigned));
    return success();
  }
  auto axis = quantAxis(n, 1, type.getRank());
  if (failed(axis))
    return failure();
  if (n.hasInput(2))
    if (auto p = constantQuantParams(n, to, toUnsigned, false)) {
      auto result = RankedTensorType::get(type.getShape(), to);
      n.setResult(0, n.create<QuantizeOp>(result, n.input(0), p->scale, p->zeroPoint, *axis));
      return success();
    }
  Value scaled = n.create<DivOp>(n.input(0), alongAxis(n, n.input(1), *axis, type.getRank()));
  Value zp = n.hasInput(2) ? alongAxis(n, asFloat(n, 2, f32(n)), *axis, type.getRank()) : Value();
  // Rounding happens before the zero point is added.
  n.setResult(0, requantize(n, scaled, zp, to, toUnsigned));
  return success();
}

LogicalResult importDynamicQuantize(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (!type.getElementType().isF32())
    return n.unsupported("DynamicQuantizeLinear of non-f32 input");
  auto all = n.builder.getDenseI64ArrayAttr(llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())));
  auto noKeep = n.builder.getBoolAttr(false);
  Value zero = n.scalarConstant(f32(n), 0.0);
  Value hi = n.create<MaxOp>(n.create<ReduceMaxOp>(n.input(0), all, noKeep), zero);
  Value lo = n.create<MinOp>(n.create<ReduceMinOp>(n.input(0), all, noKeep), zero);
  Value scale = n.create<DivOp>(n.create<SubOp>(hi, lo), n.scalarConstant(f32(n), 255.0));
  Type u8 = n.builder.getI8Type();
  Value zp = requantize(n, n.create<DivOp>(n.create<NegOp>(lo), scale), Value(), u8, true);
  Value zpFloat = n.convert(zp, true, f32(n), false);
  n.setResult(0, requantize(n, n.create<DivOp>(n.input(0), scale), zpFloat, u8, true));
  n.setResult(1, scale);
  n.setResult(2, zp);
  return success();
}

/// (input i - zero point j) as f64; a per-axis zero point lies along `axis`.
Value centered(NodeImporter &n, unsigned i, unsigned zp, int64_t axis) {
  Value v = asFloat(n, i, f64(n));
  if (!n.hasInput(zp))
    return v;
  int64_t rank = n.inputType(i).getRank();
  Value z = asFloat(n, zp, f64(n));
  return n.create<SubOp>(v, alongAxis(n, z, std::max<int64_t>(axis, 0), rank));
}

/// Matmul with NumPy's rank-1 promotion.
Value matmul(NodeImporter &n, Value a, Value b) {
  auto as = cast<RankedTensorType>(a.getType()).getShape();
  auto bs = cast<RankedTensorType>(b.getType()).getShape();
  bool aVec = as.size() == 1, bVec = bs.size() == 1;
  if (aVec)
    a = n.reshape(a, {1, as[0]});
  if (bVec)
    b = n.reshape(b, {bs[0], 1});
  Value y = n.create<MatmulOp>(a, b);
  auto ys = llvm::to_vector(cast<RankedTensorType>(y.getType()).getShape());
  if (aVec)
    ys.erase(ys.end() - 2);
  if (bVec)
    ys.pop_back();
  return n.reshape(y, ys);
}

LogicalResult importMatMulInteger(NodeImporter &n) {
  // A's zero point may be per row, B's per column.
  Value a = centered(n, 0, 2, std::max<int64_t>(n.inputType(0).getRank() - 2, 0));
  Value b = centered(n, 1, 3, n.inputType(1).getRank() - 1);
  Value acc = matmul(n, a, b);
  n.setResult(0, n.convert(acc, false, n.builder.getI32Type(), false));
  return success();
}

LogicalResult importConvInteger(NodeImporter &n) {
  Value x = centered(n, 0, 2, 1), w = centered(n, 1, 3, 0);
  auto acc = buildConvolution(n, x, w, Value());
  if (failed(acc))
    return failure();
  n.setResult(0, n.convert(*acc, false, n.builder.getI32Type(), false));
  return success();
}

LogicalResult importQLinearMatMul(NodeImporter &n) {
  // a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp
  Value a = centered(n, 0, 2, std::max<int64_t>(n.inputType(0).getRank() - 2, 0));
  Value b = centered(n, 3, 5, n.inputType(3).getRank() - 1);
  Value acc = n.convert(matmul(n, a, b), false, f32(n), false);
  int64_t rank = cast<RankedTensorType>(acc.getType()).getRank();
  Value bScale = alongAxis(n, n.input(4), rank - 1, rank);
  Value multiplier = n.create<DivOp>(n.create<MulOp>(n.reshape(n.input(1), {}), bScale),
                                     n.reshape(n.input(6), {}));
  Value zp = n.reshape(asFloat(n, 7, f32(n)), {});
  n.setResult(0, requantize(n, n.create<MulOp>(acc, multiplier), zp,
                            n.inputType(7).getElementType(), n.inputIsUnsigned(7)));
  return success();
}

LogicalResult importQLinearConv(NodeImporter &n) {
  // x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B
  Value x = centered(n, 0, 2, 1), w = centered(n, 3, 5, 0);
  Value bias;
  if (n.hasInput(8))
    bias = n.convert(n.input(8), false, f64(n), false);
  auto acc64 = buildConvolution(n, x, w, bias);
  if (failed(acc64))
    return failure();
  Value acc = n.convert(*acc64, false, f32(n), false);
  int64_t rank = cast<RankedTensorType>(acc.getType()).getRank();
  Value wScale = alongAxis(n, n.input(4), 1, rank);
  Value multiplier = n.create<DivOp>(n.create<MulOp>(n.reshape(n.input(1), {}), wScale),
                                     n.reshape(n.input(6), {}));
  Value zp = n.reshape(asFloat(n, 7, f32(n)), {});
  n.setResult(0, requantize(n, n.create<MulOp>(acc, multiplier), zp,
                            n.inputType(7).getElementType(), n.inputIsUnsigned(7)));
  return success();
}

} // namespace

void registerQuantizationOps(OpRegistry &r) {
  r["DequantizeLinear"] = importDequantize;
  r["QuantizeLinear"] = importQuantize;
  r["DynamicQuantizeLinear"] = importDynamicQuantize;
  r["MatMulInteger"] = importMatMulInteger;
  r["ConvInteger"] = importConvInteger;
  r["QLinearMatMul"] = importQLinearMatMul;
  r["QLinearConv"] = importQLinearConv;
}

} // namespace kiln::onnx_import
