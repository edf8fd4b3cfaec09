//===- AtenElementwiseOps.cpp - Arithmetic and activations ------*- C++ -*-===//
//
// aten::add/sub/mul/div on tensors (with Python-number operands as scalar
// constants and add's alpha) or, for compile-time numbers, evaluated at
// import; the activations of torchvision's models and transformers.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "kiln/Import/Decompositions.h"

#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;

namespace kiln::torchscript {

namespace {

bool isNumber(const Item &item) {
  return item.kind == Item::Kind::Int || item.kind == Item::Kind::Float ||
         item.kind == Item::Kind::Bool;
}

/// The element type of the result of a binary op: the tensor operands',
/// promoted like PyTorch does between a float and an integer tensor.
Type operandElementType(NodeImporter &n) {
  Type result;
  for (unsigned i = 0; i < 2 && i < n.numInputs(); ++i) {
    if (n.item(i).kind != Item::Kind::Tensor)
      continue;
    Type t = cast<RankedTensorType>(n.item(i).tensor.getType()).getElementType();
    if (!result || (isa<FloatType>(t) && !isa<FloatType>(result)))
      result = t;
  }
  return result;
}

/// Operands 0 and 1 as tensors of the promoted element type `elt`
/// (numbers become scalar constants).
LogicalResult tensorOperands(NodeImporter &n, Type &elt, Value &a, Value &b) {
  elt = operandElementType(n);
  if (!elt)
    return n.error("expected a tensor operand");
  a = n.asTensor(0, elt);
  b = n.asTensor(1, elt);
  return success(a && b);
}

/// A number, or a one-element constant tensor read as one: traced shape
/// arithmetic mixes both (a size made a tensor, divided by a constant 0-d
/// tensor).
std::optional<Item> compileTimeNumber(const Item &item) {
  if (isNumber(item))
    return item;
  DenseElementsAttr attr;
  if (item.kind != Item::Kind::Tensor || !matchPattern(item.tensor, m_Constant(&attr)) ||
      attr.getNumElements() != 1 || cast<ShapedType>(item.tensor.getType()).getRank() != 0)
    return std::nullopt;
  if (isa<FloatType>(attr.getElementType()))
    return Item::ofFloat((*attr.getValues<APFloat>().begin()).convertToDouble());
  if (attr.getElementType().isInteger(1))
    return Item::ofBool((*attr.getValues<APInt>().begin()).getBoolValue());
  return Item::ofInt((*attr.getValues<APInt>().begin()).getSExtValue());
}

/// `rounding` overrides div's own rounding_mode input (floor_divide).
template <typename OpTy, typename Fn>
LogicalResult binary(NodeImporter &n, Fn evaluate, StringRef rounding = "") {
  if (rounding.empty() && std::is_same_v<OpTy, DivOp> && n.numInputs() > 2 && !n.isNone(2)) {
    // rounding_mode "trunc" or "floor".
    if (n.item(2).kind != Item::Kind::String || (n.item(2).s != "trunc" && n.item(2).s != "floor"))
      return n.unsupported("div with this rounding_mode");
    rounding = n.item(2).s;
  }
  // Numbers known at compile time (sizes, shape arithmetic).
  std::optional<Item> x = compileTimeNumber(n.item(0)), y = compileTimeNumber(n.item(1));
  bool numbers = isNumber(n.item(0)) && isNumber(n.item(1));
  if (x && y && (numbers || (!rounding.empty() && (isNumber(n.item(0)) || isNumber(n.item(1)))))) {
    bool ints = x->kind != Item::Kind::Float && y->kind != Item::Kind::Float;
    auto value = [](const Item &v) {
      return v.kind == Item::Kind::Float ? v.f
             : v.kind == Item::Kind::Int ? (double)v.i
                                         : (double)v.b;
    };
    if (!rounding.empty()) {
      if (ints && value(*y) == 0)
        return n.error("integer division by zero");
      double q = value(*x) / value(*y);
      q = rounding == "floor" ? std::floor(q) : std::trunc(q);
      n.setResult(0, ints ? Item::ofInt((int64_t)q) : Item::ofFloat(q));
    } else if (ints && !std::is_same_v<OpTy, DivOp>) {
      n.setResult(0, Item::ofInt((int64_t)evaluate(value(*x), value(*y))));
    } else {
      n.setResult(0, Item::ofFloat(evaluate(value(*x), value(*y))));
    }
    return success();
  }
  Type elt;
  Value a, b;
  if (failed(tensorOperands(n, elt, a, b)))
    return failure();
  // add and sub take alpha: a + alpha * b.
  if ((std::is_same_v<OpTy, AddOp> || std::is_same_v<OpTy, SubOp>) && n.numInputs() > 2 &&
      !n.isNone(2)) {
    auto alpha = n.getFloat(2);
    if (!alpha)
      return failure();
    if (*alpha != 1.0)
      b = n.create<MulOp>(b, n.scalarConstant(elt, *alpha));
  }
  Value r = n.create<OpTy>(a, b);
  if (!rounding.empty()) {
    bool floor = rounding == "floor";
    if (isa<FloatType>(elt)) {
      Value down = n.create<FloorOp>(r);
      if (!floor) // toward zero: ceil below zero
        down = n.create<SelectOp>(n.create<LessOp>(r, n.scalarConstant(elt, 0.0)),
                                  n.create<CeilOp>(r), down);
      r = down;
    } else if (floor) {
      // Integer division truncates; step down where the signs differ and
      // the division is inexact.
      Value rem = n.create<RemOp>(a, b);
      Value inexact = n.create<XorOp>(n.create<EqualOp>(rem, n.scalarConstant(elt, 0)),
                                      n.scalarConstant(n.builder.getI1Type(), 1));
      Value zero = n.scalarConstant(elt, 0);
      Value signsDiffer = n.create<XorOp>(n.create<LessOp>(a, zero), n.create<LessOp>(b, zero));
      r = n.create<SelectOp>(n.create<AndOp>(inexact, signsDiffer),
                             n.create<SubOp>(r, n.scalarConstant(elt, 1)), r);
    }
  }
  n.setTensor(0, r);
  return success();
}

LogicalResult add(NodeImporter &n) {
  return binary<AddOp>(n, [](double a, double b) { return a + b; });
}
LogicalResult sub(NodeImporter &n) {
  return binary<SubOp>(n, [](double a, double b) { return a - b; });
}
LogicalResult mul(NodeImporter &n) {
  return binary<MulOp>(n, [](double a, double b) { return a * b; });
}
LogicalResult div(NodeImporter &n) {
  return binary<DivOp>(n, [](double a, double b) { return a / b; });
}

/// aten::floor_divide(a, b): the quotient rounded down (PyTorch 1.13 and
/// later). Traced channel shuffles compute sizes with it.
LogicalResult floorDivide(NodeImporter &n) {
  return binary<DivOp>(n, [](double a, double b) { return a / b; }, "floor");
}

LogicalResult floordiv(NodeImporter &n) {
  auto a = n.getInt(0), b = n.getInt(1);
  if (!a || !b)
    return failure();
  if (*b == 0)
    return n.error("integer division by zero");
  int64_t q = *a / *b;
  if ((*a % *b != 0) && ((*a < 0) != (*b < 0)))
    --q;
  n.setResult(0, Item::ofInt(q));
  return success();
}

/// remainder(a, b): the remainder with the divisor's sign (Python's %),
/// fmod's result moved by b where the signs differ.
LogicalResult remainder(NodeImporter &n) {
  std::optional<Item> x = compileTimeNumber(n.item(0)), y = compileTimeNumber(n.item(1));
  if (x && y && isNumber(n.item(0)) && isNumber(n.item(1))) {
    if (x->kind == Item::Kind::Int && y->kind == Item::Kind::Int) {
      if (y->i == 0)
        return n.error("integer division by zero");
      int64_t r = x->i % y->i;
      n.setResult(0, Item::ofInt(r != 0 && ((r < 0) != (y->i < 0)) ? r + y->i : r));
    } else {
      double a = *n.getFloat(0), b = *n.getFloat(1);
      n.setResult(0, Item::ofFloat(a - std::floor(a / b) * b));
    }
    return success();
  }
  Type elt;
  Value a, b;
  if (failed(tensorOperands(n, elt, a, b)))
    return failure();
  n.setTensor(0, buildFlooredRemainder(n, a, b));
  return success();
}

/// to(self, dtype, ...), to(self, device, dtype, ...), to(self, other,
/// ...) and type_as(self, other): a cast to the dtype (or other's); the
/// device is Kiln's target's, whatever the model names.
LogicalResult to(NodeImporter &n) {
  Value x = n.tensor(0);
  if (!x)
    return failure();
  auto xType = cast<RankedTensorType>(x.getType());
  Type elt = xType.getElementType();
  if (n.numInputs() > 1 && n.item(1).kind == Item::Kind::Tensor) {
    elt = n.tensorType(1).getElementType();
  } else {
    unsigned arg = n.numInputs() > 1 && n.item(1).kind == Item::Kind::Int ? 1 : 2;
    if (n.numInputs() > arg && n.item(arg).kind == Item::Kind::Int) {
      elt = scalarTypeFromCode(n.getContext(), n.item(arg).i);
      if (!elt)
        return n.unsupported(n.node.kind + " to dtype code " + Twine(n.item(arg).i));
    }
  }
  n.setTensor(0, elt == xType.getElementType()
                     ? x
                     : n.create<CastOp>(RankedTensorType::get(xType.getShape(), elt), x));
  return success();
}

/// rsub(a, b, alpha) = b - alpha * a.
LogicalResult rsub(NodeImporter &n) {
  if (isNumber(n.item(0)) && isNumber(n.item(1))) {
    // Traced size arithmetic (`k - w % k` with w a size).
    double alpha = 1.0;
    if (n.numInputs() > 2 && !n.isNone(2)) {
      auto a = n.getFloat(2);
      if (!a)
        return failure();
      alpha = *a;
    }
    bool ints = n.item(0).kind != Item::Kind::Float && n.item(1).kind != Item::Kind::Float &&
                alpha == std::trunc(alpha);
    if (ints)
      n.setResult(0, Item::ofInt(*n.getInt(1) - (int64_t)alpha * *n.getInt(0)));
    else
      n.setResult(0, Item::ofFloat(*n.getFloat(1) - alpha * *n.getFloat(0)));
    return success();
  }
  Type elt;
  Value a, b;
  if (failed(tensorOperands(n, elt, a, b)))
    return failure();
  if (n.numInputs() > 2 && !n.isNone(2)) {
    auto alpha = n.getFloat(2);
    if (!alpha)
      return failure();
    if (*alpha != 1.0)
      a = n.create<MulOp>(a, n.scalarConstant(elt, *alpha));
  }
  n.setTensor(0, n.create<SubOp>(b, a));
  return success();
}

template <typename OpTy> LogicalResult unary(NodeImporter &n) {
  Value x = n.tensor(0);
  if (!x)
    return failure();
  n.setTensor(0, n.create<OpTy>(x));
  return success();
}

Value clamp(NodeImporter &n, Value x, double lo, double hi) {
  return n.create<ClampOp>(x, n.builder.getF64FloatAttr(lo), n.builder.getF64FloatAttr(hi));
}

LogicalResult hardtanh(NodeImporter &n) {
  Value x = n.tensor(0);
  auto lo = n.getFloat(1), hi = n.getFloat(2);
  if (!x || !lo || !hi)
    return failure();
  n.setTensor(0, clamp(n, x, *lo, *hi));
  return success();
}

LogicalResult clampOp(NodeImporter &n) {
  Value x = n.tensor(0);
  if (!x)
    return failure();
  double lo = -INFINITY, hi = INFINITY;
  if (!n.isNone(1)) {
    auto v = n.getFloat(1);
    if (!v)
      return failure();
    lo = *v;
  }
  if (n.numInputs() > 2 && !n.isNone(2)) {
    auto v = n.getFloat(2);
    if (!v)
      return failure();
    hi = *v;
  }
  n.setTensor(0, clamp(n, x, lo, hi));
  return success();
}

/// clamp_min(x, min) and clamp_max(x, max).
template <bool Min> LogicalResult clampOneSide(NodeImporter &n) {
  Value x = n.tensor(0);
  auto bound = n.getFloat(1);
  if (!x || !bound)
    return failure();
  n.setTensor(0, Min ? clamp(n, x, *bound, INFINITY) : clamp(n, x, -INFINITY, *bound));
  return success();
}

/// The composite activations, decomposed as for ONNX (Decompositions.h).
LogicalResult hardswish(NodeImporter &n) {
  Value x = n.tensor(0);
  if (!x)
    return failure();
  n.setTensor(0, buildHardSwish(n, x));
  return success();
}

LogicalResult hardsigmoid(NodeImporter &n) {
  Value x = n.tensor(0);
  if (!x)
    return failure();
  n.setTensor(0, buildHardSigmoid(n, x, 1.0 / 6.0, 0.5));
  return success();
}

LogicalResult silu(NodeImporter &n) {
  Value x = n.tensor(0);
  if (!x)
    return failure();
  n.setTensor(0, buildSilu(n, x));
  return success();
}

/// gelu(input, approximate="none"|"tanh")
LogicalResult gelu(NodeImporter &n) {
  Value x = n.tensor(0);
  if (!x)
    return failure();
  std::string approximate =
      n.numInputs() > 1 && n.item(1).kind == Item::Kind::String ? n.item(1).s : "none";
  FailureOr<Value> y = buildGelu(n, x, approximate);
  if (failed(y))
    return failure();
  n.setTensor(0, *y);
  return success();
}

LogicalResult leakyRelu(NodeImporter &n) {
  Value x = n.tensor(0);
  auto slope = n.numInputs() > 1 ? n.getFloat(1) : std::optional<double>(0.01);
  if (!x || !slope)
    return failure();
  n.setTensor(0, n.create<LeakyReluOp>(x, n.builder.getF64FloatAttr(*slope)));
  return success();
}

/// x ** exponent (squares and square roots of a compile-time exponent become
/// mul and sqrt). An integer tensor to a float power (Swin's
/// `(C // heads) ** -0.5` traces so) is promoted to float, as PyTorch does.
LogicalResult pow(NodeImporter &n) {
  Value x = n.tensor(0);
  if (!x)
    return failure();
  auto type = cast<RankedTensorType>(x.getType());
  Type elt = type.getElementType();
  if (!isa<FloatType>(elt)) {
    Type floatElt;
    if (n.item(1).kind == Item::Kind::Float)
      floatElt = n.builder.getF32Type();
    else if (n.item(1).kind == Item::Kind::Tensor)
      floatElt =
          dyn_cast<FloatType>(cast<RankedTensorType>(n.item(1).tensor.getType()).getElementType());
    if (floatElt) {
      elt = floatElt;
      x = n.create<CastOp>(RankedTensorType::get(type.getShape(), elt), x);
    }
  }
  if (n.item(1).kind == Item::Kind::Tensor) {
    n.setTensor(0, n.create<PowOp>(x, n.asTensor(1, elt)));
    return success();
  }
  auto e = n.getFloat(1);
  if (!e)
    return failure();
  if (*e == 2.0)
    n.setTensor(0, n.create<MulOp>(x, x));
  else if (*e == 0.5)
    n.setTensor(0, n.create<SqrtOp>(x));
  else
    n.setTensor(0, n.create<PowOp>(x, n.scalarConstant(elt, *e)));
  return success();
}

LogicalResult rsqrt(NodeImporter &n) {
  Value x = n.tensor(0);
  if (!x)
    return failure();
  n.setTensor(0, n.create<ReciprocalOp>(n.create<SqrtOp>(x)));
  return success();
}

/// masked_fill(self, mask, value): value where the mask is true; the mask
/// broadcasts to self.
LogicalResult maskedFill(NodeImporter &n) {
  RankedTensorType type = n.tensorType(0);
  RankedTensorType maskType = n.tensorType(1);
  if (!type || !maskType)
    return failure();
  Value mask = n.tensor(1);
  if (!maskType.getElementType().isInteger(1))
    mask =
        n.create<CastOp>(RankedTensorType::get(maskType.getShape(), n.builder.getI1Type()), mask);
  Value value = n.asTensor(2, type.getElementType());
  if (!value)
    return failure();
  if (cast<RankedTensorType>(value.getType()).getRank() != 0)
    return n.unsupported("masked_fill with a value of more than one element");
  Value r = n.create<SelectOp>(mask, value, n.tensor(0));
  if (cast<RankedTensorType>(r.getType()).getShape() != type.getShape())
    return n.error("the mask does not broadcast to the input's shape");
  n.setTensor(0, r);
  return success();
}

} // namespace

void registerAtenElementwiseOps(AtenRegistry &r) {
  r["aten::masked_fill"] = maskedFill;
  r["aten::add"] = add;
  r["aten::sub"] = sub;
  r["aten::mul"] = mul;
  r["aten::div"] = div;
  r["aten::floordiv"] = floordiv;
  r["aten::floor_divide"] = floorDivide;
  r["aten::rsub"] = rsub;
  r["aten::remainder"] = remainder;
  r["aten::to"] = to;
  r["aten::type_as"] = to;
  r["aten::relu"] = unary<ReluOp>;
  r["aten::sigmoid"] = unary<SigmoidOp>;
  r["aten::tanh"] = unary<TanhOp>;
  r["aten::exp"] = unary<ExpOp>;
  r["aten::log"] = unary<LogOp>;
  r["aten::sqrt"] = unary<SqrtOp>;
  r["aten::neg"] = unary<NegOp>;
  r["aten::abs"] = unary<AbsOp>;
  r["aten::erf"] = unary<ErfOp>;
  r["aten::reciprocal"] = unary<ReciprocalOp>;
  r["aten::rsqrt"] = rsqrt;
  r["aten::hardtanh"] = hardtanh;
  r["aten::relu6"] = [](NodeImporter &n) -> LogicalResult {
    Value x = n.tensor(0);
    if (!x)
      return failure();
    n.setTensor(0, clamp(n, x, 0.0, 6.0));
    return success();
  };
  r["aten::clamp"] = clampOp;
  r["aten::clamp_min"] = clampOneSide<true>;
  r["aten::clamp_max"] = clampOneSide<false>;
  r["aten::hardswish"] = hardswish;
  r["aten::hardsigmoid"] = hardsigmoid;
  r["aten::silu"] = silu;
  r["aten::gelu"] = gelu;
  r["aten::leaky_relu"] = leakyRelu;
  r["aten::pow"] = pow;
}

} // namespace kiln::torchscript
