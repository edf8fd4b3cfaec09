//===- RowBands.cpp - Lower kiln.row_bands to a loop over bands --*- C++ -*-===//
//
// A kiln.row_bands op becomes one scf.for over bands of its result's rows.
// Each intermediate of the chain has a band buffer of the rows the next
// op's band reads, allocated once outside the loop; in each iteration the
// chain's convolutions compute their bands in order (lowerConvRows, with
// rows numbered as in the whole tensors, so padding is skipped exactly as
// in the unbanded kernel) and the last one writes its rows into the
// result. Band k + 1 reads band k through an InputReader whose row origin
// is band k's first row.
//
// The last band starts at height - rows, so every band has the same static
// size; it may recompute rows the band before wrote, with the same values.
// Bands that reach past the top or bottom compute rows outside their
// tensor, which the next op's taps never read.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "QuantizedKernels.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln::lowering {
namespace {

Value index(OpBuilder &b, Location l, int64_t v) { return arith::ConstantIndexOp::create(b, l, v); }

struct RowBandsLowering : OpConversionPattern<RowBandsOp> {
  RowBandsLowering(MLIRContext *ctx, bool unstored)
      : OpConversionPattern(ctx), unstored(unstored) {}

  LogicalResult matchAndRewrite(RowBandsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<QConv2DOp> chain = op.getChain();
    size_t last = chain.size() - 1;
    RankedTensorType type = op.getType();
    int64_t height = type.getDimSize(2), rows = op.getRows();
    int64_t bands = (height + rows - 1) / rows;

    // The rows of each op's result one band reads, last to first.
    SmallVector<int64_t> need(chain.size());
    need[last] = rows;
    for (size_t k = last; k > 0; --k) {
      auto f = chain[k].getFilter().getType();
      need[k - 1] = (need[k] - 1) * chain[k].getStrides()[0] +
                    (f.getDimSize(2) - 1) * chain[k].getDilations()[0] + 1;
    }
    // Allocations, not tensor.empty, that CSE cannot share with another op.
    SmallVector<Value> inits = {
        bufferization::AllocTensorOp::create(rewriter, loc, type, ValueRange{})};
    SmallVector<RankedTensorType> bandTypes;
    for (size_t k = 0; k < last; ++k) {
      auto t = chain[k].getType();
      bandTypes.push_back(RankedTensorType::get(
          {1, t.getDimSize(1), need[k], t.getDimSize(3)}, t.getElementType()));
      inits.push_back(bufferization::AllocTensorOp::create(rewriter, chain[k].getLoc(),
                                                           bandTypes.back(), ValueRange{}));
    }
    auto remap = [&](Value v) { return v ? rewriter.getRemappedValue(v) : Value(); };
    InputReader head =
        makeReader(op.getInput(), adaptor.getInput(), chain[0].getInputZeroPoint(), unstored);
    // A float model input read unstored is quantized a band at a time
    // too, once per element rather than once per tap that reads it.
    RankedTensorType inBandType;
    if (head.quantize) {
      auto f = chain[0].getFilter().getType();
      auto t = cast<RankedTensorType>(head.source.getType());
      int64_t inRows = (need[0] - 1) * chain[0].getStrides()[0] +
                       (f.getDimSize(2) - 1) * chain[0].getDilations()[0] + 1;
      inBandType = RankedTensorType::get({1, t.getDimSize(1), inRows, t.getDimSize(3)},
                                         rewriter.getI8Type());
      inits.push_back(
          bufferization::AllocTensorOp::create(rewriter, loc, inBandType, ValueRange{}));
    }

    auto loop = scf::ForOp::create(
        rewriter, loc, index(rewriter, loc, 0), index(rewriter, loc, bands),
        index(rewriter, loc, 1), inits, [&](OpBuilder &b, Location l, Value band, ValueRange iter) {
          // The first row of each op's band, last to first.
          SmallVector<Value> first(chain.size());
          first[last] = arith::MinSIOp::create(
              b, l, arith::MulIOp::create(b, l, band, index(b, l, rows)),
              index(b, l, height - rows));
          for (size_t k = last; k > 0; --k)
            first[k - 1] = arith::SubIOp::create(
                b, l, arith::MulIOp::create(b, l, first[k], index(b, l, chain[k].getStrides()[0])),
                index(b, l, chain[k].getPads()[0]));

          SmallVector<Value> yielded(iter.size());
          InputReader in = head;
          if (head.quantize) {
            Value firstIn = arith::SubIOp::create(
                b, l,
                arith::MulIOp::create(b, l, first[0], index(b, l, chain[0].getStrides()[0])),
                index(b, l, chain[0].getPads()[0]));
            yielded.back() = quantizeRows(b, l, head, inBandType, firstIn, iter.back());
            in = InputReader{yielded.back(), QuantizeOp(), head.zeroPoint, firstIn};
          }
          for (size_t k = 0; k < last; ++k) {
            QConv2DOp conv = chain[k];
            Value bandValue =
                lowerConvRows(b, conv.getLoc(), conv, remap(conv.getFilter()),
                              remap(conv.getBias()), in, bandTypes[k], first[k], iter[k + 1]);
            yielded[k + 1] = bandValue;
            in = InputReader{bandValue, QuantizeOp(), (int64_t)chain[k + 1].getInputZeroPoint(),
                             first[k]};
          }
          QConv2DOp tail = chain[last];
          auto sliceType = RankedTensorType::get(
              {1, type.getDimSize(1), rows, type.getDimSize(3)}, type.getElementType());
          SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0), first[last],
                                               b.getIndexAttr(0)};
          SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(type.getDimSize(1)),
                                             b.getIndexAttr(rows),
                                             b.getIndexAttr(type.getDimSize(3))};
          SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
          Value slice =
              tensor::ExtractSliceOp::create(b, l, sliceType, iter[0], offsets, sizes, strides);
          Value out = lowerConvRows(b, tail.getLoc(), tail, remap(tail.getFilter()),
                                    remap(tail.getBias()), in, sliceType, first[last], slice);
          yielded[0] = tensor::InsertSliceOp::create(b, l, out, iter[0], offsets, sizes, strides);
          scf::YieldOp::create(b, l, yielded);
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }

