//===- RoiAlignOps.cpp - ONNX RoiAlign to kiln ------------------*- C++ -*-===//
//
// RoiAlign with regions known only at run time: with a fixed sampling_ratio
// S, every output bin averages (or takes the largest of) S x S bilinear
// samples, so the sample grid has a static shape whatever the regions.
// Along each axis the samples sit at start + a_j * bin for constants a_j =
// p + (i + 1/2) / S (bin p, sample i), which makes them [R, out * S]
// tensors; the bilinear corners and weights follow ONNX Runtime (and ONNX's
// reference): samples beyond [-1, size] weigh nothing, coordinates clamp at
// 0 and at size - 1. The four corners of every sample are gathered from the
// input laid out as [N * H * W, C] at batch * H * W + y * W + x. "avg" sums
// the weighted corners and averages the S x S samples; "max" takes the
// largest weighted corner of each sample and the largest sample, as ONNX
// Runtime does. An adaptive sampling_ratio (0) makes the sample count
// depend on the regions' sizes, and is supported only where that count is
// the same for every region.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Column `i` of the [R, 4] regions, as [R, 1].
Value regionColumn(NodeImporter &n, Value rois, int64_t r, int64_t i) {
  return slice(n, rois, {0, i}, {r, 1}, {1, 1});
}

/// One axis's samples: the low and high corner indices [R, out * S] (i64)
/// and their weights (zero outside [-1, size]).
struct AxisSamples {
  Value low, high, lowWeight, highWeight;
};

AxisSamples sampleAxis(NodeImporter &n, Value start, Value extent, int64_t out, int64_t grid,
                       int64_t size) {
  auto type = cast<RankedTensorType>(start.getType());
  Type elt = type.getElementType();
  int64_t r = type.getDimSize(0);
  SmallVector<double> offsets;
  for (int64_t p = 0; p < out; ++p)
    for (int64_t i = 0; i < grid; ++i)
      offsets.push_back((double)p + ((double)i + 0.5) / (double)grid);
  Value a = n.floatConstant(elt, {1, out * grid}, offsets);
  Value bin = n.create<DivOp>(extent, n.scalarConstant(elt, (double)out));
  Value pos = n.create<AddOp>(start, n.create<MulOp>(a, bin)); // [R, out * S]
  Value zero = n.scalarConstant(elt, 0.0), one = n.scalarConstant(elt, 1.0);
  Value last = n.scalarConstant(elt, (double)(size - 1));
  Value inside = n.create<AndOp>(n.create<LessEqualOp>(n.scalarConstant(elt, -1.0), pos),
                                 n.create<LessEqualOp>(pos, n.scalarConstant(elt, (double)size)));
  Value clamped = n.create<MaxOp>(pos, zero);
  Value lowF = n.create<FloorOp>(clamped);
  Value atEdge = n.create<LessEqualOp>(last, lowF);
  Value fraction = n.create<SelectOp>(atEdge, zero, n.create<SubOp>(clamped, lowF));
  lowF = n.create<MinOp>(lowF, last);
  Value highF = n.create<MinOp>(n.create<AddOp>(lowF, one), last);
  Value mask = n.create<CastOp>(RankedTensorType::get({r, out * grid}, elt), inside);
  auto indexType = RankedTensorType::get({r, out * grid}, n.builder.getI64Type());
  return {n.create<CastOp>(indexType, lowF), n.create<CastOp>(indexType, highF),
          n.create<MulOp>(n.create<SubOp>(one, fraction), mask), n.create<MulOp>(fraction, mask)};
}

