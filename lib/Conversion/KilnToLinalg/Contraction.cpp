//===- Contraction.cpp - Lower kiln matmul and conv2d to linalg -*- C++ -*-===//
//
// Matrix products become linalg.matmul (2-D) or a batched linalg.generic
// with broadcast batch maps; convolutions become linalg.conv_2d_nchw_fchw
// over a zero-padded input, or a grouped linalg.generic when groups > 1.
// With guarded padding, a grouped (depthwise) convolution whose padded
// copy would be a quarter larger than its input reads the unpadded input
// with bounds checks instead: no padded copy is made.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"

using namespace mlir;

namespace kiln {
namespace {
using namespace lowering;

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elt = type.getElementType();
    Value init = createFilled(rewriter, loc, type, scalarConstant(rewriter, loc, elt, 0.0));
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsShape = op.getLhs().getType().getShape();
    auto rhsShape = op.getRhs().getType().getShape();
    if (lhsShape.size() == 2 && rhsShape.size() == 2) {
      rewriter.replaceOp(
          op, linalg::MatmulOp::create(rewriter, loc, ValueRange{lhs, rhs}, ValueRange{init})
                  .getResult(0));
      return success();
    }
    // Loops: batch dims, m, n, k.
    MLIRContext *ctx = rewriter.getContext();
    int64_t rank = type.getRank(), batch = rank - 2;
    AffineExpr m = getAffineDimExpr(batch, ctx), n = getAffineDimExpr(batch + 1, ctx),
               k = getAffineDimExpr(batch + 2, ctx);
    auto operandMap = [&](ArrayRef<int64_t> shape, AffineExpr row, AffineExpr col) {
      SmallVector<AffineExpr> exprs;
      int64_t offset = batch - (shape.size() - 2);
      for (size_t i = 0; i + 2 < shape.size(); ++i)
        exprs.push_back(shape[i] == 1 && type.getDimSize(i + offset) != 1
                            ? getAffineConstantExpr(0, ctx)
                            : getAffineDimExpr(i + offset, ctx));
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(rank + 1, 0, exprs, ctx);
    };
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<AffineMap> maps = {operandMap(lhsShape, m, k), operandMap(rhsShape, k, n),
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{lhs, rhs}, init, maps, iterators,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, args[2], product)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// One input element of a grouped convolution read without padding: the
/// value at (n, channel, ih, iw) of `input`, or zero where (ih, iw) falls in
/// the padding. The indices are clamped into the input so the load is
/// always in bounds; the select discards it outside.
Value readGuarded(OpBuilder &b, Location loc, Value input, ValueRange index, Value zero) {
  auto type = cast<RankedTensorType>(input.getType());
  Value inside;
  SmallVector<Value> clamped = {index[0], index[1]};
  Value c0 = arith::ConstantIndexOp::create(b, loc, 0);
  for (unsigned d = 2; d < 4; ++d) {
    Value v = index[d];
    Value last = arith::ConstantIndexOp::create(b, loc, type.getDimSize(d) - 1);
    Value geZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, v, c0);
    Value leLast = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, v, last);
    Value ok = arith::AndIOp::create(b, loc, geZero, leLast);
    inside = inside ? Value(arith::AndIOp::create(b, loc, inside, ok)) : ok;
    clamped.push_back(arith::MaxSIOp::create(b, loc, arith::MinSIOp::create(b, loc, v, last), c0));
  }
  Value x = tensor::ExtractOp::create(b, loc, input, clamped);
  return arith::SelectOp::create(b, loc, inside, x, zero);
}

struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  Conv2DLowering(MLIRContext *ctx, bool guardedPadding)
      : OpConversionPattern(ctx), guardedPadding(guardedPadding) {}

  LogicalResult matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elt = type.getElementType();
    ArrayRef<int64_t> pads = op.getPads();
    Value zero = scalarConstant(rewriter, loc, elt, 0.0);
    if (guardedPadding && op.getGroups() > 1 && paddingCostsAQuarter(op))
      return lowerGroupedGuarded(op, adaptor, rewriter, zero);
    Value input = createPad(rewriter, loc, adaptor.getInput(), {0, 0, pads[0], pads[1]},
                            {0, 0, pads[2], pads[3]}, zero);
    Value init = createFilled(rewriter, loc, type, zero);
    auto strides = rewriter.getI64TensorAttr(op.getStrides());
    auto dilations = rewriter.getI64TensorAttr(op.getDilations());
    if (op.getGroups() == 1) {
      auto conv = linalg::Conv2DNchwFchwOp::create(rewriter, loc, TypeRange{type},
                                                   ValueRange{input, adaptor.getFilter()},
                                                   ValueRange{init}, strides, dilations);
      rewriter.replaceOp(op, conv.getResult(0));
      return success();
    }
    // Grouped: loops n, f, oh, ow, c (within the group), kh, kw.
    MLIRContext *ctx = rewriter.getContext();
    int64_t outPerGroup = type.getDimSize(1) / op.getGroups();
    int64_t inPerGroup = op.getFilter().getType().getDimSize(1);
    AffineExpr n, f, oh, ow, c, kh, kw;
    bindDims(ctx, n, f, oh, ow, c, kh, kw);
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations();
    AffineExpr channel = f.floorDiv(outPerGroup) * inPerGroup + c;
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0, {n, channel, oh * s[0] + kh * d[0], ow * s[1] + kw * d[1]}, ctx),
        AffineMap::get(7, 0, {f, c, kh, kw}, ctx), AffineMap::get(7, 0, {n, f, oh, ow}, ctx)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {IteratorType::parallel,  IteratorType::parallel,
                                           IteratorType::parallel,  IteratorType::parallel,
                                           IteratorType::reduction, IteratorType::reduction,
                                           IteratorType::reduction};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{input, adaptor.getFilter()}, init, maps, iterators,
        [](OpBuilder &b, Location l, ValueRange args) {
          Value product = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, args[2], product)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

