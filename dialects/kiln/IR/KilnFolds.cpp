//===- KilnFolds.cpp - Kiln op folders --------------------------*- C++ -*-===//
//
// Folders for the kiln ops: identities (x + 0, x * 1, identity transposes
// and reshapes) and evaluation of ops whose operands are all constants, so
// that weight preprocessing written by importers disappears at compile time.
//
//===----------------------------------------------------------------------===//

#include "kiln/IR/KilnOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APSInt.h"

using namespace mlir;

namespace kiln {

/// Folding larger constants than this would slow compilation for little gain.
static constexpr int64_t kMaxFoldElements = 1 << 20;

static DenseElementsAttr getDense(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldElements)
    return nullptr;
  return dense;
}

/// Row-major strides of a shape.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = (int64_t)shape.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Linear index into `shape` (right-aligned, size-1 dims broadcast) of the
/// element at multi-index `idx` of the broadcast result.
static int64_t broadcastIndex(ArrayRef<int64_t> idx, ArrayRef<int64_t> shape) {
  int64_t offset = idx.size() - shape.size(), linear = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    linear = linear * shape[d] + (shape[d] == 1 ? 0 : idx[d + offset]);
  return linear;
}

/// Evaluates a float binary op on two constants with broadcasting.
template <typename Fn>
static Attribute foldFloatBinary(Attribute lhsAttr, Attribute rhsAttr, RankedTensorType resultType,
                                 Fn fn) {
  DenseElementsAttr lhs = getDense(lhsAttr), rhs = getDense(rhsAttr);
  if (!lhs || !rhs || !isa<FloatType>(resultType.getElementType()) ||
      resultType.getNumElements() > kMaxFoldElements)
    return nullptr;
  auto l = llvm::to_vector(lhs.getValues<APFloat>());
  auto r = llvm::to_vector(rhs.getValues<APFloat>());
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<int64_t> strides = stridesOf(shape), idx(shape.size());
  SmallVector<APFloat> out;
  out.reserve(resultType.getNumElements());
  for (int64_t linear = 0; linear < resultType.getNumElements(); ++linear) {
    for (size_t d = 0; d < shape.size(); ++d)
      idx[d] = (linear / strides[d]) % shape[d];
    APFloat a = l[broadcastIndex(idx, lhs.getType().getShape())];
    const APFloat &b = r[broadcastIndex(idx, rhs.getType().getShape())];
    fn(a, b);
    out.push_back(a);
  }
  return DenseElementsAttr::get(resultType, out);
}

/// Evaluates an elementwise op on constant operands with broadcasting,
/// one scalar attribute at a time. Meant for the small tensors of shape
/// arithmetic (masks, Where over shapes), so it stops at 4096 elements.
template <typename Fn>
static Attribute foldElementwise(ArrayRef<Attribute> operands, RankedTensorType resultType, Fn fn) {
  constexpr int64_t kMaxElements = 4096;
  if (resultType.getNumElements() > kMaxElements)
    return nullptr;
  SmallVector<SmallVector<Attribute>> values;
  SmallVector<ArrayRef<int64_t>> shapes;
  for (Attribute operand : operands) {
    DenseElementsAttr dense = getDense(operand);
    if (!dense || dense.getNumElements() > kMaxElements)
      return nullptr;
    values.push_back(llvm::to_vector(dense.getValues<Attribute>()));
    shapes.push_back(dense.getType().getShape());
  }
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<int64_t> strides = stridesOf(shape), idx(shape.size());
  SmallVector<Attribute> out, args(operands.size());
  out.reserve(resultType.getNumElements());
  for (int64_t linear = 0; linear < resultType.getNumElements(); ++linear) {
    for (size_t d = 0; d < shape.size(); ++d)
      idx[d] = (linear / strides[d]) % shape[d];
    for (size_t i = 0; i < operands.size(); ++i)
      args[i] = values[i][broadcastIndex(idx, shapes[i])];
    Attribute r = fn(ArrayRef<Attribute>(args));
    if (!r)
      return nullptr;
    out.push_back(r);
  }
  return DenseElementsAttr::get(resultType, out);
}

