//===- GridSampleOps.cpp - ONNX GridSample to kiln --------------*- C++ -*-===//
//
// GridSample (opset 16: X [N, C, H, W], grid [N, Ho, Wo, 2] of normalized
// (x, y) in [-1, 1]; opset 20: any number of spatial axes, X [N, C, D, H,
// W] with a grid [N, Do, Ho, Wo, 3] of (x, y, z)) with the grid known only
// at run time. Every step is elementwise on [N, outputs] tensors, per axis,
// then one gather_elements per tap:
//
//  1. Denormalize: align_corners: (g + 1) / 2 * (size - 1); otherwise
//     ((g + 1) * size - 1) / 2. Nearest rounds half to even.
//  2. A coordinate outside the border ([0, size - 1] with align_corners,
//     else [-0.5, size - 0.5]) is clamped (border) or reflected
//     (reflection) into it.
//  3. Taps per axis: 1 (nearest), 2 (linear, weights 1 - t and t) or 4
//     (cubic, 2-D only: x0 = floor(x) - 1, coefficients with A = -0.75);
//     every combination of them, weighted by the product.
//  4. Each tap's pixel: zero outside the image (zeros), the clamped pixel
//     (border), or the reflected one (reflection); read with
//     gather_elements from X flattened to [N, C, D * H * W] at its
//     row-major index.
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
  int64_t rank = xType.getRank(), k = rank - 2;
  if (k < 1)
    return n.error("GridSample needs an input of rank 3 or more, not " + n.describeInput(0));
  if (k != 2 && n.getOpset() < 20)
    return n.error("GridSample before opset 20 takes 4-D inputs, not " + n.describeInput(0));
  Type elt = xType.getElementType();
  if (!isa<FloatType>(elt))
    return n.error("GridSample needs a floating-point input");
  int64_t N = xType.getDimSize(0), C = xType.getDimSize(1);
  // Spatial sizes outermost first ((D,) H, W); the grid lists x (W) first.
  SmallVector<int64_t> sizes(xType.getShape().drop_front(2));
  if (gType.getRank() != rank || gType.getDimSize(0) != N || gType.getDimSize(rank - 1) != k)
    return n.error("the grid must be [N, " + Twine(k) + " output sizes, " + Twine(k) + "], not " +
                   n.describeInput(1));
  SmallVector<int64_t> outSizes(gType.getShape().slice(1, k));
  int64_t P = 1, pixels = 1;
  for (int64_t o : outSizes)
    P *= o;
  for (int64_t s : sizes)
    pixels *= s;
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
  if (mode == "bicubic" && k != 2)
    return n.error("GridSample's cubic mode takes 4-D inputs only, not " + n.describeInput(0));
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return n.error("unknown padding_mode '" + padding + "'");

  GridSampler g(n, elt);
  Value grid = n.input(1);
  auto component = [&](int64_t c) {
    SmallVector<int64_t> offsets(rank, 0), shape(gType.getShape()), strides(rank, 1);
    offsets[rank - 1] = c;
    shape[rank - 1] = 1;
    return n.reshape(n.slice(grid, offsets, shape, strides), {N, P});
  };
  auto denormalize = [&](Value v, int64_t size) {
    if (alignCorners)
      return g.mul(g.add(v, g.constant(1.0)), g.constant(0.5 * double(size - 1)));
    return g.mul(g.sub(g.mul(g.add(v, g.constant(1.0)), g.constant(double(size))), g.constant(1.0)),
                 g.constant(0.5));
  };
  SmallVector<double> lo(k), hi(k);
  SmallVector<SmallVector<Value>> coords(k), weights(k); // taps per axis
  for (int64_t a = 0; a < k; ++a) {
    int64_t size = sizes[a];
    Value v = denormalize(component(k - 1 - a), size);
    if (mode == "nearest")
      v = n.create<RoundOp>(v);
    lo[a] = alignCorners ? 0.0 : -0.5;
    hi[a] = alignCorners ? size - 1.0 : size - 0.5;
    if (padding == "border") {
      Value out = g.either(g.less(v, g.constant(lo[a])), g.less(g.constant(hi[a]), v));
      v = g.select(out, g.clamp(v, 0.0, size - 1.0), v);
    } else if (padding == "reflection") {
      v = g.reflect(v, lo[a], hi[a]);
    }
    // The taps: their (float) coordinates and weights.
    if (mode == "nearest") {
      coords[a] = {v};
      weights[a] = {Value()};
      continue;
    }
    Value base = g.floor(v), t = g.sub(v, base);
    if (mode == "bilinear") {
      coords[a] = {base, g.add(base, g.constant(1.0))};
      weights[a] = {g.sub(g.constant(1.0), t), t};
      continue;
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
    weights[a] = {far(g.add(t, g.constant(1.0))), near(t), near(oneMinus),
                  far(g.add(oneMinus, g.constant(1.0)))};
    for (int d = -1; d <= 2; ++d)
      coords[a].push_back(g.add(base, g.constant(double(d))));
  }

  // The pixel at integer coordinates (one per axis), padded per
  // padding_mode, read with gather_elements from X as [N, C, pixels].
  Value flat = n.reshape(n.input(0), {N, C, pixels});
  auto i64 = n.builder.getI64Type();
  auto pixel = [&](SmallVector<Value> at) -> Value {
    Value valid, index;
    double stride = 1.0;
    for (int64_t a = k - 1; a >= 0; --a) {
      Value c = at[a];
      double size = double(sizes[a]);
      if (padding == "zeros") {
        Value inside =
            n.create<AndOp>(n.create<LessEqualOp>(g.constant(0.0), c), g.less(c, g.constant(size)));
        valid = valid ? n.create<AndOp>(valid, inside) : inside;
        c = g.clamp(c, 0.0, size - 1.0);
      } else if (padding == "border") {
        c = g.clamp(c, 0.0, size - 1.0);
      } else {
        // Reflected taps land on whole pixels or, without align_corners,
        // half-pixel borders that truncate like the reference's int().
        c = g.floor(g.clamp(g.reflect(c, lo[a], hi[a]), 0.0, size - 1.0));
      }
      Value term = stride == 1.0 ? c : g.mul(c, g.constant(stride));
      index = index ? g.add(index, term) : term;
      stride *= size;
    }
    index = n.create<CastOp>(RankedTensorType::get({N, P}, i64), index);
    Value spread =
        n.create<BroadcastOp>(RankedTensorType::get({N, C, P}, i64), n.reshape(index, {N, 1, P}));
    Value v = n.create<GatherElementsOp>(flat, spread, n.builder.getI64IntegerAttr(2));
    if (valid)
      v = g.select(n.reshape(valid, {N, 1, P}), v, g.constant(0.0));
    return v;
  };

  // Every combination of taps, the weight the product of the axes'.
  Value sum;
  SmallVector<size_t> tap(k, 0);
  while (true) {
    SmallVector<Value> at;
    Value w;
    for (int64_t a = 0; a < k; ++a) {
      at.push_back(coords[a][tap[a]]);
      if (Value wa = weights[a][tap[a]])
        w = w ? g.mul(w, wa) : wa;
    }
    Value v = pixel(at);
    if (w)
      v = g.mul(v, n.reshape(w, {N, 1, P}));
    sum = sum ? g.add(sum, v) : v;
    int64_t a = k - 1;
    while (a >= 0 && ++tap[a] == coords[a].size())
      tap[a--] = 0;
    if (a < 0)
      break;
  }
  SmallVector<int64_t> shape = {N, C};
  llvm::append_range(shape, outSizes);
  n.setResult(0, n.reshape(sum, shape));
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
