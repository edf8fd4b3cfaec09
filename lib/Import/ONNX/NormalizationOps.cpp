//===- NormalizationOps.cpp - ONNX normalizations to kiln -------*- C++ -*-===//
//
// InstanceNormalization, LRN, MeanVarianceNormalization,
// GroupNormalization (opsets 18 and 21) and RMSNormalization (23), written
// with reductions and elementwise ops (BatchNormalization and
// LayerNormalization live in NNOps.cpp).
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// (x - mean) / sqrt(var + eps) over `axes`, the statistics kept as size 1.
Value standardize(NodeImporter &n, Value x, ArrayRef<int64_t> axes, double epsilon) {
  Type elt = cast<RankedTensorType>(x.getType()).getElementType();
  auto axesAttr = n.builder.getDenseI64ArrayAttr(axes);
  auto keep = n.builder.getBoolAttr(true);
  Value centered = n.create<SubOp>(x, n.create<ReduceMeanOp>(x, axesAttr, keep));
  Value var = n.create<ReduceMeanOp>(n.create<MulOp>(centered, centered), axesAttr, keep);
  Value denom = n.create<SqrtOp>(n.create<AddOp>(var, n.scalarConstant(elt, epsilon)));
  return n.create<DivOp>(centered, denom);
}

/// Per-channel [C] parameters as [C, 1, ...] against an N x C x ... input.
Value perChannel(NodeImporter &n, Value v, int64_t rank) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = type.getNumElements();
  return n.reshape(v, shape);
}

LogicalResult importInstanceNorm(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return n.unsupported("InstanceNormalization on integers");
  if (type.getRank() < 3)
    return n.error("InstanceNormalization needs N x C x D1 x ... input");
  int64_t c = type.getDimSize(1);
  if (n.inputType(1).getNumElements() != c || n.inputType(2).getNumElements() != c)
    return n.error("scale and B must have one value per channel");
  auto axes = llvm::to_vector(llvm::seq<int64_t>(2, type.getRank()));
  Value y = standardize(n, n.input(0), axes, n.floatAttr("epsilon", 1e-5f));
  y = n.create<MulOp>(y, perChannel(n, n.input(1), type.getRank()));
  n.setResult(0, n.create<AddOp>(y, perChannel(n, n.input(2), type.getRank())));
  return success();
}

/// The type statistics are computed in: float32 for narrower floats when
/// stash_type is 1 (float32, the default), else the input's own.
Type stashType(NodeImporter &n, Type elt) {
  if (n.intAttr("stash_type", 1) == 1 && elt.getIntOrFloatBitWidth() < 32)
    return n.builder.getF32Type();
  return elt;
}

/// GroupNormalization: the channels in num_groups groups, each group of
/// each sample standardized; then a per-channel scale and bias (opset 21),
/// or one per group (opset 18).
LogicalResult importGroupNorm(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (!isa<FloatType>(elt))
    return n.unsupported("GroupNormalization on integers");
  if (type.getRank() < 3)
    return n.error("GroupNormalization needs N x C x D1 x ... input");
  const onnx::AttributeProto *groupsAttr = n.attr("num_groups");
  if (!groupsAttr)
    return n.error("GroupNormalization needs the num_groups attribute");
  int64_t groups = groupsAttr->i();
  int64_t c = type.getDimSize(1);
  if (groups <= 0 || c % groups)
    return n.error("num_groups " + Twine(groups) + " does not divide the " + Twine(c) +
                   " channels");
  int64_t params = n.getOpset() >= 21 ? c : groups;
  if (n.inputType(1).getNumElements() != params || n.inputType(2).getNumElements() != params)
    return n.error("scale and bias must have " + Twine(params) + " values (one per " +
                   (n.getOpset() >= 21 ? "channel" : "group") + " at opset " + Twine(n.getOpset()) +
                   ")");
  Type stash = stashType(n, elt);
  Value x = n.input(0);
  if (stash != elt)
    x = n.create<CastOp>(RankedTensorType::get(type.getShape(), stash), x);
  int64_t batch = type.getDimSize(0);
  int64_t perGroup = type.getNumElements() / (batch * groups);
  Value grouped = n.reshape(x, {batch, groups, perGroup});
  Value y = standardize(n, grouped, {2}, n.floatAttr("epsilon", 1e-5f));
  y = n.reshape(y, type.getShape());
  if (stash != elt)
    y = n.create<CastOp>(type, y);
  auto param = [&](unsigned i) {
    Value v = n.reshape(n.input(i), {params});
    if (params != c) {
      SmallVector<int64_t> groupOf;
      for (int64_t ch = 0; ch < c; ++ch)
        groupOf.push_back(ch / (c / groups));
      v = n.create<GatherOp>(v, n.intConstant(groupOf, {c}), n.builder.getI64IntegerAttr(0));
    }
    return perChannel(n, v, type.getRank());
  };
  y = n.create<MulOp>(y, param(1));
  n.setResult(0, n.create<AddOp>(y, param(2)));
  return success();
}

