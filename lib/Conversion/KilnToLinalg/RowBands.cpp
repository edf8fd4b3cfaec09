//===- RowBands.cpp - Lower kiln.row_bands to a loop over bands --*- C++ -*-===//
//
// A kiln.row_bands op becomes one scf.for over bands of its result's rows.
// Each intermediate of the chain has a band buffer of the rows the next
// stage's band reads, allocated once outside the loop; in each iteration
// the chain's stages compute their bands in order, with rows numbered as in
// the whole tensors so that padding is skipped exactly as in the unbanded
// kernels, and the last one writes its rows into the result. A stage reads
// the band before it at its row minus that band's first row.
//
// int8 stages are kiln.qconv2d (lowerConvRows). Float stages are a
// kiln.conv2d and its bias add, relu or clamp, computed per element: the
// products in the order linalg's convolution sums them (channel, kernel
// row, kernel column), then the epilogue.
//
// The last band starts at height - rows, so every band has the same static
// size; it may recompute rows the band before wrote, with the same values.
// Bands that reach past the top or bottom compute rows outside their
// tensor, from no taps (their windows are clamped to the input), which the
// next stage never reads.
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

/// One convolution of the chain and, after a float one, its epilogue.
struct Stage {
  Operation *conv;
  SmallVector<Operation *> epilogue;

  RankedTensorType type() const {
    return cast<RankedTensorType>(
        (epilogue.empty() ? conv : epilogue.back())->getResult(0).getType());
  }
  Value filter() const { return conv->getOperand(1); }
  RankedTensorType filterType() const { return cast<RankedTensorType>(filter().getType()); }
  ArrayRef<int64_t> strides() const {
    return isa<QConv2DOp>(conv) ? cast<QConv2DOp>(conv).getStrides()
                                : cast<Conv2DOp>(conv).getStrides();
  }
  ArrayRef<int64_t> dilations() const {
    return isa<QConv2DOp>(conv) ? cast<QConv2DOp>(conv).getDilations()
                                : cast<Conv2DOp>(conv).getDilations();
  }
  ArrayRef<int64_t> pads() const {
    return isa<QConv2DOp>(conv) ? cast<QConv2DOp>(conv).getPads() : cast<Conv2DOp>(conv).getPads();
  }
  /// Rows of its input that `rows` rows of its result read.
  int64_t inputRows(int64_t rows) const {
    return (rows - 1) * strides()[0] + (filterType().getDimSize(2) - 1) * dilations()[0] + 1;
  }
};

SmallVector<Stage> stagesOf(RowBandsOp op) {
  SmallVector<Stage> stages;
  for (Operation &o : op.getBody().front().without_terminator()) {
    if (isa<QConv2DOp, Conv2DOp>(o))
      stages.push_back({&o, {}});
    else
      stages.back().epilogue.push_back(&o);
  }
  return stages;
}

/// An all-parallel generic over `type` into `init`, with `body` computing
/// the element at the loop indices.
Value bandGeneric(OpBuilder &b, Location loc, RankedTensorType type, Value init,
                  function_ref<Value(OpBuilder &, Location, SmallVector<Value>)> body) {
  unsigned rank = type.getRank();
  auto generic = linalg::GenericOp::create(
      b, loc, type, ValueRange{}, init, AffineMap::getMultiDimIdentityMap(rank, b.getContext()),
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &gb, Location l, ValueRange) {
        SmallVector<Value> idx;
        for (unsigned i = 0; i < rank; ++i)
          idx.push_back(linalg::IndexOp::create(gb, l, i));
        linalg::YieldOp::create(gb, l, body(gb, l, idx));
      });
  return generic.getResult(0);
}

