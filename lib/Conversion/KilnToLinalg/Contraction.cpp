//===- Contraction.cpp - Lower kiln matmul and conv2d to linalg -*- C++ -*-===//
//
// Matrix products become linalg.matmul (2-D) or a batched linalg.generic
// with broadcast batch maps; convolutions become linalg.conv_2d_nchw_fchw
// over a zero-padded input, or a grouped linalg.generic when groups > 1.
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

struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Type elt = type.getElementType();
    ArrayRef<int64_t> pads = op.getPads();
    Value zero = scalarConstant(rewriter, loc, elt, 0.0);
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
};

} // namespace

void populateKilnContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatmulLowering, Conv2DLowering>(patterns.getContext());
}

} // namespace kiln
