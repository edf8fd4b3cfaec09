//===- ElementwiseOps.cpp - ONNX elementwise ops to kiln --------*- C++ -*-===//
//
// Arithmetic with broadcasting, activations, Clip and the activations that
// decompose into core ops (HardSigmoid, HardSwish). ONNX and kiln share
// NumPy broadcasting, so the binary ops map one to one.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "kiln/Import/Decompositions.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

template <typename OpTy> FailureOr<Value> unsignedDivision(NodeImporter &n);

template <typename OpTy> LogicalResult importBinary(NodeImporter &n) {
  if (failed(n.requireSameElementType(0, 1)) || failed(n.requireBroadcastable(0, 1)))
    return failure();
  if (std::is_same_v<OpTy, DivOp> && n.inputIsUnsigned(0)) {
    auto q = unsignedDivision<DivOp>(n);
    if (failed(q))
      return failure();
    n.setResult(0, *q);
    return success();
  }
  Value result = n.create<OpTy>(n.input(0), n.input(1));
  // Shape arithmetic: integer ops on small constants fold right away.
  auto lhs = n.constantInts(0), rhs = n.constantInts(1);
  auto type = cast<RankedTensorType>(result.getType());
  if (lhs && rhs && type.getNumElements() <= 4096 &&
      type.getElementType().getIntOrFloatBitWidth() > 1) {
    auto lShape = n.inputType(0).getShape(), rShape = n.inputType(1).getShape();
    auto shape = type.getShape();
    SmallVector<APInt> values;
    for (int64_t linear = 0; linear < type.getNumElements(); ++linear) {
      // Broadcast indexing, right-aligned.
      auto at = [&](ArrayRef<int64_t> s, const SmallVector<int64_t> &v) {
        int64_t idx = 0, rem = linear, stride = 1, offset = shape.size() - s.size();
        SmallVector<int64_t> coord(shape.size());
        for (int64_t d = shape.size() - 1; d >= 0; --d) {
          coord[d] = rem % shape[d];
          rem /= shape[d];
        }
        for (int64_t d = s.size() - 1; d >= 0; --d) {
          idx += (s[d] == 1 ? 0 : coord[d + offset]) * stride;
          stride *= s[d];
        }
        return v[idx];
      };
      int64_t a = at(lShape, *lhs), b = at(rShape, *rhs), r;
      if constexpr (std::is_same_v<OpTy, AddOp>)
        r = a + b;
      else if constexpr (std::is_same_v<OpTy, SubOp>)
        r = a - b;
      else if constexpr (std::is_same_v<OpTy, MulOp>)
        r = a * b;
      else if constexpr (std::is_same_v<OpTy, DivOp>) {
        if (b == 0)
          return n.error("integer division by zero in shape arithmetic");
        r = a / b;
      } else {
        return n.setResult(0, result), success();
      }
      values.emplace_back(type.getElementType().getIntOrFloatBitWidth(), (uint64_t)r,
                          /*isSigned=*/true, /*implicitTrunc=*/true);
    }
    result = ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(type, values));
  }
  n.setResult(0, result);
  return success();
}

/// Pow: the exponent may have another element type (opset 12+); it is
/// cast to the base's, which is the result's.
LogicalResult importPow(NodeImporter &n) {
  RankedTensorType base = n.inputType(0), exponent = n.inputType(1);
  if (base.getElementType().isInteger(1) || exponent.getElementType().isInteger(1))
    return n.error("Pow needs numeric operands");
  if (!broadcastShapes(base.getShape(), exponent.getShape()))
    return n.error("operand shapes do not broadcast");
  Value e = n.input(1);
  if (exponent.getElementType() != base.getElementType())
    e = n.convert(e, n.inputIsUnsigned(1), base.getElementType(), n.inputIsUnsigned(0));
  n.setResult(0, n.create<PowOp>(n.input(0), e));
  return success();
}

/// Max, Min and Sum take one or more operands.
template <typename OpTy> LogicalResult importVariadic(NodeImporter &n) {
  // Max and Min of unsigned integers work on sign-flipped values.
  bool flip = !std::is_same_v<OpTy, AddOp> && n.inputIsUnsigned(0);
  Value acc = flip ? n.flipSignBit(n.input(0)) : n.input(0);
  for (unsigned i = 1; i < n.numInputs(); ++i) {
    auto accType = cast<RankedTensorType>(acc.getType());
    if (accType.getElementType() != n.inputType(i).getElementType() ||
        !broadcastShapes(accType.getShape(), n.inputType(i).getShape()))
      return n.error("operands differ in element type or do not broadcast");
    acc = n.create<OpTy>(acc, flip ? n.flipSignBit(n.input(i)) : n.input(i));
  }
  n.setResult(0, flip ? n.flipSignBit(acc) : acc);
  return success();
}

