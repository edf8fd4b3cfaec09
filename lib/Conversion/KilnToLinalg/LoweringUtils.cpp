//===- LoweringUtils.cpp - Shared helpers of the kiln-to-linalg lowering -*- C++ -*-===//
//
// Implements the builders declared in LoweringUtils.h.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

using namespace mlir;

namespace kiln::lowering {

Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType());
}

Value createFilled(OpBuilder &b, Location loc, RankedTensorType type, Value value) {
  Value empty = createEmpty(b, loc, type);
  return linalg::FillOp::create(b, loc, value, empty).getResult(0);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  return arith::ConstantOp::create(b, loc, b.getIntegerAttr(type, (int64_t)value));
}

Value lowestValue(OpBuilder &b, Location loc, Type type) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), true)));
  unsigned bits = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, bits == 1 ? APInt(1, 0) : APInt::getSignedMinValue(bits)));
}

Value highestValue(OpBuilder &b, Location loc, Type type) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(
        b, loc, b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), false)));
  unsigned bits = type.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, bits == 1 ? APInt(1, 1) : APInt::getSignedMaxValue(bits)));
}

AffineMap broadcastMap(MLIRContext *ctx, ArrayRef<int64_t> shape, ArrayRef<int64_t> result) {
  SmallVector<AffineExpr> exprs;
  size_t offset = result.size() - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1 && result[i + offset] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(i + offset, ctx));
  }
  return AffineMap::get(result.size(), 0, exprs, ctx);
}

Value createElementwise(OpBuilder &b, Location loc, RankedTensorType resultType, ValueRange inputs,
                        function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(
        broadcastMap(ctx, cast<RankedTensorType>(v.getType()).getShape(), resultType.getShape()));
  maps.push_back(AffineMap::getMultiDimIdentityMap(resultType.getRank(), ctx));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(), utils::IteratorType::parallel);
  Value init = createEmpty(b, loc, resultType);
  auto generic = linalg::GenericOp::create(b, loc, resultType, inputs, init, maps, iterators,
                                           [&](OpBuilder &nb, Location nloc, ValueRange args) {
                                             Value v = body(nb, nloc, args.drop_back());
                                             linalg::YieldOp::create(nb, nloc, v);
                                           });
  return generic.getResult(0);
}

Value createReshape(OpBuilder &b, Location loc, Value value, RankedTensorType type) {
  auto source = cast<RankedTensorType>(value.getType());
  if (source == type)
    return value;
  // Collapse to one dimension (or to a scalar), then expand to the target.
  Value flat = value;
  auto flatType = RankedTensorType::get({source.getNumElements()}, source.getElementType());
  if (source.getRank() == 0) {
    flat = tensor::ExpandShapeOp::create(b, loc, flatType, value, ArrayRef<ReassociationIndices>{});
  } else if (source.getRank() > 1) {
    ReassociationIndices all(llvm::seq<int64_t>(0, source.getRank()).begin(),
                             llvm::seq<int64_t>(0, source.getRank()).end());
    flat = tensor::CollapseShapeOp::create(b, loc, flatType, value,
                                           ArrayRef<ReassociationIndices>{all});
  }
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat, ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 1)
    return flat;
  ReassociationIndices all(llvm::seq<int64_t>(0, type.getRank()).begin(),
                           llvm::seq<int64_t>(0, type.getRank()).end());
  return tensor::ExpandShapeOp::create(b, loc, type, flat, ArrayRef<ReassociationIndices>{all});
}

Value createPad(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, Value padValue) {
  if (llvm::all_of(low, [](int64_t v) { return v == 0; }) &&
      llvm::all_of(high, [](int64_t v) { return v == 0; }))
    return value;
  auto source = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < source.getRank(); ++d)
    shape.push_back(source.getDimSize(d) + low[d] + high[d]);
  auto type = RankedTensorType::get(shape, source.getElementType());
  SmallVector<OpFoldResult> lowOfr, highOfr;
  for (int64_t v : low)
    lowOfr.push_back(b.getIndexAttr(v));
  for (int64_t v : high)
    highOfr.push_back(b.getIndexAttr(v));
  return tensor::PadOp::create(b, loc, type, value, lowOfr, highOfr, padValue);
}

Value createAdd(OpBuilder &b, Location loc, Value l, Value r) {
  if (isa<FloatType>(l.getType()))
    return arith::AddFOp::create(b, loc, l, r);
  return arith::AddIOp::create(b, loc, l, r);
}

Value createMul(OpBuilder &b, Location loc, Value l, Value r) {
  if (isa<FloatType>(l.getType()))
    return arith::MulFOp::create(b, loc, l, r);
  return arith::MulIOp::create(b, loc, l, r);
}

