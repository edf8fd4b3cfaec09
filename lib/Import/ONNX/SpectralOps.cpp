//===- SpectralOps.cpp - ONNX DFT and STFT to kiln --------------*- C++ -*-===//
//
// With static shapes the DFT is a matrix product by constant cosine and
// sine tables: for a signal x = xr + i xi of length L and bins k,
//   forward  Yr = xr C + xi S,  Yi = xi C - xr S
//   inverse  Yr = (xr C - xi S) / L,  Yi = (xi C + xr S) / L
// with C[n, k] = cos(2 pi n k / L) and S[n, k] = sin(2 pi n k / L), the
// tables computed in double precision. A one-sided transform keeps bins 0
// to L / 2. The signal axis is moved next to the last (real / imaginary)
// axis and back. STFT cuts the signal into frames with one constant
// gather, applies the window and transforms every frame. MelWeightMatrix
// of constant inputs is a constant, computed as ONNX's test case and ONNX
// Runtime compute it.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include <cmath>

using namespace mlir;

namespace kiln::onnx_import {

namespace {

Value sliceLast(NodeImporter &n, Value x, int64_t index) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> offsets(rank, 0), sizes(type.getShape()), strides(rank, 1);
  offsets.back() = index;
  sizes.back() = 1;
  Value s = n.create<SliceOp>(x, n.builder.getDenseI64ArrayAttr(offsets),
                              n.builder.getDenseI64ArrayAttr(sizes),
                              n.builder.getDenseI64ArrayAttr(strides));
  return n.reshape(s, type.getShape().drop_back());
}

Value table(NodeImporter &n, Type elt, int64_t length, int64_t bins, bool sine) {
  SmallVector<Attribute> values;
  values.reserve(length * bins);
  for (int64_t i = 0; i < length; ++i)
    for (int64_t k = 0; k < bins; ++k) {
      // Reduce n k modulo L first so that large products stay exact.
      double angle = 2.0 * M_PI * double((i * k) % length) / double(length);
      values.push_back(FloatAttr::get(elt, sine ? std::sin(angle) : std::cos(angle)));
    }
  return ConstantOp::create(
      n.builder, n.loc, DenseElementsAttr::get(RankedTensorType::get({length, bins}, elt), values));
}

/// The DFT of `x` ([..., N, 1 or 2], signal on axis -2) over `length`
/// points (zero padded or truncated): [..., bins, 2].
Value transform(NodeImporter &n, Value x, int64_t length, bool inverse, bool onesided) {
  auto type = cast<RankedTensorType>(x.getType());
  Type elt = type.getElementType();
  int64_t rank = type.getRank(), points = type.getDimSize(rank - 2);
  bool complex = type.getDimSize(rank - 1) == 2;
  Value re = sliceLast(n, x, 0);
  Value im = complex ? sliceLast(n, x, 1) : Value();
  auto fit = [&](Value v) -> Value {
    if (!v || points == length)
      return v;
    auto vt = cast<RankedTensorType>(v.getType());
    SmallVector<int64_t> shape(vt.getShape());
    if (points > length) {
      SmallVector<int64_t> offsets(shape.size(), 0), strides(shape.size(), 1);
      shape.back() = length;
      return n.create<SliceOp>(v, n.builder.getDenseI64ArrayAttr(offsets),
                               n.builder.getDenseI64ArrayAttr(shape),
                               n.builder.getDenseI64ArrayAttr(strides));
    }
    SmallVector<int64_t> low(shape.size(), 0), high(shape.size(), 0);
    high.back() = length - points;
    shape.back() = length;
    return n.create<PadOp>(RankedTensorType::get(shape, elt), v,
                           n.builder.getDenseI64ArrayAttr(low),
                           n.builder.getDenseI64ArrayAttr(high), n.builder.getF64FloatAttr(0.0));
  };
  re = fit(re);
  im = fit(im);
  int64_t bins = onesided ? length / 2 + 1 : length;
  Value cosT = table(n, elt, length, bins, false), sinT = table(n, elt, length, bins, true);
  Value yr = n.create<MatmulOp>(re, cosT);
  Value yi = n.create<MatmulOp>(re, sinT);
  if (!inverse)
    yi = n.create<NegOp>(yi);
  if (im) {
    Value ic = n.create<MatmulOp>(im, cosT), is = n.create<MatmulOp>(im, sinT);
    yr = inverse ? n.create<SubOp>(yr, is) : n.create<AddOp>(yr, is);
    yi = n.create<AddOp>(yi, ic);
  }
  if (inverse) {
    Value scale = n.scalarConstant(elt, 1.0 / double(length));
    yr = n.create<MulOp>(yr, scale);
    yi = n.create<MulOp>(yi, scale);
  }
  SmallVector<int64_t> shape(cast<RankedTensorType>(yr.getType()).getShape());
  shape.push_back(1);
  return n.create<ConcatOp>(ValueRange{n.reshape(yr, shape), n.reshape(yi, shape)},
                            n.builder.getI64IntegerAttr(shape.size() - 1));
}

Value permute(NodeImporter &n, Value x, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(x.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(type.getDimSize(p));
  return n.create<TransposeOp>(RankedTensorType::get(shape, type.getElementType()), x,
                               n.builder.getDenseI64ArrayAttr(perm));
}

LogicalResult checkSignal(NodeImporter &n, RankedTensorType type) {
  if (!isa<FloatType>(type.getElementType()))
    return n.error("the signal must be floating-point");
  int64_t last = type.getRank() ? type.getDimSize(type.getRank() - 1) : 0;
  if (type.getRank() < 2 || (last != 1 && last != 2))
    return n.error("the signal's last axis must hold 1 (real) or 2 (complex) values");
  return success();
}

LogicalResult importDFT(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (failed(checkSignal(n, type)))
    return failure();
  int64_t rank = type.getRank();
  // Opset 20 moved the axis into input 2 (default -2).
  int64_t given = n.intAttr("axis", 1);
  if (n.getOpset() >= 20) {
    given = -2;
    if (n.hasInput(2)) {
      auto axisInput = n.constantInts(2);
      if (!axisInput || axisInput->size() != 1)
        return n.unsupportedAtRunTime({2}, "DFT axis computed at run time");
      given = (*axisInput)[0];
    }
  }
  int64_t axis = given;
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank - 1)
    return n.error("axis " + Twine(given) + " is not a signal axis");
  bool inverse = n.intAttr("inverse", 0) != 0, onesided = n.intAttr("onesided", 0) != 0;
  if (onesided && inverse)
    return n.unsupported("an inverse one-sided DFT");
  if (onesided && type.getDimSize(rank - 1) == 2)
    return n.error("a one-sided DFT needs a real signal");
  int64_t length = type.getDimSize(axis);
  if (n.hasInput(1)) {
    auto given = n.constantInts(1);
    if (!given || given->size() != 1)
      return n.unsupportedAtRunTime({1}, "DFT with a dft_length computed at run time");
    length = given->front();
    if (length < 1)
      return n.error("dft_length must be positive");
  }
  // Move the signal axis to -2, transform, move it back.
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  perm.push_back(rank - 1);
  bool moved = axis != rank - 2;
  Value x = moved ? permute(n, n.input(0), perm) : n.input(0);
  Value y = transform(n, x, length, inverse, onesided);
  if (moved) {
    SmallVector<int64_t> back(rank);
    for (int64_t d = 0; d < rank; ++d)
      back[perm[d]] = d;
    y = permute(n, y, back);
  }
  n.setResult(0, y);
  return success();
}

LogicalResult importSTFT(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  if (failed(checkSignal(n, type)))
    return failure();
  if (type.getRank() != 3)
    return n.error("the STFT signal must be [batch, length, 1 or 2]");
  int64_t batch = type.getDimSize(0), samples = type.getDimSize(1), parts = type.getDimSize(2);
  auto step = n.constantInts(1);
  if (!step || step->size() != 1)
    return n.unsupportedAtRunTime({1}, "STFT with a frame_step computed at run time");
  int64_t frameLength = -1;
  if (n.hasInput(3)) {
    auto given = n.constantInts(3);
    if (!given || given->size() != 1)
      return n.unsupportedAtRunTime({3}, "STFT with a frame_length computed at run time");
    frameLength = given->front();
  }
  Value window = n.input(2);
  if (window) {
    RankedTensorType wType = n.inputType(2);
    if (wType.getRank() != 1)
      return n.error("the window must be 1-D");
    if (frameLength >= 0 && frameLength != wType.getDimSize(0))
      return n.error("frame_length differs from the window's length");
    frameLength = wType.getDimSize(0);
  }
  if (frameLength < 1)
    return n.error("STFT needs a frame_length or a window");
  if (step->front() < 1 || frameLength > samples)
    return n.error("frame_step must be positive and frames must fit the signal");
  bool onesided = n.intAttr("onesided", 1) != 0;
  if (onesided && parts == 2)
    return n.error("a one-sided STFT needs a real signal");
  int64_t frames = 1 + (samples - frameLength) / step->front();
  SmallVector<int64_t> indices;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t i = 0; i < frameLength; ++i)
      indices.push_back(f * step->front() + i);
  Type elt = type.getElementType();
  Value framed = n.create<GatherOp>(RankedTensorType::get({batch, frames, frameLength, parts}, elt),
                                    n.input(0), n.intConstant(indices, {frames, frameLength}),
                                    n.builder.getI64IntegerAttr(1));
  if (window)
    framed = n.create<MulOp>(framed, n.reshape(window, {frameLength, 1}));
  n.setResult(0, transform(n, framed, frameLength, /*inverse=*/false, onesided));
  return success();
}

