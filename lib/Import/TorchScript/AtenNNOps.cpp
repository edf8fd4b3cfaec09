//===- AtenNNOps.cpp - Convolution, pooling, linear, normalization -*- C++ -*-===//
//
// The neural-network ops of traced and scripted torchvision models and
// transformers: convolutions (aten::_convolution as traced, conv1d/2d/3d and
// conv_transpose1d/2d/3d as scripted) onto kiln.conv2d plus a bias add (3-D
// and transposed ones through Convolutions.h), pooling onto kiln's 2-D
// pools, linear/addmm/matmul onto kiln.matmul, batch and layer norm
// decomposed the way the ONNX importer decomposes them.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "kiln/Import/Convolutions.h"
#include "kiln/Import/Decompositions.h"
#include "kiln/Import/Einsum.h"
#include "kiln/Import/Resize.h"

#include <cmath>

using namespace mlir;

namespace kiln::torchscript {

namespace {

/// Adds a per-channel vector `[C]` along axis 1 of a rank-`rank` tensor.
Value addPerChannel(NodeImporter &n, Value x, Value bias, int64_t rank) {
  int64_t c = cast<RankedTensorType>(bias.getType()).getNumElements();
  SmallVector<int64_t> shape{c};
  shape.append(rank - 2, 1);
  return n.create<AddOp>(x, n.reshape(bias, shape));
}

/// Convolutions, 1-D to 3-D, and transposed ones: input, weight, bias at
/// 0..2, then stride, padding, dilation, groups and (transposed)
/// output_padding at the given positions. A scripted conv's `padding` may
/// be "same" or "valid".
LogicalResult convolution(NodeImporter &n, unsigned strideArg, unsigned padArg,
                          unsigned dilationArg, unsigned groupsArg, bool transposed,
                          unsigned outputPaddingArg = 0) {
  RankedTensorType xType = n.tensorType(0), wType = n.tensorType(1);
  if (!xType || !wType)
    return failure();
  int64_t spatial = xType.getRank() - 2;
  if (spatial < 1 || spatial > 3)
    return n.unsupported(Twine(spatial) + "-D convolution");
  if (wType.getRank() != xType.getRank())
    return n.error("the weight's rank differs from the input's");
  auto strides = n.getInts(strideArg, spatial), dilations = n.getInts(dilationArg, spatial);
  auto groups = n.getInt(groupsArg);
  if (!strides || !dilations || !groups)
    return failure();
  SmallVector<int64_t> pads;
  if (n.item(padArg).kind == Item::Kind::String && !transposed) {
    if (n.item(padArg).s == "valid") {
      pads.assign(2 * spatial, 0);
    } else if (n.item(padArg).s == "same") {
      // Total padding d (k - 1), the extra one at the end, as PyTorch does.
      SmallVector<int64_t> lo, hi;
      for (int64_t d = 0; d < spatial; ++d) {
        int64_t total = (*dilations)[d] * (wType.getDimSize(2 + d) - 1);
        lo.push_back(total / 2);
        hi.push_back(total - total / 2);
      }
      pads = lo;
      pads.append(hi);
    } else {
      return n.unsupported("padding '" + n.item(padArg).s + "'");
    }
  } else {
    auto p = n.getInts(padArg, spatial);
    if (!p)
      return failure();
    pads = *p;
    pads.append(*p);
  }
  Value x = n.tensor(0), w = n.tensor(1), bias;
  if (!n.isNone(2) && !(bias = n.tensor(2)))
    return failure();
  if (transposed) {
    auto outputPadding = n.getInts(outputPaddingArg, spatial);
    if (!outputPadding)
      return failure();
    FailureOr<Value> y =
        buildConvTranspose(n, x, w, bias, *strides, *dilations, pads, *outputPadding, *groups);
    if (failed(y))
      return failure();
    n.setTensor(0, *y);
    return success();
  }
  if (spatial == 3) {
    FailureOr<Value> y = buildConv3D(n, x, w, bias, *strides, *dilations, pads, *groups);
    if (failed(y))
      return failure();
    n.setTensor(0, *y);
    return success();
  }
  SmallVector<int64_t> s = *strides, d = *dilations;
  if (spatial == 1) {
    // Through a unit height.
    x = n.reshape(x, {xType.getDimSize(0), xType.getDimSize(1), 1, xType.getDimSize(2)});
    w = n.reshape(w, {wType.getDimSize(0), wType.getDimSize(1), 1, wType.getDimSize(2)});
    s.insert(s.begin(), 1);
    d.insert(d.begin(), 1);
    pads = {0, pads[0], 0, pads[1]};
  }
  auto &b = n.builder;
  Value y = n.create<Conv2DOp>(x, w, b.getDenseI64ArrayAttr(s), b.getDenseI64ArrayAttr(d),
                               b.getDenseI64ArrayAttr(pads), b.getI64IntegerAttr(*groups));
  if (bias)
    y = addPerChannel(n, y, bias, 4);
  if (spatial == 1) {
    auto yShape = cast<RankedTensorType>(y.getType()).getShape();
    y = n.reshape(y, {yShape[0], yShape[1], yShape[3]});
  }
  n.setTensor(0, y);
  return success();
}

/// aten::_convolution(input, weight, bias, stride, padding, dilation,
/// transposed, output_padding, groups, ...)
LogicalResult tracedConvolution(NodeImporter &n) {
  auto transposed = n.getBool(6);
  if (!transposed)
    return failure();
  return convolution(n, 3, 4, 5, 8, *transposed, 7);
}

/// aten::conv1d / conv2d / conv3d(input, weight, bias, stride, padding,
/// dilation, groups)
LogicalResult scriptedConvolution(NodeImporter &n) { return convolution(n, 3, 4, 5, 6, false); }

/// aten::conv_transpose1d / 2d / 3d(input, weight, bias, stride, padding,
/// output_padding, groups, dilation)
LogicalResult scriptedConvTranspose(NodeImporter &n) { return convolution(n, 3, 4, 7, 6, true, 5); }

/// upsample_{nearest,bilinear,bicubic}2d and upsample_{nearest,linear}1d:
/// `align` says whether the op takes align_corners. Two overloads: (input,
/// output_size?, [align_corners,] scale_factors?) and (self, output_size,
/// [align_corners,] scales per axis...). PyTorch's source index is
/// (dst + 1/2) / scale - 1/2 (clamped at 0 for linear, which ONNX's edge
/// padding matches: "half_pixel"), dst * (in - 1) / (out - 1) with
/// align_corners, and floor(dst / scale) for nearest; the scale is the
/// given factor, or out / in.
LogicalResult upsample(NodeImporter &n, StringRef mode, bool align) {
  RankedTensorType type = n.tensorType(0);
  if (!type)
    return failure();
  int64_t rank = type.getRank(), spatial = rank - 2;
  if (spatial < 1)
    return n.error("upsampling needs a batch, a channel and a spatial axis");
  bool alignCorners = false;
  if (align) {
    auto a = n.getBool(2);
    if (!a)
      return failure();
    alignCorners = *a;
  }
  unsigned scalesArg = align ? 3 : 2;
  bool perAxis = n.numInputs() > scalesArg + 1; // scales_h, scales_w, ...
  SmallVector<int64_t> outSize(type.getShape());
  SmallVector<double> scales(rank, 1.0);
  std::optional<SmallVector<double>> factors;
  if (!perAxis && !n.isNone(scalesArg)) {
    const Item &list = n.item(scalesArg);
    if (list.kind != Item::Kind::List || (int64_t)list.list.size() != spatial)
      return n.error("expected " + Twine(spatial) + " scale factors");
    factors.emplace();
    for (const Item &f : list.list) {
      if (f.kind != Item::Kind::Float && f.kind != Item::Kind::Int)
        return n.error("scale factors must be numbers known at compile time");
      factors->push_back(f.kind == Item::Kind::Float ? f.f : (double)f.i);
    }
  }
  if (!n.isNone(1)) {
    auto sizes = n.getInts(1, spatial);
    if (!sizes)
      return failure();
    if ((int64_t)sizes->size() != spatial)
      return n.error("expected " + Twine(spatial) + " output sizes");
    for (int64_t d = 0; d < spatial; ++d)
      outSize[2 + d] = (*sizes)[d];
  }
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t in = type.getDimSize(2 + d);
    std::optional<double> factor;
    if (factors)
      factor = (*factors)[d];
    else if (perAxis && !n.isNone(scalesArg + d) && n.item(scalesArg + d).kind == Item::Kind::Float)
      factor = n.item(scalesArg + d).f;
    if (n.isNone(1)) {
      if (!factor || *factor <= 0)
        return n.error("upsampling needs an output size or positive scale factors");
      outSize[2 + d] = (int64_t)std::floor(in * *factor);
    }
    if (outSize[2 + d] <= 0)
      return n.error("upsampling to an empty axis");
    scales[2 + d] = factor && *factor > 0 ? *factor : double(outSize[2 + d]) / double(in);
  }
  ResizeMode m;
  m.mode = mode.str();
  m.coordinates = mode == "nearest" ? "asymmetric" : alignCorners ? "align_corners" : "half_pixel";
  m.nearest = "floor";
  SmallVector<double> roiStart(rank, 0.0), roiEnd(rank, 1.0);
  FailureOr<Value> y = buildResize(n, n.tensor(0), m, outSize, scales, roiStart, roiEnd);
  if (failed(y))
    return failure();
  n.setTensor(0, *y);
  return success();
}

/// einsum(equation, tensors, path): buildEinsum, which ONNX's Einsum uses.
LogicalResult einsum(NodeImporter &n) {
  if (n.item(0).kind != Item::Kind::String || n.item(1).kind != Item::Kind::List)
    return n.error("einsum needs an equation and a list of tensors");
  SmallVector<Value> operands;
  for (const Item &t : n.item(1).list) {
    if (t.kind != Item::Kind::Tensor)
      return n.error("einsum's operands must be tensors");
    operands.push_back(t.tensor);
  }
  FailureOr<Value> y = buildEinsum(n, n.item(0).s, operands);
  if (failed(y))
    return failure();
  n.setTensor(0, *y);
  return success();
}

/// embedding(weight, indices, padding_idx, scale_grad_by_freq, sparse): the
/// rows of `weight` that `indices` name (the other arguments only matter
/// for training).
LogicalResult embedding(NodeImporter &n) {
  Value weight = n.tensor(0), indices = n.tensor(1);
  if (!weight || !indices)
    return failure();
  if (!isa<IntegerType>(n.tensorType(1).getElementType()))
    return n.error("embedding indices must be integers");
  n.setTensor(0, n.create<GatherOp>(weight, indices, n.builder.getI64IntegerAttr(0)));
  return success();
}

/// batch_norm(input, weight, bias, running_mean, running_var, training,
/// momentum, eps, cudnn_enabled): inference form, x * a + b per channel.
LogicalResult batchNorm(NodeImporter &n) {
  RankedTensorType xType = n.tensorType(0);
  auto training = n.getBool(5);
  auto eps = n.getFloat(7);
  if (!xType || !training || !eps)
    return failure();
  if (*training)
    return n.unsupported("batch_norm in training mode");
  Value mean = n.tensor(3), var = n.tensor(4);
  if (!mean || !var)
    return failure();
  FailureOr<Value> y =
      buildBatchNormInference(n, n.tensor(0), n.isNone(1) ? Value() : n.tensor(1),
                              n.isNone(2) ? Value() : n.tensor(2), mean, var, *eps);
  if (failed(y))
    return failure();
  n.setTensor(0, *y);
  return success();
}

/// The extra end padding that gives ceil_mode's output size.
void ceilModePads(ArrayRef<int64_t> in, ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                  ArrayRef<int64_t> dilations, SmallVector<int64_t> &pads) {
  for (int64_t d = 0; d < 2; ++d) {
    int64_t padded = in[d] + pads[d] + pads[d + 2];
    int64_t eff = dilations[d] * (kernel[d] - 1) + 1;
    int64_t out = (padded - eff + strides[d] - 1) / strides[d] + 1;
    if ((out - 1) * strides[d] >= in[d] + pads[d])
      --out;
    int64_t need = (out - 1) * strides[d] + eff - padded;
    if (need > 0)
      pads[d + 2] += need;
  }
}

/// max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)
LogicalResult maxPool2d(NodeImporter &n) {
  RankedTensorType xType = n.tensorType(0);
  auto kernel = n.getInts(1, 2), padding = n.getInts(3, 2), dilations = n.getInts(4, 2);
  auto ceil = n.getBool(5);
  if (!xType || !kernel || !padding || !dilations || !ceil)
    return failure();
  auto strides = n.item(2).kind == Item::Kind::List && n.item(2).list.empty()
                     ? std::optional(*kernel)
                     : n.getInts(2, 2);
  if (!strides)
    return failure();
  if (xType.getRank() != 4)
    return n.unsupported("max_pool2d of a rank-" + Twine(xType.getRank()) + " input");
  SmallVector<int64_t> pads = *padding;
  pads.append(*padding);
  if (*ceil)
    ceilModePads(xType.getShape().drop_front(2), *kernel, *strides, *dilations, pads);
  auto &b = n.builder;
  n.setTensor(0, n.create<MaxPool2DOp>(
                     n.tensor(0), b.getDenseI64ArrayAttr(*kernel), b.getDenseI64ArrayAttr(*strides),
                     b.getDenseI64ArrayAttr(*dilations), b.getDenseI64ArrayAttr(pads)));
  return success();
}

/// avg_pool2d(input, kernel_size, stride, padding, ceil_mode,
/// count_include_pad, divisor_override)
LogicalResult avgPool2d(NodeImporter &n) {
  RankedTensorType xType = n.tensorType(0);
  auto kernel = n.getInts(1, 2), padding = n.getInts(3, 2);
  auto ceil = n.getBool(4), countPad = n.getBool(5);
  if (!xType || !kernel || !padding || !ceil || !countPad)
    return failure();
  if (n.numInputs() > 6 && !n.isNone(6))
    return n.unsupported("avg_pool2d with divisor_override");
  auto strides = n.item(2).kind == Item::Kind::List && n.item(2).list.empty()
                     ? std::optional(*kernel)
                     : n.getInts(2, 2);
  if (!strides)
    return failure();
  SmallVector<int64_t> pads = *padding;
  pads.append(*padding);
  if (*ceil) {
    if (*countPad && llvm::any_of(*padding, [](int64_t p) { return p != 0; }))
      return n.unsupported("avg_pool2d with ceil_mode and counted padding");
    ceilModePads(xType.getShape().drop_front(2), *kernel, *strides, {1, 1}, pads);
  }
  auto &b = n.builder;
  n.setTensor(0, n.create<AvgPool2DOp>(n.tensor(0), b.getDenseI64ArrayAttr(*kernel),
                                       b.getDenseI64ArrayAttr(*strides),
                                       b.getDenseI64ArrayAttr(pads), b.getBoolAttr(*countPad)));
  return success();
}

/// adaptive_avg_pool2d: a mean when the output is 1 x 1, a plain average
/// pool when the output size divides the input size.
LogicalResult adaptiveAvgPool2d(NodeImporter &n) {
  RankedTensorType xType = n.tensorType(0);
  auto out = n.getInts(1, 2);
  if (!xType || !out)
    return failure();
  int64_t rank = xType.getRank();
  int64_t h = xType.getDimSize(rank - 2), w = xType.getDimSize(rank - 1);
  auto &b = n.builder;
  if ((*out)[0] == 1 && (*out)[1] == 1) {
    n.setTensor(0, n.create<ReduceMeanOp>(n.tensor(0), b.getDenseI64ArrayAttr({rank - 2, rank - 1}),
                                          b.getBoolAttr(true)));
    return success();
  }
  if (rank != 4 || h % (*out)[0] || w % (*out)[1])
    return n.unsupported("adaptive_avg_pool2d from " + Twine(h) + "x" + Twine(w) + " to " +
                         Twine((*out)[0]) + "x" + Twine((*out)[1]));
  int64_t kh = h / (*out)[0], kw = w / (*out)[1];
  n.setTensor(0, n.create<AvgPool2DOp>(n.tensor(0), b.getDenseI64ArrayAttr({kh, kw}),
                                       b.getDenseI64ArrayAttr({kh, kw}),
                                       b.getDenseI64ArrayAttr({0, 0, 0, 0}), b.getBoolAttr(false)));
  return success();
}

/// linear(input, weight, bias) = input @ weight^T + bias
LogicalResult linear(NodeImporter &n) {
  Value x = n.tensor(0), w = n.tensor(1);
  if (!x || !w)
    return failure();
  if (cast<RankedTensorType>(w.getType()).getRank() != 2)
    return n.error("linear's weight must be 2-D");
  Value y = n.create<MatmulOp>(x, n.transpose(w, {1, 0}));
  if (!n.isNone(2))
    y = n.create<AddOp>(y, n.tensor(2));
  n.setTensor(0, y);
  return success();
}

/// addmm(bias, a, b, beta, alpha) = beta * bias + alpha * (a @ b)
LogicalResult addmm(NodeImporter &n) {
  Value c = n.tensor(0), a = n.tensor(1), b = n.tensor(2);
  auto beta = n.getFloat(3), alpha = n.getFloat(4);
  if (!c || !a || !b || !beta || !alpha)
    return failure();
  Type elt = cast<RankedTensorType>(a.getType()).getElementType();
  Value y = n.create<MatmulOp>(a, b);
  if (*alpha != 1.0)
    y = n.create<MulOp>(y, n.scalarConstant(elt, *alpha));
  if (*beta != 0.0)
    y = n.create<AddOp>(y, *beta == 1.0 ? c : n.create<MulOp>(c, n.scalarConstant(elt, *beta)));
  n.setTensor(0, y);
  return success();
}

LogicalResult matmul(NodeImporter &n) {
  Value a = n.tensor(0), b = n.tensor(1);
  if (!a || !b)
    return failure();
  auto at = cast<RankedTensorType>(a.getType()), bt = cast<RankedTensorType>(b.getType());
  if (at.getRank() < 2 || bt.getRank() < 2)
    return n.unsupported("matmul with a 1-D operand");
  n.setTensor(0, n.create<MatmulOp>(a, b));
  return success();
}

/// layer_norm(input, normalized_shape, weight, bias, eps, cudnn_enable)
LogicalResult layerNorm(NodeImporter &n) {
  RankedTensorType xType = n.tensorType(0);
  auto shape = n.getInts(1);
  auto eps = n.getFloat(4);
  if (!xType || !shape || !eps)
    return failure();
  int64_t rank = xType.getRank(), first = rank - shape->size();
  if (first < 0)
    return n.error("normalized_shape has more dimensions than the input");
  LayerNormValues norm = buildLayerNorm(n, n.tensor(0), first, n.isNone(2) ? Value() : n.tensor(2),
                                        n.isNone(3) ? Value() : n.tensor(3), *eps);
  n.setTensor(0, norm.y);
  return success();
}

/// softmax / log_softmax(input, dim, dtype)
template <typename OpTy> LogicalResult softmax(NodeImporter &n) {
  RankedTensorType xType = n.tensorType(0);
  if (!xType)
    return failure();
  auto dim = n.getDim(1, xType.getRank());
  if (!dim)
    return failure();
  if (n.numInputs() > 2 && !n.isNone(2))
    return n.unsupported("softmax with a dtype");
  n.setTensor(0, n.create<OpTy>(n.tensor(0), n.builder.getI64IntegerAttr(*dim)));
  return success();
}

/// dropout(input, p, train) and its variants: the identity in inference,
/// and in training mode with p = 0 (F.dropout's default is training=True,
/// which torchvision's Swin calls with p = 0).
LogicalResult dropout(NodeImporter &n) {
  auto train = n.getBool(2);
  if (!train)
    return failure();
  if (*train) {
    auto p = n.getFloat(1);
    if (!p)
      return failure();
    if (*p != 0.0)
      return n.unsupported("dropout in training mode with p > 0 (random)");
  }
  n.setResult(0, n.item(0));
  return success();
}

} // namespace

