//===- ElementwiseInPlace.cpp - Elementwise ops write over an input -*- C++ -*-===//
//
// The kiln-elementwise-in-place pass: an elementwise linalg.generic whose
// result has the type of an input that nothing reads afterwards takes that
// input as its destination, so bufferization writes the result over it
// instead of into a new buffer. A convolution followed by its bias and
// ReLU then needs one buffer, not two.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_ELEMENTWISEINPLACEPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Whether bufferization gives `value` a buffer of its own that may be
/// written: the result of an op that computes it, reached through views
/// that nothing else uses. Function arguments (the caller's inputs) and
/// constants (read-only weights) may not be written.
bool ownsWritableBuffer(Value value) {
  while (true) {
    if (!value.hasOneUse())
      return false;
    Operation *def = value.getDefiningOp();
    if (!def || def->hasTrait<OpTrait::ConstantLike>() ||
        isa<bufferization::ToTensorOp, tensor::EmptyOp>(def))
      return false;
    if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def)) {
      value = def->getOperand(0);
      continue;
    }
    // Ops with destinations write their result into a buffer of their own
    // (or their destination's, which the same check covers).
    auto dps = dyn_cast<DestinationStyleOpInterface>(def);
    if (!dps)
      return isa<tensor::PadOp, tensor::ConcatOp, tensor::GenerateOp>(def);
    OpOperand *init = dps.getTiedOpOperand(cast<OpResult>(value));
    if (!init)
      return false;
    Value dest = init->get();
    if (dest.getDefiningOp<tensor::EmptyOp>())
      return true;
    value = dest;
  }
}

struct WriteOverInput : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || op.getNumDpsInits() != 1 ||
        op.getNumParallelLoops() != op.getNumLoops())
      return rewriter.notifyMatchFailure(op, "not a one-result elementwise op");
    OpOperand *init = op.getDpsInitOperand(0);
    if (!init->get().getDefiningOp<tensor::EmptyOp>() || op.payloadUsesValueFromOperand(init))
      return rewriter.notifyMatchFailure(op, "the destination is not a fresh tensor");
    AffineMap outMap = op.getMatchingIndexingMap(init);
    Type outType = init->get().getType();
    OpOperand *chosen = nullptr;
    for (OpOperand *input : op.getDpsInputOperands()) {
      Value v = input->get();
      if (v.getType() != outType || op.getMatchingIndexingMap(input) != outMap ||
          !ownsWritableBuffer(v))
        continue;
      chosen = input;
      break;
    }
    if (!chosen)
      return rewriter.notifyMatchFailure(op, "no input can hold the result");

    // The same generic with `chosen` moved from the inputs to the
    // destination: its payload argument becomes the destination's.
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    for (OpOperand *input : op.getDpsInputOperands())
      if (input != chosen) {
        inputs.push_back(input->get());
        maps.push_back(op.getMatchingIndexingMap(input));
      }
    maps.push_back(outMap);
    auto replacement =
        linalg::GenericOp::create(rewriter, op.getLoc(), op.getResultTypes(), inputs,
                                  ValueRange{chosen->get()}, maps, op.getIteratorTypesArray());
    Region &region = replacement.getRegion();
    rewriter.inlineRegionBefore(op.getRegion(), region, region.end());
    Block &body = region.front();
    unsigned chosenArg = chosen->getOperandNumber();
    BlockArgument outArg = body.getArgument(body.getNumArguments() - 1);
    rewriter.replaceAllUsesWith(body.getArgument(chosenArg), outArg);
    body.eraseArgument(chosenArg);
    rewriter.replaceOp(op, replacement.getResults());
    return success();
  }
};

struct ElementwiseInPlacePass : impl::ElementwiseInPlacePassBase<ElementwiseInPlacePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<WriteOverInput>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
