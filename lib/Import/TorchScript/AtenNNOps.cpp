//===- AtenNNOps.cpp - Convolution, pooling, linear, normalization -*- C++ -*-===//
//
// The neural-network ops of traced and scripted torchvision models and
// transformers: convolutions (aten::_convolution as traced, conv1d/conv2d as
// scripted) onto kiln.conv2d plus a bias add, pooling onto kiln's 2-D
// pools, linear/addmm/matmul onto kiln.matmul, batch and layer norm
// decomposed the way the ONNX importer decomposes them.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "kiln/Import/Decompositions.h"

using namespace mlir;

namespace kiln::torchscript {

namespace {

Value transpose(NodeImporter &n, Value v, ArrayRef<int64_t> perm) {
  return n.create<TransposeOp>(v, n.builder.getDenseI64ArrayAttr(perm));
}

/// Adds a per-channel vector `[C]` along axis 1 of a rank-`rank` tensor.
Value addPerChannel(NodeImporter &n, Value x, Value bias, int64_t rank) {
  int64_t c = cast<RankedTensorType>(bias.getType()).getNumElements();
  SmallVector<int64_t> shape{c};
  shape.append(rank - 2, 1);
  return n.create<AddOp>(x, n.reshape(bias, shape));
}

/// conv1d / conv2d: input, weight, bias, stride, padding, dilation, groups
/// at `first`..; `padding` may be "same" or "valid" for scripted convs.
LogicalResult convolution(NodeImporter &n, unsigned strideArg, unsigned padArg,
                          unsigned dilationArg, unsigned groupsArg, bool transposed) {
  RankedTensorType xType = n.tensorType(0), wType = n.tensorType(1);
  if (!xType || !wType)
    return failure();
  int64_t spatial = xType.getRank() - 2;
  if (spatial != 1 && spatial != 2)
    return n.unsupported(Twine(spatial) + "-D convolution");
  if (transposed)
    return n.unsupported("transposed convolution");
  auto strides = n.getInts(strideArg, spatial), dilations = n.getInts(dilationArg, spatial);
  auto groups = n.getInt(groupsArg);
  if (!strides || !dilations || !groups)
    return failure();
  SmallVector<int64_t> pads;
  if (n.item(padArg).kind == Item::Kind::String) {
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
  Value x = n.tensor(0), w = n.tensor(1);
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
  if (!n.isNone(2)) {
    Value bias = n.tensor(2);
    if (!bias)
      return failure();
    y = addPerChannel(n, y, bias, 4);
  }
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
  return convolution(n, 3, 4, 5, 8, *transposed);
}

/// aten::conv1d / conv2d(input, weight, bias, stride, padding, dilation, groups)
LogicalResult scriptedConvolution(NodeImporter &n) { return convolution(n, 3, 4, 5, 6, false); }

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
  Value y = n.create<MatmulOp>(x, transpose(n, w, {1, 0}));
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

/// dropout(input, p, train) and its variants: the identity in inference.
LogicalResult dropout(NodeImporter &n) {
  auto train = n.getBool(2);
  if (!train)
    return failure();
  if (*train)
    return n.unsupported("dropout in training mode");
  n.setResult(0, n.item(0));
  return success();
}

} // namespace

void registerAtenNNOps(AtenRegistry &r) {
  r["aten::_convolution"] = tracedConvolution;
  r["aten::conv1d"] = scriptedConvolution;
  r["aten::conv2d"] = scriptedConvolution;
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