void registerAtenNNOps(AtenRegistry &r) {
  r["aten::_convolution"] = tracedConvolution;
  r["aten::conv1d"] = scriptedConvolution;
  r["aten::conv2d"] = scriptedConvolution;
  r["aten::conv3d"] = scriptedConvolution;
  r["aten::embedding"] = embedding;
  r["aten::einsum"] = einsum;
  r["aten::upsample_nearest1d"] = [](NodeImporter &n) { return upsample(n, "nearest", false); };
  r["aten::upsample_nearest2d"] = [](NodeImporter &n) { return upsample(n, "nearest", false); };
  r["aten::upsample_linear1d"] = [](NodeImporter &n) { return upsample(n, "linear", true); };
  r["aten::upsample_bilinear2d"] = [](NodeImporter &n) { return upsample(n, "linear", true); };
  r["aten::upsample_bicubic2d"] = [](NodeImporter &n) { return upsample(n, "cubic", true); };
  r["aten::conv_transpose1d"] = scriptedConvTranspose;
  r["aten::conv_transpose2d"] = scriptedConvTranspose;
  r["aten::conv_transpose3d"] = scriptedConvTranspose;
  r["aten::batch_norm"] = batchNorm;
  r["aten::max_pool2d"] = maxPool2d;
  r["aten::avg_pool2d"] = avgPool2d;
  r["aten::adaptive_avg_pool2d"] = adaptiveAvgPool2d;
  r["aten::linear"] = linear;
  r["aten::addmm"] = addmm;
  r["aten::matmul"] = matmul;
  r["aten::mm"] = matmul;
  r["aten::bmm"] = matmul;
  r["aten::layer_norm"] = layerNorm;
  r["aten::softmax"] = softmax<SoftmaxOp>;
  r["aten::log_softmax"] = softmax<LogSoftmaxOp>;
  r["aten::dropout"] = dropout;
  r["aten::feature_dropout"] = dropout;
  r["aten::alpha_dropout"] = dropout;
}

} // namespace kiln::torchscript