LogicalResult importRoiAlign(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0), roisType = n.inputType(1), batchType = n.inputType(2);
  Type elt = xType.getElementType();
  if (xType.getRank() != 4 || !isa<FloatType>(elt))
    return n.error("RoiAlign needs a 4-D floating-point input");
  if (roisType.getRank() != 2 || roisType.getDimSize(1) != 4 || roisType.getElementType() != elt ||
      batchType.getRank() != 1 || batchType.getDimSize(0) != roisType.getDimSize(0))
    return n.error("RoiAlign needs [R, 4] regions of the input's type and [R] batch indices");
  std::string mode = n.stringAttr("mode", "avg");
  if (mode != "avg" && mode != "max")
    return n.error("unknown RoiAlign mode '" + mode + "'");
  std::string coordinates = n.stringAttr("coordinate_transformation_mode", "half_pixel");
  if (coordinates != "half_pixel" && coordinates != "output_half_pixel")
    return n.error("unknown coordinate_transformation_mode '" + coordinates + "'");
  bool halfPixel = coordinates == "half_pixel";
  int64_t outH = n.intAttr("output_height", 1), outW = n.intAttr("output_width", 1);
  int64_t ratio = n.intAttr("sampling_ratio", 0);
  double scale = n.floatAttr("spatial_scale", 1.0f);
  if (outH <= 0 || outW <= 0 || ratio < 0)
    return n.error("RoiAlign needs positive output sizes and a sampling_ratio of at least 0");
  int64_t N = xType.getDimSize(0), C = xType.getDimSize(1), H = xType.getDimSize(2),
          W = xType.getDimSize(3), R = roisType.getDimSize(0);
  if (R == 0)
    return n.unsupported("RoiAlign of no regions");

  // Region corners in input coordinates, [R, 1] each.
  Value rois = n.input(1);
  Value offset = n.scalarConstant(elt, halfPixel ? 0.5 : 0.0);
  Value s = n.scalarConstant(elt, scale);
  auto corner = [&](int64_t i) {
    return n.create<SubOp>(n.create<MulOp>(regionColumn(n, rois, R, i), s), offset);
  };
  Value x0 = corner(0), y0 = corner(1), x1 = corner(2), y1 = corner(3);
  Value width = n.create<SubOp>(x1, x0), height = n.create<SubOp>(y1, y0);
  if (!halfPixel) {
    width = n.create<MaxOp>(width, n.scalarConstant(elt, 1.0));
    height = n.create<MaxOp>(height, n.scalarConstant(elt, 1.0));
  }
  int64_t gridH = ratio, gridW = ratio;
  if (ratio == 0) {
    // Adaptive: ceil(extent / out) samples, which must be one count.
    auto regions = n.constantInput(1);
    if (!regions)
      return n.unsupportedAtRunTime({1}, "RoiAlign with sampling_ratio 0 (the sample count "
                                         "depends on the regions' sizes)");
    std::optional<int64_t> counts[2];
    SmallVector<double> v;
    for (APFloat f : regions->getValues<APFloat>())
      v.push_back(f.convertToDouble());
    for (int64_t i = 0; i < R; ++i) {
      double o = halfPixel ? 0.5 : 0.0;
      double w = (v[4 * i + 2] * scale - o) - (v[4 * i] * scale - o);
      double h = (v[4 * i + 3] * scale - o) - (v[4 * i + 1] * scale - o);
      if (!halfPixel) {
        w = std::max(w, 1.0);
        h = std::max(h, 1.0);
      }
      int64_t ch = (int64_t)std::ceil(h / outH), cw = (int64_t)std::ceil(w / outW);
      if ((counts[0] && *counts[0] != ch) || (counts[1] && *counts[1] != cw))
        return n.unsupported("RoiAlign with sampling_ratio 0 over regions that need different "
                             "sample counts");
      counts[0] = ch;
      counts[1] = cw;
    }
    gridH = std::max<int64_t>(*counts[0], 0);
    gridW = std::max<int64_t>(*counts[1], 0);
    if (gridH == 0 || gridW == 0) {
      // No samples: ONNX Runtime divides a zero sum by one.
      n.setResult(0, n.create<BroadcastOp>(RankedTensorType::get({R, C, outH, outW}, elt),
                                           n.scalarConstant(elt, 0.0)));
      return success();
    }
  }
  AxisSamples ys = sampleAxis(n, y0, height, outH, gridH, H);
  AxisSamples xs = sampleAxis(n, x0, width, outW, gridW, W);

  // [N * H * W, C], read at batch * H * W + y * W + x.
  Value flat = n.reshape(transpose(n, n.input(0), {0, 2, 3, 1}), {N * H * W, C});
  Type i64 = n.builder.getI64Type();
  Value batch = n.input(2);
  if (batchType.getElementType() != i64)
    batch = n.create<CastOp>(RankedTensorType::get({R}, i64), batch);
  Value base = n.reshape(n.create<MulOp>(batch, n.scalarConstant(i64, (double)(H * W))), {R, 1, 1});
  int64_t sh = outH * gridH, sw = outW * gridW;
  auto rows = [&](Value y) {
    return n.reshape(n.create<MulOp>(y, n.scalarConstant(i64, (double)W)), {R, sh, 1});
  };
  auto cols = [&](Value x) { return n.reshape(x, {R, 1, sw}); };
  auto wRows = [&](Value w) { return n.reshape(w, {R, sh, 1, 1}); };
  auto wCols = [&](Value w) { return n.reshape(w, {R, 1, sw, 1}); };
  Value sum;
  for (auto [y, wy] : {std::pair{ys.low, ys.lowWeight}, std::pair{ys.high, ys.highWeight}})
    for (auto [x, wx] : {std::pair{xs.low, xs.lowWeight}, std::pair{xs.high, xs.highWeight}}) {
      Value index = n.create<AddOp>(n.create<AddOp>(base, rows(y)), cols(x)); // [R, sh, sw]
      Value v = n.create<GatherOp>(flat, index, n.builder.getI64IntegerAttr(0));
      Value term = n.create<MulOp>(v, n.create<MulOp>(wRows(wy), wCols(wx))); // [R, sh, sw, C]
      sum = !sum ? term : mode == "avg" ? n.create<AddOp>(sum, term) : n.create<MaxOp>(sum, term);
    }
  Value bins = n.reshape(sum, {R, outH, gridH, outW, gridW, C});
  auto axes = n.builder.getDenseI64ArrayAttr({2, 4});
  Value pooled =
      mode == "avg"
          ? n.create<DivOp>(n.create<ReduceSumOp>(bins, axes, n.builder.getBoolAttr(false)),
                            n.scalarConstant(elt, (double)(gridH * gridW)))
          : n.create<ReduceMaxOp>(bins, axes, n.builder.getBoolAttr(false));
  n.setResult(0, transpose(n, pooled, {0, 3, 1, 2}));
  return success();
}

} // namespace

void registerRoiAlignOps(OpRegistry &r) { r["RoiAlign"] = importRoiAlign; }

} // namespace kiln::onnx_import
