//===- GridSampleOps.cpp - ONNX GridSample to kiln --------------*- C++ -*-===//
//
// GridSample (opset 16: X [N, C, H, W], grid [N, Ho, Wo, 2] of normalized
// (x, y) in [-1, 1]) with the grid known only at run time. Every step is
// elementwise on [N, Ho, Wo] tensors, then one gather_elements per tap:
//
//  1. Denormalize: align_corners: (g + 1) / 2 * (size - 1); otherwise
//     ((g + 1) * size - 1) / 2. Nearest rounds half to even.
//  2. A coordinate outside the border ([0, size - 1] with align_corners,
//     else [-0.5, size - 0.5]) is clamped (border) or reflected
//     (reflection) into it.
//  3. Taps: 1 (nearest), 2 x 2 (bilinear, weights 1 - t and t) or 4 x 4
//     (bicubic, x0 = floor(x) - 1, coefficients with A = -0.75).
//  4. Each tap's pixel: zero outside the image (zeros), the clamped pixel
//     (border), or the reflected one (reflection); read with
//     gather_elements from X flattened to [N, C, H * W] at r * W + c.
//
// This follows ONNX's reference implementation step for step.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

using namespace mlir;

namespace kiln::onnx_import {

namespace {

class GridSampler {
public:
  GridSampler(NodeImporter &n, Type elt) : n(n), elt(elt) {}

  Value constant(double v) { return n.scalarConstant(elt, v); }
  Value add(Value a, Value b) { return n.create<AddOp>(a, b); }
  Value sub(Value a, Value b) { return n.create<SubOp>(a, b); }
  Value mul(Value a, Value b) { return n.create<MulOp>(a, b); }
  Value less(Value a, Value b) { return n.create<LessOp>(a, b); }
  Value select(Value c, Value a, Value b) { return n.create<SelectOp>(c, a, b); }
  Value floor(Value a) { return n.create<FloorOp>(a); }
  Value clamp(Value a, double lo, double hi) {
    return n.create<ClampOp>(a, n.builder.getF64FloatAttr(lo), n.builder.getF64FloatAttr(hi));
  }
  Value either(Value a, Value b) { return n.create<OrOp>(a, b); }

  /// Reflects x into [lo, hi] by its nearer border until it is inside (for
  /// x inside, the identity).
  Value reflect(Value x, double lo, double hi) {
    double range = hi - lo;
    Value below = less(x, constant(lo)), above = less(constant(hi), x);
    // Distance past the border crossed, and how many whole ranges it spans.
    Value dx = select(below, sub(constant(lo), x), sub(x, constant(hi)));
    Value times = floor(mul(dx, constant(1.0 / range)));
    Value r = sub(dx, mul(times, constant(range)));
    Value odd = n.create<EqualOp>(n.create<RemOp>(times, constant(2.0)), constant(1.0));
    // Below: even -> lo + r, odd -> hi - r; above: even -> hi - r, odd -> lo + r.
    Value fromLo = add(constant(lo), r), fromHi = sub(constant(hi), r);
    Value reflectedBelow = select(odd, fromHi, fromLo);
    Value reflectedAbove = select(odd, fromLo, fromHi);
    return select(below, reflectedBelow, select(above, reflectedAbove, x));
  }

  NodeImporter &n;
  Type elt;
};

LogicalResult importGridSample(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0), gType = n.inputType(1);
  if (xType.getRank() != 4)
    return n.unsupported(Twine(xType.getRank() - 2) + "-D GridSample");
  Type elt = xType.getElementType();
  if (!isa<FloatType>(elt))
    return n.error("GridSample needs a floating-point input");
  int64_t N = xType.getDimSize(0), C = xType.getDimSize(1), H = xType.getDimSize(2),
          W = xType.getDimSize(3);
  if (gType.getRank() != 4 || gType.getDimSize(0) != N || gType.getDimSize(3) != 2)
    return n.error("the grid must be [N, H_out, W_out, 2]");
  int64_t Ho = gType.getDimSize(1), Wo = gType.getDimSize(2);
  // Opset 20 renamed the modes after their N-D forms.
  std::string mode = n.stringAttr("mode", n.getOpset() >= 20 ? "linear" : "bilinear");
  if (n.getOpset() >= 20 && (mode == "linear" || mode == "cubic"))
    mode = mode == "linear" ? "bilinear" : "bicubic";
  else if (n.getOpset() >= 20 && mode != "nearest")
    return n.error("unknown GridSample mode '" + mode + "'");
  std::string padding = n.stringAttr("padding_mode", "zeros");
  bool alignCorners = n.intAttr("align_corners", 0) != 0;
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return n.error("unknown GridSample mode '" + mode + "'");
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return n.error("unknown padding_mode '" + padding + "'");

