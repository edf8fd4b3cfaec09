//===- Elementwise.cpp - Lower kiln elementwise ops to linalg ---*- C++ -*-===//
//
// Binary arithmetic, unary functions, activations, casts and broadcasts
// become all-parallel linalg.generic ops whose indexing maps express the
// broadcasting.
//
//===----------------------------------------------------------------------===//

#include "LoweringUtils.h"
#include "kiln/Conversion/Passes.h"

using namespace mlir;

namespace kiln {
namespace {
using namespace lowering;

using ScalarFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

template <typename OpTy> struct ElementwisePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;

  /// Computes one result element from the operand elements.
  virtual Value scalar(OpTy op, OpBuilder &b, Location loc, ValueRange args) const = 0;

  LogicalResult matchAndRewrite(OpTy op, Adaptor adaptor,
                                ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Value result = createElementwise(
        rewriter, op.getLoc(), type, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) { return scalar(op, b, loc, args); });
    rewriter.replaceOp(op, result);
    return success();
  }
};

#define KILN_ELEMENTWISE(OpTy, ...)                                                                \
  struct OpTy##Lowering : ElementwisePattern<OpTy> {                                               \
    using ElementwisePattern::ElementwisePattern;                                                  \
    Value scalar(OpTy op, OpBuilder &b, Location loc, ValueRange args) const override {            \
      Type t = args[0].getType();                                                                  \
      (void)t;                                                                                     \
      __VA_ARGS__                                                                                  \
    }                                                                                              \
  };

