//===- KilnBandOps.cpp - Verifier of kiln.row_bands -------------*- C++ -*-===//
//
// A row_bands body is a chain of batch-1 int8 convolutions from its block
// argument to its yield; their other operands come from outside.
//
//===----------------------------------------------------------------------===//

#include "kiln/IR/KilnOps.h"

using namespace mlir;

namespace kiln {

SmallVector<QConv2DOp> RowBandsOp::getChain() {
  SmallVector<QConv2DOp> chain;
  for (Operation &op : getBody().front().without_terminator())
    if (auto conv = dyn_cast<QConv2DOp>(op))
      chain.push_back(conv);
  return chain;
}

LogicalResult RowBandsOp::verify() {
  if (getInput().getType().getDimSize(0) != 1 || getType().getDimSize(0) != 1)
    return emitOpError("needs batch-1 input and result");
  return success();
}

LogicalResult RowBandsOp::verifyRegions() {
  Block &body = getBody().front();
  if (body.getNumArguments() != 1 || body.getArgument(0).getType() != getInput().getType())
    return emitOpError("body must take one argument of the input's type ")
           << getInput().getType();
  Value previous = body.getArgument(0);
  unsigned count = 0;
  for (Operation &op : body.without_terminator()) {
    auto conv = dyn_cast<QConv2DOp>(op);
    if (!conv)
      return emitOpError("body holds '") << op.getName() << "'; only kiln.qconv2d chains band";
    if (conv.getInput() != previous || !previous.hasOneUse())
      return emitOpError("body op ") << count << " must be the only reader of the op before it";
    for (Value operand : {conv.getFilter(), conv.getBias()})
      if (operand && operand.getParentRegion() == &getBody())
        return emitOpError("filters and biases must come from outside the body");
    previous = conv.getResult();
    ++count;
  }
  if (count < 2)
    return emitOpError("body must chain at least two convolutions");
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield || yield.getValue() != previous)
    return emitOpError("must yield the last convolution's result");
  if (yield.getValue().getType() != getType())
    return emitOpError("yields ") << yield.getValue().getType() << " for a result of type "
                                  << getType();
  int64_t rows = getRows(), height = getType().getDimSize(2);
  if (rows > height)
    return emitOpError() << "bands of " << rows << " rows exceed the result's " << height;
  return success();
}

} // namespace kiln
