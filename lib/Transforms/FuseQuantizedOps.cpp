//===- FuseQuantizedOps.cpp - QDQ chains to int8 kernels ----------*- C++ -*-===//
//
// The kiln-fuse-quantized-ops pass. Every pattern is rooted at a per-tensor
// kiln.quantize to int8 and walks up: an optional ReLU or Clip (folded into
// the output bounds), then the float op, whose operands must be
// kiln.dequantize'd int8 values (activations per tensor, weights constant,
// symmetric, per tensor or per output channel). The float op and the
// quantize are replaced by one integer kernel; the dequantize ops die when
// their last user is gone.
//
//===----------------------------------------------------------------------===//

#include "kiln/IR/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace kiln {
#define GEN_PASS_DEF_FUSEQUANTIZEDOPSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// A real scale as multiplier * 2^-shift, multiplier in [2^30, 2^31).
struct FixedPoint {
  int32_t multiplier;
  int32_t shift;
};

/// Fails for scales of 2^30 and more, which no int8 model has.
std::optional<FixedPoint> toFixedPoint(double real) {
  if (!(real >= 0) || !std::isfinite(real))
    return std::nullopt;
  if (real == 0)
    return FixedPoint{0, 1};
  int exponent;
  double mantissa = std::frexp(real, &exponent); // real = mantissa * 2^exponent
  int64_t m = std::llround(std::ldexp(mantissa, 31));
  if (m == (int64_t(1) << 31)) {
    m /= 2;
    ++exponent;
  }
  int shift = 31 - exponent;
  if (shift < 1)
    return std::nullopt;
  if (shift > 63) // Below 2^-32: every int32 accumulator rounds to zero.
    return FixedPoint{0, 1};
  return FixedPoint{(int32_t)m, shift};
}

/// The parameters of a per-tensor quantize or dequantize.
struct TensorQuant {
  double scale;
  int64_t zeroPoint;
};

template <typename Op> std::optional<TensorQuant> perTensor(Op op) {
  if (!op || op.getScale().size() != 1)
    return std::nullopt;
  return TensorQuant{op.getScale()[0], op.getZeroPoint()[0]};
}

/// The per-tensor dequantize of an int8 value that `v` is.
DequantizeOp int8Dequantize(Value v) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  if (!dq || dq.getScale().size() != 1 || !dq.getInput().getType().getElementType().isInteger(8))
    return {};
  return dq;
}

/// An integer constant's values.
std::optional<SmallVector<int64_t>> intValues(Value v) {
  auto cst = v.getDefiningOp<ConstantOp>();
  if (!cst)
    return std::nullopt;
  auto attr = dyn_cast<DenseIntElementsAttr>(cst.getValue());
  if (!attr)
    return std::nullopt;
  SmallVector<int64_t> values;
  for (const APInt &i : attr.getValues<APInt>())
    values.push_back(i.getSExtValue());
  return values;
}

/// Constant int8 weights with zero point 0: their values (row-major in
/// their own shape), shape, and one scale per index of `channelAxis` (or
/// one for the tensor).
struct Weights {
  SmallVector<int64_t> values;
  SmallVector<int64_t> shape;
  SmallVector<double> scales;
};

std::optional<Weights> constantWeights(Value v, int64_t channelAxis) {
  auto dq = v.getDefiningOp<DequantizeOp>();
  if (!dq || !dq.getInput().getType().getElementType().isInteger(8))
    return std::nullopt;
  if (llvm::any_of(dq.getZeroPoint(), [](int64_t z) { return z != 0; }))
    return std::nullopt;
  if (dq.getScale().size() != 1 && (int64_t)dq.getAxis() != channelAxis)
    return std::nullopt;
  auto values = intValues(dq.getInput());
  if (!values)
    return std::nullopt;
  Weights w;
  w.values = std::move(*values);
  w.shape = llvm::to_vector(dq.getInput().getType().getShape());
  for (float s : dq.getScale())
    w.scales.push_back(s);
  return w;
}

