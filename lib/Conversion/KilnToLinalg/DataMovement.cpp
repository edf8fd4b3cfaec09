//===- DataMovement.cpp - Lower kiln data-movement ops ----------*- C++ -*-===//
//
// Constants become arith.constant; transpose is linalg.transpose; reshape,
// slice, pad and concat are tensor ops that bufferize into views or copies;
// gather is a linalg.generic that computes each source index (negative
// indices wrap, out-of-range ones clamp) and extracts it.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"

using namespace mlir;

namespace kiln {
namespace {
using namespace lowering;

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConstantOp op, OpAdaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Value init = createEmpty(rewriter, op.getLoc(), op.getType());
    auto transpose =
        linalg::TransposeOp::create(rewriter, op.getLoc(), adaptor.getInput(), init, op.getPerm());
    rewriter.replaceOp(op, transpose.getResult());
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, createReshape(rewriter, op.getLoc(), adaptor.getInput(), op.getType()));
    return success();
  }
};

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, op.getType(), adaptor.getInput(), ValueRange{}, ValueRange{}, ValueRange{},
        op.getOffsets(), op.getSizes(), op.getStrides());
    return success();
  }
};

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(PadOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Type elt = op.getType().getElementType();
    Value value = scalarConstant(rewriter, op.getLoc(), elt, op.getValue().convertToDouble());
    rewriter.replaceOp(
        op, createPad(rewriter, op.getLoc(), adaptor.getInput(), op.getLow(), op.getHigh(), value));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    Value result = createEmpty(rewriter, loc, type);
    int64_t offset = 0, axis = op.getAxis();
    for (Value input : adaptor.getInputs()) {
      auto inType = cast<RankedTensorType>(input.getType());
      SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
      offsets[axis] = offset;
      result =
          tensor::InsertSliceOp::create(rewriter, loc, input, result, ValueRange{}, ValueRange{},
                                        ValueRange{}, offsets, inType.getShape(), strides);
      offset += inType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    MLIRContext *ctx = rewriter.getContext();
    int64_t axis = op.getAxis();
    int64_t q = op.getIndices().getType().getRank();
    int64_t extent = op.getInput().getType().getDimSize(axis);
    Value input = adaptor.getInput();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t i = 0; i < q; ++i)
      indexExprs.push_back(getAffineDimExpr(axis + i, ctx));
    SmallVector<AffineMap> maps = {AffineMap::get(type.getRank(), 0, indexExprs, ctx),
                                   AffineMap::getMultiDimIdentityMap(type.getRank(), ctx)};
    SmallVector<utils::IteratorType> iterators(type.getRank(), utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, adaptor.getIndices(), createEmpty(rewriter, loc, type), maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value idx = normalizeIndex(b, l, args[0], extent);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < axis; ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          coords.push_back(idx);
          for (int64_t d = axis + q; d < type.getRank(); ++d)
            coords.push_back(linalg::IndexOp::create(b, l, d));
          Value v = tensor::ExtractOp::create(b, l, input, coords);
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// One element per index: a parallel generic over the indices whose body
/// extracts from the input at the index (normalized and clamped) on `axis`
/// and at its own position elsewhere.
struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t axis = op.getAxis();
    int64_t extent = op.getInput().getType().getDimSize(axis);
    Value input = adaptor.getInput();
    SmallVector<AffineMap> maps(
        2, AffineMap::getMultiDimIdentityMap(type.getRank(), rewriter.getContext()));
    SmallVector<utils::IteratorType> iterators(type.getRank(), utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, adaptor.getIndices(), createEmpty(rewriter, loc, type), maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value idx = normalizeIndex(b, l, args[0], extent);
          SmallVector<Value> coords;
          for (int64_t d = 0; d < type.getRank(); ++d)
            coords.push_back(d == axis ? idx : Value(linalg::IndexOp::create(b, l, d)));
          linalg::YieldOp::create(b, l, Value(tensor::ExtractOp::create(b, l, input, coords)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// A parallel generic over the result with no inputs: each element reads
/// its index tuple from `indices` and extracts from the input there.
struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getType();
    auto inType = op.getInput().getType();
    auto idxType = op.getIndices().getType();
    int64_t b = op.getBatchDims(), k = idxType.getShape().back();
    int64_t tupleRank = idxType.getRank() - 1;
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    SmallVector<AffineMap> maps = {
        AffineMap::getMultiDimIdentityMap(type.getRank(), rewriter.getContext())};
    SmallVector<utils::IteratorType> iterators(type.getRank(), utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, ValueRange{}, createEmpty(rewriter, loc, type), maps, iterators,
        [&](OpBuilder &nb, Location l, ValueRange) {
          SmallVector<Value> position, coords;
          for (int64_t d = 0; d < tupleRank; ++d)
            position.push_back(linalg::IndexOp::create(nb, l, d));
          for (int64_t d = 0; d < b; ++d)
            coords.push_back(position[d]);
          SmallVector<Value> at(position);
          at.push_back(Value());
          for (int64_t j = 0; j < k; ++j) {
            at.back() = arith::ConstantIndexOp::create(nb, l, j);
            coords.push_back(normalizeIndex(nb, l, tensor::ExtractOp::create(nb, l, indices, at),
                                            inType.getDimSize(b + j)));
          }
          for (int64_t d = tupleRank; d < type.getRank(); ++d)
            coords.push_back(linalg::IndexOp::create(nb, l, d));
          linalg::YieldOp::create(nb, l, Value(tensor::ExtractOp::create(nb, l, input, coords)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateKilnDataMovementToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, TransposeLowering, ReshapeLowering, SliceLowering, PadLowering,
               ConcatLowering, GatherLowering, GatherElementsLowering, GatherNDLowering>(
      patterns.getContext());
}

} // namespace kiln