private:
  /// Whether a padded copy of the input would be at least a quarter larger
  /// than the input: small planes, where the bounds checks cost little
  /// against the memory they save. On large planes the copy costs little
  /// and the checks would slow every product.
  static bool paddingCostsAQuarter(Conv2DOp op) {
    ArrayRef<int64_t> p = op.getPads();
    auto in = op.getInput().getType();
    int64_t h = in.getDimSize(2), w = in.getDimSize(3);
    return 4 * ((h + p[0] + p[2]) * (w + p[1] + p[3]) - h * w) >= h * w;
  }

  /// Loops n, f, oh, ow, c (within the group), kh, kw over the filter and
  /// the output; the input is read in the body (readGuarded). The products
  /// and sums are those of the padded form, in the same order.
  LogicalResult lowerGroupedGuarded(Conv2DOp op, OpAdaptor adaptor,
                                    ConversionPatternRewriter &rewriter, Value zero) const {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    MLIRContext *ctx = rewriter.getContext();
    int64_t outPerGroup = type.getDimSize(1) / op.getGroups();
    int64_t inPerGroup = op.getFilter().getType().getDimSize(1);
    ArrayRef<int64_t> s = op.getStrides(), d = op.getDilations(), pads = op.getPads();
    AffineExpr n, f, oh, ow, c, kh, kw;
    bindDims(ctx, n, f, oh, ow, c, kh, kw);
    SmallVector<AffineMap> maps = {AffineMap::get(7, 0, {f, c, kh, kw}, ctx),
                                   AffineMap::get(7, 0, {n, f, oh, ow}, ctx)};
    using utils::IteratorType;
    SmallVector<IteratorType> iterators = {IteratorType::parallel,  IteratorType::parallel,
                                           IteratorType::parallel,  IteratorType::parallel,
                                           IteratorType::reduction, IteratorType::reduction,
                                           IteratorType::reduction};
    Value input = adaptor.getInput();
    Value init = createFilled(rewriter, loc, type, zero);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{adaptor.getFilter()}, init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> iv;
          for (unsigned i = 0; i < 7; ++i)
            iv.push_back(linalg::IndexOp::create(b, l, i));
          auto cst = [&](int64_t v) { return arith::ConstantIndexOp::create(b, l, v); };
          auto mul = [&](Value a, int64_t k) { return arith::MulIOp::create(b, l, a, cst(k)); };
          auto add = [&](Value a, Value c) { return arith::AddIOp::create(b, l, a, c); };
          // The input position this iteration reads, before clamping:
          // channel (f / outPerGroup) * inPerGroup + c, row oh * s + kh * d
          // - pad, column likewise.
          Value group = arith::DivUIOp::create(b, l, iv[1], cst(outPerGroup));
          Value channel = add(mul(group, inPerGroup), iv[4]);
          Value ih =
              arith::SubIOp::create(b, l, add(mul(iv[2], s[0]), mul(iv[5], d[0])), cst(pads[0]));
          Value iw =
              arith::SubIOp::create(b, l, add(mul(iv[3], s[1]), mul(iv[6], d[1])), cst(pads[1]));
          Value x = readGuarded(b, l, input, {iv[0], channel, ih, iw}, zero);
          Value product = arith::MulFOp::create(b, l, x, args[0]);
          linalg::YieldOp::create(b, l, Value(arith::AddFOp::create(b, l, args[1], product)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }

  bool guardedPadding;
};

} // namespace

void populateKilnContractionToLinalgPatterns(RewritePatternSet &patterns, bool guardedPadding) {
  patterns.add<MatmulLowering>(patterns.getContext());
  patterns.add<Conv2DLowering>(patterns.getContext(), guardedPadding);
}

} // namespace kiln
