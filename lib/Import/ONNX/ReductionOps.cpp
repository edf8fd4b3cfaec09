//===- ReductionOps.cpp - ONNX reductions to kiln ---------------*- C++ -*-===//
//
// ReduceSum/Mean/Max/Min/Prod with axes from attributes or (ReduceSum at
// opset 13+) from a constant input, keepdims and noop_with_empty_axes.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

template <typename OpTy>
LogicalResult importReduce(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  int64_t rank = xType.getRank();
  std::optional<SmallVector<int64_t>> axes;
  bool axesAsInput = std::is_same_v<OpTy, ReduceSumOp> && n.getOpset() >= 13;
  if (axesAsInput)
    axes = n.hasInput(1) ? n.constantInts(1) : SmallVector<int64_t>{};
  else
    axes = n.intsAttr("axes");
  if (!axes)
    return n.unsupported("reduction axes computed at run time");
  if (axes->empty()) {
    if (n.intAttr("noop_with_empty_axes", 0)) {
      n.setResult(0, n.input(0));
      return success();
    }
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
  for (int64_t &a : *axes) {
    auto axis = n.normalizeAxis(a, rank);
    if (failed(axis))
      return failure();
    a = *axis;
  }
  llvm::sort(*axes);
  axes->erase(std::unique(axes->begin(), axes->end()), axes->end());
  n.setResult(0, n.create<OpTy>(n.input(0), n.builder.getDenseI64ArrayAttr(*axes),
                                n.builder.getBoolAttr(n.intAttr("keepdims", 1) != 0)));
  return success();
}

} // namespace

void registerReductionOps(OpRegistry &r) {
  r["ReduceSum"] = importReduce<ReduceSumOp>;
  r["ReduceMean"] = importReduce<ReduceMeanOp>;
  r["ReduceMax"] = importReduce<ReduceMaxOp>;
  r["ReduceMin"] = importReduce<ReduceMinOp>;
  r["ReduceProd"] = importReduce<ReduceProdOp>;
}

} // namespace kiln::onnx_import