/// NaN-propagating float max/min from compares and selects: portable to
/// targets whose libm lacks fmaximumf/fminimumf, and vectorizable.
static Value selectFloat(OpBuilder &b, Location loc, arith::CmpFPredicate pred, Value l, Value r) {
  Value pick = arith::CmpFOp::create(b, loc, pred, l, r);
  Value result = arith::SelectOp::create(b, loc, pick, l, r);
  Value lIsNaN = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, l, l);
  return arith::SelectOp::create(b, loc, lIsNaN, l, result);
}

Value createMax(OpBuilder &b, Location loc, Value l, Value r) {
  if (isa<FloatType>(l.getType()))
    return selectFloat(b, loc, arith::CmpFPredicate::OGT, l, r);
  return arith::MaxSIOp::create(b, loc, l, r);
}

Value createMin(OpBuilder &b, Location loc, Value l, Value r) {
  if (isa<FloatType>(l.getType()))
    return selectFloat(b, loc, arith::CmpFPredicate::OLT, l, r);
  return arith::MinSIOp::create(b, loc, l, r);
}

Value createRoundHalfEven(OpBuilder &b, Location loc, Value x) {
  // Where x is exactly halfway, take 2 * round(x / 2).
  Type t = x.getType();
  Value r = math::RoundOp::create(b, loc, x);
  Value half = scalarConstant(b, loc, t, 0.5);
  Value diff = math::AbsFOp::create(b, loc, arith::SubFOp::create(b, loc, r, x));
  Value tie = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, diff, half);
  Value even =
      arith::MulFOp::create(b, loc, scalarConstant(b, loc, t, 2.0),
                            math::RoundOp::create(b, loc, arith::MulFOp::create(b, loc, x, half)));
  return arith::SelectOp::create(b, loc, tie, even, r);
}

Value normalizeIndex(OpBuilder &b, Location l, Value raw, int64_t extent) {
  Value idx = arith::IndexCastOp::create(b, l, b.getIndexType(), raw);
  Value size = arith::ConstantIndexOp::create(b, l, extent);
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value last = arith::ConstantIndexOp::create(b, l, extent - 1);
  Value negative = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, idx, zero);
  idx = arith::SelectOp::create(b, l, negative, arith::AddIOp::create(b, l, idx, size), idx);
  idx = arith::MaxSIOp::create(b, l, idx, zero);
  return arith::MinSIOp::create(b, l, idx, last);
}

Value accumulate(OpBuilder &b, Location l, ArrayRef<std::pair<Value, Value>> bounds, Value init,
                 function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body,
                 SmallVector<Value> ivs) {
  if (bounds.empty())
    return body(b, l, ivs, init);
  Value step = arith::ConstantIndexOp::create(b, l, 1);
  auto loop = scf::ForOp::create(b, l, bounds[0].first, bounds[0].second, step, ValueRange{init},
                                 [&](OpBuilder &nb, Location nl, Value iv, ValueRange iter) {
                                   SmallVector<Value> inner = ivs;
                                   inner.push_back(iv);
                                   Value next = accumulate(nb, nl, bounds.drop_front(), iter[0],
                                                           body, inner);
                                   scf::YieldOp::create(nb, nl, next);
                                 });
  return loop.getResult(0);
}

std::pair<Value, Value> tapRange(OpBuilder &b, Location l, Value out, int64_t outSize, int64_t size,
                                 int64_t kernel, int64_t stride, int64_t dilation, int64_t pad,
                                 bool clamp) {
  if (!clamp && pad == 0 && (outSize - 1) * stride + (kernel - 1) * dilation < size)
    return {arith::ConstantIndexOp::create(b, l, 0), arith::ConstantIndexOp::create(b, l, kernel)};
  // start = out * stride - pad; lower = ceil(-start / d), upper = ceil((size - start) / d).
  Value start = arith::SubIOp::create(
      b, l, arith::MulIOp::create(b, l, out, arith::ConstantIndexOp::create(b, l, stride)),
      arith::ConstantIndexOp::create(b, l, pad));
  Value negStart = arith::SubIOp::create(b, l, arith::ConstantIndexOp::create(b, l, 0), start);
  Value room = arith::SubIOp::create(b, l, arith::ConstantIndexOp::create(b, l, size), start);
  Value d = arith::ConstantIndexOp::create(b, l, dilation);
  Value lower = dilation == 1 ? negStart : Value(arith::CeilDivSIOp::create(b, l, negStart, d));
  Value upper = dilation == 1 ? room : Value(arith::CeilDivSIOp::create(b, l, room, d));
  lower = arith::MaxSIOp::create(b, l, lower, arith::ConstantIndexOp::create(b, l, 0));
  upper = arith::MinSIOp::create(b, l, upper, arith::ConstantIndexOp::create(b, l, kernel));
  return {lower, upper};
}

} // namespace kiln::lowering