  GridSampler g(n, elt);
  Value grid = n.input(1);
  auto component = [&](int64_t k) {
    Value s = n.create<SliceOp>(grid, n.builder.getDenseI64ArrayAttr({0, 0, 0, k}),
                                n.builder.getDenseI64ArrayAttr({N, Ho, Wo, 1}),
                                n.builder.getDenseI64ArrayAttr({1, 1, 1, 1}));
    return n.reshape(s, {N, Ho * Wo});
  };
  auto denormalize = [&](Value v, int64_t size) {
    if (alignCorners)
      return g.mul(g.add(v, g.constant(1.0)), g.constant(0.5 * double(size - 1)));
    return g.mul(g.sub(g.mul(g.add(v, g.constant(1.0)), g.constant(double(size))), g.constant(1.0)),
                 g.constant(0.5));
  };
  Value x = denormalize(component(0), W), y = denormalize(component(1), H);
  if (mode == "nearest") {
    x = n.create<RoundOp>(x);
    y = n.create<RoundOp>(y);
  }
  double xMin = alignCorners ? 0.0 : -0.5, xMax = alignCorners ? W - 1.0 : W - 0.5;
  double yMin = alignCorners ? 0.0 : -0.5, yMax = alignCorners ? H - 1.0 : H - 0.5;
  if (padding == "border") {
    Value xOut = g.either(g.less(x, g.constant(xMin)), g.less(g.constant(xMax), x));
    Value yOut = g.either(g.less(y, g.constant(yMin)), g.less(g.constant(yMax), y));
    x = g.select(xOut, g.clamp(x, 0.0, W - 1.0), x);
    y = g.select(yOut, g.clamp(y, 0.0, H - 1.0), y);
  } else if (padding == "reflection") {
    x = g.reflect(x, xMin, xMax);
    y = g.reflect(y, yMin, yMax);
  }

  // Taps per axis: their (float) coordinates and weights.
  SmallVector<Value> xs, xw, ys, yw;
  auto taps = [&](Value v, SmallVector<Value> &coords, SmallVector<Value> &weights) {
    if (mode == "nearest") {
      coords.push_back(v);
      weights.push_back(Value());
      return;
    }
    Value base = g.floor(v), t = g.sub(v, base);
    if (mode == "bilinear") {
      coords = {base, g.add(base, g.constant(1.0))};
      weights = {g.sub(g.constant(1.0), t), t};
      return;
    }
    const double A = -0.75;
    // Cubic convolution weights of the taps at distances t + 1, t, 1 - t, 2 - t.
    auto far = [&](Value d) { // ((A d - 5A) d + 8A) d - 4A for 1 <= d <= 2
      Value p = g.sub(g.mul(g.constant(A), d), g.constant(5 * A));
      p = g.add(g.mul(p, d), g.constant(8 * A));
      return g.sub(g.mul(p, d), g.constant(4 * A));
    };
    auto near = [&](Value d) { // ((A + 2) d - (A + 3)) d d + 1 for d <= 1
      Value p = g.sub(g.mul(g.constant(A + 2), d), g.constant(A + 3));
      return g.add(g.mul(g.mul(p, d), d), g.constant(1.0));
    };
    Value oneMinus = g.sub(g.constant(1.0), t);
    weights = {far(g.add(t, g.constant(1.0))), near(t), near(oneMinus),
               far(g.add(oneMinus, g.constant(1.0)))};
    for (int k = -1; k <= 2; ++k)
      coords.push_back(g.add(base, g.constant(double(k))));
  };
  taps(x, xs, xw);
  taps(y, ys, yw);

  // The pixel at integer coordinates (r, c), padded per padding_mode.
  Value flat = n.reshape(n.input(0), {N, C, H * W});
  auto i64 = n.builder.getI64Type();
  auto pixel = [&](Value r, Value c) -> Value {
    Value valid;
    if (padding == "zeros") {
      auto inside = [&](Value v, double size) {
        Value ge0 = n.create<LessEqualOp>(g.constant(0.0), v);
        Value ltSize = g.less(v, g.constant(size));
        return n.create<AndOp>(ge0, ltSize);
      };
      valid = n.create<AndOp>(inside(r, H), inside(c, W));
      r = g.clamp(r, 0.0, H - 1.0);
      c = g.clamp(c, 0.0, W - 1.0);
    } else if (padding == "border") {
      r = g.clamp(r, 0.0, H - 1.0);
      c = g.clamp(c, 0.0, W - 1.0);
    } else {
      r = g.clamp(g.reflect(r, yMin, yMax), 0.0, H - 1.0);
      c = g.clamp(g.reflect(c, xMin, xMax), 0.0, W - 1.0);
      // Reflected taps land on whole pixels or, without align_corners,
      // half-pixel borders that truncate like the reference's int().
      r = g.floor(r);
      c = g.floor(c);
    }
    Value index = n.create<CastOp>(RankedTensorType::get({N, Ho * Wo}, i64),
                                   g.add(g.mul(r, g.constant(double(W))), c));
    Value spread = n.create<BroadcastOp>(RankedTensorType::get({N, C, Ho * Wo}, i64),
                                         n.reshape(index, {N, 1, Ho * Wo}));
    Value v = n.create<GatherElementsOp>(flat, spread, n.builder.getI64IntegerAttr(2));
    if (valid)
      v = g.select(n.reshape(valid, {N, 1, Ho * Wo}), v, g.constant(0.0));
    return v;
  };