/// The rows [firstRow, firstRow + rows of `type`) of a float stage, into
/// `init`: `source` holds its input's rows from `origin` (whole where
/// `origin` is null); `remap` gives converted values. With `outside`, rows
/// may lie outside the output (as for lowerConvRows).
Value lowerFloatRows(OpBuilder &b, Location loc, const Stage &stage, Value source, Value origin,
                     function_ref<Value(Value)> remap, RankedTensorType type, Value firstRow,
                     Value init, bool outside) {
  auto conv = cast<Conv2DOp>(stage.conv);
  Value filter = remap(conv.getFilter());
  auto in = conv.getInput().getType(), out = conv.getType();
  auto f = conv.getFilter().getType();
  ArrayRef<int64_t> s = conv.getStrides(), d = conv.getDilations(), p = conv.getPads();
  int64_t outPerGroup = out.getDimSize(1) / (int64_t)conv.getGroups(), inPerGroup = f.getDimSize(1);
  Type elt = type.getElementType();
  return bandGeneric(b, loc, type, init, [&](OpBuilder &gb, Location l, SmallVector<Value> idx) {
    Value row = arith::AddIOp::create(gb, l, idx[2], firstRow);
    Value group = arith::DivUIOp::create(gb, l, idx[1], index(gb, l, outPerGroup));
    Value base = arith::MulIOp::create(gb, l, group, index(gb, l, inPerGroup));
    auto rows = tapRange(gb, l, row, out.getDimSize(2), in.getDimSize(2), f.getDimSize(2), s[0],
                         d[0], p[0], outside);
    auto cols = tapRange(gb, l, idx[3], out.getDimSize(3), in.getDimSize(3), f.getDimSize(3), s[1],
                         d[1], p[1]);
    std::pair<Value, Value> chans = {index(gb, l, 0), index(gb, l, inPerGroup)};
    auto at = [&](OpBuilder &ib, Location il, Value o, int64_t stride, Value k, int64_t dil,
                  int64_t pad) {
      Value v =
          arith::AddIOp::create(ib, il, arith::MulIOp::create(ib, il, o, index(ib, il, stride)),
                                arith::MulIOp::create(ib, il, k, index(ib, il, dil)));
      return Value(arith::SubIOp::create(ib, il, v, index(ib, il, pad)));
    };
    Value acc = accumulate(
        gb, l, {chans, rows, cols}, scalarConstant(gb, l, elt, 0.0),
        [&](OpBuilder &ib, Location il, ValueRange iv, Value sum) {
          Value y = at(ib, il, row, s[0], iv[1], d[0], p[0]);
          if (origin)
            y = arith::SubIOp::create(ib, il, y, origin);
          Value ch = arith::AddIOp::create(ib, il, base, iv[0]);
          Value x = tensor::ExtractOp::create(
              ib, il, source,
              ValueRange{idx[0], ch, y, at(ib, il, idx[3], s[1], iv[2], d[1], p[1])});
          Value w =
              tensor::ExtractOp::create(ib, il, filter, ValueRange{idx[1], iv[0], iv[1], iv[2]});
          return Value(arith::AddFOp::create(ib, il, sum, arith::MulFOp::create(ib, il, x, w)));
        });
    for (Operation *e : stage.epilogue) {
      if (auto add = dyn_cast<AddOp>(e)) {
        bool biasIsRhs = add.getRhs().getParentRegion() != add->getParentRegion();
        Value bias = remap(biasIsRhs ? add.getRhs() : add.getLhs());
        auto biasType = cast<RankedTensorType>(bias.getType());
        SmallVector<Value> at(biasType.getRank(), index(gb, l, 0));
        at[biasType.getRank() - 3] = idx[1];
        Value v = tensor::ExtractOp::create(gb, l, bias, at);
        acc =
            biasIsRhs ? arith::AddFOp::create(gb, l, acc, v) : arith::AddFOp::create(gb, l, v, acc);
      } else if (isa<ReluOp>(e)) {
        acc = createMax(gb, l, acc, scalarConstant(gb, l, elt, 0.0));
      } else {
        auto clamp = cast<ClampOp>(e);
        acc = createMin(
            gb, l,
            createMax(gb, l, acc, scalarConstant(gb, l, elt, clamp.getMin().convertToDouble())),
            scalarConstant(gb, l, elt, clamp.getMax().convertToDouble()));
      }
    }
    return acc;
  });
}

struct RowBandsLowering : OpConversionPattern<RowBandsOp> {
  RowBandsLowering(MLIRContext *ctx, bool unstored)
      : OpConversionPattern(ctx), unstored(unstored) {}