/// Folds a comparison of constants; `pred` gets -1, 0 or 1 for a < b, a ==
/// b, a > b, or nothing for an unordered (NaN) pair.
template <typename Pred>
static Attribute foldCompare(Attribute lhs, Attribute rhs, RankedTensorType resultType, Pred pred) {
  Builder b(resultType.getContext());
  return foldElementwise({lhs, rhs}, resultType, [&](ArrayRef<Attribute> v) -> Attribute {
    std::optional<int> order;
    if (auto l = dyn_cast<IntegerAttr>(v[0])) {
      const APInt &a = l.getValue(), &c = cast<IntegerAttr>(v[1]).getValue();
      order = a.slt(c) ? -1 : a == c ? 0 : 1;
    } else if (auto l = dyn_cast<FloatAttr>(v[0])) {
      APFloat::cmpResult cmp = l.getValue().compare(cast<FloatAttr>(v[1]).getValue());
      if (cmp == APFloat::cmpLessThan)
        order = -1;
      else if (cmp == APFloat::cmpEqual)
        order = 0;
      else if (cmp == APFloat::cmpGreaterThan)
        order = 1;
    } else {
      return nullptr;
    }
    return b.getBoolAttr(order && pred(*order));
  });
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](int order) { return order == 0; });
}

OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](int order) { return order < 0; });
}

OpFoldResult LessEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](int order) { return order <= 0; });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse() && getOnTrue().getType() == getType())
    return getOnTrue();
  return foldElementwise({adaptor.getCondition(), adaptor.getOnTrue(), adaptor.getOnFalse()},
                         getType(), [](ArrayRef<Attribute> v) -> Attribute {
                           return cast<IntegerAttr>(v[0]).getValue().isZero() ? v[2] : v[1];
                         });
}

/// Bitwise ops on integer (and i1) constants.
template <typename Fn>
static Attribute foldBitwise(Attribute lhs, Attribute rhs, RankedTensorType resultType, Fn fn) {
  Type elt = resultType.getElementType();
  if (!elt.isSignlessInteger())
    return nullptr;
  return foldElementwise({lhs, rhs}, resultType, [&](ArrayRef<Attribute> v) -> Attribute {
    return IntegerAttr::get(
        elt, fn(cast<IntegerAttr>(v[0]).getValue(), cast<IntegerAttr>(v[1]).getValue()));
  });
}

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  return foldBitwise(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](const APInt &a, const APInt &b) { return a & b; });
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  return foldBitwise(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](const APInt &a, const APInt &b) { return a | b; });
}

OpFoldResult XorOp::fold(FoldAdaptor adaptor) {
  return foldBitwise(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](const APInt &a, const APInt &b) { return a ^ b; });
}

static bool isSplatFloat(Attribute attr, double value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat() || !isa<FloatType>(dense.getElementType()))
    return false;
  return dense.getSplatValue<APFloat>().convertToDouble() == value;
}

static constexpr auto kRound = llvm::RoundingMode::NearestTiesToEven;

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

/// Evaluates an integer binary op (two's complement, so signedness does not
/// matter) on constants with broadcasting: shape and index arithmetic.
template <typename Fn>
static Attribute foldIntBinary(Attribute lhs, Attribute rhs, RankedTensorType resultType, Fn fn) {
  auto elt = dyn_cast<IntegerType>(resultType.getElementType());
  if (!elt || elt.getWidth() == 1)
    return nullptr;
  return foldElementwise({lhs, rhs}, resultType, [&](ArrayRef<Attribute> args) -> Attribute {
    auto a = dyn_cast<IntegerAttr>(args[0]), b = dyn_cast<IntegerAttr>(args[1]);
    if (!a || !b)
      return nullptr;
    return IntegerAttr::get(elt, fn(a.getValue(), b.getValue()));
  });
}