/// A bias of `channels` values, looked for through reshapes: a float
/// constant, or the dequantize of an integer constant (per tensor or per
/// channel). Returned as reals.
std::optional<SmallVector<double>> constantBias(Value v, int64_t channels) {
  while (auto reshape = v.getDefiningOp<ReshapeOp>())
    v = reshape.getInput();
  auto type = cast<RankedTensorType>(v.getType());
  if (type.getNumElements() != channels)
    return std::nullopt;
  SmallVector<double> bias;
  if (auto cst = v.getDefiningOp<ConstantOp>()) {
    auto attr = dyn_cast<DenseFPElementsAttr>(cst.getValue());
    if (!attr)
      return std::nullopt;
    for (const APFloat &f : attr.getValues<APFloat>())
      bias.push_back(f.convertToDouble());
    return bias;
  }
  auto dq = v.getDefiningOp<DequantizeOp>();
  if (!dq)
    return std::nullopt;
  auto values = intValues(dq.getInput());
  if (!values)
    return std::nullopt;
  size_t n = dq.getScale().size();
  for (int64_t c = 0; c < channels; ++c) {
    size_t k = n == 1 ? 0 : c;
    bias.push_back(double((*values)[c] - dq.getZeroPoint()[k]) * dq.getScale()[k]);
  }
  return bias;
}

/// The quantized bounds of the output: int8, narrowed by a ReLU or a
/// constant Clip between the float op and the quantize. Sets `source` to
/// the value before the activation.
struct OutputBounds {
  int64_t min = -128, max = 127;
};

int64_t quantizeScalar(double x, const TensorQuant &q) {
  double v = std::nearbyint(float(float(x) / float(q.scale))) + q.zeroPoint;
  return (int64_t)std::clamp(v, -128.0, 127.0);
}

std::optional<OutputBounds> activationBounds(Value &source, const TensorQuant &out,
                                             SmallVectorImpl<Operation *> &dead) {
  OutputBounds b;
  Operation *def = source.getDefiningOp();
  if (auto relu = dyn_cast_or_null<ReluOp>(def)) {
    b.min = std::max<int64_t>(b.min, quantizeScalar(0.0, out));
  } else if (auto clamp = dyn_cast_or_null<ClampOp>(def)) {
    b.min = std::max<int64_t>(b.min, quantizeScalar(clamp.getMin().convertToDouble(), out));
    b.max = std::min<int64_t>(b.max, quantizeScalar(clamp.getMax().convertToDouble(), out));
  } else {
    return b;
  }
  if (!def->hasOneUse())
    return std::nullopt;
  dead.push_back(def);
  source = def->getOperand(0);
  return b;
}

/// Per-channel fixed-point multipliers for real scales `in * w[c] / out`,
/// collapsed to one entry when all are equal.
std::optional<std::pair<SmallVector<int32_t>, SmallVector<int32_t>>>
channelMultipliers(double in, ArrayRef<double> w, double out) {
  SmallVector<int32_t> m, s;
  for (double ws : w) {
    auto fp = toFixedPoint(in * ws / out);
    if (!fp)
      return std::nullopt;
    m.push_back(fp->multiplier);
    s.push_back(fp->shift);
  }
  if (llvm::all_equal(m) && llvm::all_equal(s)) {
    m.resize(1);
    s.resize(1);
  }
  return std::make_pair(m, s);
}

/// The int32 bias in the accumulator's scale (input scale x weight scale
/// of each channel), or nullopt when a value would not fit.
std::optional<SmallVector<int32_t>> accumulatorBias(ArrayRef<double> bias, double in,
                                                    ArrayRef<double> w) {
  SmallVector<int32_t> out;
  for (size_t c = 0; c < bias.size(); ++c) {
    double v = std::nearbyint(bias[c] / (in * w[w.size() == 1 ? 0 : c]));
    if (!(std::fabs(v) < 2147483647.0))
      return std::nullopt;
    out.push_back((int32_t)v);
  }
  return out;
}

Value int8Constant(PatternRewriter &rewriter, Location loc, ArrayRef<int64_t> shape,
                   ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get(shape, rewriter.getI8Type());
  SmallVector<int8_t> data(values.begin(), values.end());
  return ConstantOp::create(rewriter, loc, DenseElementsAttr::get(type, ArrayRef<int8_t>(data)));
}