  /// The rows [firstRow, firstRow + rows of `type`) of the quantize
  /// `head` reads, into `init`; rows outside the input repeat its edge
  /// (no tap reads them).
  static Value quantizeRows(OpBuilder &b, Location l, const InputReader &head,
                            RankedTensorType type, Value firstRow, Value init) {
    int64_t height = cast<RankedTensorType>(head.source.getType()).getDimSize(2);
    auto generic = linalg::GenericOp::create(
        b, l, type, ValueRange{}, init,
        AffineMap::getMultiDimIdentityMap(4, b.getContext()),
        SmallVector<utils::IteratorType>(4, utils::IteratorType::parallel),
        [&](OpBuilder &gb, Location gl, ValueRange) {
          SmallVector<Value> idx;
          for (unsigned i = 0; i < 4; ++i)
            idx.push_back(linalg::IndexOp::create(gb, gl, i));
          Value row = arith::AddIOp::create(gb, gl, idx[2], firstRow);
          row = arith::MaxSIOp::create(gb, gl, row, index(gb, gl, 0));
          idx[2] = arith::MinSIOp::create(gb, gl, row, index(gb, gl, height - 1));
          Value x = tensor::ExtractOp::create(gb, gl, head.source, idx);
          QuantizeOp q = head.quantize;
          Type f32 = gb.getF32Type();
          linalg::YieldOp::create(
              gb, gl,
              quantizeValue(gb, gl, x, scalarConstant(gb, gl, f32, q.getScale()[0]),
                            scalarConstant(gb, gl, f32, (double)q.getZeroPoint()[0])));
        });
    return generic.getResult(0);
  }

  bool unstored;
};

} // namespace

void populateRowBandsToLinalgPatterns(RewritePatternSet &patterns, bool unstored) {
  patterns.add<RowBandsLowering>(patterns.getContext(), unstored);
}

} // namespace kiln::lowering
