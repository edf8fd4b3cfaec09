//===- ReductionOps.cpp - ONNX reductions to kiln ---------------*- C++ -*-===//
//
// ReduceSum/Mean/Max/Min/Prod with axes from attributes or (ReduceSum at
// opset 13+, every reduction at 18+) from a constant input, keepdims and
// noop_with_empty_axes;
// ReduceL1/L2/SumSquare/LogSum/LogSumExp composed from them; ArgMax and
// ArgMin.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// The node's reduction axes, sorted, unique and non-negative; empty
/// `*axes` with `noop` set means "return the input".
LogicalResult reductionAxes(NodeImporter &n, bool axesAsInput, SmallVector<int64_t> &axes,
                            bool &noop) {
  int64_t rank = n.inputType(0).getRank();
  std::optional<SmallVector<int64_t>> given;
  if (axesAsInput)
    given = n.hasInput(1) ? n.constantInts(1) : SmallVector<int64_t>{};
  else
    given = n.intsAttr("axes");
  if (!given)
    return n.unsupportedAtRunTime({1}, "reduction axes computed at run time");
  noop = false;
  if (given->empty()) {
    if (n.intAttr("noop_with_empty_axes", 0)) {
      noop = true;
      axes.clear();
      return success();
    }
    given = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  for (int64_t &a : *given) {
    auto axis = n.normalizeAxis(a, rank);
    if (failed(axis))
      return failure();
    a = *axis;
  }
  llvm::sort(*given);
  given->erase(std::unique(given->begin(), given->end()), given->end());
  axes = *given;
  return success();
}

template <typename OpTy>
Value reduce(NodeImporter &n, Value x, ArrayRef<int64_t> axes, bool keepDims) {
  return n.create<OpTy>(x, n.builder.getDenseI64ArrayAttr(axes), n.builder.getBoolAttr(keepDims));
}

template <typename OpTy> LogicalResult importReduce(NodeImporter &n) {
  SmallVector<int64_t> axes;
  bool noop;
  bool axesAsInput =
      (std::is_same_v<OpTy, ReduceSumOp> && n.getOpset() >= 13) || n.getOpset() >= 18;
  if (failed(reductionAxes(n, axesAsInput, axes, noop)))
    return failure();
  if (noop) {
    n.setResult(0, n.input(0));
    return success();
  }
  // Unsigned maxima and minima: flipped sign bits in and out. Bools (opset
  // 20) too: signless i1 true is -1 in signed order.
  bool flip = (std::is_same_v<OpTy, ReduceMaxOp> || std::is_same_v<OpTy, ReduceMinOp>) &&
              (n.inputIsUnsigned(0) || n.inputType(0).getElementType().isInteger(1));
  Value x = flip ? n.flipSignBit(n.input(0)) : n.input(0);
  Value y = reduce<OpTy>(n, x, axes, n.intAttr("keepdims", 1));
  n.setResult(0, flip ? n.flipSignBit(y) : y);
  return success();
}

enum class Composite { L1, L2, SumSquare, LogSum, LogSumExp };

/// The reductions kiln builds from reduce_sum / reduce_max and elementwise
/// ops: L1 = sum|x|, L2 = sqrt(sum x^2), SumSquare = sum x^2,
/// LogSum = log(sum x), LogSumExp = log(sum exp(x - max)) + max.
template <Composite Kind> LogicalResult importCompositeReduce(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  bool needsFloat =
      Kind == Composite::L2 || Kind == Composite::LogSum || Kind == Composite::LogSumExp;
  if (elt.isInteger(1) || (needsFloat && !isa<FloatType>(elt)))
    return n.unsupported("element type " + llvm::Twine(n.node.op_type()) + " on " +
                         (elt.isInteger(1) ? "bool" : "integer") + " input");
  SmallVector<int64_t> axes;
  bool noop;
  if (failed(reductionAxes(n, /*axesAsInput=*/n.getOpset() >= 18, axes, noop)))
    return failure();
  Value x = n.input(0);
  if (noop) {
    // Opset 18's noop_with_empty_axes with no axes: the elementwise part of
    // the reduction alone, as ONNX's reference computes it.
    Value y;
    switch (Kind) {
    case Composite::L1:
    case Composite::L2:
      y = n.create<AbsOp>(x);
      break;
    case Composite::SumSquare:
      y = n.create<MulOp>(x, x);
      break;
    case Composite::LogSum:
      y = n.create<LogOp>(x);
      break;
    case Composite::LogSumExp:
      y = x;
      break;
    }
    n.setResult(0, y);
    return success();
  }
  bool keep = n.intAttr("keepdims", 1) != 0;
  Value result;
  switch (Kind) {
  case Composite::L1:
    result = reduce<ReduceSumOp>(n, n.create<AbsOp>(x), axes, keep);
    break;
  case Composite::L2:
    result = n.create<SqrtOp>(reduce<ReduceSumOp>(n, n.create<MulOp>(x, x), axes, keep));
    break;
  case Composite::SumSquare:
    result = reduce<ReduceSumOp>(n, n.create<MulOp>(x, x), axes, keep);
    break;
  case Composite::LogSum:
    result = n.create<LogOp>(reduce<ReduceSumOp>(n, x, axes, keep));
    break;
  case Composite::LogSumExp: {
    Value max = reduce<ReduceMaxOp>(n, x, axes, /*keepDims=*/true);
    Value sum = reduce<ReduceSumOp>(n, n.create<ExpOp>(n.create<SubOp>(x, max)), axes, keep);
    Value maxOut = keep ? max : reduce<ReduceMaxOp>(n, x, axes, /*keepDims=*/false);
    result = n.create<AddOp>(n.create<LogOp>(sum), maxOut);
    break;
  }
  }
  n.setResult(0, result);
  return success();
}

template <typename OpTy> LogicalResult importArgReduce(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (type.getElementType().isInteger(1))
    return n.unsupported("element type " + llvm::Twine(n.node.op_type()) + " on bool input");
  auto axis = n.normalizeAxis(n.intAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  if (type.getDimSize(*axis) == 0)
    return n.error("cannot take the index of an empty axis");
  Value x = n.inputIsUnsigned(0) ? n.flipSignBit(n.input(0)) : n.input(0);
  n.setResult(0, n.create<OpTy>(x, n.builder.getI64IntegerAttr(*axis),
                                n.builder.getBoolAttr(n.intAttr("keepdims", 1) != 0),
                                n.builder.getBoolAttr(n.intAttr("select_last_index", 0) != 0)));
  return success();
}

} // namespace

void registerReductionOps(OpRegistry &r) {
  r["ReduceSum"] = importReduce<ReduceSumOp>;
  r["ReduceMean"] = importReduce<ReduceMeanOp>;
  r["ReduceMax"] = importReduce<ReduceMaxOp>;
  r["ReduceMin"] = importReduce<ReduceMinOp>;
  r["ReduceProd"] = importReduce<ReduceProdOp>;
  r["ReduceL1"] = importCompositeReduce<Composite::L1>;
  r["ReduceL2"] = importCompositeReduce<Composite::L2>;
  r["ReduceSumSquare"] = importCompositeReduce<Composite::SumSquare>;
  r["ReduceLogSum"] = importCompositeReduce<Composite::LogSum>;
  r["ReduceLogSumExp"] = importCompositeReduce<Composite::LogSumExp>;
  r["ArgMax"] = importArgReduce<ArgMaxOp>;
  r["ArgMin"] = importArgReduce<ArgMinOp>;
}

} // namespace kiln::onnx_import