Value int32Constant(PatternRewriter &rewriter, Location loc, ArrayRef<int32_t> values) {
  auto type = RankedTensorType::get({(int64_t)values.size()}, rewriter.getI32Type());
  return ConstantOp::create(rewriter, loc, DenseElementsAttr::get(type, values));
}

/// The int32 bias constant of a contraction whose float bias `biasValue`
/// (null for none) broadcasts along the dimension `channelDimFromEnd`
/// places from the end of the result; failure where it is not a constant
/// per-channel bias that fits the accumulator.
FailureOr<Value> biasConstant(PatternRewriter &rewriter, Location loc, Value biasValue,
                              int64_t channels, int64_t channelDimFromEnd, double inScale,
                              ArrayRef<double> weightScales) {
  if (!biasValue)
    return Value();
  auto type = cast<RankedTensorType>(biasValue.getType());
  if (type.getNumElements() != channels || type.getRank() < channelDimFromEnd ||
      type.getDimSize(type.getRank() - channelDimFromEnd) != channels)
    return failure();
  auto real = constantBias(biasValue, channels);
  if (!real)
    return failure();
  auto ints = accumulatorBias(*real, inScale, weightScales);
  if (!ints)
    return failure();
  return int32Constant(rewriter, loc, *ints);
}

/// Splits `v` into a contraction and its bias: `add(op, bias)` or `op`.
template <typename Op> Op contractionWithBias(Value v, Value &bias, Operation *&add) {
  if (auto op = v.getDefiningOp<Op>())
    return op;
  auto addOp = v.getDefiningOp<AddOp>();
  if (!addOp)
    return {};
  for (int i = 0; i < 2; ++i)
    if (auto op = addOp->getOperand(i).template getDefiningOp<Op>()) {
      bias = addOp->getOperand(1 - i);
      add = addOp;
      return op;
    }
  return {};
}

/// Common start of every pattern: a per-tensor int8 quantize, its
/// parameters and output bounds, and the value under the activation.
struct Root {
  TensorQuant out;
  OutputBounds bounds;
  Value source;
  SmallVector<Operation *> dead;
};

std::optional<Root> matchRoot(QuantizeOp q) {
  auto out = perTensor(q);
  if (!out)
    return std::nullopt;
  Root r;
  r.out = *out;
  r.source = q.getInput();
  auto bounds = activationBounds(r.source, r.out, r.dead);
  if (!bounds)
    return std::nullopt;
  r.bounds = *bounds;
  return r;
}

struct FuseConv : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto root = matchRoot(q);
    if (!root)
      return failure();
    Value biasValue;
    Operation *add = nullptr;
    auto conv = contractionWithBias<Conv2DOp>(root->source, biasValue, add);
    if (!conv || !conv->hasOneUse() || (add && !add->hasOneUse()))
      return failure();
    DequantizeOp x = int8Dequantize(conv.getInput());
    auto w = constantWeights(conv.getFilter(), 0);
    if (!x || !w)
      return failure();
    int64_t channels = w->shape[0];
    double inScale = x.getScale()[0];
    auto mult = channelMultipliers(inScale, w->scales, root->out.scale);
    if (!mult)
      return failure();
    // The bias add broadcasts a [1, F, 1, 1] (or [F, 1, 1]) tensor.
    auto bias = biasConstant(rewriter, conv.getLoc(), biasValue, channels, 3, inScale, w->scales);
    if (failed(bias))
      return failure();
    Location loc = conv.getLoc();
    Value filter = int8Constant(rewriter, loc, w->shape, w->values);
    rewriter.setInsertionPoint(q);
    auto fused = QConv2DOp::create(rewriter, loc, q.getType(), x.getInput(), filter, *bias,
                                   conv.getStrides(), conv.getDilations(), conv.getPads(),
                                   conv.getGroups(), x.getZeroPoint()[0], mult->first, mult->second,
                                   root->out.zeroPoint, root->bounds.min, root->bounds.max);
    rewriter.replaceOp(q, fused.getResult());
    return success();
  }
};

