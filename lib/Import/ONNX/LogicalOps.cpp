//===- LogicalOps.cpp - ONNX comparisons, logic and Where to kiln -*- C++ -*-===//
//
// Equal, Less, LessOrEqual, Greater and GreaterOrEqual become kiln.equal,
// kiln.less and kiln.less_equal (Greater swaps the operands); And, Or and
// Xor map one to one and Not is an xor with true; the Bitwise ops (opset
// 18) are the same ops on integers, BitwiseNot an xor with all ones; Where
// is kiln.select; IsNaN and IsInf are comparisons.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include <limits>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

LogicalResult checkBinary(NodeImporter &n, unsigned a, unsigned b) {
  if (failed(n.requireSameElementType(a, b)) || failed(n.requireBroadcastable(a, b)))
    return failure();
  return success();
}

/// `lhs op rhs`, with the operands swapped when `Swap`.
template <typename OpTy, bool Swap = false> LogicalResult importCompare(NodeImporter &n) {
  if (failed(checkBinary(n, 0, 1)))
    return failure();
  Value a = n.input(0), b = n.input(1);
  Type elt = n.inputType(0).getElementType();
  if (n.inputIsUnsigned(0) && !std::is_same_v<OpTy, EqualOp> && !elt.isInteger(1)) {
    // Unsigned order is signed order with the sign bits flipped.
    a = n.flipSignBit(a);
    b = n.flipSignBit(b);
  }
  n.setResult(0, Swap ? n.create<OpTy>(b, a) : n.create<OpTy>(a, b));
  return success();
}

template <typename OpTy> LogicalResult importLogical(NodeImporter &n) {
  if (failed(checkBinary(n, 0, 1)))
    return failure();
  n.setResult(0, n.create<OpTy>(n.input(0), n.input(1)));
  return success();
}

template <typename OpTy> LogicalResult importBitwise(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (!isa<IntegerType>(elt) || elt.isInteger(1))
    return n.error(n.node.op_type() + " needs integer inputs, not " + n.describeInput(0));
  return importLogical<OpTy>(n);
}

LogicalResult importBitwiseNot(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (!isa<IntegerType>(elt) || elt.isInteger(1))
    return n.error("BitwiseNot needs an integer input, not " + n.describeInput(0));
  n.setResult(0, n.create<XorOp>(n.input(0), n.scalarConstant(elt, -1)));
  return success();
}

LogicalResult importNot(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (!elt.isInteger(1))
    return n.error("Not needs a bool input");
  n.setResult(0, n.create<XorOp>(n.input(0), n.scalarConstant(elt, 1)));
  return success();
}

LogicalResult importWhere(NodeImporter &n) {
  if (!n.inputType(0).getElementType().isInteger(1))
    return n.error("Where's condition must be bool");
  if (failed(checkBinary(n, 1, 2)))
    return failure();
  auto values = broadcastShapes(n.inputType(1).getShape(), n.inputType(2).getShape());
  if (!broadcastShapes(n.inputType(0).getShape(), *values))
    return n.error("the condition does not broadcast against the values");
  n.setResult(0, n.create<SelectOp>(n.input(0), n.input(1), n.input(2)));
  return success();
}

LogicalResult importIsNaN(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (!isa<FloatType>(elt))
    return n.error("IsNaN needs a float input");
  // Only NaN compares unequal to itself.
  Value same = n.create<EqualOp>(n.input(0), n.input(0));
  n.setResult(0, n.create<XorOp>(same, n.scalarConstant(n.builder.getI1Type(), 1)));
  return success();
}

LogicalResult importIsInf(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (!isa<FloatType>(elt))
    return n.error("IsInf needs a float input");
  bool positive = n.intAttr("detect_positive", 1) != 0;
  bool negative = n.intAttr("detect_negative", 1) != 0;
  double inf = std::numeric_limits<double>::infinity();
  Value x = n.input(0);
  Value result;
  if (positive)
    result = n.create<EqualOp>(x, n.scalarConstant(elt, inf));
  if (negative) {
    Value isNegInf = n.create<EqualOp>(x, n.scalarConstant(elt, -inf));
    result = result ? n.create<OrOp>(result, isNegInf) : isNegInf;
  }
  if (!result) // Detecting neither: all false (x < x never holds).
    result = n.create<LessOp>(x, x);
  n.setResult(0, result);
  return success();
}

} // namespace

void registerLogicalOps(OpRegistry &r) {
  r["Equal"] = importCompare<EqualOp>;
  r["Less"] = importCompare<LessOp>;
  r["LessOrEqual"] = importCompare<LessEqualOp>;
  r["Greater"] = importCompare<LessOp, /*Swap=*/true>;
  r["GreaterOrEqual"] = importCompare<LessEqualOp, /*Swap=*/true>;
  r["And"] = importLogical<AndOp>;
  r["Or"] = importLogical<OrOp>;
  r["Xor"] = importLogical<XorOp>;
  r["Not"] = importNot;
  r["BitwiseAnd"] = importBitwise<AndOp>;
  r["BitwiseOr"] = importBitwise<OrOp>;
  r["BitwiseXor"] = importBitwise<XorOp>;
  r["BitwiseNot"] = importBitwiseNot;
  r["Where"] = importWhere;
  r["IsNaN"] = importIsNaN;
  r["IsInf"] = importIsInf;
}

} // namespace kiln::onnx_import
