//===- Decompositions.cpp - Composite ops, decomposed once ------*- C++ -*-===//
//
// Both importers' hard-sigmoid, hard-swish, SiLU, GELU, batch-norm and
// layer-norm, in core kiln ops.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/Decompositions.h"

#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

Type elementTypeOf(Value v) { return cast<RankedTensorType>(v.getType()).getElementType(); }

/// A per-channel parameter of shape [C] as [C, 1, ..., 1] for an input of
/// `rank`, so that it broadcasts along dimension 1.
Value channelParam(CheckedBuilder &b, Value v, int64_t rank) {
  int64_t c = cast<RankedTensorType>(v.getType()).getNumElements();
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = c;
  return b.reshape(v, shape);
}

/// The values of an f32 constant, or nullopt.
std::optional<SmallVector<float>> constantFloats(Value v) {
  DenseElementsAttr attr;
  if (!v || !matchPattern(v, m_Constant(&attr)) || !attr.getElementType().isF32())
    return std::nullopt;
  return llvm::to_vector(attr.getValues<float>());
}

/// Batch-norm's a and c computed at compile time, when every parameter is
/// an f32 constant (a null scale or bias counts as one of 1s or 0s).
FailureOr<std::optional<std::pair<Value, Value>>> foldBatchNormParams(CheckedBuilder &b,
                                                                      int64_t channels, Value scale,
                                                                      Value bias, Value mean,
                                                                      Value var, double eps) {
  auto m = constantFloats(mean), v = constantFloats(var);
  auto s = scale ? constantFloats(scale) : SmallVector<float>(channels, 1.0f);
  auto bi = bias ? constantFloats(bias) : SmallVector<float>(channels, 0.0f);
  if (!m || !v || !s || !bi)
    return std::optional<std::pair<Value, Value>>();
  size_t c = s->size();
  if (bi->size() != c || m->size() != c || v->size() != c || (int64_t)c != channels)
    return b.error("BatchNormalization parameters do not match the channel count");
  SmallVector<float> av(c), cv(c);
  for (size_t i = 0; i < c; ++i) {
    av[i] = (float)((*s)[i] / std::sqrt((double)(*v)[i] + eps));
    cv[i] = (float)((*bi)[i] - (double)(*m)[i] * av[i]);
  }
  auto type = RankedTensorType::get({(int64_t)c}, b.builder.getF32Type());
  Value a = ConstantOp::create(b.builder, b.loc, DenseElementsAttr::get(type, ArrayRef<float>(av)));
  Value shift =
      ConstantOp::create(b.builder, b.loc, DenseElementsAttr::get(type, ArrayRef<float>(cv)));
  return std::optional<std::pair<Value, Value>>(std::make_pair(a, shift));
}

} // namespace

Value buildHardSigmoid(CheckedBuilder &b, Value x, double alpha, double beta) {
  Type elt = elementTypeOf(x);
  Value scaled = b.create<MulOp>(x, b.scalarConstant(elt, alpha));
  Value shifted = b.create<AddOp>(scaled, b.scalarConstant(elt, beta));
  return b.create<ClampOp>(shifted, b.builder.getF64FloatAttr(0.0), b.builder.getF64FloatAttr(1.0));
}

Value buildHardSwish(CheckedBuilder &b, Value x) {
  return b.create<MulOp>(x, buildHardSigmoid(b, x, 1.0 / 6.0, 0.5));
}

Value buildSilu(CheckedBuilder &b, Value x) { return b.create<MulOp>(x, b.create<SigmoidOp>(x)); }

FailureOr<Value> buildGelu(CheckedBuilder &b, Value x, StringRef approximate) {
  Type elt = elementTypeOf(x);
  Value inner;
  if (approximate == "tanh") {
    Value cube = b.create<MulOp>(b.create<MulOp>(x, x), x);
    Value arg =
        b.create<MulOp>(b.create<AddOp>(x, b.create<MulOp>(cube, b.scalarConstant(elt, 0.044715))),
                        b.scalarConstant(elt, std::sqrt(2.0 / M_PI)));
    inner = b.create<TanhOp>(arg);
  } else if (approximate == "none") {
    inner = b.create<ErfOp>(b.create<MulOp>(x, b.scalarConstant(elt, M_SQRT1_2)));
  } else {
    return b.unsupported("gelu approximate='" + approximate + "'");
  }
  Value half = b.create<MulOp>(x, b.scalarConstant(elt, 0.5));
  return b.create<MulOp>(half, b.create<AddOp>(inner, b.scalarConstant(elt, 1.0)));
}

FailureOr<Value> buildBatchNormInference(CheckedBuilder &b, Value x, Value scale, Value bias,
                                         Value mean, Value var, double eps) {
  auto xType = cast<RankedTensorType>(x.getType());
  if (xType.getRank() < 2)
    return b.error("BatchNormalization needs an input of rank >= 2");
  Type elt = xType.getElementType();
  int64_t rank = xType.getRank();
  FailureOr<std::optional<std::pair<Value, Value>>> folded;
  if (elt.isF32())
    folded = foldBatchNormParams(b, xType.getDimSize(1), scale, bias, mean, var, eps);
  if (failed(folded))
    return failure();
  Value a, shift;
  if (*folded) {
    std::tie(a, shift) = **folded;
  } else {
    Value denom = b.create<SqrtOp>(b.create<AddOp>(var, b.scalarConstant(elt, eps)));
    a = scale ? b.create<DivOp>(scale, denom) : b.create<ReciprocalOp>(denom);
    Value meanA = b.create<MulOp>(mean, a);
    shift = bias ? b.create<SubOp>(bias, meanA) : b.create<NegOp>(meanA);
  }
  Value y = b.create<MulOp>(x, channelParam(b, a, rank));
  return b.create<AddOp>(y, channelParam(b, shift, rank));
}

LayerNormValues buildLayerNorm(CheckedBuilder &b, Value x, int64_t firstAxis, Value scale,
                               Value bias, double eps) {
  int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
  Type elt = elementTypeOf(x);
  auto axes = b.builder.getDenseI64ArrayAttr(llvm::to_vector(llvm::seq<int64_t>(firstAxis, rank)));
  auto keep = b.builder.getBoolAttr(true);
  LayerNormValues result;
  result.mean = b.create<ReduceMeanOp>(x, axes, keep);
  Value centered = b.create<SubOp>(x, result.mean);
  Value var = b.create<ReduceMeanOp>(b.create<MulOp>(centered, centered), axes, keep);
  Value denom = b.create<SqrtOp>(b.create<AddOp>(var, b.scalarConstant(elt, eps)));
  result.y = b.create<DivOp>(centered, denom);
  if (scale)
    result.y = b.create<MulOp>(result.y, scale);
  if (bias)
    result.y = b.create<AddOp>(result.y, bias);
  result.invStdDev = b.create<ReciprocalOp>(denom);
  return result;
}

Value buildFlooredRemainder(CheckedBuilder &b, Value a, Value divisor) {
  Type elt = elementTypeOf(a);
  Value r = b.create<RemOp>(a, divisor);
  Value zero = b.scalarConstant(elt, 0.0);
  Value nonZero =
      b.create<XorOp>(b.create<EqualOp>(r, zero), b.scalarConstant(b.builder.getI1Type(), 1));
  Value signsDiffer = b.create<XorOp>(b.create<LessOp>(r, zero), b.create<LessOp>(divisor, zero));
  return b.create<SelectOp>(b.create<AndOp>(signsDiffer, nonZero), b.create<AddOp>(r, divisor), r);
}

} // namespace kiln