struct FuseMatmul : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto root = matchRoot(q);
    if (!root || q.getType().getRank() != 2)
      return failure();
    Value biasValue;
    Operation *add = nullptr;
    auto mm = contractionWithBias<MatmulOp>(root->source, biasValue, add);
    if (!mm || !mm->hasOneUse() || (add && !add->hasOneUse()) ||
        mm.getLhs().getType().getRank() != 2 || mm.getRhs().getType().getRank() != 2)
      return failure();
    DequantizeOp x = int8Dequantize(mm.getLhs());
    if (!x)
      return failure();
    // The weights are [K, N] with per-column scales, or a transpose of
    // [N, K] with per-row scales (Gemm with transB).
    Value rhs = mm.getRhs();
    bool transposed = false;
    if (auto t = rhs.getDefiningOp<TransposeOp>()) {
      if (t.getPerm() != ArrayRef<int64_t>{1, 0})
        return failure();
      rhs = t.getInput();
      transposed = true;
    }
    auto w = constantWeights(rhs, transposed ? 0 : 1);
    if (!w)
      return failure();
    if (transposed) {
      int64_t n = w->shape[0], k = w->shape[1];
      SmallVector<int64_t> t(n * k);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < k; ++j)
          t[j * n + i] = w->values[i * k + j];
      w->values = std::move(t);
      w->shape = {k, n};
    }
    int64_t channels = w->shape[1];
    double inScale = x.getScale()[0];
    auto mult = channelMultipliers(inScale, w->scales, root->out.scale);
    if (!mult)
      return failure();
    Location loc = mm.getLoc();
    // The bias add broadcasts an [N] (or [1, N]) tensor.
    auto bias = biasConstant(rewriter, loc, biasValue, channels, 1, inScale, w->scales);
    if (failed(bias))
      return failure();
    Value weights = int8Constant(rewriter, loc, w->shape, w->values);
    rewriter.setInsertionPoint(q);
    auto fused = QMatmulOp::create(rewriter, loc, q.getType(), x.getInput(), weights, *bias,
                                   x.getZeroPoint()[0], mult->first, mult->second,
                                   root->out.zeroPoint, root->bounds.min, root->bounds.max);
    rewriter.replaceOp(q, fused.getResult());
    return success();
  }
};

struct FuseAdd : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  /// TFLite's int8 add: both inputs shift left by 20 bits and are
  /// rescaled to twice the larger input scale; the sum is requantized.
  static constexpr int64_t kLeftShift = 20;

  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto root = matchRoot(q);
    if (!root)
      return failure();
    auto add = root->source.getDefiningOp<AddOp>();
    if (!add || !add->hasOneUse())
      return failure();
    DequantizeOp a = int8Dequantize(add.getLhs()), b = int8Dequantize(add.getRhs());
    if (!a || !b || a.getInput().getType() != q.getType() || b.getInput().getType() != q.getType())
      return failure();
    double sa = a.getScale()[0], sb = b.getScale()[0];
    double twiceMax = 2 * std::max(sa, sb);
    auto ma = toFixedPoint(sa / twiceMax), mb = toFixedPoint(sb / twiceMax);
    auto mo = toFixedPoint(twiceMax / (std::ldexp(1.0, kLeftShift) * root->out.scale));
    if (!ma || !mb || !mo)
      return failure();
    rewriter.setInsertionPoint(q);
    auto fused =
        QAddOp::create(rewriter, add.getLoc(), q.getType(), a.getInput(), b.getInput(),
                       ArrayRef<int64_t>{a.getZeroPoint()[0], b.getZeroPoint()[0]}, kLeftShift,
                       ArrayRef<int32_t>{ma->multiplier, mb->multiplier, mo->multiplier},
                       ArrayRef<int32_t>{ma->shift, mb->shift, mo->shift}, root->out.zeroPoint,
                       root->bounds.min, root->bounds.max);
    rewriter.replaceOp(q, fused.getResult());
    return success();
  }
};

