//===- EinsumOps.cpp - ONNX Einsum to kiln ----------------------*- C++ -*-===//
//
// Einsum's equation attribute and operands, built by buildEinsum
// (lib/Import/Common/Einsum.cpp), which TorchScript's aten::einsum shares.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "kiln/Import/Einsum.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

LogicalResult importEinsum(NodeImporter &n) {
  SmallVector<Value> operands;
  for (unsigned i = 0; i < n.numInputs(); ++i)
    operands.push_back(n.input(i));
  FailureOr<Value> y = buildEinsum(n, n.stringAttr("equation", ""), operands);
  if (failed(y))
    return failure();
  n.setResult(0, *y);
  return success();
}

} // namespace

void registerEinsumOps(OpRegistry &r) { r["Einsum"] = importEinsum; }

} // namespace kiln::onnx_import