/// MelWeightMatrix(num_mel_bins, dft_length, sample_rate, lower_edge_hertz,
/// upper_edge_hertz): [dft_length / 2 + 1, num_mel_bins] triangles between
/// mel-spaced bins, the bin edges ((dft_length + 1) * hertz) // sample_rate
/// of num_mel_bins + 2 mel points stepped by (high - low) / (num_mel_bins +
/// 2), the mels in f32 as ONNX's test case computes them. Its shape depends
/// on the values, so every input must be a constant.
LogicalResult importMelWeightMatrix(NodeImporter &n) {
  std::optional<int64_t> ints[3];
  for (unsigned i = 0; i < 3; ++i)
    if (auto c = n.constantInts(i); c && c->size() == 1)
      ints[i] = (*c)[0];
  std::optional<float> hertz[2];
  for (unsigned i = 0; i < 2; ++i)
    if (auto c = n.constantInput(3 + i);
        c && c->getNumElements() == 1 && isa<FloatType>(c->getElementType()))
      hertz[i] = (float)(*c->getValues<APFloat>().begin()).convertToDouble();
  if (!ints[0] || !ints[1] || !ints[2] || !hertz[0] || !hertz[1])
    return n.unsupportedAtRunTime({0, 1, 2, 3, 4}, "MelWeightMatrix of inputs computed at run "
                                                   "time (its shape depends on their values)");
  int64_t bins = *ints[0], dft = *ints[1], rate = *ints[2];
  if (bins <= 0 || dft <= 0 || rate <= 0 || bins > (1 << 16) || dft > (1 << 24))
    return n.error("MelWeightMatrix needs positive num_mel_bins, dft_length and sample_rate");
  Type elt = convertONNXElementType(n.getContext(), n.intAttr("output_datatype", 1));
  if (!elt || !isa<FloatType>(elt))
    return n.unsupported("MelWeightMatrix with a non-float output_datatype");
  int64_t spectrum = dft / 2 + 1;
  float lowMel = 2595.0f * std::log10(1.0f + *hertz[0] / 700.0f);
  float highMel = 2595.0f * std::log10(1.0f + *hertz[1] / 700.0f);
  float step = (highMel - lowMel) / (float)(bins + 2);
  SmallVector<int64_t> edges;
  for (int64_t i = 0; i < bins + 2; ++i) {
    double mel = (double)i * (double)step + (double)lowMel;
    double hz = 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0);
    edges.push_back((int64_t)std::floor((double)(dft + 1) * hz / (double)rate));
  }
  if (edges.front() < 0 || edges.back() >= spectrum + 1 || !llvm::is_sorted(edges))
    return n.error("MelWeightMatrix's edges fall outside the " + Twine(spectrum) +
                   " spectrogram bins (is upper_edge_hertz above sample_rate / 2?)");
  SmallVector<double> w(spectrum * bins, 0.0);
  for (int64_t i = 0; i < bins; ++i) {
    int64_t left = edges[i], center = edges[i + 1], right = edges[i + 2];
    if (center >= spectrum)
      return n.error("MelWeightMatrix's center bin " + Twine(center) + " is past the " +
                     Twine(spectrum) + " spectrogram bins");
    if (center == left)
      w[center * bins + i] = 1;
    else
      for (int64_t j = left; j <= center; ++j)
        w[j * bins + i] = double(j - left) / double(center - left);
    for (int64_t j = center; j < right; ++j)
      w[j * bins + i] = double(right - j) / double(right - center);
  }
  n.setResult(0, n.floatConstant(elt, {spectrum, bins}, w));
  return success();
}

} // namespace

void registerSpectralOps(OpRegistry &r) {
  r["MelWeightMatrix"] = importMelWeightMatrix;
  r["DFT"] = importDFT;
  r["STFT"] = importSTFT;
}

} // namespace kiln::onnx_import
