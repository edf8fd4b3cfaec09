//===- ActivationOps.cpp - ONNX activations built from core ops -*- C++ -*-===//
//
// Activations without a kiln op of their own, written with kiln's
// arithmetic, exp/log/abs, comparisons and select:
//   Elu, Selu, Celu, ThresholdedRelu, PRelu, Shrink, Softsign, Softplus,
//   Mish (opset 18) and Gelu (opset 20).
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Float input 0, or an error naming the op.
FailureOr<Type> floatInput(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (!isa<FloatType>(elt)) {
    (void)n.unsupported("element type " + llvm::Twine(n.node.op_type()) + " on non-float input");
    return failure();
  }
  return elt;
}

/// alpha * (exp(x) - 1)
Value expm1Scaled(NodeImporter &n, Value x, Type elt, double alpha) {
  Value em1 = n.create<SubOp>(n.create<ExpOp>(x), n.scalarConstant(elt, 1.0));
  return alpha == 1.0 ? em1 : n.create<MulOp>(em1, n.scalarConstant(elt, alpha));
}

/// Elu: x >= 0 ? x : alpha * (exp(x) - 1)
LogicalResult importElu(NodeImporter &n) {
  auto elt = floatInput(n);
  if (failed(elt))
    return failure();
  Value x = n.input(0);
  Value negative = n.create<LessOp>(x, n.scalarConstant(*elt, 0.0));
  n.setResult(0,
              n.create<SelectOp>(negative, expm1Scaled(n, x, *elt, n.floatAttr("alpha", 1.0f)), x));
  return success();
}

/// Selu: gamma * (x > 0 ? x : alpha * (exp(x) - 1))
LogicalResult importSelu(NodeImporter &n) {
  auto elt = floatInput(n);
  if (failed(elt))
    return failure();
  double alpha = n.floatAttr("alpha", 1.67326319217681884765625f);
  double gamma = n.floatAttr("gamma", 1.05070102214813232421875f);
  Value x = n.input(0);
  Value positive = n.create<LessOp>(n.scalarConstant(*elt, 0.0), x);
  Value inner = n.create<SelectOp>(positive, x, expm1Scaled(n, x, *elt, alpha));
  n.setResult(0, n.create<MulOp>(inner, n.scalarConstant(*elt, gamma)));
  return success();
}

/// Celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
LogicalResult importCelu(NodeImporter &n) {
  auto elt = floatInput(n);
  if (failed(elt))
    return failure();
  double alpha = n.floatAttr("alpha", 1.0f);
  if (alpha == 0.0)
    return n.error("Celu's alpha must not be 0");
  Value x = n.input(0);
  Value zero = n.scalarConstant(*elt, 0.0);
  Value scaled = n.create<DivOp>(x, n.scalarConstant(*elt, alpha));
  Value neg = n.create<MinOp>(expm1Scaled(n, scaled, *elt, alpha), zero);
  n.setResult(0, n.create<AddOp>(n.create<ReluOp>(x), neg));
  return success();
}

/// ThresholdedRelu: x > alpha ? x : 0
LogicalResult importThresholdedRelu(NodeImporter &n) {
  auto elt = floatInput(n);
  if (failed(elt))
    return failure();
  Value x = n.input(0);
  Value above = n.create<LessOp>(n.scalarConstant(*elt, n.floatAttr("alpha", 1.0f)), x);
  n.setResult(0, n.create<SelectOp>(above, x, n.scalarConstant(*elt, 0.0)));
  return success();
}

/// PRelu: x < 0 ? slope * x : x, the slope broadcasting to x.
LogicalResult importPRelu(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0), slopeType = n.inputType(1);
  if (failed(n.requireSameElementType(0, 1)))
    return failure();
  Value slope = n.input(1);
  auto shape = broadcastShapes(xType.getShape(), slopeType.getShape());
  if (!shape || *shape != SmallVector<int64_t>(xType.getShape())) {
    // Models from before opset 7 give one slope per channel (axis 1) as a
    // 1-D tensor; the version converter leaves it so.
    if (slopeType.getRank() == 1 && xType.getRank() >= 2 &&
        slopeType.getDimSize(0) == xType.getDimSize(1)) {
      SmallVector<int64_t> perChannel(xType.getRank() - 1, 1);
      perChannel[0] = slopeType.getDimSize(0);
      slope = n.reshape(slope, perChannel);
    } else {
      return n.error("the slope does not broadcast to the input's shape");
    }
  }
  Value x = n.input(0);
  Type elt = xType.getElementType();
  Value negative = n.create<LessOp>(x, n.scalarConstant(elt, 0.0));
  n.setResult(0, n.create<SelectOp>(negative, n.create<MulOp>(x, slope), x));
  return success();
}

