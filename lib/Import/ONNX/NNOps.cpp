//===- NNOps.cpp - ONNX neural-network ops to kiln --------------*- C++ -*-===//
//
// Conv, pooling, MatMul and Gemm, BatchNormalization (inference),
// LayerNormalization and Softmax. Composite ops decompose into core ops;
// weights known at compile time are combined here (BatchNormalization's
// scale and shift) so that no run-time work is spent on them.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "kiln/Import/Convolutions.h"
#include "kiln/Import/Decompositions.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

/// Resolves ONNX auto_pad into explicit pads, all begins then all ends
/// ([top, left, bottom, right] in 2-D), for any number of spatial axes.
FailureOr<SmallVector<int64_t>> resolvePads(NodeImporter &n, ArrayRef<int64_t> inHW,
                                            ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                                            ArrayRef<int64_t> dilations) {
  size_t rank = inHW.size();
  std::string autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    SmallVector<int64_t> pads = n.intsAttr("pads", SmallVector<int64_t>(2 * rank, 0));
    if (pads.size() != 2 * rank)
      return n.error("expected " + Twine(2 * rank) + " pads for a " + Twine(rank) +
                     "-D window, got " + Twine(pads.size()));
    return pads;
  }
  if (autoPad == "VALID")
    return SmallVector<int64_t>(2 * rank, 0);
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return n.error("unknown auto_pad '" + autoPad + "'");
  SmallVector<int64_t> pads(2 * rank);
  for (size_t d = 0; d < rank; ++d) {
    int64_t out = (inHW[d] + strides[d] - 1) / strides[d];
    int64_t total =
        std::max<int64_t>(0, (out - 1) * strides[d] + dilations[d] * (kernel[d] - 1) + 1 - inHW[d]);
    int64_t small = total / 2, large = total - small;
    pads[d] = autoPad == "SAME_UPPER" ? small : large;
    pads[d + rank] = autoPad == "SAME_UPPER" ? large : small;
  }
  return pads;
}

/// 3-D convolution (Convolutions.h).
LogicalResult importConv3D(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0), wType = n.inputType(1);
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  SmallVector<int64_t> strides = n.intsAttr("strides", {1, 1, 1});
  SmallVector<int64_t> dilations = n.intsAttr("dilations", {1, 1, 1});
  if (strides.size() != 3 || dilations.size() != 3)
    return n.error("strides and dilations must have 3 entries");
  auto pads = resolvePads(n, xType.getShape().drop_front(2), kernel, strides, dilations);
  if (failed(pads))
    return failure();
  FailureOr<Value> y = buildConv3D(n, n.input(0), n.input(1), n.hasInput(2) ? n.input(2) : Value(),
                                   strides, dilations, *pads, n.intAttr("group", 1));
  if (failed(y))
    return failure();
  n.setResult(0, *y);
  return success();
}