/// RMSNormalization: x / sqrt(mean(x^2 over axes [axis, rank)) + epsilon)
/// * scale.
LogicalResult importRMSNorm(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (!isa<FloatType>(elt))
    return n.unsupported("RMSNormalization on integers");
  auto axis = n.normalizeAxis(n.intAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  if (failed(n.requireBroadcastable(0, 1)) || failed(n.requireSameElementType(0, 1)))
    return failure();
  Type stash = stashType(n, elt);
  Value x = n.input(0);
  if (stash != elt)
    x = n.create<CastOp>(RankedTensorType::get(type.getShape(), stash), x);
  auto axes = llvm::to_vector(llvm::seq<int64_t>(*axis, type.getRank()));
  Value meanSquare = n.create<ReduceMeanOp>(
      n.create<MulOp>(x, x), n.builder.getDenseI64ArrayAttr(axes), n.builder.getBoolAttr(true));
  Value rms = n.create<SqrtOp>(
      n.create<AddOp>(meanSquare, n.scalarConstant(stash, n.floatAttr("epsilon", 1e-5f))));
  Value y = n.create<DivOp>(x, rms);
  if (stash != elt)
    y = n.create<CastOp>(type, y);
  n.setResult(0, n.create<MulOp>(y, n.input(1)));
  return success();
}

/// y = x / (bias + alpha / size * sum of x^2 over a window of channels)^beta
LogicalResult importLRN(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (!isa<FloatType>(elt))
    return n.unsupported("LRN on integers");
  if (type.getRank() < 3)
    return n.error("LRN needs N x C x D1 x ... input");
  int64_t size = n.intAttr("size", 0);
  if (size <= 0)
    return n.error("LRN size must be positive");
  double alpha = n.floatAttr("alpha", 1e-4f), beta = n.floatAttr("beta", 0.75f),
         bias = n.floatAttr("bias", 1.0f);
  int64_t rank = type.getRank(), channels = type.getDimSize(1);
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  Value x = n.input(0);
  Value squares = n.create<MulOp>(x, x);
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  low[1] = before;
  high[1] = after;
  Value padded =
      n.create<PadOp>(squares, n.builder.getDenseI64ArrayAttr(low),
                      n.builder.getDenseI64ArrayAttr(high), n.builder.getF64FloatAttr(0.0));
  Value sum;
  SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape()), strides(rank, 1);
  sizes[1] = channels;
  for (int64_t k = 0; k < size; ++k) {
    offsets[1] = k;
    Value window = n.create<SliceOp>(padded, n.builder.getDenseI64ArrayAttr(offsets),
                                     n.builder.getDenseI64ArrayAttr(sizes),
                                     n.builder.getDenseI64ArrayAttr(strides));
    sum = sum ? n.create<AddOp>(sum, window) : window;
  }
  Value scaled = n.create<AddOp>(n.create<MulOp>(sum, n.scalarConstant(elt, alpha / size)),
                                 n.scalarConstant(elt, bias));
  n.setResult(0, n.create<DivOp>(x, n.create<PowOp>(scaled, n.scalarConstant(elt, beta))));
  return success();
}

/// (x - mean) / (sqrt(var) + 1e-9) over `axes` (default N, H, W).
LogicalResult importMeanVarianceNorm(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (!isa<FloatType>(elt))
    return n.unsupported("MeanVarianceNormalization on integers");
  SmallVector<int64_t> axes = n.intsAttr("axes", {0, 2, 3});
  for (int64_t &a : axes) {
    auto axis = n.normalizeAxis(a, type.getRank());
    if (failed(axis))
      return failure();
    a = *axis;
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  auto axesAttr = n.builder.getDenseI64ArrayAttr(axes);
  auto keep = n.builder.getBoolAttr(true);
  Value x = n.input(0);
  Value centered = n.create<SubOp>(x, n.create<ReduceMeanOp>(x, axesAttr, keep));
  Value var = n.create<ReduceMeanOp>(n.create<MulOp>(centered, centered), axesAttr, keep);
  Value denom = n.create<AddOp>(n.create<SqrtOp>(var), n.scalarConstant(elt, 1e-9));
  n.setResult(0, n.create<DivOp>(centered, denom));
  return success();
}

} // namespace

void registerNormalizationOps(OpRegistry &r) {
  r["InstanceNormalization"] = importInstanceNorm;
  r["LRN"] = importLRN;
  r["MeanVarianceNormalization"] = importMeanVarianceNorm;
  r["GroupNormalization"] = importGroupNorm;
  r["RMSNormalization"] = importRMSNorm;
}

} // namespace kiln::onnx_import