  LogicalResult matchAndRewrite(RowBandsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Stage> stages = stagesOf(op);
    size_t last = stages.size() - 1;
    RankedTensorType type = op.getType();
    int64_t height = type.getDimSize(2), rows = op.getRows();
    int64_t bands = (height + rows - 1) / rows;

    // The rows of each stage's result one band reads, last to first.
    SmallVector<int64_t> need(stages.size());
    need[last] = rows;
    for (size_t k = last; k > 0; --k)
      need[k - 1] = stages[k].inputRows(need[k]);
    // Allocations, not tensor.empty, that CSE cannot share with another op.
    SmallVector<Value> inits = {
        bufferization::AllocTensorOp::create(rewriter, loc, type, ValueRange{})};
    SmallVector<RankedTensorType> bandTypes;
    for (size_t k = 0; k < last; ++k) {
      auto t = stages[k].type();
      bandTypes.push_back(RankedTensorType::get({1, t.getDimSize(1), need[k], t.getDimSize(3)},
                                                t.getElementType()));
      inits.push_back(bufferization::AllocTensorOp::create(rewriter, stages[k].conv->getLoc(),
                                                           bandTypes.back(), ValueRange{}));
    }
    auto remap = [&](Value v) { return v ? rewriter.getRemappedValue(v) : Value(); };
    auto qhead = dyn_cast<QConv2DOp>(stages[0].conv);
    InputReader head =
        qhead ? makeReader(op.getInput(), adaptor.getInput(), qhead.getInputZeroPoint(), unstored)
              : InputReader{adaptor.getInput(), QuantizeOp(), 0};
    // A float model input read unstored is quantized a band at a time
    // too, once per element rather than once per tap that reads it.
    RankedTensorType inBandType;
    if (head.quantize) {
      auto t = cast<RankedTensorType>(head.source.getType());
      inBandType =
          RankedTensorType::get({1, t.getDimSize(1), stages[0].inputRows(need[0]), t.getDimSize(3)},
                                rewriter.getI8Type());
      inits.push_back(
          bufferization::AllocTensorOp::create(rewriter, loc, inBandType, ValueRange{}));
    }

    auto loop = scf::ForOp::create(
        rewriter, loc, index(rewriter, loc, 0), index(rewriter, loc, bands),
        index(rewriter, loc, 1), inits, [&](OpBuilder &b, Location l, Value band, ValueRange iter) {
          // The first row of each stage's band, last to first.
          SmallVector<Value> first(stages.size());
          first[last] =
              arith::MinSIOp::create(b, l, arith::MulIOp::create(b, l, band, index(b, l, rows)),
                                     index(b, l, height - rows));
          auto firstInput = [&](size_t k) {
            return arith::SubIOp::create(
                b, l, arith::MulIOp::create(b, l, first[k], index(b, l, stages[k].strides()[0])),
                index(b, l, stages[k].pads()[0]));
          };
          for (size_t k = last; k > 0; --k)
            first[k - 1] = firstInput(k);

          SmallVector<Value> yielded(iter.size());
          InputReader in = head;
          if (head.quantize) {
            Value origin = firstInput(0);
            yielded.back() = quantizeRows(b, l, head, inBandType, origin, iter.back());
            in = InputReader{yielded.back(), QuantizeOp(), head.zeroPoint, origin};
          }
          // Stage k's rows of `rowType` from first[k] into `init`; the
          // last stage's rows all lie inside the result.
          auto compute = [&](size_t k, RankedTensorType rowType, Value init) {
            const Stage &stage = stages[k];
            bool outside = k != last;
            if (auto q = dyn_cast<QConv2DOp>(stage.conv))
              return lowerConvRows(b, q.getLoc(), q, remap(q.getFilter()), remap(q.getBias()), in,
                                   rowType, first[k], init, outside);
            return lowerFloatRows(b, stage.conv->getLoc(), stage, in.source, in.rowOrigin, remap,
                                  rowType, first[k], init, outside);
          };
          for (size_t k = 0; k < last; ++k) {
            Value bandValue = compute(k, bandTypes[k], iter[k + 1]);
            yielded[k + 1] = bandValue;
            auto next = dyn_cast<QConv2DOp>(stages[k + 1].conv);
            in = InputReader{bandValue, QuantizeOp(), next ? (int64_t)next.getInputZeroPoint() : 0,
                             first[k]};
          }
          auto sliceType = RankedTensorType::get({1, type.getDimSize(1), rows, type.getDimSize(3)},
                                                 type.getElementType());
          SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), b.getIndexAttr(0), first[last],
                                               b.getIndexAttr(0)};
          SmallVector<OpFoldResult> sizes = {b.getIndexAttr(1), b.getIndexAttr(type.getDimSize(1)),
                                             b.getIndexAttr(rows),
                                             b.getIndexAttr(type.getDimSize(3))};
          SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
          Value slice =
              tensor::ExtractSliceOp::create(b, l, sliceType, iter[0], offsets, sizes, strides);
          Value out = compute(last, sliceType, slice);
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
    return bandGeneric(b, l, type, init, [&](OpBuilder &gb, Location gl, SmallVector<Value> idx) {
      Value row = arith::AddIOp::create(gb, gl, idx[2], firstRow);
      row = arith::MaxSIOp::create(gb, gl, row, index(gb, gl, 0));
      idx[2] = arith::MinSIOp::create(gb, gl, row, index(gb, gl, height - 1));
      Value x = tensor::ExtractOp::create(gb, gl, head.source, idx);
      QuantizeOp q = head.quantize;
      Type f32 = gb.getF32Type();
      return quantizeValue(gb, gl, x, scalarConstant(gb, gl, f32, q.getScale()[0]),
                           scalarConstant(gb, gl, f32, (double)q.getZeroPoint()[0]));
    });
  }

  bool unstored;
};

} // namespace

void populateRowBandsToLinalgPatterns(RewritePatternSet &patterns, bool unstored) {
  patterns.add<RowBandsLowering>(patterns.getContext(), unstored);
}

} // namespace kiln::lowering