/// Shrink: x < -lambd ? x + bias : (x > lambd ? x - bias : 0)
LogicalResult importShrink(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (elt.isInteger(1))
    return n.error("Shrink needs a numeric input");
  double lambd = n.floatAttr("lambd", 0.5f), bias = n.floatAttr("bias", 0.0f);
  Value x = n.input(0);
  Value below = n.create<LessOp>(x, n.scalarConstant(elt, -lambd));
  Value above = n.create<LessOp>(n.scalarConstant(elt, lambd), x);
  Value b = n.scalarConstant(elt, bias);
  Value outer = n.create<SelectOp>(above, n.create<SubOp>(x, b), n.scalarConstant(elt, 0.0));
  n.setResult(0, n.create<SelectOp>(below, n.create<AddOp>(x, b), outer));
  return success();
}

/// Softsign: x / (1 + |x|)
LogicalResult importSoftsign(NodeImporter &n) {
  auto elt = floatInput(n);
  if (failed(elt))
    return failure();
  Value x = n.input(0);
  n.setResult(0,
              n.create<DivOp>(x, n.create<AddOp>(n.create<AbsOp>(x), n.scalarConstant(*elt, 1.0))));
  return success();
}

/// log(1 + exp(x)) as max(x, 0) + log(1 + exp(-|x|)), so that large
/// inputs do not overflow.
Value softplus(NodeImporter &n, Value x, Type elt) {
  Value e = n.create<ExpOp>(n.create<NegOp>(n.create<AbsOp>(x)));
  Value tail = n.create<LogOp>(n.create<AddOp>(e, n.scalarConstant(elt, 1.0)));
  return n.create<AddOp>(n.create<ReluOp>(x), tail);
}

LogicalResult importSoftplus(NodeImporter &n) {
  auto elt = floatInput(n);
  if (failed(elt))
    return failure();
  n.setResult(0, softplus(n, n.input(0), *elt));
  return success();
}

/// Mish: x * tanh(softplus(x)).
LogicalResult importMish(NodeImporter &n) {
  auto elt = floatInput(n);
  if (failed(elt))
    return failure();
  Value x = n.input(0);
  n.setResult(0, n.create<MulOp>(x, n.create<TanhOp>(softplus(n, x, *elt))));
  return success();
}

/// Gelu: x/2 * (1 + erf(x / sqrt(2))), or with approximate = "tanh"
/// x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))).
LogicalResult importGelu(NodeImporter &n) {
  auto elt = floatInput(n);
  if (failed(elt))
    return failure();
  std::string approximate = n.stringAttr("approximate", "none");
  Value x = n.input(0);
  Value inner;
  if (approximate == "none") {
    inner = n.create<ErfOp>(n.create<MulOp>(x, n.scalarConstant(*elt, M_SQRT1_2)));
  } else if (approximate == "tanh") {
    Value cube = n.create<MulOp>(n.create<MulOp>(x, x), x);
    Value poly = n.create<AddOp>(x, n.create<MulOp>(cube, n.scalarConstant(*elt, 0.044715)));
    inner = n.create<TanhOp>(n.create<MulOp>(poly, n.scalarConstant(*elt, M_2_SQRTPI * M_SQRT1_2)));
  } else {
    return n.error("Gelu approximate must be 'none' or 'tanh', not '" + approximate + "'");
  }
  Value half = n.create<MulOp>(x, n.scalarConstant(*elt, 0.5));
  n.setResult(0, n.create<MulOp>(half, n.create<AddOp>(inner, n.scalarConstant(*elt, 1.0))));
  return success();
}

} // namespace

void registerActivationOps(OpRegistry &r) {
  r["Elu"] = importElu;
  r["Selu"] = importSelu;
  r["Celu"] = importCelu;
  r["ThresholdedRelu"] = importThresholdedRelu;
  r["PRelu"] = importPRelu;
  r["Shrink"] = importShrink;
  r["Softsign"] = importSoftsign;
  r["Softplus"] = importSoftplus;
  r["Mish"] = importMish;
  r["Gelu"] = importGelu;
}

} // namespace kiln::onnx_import
