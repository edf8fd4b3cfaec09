//===- KilnBandOps.cpp - Verifier of kiln.row_bands -------------*- C++ -*-===//
//
// A row_bands body is a chain of batch-1 convolutions from its block
// argument to its yield: int8 kernels, or float convolutions with their
// bias and activation; their other operands come from outside.
//
//===----------------------------------------------------------------------===//

#include "kiln/IR/KilnOps.h"

using namespace mlir;

namespace kiln {

SmallVector<Operation *> RowBandsOp::getConvolutions() {
  SmallVector<Operation *> convs;
  for (Operation &op : getBody().front().without_terminator())
    if (isa<QConv2DOp, Conv2DOp>(op))
      convs.push_back(&op);
  return convs;
}

LogicalResult RowBandsOp::verify() {
  if (getInput().getType().getRank() != 4 || getType().getRank() != 4 ||
      getInput().getType().getDimSize(0) != 1 || getType().getDimSize(0) != 1)
    return emitOpError("needs batch-1 NCHW input and result");
  return success();
}

/// The operand of `op` that continues the chain, or null for an op that
/// cannot be in a band chain. `inFloatStage` allows the epilogue ops,
/// which follow a kiln.conv2d only; an add's other operand must be a
/// per-channel bias ([C, 1, 1] or [1, C, 1, 1]) of the same element type.
static Value chainedOperand(Operation &op, Region &body, bool inFloatStage) {
  if (auto conv = dyn_cast<QConv2DOp>(op))
    return conv.getInput();
  if (auto conv = dyn_cast<Conv2DOp>(op))
    return conv.getInput();
  if (!inFloatStage)
    return {};
  if (isa<ReluOp, ClampOp>(op))
    return op.getOperand(0);
  if (auto add = dyn_cast<AddOp>(op)) {
    bool lhsInside = add.getLhs().getParentRegion() == &body;
    bool rhsInside = add.getRhs().getParentRegion() == &body;
    if (lhsInside == rhsInside)
      return {};
    Value chained = lhsInside ? add.getLhs() : add.getRhs();
    Value bias = lhsInside ? add.getRhs() : add.getLhs();
    auto type = cast<RankedTensorType>(chained.getType());
    auto biasType = dyn_cast<RankedTensorType>(bias.getType());
    if (!biasType || add.getType() != type || biasType.getNumElements() != type.getDimSize(1))
      return {};
    ArrayRef<int64_t> shape = biasType.getShape();
    if (shape.size() < 3 || shape.size() > 4 || shape[shape.size() - 3] != type.getDimSize(1) ||
        shape[shape.size() - 2] != 1 || shape.back() != 1)
      return {};
    return chained;
  }
  return {};
}

LogicalResult RowBandsOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 || body.getArgument(0).getType() != getInput().getType())
    return emitOpError("body must take one argument of the input's type ") << getInput().getType();
  Value previous = body.getArgument(0);
  unsigned index = 0, convs = 0;
  bool inFloatStage = false;
  for (Operation &op : body.without_terminator()) {
    Value chained = chainedOperand(op, getBody(), inFloatStage);
    if (!chained)
      return emitOpError("body holds '")
             << op.getName()
             << "'; only kiln.qconv2d, and kiln.conv2d with a bias add, relu or clamp, band";
    if (index == 0 && !isa<QConv2DOp, Conv2DOp>(op))
      return emitOpError("body must start with a convolution");
    if (chained != previous || !previous.hasOneUse())
      return emitOpError("body op ") << index << " must be the only reader of the op before it";
    for (Value operand : op.getOperands())
      if (operand != chained && operand.getParentRegion() == &getBody())
        return emitOpError("filters and biases must come from outside the body");
    if (isa<QConv2DOp, Conv2DOp>(op))
      ++convs;
    inFloatStage = inFloatStage ? !isa<QConv2DOp>(op) : isa<Conv2DOp>(op);
    previous = op.getResult(0);
    ++index;
  }
  if (convs < 2)
    return emitOpError("body must chain at least two convolutions");
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield || yield.getValue() != previous)
    return emitOpError("must yield the last op's result");
  if (yield.getValue().getType() != getType())
    return emitOpError("yields ") << yield.getValue().getType() << " for a result of type "
                                  << getType();
  int64_t rows = getRows(), height = getType().getDimSize(2);
  if (rows > height)
    return emitOpError() << "bands of " << rows << " rows exceed the result's " << height;
  return success();
}

} // namespace kiln
