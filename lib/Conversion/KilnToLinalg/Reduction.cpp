//===- Reduction.cpp - Lower kiln reductions and softmax to linalg -*- C++ -*-===//
//
// Reductions are linalg.generic ops with reduction iterators into a tensor
// filled with the operation's identity; keep_dims is a reshape afterwards.
// Softmax subtracts the axis maximum before exponentiating, for stability.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"

using namespace mlir;

namespace kiln {
namespace {
using namespace lowering;

enum class ReduceKind { Sum, Mean, Max, Min, Prod };

/// Reduces `axes` of `input` (dropping them) with `kind`'s combiner.
Value createReduction(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
                      ReduceKind kind) {
  auto inType = cast<RankedTensorType>(input.getType());
  Type elt = inType.getElementType();
  MLIRContext *ctx = b.getContext();
  SmallVector<int64_t> shape;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < inType.getRank(); ++d) {
    if (llvm::is_contained(axes, d)) {
      iterators.push_back(utils::IteratorType::reduction);
      continue;
    }
    iterators.push_back(utils::IteratorType::parallel);
    shape.push_back(inType.getDimSize(d));
    outExprs.push_back(getAffineDimExpr(d, ctx));
  }
  auto outType = RankedTensorType::get(shape, elt);
  Value identity;
  switch (kind) {
  case ReduceKind::Sum:
  case ReduceKind::Mean:
    identity = scalarConstant(b, loc, elt, 0.0);
    break;
  case ReduceKind::Prod:
    identity = scalarConstant(b, loc, elt, 1.0);
    break;
  case ReduceKind::Max:
    identity = lowestValue(b, loc, elt);
    break;
  case ReduceKind::Min:
    identity = highestValue(b, loc, elt);
    break;
  }
  Value init = createFilled(b, loc, outType, identity);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(inType.getRank(), ctx),
                                 AffineMap::get(inType.getRank(), 0, outExprs, ctx)};
  auto generic = linalg::GenericOp::create(b, loc, outType, input, init, maps, iterators,
                                           [&](OpBuilder &nb, Location l, ValueRange args) {
                                             Value v;
                                             switch (kind) {
                                             case ReduceKind::Sum:
                                             case ReduceKind::Mean:
                                               v = createAdd(nb, l, args[1], args[0]);
                                               break;
                                             case ReduceKind::Prod:
                                               v = createMul(nb, l, args[1], args[0]);
                                               break;
                                             case ReduceKind::Max:
                                               v = createMax(nb, l, args[1], args[0]);
                                               break;
                                             case ReduceKind::Min:
                                               v = createMin(nb, l, args[1], args[0]);
                                               break;
                                             }
                                             linalg::YieldOp::create(nb, l, v);
                                           });
  Value result = generic.getResult(0);
  if (kind == ReduceKind::Mean) {
    int64_t count = 1;
    for (int64_t a : axes)
      count *= inType.getDimSize(a);
    Value n = scalarConstant(b, loc, elt, (double)count);
    result = createElementwise(b, loc, outType, result,
                               [&](OpBuilder &nb, Location l, ValueRange args) -> Value {
                                 if (isa<FloatType>(elt))
                                   return arith::DivFOp::create(nb, l, args[0], n);
                                 return arith::DivSIOp::create(nb, l, args[0], n);
                               });
  }
  return result;
}

template <typename OpTy, ReduceKind Kind> struct ReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult matchAndRewrite(OpTy op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value reduced = createReduction(rewriter, op.getLoc(), adaptor.getInput(), op.getAxes(), Kind);
    rewriter.replaceOp(
        op, createReshape(rewriter, op.getLoc(), reduced, cast<RankedTensorType>(op.getType())));
    return success();
  }
};