/// Evaluates a unary op on a constant: `floatFn` for floats, `intFn` (may
/// be null) for integers.
static Attribute foldUnary(Attribute input, RankedTensorType resultType,
                           function_ref<APFloat(const APFloat &)> floatFn,
                           function_ref<APInt(const APInt &)> intFn) {
  Type elt = resultType.getElementType();
  if (isa<IntegerType>(elt) && !intFn)
    return nullptr;
  return foldElementwise({input}, resultType, [&](ArrayRef<Attribute> args) -> Attribute {
    if (auto f = dyn_cast<FloatAttr>(args[0]))
      return FloatAttr::get(elt, floatFn(f.getValue()));
    if (auto i = dyn_cast<IntegerAttr>(args[0]))
      return IntegerAttr::get(elt, intFn(i.getValue()));
    return nullptr;
  });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(), [](const APFloat &a) { return neg(a); },
      [](const APInt &a) { return -a; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(), [](const APFloat &a) { return abs(a); },
      [](const APInt &a) { return a.abs(); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      // NaN stays NaN (whatever its sign bit), as in the lowered relu.
      [](const APFloat &a) {
        return a.isNegative() && !a.isNaN() ? APFloat::getZero(a.getSemantics()) : a;
      },
      nullptr);
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &a) {
        APFloat r = a;
        r.roundToIntegral(llvm::RoundingMode::TowardNegative);
        return r;
      },
      nullptr);
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &a) {
        APFloat r = a;
        r.roundToIntegral(llvm::RoundingMode::TowardPositive);
        return r;
      },
      nullptr);
}

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (isSplatFloat(adaptor.getRhs(), 0.0) && getLhs().getType() == getType())
    return getLhs();
  if (isSplatFloat(adaptor.getLhs(), 0.0) && getRhs().getType() == getType())
    return getRhs();
  if (Attribute r = foldIntBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),
                                  [](const APInt &a, const APInt &b) { return a + b; }))
    return r;
  return foldFloatBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),
                         [](APFloat &a, const APFloat &b) { a.add(b, kRound); });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatFloat(adaptor.getRhs(), 0.0) && getLhs().getType() == getType())
    return getLhs();
  if (Attribute r = foldIntBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),
                                  [](const APInt &a, const APInt &b) { return a - b; }))
    return r;
  return foldFloatBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),
                         [](APFloat &a, const APFloat &b) { a.subtract(b, kRound); });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatFloat(adaptor.getRhs(), 1.0) && getLhs().getType() == getType())
    return getLhs();
  if (isSplatFloat(adaptor.getLhs(), 1.0) && getRhs().getType() == getType())
    return getRhs();
  if (Attribute r = foldIntBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),
                                  [](const APInt &a, const APInt &b) { return a * b; }))
    return r;
  return foldFloatBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),
                         [](APFloat &a, const APFloat &b) { a.multiply(b, kRound); });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatFloat(adaptor.getRhs(), 1.0) && getLhs().getType() == getType())
    return getLhs();
  return foldFloatBinary(adaptor.getLhs(), adaptor.getRhs(), getType(),
                         [](APFloat &a, const APFloat &b) { a.divide(b, kRound); });
}