/// uint64 division with kiln's signed i64 ops on the bit patterns (Hacker's
/// Delight's divlu): a divisor of 2^63 or more goes at most once; a smaller
/// one divides a >> 1 (non-negative) and the doubled quotient is corrected
/// once. Unsigned comparisons compare with the sign bits flipped.
template <typename OpTy> Value unsignedDivision64(NodeImporter &n) {
  Type i64 = n.builder.getI64Type(), i1 = n.builder.getI1Type();
  Value a = n.input(0), b = n.input(1);
  Value zero = n.scalarConstant(i64, 0), one = n.scalarConstant(i64, 1);
  Value yes = n.scalarConstant(i1, 1);
  auto atLeast = [&](Value x, Value y) { // x >= y, unsigned
    return n.create<XorOp>(n.create<LessOp>(n.flipSignBit(x), n.flipSignBit(y)), yes);
  };
  Value bHigh = n.create<LessOp>(b, zero);
  Value small = n.create<SelectOp>(bHigh, one, b);
  Value q = n.create<ShiftLeftOp>(n.create<DivOp>(n.create<ShiftRightOp>(a, one), small), one);
  Value r = n.create<SubOp>(a, n.create<MulOp>(q, small));
  Value again = atLeast(r, small);
  q = n.create<SelectOp>(again, n.create<AddOp>(q, one), q);
  r = n.create<SelectOp>(again, n.create<SubOp>(r, small), r);
  Value once = atLeast(a, b);
  if constexpr (std::is_same_v<OpTy, DivOp>)
    return n.create<SelectOp>(bHigh, n.create<SelectOp>(once, one, zero), q);
  return n.create<SelectOp>(bHigh, n.create<SelectOp>(once, n.create<SubOp>(a, b), a), r);
}

/// Unsigned Div and Mod: zero-extended to i64, divided, truncated back
/// (uint64 through unsignedDivision64).
template <typename OpTy> FailureOr<Value> unsignedDivision(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (elt.getIntOrFloatBitWidth() >= 64)
    return unsignedDivision64<OpTy>(n);
  Type i64 = n.builder.getI64Type();
  Value a = n.convert(n.input(0), true, i64, false);
  Value b = n.convert(n.input(1), true, i64, false);
  Value q = n.create<OpTy>(a, b);
  return n.convert(q, false, elt, true);
}

LogicalResult requireFloat(NodeImporter &n, unsigned i) {
  if (!isa<FloatType>(n.inputType(i).getElementType()))
    return n.unsupported("element type " + llvm::Twine(n.node.op_type()) + " on non-float input");
  return success();
}

template <typename OpTy> LogicalResult importUnary(NodeImporter &n) {
  if (failed(requireFloat(n, 0)))
    return failure();
  n.setResult(0, n.create<OpTy>(n.input(0)));
  return success();
}

/// Neg and Abs also take signed integers.
template <typename OpTy> LogicalResult importNumericUnary(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (elt.isInteger(1))
    return n.unsupported("element type " + llvm::Twine(n.node.op_type()) + " on bool input");
  n.setResult(0, n.create<OpTy>(n.input(0)));
  return success();
}

/// Sign: x > 0 ? 1 : (x < 0 ? -1 : 0); NaN stays NaN.
LogicalResult importSign(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (elt.isInteger(1))
    return n.unsupported("element type Sign on bool input");
  Value x = n.input(0);
  Value zero = n.scalarConstant(elt, 0.0);
  Value negative = n.create<SelectOp>(n.create<LessOp>(x, zero), n.scalarConstant(elt, -1.0), zero);
  Value sign = n.create<SelectOp>(n.create<LessOp>(zero, x), n.scalarConstant(elt, 1.0), negative);
  if (isa<FloatType>(elt)) // NaN fails both comparisons; keep it.
    sign = n.create<SelectOp>(n.create<EqualOp>(x, x), sign, x);
  n.setResult(0, sign);
  return success();
}

/// Mod: fmod = 1 is C's fmod (the sign of the dividend); fmod = 0, for
/// integers only, takes the sign of the divisor as Python's % does.
LogicalResult importMod(NodeImporter &n) {
  if (failed(n.requireSameElementType(0, 1)) || failed(n.requireBroadcastable(0, 1)))
    return failure();
  Type elt = n.inputType(0).getElementType();
  bool fmod = n.intAttr("fmod", 0) != 0;
  if (isa<FloatType>(elt) && !fmod)
    return n.error("Mod of floats needs fmod = 1");
  if (elt.isInteger(1))
    return n.error("Mod needs numeric inputs");
  if (n.inputIsUnsigned(0)) { // both kinds agree on non-negative values
    auto r = unsignedDivision<RemOp>(n);
    if (failed(r))
      return failure();
    n.setResult(0, *r);
    return success();
  }
  Value a = n.input(0), b = n.input(1);
  n.setResult(0, fmod ? n.create<RemOp>(a, b) : buildFlooredRemainder(n, a, b));
  return success();
}