template <typename OpTy, bool IsLog> struct SoftmaxLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult matchAndRewrite(OpTy op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    Value x = adaptor.getInput();
    // Keep the reduced axis as size 1 so that the maps broadcast it back.
    SmallVector<int64_t> keptShape(type.getShape());
    keptShape[axis] = 1;
    auto keptType = RankedTensorType::get(keptShape, type.getElementType());
    Value max = createReshape(rewriter, loc,
                              createReduction(rewriter, loc, x, {axis}, ReduceKind::Max), keptType);
    Value shifted = createElementwise(rewriter, loc, type, ValueRange{x, max},
                                      [](OpBuilder &b, Location l, ValueRange args) {
                                        return arith::SubFOp::create(b, l, args[0], args[1]);
                                      });
    Value exp = createElementwise(rewriter, loc, type, shifted,
                                  [](OpBuilder &b, Location l, ValueRange args) {
                                    return math::ExpOp::create(b, l, args[0]);
                                  });
    Value sum = createReshape(
        rewriter, loc, createReduction(rewriter, loc, exp, {axis}, ReduceKind::Sum), keptType);
    Value result;
    if (IsLog)
      result = createElementwise(rewriter, loc, type, ValueRange{shifted, sum},
                                 [](OpBuilder &b, Location l, ValueRange args) {
                                   Value lg = math::LogOp::create(b, l, args[1]);
                                   return arith::SubFOp::create(b, l, args[0], lg);
                                 });
    else
      result = createElementwise(rewriter, loc, type, ValueRange{exp, sum},
                                 [](OpBuilder &b, Location l, ValueRange args) {
                                   return arith::DivFOp::create(b, l, args[0], args[1]);
                                 });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// arg_max / arg_min: one linalg.generic carrying the running extreme and
/// its index along the axis; a strict comparison keeps the first index of
/// a tie, a non-strict one the last.
template <typename OpTy, bool IsMax> struct ArgReduceLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using OpAdaptor = typename OpTy::Adaptor;

  LogicalResult matchAndRewrite(OpTy op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto inType = cast<RankedTensorType>(adaptor.getInput().getType());
    Type elt = inType.getElementType();
    int64_t axis = op.getAxis();
    bool last = op.getSelectLastIndex();
    SmallVector<int64_t> shape;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t d = 0; d < inType.getRank(); ++d) {
      if (d == axis) {
        iterators.push_back(utils::IteratorType::reduction);
        continue;
      }
      iterators.push_back(utils::IteratorType::parallel);
      shape.push_back(inType.getDimSize(d));
      outExprs.push_back(getAffineDimExpr(d, ctx));
    }
    auto valueType = RankedTensorType::get(shape, elt);
    auto indexType = RankedTensorType::get(shape, rewriter.getI64Type());
    Value values =
        createFilled(rewriter, loc, valueType,
                     IsMax ? lowestValue(rewriter, loc, elt) : highestValue(rewriter, loc, elt));
    Value indices = createFilled(rewriter, loc, indexType,
                                 scalarConstant(rewriter, loc, rewriter.getI64Type(), 0));
    AffineMap outMap = AffineMap::get(inType.getRank(), 0, outExprs, ctx);
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(inType.getRank(), ctx), outMap,
                                   outMap};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType}, adaptor.getInput(),
        ValueRange{values, indices}, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value better;
          if (isa<FloatType>(elt)) {
            auto pred = IsMax ? (last ? arith::CmpFPredicate::OGE : arith::CmpFPredicate::OGT)
                              : (last ? arith::CmpFPredicate::OLE : arith::CmpFPredicate::OLT);
            better = arith::CmpFOp::create(b, l, pred, x, best);
          } else {
            auto pred = IsMax ? (last ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sgt)
                              : (last ? arith::CmpIPredicate::sle : arith::CmpIPredicate::slt);
            better = arith::CmpIOp::create(b, l, pred, x, best);
          }
          Value index =
              arith::IndexCastOp::create(b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, better, x, best),
                         arith::SelectOp::create(b, l, better, index, bestIndex)});
        });
    rewriter.replaceOp(op, createReshape(rewriter, loc, generic.getResult(1),
                                         cast<RankedTensorType>(op.getType())));
    return success();
  }
};

} // namespace

void populateKilnReductionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<
      ReduceLowering<ReduceSumOp, ReduceKind::Sum>, ReduceLowering<ReduceMeanOp, ReduceKind::Mean>,
      ReduceLowering<ReduceMaxOp, ReduceKind::Max>, ReduceLowering<ReduceMinOp, ReduceKind::Min>,
      ReduceLowering<ReduceProdOp, ReduceKind::Prod>, SoftmaxLowering<SoftmaxOp, false>,
      SoftmaxLowering<LogSoftmaxOp, true>, ArgReduceLowering<ArgMaxOp, true>,
      ArgReduceLowering<ArgMinOp, false>>(patterns.getContext());
}

} // namespace kiln