/// Casts of constants (shape arithmetic, loop counters) are evaluated with
/// the op's semantics: float to integer truncates toward zero, integer
/// widening is signed, to i1 any non-zero value is true, and `saturate`
/// turns an overflow into the largest finite value.
OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto input = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  RankedTensorType type = getType();
  if (!input || input.getNumElements() > 4096)
    return {};
  Type from = input.getElementType(), to = type.getElementType();
  auto convert = [&](Attribute a) -> Attribute {
    if (auto f = dyn_cast<FloatAttr>(a)) {
      APFloat v = f.getValue();
      if (auto ft = dyn_cast<FloatType>(to)) {
        bool lost, wasNaN = v.isNaN(), negative = v.isNegative();
        v.convert(ft.getFloatSemantics(), kRound, &lost);
        if (getSaturate() && !wasNaN && (v.isInfinity() || v.isNaN()))
          v = APFloat::getLargest(ft.getFloatSemantics(), negative);
        return FloatAttr::get(to, v);
      }
      if (to.isInteger(1))
        return IntegerAttr::get(to, APInt(1, !v.isZero()));
      APSInt i(to.getIntOrFloatBitWidth(), /*isUnsigned=*/false);
      bool exact;
      v.convertToInteger(i, llvm::RoundingMode::TowardZero, &exact);
      return IntegerAttr::get(to, i);
    }
    APInt v = cast<IntegerAttr>(a).getValue();
    if (auto ft = dyn_cast<FloatType>(to)) {
      APFloat f(ft.getFloatSemantics());
      f.convertFromAPInt(v, /*IsSigned=*/!from.isInteger(1), kRound);
      if (getSaturate() && (f.isInfinity() || f.isNaN()))
        f = APFloat::getLargest(ft.getFloatSemantics(), !from.isInteger(1) && v.isNegative());
      return FloatAttr::get(to, f);
    }
    if (to.isInteger(1))
      return IntegerAttr::get(to, APInt(1, !v.isZero()));
    unsigned bits = to.getIntOrFloatBitWidth();
    return IntegerAttr::get(to, from.isInteger(1) ? v.zext(bits) : v.sextOrTrunc(bits));
  };
  SmallVector<Attribute> out;
  for (Attribute a : input.getValues<Attribute>())
    out.push_back(convert(a));
  return DenseElementsAttr::get(type, out);
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  DenseElementsAttr input = getDense(adaptor.getInput());
  if (!input)
    return {};
  if (input.isSplat())
    return input.resizeSplat(getType());
  ArrayRef<int64_t> inShape = getInput().getType().getShape();
  ArrayRef<int64_t> outShape = getType().getShape();
  SmallVector<int64_t> inStrides = stridesOf(inShape), outStrides = stridesOf(outShape);
  auto values = llvm::to_vector(input.getValues<Attribute>());
  SmallVector<Attribute> out(values.size());
  for (int64_t linear = 0; linear < (int64_t)values.size(); ++linear) {
    int64_t src = 0;
    for (size_t d = 0; d < outShape.size(); ++d)
      src += ((linear / outStrides[d]) % outShape[d]) * inStrides[perm[d]];
    out[linear] = values[src];
  }
  return DenseElementsAttr::get(getType(), out);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto producer = getInput().getDefiningOp<ReshapeOp>()) {
    // reshape(reshape(x)) == reshape(x): read through the inner one.
    getInputMutable().assign(producer.getInput());
    return getResult();
  }
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat())
    return dense.resizeSplat(getType());
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() &&
      llvm::all_of(getOffsets(), [](int64_t v) { return v == 0; }))
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat())
    return dense.resizeSplat(getType());
  return {};
}

/// Gathers from constants (flipped or regrouped weights) are evaluated.
OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr input = getDense(adaptor.getInput());
  auto indices = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndices());
  RankedTensorType type = getType();
  if (!input || !indices || type.getNumElements() > kMaxFoldElements)
    return {};
  if (input.isSplat())
    return input.resizeSplat(type);
  ArrayRef<int64_t> inShape = getInput().getType().getShape();
  int64_t axis = getAxis(), extent = inShape[axis];
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= inShape[d];
  for (int64_t d = axis + 1; d < (int64_t)inShape.size(); ++d)
    inner *= inShape[d];
  SmallVector<int64_t> idx;
  for (const APInt &v : indices.getValues<APInt>()) {
    int64_t i = v.getSExtValue();
    if (i < 0)
      i += extent;
    idx.push_back(std::clamp<int64_t>(i, 0, extent - 1));
  }
  unsigned bits = input.getElementType().getIntOrFloatBitWidth();
  if (bits % 8 == 0) {
    // Copy raw element bytes: weights can be large.
    size_t bytes = bits / 8;
    ArrayRef<char> raw = input.getRawData();
    std::vector<char> out;
    out.reserve(type.getNumElements() * bytes);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i : idx) {
        const char *row = raw.data() + (o * extent + i) * inner * bytes;
        out.insert(out.end(), row, row + inner * bytes);
      }
    return DenseElementsAttr::getFromRawBuffer(type, out);
  }
  auto values = llvm::to_vector(input.getValues<Attribute>());
  SmallVector<Attribute> out;
  out.reserve(type.getNumElements());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i : idx)
      for (int64_t k = 0; k < inner; ++k)
        out.push_back(values[(o * extent + i) * inner + k]);
  return DenseElementsAttr::get(type, out);
}

} // namespace kiln