/// BitShift on unsigned integers: logical shifts.
LogicalResult importBitShift(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (!elt.isSignlessInteger() || elt.isInteger(1) || elt != n.inputType(1).getElementType())
    return n.error("BitShift needs two integer operands of one type");
  if (!broadcastShapes(n.inputType(0).getShape(), n.inputType(1).getShape()))
    return n.error("operand shapes do not broadcast");
  std::string direction = n.stringAttr("direction", "");
  if (direction == "LEFT")
    n.setResult(0, n.create<ShiftLeftOp>(n.input(0), n.input(1)));
  else if (direction == "RIGHT")
    n.setResult(0, n.create<ShiftRightOp>(n.input(0), n.input(1)));
  else
    return n.error("BitShift direction must be LEFT or RIGHT");
  return success();
}

/// Mean: the sum of the operands over their number.
LogicalResult importMean(NodeImporter &n) {
  if (failed(importVariadic<AddOp>(n)))
    return failure();
  Value sum = n.results()[0];
  Type elt = cast<RankedTensorType>(sum.getType()).getElementType();
  if (!isa<FloatType>(elt))
    return n.unsupported("element type Mean on non-float input");
  n.setResult(0, n.create<DivOp>(sum, n.scalarConstant(elt, n.numInputs())));
  return success();
}

LogicalResult importIdentity(NodeImporter &n) {
  n.setResult(0, n.input(0));
  return success();
}

/// Dropout with training_mode (or, in training mode, the ratio) known only
/// at run time: the identity and an all-true mask where the mode is off or
/// the ratio 0. Kiln generates no random numbers, so where the run-time
/// values ask for random dropping the output is NaN and the mask all
/// false: loud, never a silently undropped result.
LogicalResult importRunTimeDropout(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (!isa<FloatType>(elt))
    return n.error("Dropout needs a floating-point input");
  Type i1 = n.builder.getI1Type();
  Value training =
      n.create<XorOp>(n.create<EqualOp>(n.reshape(n.input(2), {}), n.scalarConstant(i1, 0)),
                      n.scalarConstant(i1, 1));
  Value drop = training;
  if (n.hasInput(1)) {
    Value ratio = n.reshape(n.input(1), {});
    Type rt = cast<RankedTensorType>(ratio.getType()).getElementType();
    drop =
        n.create<AndOp>(training, n.create<XorOp>(n.create<EqualOp>(ratio, n.scalarConstant(rt, 0)),
                                                  n.scalarConstant(i1, 1)));
  }
  n.setResult(0, n.create<SelectOp>(drop, n.scalarConstant(elt, NAN), n.input(0)));
  auto maskType = RankedTensorType::get(type.getShape(), i1);
  n.setResult(1, n.create<BroadcastOp>(maskType, n.create<XorOp>(drop, n.scalarConstant(i1, 1))));
  return success();
}

LogicalResult importDropout(NodeImporter &n) {
  // Inference: Dropout is the identity; its mask output is all true.
  if (n.hasInput(2)) {
    auto training = n.constantInput(2);
    if (n.inputType(2).getNumElements() != 1)
      return n.error("Dropout's training_mode must be one bool");
    if (!training ||
        (!training->getValues<APInt>()[0].isZero() && n.hasInput(1) && !n.constantInput(1)))
      return importRunTimeDropout(n);
    if (!training->getValues<APInt>()[0].isZero()) {
      // Training mode drops at random, except with ratio 0: the identity.
      auto ratio = n.hasInput(1) ? n.constantInput(1) : std::nullopt;
      if (n.hasInput(1) && !ratio)
        return n.unsupportedAtRunTime({1}, "Dropout in training mode with a ratio computed at "
                                           "run time");
      bool zero =
          ratio && ratio->getNumElements() == 1 && (*ratio->getValues<APFloat>().begin()).isZero();
      if (!zero)
        return n.unsupported("Dropout in training mode (random) with a ratio other than 0");
    }
  }
  n.setResult(0, n.input(0));
  RankedTensorType type = n.inputType(0);
  auto maskType = RankedTensorType::get(type.getShape(), n.builder.getI1Type());
  n.setResult(1, n.create<BroadcastOp>(maskType, n.scalarConstant(n.builder.getI1Type(), 1)));
  return success();
}

