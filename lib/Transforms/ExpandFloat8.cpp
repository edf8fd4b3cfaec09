//===- ExpandFloat8.cpp - float8 conversions as integer code ----*- C++ -*-===//
//
// The kiln-expand-float8 pass. LLVM has no 8-bit float types: its type
// converter stores f8E4M3FN, f8E4M3FNUZ, f8E5M2 and f8E5M2FNUZ as i8, but
// nothing lowers the conversions to and from them. This pass writes each
// `arith.truncf` to a float8 type and each `arith.extf` from one as integer
// code on the f32 bit pattern (round to nearest even, subnormals, NaN,
// infinity and the FNUZ encodings), and each float8 `arith.constant` as the
// i8 constant of its bits. Scalars and vectors alike.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_EXPANDFLOAT8PASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The encoding of one float8 type.
struct Float8Format {
  unsigned mantissaBits;
  int bias;
  uint32_t largestCode; ///< magnitude bits of the largest finite value
  bool hasInfinity;     ///< f8E5M2: exponent all ones, mantissa 0
  bool unsignedZero;    ///< FNUZ: no -0; 0x80 is the only NaN
};

std::optional<Float8Format> getFloat8Format(Type type) {
  if (isa<Float8E4M3FNType>(type))
    return Float8Format{3, 7, 0x7E, false, false};
  if (isa<Float8E4M3FNUZType>(type))
    return Float8Format{3, 8, 0x7F, false, true};
  if (isa<Float8E5M2Type>(type))
    return Float8Format{2, 15, 0x7B, true, false};
  if (isa<Float8E5M2FNUZType>(type))
    return Float8Format{2, 16, 0x7F, false, true};
  return std::nullopt;
}

/// Builds integer and float code of one shape: scalars, or vectors of
/// `like`'s shape.
struct ShapedBuilder {
  PatternRewriter &rewriter;
  Location loc;
  Type like;

  Type withElement(Type element) const {
    if (auto vector = dyn_cast<VectorType>(like))
      return vector.clone(element);
    return element;
  }
  Type i32() const { return withElement(rewriter.getI32Type()); }
  Value constant(uint32_t value) const {
    Type type = i32();
    auto attr = rewriter.getI32IntegerAttr((int32_t)value);
    if (auto vector = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(vector, attr));
    return arith::ConstantOp::create(rewriter, loc, attr);
  }
  Value f32Constant(float value) const {
    Type type = withElement(rewriter.getF32Type());
    auto attr = rewriter.getF32FloatAttr(value);
    if (auto vector = dyn_cast<VectorType>(type))
      return arith::ConstantOp::create(rewriter, loc, DenseElementsAttr::get(vector, attr));
    return arith::ConstantOp::create(rewriter, loc, attr);
  }
  Value andI(Value a, uint32_t mask) const {
    return arith::AndIOp::create(rewriter, loc, a, constant(mask));
  }
  Value orI(Value a, Value b) const { return arith::OrIOp::create(rewriter, loc, a, b); }
  Value add(Value a, Value b) const { return arith::AddIOp::create(rewriter, loc, a, b); }
  Value sub(Value a, Value b) const { return arith::SubIOp::create(rewriter, loc, a, b); }
  Value shr(Value a, Value b) const { return arith::ShRUIOp::create(rewriter, loc, a, b); }
  Value shr(Value a, unsigned b) const { return shr(a, constant(b)); }
  Value shl(Value a, unsigned b) const {
    return arith::ShLIOp::create(rewriter, loc, a, constant(b));
  }
  Value cmp(arith::CmpIPredicate p, Value a, Value b) const {
    return arith::CmpIOp::create(rewriter, loc, p, a, b);
  }
  Value cmp(arith::CmpIPredicate p, Value a, uint32_t b) const { return cmp(p, a, constant(b)); }
  Value select(Value c, Value a, Value b) const {
    return arith::SelectOp::create(rewriter, loc, c, a, b);
  }
  Value select(Value c, uint32_t a, Value b) const { return select(c, constant(a), b); }
  Value bitcast(Value v, Type element) const {
    return arith::BitcastOp::create(rewriter, loc, withElement(element), v);
  }
  /// (m + half - 1 + lsb) >> shift: m / 2^shift rounded to nearest even.
  Value shiftRoundingToEven(Value m, Value shift) const {
    Value one = constant(1);
    Value lsb = arith::AndIOp::create(rewriter, loc, shr(m, shift), one);
    Value half = arith::ShLIOp::create(rewriter, loc, one, sub(shift, one));
    return shr(add(add(m, sub(half, one)), lsb), shift);
  }
};

/// f32 (or any float, converted to f32 first) to float8.
struct ExpandTruncF : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::TruncFOp op, PatternRewriter &rewriter) const override {
    Type target = getElementTypeOrSelf(op.getType());
    std::optional<Float8Format> f = getFloat8Format(target);
    if (!f)
      return failure();
    Location loc = op.getLoc();
    ShapedBuilder b{rewriter, loc, op.getType()};
    Type f32 = rewriter.getF32Type();
    Value x = op.getIn();
    Type source = getElementTypeOrSelf(x.getType());
    if (getFloat8Format(source))
      return rewriter.notifyMatchFailure(op, "float8 to float8 goes through arith.extf first");
    if (source.getIntOrFloatBitWidth() > 32)
      x = arith::TruncFOp::create(rewriter, loc, b.withElement(f32), x);
    else if (source != f32)
      x = arith::ExtFOp::create(rewriter, loc, b.withElement(f32), x);

    using P = arith::CmpIPredicate;
    const unsigned m = f->mantissaBits;
    Value bits = b.bitcast(x, rewriter.getI32Type());
    Value sign = b.andI(bits, 0x80000000u);
    Value a = b.andI(bits, 0x7FFFFFFFu);
    Value isNaN = b.cmp(P::ugt, a, 0x7F800000u);

