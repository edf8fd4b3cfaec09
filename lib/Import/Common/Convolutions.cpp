//===- Convolutions.cpp - 3-D and transposed convolutions -------*- C++ -*-===//
//
// Both importers' 3-D convolution and transposed convolutions (1-D to 3-D),
// built from kiln.conv2d.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/Convolutions.h"

using namespace mlir;

namespace kiln {
namespace {

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

Value pad(CheckedBuilder &b, Value v, ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
  return b.create<PadOp>(v, b.builder.getDenseI64ArrayAttr(low),
                         b.builder.getDenseI64ArrayAttr(high), b.builder.getF64FloatAttr(0.0));
}

/// `bias` [F] added along dimension 1 of `y`.
Value addBias(CheckedBuilder &b, Value y, Value bias) {
  if (!bias)
    return y;
  SmallVector<int64_t> shape(shapeOf(y).size() - 1, 1);
  shape[0] = shapeOf(bias)[0];
  return b.create<AddOp>(y, b.reshape(bias, shape));
}

} // namespace

FailureOr<Value> buildConv3D(CheckedBuilder &b, Value x, Value w, Value bias,
                             ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                             ArrayRef<int64_t> p, int64_t groups) {
  ArrayRef<int64_t> xs = shapeOf(x), ws = shapeOf(w);
  if (xs.size() != 5 || ws.size() != 5 || strides.size() != 3 || dilations.size() != 3 ||
      p.size() != 6)
    return (void)b.error("a 3-D convolution needs 5-D operands, 3 strides and dilations and "
                         "6 pads"),
           failure();
  int64_t N = xs[0], C = xs[1], F = ws[0];
  if (groups <= 0 || C % groups || ws[1] * groups != C || F % groups)
    return (void)b.error("filter shape does not match " + Twine(C) + " input channels in " +
                         Twine(groups) + " groups"),
           failure();
  if (bias && (shapeOf(bias).size() != 1 || shapeOf(bias)[0] != F))
    return (void)b.error("the bias needs " + Twine(F) + " values"), failure();
  for (int d = 0; d < 3; ++d)
    if (windowOutputSize(xs[2 + d], ws[2 + d], strides[d], dilations[d], p[d], p[d + 3]) <= 0)
      return (void)b.error("the convolution window is larger than the padded input"), failure();
  int64_t outD = windowOutputSize(xs[2], ws[2], strides[0], dilations[0], p[0], p[3]);
  if (p[0] || p[3])
    x = pad(b, x, {0, 0, p[0], 0, 0}, {0, 0, p[3], 0, 0});
  int64_t H = xs[3], W = xs[4];
  auto &ob = b.builder;
  Value sum;
  for (int64_t k = 0; k < ws[2]; ++k) {
    Value planes =
        b.slice(x, {0, 0, k * dilations[0], 0, 0}, {N, C, outD, H, W}, {1, 1, strides[0], 1, 1});
    planes = b.reshape(b.transpose(planes, {0, 2, 1, 3, 4}), {N * outD, C, H, W});
    Value filter =
        b.reshape(b.slice(w, {0, 0, k, 0, 0}, {F, ws[1], 1, ws[3], ws[4]}, {1, 1, 1, 1, 1}),
                  {F, ws[1], ws[3], ws[4]});
    Value y = b.create<Conv2DOp>(planes, filter, ob.getDenseI64ArrayAttr({strides[1], strides[2]}),
                                 ob.getDenseI64ArrayAttr({dilations[1], dilations[2]}),
                                 ob.getDenseI64ArrayAttr({p[1], p[2], p[4], p[5]}),
                                 ob.getI64IntegerAttr(groups));
    sum = sum ? b.create<AddOp>(sum, y) : y;
  }
  ArrayRef<int64_t> ys = shapeOf(sum);
  Value y = b.transpose(b.reshape(sum, {N, outD, F, ys[2], ys[3]}), {0, 2, 1, 3, 4});
  return addBias(b, y, bias);
}

FailureOr<Value> buildConvTranspose(CheckedBuilder &b, Value x, Value w, Value bias,
                                    ArrayRef<int64_t> stridesIn, ArrayRef<int64_t> dilationsIn,
                                    ArrayRef<int64_t> padsIn, ArrayRef<int64_t> outputPaddingIn,
                                    int64_t groups) {
  ArrayRef<int64_t> xs0 = shapeOf(x), ws0 = shapeOf(w);
  int64_t rank = xs0.size(), spatial = rank - 2;
  if (rank < 3 || rank > 5)
    return (void)b.unsupported(Twine(spatial) + "-D transposed convolution"), failure();
  if ((int64_t)ws0.size() != rank)
    return (void)b.error("filter rank differs from input rank"), failure();
  if ((int64_t)stridesIn.size() != spatial || (int64_t)dilationsIn.size() != spatial ||
      (int64_t)outputPaddingIn.size() != spatial || (int64_t)padsIn.size() != 2 * spatial)
    return (void)b.error("strides, dilations and output_padding need " + Twine(spatial) +
                         " entries and pads " + Twine(2 * spatial)),
           failure();
  int64_t N = xs0[0], C = xs0[1];
  if (groups <= 0 || C % groups || ws0[0] != C)
    return (void)b.error("filter shape does not match " + Twine(C) + " input channels in " +
                         Twine(groups) + " groups"),
           failure();
  int64_t Fg = ws0[1], F = Fg * groups;
  if (bias && (shapeOf(bias).size() != 1 || shapeOf(bias)[0] != F))
    return (void)b.error("the bias needs " + Twine(F) + " values"), failure();
  SmallVector<int64_t> in(xs0.drop_front(2)), kernel(ws0.drop_front(2));
  SmallVector<int64_t> strides(stridesIn), dilations(dilationsIn), outputPadding(outputPaddingIn);
  SmallVector<int64_t> padBegin(padsIn.take_front(spatial)), padEnd(padsIn.drop_front(spatial));
  if (spatial == 1) {
    // Through a unit height.
    x = b.reshape(x, {N, C, 1, in[0]});
    w = b.reshape(w, {C, Fg, 1, kernel[0]});
    for (auto *v : {&in, &kernel, &strides, &dilations})
      v->insert(v->begin(), 1);
    for (auto *v : {&outputPadding, &padBegin, &padEnd})
      v->insert(v->begin(), 0);
    spatial = 2;
  }
  int64_t dims = spatial + 2;
  // Zero insertion: [N, C, s0, 1, s1, 1, ...] padded to [N, C, s0, t0, s1,
  // t1, ...], flattened and cut after the last input element.
  if (llvm::any_of(strides, [](int64_t s) { return s > 1; })) {
    SmallVector<int64_t> split{N, C}, high(2, 0), merged{N, C}, sizes{N, C};
    for (int64_t d = 0; d < spatial; ++d) {
      split.append({in[d], 1});
      high.append({0, strides[d] - 1});
      merged.push_back(in[d] * strides[d]);
      sizes.push_back((in[d] - 1) * strides[d] + 1);
    }
    x = pad(b, b.reshape(x, split), SmallVector<int64_t>(high.size(), 0), high);
    x = b.slice(b.reshape(x, merged), SmallVector<int64_t>(dims, 0), sizes,
                SmallVector<int64_t>(dims, 1));
  }
  // Filter: [C, F/g, k...] -> [F, C/g, k...], flipped along each spatial axis.
  SmallVector<int64_t> grouped{groups, C / groups, Fg}, perm{0, 2, 1}, filter{F, C / groups};
  for (int64_t d = 0; d < spatial; ++d) {
    grouped.push_back(kernel[d]);
    perm.push_back(3 + d);
    filter.push_back(kernel[d]);
  }
  w = b.reshape(b.transpose(b.reshape(w, grouped), perm), filter);
  for (int64_t d = 0; d < spatial; ++d) {
    if (kernel[d] == 1)
      continue;
    SmallVector<int64_t> reversed;
    for (int64_t i = kernel[d] - 1; i >= 0; --i)
      reversed.push_back(i);
    auto type = RankedTensorType::get({kernel[d]}, b.builder.getI64Type());
    Value indices = ConstantOp::create(b.builder, b.loc, DenseIntElementsAttr::get(type, reversed));
    w = b.create<GatherOp>(w, indices, b.builder.getI64IntegerAttr(2 + d));
  }
  // Padding of the zero-inserted input; negative amounts crop it.
  SmallVector<int64_t> convPads(2 * spatial), cropLow(dims, 0), cropSize(shapeOf(x));
  bool crop = false;
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t span = dilations[d] * (kernel[d] - 1);
    int64_t lo = span - padBegin[d], hi = span - padEnd[d] + outputPadding[d];
    convPads[d] = std::max<int64_t>(lo, 0);
    convPads[d + spatial] = std::max<int64_t>(hi, 0);
    cropLow[2 + d] = std::max<int64_t>(-lo, 0);
    cropSize[2 + d] -= cropLow[2 + d] + std::max<int64_t>(-hi, 0);
    crop |= lo < 0 || hi < 0;
    if (cropSize[2 + d] <= 0)
      return (void)b.error("the padding leaves no output"), failure();
  }
  if (crop)
    x = b.slice(x, cropLow, cropSize, SmallVector<int64_t>(dims, 1));
  ArrayRef<int64_t> zs = shapeOf(x);
  for (int64_t d = 0; d < spatial; ++d)
    if (windowOutputSize(zs[2 + d], kernel[d], 1, dilations[d], convPads[d],
                         convPads[d + spatial]) <= 0)
      return (void)b.error("the transposed convolution's output would be empty"), failure();
  Value y;
  if (spatial == 3) {
    FailureOr<Value> y3 = buildConv3D(b, x, w, bias, {1, 1, 1}, dilations, convPads, groups);
    if (failed(y3))
      return failure();
    y = *y3;
  } else {
    auto &ob = b.builder;
    y = addBias(b,
                b.create<Conv2DOp>(x, w, ob.getDenseI64ArrayAttr({1, 1}),
                                   ob.getDenseI64ArrayAttr(dilations),
                                   ob.getDenseI64ArrayAttr(convPads), ob.getI64IntegerAttr(groups)),
                bias);
  }
  if (rank == 3) {
    ArrayRef<int64_t> ys = shapeOf(y);
    y = b.reshape(y, {ys[0], ys[1], ys[3]});
  }
  return y;
}

} // namespace kiln
