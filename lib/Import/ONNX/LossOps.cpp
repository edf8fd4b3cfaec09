//===- LossOps.cpp - ONNX loss functions to kiln ----------------*- C++ -*-===//
//
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, for models that
// compute their loss at inference (evaluation graphs, the backend suite):
//   loss[n, d...] = -input[n, target[n, d...], d...] * weight[target]
// with kiln.gather_elements along the class axis, ignore_index masking the
// entries (and their weights) out, and reduction none, sum or mean (the
// weighted mean divides by the sum of the weights used).
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// The loss of log-probabilities `logProb` ([N, C, d...]) against
/// `target` ([N, d...]) with optional per-class `weight` ([C]).
FailureOr<Value> negativeLogLikelihood(NodeImporter &n, Value logProb, Value target, Value weight) {
  auto fail = [&](const Twine &message) -> FailureOr<Value> {
    (void)n.error(message);
    return failure();
  };
  auto type = cast<RankedTensorType>(logProb.getType());
  auto targetType = cast<RankedTensorType>(target.getType());
  Type elt = type.getElementType();
  if (!isa<FloatType>(elt))
    return fail("the scores must be floats");
  if (type.getRank() < 2 || targetType.getRank() != type.getRank() - 1 ||
      targetType.getDimSize(0) != type.getDimSize(0) ||
      targetType.getShape().drop_front() != type.getShape().drop_front(2))
    return fail("the target must be N x d1 x ... for scores N x C x d1 x ...");
  if (!targetType.getElementType().isSignlessInteger() || targetType.getElementType().isInteger(1))
    return fail("the target must hold integer class indices");
  std::string reduction = n.stringAttr("reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return fail("unknown reduction '" + reduction + "'");

  Value valid;
  if (const onnx::AttributeProto *ignore = n.attr("ignore_index")) {
    Value ignored = n.scalarConstant(targetType.getElementType(), (double)ignore->i());
    valid = n.create<XorOp>(n.create<EqualOp>(target, ignored),
                            n.scalarConstant(n.builder.getI1Type(), 1));
    target = n.create<SelectOp>(valid, target, n.scalarConstant(targetType.getElementType(), 0));
  }
  SmallVector<int64_t> column(targetType.getShape());
  column.insert(column.begin() + 1, 1);
  Value picked = n.create<GatherElementsOp>(logProb, n.reshape(target, column),
                                            n.builder.getI64IntegerAttr(1));
  picked = n.reshape(picked, targetType.getShape());
  Value w;
  if (weight)
    w = n.create<GatherOp>(weight, target, n.builder.getI64IntegerAttr(0));
  if (valid) {
    Value ones = w ? w
                   : n.create<BroadcastOp>(RankedTensorType::get(targetType.getShape(), elt),
                                           n.scalarConstant(elt, 1.0));
    w = n.create<SelectOp>(valid, ones, n.scalarConstant(elt, 0.0));
  }
  Value loss = n.create<NegOp>(picked);
  if (w)
    loss = n.create<MulOp>(loss, w);
  if (reduction == "none")
    return loss;
  auto all =
      n.builder.getDenseI64ArrayAttr(llvm::to_vector(llvm::seq<int64_t>(0, targetType.getRank())));
  auto noKeep = n.builder.getBoolAttr(false);
  Value sum = n.create<ReduceSumOp>(loss, all, noKeep);
  if (reduction == "sum")
    return sum;
  if (!w)
    return n.create<DivOp>(sum, n.scalarConstant(elt, (double)targetType.getNumElements()));
  return n.create<DivOp>(sum, n.create<ReduceSumOp>(w, all, noKeep));
}

LogicalResult importNLLLoss(NodeImporter &n) {
  auto loss =
      negativeLogLikelihood(n, n.input(0), n.input(1), n.hasInput(2) ? n.input(2) : Value());
  if (failed(loss))
    return failure();
  n.setResult(0, *loss);
  return success();
}

LogicalResult importSoftmaxCrossEntropy(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (!isa<FloatType>(type.getElementType()))
    return n.error("the scores must be floats");
  if (type.getRank() < 2)
    return n.error("the scores must be N x C x ...");
  Value logProb = n.create<LogSoftmaxOp>(n.input(0), n.builder.getI64IntegerAttr(1));
  auto loss = negativeLogLikelihood(n, logProb, n.input(1), n.hasInput(2) ? n.input(2) : Value());
  if (failed(loss))
    return failure();
  n.setResult(0, *loss);
  n.setResult(1, logProb);
  return success();
}

} // namespace

void registerLossOps(OpRegistry &r) {
  r["NegativeLogLikelihoodLoss"] = importNLLLoss;
  r["SoftmaxCrossEntropyLoss"] = importSoftmaxCrossEntropy;
}

} // namespace kiln::onnx_import