/// Clip: kiln.clamp for float inputs with constant bounds; otherwise max
/// and min against the bound tensors (integers, bounds known at run time).
LogicalResult importClip(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (elt.isInteger(1))
    return n.unsupported("element type Clip on bool input");
  bool isFloat = isa<FloatType>(elt);
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  if (n.getOpset() < 11) {
    lo = n.floatAttr("min", -std::numeric_limits<float>::max());
    hi = n.floatAttr("max", std::numeric_limits<float>::max());
  }
  bool constantBounds = isFloat;
  for (unsigned i : {1u, 2u}) {
    if (!n.hasInput(i))
      continue;
    if (n.inputType(i).getNumElements() != 1)
      return n.error("Clip bounds must be scalars");
    auto c = n.constantInput(i);
    if (!c || !isFloat) {
      constantBounds = false;
      continue;
    }
    (i == 1 ? lo : hi) = (*c->getValues<APFloat>().begin()).convertToDouble();
  }
  if (constantBounds) {
    n.setResult(0, n.create<ClampOp>(n.input(0), n.builder.getF64FloatAttr(lo),
                                     n.builder.getF64FloatAttr(hi)));
    return success();
  }
  bool flip = n.inputIsUnsigned(0); // unsigned order: flipped sign bits
  auto prepare = [&](Value v) { return flip ? n.flipSignBit(v) : v; };
  Value y = prepare(n.input(0));
  if (n.hasInput(1))
    y = n.create<MaxOp>(y, prepare(n.reshape(n.input(1), {})));
  if (n.hasInput(2))
    y = n.create<MinOp>(y, prepare(n.reshape(n.input(2), {})));
  n.setResult(0, flip ? n.flipSignBit(y) : y);
  return success();
}

LogicalResult importLeakyRelu(NodeImporter &n) {
  if (failed(requireFloat(n, 0)))
    return failure();
  n.setResult(
      0, n.create<LeakyReluOp>(n.input(0), n.builder.getF64FloatAttr(n.floatAttr("alpha", 0.01f))));
  return success();
}

LogicalResult importHardSigmoid(NodeImporter &n) {
  if (failed(requireFloat(n, 0)))
    return failure();
  n.setResult(
      0, buildHardSigmoid(n, n.input(0), n.floatAttr("alpha", 0.2f), n.floatAttr("beta", 0.5f)));
  return success();
}

LogicalResult importHardSwish(NodeImporter &n) {
  if (failed(requireFloat(n, 0)))
    return failure();
  n.setResult(0, buildHardSwish(n, n.input(0)));
  return success();
}

} // namespace

void registerElementwiseOps(OpRegistry &r) {
  r["Add"] = importBinary<AddOp>;
  r["Sub"] = importBinary<SubOp>;
  r["Mul"] = importBinary<MulOp>;
  r["Div"] = importBinary<DivOp>;
  r["Pow"] = importPow;
  r["Max"] = importVariadic<MaxOp>;
  r["Min"] = importVariadic<MinOp>;
  r["Sum"] = importVariadic<AddOp>;
  r["Relu"] = importUnary<ReluOp>;
  r["Sigmoid"] = importUnary<SigmoidOp>;
  r["Tanh"] = importUnary<TanhOp>;
  r["Exp"] = importUnary<ExpOp>;
  r["Log"] = importUnary<LogOp>;
  r["Sqrt"] = importUnary<SqrtOp>;
  r["Neg"] = importNumericUnary<NegOp>;
  r["Abs"] = importNumericUnary<AbsOp>;
  r["Sign"] = importSign;
  r["Mod"] = importMod;
  r["Mean"] = importMean;
  r["BitShift"] = importBitShift;
  r["Round"] = importUnary<RoundOp>;
  r["Sin"] = importUnary<SinOp>;
  r["Cos"] = importUnary<CosOp>;
  r["Tan"] = importUnary<TanOp>;
  r["Asin"] = importUnary<AsinOp>;
  r["Acos"] = importUnary<AcosOp>;
  r["Atan"] = importUnary<AtanOp>;
  r["Sinh"] = importUnary<SinhOp>;
  r["Cosh"] = importUnary<CoshOp>;
  r["Asinh"] = importUnary<AsinhOp>;
  r["Acosh"] = importUnary<AcoshOp>;
  r["Atanh"] = importUnary<AtanhOp>;
  r["Erf"] = importUnary<ErfOp>;
  r["Reciprocal"] = importUnary<ReciprocalOp>;
  r["Floor"] = importUnary<FloorOp>;
  r["Ceil"] = importUnary<CeilOp>;
  r["Clip"] = importClip;
  r["LeakyRelu"] = importLeakyRelu;
  r["HardSigmoid"] = importHardSigmoid;
  r["HardSwish"] = importHardSwish;
  r["Identity"] = importIdentity;
  r["Dropout"] = importDropout;
}

} // namespace kiln::onnx_import