    // Normal: round the f32 pattern to m mantissa bits, then rebias.
    Value normal = b.sub(b.shiftRoundingToEven(a, b.constant(23 - m)),
                         b.constant(uint32_t(127 - f->bias) << m));
    // Subnormal: the significand shifted to units of the smallest
    // subnormal, 2^(1 - bias - m). Shifts of 25 and more leave 0.
    Value exponent = b.shr(a, 23u);
    Value significand =
        b.orI(b.andI(a, 0x7FFFFFu), b.select(b.cmp(P::ne, exponent, 0u), 0x800000u, b.constant(0)));
    Value shift = b.sub(b.constant(151 - f->bias - m), exponent);
    shift = arith::MinUIOp::create(rewriter, loc, shift, b.constant(31));
    Value subnormal = b.shiftRoundingToEven(significand, shift);
    Value isSubnormal = b.cmp(P::ult, a, uint32_t(128 - f->bias) << 23);
    Value code = b.select(isSubnormal, subnormal, normal);

    // Beyond the largest finite value (infinity included): infinity where
    // the type has one, else NaN. Saturation happened before this op.
    Value overflow = b.cmp(P::ugt, code, f->largestCode);
    Value signByte = b.shr(sign, 24u);
    Value result;
    if (f->unsignedZero) {
      Value signed_ = b.select(b.cmp(P::eq, code, 0u), b.constant(0), b.orI(code, signByte));
      result = b.select(b.orI(isNaN, overflow), 0x80u, signed_);
    } else {
      uint32_t nan = f->hasInfinity ? 0x7E : 0x7F;
      Value magnitude = b.select(overflow, f->hasInfinity ? 0x7Cu : nan, code);
      magnitude = b.select(isNaN, nan, magnitude);
      result = b.orI(magnitude, signByte);
    }
    Value byte =
        arith::TruncIOp::create(rewriter, loc, b.withElement(rewriter.getI8Type()), result);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), byte);
    return success();
  }
};

/// float8 to f32 (then to the wider or narrower float asked for; every
/// float8 value is exact in f16, bf16 and f32).
struct ExpandExtF : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::ExtFOp op, PatternRewriter &rewriter) const override {
    std::optional<Float8Format> f = getFloat8Format(getElementTypeOrSelf(op.getIn().getType()));
    if (!f)
      return failure();
    Location loc = op.getLoc();
    ShapedBuilder b{rewriter, loc, op.getType()};
    Type f32 = rewriter.getF32Type();
    using P = arith::CmpIPredicate;
    const unsigned m = f->mantissaBits;

    Value byte = b.bitcast(op.getIn(), rewriter.getI8Type());
    Value c = arith::ExtUIOp::create(rewriter, loc, b.i32(), byte);
    Value magnitude = b.andI(c, 0x7F);
    Value sign = b.shl(b.andI(c, 0x80), 24);
    Value exponent = b.shr(magnitude, m);
    Value mantissa = b.andI(magnitude, (1u << m) - 1);

    Value normal = b.add(b.shl(magnitude, 23 - m), b.constant(uint32_t(127 - f->bias) << 23));
    Value scaled = arith::MulFOp::create(
        rewriter, loc, arith::UIToFPOp::create(rewriter, loc, b.withElement(f32), mantissa),
        b.f32Constant(std::ldexp(1.0f, 1 - f->bias - (int)m)));
    Value subnormal = b.bitcast(scaled, rewriter.getI32Type());
    Value bits = b.select(b.cmp(P::eq, exponent, 0u), subnormal, normal);

    Value isNaN;
    if (f->unsignedZero)
      isNaN = b.cmp(P::eq, c, 0x80u);
    else if (f->hasInfinity) {
      isNaN = b.cmp(P::ugt, magnitude, 0x7Cu);
      bits = b.select(b.cmp(P::eq, magnitude, 0x7Cu), 0x7F800000u, bits);
    } else
      isNaN = b.cmp(P::eq, magnitude, 0x7Fu);
    bits = b.select(isNaN, 0x7FC00000u, bits);
    Value value = b.bitcast(b.orI(bits, sign), f32);

    Type target = getElementTypeOrSelf(op.getType());
    if (target.getIntOrFloatBitWidth() > 32)
      value = arith::ExtFOp::create(rewriter, loc, op.getType(), value);
    else if (target != f32)
      value = arith::TruncFOp::create(rewriter, loc, op.getType(), value);
    rewriter.replaceOp(op, value);
    return success();
  }
};

/// A float8 constant: the i8 constant of its bits.
struct ExpandConstant : OpRewritePattern<arith::ConstantOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::ConstantOp op, PatternRewriter &rewriter) const override {
    Type element = getElementTypeOrSelf(op.getType());
    if (!getFloat8Format(element))
      return failure();
    Type i8 = rewriter.getI8Type();
    TypedAttr bits;
    if (auto f = dyn_cast<FloatAttr>(op.getValue()))
      bits = rewriter.getIntegerAttr(i8, f.getValue().bitcastToAPInt());
    else if (auto dense = dyn_cast<DenseElementsAttr>(op.getValue()))
      bits = dense.bitcast(i8);
    else
      return rewriter.notifyMatchFailure(op, "not a float or dense float8 constant");
    Value c = arith::ConstantOp::create(rewriter, op.getLoc(), bits);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), c);
    return success();
  }
};

struct ExpandFloat8Pass : impl::ExpandFloat8PassBase<ExpandFloat8Pass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandTruncF, ExpandExtF, ExpandConstant>(&getContext());
    GreedyRewriteConfig config;
    config.enableFolding(false); // folding would make the float8 constants again
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