KILN_ELEMENTWISE(AddOp, return createAdd(b, loc, args[0], args[1]);)
KILN_ELEMENTWISE(MulOp, return createMul(b, loc, args[0], args[1]);)
KILN_ELEMENTWISE(MaxOp, return createMax(b, loc, args[0], args[1]);)
KILN_ELEMENTWISE(MinOp, return createMin(b, loc, args[0], args[1]);)
KILN_ELEMENTWISE(SubOp, {
  if (isa<FloatType>(t))
    return arith::SubFOp::create(b, loc, args[0], args[1]);
  return arith::SubIOp::create(b, loc, args[0], args[1]);
})
KILN_ELEMENTWISE(DivOp, {
  if (isa<FloatType>(t))
    return arith::DivFOp::create(b, loc, args[0], args[1]);
  return arith::DivSIOp::create(b, loc, args[0], args[1]);
})
KILN_ELEMENTWISE(PowOp, {
  if (isa<FloatType>(t))
    return math::PowFOp::create(b, loc, args[0], args[1]);
  return math::IPowIOp::create(b, loc, args[0], args[1]);
})
KILN_ELEMENTWISE(RemOp, {
  if (isa<FloatType>(t))
    return arith::RemFOp::create(b, loc, args[0], args[1]);
  return arith::RemSIOp::create(b, loc, args[0], args[1]);
})
KILN_ELEMENTWISE(ShiftLeftOp, return arith::ShLIOp::create(b, loc, args[0], args[1]);)
KILN_ELEMENTWISE(ShiftRightOp, return arith::ShRUIOp::create(b, loc, args[0], args[1]);)
KILN_ELEMENTWISE(AndOp, return arith::AndIOp::create(b, loc, args[0], args[1]);)
KILN_ELEMENTWISE(OrOp, return arith::OrIOp::create(b, loc, args[0], args[1]);)
KILN_ELEMENTWISE(XorOp, return arith::XOrIOp::create(b, loc, args[0], args[1]);)
KILN_ELEMENTWISE(EqualOp, {
  if (isa<FloatType>(t))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, args[0], args[1]);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, args[0], args[1]);
})
KILN_ELEMENTWISE(LessOp, {
  if (isa<FloatType>(t))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, args[0], args[1]);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, args[0], args[1]);
})
KILN_ELEMENTWISE(LessEqualOp, {
  if (isa<FloatType>(t))
    return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLE, args[0], args[1]);
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, args[0], args[1]);
})
KILN_ELEMENTWISE(SelectOp, return arith::SelectOp::create(b, loc, args[0], args[1], args[2]);)
KILN_ELEMENTWISE(ReluOp, return createMax(b, loc, args[0], scalarConstant(b, loc, t, 0.0));)
KILN_ELEMENTWISE(SigmoidOp, {
  // 1 / (1 + exp(-x))
  Value one = scalarConstant(b, loc, t, 1.0);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, args[0]));
  return arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
})
KILN_ELEMENTWISE(TanhOp, return math::TanhOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(ExpOp, return math::ExpOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(LogOp, return math::LogOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(SqrtOp, return math::SqrtOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(NegOp, {
  if (isa<FloatType>(t))
    return arith::NegFOp::create(b, loc, args[0]);
  return arith::SubIOp::create(b, loc, scalarConstant(b, loc, t, 0.0), args[0]);
})
KILN_ELEMENTWISE(AbsOp, {
  if (isa<FloatType>(t))
    return math::AbsFOp::create(b, loc, args[0]);
  return math::AbsIOp::create(b, loc, args[0]);
})
KILN_ELEMENTWISE(ErfOp, return math::ErfOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(FloorOp, return math::FloorOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(CeilOp, return math::CeilOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(RoundOp, return createRoundHalfEven(b, loc, args[0]);)
KILN_ELEMENTWISE(SinOp, return math::SinOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(CosOp, return math::CosOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(TanOp, return math::TanOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(AsinOp, return math::AsinOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(AcosOp, return math::AcosOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(AtanOp, return math::AtanOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(SinhOp, return math::SinhOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(CoshOp, return math::CoshOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(AsinhOp, return math::AsinhOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(AcoshOp, return math::AcoshOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(AtanhOp, return math::AtanhOp::create(b, loc, args[0]);)
KILN_ELEMENTWISE(ReciprocalOp,
                 return arith::DivFOp::create(b, loc, scalarConstant(b, loc, t, 1.0), args[0]);)
KILN_ELEMENTWISE(ClampOp, {
  Value lo = scalarConstant(b, loc, t, op.getMin().convertToDouble());
  Value hi = scalarConstant(b, loc, t, op.getMax().convertToDouble());
  return createMin(b, loc, createMax(b, loc, args[0], lo), hi);
})
KILN_ELEMENTWISE(LeakyReluOp, {
  // x >= 0 ? x : alpha * x
  Value zero = scalarConstant(b, loc, t, 0.0);
  Value alpha = scalarConstant(b, loc, t, op.getAlpha().convertToDouble());
  Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGE, args[0], zero);
  return arith::SelectOp::create(b, loc, positive, args[0],
                                 arith::MulFOp::create(b, loc, alpha, args[0]));
})
KILN_ELEMENTWISE(BroadcastOp, return args[0];)
KILN_ELEMENTWISE(CastOp, {
  Type to = op.getType().getElementType();
  Value x = args[0];
  if (t == to)
    return x;
  // float8 values have no arithmetic of their own: they convert through f32
  // (exactly, from float8 and from f16/bf16), and kiln-expand-float8 turns
  // the f32 <-> float8 conversions into integer code.
  Type f32 = b.getF32Type();
  if (isFloat8(t)) {
    x = arith::ExtFOp::create(b, loc, f32, x);
    t = f32;
    if (t == to)
      return x;
  }
  if (isFloat8(to)) {
    if (!isa<FloatType>(t))
      x = t.isInteger(1) ? Value(arith::UIToFPOp::create(b, loc, f32, x))
                         : Value(arith::SIToFPOp::create(b, loc, f32, x));
    else if (t.getIntOrFloatBitWidth() > 32)
      x = arith::TruncFOp::create(b, loc, f32, x);
    else if (t != f32)
      x = arith::ExtFOp::create(b, loc, f32, x);
    if (op.getSaturate()) {
      // maximumf/minimumf keep NaN; infinity saturates too.
      double largest =
          APFloat::getLargest(cast<FloatType>(to).getFloatSemantics()).convertToDouble();
      x = arith::MaximumFOp::create(b, loc, x, scalarConstant(b, loc, f32, -largest));
      x = arith::MinimumFOp::create(b, loc, x, scalarConstant(b, loc, f32, largest));
    }
    return arith::TruncFOp::create(b, loc, to, x);
  }
  bool fromFloat = isa<FloatType>(t), toFloat = isa<FloatType>(to);
  if (fromFloat && toFloat) {
    unsigned fromBits = t.getIntOrFloatBitWidth(), toBits = to.getIntOrFloatBitWidth();
    if (fromBits == toBits) // f16 <-> bf16: exactly through f32
      x = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
    return fromBits < toBits ? Value(arith::ExtFOp::create(b, loc, to, x))
                             : Value(arith::TruncFOp::create(b, loc, to, x));
  }
  if (to.isInteger(1)) {
    if (fromFloat)
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   scalarConstant(b, loc, t, 0.0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                 scalarConstant(b, loc, t, 0.0));
  }
  if (toFloat)
    return t.isInteger(1) ? Value(arith::UIToFPOp::create(b, loc, to, x))
                          : Value(arith::SIToFPOp::create(b, loc, to, x));
  if (fromFloat)
    return arith::FPToSIOp::create(b, loc, to, x);
  if (t.isInteger(1))
    return arith::ExtUIOp::create(b, loc, to, x);
  return t.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
             ? Value(arith::ExtSIOp::create(b, loc, to, x))
             : Value(arith::TruncIOp::create(b, loc, to, x));
})
#undef KILN_ELEMENTWISE

} // namespace

void populateKilnElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<AddOpLowering, SubOpLowering, MulOpLowering, DivOpLowering, MaxOpLowering,
               MinOpLowering, PowOpLowering, ReluOpLowering, SigmoidOpLowering, TanhOpLowering,
               ExpOpLowering, LogOpLowering, SqrtOpLowering, NegOpLowering, AbsOpLowering,
               ErfOpLowering, FloorOpLowering, CeilOpLowering, ReciprocalOpLowering,
               ClampOpLowering, LeakyReluOpLowering, BroadcastOpLowering, CastOpLowering,
               RemOpLowering, AndOpLowering, OrOpLowering, XorOpLowering, EqualOpLowering,
               LessOpLowering, LessEqualOpLowering, SelectOpLowering, RoundOpLowering,
               SinOpLowering, CosOpLowering, TanOpLowering, AsinOpLowering, AcosOpLowering,
               AtanOpLowering, SinhOpLowering, CoshOpLowering, AsinhOpLowering, AcoshOpLowering,
               AtanhOpLowering, ShiftLeftOpLowering, ShiftRightOpLowering>(patterns.getContext());
}

} // namespace kiln