/// ConvTranspose, 1-D to 3-D: the attributes (output_shape and auto_pad
/// resolved into pads and output_padding) here, the convolution in
/// Convolutions.h.
LogicalResult importConvTranspose(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0), wType = n.inputType(1);
  int64_t rank = xType.getRank();
  if (rank < 3 || rank > 5)
    return n.unsupported(Twine(rank - 2) + "-D ConvTranspose");
  if (wType.getRank() != rank)
    return n.error("filter rank differs from input rank");
  int64_t spatial = rank - 2;
  SmallVector<int64_t> in(xType.getShape().drop_front(2)), kernel(wType.getShape().drop_front(2));
  SmallVector<int64_t> strides = n.intsAttr("strides", SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> dilations = n.intsAttr("dilations", SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> outputPadding =
      n.intsAttr("output_padding", SmallVector<int64_t>(spatial, 0));
  if ((int64_t)strides.size() != spatial || (int64_t)dilations.size() != spatial ||
      (int64_t)outputPadding.size() != spatial)
    return n.error("strides, dilations and output_padding need " + Twine(spatial) + " entries");
  int64_t groups = n.intAttr("group", 1);
  // Pads, from output_shape or auto_pad when given.
  SmallVector<int64_t> pads(2 * spatial, 0);
  std::string autoPad = n.stringAttr("auto_pad", "NOTSET");
  SmallVector<int64_t> outputShape = n.intsAttr("output_shape");
  if (outputShape.size() > (size_t)spatial)
    outputShape.erase(outputShape.begin(), outputShape.end() - spatial);
  if (!outputShape.empty() || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t d = 0; d < spatial; ++d) {
      int64_t target = !outputShape.empty() ? outputShape[d] : in[d] * strides[d];
      int64_t natural =
          strides[d] * (in[d] - 1) + outputPadding[d] + (kernel[d] - 1) * dilations[d] + 1;
      // A target larger than the natural size extends the end, as
      // output_padding does (the extra positions see no input).
      int64_t total = std::max<int64_t>(natural - target, 0);
      outputPadding[d] += std::max<int64_t>(target - natural, 0);
      if (autoPad == "SAME_UPPER") {
        pads[d] = total / 2;
        pads[d + spatial] = total - total / 2;
      } else {
        pads[d] = total - total / 2;
        pads[d + spatial] = total / 2;
      }
    }
  } else if (autoPad == "NOTSET") {
    pads = n.intsAttr("pads", pads);
    if ((int64_t)pads.size() != 2 * spatial)
      return n.error("expected " + Twine(2 * spatial) + " pads");
  } else if (autoPad != "VALID") {
    return n.error("unknown auto_pad '" + autoPad + "'");
  }
  FailureOr<Value> y =
      buildConvTranspose(n, n.input(0), n.input(1), n.hasInput(2) ? n.input(2) : Value(), strides,
                         dilations, pads, outputPadding, groups);
  if (failed(y))
    return failure();
  n.setResult(0, *y);
  return success();
}