struct FuseAvgPool : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto root = matchRoot(q);
    if (!root)
      return failure();
    Operation *pool = root->source.getDefiningOp();
    if (!pool || !pool->hasOneUse())
      return failure();
    SmallVector<int64_t, 2> kernel, strides;
    if (auto avg = dyn_cast<AvgPool2DOp>(pool)) {
      if (llvm::any_of(avg.getPads(), [](int64_t p) { return p != 0; }))
        return failure();
      kernel.assign(avg.getKernel().begin(), avg.getKernel().end());
      strides.assign(avg.getStrides().begin(), avg.getStrides().end());
    } else if (auto mean = dyn_cast<ReduceMeanOp>(pool)) {
      auto in = cast<RankedTensorType>(mean.getInput().getType());
      if (in.getRank() != 4 || mean.getAxes() != ArrayRef<int64_t>{2, 3})
        return failure();
      kernel = {in.getDimSize(2), in.getDimSize(3)};
      strides = {1, 1};
    } else {
      return failure();
    }
    DequantizeOp x = int8Dequantize(pool->getOperand(0));
    if (!x)
      return failure();
    auto fp = toFixedPoint(x.getScale()[0] / (root->out.scale * double(kernel[0] * kernel[1])));
    if (!fp)
      return failure();
    auto in = x.getInput().getType();
    auto pooledType = RankedTensorType::get({in.getDimSize(0), in.getDimSize(1),
                                             (in.getDimSize(2) - kernel[0]) / strides[0] + 1,
                                             (in.getDimSize(3) - kernel[1]) / strides[1] + 1},
                                            rewriter.getI8Type());
    rewriter.setInsertionPoint(q);
    Value fused = QAvgPool2DOp::create(
        rewriter, pool->getLoc(), pooledType, x.getInput(), kernel, strides, x.getZeroPoint()[0],
        ArrayRef<int32_t>{fp->multiplier}, ArrayRef<int32_t>{fp->shift}, root->out.zeroPoint,
        root->bounds.min, root->bounds.max);
    if (pooledType != q.getType())
      fused = ReshapeOp::create(rewriter, pool->getLoc(), q.getType(), fused);
    rewriter.replaceOp(q, fused);
    return success();
  }
};

struct FuseRequantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp q, PatternRewriter &rewriter) const override {
    auto root = matchRoot(q);
    if (!root)
      return failure();
    DequantizeOp x = int8Dequantize(root->source);
    if (!x || x.getInput().getType() != q.getType())
      return failure();
    TensorQuant in{x.getScale()[0], x.getZeroPoint()[0]};
    if (in.scale == root->out.scale && in.zeroPoint == root->out.zeroPoint) {
      // The bounds clamp the same int8 value.
      Value v = x.getInput();
      if (root->bounds.min == -128 && root->bounds.max == 127) {
        rewriter.replaceOp(q, v);
        return success();
      }
    }
    auto fp = toFixedPoint(in.scale / root->out.scale);
    if (!fp)
      return failure();
    rewriter.replaceOpWithNewOp<RequantizeOp>(
        q, q.getType(), x.getInput(), in.zeroPoint, ArrayRef<int32_t>{fp->multiplier},
        ArrayRef<int32_t>{fp->shift}, root->out.zeroPoint, root->bounds.min, root->bounds.max);
    return success();
  }
};

/// reshape(dequantize(x)) -> dequantize(reshape(x)) for per-tensor
/// parameters, so that a flatten does not separate a dequantize from the
/// op that consumes it.
struct SinkDequantizeThroughReshape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp reshape, PatternRewriter &rewriter) const override {
    auto dq = reshape.getInput().getDefiningOp<DequantizeOp>();
    if (!dq || dq.getScale().size() != 1)
      return failure();
    auto type = reshape.getType();
    auto intType = RankedTensorType::get(type.getShape(), dq.getInput().getType().getElementType());
    Value moved = ReshapeOp::create(rewriter, reshape.getLoc(), intType, dq.getInput());
    rewriter.replaceOpWithNewOp<DequantizeOp>(reshape, type, moved, dq.getScale(),
                                              dq.getZeroPoint(), 0);
    return success();
  }
};

struct FuseQuantizedOpsPass : impl::FuseQuantizedOpsPassBase<FuseQuantizedOpsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // Larger kernels first: a conv's bias add is not a residual add.
    patterns.add<FuseConv, FuseMatmul>(&getContext(), /*benefit=*/3);
    patterns.add<FuseAdd, FuseAvgPool>(&getContext(), /*benefit=*/2);
    patterns.add<FuseRequantize, SinkDequantizeThroughReshape>(&getContext(), /*benefit=*/1);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
} // namespace kiln
