//===- Scatter.cpp - Lower kiln scatters to loops over tensors --*- C++ -*-===//
//
// A scatter writes to positions only known at run time, which linalg's
// structured ops cannot express. It becomes a perfect scf.for nest over
// the updates, in row-major order, threading the result tensor (initially
// the data) through tensor.insert; one-shot bufferization turns that into
// one copy of the data and in-place stores.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace kiln {
namespace {
using namespace lowering;

/// Combines the value already at a position with an update.
Value combine(OpBuilder &b, Location loc, StringRef reduction, Value old, Value update) {
  if (reduction == "add")
    return createAdd(b, loc, old, update);
  if (reduction == "mul")
    return createMul(b, loc, old, update);
  if (reduction == "max")
    return createMax(b, loc, old, update);
  if (reduction == "min")
    return createMin(b, loc, old, update);
  return update;
}

/// Builds the loop nest over `updates`; `position` maps the loop indices to
/// the destination coordinates in the data.
Value buildScatter(OpBuilder &b, Location loc, Value data, Value updates, StringRef reduction,
                   function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)> position) {
  auto type = cast<RankedTensorType>(updates.getType());
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs(type.getRank(), zero), steps(type.getRank(), one), ubs;
  for (int64_t d : type.getShape())
    ubs.push_back(arith::ConstantIndexOp::create(b, loc, d));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, ValueRange{data},
      [&](OpBuilder &nb, Location l, ValueRange ivs, ValueRange carried) -> scf::ValueVector {
        SmallVector<Value> coords = position(nb, l, ivs);
        Value update = tensor::ExtractOp::create(nb, l, updates, ivs);
        if (reduction != "none")
          update = combine(nb, l, reduction, tensor::ExtractOp::create(nb, l, carried[0], coords),
                           update);
        return {tensor::InsertOp::create(nb, l, update, carried[0], coords)};
      });
  return nest.results.front();
}

struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    int64_t axis = op.getAxis();
    int64_t extent = op.getData().getType().getDimSize(axis);
    Value indices = adaptor.getIndices();
    Value result = buildScatter(rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(),
                                op.getReduction(), [&](OpBuilder &b, Location l, ValueRange ivs) {
                                  SmallVector<Value> coords(ivs);
                                  coords[axis] = normalizeIndex(
                                      b, l, tensor::ExtractOp::create(b, l, indices, ivs), extent);
                                  return coords;
                                });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto dataType = op.getData().getType();
    auto indicesType = op.getIndices().getType();
    int64_t k = indicesType.getShape().back();
    int64_t tupleRank = indicesType.getRank() - 1;
    Value indices = adaptor.getIndices();
    Value result = buildScatter(
        rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(), op.getReduction(),
        [&](OpBuilder &b, Location l, ValueRange ivs) {
          SmallVector<Value> coords, at(ivs.take_front(tupleRank));
          at.push_back(Value());
          for (int64_t j = 0; j < k; ++j) {
            at.back() = arith::ConstantIndexOp::create(b, l, j);
            coords.push_back(normalizeIndex(b, l, tensor::ExtractOp::create(b, l, indices, at),
                                            dataType.getDimSize(j)));
          }
          llvm::append_range(coords, ivs.drop_front(tupleRank));
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateKilnScatterToLoopsPatterns(RewritePatternSet &patterns) {
  patterns.add<ScatterElementsLowering, ScatterNDLowering>(patterns.getContext());
}

} // namespace kiln