/// Col2Im (18): the columns [N, C * prod(block), L] of an image's blocks
/// summed back into [N, C, image...]. That is a transposed convolution:
/// the L block positions laid out as [N, C * K, blocks per axis...], and a
/// one-hot filter [C * K, 1, block...] (groups = C) that puts block entry k
/// at its place in the block; output_padding fills the image's tail that
/// no block reaches (zeros).
LogicalResult importCol2Im(NodeImporter &n) {
  auto image = n.constantInts(1), block = n.constantInts(2);
  if (!image || !block)
    return n.unsupportedAtRunTime({1, 2}, "Col2Im with an image or block shape computed at run "
                                          "time");
  RankedTensorType xType = n.inputType(0);
  int64_t spatial = image->size();
  if (xType.getRank() != 3)
    return n.error("Col2Im needs a 3-D input [N, C * block size, blocks]");
  if (spatial < 1 || spatial > 3 || (int64_t)block->size() != spatial)
    return n.unsupported("Col2Im over " + Twine(spatial) +
                         " image axes (1 to 3, with one block "
                         "size per axis)");
  SmallVector<int64_t> strides = n.intsAttr("strides", SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> dilations = n.intsAttr("dilations", SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> pads = n.intsAttr("pads", SmallVector<int64_t>(2 * spatial, 0));
  if ((int64_t)strides.size() != spatial || (int64_t)dilations.size() != spatial ||
      (int64_t)pads.size() != 2 * spatial)
    return n.error("strides and dilations need " + Twine(spatial) + " entries and pads " +
                   Twine(2 * spatial));
  int64_t N = xType.getDimSize(0), K = 1, L = 1;
  for (int64_t b : *block) {
    if (b <= 0)
      return n.error("Col2Im block sizes must be positive");
    K *= b;
  }
  if (xType.getDimSize(1) % K)
    return n.error("Col2Im input dimension 1 (" + Twine(xType.getDimSize(1)) +
                   ") is not a multiple of the block size " + Twine(K));
  int64_t C = xType.getDimSize(1) / K;
  SmallVector<int64_t> blocks{N, C * K}, outputPadding;
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t span = dilations[d] * ((*block)[d] - 1) + 1;
    int64_t count = windowOutputSize((*image)[d], (*block)[d], strides[d], dilations[d], pads[d],
                                     pads[d + spatial]);
    if (strides[d] <= 0 || dilations[d] <= 0 || count <= 0)
      return n.error("Col2Im's blocks do not fit the padded image");
    blocks.push_back(count);
    L *= count;
    outputPadding.push_back((*image)[d] -
                            ((count - 1) * strides[d] + span - pads[d] - pads[d + spatial]));
  }
  if (L != xType.getDimSize(2))
    return n.error("Col2Im input has " + Twine(xType.getDimSize(2)) +
                   " blocks, the image and "
                   "block shapes give " +
                   Twine(L));
  // The one-hot filter: channel c * K + k has a 1 at block entry k.
  SmallVector<int64_t> filterShape{C * K, 1};
  filterShape.append(block->begin(), block->end());
  Type elt = xType.getElementType();
  if (!isa<FloatType>(elt))
    return n.unsupported("Col2Im of integers");
  SmallVector<APFloat> values;
  APFloat zero = APFloat::getZero(cast<FloatType>(elt).getFloatSemantics());
  APFloat one = APFloat::getOne(cast<FloatType>(elt).getFloatSemantics());
  for (int64_t c = 0; c < C * K; ++c)
    for (int64_t k = 0; k < K; ++k)
      values.push_back(k == c % K ? one : zero);
  Value filter = ConstantOp::create(
      n.builder, n.loc, DenseElementsAttr::get(RankedTensorType::get(filterShape, elt), values));
  FailureOr<Value> y = buildConvTranspose(n, n.reshape(n.input(0), blocks), filter, Value(),
                                          strides, dilations, pads, outputPadding, C);
  if (failed(y))
    return failure();
  n.setResult(0, *y);
  return success();
}

/// Conv: 2-D directly; 1-D through a unit height; 3-D above.
/// A 1-D or 2-D convolution of `x` by `w` (plus `bias` when given) with
/// the node's attributes; Conv and the integer and quantized convolutions
/// share it.
FailureOr<Value> convolve(NodeImporter &n, Value x, Value w, Value bias) {
  auto xType = cast<RankedTensorType>(x.getType()), wType = cast<RankedTensorType>(w.getType());
  int64_t rank = xType.getRank();
  if (wType.getRank() != rank)
    return (void)n.error("filter rank differs from input rank"), failure();
  if (rank != 3 && rank != 4)
    return (void)n.unsupported(Twine(rank - 2) + "-D convolution"), failure();
  SmallVector<int64_t> strides = n.intsAttr("strides"), dilations = n.intsAttr("dilations");
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  bool is1D = rank == 3;
  if (strides.empty())
    strides.assign(rank - 2, 1);
  if (dilations.empty())
    dilations.assign(rank - 2, 1);
  if (is1D) {
    auto xs = xType.getShape(), ws = wType.getShape();
    x = n.reshape(x, {xs[0], xs[1], 1, xs[2]});
    w = n.reshape(w, {ws[0], ws[1], 1, ws[2]});
    kernel.insert(kernel.begin(), 1);
    strides.insert(strides.begin(), 1);
    dilations.insert(dilations.begin(), 1);
  }
  auto xShape = cast<RankedTensorType>(x.getType()).getShape();
  SmallVector<int64_t> pads;
  if (is1D && n.stringAttr("auto_pad", "NOTSET") == "NOTSET") {
    SmallVector<int64_t> p = n.intsAttr("pads", {0, 0});
    if (p.size() != 2)
      return (void)n.error("expected 2 pads for a 1-D convolution"), failure();
    pads = {0, p[0], 0, p[1]};
  } else {
    auto resolved = resolvePads(n, xShape.drop_front(2), kernel, strides, dilations);
    if (failed(resolved))
      return failure();
    pads = *resolved;
  }
  int64_t groups = n.intAttr("group", 1);
  int64_t channels = xShape[1];
  if (groups <= 0 || channels % groups ||
      cast<RankedTensorType>(w.getType()).getDimSize(1) * groups != channels)
    return (void)n.error("filter shape does not match " + Twine(channels) + " input channels in " +
                         Twine(groups) + " groups"),
           failure();
  for (int d = 0; d < 2; ++d)
    if (windowOutputSize(xShape[2 + d], kernel[d], strides[d], dilations[d], pads[d],
                         pads[d + 2]) <= 0)
      return (void)n.error("the convolution window is larger than the padded input"), failure();
  auto &b = n.builder;
  Value y =
      n.create<Conv2DOp>(x, w, b.getDenseI64ArrayAttr(strides), b.getDenseI64ArrayAttr(dilations),
                         b.getDenseI64ArrayAttr(pads), b.getI64IntegerAttr(groups));
  if (bias) {
    int64_t f = wType.getDimSize(0);
    y = n.create<AddOp>(y, n.reshape(bias, {f, 1, 1}));
  }
  if (is1D) {
    auto ys = cast<RankedTensorType>(y.getType()).getShape();
    y = n.reshape(y, {ys[0], ys[1], ys[3]});
  }
  return y;
}

LogicalResult importConv(NodeImporter &n) {
  if (n.inputType(0).getRank() == 5 && n.inputType(1).getRank() == 5)
    return importConv3D(n);
  auto y = convolve(n, n.input(0), n.input(1), n.hasInput(2) ? n.input(2) : Value());
  if (failed(y))
    return failure();
  n.setResult(0, *y);
  return success();
}

/// One 2-D pooling op; pads are [top, left, bottom, right].
template <bool IsMax>
Value pool2D(NodeImporter &n, Value x, ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> dilations, ArrayRef<int64_t> pads, bool countIncludePad) {
  auto &b = n.builder;
  if constexpr (IsMax)
    return n.create<MaxPool2DOp>(x, b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(strides),
                                 b.getDenseI64ArrayAttr(dilations), b.getDenseI64ArrayAttr(pads));
  else
    return n.create<AvgPool2DOp>(x, b.getDenseI64ArrayAttr(kernel), b.getDenseI64ArrayAttr(strides),
                                 b.getDenseI64ArrayAttr(pads), b.getBoolAttr(countIncludePad));
}

/// AveragePool (19) and LpPool (18) with dilations, which kiln's pools do
/// not take: a depthwise convolution by a dilated window of ones (groups =
/// C), divided by the window size, or, without count_include_pad, by the
/// number of input elements each window covers (a constant: per axis, the
/// taps that land inside the input, multiplied). `sum` keeps the sum
/// (LpPool).
LogicalResult importDilatedAveragePool(NodeImporter &n, Value x, ArrayRef<int64_t> kernel,
                                       ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                                       ArrayRef<int64_t> pads, bool countIncludePad, bool sum) {
  auto xType = cast<RankedTensorType>(x.getType());
  Type elt = xType.getElementType();
  if (!isa<FloatType>(elt))
    return n.unsupported(n.node.op_type() + " of integers with dilations");
  int64_t rank = kernel.size(), C = xType.getDimSize(1), window = 1;
  ArrayRef<int64_t> in = xType.getShape().drop_front(2);
  for (int64_t k : kernel)
    window *= k;
  SmallVector<int64_t> filterShape{C, 1};
  filterShape.append(kernel.begin(), kernel.end());
  double scale = sum || !countIncludePad ? 1.0 : 1.0 / double(window);
  Value filter = n.floatConstant(elt, filterShape, SmallVector<double>(C * window, scale));
  auto &b = n.builder;
  Value y;
  if (rank == 3) {
    FailureOr<Value> y3 = buildConv3D(n, x, filter, Value(), strides, dilations, pads, C);
    if (failed(y3))
      return failure();
    y = *y3;
  } else if (rank == 2) {
    y = n.create<Conv2DOp>(x, filter, b.getDenseI64ArrayAttr(strides),
                           b.getDenseI64ArrayAttr(dilations), b.getDenseI64ArrayAttr(pads),
                           b.getI64IntegerAttr(C));
  } else {
    int64_t N = xType.getDimSize(0);
    y = n.create<Conv2DOp>(
        n.reshape(x, {N, C, 1, in[0]}), n.reshape(filter, {C, 1, 1, kernel[0]}),
        b.getDenseI64ArrayAttr({1, strides[0]}), b.getDenseI64ArrayAttr({1, dilations[0]}),
        b.getDenseI64ArrayAttr({0, pads[0], 0, pads[1]}), b.getI64IntegerAttr(C));
    y = n.reshape(y, {N, C, cast<RankedTensorType>(y.getType()).getDimSize(3)});
  }
  if (!sum && !countIncludePad) {
    ArrayRef<int64_t> out = cast<RankedTensorType>(y.getType()).getShape().drop_front(2);
    SmallVector<double> counts{1.0};
    for (int64_t d = 0; d < rank; ++d) {
      SmallVector<double> next;
      for (double c : counts)
        for (int64_t o = 0; o < out[d]; ++o) {
          int64_t taps = 0;
          for (int64_t k = 0; k < kernel[d]; ++k) {
            int64_t i = o * strides[d] - pads[d] + k * dilations[d];
            taps += i >= 0 && i < in[d];
          }
          next.push_back(c * double(std::max<int64_t>(taps, 1)));
        }
      counts = next;
    }
    SmallVector<int64_t> countShape{1, 1};
    countShape.append(out.begin(), out.end());
    y = n.create<DivOp>(y, n.floatConstant(elt, countShape, counts));
  }
  n.setResult(0, y);
  return success();
}

/// MaxPool and AveragePool over 1, 2 or 3 spatial axes. 1-D pools through a
/// unit height. 3-D pools are separable: a 2-D pool over (H, W) with the
/// depth folded into the channels, then a pool over D (the maximum of
/// maxima, and for averages the counts of valid elements multiply per axis,
/// so count_include_pad = 0 stays exact).
/// `sumOf` (LpPool's sum of |x|^p) is an average pool of `sumOf` counting
/// the padding, times the window size.
template <bool IsMax> LogicalResult importPool(NodeImporter &n, Value sumOf = nullptr) {
  RankedTensorType xType = n.inputType(0);
  int64_t rank = xType.getRank() - 2;
  if (rank < 1 || rank > 3)
    return n.unsupported(Twine(rank) + "-D pooling");
  bool withIndices = IsMax && n.node.output_size() > 1 && !n.node.output(1).empty();
  SmallVector<int64_t> kernel = n.intsAttr("kernel_shape");
  if ((int64_t)kernel.size() != rank)
    return n.error("kernel_shape must have " + Twine(rank) + " entries");
  SmallVector<int64_t> strides = n.intsAttr("strides", SmallVector<int64_t>(rank, 1));
  SmallVector<int64_t> dilations = n.intsAttr("dilations", SmallVector<int64_t>(rank, 1));
  if ((int64_t)strides.size() != rank || (int64_t)dilations.size() != rank)
    return n.error("strides and dilations must have " + Twine(rank) + " entries");
  ArrayRef<int64_t> in = xType.getShape().drop_front(2);
  auto pads = resolvePads(n, in, kernel, strides, dilations);
  if (failed(pads))
    return failure();
  bool countIncludePad = !IsMax && (sumOf || n.intAttr("count_include_pad", 0) != 0);
  if (n.intAttr("ceil_mode", 0)) {
    // Extra end padding yields the ceil-mode output size; a window must
    // still start inside the input or the begin padding.
    for (int64_t d = 0; d < rank; ++d) {
      int64_t padded = in[d] + (*pads)[d] + (*pads)[d + rank];
      int64_t eff = dilations[d] * (kernel[d] - 1) + 1;
      int64_t outCeil = (padded - eff + strides[d] - 1) / strides[d] + 1;
      if ((outCeil - 1) * strides[d] >= in[d] + (*pads)[d])
        --outCeil;
      int64_t need = (outCeil - 1) * strides[d] + eff - padded;
      if (need > 0) {
        if (countIncludePad)
          return n.unsupported(
              n.node.op_type() +
              (sumOf ? Twine(" with ceil_mode") : Twine(" with ceil_mode and count_include_pad")));
        (*pads)[d + rank] += need;
      }
    }
  }
  for (int64_t d = 0; d < rank; ++d)
    if (kernel[d] <= 0 || strides[d] <= 0 || dilations[d] <= 0 ||
        windowOutputSize(in[d], kernel[d], strides[d], dilations[d], (*pads)[d],
                         (*pads)[d + rank]) <= 0)
      return n.error("the pooling window is larger than the padded input");
  if (withIndices)
    return importMaxPoolWithIndices(n, kernel, strides, dilations, *pads);
  if (!IsMax && llvm::any_of(dilations, [](int64_t d) { return d != 1; }))
    return importDilatedAveragePool(n, sumOf ? sumOf : n.input(0), kernel, strides, dilations,
                                    *pads, countIncludePad, /*sum=*/sumOf != nullptr);

  int64_t N = xType.getDimSize(0), C = xType.getDimSize(1);
  const SmallVector<int64_t> &p = *pads;
  Value x = sumOf ? sumOf : n.input(0);
  // Integer max pools run in f64, which holds every 8-, 16- and 32-bit
  // value exactly.
  Type elt = xType.getElementType();
  bool integer = !isa<FloatType>(elt);
  if (integer) {
    if (!IsMax || elt.getIntOrFloatBitWidth() > 32 || elt.isInteger(1))
      return n.unsupported((IsMax ? "MaxPool" : "AveragePool") + Twine(" of ") +
                           Twine(elt.getIntOrFloatBitWidth()) + "-bit integers");
    x = n.convert(x, n.inputIsUnsigned(0), n.builder.getF64Type(), false);
  }
  Value y;
  if (rank == 2) {
    y = pool2D<IsMax>(n, x, kernel, strides, dilations, p, countIncludePad);
  } else if (rank == 1) {
    y = pool2D<IsMax>(n, n.reshape(x, {N, C, 1, in[0]}), {1, kernel[0]}, {1, strides[0]},
                      {1, dilations[0]}, {0, p[0], 0, p[1]}, countIncludePad);
    auto ys = cast<RankedTensorType>(y.getType()).getShape();
    y = n.reshape(y, {N, C, ys[3]});
  } else {
    // (H, W) first, with D folded into the channels.
    Value hw = pool2D<IsMax>(n, n.reshape(x, {N, C * in[0], in[1], in[2]}), {kernel[1], kernel[2]},
                             {strides[1], strides[2]}, {dilations[1], dilations[2]},
                             {p[1], p[2], p[4], p[5]}, countIncludePad);
    auto hwShape = cast<RankedTensorType>(hw.getType()).getShape();
    int64_t oh = hwShape[2], ow = hwShape[3];
    // Then D, with H x W flattened into the width.
    Value d =
        pool2D<IsMax>(n, n.reshape(hw, {N, C, in[0], oh * ow}), {kernel[0], 1}, {strides[0], 1},
                      {dilations[0], 1}, {p[0], 0, p[3], 0}, countIncludePad);
    int64_t od = cast<RankedTensorType>(d.getType()).getDimSize(2);
    y = n.reshape(d, {N, C, od, oh, ow});
  }
  if (integer)
    y = n.convert(y, false, elt, n.outputIsUnsigned(0));
  if (sumOf) {
    int64_t window = 1;
    for (int64_t k : kernel)
      window *= k;
    y = n.create<MulOp>(y, n.scalarConstant(elt, double(window)));
  }
  n.setResult(0, y);
  return success();
}

/// LpPool: (sum over the window of |x|^p)^(1/p).
LogicalResult importLpPool(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (!isa<FloatType>(elt))
    return n.unsupported("LpPool of integers");
  int64_t p = n.intAttr("p", 2);
  if (p <= 0)
    return n.error("LpPool p must be positive, not " + Twine(p));
  Value a = n.create<AbsOp>(n.input(0));
  Value powered = p == 1   ? a
                  : p == 2 ? n.create<MulOp>(a, a)
                           : n.create<PowOp>(a, n.scalarConstant(elt, double(p)));
  if (failed(importPool<false>(n, powered)))
    return failure();
  Value sum = n.results()[0];
  Value y = p == 1   ? sum
            : p == 2 ? n.create<SqrtOp>(sum)
                     : n.create<PowOp>(sum, n.scalarConstant(elt, 1.0 / double(p)));
  n.setResult(0, y);
  return success();
}

/// Global pooling is a reduction over every spatial axis, keeping dims.
template <typename ReduceOpTy> LogicalResult importGlobalPool(NodeImporter &n) {
  int64_t rank = n.inputType(0).getRank();
  if (rank < 3)
    return n.error("global pooling needs a rank >= 3 input");
  SmallVector<int64_t> axes = llvm::to_vector(llvm::seq<int64_t>(2, rank));
  n.setResult(0, n.create<ReduceOpTy>(n.input(0), n.builder.getDenseI64ArrayAttr(axes),
                                      n.builder.getBoolAttr(true)));
  return success();
}

/// MatMul with NumPy semantics: rank-1 operands gain and then lose a unit
/// dimension.
LogicalResult importMatMul(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  auto as = n.inputType(0).getShape(), bs = n.inputType(1).getShape();
  if (!isa<FloatType>(n.inputType(0).getElementType()))
    return n.unsupported("integer MatMul");
  if (as.empty() || bs.empty())
    return n.error("MatMul operands must have rank >= 1");
  if (as.size() == 1)
    a = n.reshape(a, {1, as[0]});
  if (bs.size() == 1)
    b = n.reshape(b, {bs[0], 1});
  auto aShape = cast<RankedTensorType>(a.getType()).getShape();
  auto bShape = cast<RankedTensorType>(b.getType()).getShape();
  if (aShape.back() != bShape[bShape.size() - 2])
    return n.error("MatMul of " + n.describeInput(0) + " by " + n.describeInput(1) +
                   ": the contraction sizes differ (" + Twine(aShape.back()) + " and " +
                   Twine(bShape[bShape.size() - 2]) +
                   "); the first input's last dimension must equal the second's "
                   "next-to-last");
  if (!broadcastShapes(aShape.drop_back(2), bShape.drop_back(2)))
    return n.error("MatMul batch dimensions do not broadcast");
  Value y = n.create<MatmulOp>(a, b);
  SmallVector<int64_t> shape(cast<RankedTensorType>(y.getType()).getShape());
  if (as.size() == 1)
    shape.erase(shape.end() - 2);
  if (bs.size() == 1)
    shape.pop_back();
  n.setResult(0, n.reshape(y, shape));
  return success();
}

/// Gemm: alpha * op(A) * op(B) + beta * C
LogicalResult importGemm(NodeImporter &n) {
  Value a = n.input(0), b = n.input(1);
  if (n.inputType(0).getRank() != 2 || n.inputType(1).getRank() != 2)
    return n.error("Gemm operands must be matrices");
  auto &bld = n.builder;
  auto swap = bld.getDenseI64ArrayAttr({1, 0});
  if (n.intAttr("transA", 0))
    a = n.create<TransposeOp>(a, swap);
  if (n.intAttr("transB", 0))
    b = n.create<TransposeOp>(b, swap);
  auto aShape = cast<RankedTensorType>(a.getType()).getShape();
  auto bShape = cast<RankedTensorType>(b.getType()).getShape();
  if (aShape[1] != bShape[0])
    return n.error("Gemm contraction sizes differ: " + Twine(aShape[1]) + " and " +
                   Twine(bShape[0]));
  Type elt = n.inputType(0).getElementType();
  Value y = n.create<MatmulOp>(a, b);
  double alpha = n.floatAttr("alpha", 1.0f), beta = n.floatAttr("beta", 1.0f);
  if (alpha != 1.0)
    y = n.create<MulOp>(y, n.scalarConstant(elt, alpha));
  if (n.hasInput(2) && beta != 0.0) {
    Value c = n.input(2);
    if (!broadcastShapes(cast<RankedTensorType>(c.getType()).getShape(),
                         cast<RankedTensorType>(y.getType()).getShape()))
      return n.error("Gemm's C does not broadcast to the product");
    if (beta != 1.0)
      c = n.create<MulOp>(c, n.scalarConstant(elt, beta));
    y = n.create<AddOp>(y, c);
  }
  n.setResult(0, y);
  return success();
}

/// Per-channel parameter of shape [C] as [C, 1, ..., 1] for an input of `rank`.
Value channelParam(NodeImporter &n, Value v, int64_t rank) {
  int64_t c = cast<RankedTensorType>(v.getType()).getNumElements();
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = c;
  return n.reshape(v, shape);
}

/// BatchNormalization (inference): y = x * a + b with
/// a = scale / sqrt(var + eps) and b = bias - mean * a.
/// BatchNormalization in training mode: normalizes by the batch's own
/// statistics (mean and population variance over every axis but the
/// channels) and, as outputs 1 and 2, blends them into the running ones:
/// running = input * momentum + current * (1 - momentum).
LogicalResult importBatchNormTraining(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  int64_t rank = xType.getRank();
  if (rank < 2)
    return n.error("BatchNormalization needs an input of rank >= 2");
  Type elt = xType.getElementType();
  if (!isa<FloatType>(elt))
    return n.error("BatchNormalization needs a floating-point input");
  double eps = n.floatAttr("epsilon", 1e-5f), momentum = n.floatAttr("momentum", 0.9f);
  SmallVector<int64_t> axes{0};
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  auto reduceAxes = n.builder.getDenseI64ArrayAttr(axes);
  Value x = n.input(0);
  Value mean = n.create<ReduceMeanOp>(x, reduceAxes, n.builder.getBoolAttr(true));
  Value centered = n.create<SubOp>(x, mean);
  Value var = n.create<ReduceMeanOp>(n.create<MulOp>(centered, centered), reduceAxes,
                                     n.builder.getBoolAttr(true));
  Value denom = n.create<SqrtOp>(n.create<AddOp>(var, n.scalarConstant(elt, eps)));
  Value y = n.create<DivOp>(centered, denom);
  y = n.create<MulOp>(y, channelParam(n, n.input(1), rank));
  n.setResult(0, n.create<AddOp>(y, channelParam(n, n.input(2), rank)));
  int64_t channels = xType.getDimSize(1);
  auto blend = [&](Value running, Value current) {
    Value kept = n.create<MulOp>(running, n.scalarConstant(elt, momentum));
    Value added =
        n.create<MulOp>(n.reshape(current, {channels}), n.scalarConstant(elt, 1.0 - momentum));
    return n.create<AddOp>(kept, added);
  };
  n.setResult(1, blend(n.input(3), mean));
  n.setResult(2, blend(n.input(4), var));
  return success();
}

LogicalResult importBatchNorm(NodeImporter &n) {
  if (n.intAttr("training_mode", 0))
    return importBatchNormTraining(n);
  for (int i = 1; i < n.node.output_size(); ++i)
    if (!n.node.output(i).empty())
      return n.unsupported("BatchNormalization's running statistics outputs");
  FailureOr<Value> y = buildBatchNormInference(n, n.input(0), n.input(1), n.input(2), n.input(3),
                                               n.input(4), n.floatAttr("epsilon", 1e-5f));
  if (failed(y))
    return failure();
  n.setResult(0, *y);
  return success();
}

/// LayerNormalization over axes [axis, rank):
/// y = (x - mean) / sqrt(var + eps) * scale + bias
LogicalResult importLayerNorm(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  if (!isa<FloatType>(xType.getElementType()))
    return n.unsupported("LayerNormalization on integers");
  auto axis = n.normalizeAxis(n.intAttr("axis", -1), xType.getRank());
  if (failed(axis))
    return failure();
  LayerNormValues norm =
      buildLayerNorm(n, n.input(0), *axis, n.input(1), n.input(2), n.floatAttr("epsilon", 1e-5f));
  n.setResult(0, norm.y);
  // The optional Mean and InvStdDev outputs, with the reduced axes kept.
  n.setResult(1, norm.mean);
  n.setResult(2, norm.invStdDev);
  return success();
}

template <typename OpTy> LogicalResult importSoftmax(NodeImporter &n) {
  RankedTensorType xType = n.inputType(0);
  if (!isa<FloatType>(xType.getElementType()))
    return n.unsupported("softmax on integers");
  auto axis = n.normalizeAxis(n.intAttr("axis", -1), xType.getRank());
  if (failed(axis))
    return failure();
  n.setResult(0, n.create<OpTy>(n.input(0), n.builder.getI64IntegerAttr(*axis)));
  return success();
}

} // namespace

FailureOr<Value> buildConvolution(NodeImporter &n, Value x, Value w, Value bias) {
  return convolve(n, x, w, bias);
}

void registerNNOps(OpRegistry &r) {
  r["Conv"] = importConv;
  r["ConvTranspose"] = importConvTranspose;
  r["MaxPool"] = [](NodeImporter &n) { return importPool<true>(n); };
  r["AveragePool"] = [](NodeImporter &n) { return importPool<false>(n); };
  r["Col2Im"] = importCol2Im;
  r["LpPool"] = importLpPool;
  r["GlobalAveragePool"] = importGlobalPool<ReduceMeanOp>;
  r["GlobalMaxPool"] = importGlobalPool<ReduceMaxOp>;
  r["MatMul"] = importMatMul;
  r["Gemm"] = importGemm;
  r["BatchNormalization"] = importBatchNorm;
  r["LayerNormalization"] = importLayerNorm;
  r["Softmax"] = importSoftmax<SoftmaxOp>;
  r["LogSoftmax"] = importSoftmax<LogSoftmaxOp>;
}

} // namespace kiln::onnx_import