  Value sum;
  for (size_t i = 0; i < ys.size(); ++i)
    for (size_t j = 0; j < xs.size(); ++j) {
      Value v = pixel(ys[i], xs[j]);
      Value w;
      if (yw[i])
        w = g.mul(yw[i], xw[j]);
      if (w)
        v = g.mul(v, n.reshape(w, {N, 1, Ho * Wo}));
      sum = sum ? g.add(sum, v) : v;
    }
  n.setResult(0, n.reshape(sum, {N, C, Ho, Wo}));
  return success();
}

/// AffineGrid (opset 20): the normalized coordinates of every output
/// position (x fastest, then y, then z, each with a trailing 1) times
/// theta^T, one [N, (D,) H, W, 2 or 3] grid per sample.
LogicalResult importAffineGrid(NodeImporter &n) {
  RankedTensorType theta = n.inputType(0);
  Type elt = theta.getElementType();
  if (!isa<FloatType>(elt))
    return n.error("AffineGrid needs a floating-point theta");
  auto size = n.constantInts(1);
  if (!size)
    return n.unsupportedAtRunTime({1}, "AffineGrid size computed at run time");
  if (size->size() != 4 && size->size() != 5)
    return n.error("AffineGrid size must have 4 or 5 values, not " + Twine(size->size()));
  int64_t dims = size->size() - 2, batch = (*size)[0];
  if (theta.getShape() != ArrayRef<int64_t>{batch, dims, dims + 1})
    return n.error("AffineGrid theta must be [" + Twine(batch) + ", " + Twine(dims) + ", " +
                   Twine(dims + 1) + "], not " + n.describeInput(0));
  bool alignCorners = n.intAttr("align_corners", 0) != 0;
  // Spatial sizes in (D,) H, W order; coordinates listed x (W) first.
  SmallVector<int64_t> spatial(size->begin() + 2, size->end());
  auto coordinate = [&](int64_t i, int64_t len) {
    if (len == 1)
      return alignCorners ? -1.0 : 0.0;
    return alignCorners ? -1.0 + 2.0 * double(i) / double(len - 1)
                        : (2.0 * double(i) + 1.0) / double(len) - 1.0;
  };
  int64_t points = 1;
  for (int64_t s : spatial)
    points *= s;
  SmallVector<APFloat> base;
  const llvm::fltSemantics &sem = cast<FloatType>(elt).getFloatSemantics();
  auto push = [&](double v) {
    APFloat f(v);
    bool lost;
    f.convert(sem, APFloat::rmNearestTiesToEven, &lost);
    base.push_back(f);
  };
  for (int64_t p = 0; p < points; ++p) {
    SmallVector<int64_t> index(dims);
    int64_t rest = p;
    for (int64_t d = dims - 1; d >= 0; --d) {
      index[d] = rest % spatial[d];
      rest /= spatial[d];
    }
    for (int64_t d = dims - 1; d >= 0; --d) // x (the last spatial axis) first
      push(coordinate(index[d], spatial[d]));
    push(1.0);
  }
  auto baseType = RankedTensorType::get({points, dims + 1}, elt);
  Value grid = ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(baseType, base));
  Value thetaT = n.create<TransposeOp>(n.input(0), n.builder.getDenseI64ArrayAttr({0, 2, 1}));
  Value y = n.create<MatmulOp>(grid, thetaT); // [N, points, dims]
  SmallVector<int64_t> shape = {batch};
  llvm::append_range(shape, spatial);
  shape.push_back(dims);
  n.setResult(0, n.reshape(y, shape));
  return success();
}

} // namespace

void registerGridSampleOps(OpRegistry &r) {
  r["GridSample"] = importGridSample;
  r["AffineGrid"] = importAffineGrid;
}

} // namespace kiln::onnx_import
