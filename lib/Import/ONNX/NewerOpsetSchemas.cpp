//===- NewerOpsetSchemas.cpp - Opsets 18 to 23 for libonnx 1.12 -*- C++ -*-===//
//
// libonnx 1.12 knows the default domain up to opset 17. For a model at
// opset 18 to 23, Kiln hands libonnx's checker and shape inference a copy
// (the checkable model): the default-domain opset lowered to 17, and every
// node whose op is new since 17 or changed its signature moved into
// Kiln's domain `ai.kiln.newer`, where Kiln registers that op's schema
// (inputs, attributes and a shape-inference function) at its ONNX
// version. Nodes keep their names and outputs, so the shapes inferred for
// the copy are copied back into the model as exported, which Kiln imports
// with each op's semantics at the model's own opset.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"
#include "kiln/Import/ONNXImporter.h"

#include <onnx/defs/schema.h>
#include <onnx/defs/shape_inference.h>
#include <onnx/defs/tensor_proto_util.h>

#include <algorithm>
#include <mutex>

using namespace onnx;

namespace kiln::onnx_import {

namespace {

const char *const kNewerDomain = "ai.kiln.newer";

const std::vector<std::string> &anyTensor() {
  static const std::vector<std::string> types = OpSchema::all_tensor_types_with_bfloat();
  return types;
}

// ---------------------------------------------------------------------------
// Shape-inference helpers
// ---------------------------------------------------------------------------

/// The constant int64 values of input `i`, when libonnx knows them
/// (an initializer, a Constant, or data propagation).
std::optional<std::vector<int64_t>> constantInts(InferenceContext &ctx, size_t i) {
  if (i >= ctx.getNumInputs() || !ctx.getInputType(i))
    return std::nullopt;
  if (const TensorProto *t = ctx.getInputData(i)) {
    if (t->data_type() == TensorProto::INT64)
      return ParseData<int64_t>(t);
    if (t->data_type() == TensorProto::INT32) {
      auto v = ParseData<int32_t>(t);
      return std::vector<int64_t>(v.begin(), v.end());
    }
    return std::nullopt;
  }
  if (const TensorShapeProto *s = ctx.getSymbolicInput(i)) {
    std::vector<int64_t> values;
    for (const auto &d : s->dim()) {
      if (!d.has_dim_value())
        return std::nullopt;
      values.push_back(d.dim_value());
    }
    return values;
  }
  return std::nullopt;
}

bool hasInput(InferenceContext &ctx, size_t i) {
  return i < ctx.getNumInputs() && ctx.getInputType(i) != nullptr;
}

int64_t normalize(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    fail_shape_inference("axis ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

/// The `axes` attribute, normalized; every axis when it is absent.
std::vector<int64_t> axesAttribute(InferenceContext &ctx, int64_t rank) {
  std::vector<int64_t> axes;
  getRepeatedAttribute(ctx, "axes", axes);
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  for (int64_t &a : axes)
    a = normalize(a, rank);
  return axes;
}

void sameShapeAsFirst(InferenceContext &ctx) { propagateShapeAndTypeFromFirstInput(ctx); }

/// Input 0's shape, where it is known (lenient inference goes on past
/// nodes whose inference failed, leaving their outputs untyped).
void shapeFromFirst(InferenceContext &ctx) {
  if (hasInputShape(ctx, 0))
    propagateShapeFromInputToOutput(ctx, 0, 0);
}

/// Reduce* (18, 20): axes from input 1.
void reduceInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!hasInputShape(ctx, 0))
    return;
  const TensorShapeProto &in = getInputShape(ctx, 0);
  int64_t rank = in.dim_size();
  bool keep = getAttribute(ctx, "keepdims", 1) != 0;
  std::vector<int64_t> axes;
  if (hasInput(ctx, 1)) {
    auto given = constantInts(ctx, 1);
    if (!given)
      return; // unknown at compile time: Kiln's importer reports it
    axes = *given;
  }
  if (axes.empty()) {
    if (getAttribute(ctx, "noop_with_empty_axes", 0)) {
      propagateShapeFromInputToOutput(ctx, 0, 0);
      return;
    }
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  for (int64_t &a : axes)
    a = normalize(a, rank);
  TensorShapeProto *out = getOutputShape(ctx, 0);
  for (int64_t i = 0; i < rank; ++i) {
    bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!reduced)
      *out->add_dim() = in.dim(i);
    else if (keep)
      out->add_dim()->set_dim_value(1);
  }
}

/// Split (18): sizes from input 1, or num_outputs parts of ceil(d / n).
void splitInference(InferenceContext &ctx) {
  size_t outputs = ctx.getNumOutputs();
  for (size_t i = 0; i < outputs; ++i)
    propagateElemTypeFromInputToOutput(ctx, 0, i);
  if (!hasInputShape(ctx, 0))
    return;
  const TensorShapeProto &in = getInputShape(ctx, 0);
  int64_t axis = normalize(getAttribute(ctx, "axis", 0), in.dim_size());
  if (!in.dim(axis).has_dim_value())
    return;
  int64_t d = in.dim(axis).dim_value();
  std::vector<int64_t> sizes;
  if (hasInput(ctx, 1)) {
    auto given = constantInts(ctx, 1);
    if (!given)
      return;
    sizes = *given;
  } else {
    int64_t n = getAttribute(ctx, "num_outputs", (int64_t)outputs);
    if (n <= 0 || (size_t)n != outputs)
      fail_shape_inference("Split has ", outputs, " outputs but num_outputs is ", n);
    int64_t part = (d + n - 1) / n;
    for (int64_t i = 0; i < n; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(part, d - part * i)));
  }
  if (sizes.size() != outputs)
    fail_shape_inference("Split has ", outputs, " outputs but ", sizes.size(), " sizes");
  for (size_t i = 0; i < outputs; ++i) {
    TensorShapeProto *out = getOutputShape(ctx, i);
    for (int64_t j = 0; j < in.dim_size(); ++j) {
      if (j == axis)
        out->add_dim()->set_dim_value(sizes[i]);
      else
        *out->add_dim() = in.dim(j);
    }
  }
}

/// Pad (18, 19): pads for the listed axes (all by default).
void padInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!hasInputShape(ctx, 0))
    return;
  const TensorShapeProto &in = getInputShape(ctx, 0);
  int64_t rank = in.dim_size();
  auto pads = constantInts(ctx, 1);
  std::vector<int64_t> axes;
  if (hasInput(ctx, 3)) {
    auto given = constantInts(ctx, 3);
    if (!given)
      return;
    axes = *given;
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  TensorShapeProto *out = getOutputShape(ctx, 0);
  if (!pads) {
    for (int64_t i = 0; i < rank; ++i)
      out->add_dim();
    return;
  }
  if (pads->size() != 2 * axes.size())
    fail_shape_inference("Pad has ", pads->size(), " pads for ", axes.size(), " axes");
  std::vector<int64_t> add(rank, 0);
  for (size_t i = 0; i < axes.size(); ++i)
    add[normalize(axes[i], rank)] += (*pads)[i] + (*pads)[i + axes.size()];
  for (int64_t i = 0; i < rank; ++i) {
    auto *dim = out->add_dim();
    if (in.dim(i).has_dim_value())
      dim->set_dim_value(in.dim(i).dim_value() + add[i]);
  }
}

/// Output dims known only from the rank of input 0 (dims left unknown).
void rankOfFirst(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!hasInputShape(ctx, 0))
    return;
  TensorShapeProto *out = getOutputShape(ctx, 0);
  for (int i = 0; i < getInputShape(ctx, 0).dim_size(); ++i)
    out->add_dim();
}

/// Resize (18, 19): sizes or scales over `axes`; other dims are kept.
void resizeInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!hasInputShape(ctx, 0))
    return;
  const TensorShapeProto &in = getInputShape(ctx, 0);
  int64_t rank = in.dim_size();
  std::vector<int64_t> axes = axesAttribute(ctx, rank);
  std::string policy = getAttribute(ctx, "keep_aspect_ratio_policy", "stretch");
  TensorShapeProto *out = getOutputShape(ctx, 0);
  for (int64_t i = 0; i < rank; ++i)
    *out->add_dim() = in.dim(i);
  auto known = [&](int64_t a) { return in.dim(a).has_dim_value(); };
  if (hasInput(ctx, 3)) {
    auto sizes = constantInts(ctx, 3);
    if (!sizes || sizes->size() != axes.size()) {
      for (int64_t a : axes)
        out->mutable_dim(a)->Clear();
      return;
    }
    if (policy == "stretch") {
      for (size_t i = 0; i < axes.size(); ++i)
        out->mutable_dim(axes[i])->set_dim_value((*sizes)[i]);
      return;
    }
    double scale = policy == "not_larger" ? 1e300 : 0;
    for (size_t i = 0; i < axes.size(); ++i) {
      if (!known(axes[i]) || in.dim(axes[i]).dim_value() == 0) {
        for (int64_t a : axes)
          out->mutable_dim(a)->Clear();
        return;
      }
      double s = double((*sizes)[i]) / double(in.dim(axes[i]).dim_value());
      scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
    }
    for (int64_t a : axes)
      out->mutable_dim(a)->set_dim_value(
          (int64_t)std::llround(double(in.dim(a).dim_value()) * scale));
    return;
  }
  if (hasInput(ctx, 2)) {
    const TensorProto *t = ctx.getInputData(2);
    if (!t || t->data_type() != TensorProto::FLOAT) {
      for (int64_t a : axes)
        out->mutable_dim(a)->Clear();
      return;
    }
    std::vector<float> scales = ParseData<float>(t);
    if (scales.empty())
      return; // sizes absent and scales empty: the importer reports it
    if (scales.size() != axes.size())
      fail_shape_inference("Resize has ", scales.size(), " scales for ", axes.size(), " axes");
    for (size_t i = 0; i < axes.size(); ++i) {
      if (known(axes[i]))
        out->mutable_dim(axes[i])->set_dim_value(
            (int64_t)std::floor(double(in.dim(axes[i]).dim_value()) * double(scales[i])));
      else
        out->mutable_dim(axes[i])->Clear();
    }
  }
}

/// The spatial output size of a window op (pooling, Col2Im blocks).
std::optional<int64_t> windowOut(int64_t in, int64_t kernel, int64_t stride, int64_t dilation,
                                 int64_t padSum, bool ceil) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t num = in + padSum - span;
  if (num < 0 || stride <= 0)
    return std::nullopt;
  int64_t out = (ceil ? (num + stride - 1) / stride : num / stride) + 1;
  // The last window must start inside the input or its left padding.
  if (ceil && (out - 1) * stride >= in + padSum / 2 + (padSum % 2))
    --out;
  return out;
}

/// AveragePool (19) and LpPool (18): kernel, strides, dilations, pads,
/// auto_pad and ceil_mode over the spatial dims of an [N, C, ...] input.
void poolInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!hasInputShape(ctx, 0))
    return;
  const TensorShapeProto &in = getInputShape(ctx, 0);
  int64_t rank = in.dim_size();
  if (rank < 3)
    fail_shape_inference("the pooling input has rank ", rank, "; it needs at least 3");
  size_t spatial = rank - 2;
  std::vector<int64_t> kernel, strides, dilations, pads;
  getRepeatedAttribute(ctx, "kernel_shape", kernel);
  if (kernel.size() != spatial)
    fail_shape_inference("kernel_shape has ", kernel.size(), " values for ", spatial,
                         " spatial dimensions");
  getRepeatedAttribute(ctx, "strides", strides);
  getRepeatedAttribute(ctx, "dilations", dilations);
  getRepeatedAttribute(ctx, "pads", pads);
  strides.resize(spatial, 1);
  dilations.resize(spatial, 1);
  pads.resize(2 * spatial, 0);
  std::string autoPad = getAttribute(ctx, "auto_pad", "NOTSET");
  bool ceil = getAttribute(ctx, "ceil_mode", 0) != 0;
  TensorShapeProto *out = getOutputShape(ctx, 0);
  *out->add_dim() = in.dim(0);
  *out->add_dim() = in.dim(1);
  for (size_t i = 0; i < spatial; ++i) {
    auto *dim = out->add_dim();
    if (!in.dim(i + 2).has_dim_value())
      continue;
    int64_t x = in.dim(i + 2).dim_value();
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      dim->set_dim_value((x + strides[i] - 1) / strides[i]);
      continue;
    }
    int64_t padSum = autoPad == "VALID" ? 0 : pads[i] + pads[i + spatial];
    if (auto o = windowOut(x, kernel[i], strides[i], dilations[i], padSum, ceil))
      dim->set_dim_value(*o);
    else
      fail_shape_inference("the pooling window is larger than the padded input");
  }
}

/// Cast (19, 21, 23): the type from `to`.
void castInference(InferenceContext &ctx) {
  propagateElemTypeFromAttributeToOutput(ctx, "to", 0);
  shapeFromFirst(ctx);
}

/// CastLike (19, 21, 23): the type of input 1.
void castLikeInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 1, 0);
  shapeFromFirst(ctx);
}

/// QuantizeLinear (19, 21, 23): the zero point's type, else output_dtype,
/// else uint8.
void quantizeInference(InferenceContext &ctx) {
  if (hasInput(ctx, 2))
    propagateElemTypeFromInputToOutput(ctx, 2, 0);
  else
    updateOutputElemType(ctx, 0,
                         (int32_t)getAttribute(ctx, "output_dtype", (int64_t)TensorProto::UINT8));
  shapeFromFirst(ctx);
}

/// DequantizeLinear (19, 21, 23): the scale's type (or output_dtype).
void dequantizeInference(InferenceContext &ctx) {
  int64_t dtype = getAttribute(ctx, "output_dtype", 0);
  if (dtype)
    updateOutputElemType(ctx, 0, (int32_t)dtype);
  else
    propagateElemTypeFromInputToOutput(ctx, 1, 0);
  shapeFromFirst(ctx);
}

/// DFT (20): [..., signal, 1 or 2] -> [..., n or n/2+1, 2] on `axis`.
void dftInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!hasInputShape(ctx, 0))
    return;
  const TensorShapeProto &in = getInputShape(ctx, 0);
  int64_t rank = in.dim_size();
  if (rank < 2)
    fail_shape_inference("DFT input has rank ", rank, "; it needs at least 2");
  int64_t axis = -2;
  if (hasInput(ctx, 2)) {
    auto given = constantInts(ctx, 2);
    if (!given || given->size() != 1) {
      rankOfFirst(ctx);
      return;
    }
    axis = (*given)[0];
  }
  // The last dim (real/imaginary) is not a signal axis.
  if (axis < -rank || axis >= rank - 1)
    fail_shape_inference("DFT axis ", axis, " is out of range for rank ", rank);
  axis = axis < 0 ? axis + rank : axis;
  TensorShapeProto *out = getOutputShape(ctx, 0);
  for (int64_t i = 0; i < rank; ++i)
    *out->add_dim() = in.dim(i);
  out->mutable_dim(rank - 1)->set_dim_value(2);
  std::optional<int64_t> n;
  if (hasInput(ctx, 1)) {
    auto len = constantInts(ctx, 1);
    if (len && len->size() == 1)
      n = (*len)[0];
  } else if (in.dim(axis).has_dim_value()) {
    n = in.dim(axis).dim_value();
  }
  if (!n) {
    out->mutable_dim(axis)->Clear();
    return;
  }
  bool onesided = getAttribute(ctx, "onesided", 0) != 0;
  out->mutable_dim(axis)->set_dim_value(onesided ? *n / 2 + 1 : *n);
}

/// GridSample (20): [N, C, D1..Dr] sampled at grid [N, H1..Hr, r] gives
/// [N, C, H1..Hr].
void gridSampleInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!hasInputShape(ctx, 0) || !hasInputShape(ctx, 1))
    return;
  const TensorShapeProto &x = getInputShape(ctx, 0);
  const TensorShapeProto &grid = getInputShape(ctx, 1);
  if (x.dim_size() < 3 || grid.dim_size() != x.dim_size())
    fail_shape_inference("GridSample input has rank ", x.dim_size(), " and grid rank ",
                         grid.dim_size(), "; they must be equal and at least 3");
  TensorShapeProto *out = getOutputShape(ctx, 0);
  *out->add_dim() = x.dim(0);
  *out->add_dim() = x.dim(1);
  for (int i = 1; i + 1 < grid.dim_size(); ++i)
    *out->add_dim() = grid.dim(i);
}

/// Bitwise And/Or/Xor (18): broadcast.
void broadcastInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (hasNInputShapes(ctx, 2))
    bidirectionalBroadcastShapeInference(ctx.getInputType(0)->tensor_type().shape(),
                                         ctx.getInputType(1)->tensor_type().shape(),
                                         *getOutputShape(ctx, 0));
}

/// CenterCropPad (18): the listed axes take the sizes of input 1.
void centerCropPadInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  if (!hasInputShape(ctx, 0))
    return;
  const TensorShapeProto &in = getInputShape(ctx, 0);
  int64_t rank = in.dim_size();
  std::vector<int64_t> axes = axesAttribute(ctx, rank);
  TensorShapeProto *out = getOutputShape(ctx, 0);
  for (int64_t i = 0; i < rank; ++i)
    *out->add_dim() = in.dim(i);
  auto sizes = constantInts(ctx, 1);
  if (sizes && sizes->size() != axes.size())
    fail_shape_inference("CenterCropPad has ", sizes->size(), " sizes for ", axes.size(), " axes");
  for (size_t i = 0; i < axes.size(); ++i) {
    auto *dim = out->mutable_dim(axes[i]);
    dim->Clear();
    if (sizes)
      dim->set_dim_value((*sizes)[i]);
  }
}

/// Col2Im (18): [N, C * prod(block), L] -> [N, C, image...].
void col2ImInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  auto image = constantInts(ctx, 1);
  auto block = constantInts(ctx, 2);
  if (!hasInputShape(ctx, 0) || !image || !block)
    return;
  const TensorShapeProto &in = getInputShape(ctx, 0);
  if (in.dim_size() != 3)
    fail_shape_inference("Col2Im input has rank ", in.dim_size(), "; it must be 3");
  if (image->size() != block->size())
    fail_shape_inference("Col2Im image_shape and block_shape have different lengths");
  int64_t blockSize = 1;
  for (int64_t b : *block)
    blockSize *= b;
  TensorShapeProto *out = getOutputShape(ctx, 0);
  *out->add_dim() = in.dim(0);
  auto *c = out->add_dim();
  if (in.dim(1).has_dim_value() && blockSize > 0) {
    if (in.dim(1).dim_value() % blockSize)
      fail_shape_inference("Col2Im input dimension 1 (", in.dim(1).dim_value(),
                           ") is not a multiple of the block size ", blockSize);
    c->set_dim_value(in.dim(1).dim_value() / blockSize);
  }
  for (int64_t d : *image)
    out->add_dim()->set_dim_value(d);
}

/// AffineGrid (20): theta [N, r, r+1] and size [N, C, D1..Dr] give
/// [N, D1..Dr, r].
void affineGridInference(InferenceContext &ctx) {
  propagateElemTypeFromInputToOutput(ctx, 0, 0);
  auto size = constantInts(ctx, 1);
  if (!size)
    return;
  if (size->size() != 4 && size->size() != 5)
    fail_shape_inference("AffineGrid size has ", size->size(), " values; it needs 4 or 5");
  TensorShapeProto *out = getOutputShape(ctx, 0);
  out->add_dim()->set_dim_value((*size)[0]);
  for (size_t i = 2; i < size->size(); ++i)
    out->add_dim()->set_dim_value((*size)[i]);
  out->add_dim()->set_dim_value((int64_t)size->size() - 2);
}

/// Attention (23): Y has Q's shape with V's head size; the present
/// key/value append the past; qk_matmul_output is [B, Hq, Lq, Lkv].
void attentionInference(InferenceContext &ctx) {
  for (size_t i = 0; i < ctx.getNumOutputs(); ++i)
    propagateElemTypeFromInputToOutput(ctx, 0, i);
  if (!hasInputShape(ctx, 0) || !hasInputShape(ctx, 1) || !hasInputShape(ctx, 2))
    return;
  const TensorShapeProto &q = getInputShape(ctx, 0);
  const TensorShapeProto &k = getInputShape(ctx, 1);
  const TensorShapeProto &v = getInputShape(ctx, 2);
  if (q.dim_size() != k.dim_size() || q.dim_size() != v.dim_size() ||
      (q.dim_size() != 3 && q.dim_size() != 4))
    fail_shape_inference("Attention Q, K and V must all have rank 3 or all rank 4");
  TensorShapeProto *y = getOutputShape(ctx, 0);
  if (q.dim_size() == 4) {
    *y = q;
    y->mutable_dim(3)->CopyFrom(v.dim(3));
    return;
  }
  int64_t qHeads = getAttribute(ctx, "q_num_heads", 0);
  int64_t kvHeads = getAttribute(ctx, "kv_num_heads", 0);
  *y->add_dim() = q.dim(0);
  *y->add_dim() = q.dim(1);
  auto *hidden = y->add_dim();
  if (v.dim(2).has_dim_value() && qHeads > 0 && kvHeads > 0)
    hidden->set_dim_value(v.dim(2).dim_value() / kvHeads * qHeads);
}

void registerSchema(OpSchema &&schema) { OpSchemaRegistry::OpSchemaRegisterOnce once(schema); }

/// A schema in Kiln's domain at ONNX version `version`.
OpSchema newer(const char *name, int version, InferenceFunction infer) {
  OpSchema s;
  s.SetName(name)
      .SetDomain(kNewerDomain)
      .SinceVersion(version)
      .TypeAndShapeInferenceFunction(std::move(infer));
  return s;
}

using Attr = AttributeProto;

void registerAll() {
  OpSchemaRegistry::DomainToVersionRange::Instance().AddDomainToVersion(kNewerDomain, 18,
                                                                        kNewestOnnxOpset);
  auto t = [](OpSchema &s) -> OpSchema & {
    return s.TypeConstraint("T", anyTensor(), "any tensor")
        .TypeConstraint("T1", anyTensor(), "any tensor")
        .TypeConstraint("T2", anyTensor(), "any tensor")
        .TypeConstraint("T3", anyTensor(), "any tensor");
  };
  const auto opt = OpSchema::Optional;

  for (const char *op : {"ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp", "ReduceMax",
                         "ReduceMean", "ReduceMin", "ReduceProd", "ReduceSumSquare"}) {
    OpSchema s = newer(op, 18, reduceInference);
    s.Input(0, "data", "", "T").Input(1, "axes", "", "tensor(int64)", opt);
    s.Output(0, "reduced", "", "T");
    s.Attr("keepdims", "", Attr::INT, int64_t(1));
    s.Attr("noop_with_empty_axes", "", Attr::INT, int64_t(0));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("Split", 18, splitInference);
    s.Input(0, "input", "", "T").Input(1, "split", "", "tensor(int64)", opt);
    s.Output(0, "outputs", "", "T", OpSchema::Variadic);
    s.Attr("axis", "", Attr::INT, int64_t(0));
    s.Attr("num_outputs", "", Attr::INT, false);
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("Pad", 18, padInference);
    s.Input(0, "data", "", "T").Input(1, "pads", "", "tensor(int64)");
    s.Input(2, "constant_value", "", "T", opt).Input(3, "axes", "", "T1", opt);
    s.Output(0, "output", "", "T");
    s.Attr("mode", "", Attr::STRING, std::string("constant"));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("Resize", 18, resizeInference);
    s.Input(0, "X", "", "T1").Input(1, "roi", "", "T2", opt);
    s.Input(2, "scales", "", "tensor(float)", opt).Input(3, "sizes", "", "tensor(int64)", opt);
    s.Output(0, "Y", "", "T1");
    s.Attr("antialias", "", Attr::INT, int64_t(0));
    s.Attr("axes", "", Attr::INTS, false);
    s.Attr("coordinate_transformation_mode", "", Attr::STRING, std::string("half_pixel"));
    s.Attr("cubic_coeff_a", "", Attr::FLOAT, -0.75f);
    s.Attr("exclude_outside", "", Attr::INT, int64_t(0));
    s.Attr("extrapolation_value", "", Attr::FLOAT, 0.0f);
    s.Attr("keep_aspect_ratio_policy", "", Attr::STRING, std::string("stretch"));
    s.Attr("mode", "", Attr::STRING, std::string("nearest"));
    s.Attr("nearest_mode", "", Attr::STRING, std::string("round_prefer_floor"));
    registerSchema(std::move(t(s)));
  }
  for (const char *op : {"ScatterElements", "ScatterND"}) {
    OpSchema s = newer(op, 18, sameShapeAsFirst);
    s.Input(0, "data", "", "T").Input(1, "indices", "", "T1").Input(2, "updates", "", "T");
    s.Output(0, "output", "", "T");
    if (std::string(op) == "ScatterElements")
      s.Attr("axis", "", Attr::INT, int64_t(0));
    s.Attr("reduction", "", Attr::STRING, std::string("none"));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("AveragePool", 19, poolInference);
    s.Input(0, "X", "", "T").Output(0, "Y", "", "T");
    s.Attr("auto_pad", "", Attr::STRING, std::string("NOTSET"));
    s.Attr("ceil_mode", "", Attr::INT, int64_t(0));
    s.Attr("count_include_pad", "", Attr::INT, int64_t(0));
    s.Attr("dilations", "", Attr::INTS, false);
    s.Attr("kernel_shape", "", Attr::INTS);
    s.Attr("pads", "", Attr::INTS, false);
    s.Attr("strides", "", Attr::INTS, false);
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("LpPool", 18, poolInference);
    s.Input(0, "X", "", "T").Output(0, "Y", "", "T");
    s.Attr("auto_pad", "", Attr::STRING, std::string("NOTSET"));
    s.Attr("ceil_mode", "", Attr::INT, int64_t(0));
    s.Attr("dilations", "", Attr::INTS, false);
    s.Attr("kernel_shape", "", Attr::INTS);
    s.Attr("p", "", Attr::INT, int64_t(2));
    s.Attr("pads", "", Attr::INTS, false);
    s.Attr("strides", "", Attr::INTS, false);
    registerSchema(std::move(t(s)));
  }
  for (int version : {19, 21, 23}) {
    OpSchema cast = newer("Cast", version, castInference);
    cast.Input(0, "input", "", "T1").Output(0, "output", "", "T2");
    cast.Attr("to", "", Attr::INT);
    cast.Attr("saturate", "", Attr::INT, int64_t(1));
    if (version >= 23)
      cast.Attr("round_mode", "", Attr::STRING, std::string("up"));
    registerSchema(std::move(t(cast)));
    OpSchema like = newer("CastLike", version, castLikeInference);
    like.Input(0, "input", "", "T1").Input(1, "target_type", "", "T2");
    like.Output(0, "output", "", "T2");
    like.Attr("saturate", "", Attr::INT, int64_t(1));
    if (version >= 23)
      like.Attr("round_mode", "", Attr::STRING, std::string("up"));
    registerSchema(std::move(t(like)));

    OpSchema q = newer("QuantizeLinear", version, quantizeInference);
    q.Input(0, "x", "", "T1").Input(1, "y_scale", "", "T2");
    q.Input(2, "y_zero_point", "", "T3", opt).Output(0, "y", "", "T3");
    q.Attr("axis", "", Attr::INT, int64_t(1));
    q.Attr("saturate", "", Attr::INT, int64_t(1));
    if (version >= 21) {
      q.Attr("block_size", "", Attr::INT, int64_t(0));
      q.Attr("output_dtype", "", Attr::INT, int64_t(0));
    }
    if (version >= 23)
      q.Attr("precision", "", Attr::INT, int64_t(0));
    registerSchema(std::move(t(q)));
    OpSchema dq = newer("DequantizeLinear", version, dequantizeInference);
    dq.Input(0, "x", "", "T1").Input(1, "x_scale", "", "T2");
    dq.Input(2, "x_zero_point", "", "T1", opt).Output(0, "y", "", "T3");
    dq.Attr("axis", "", Attr::INT, int64_t(1));
    if (version >= 21)
      dq.Attr("block_size", "", Attr::INT, int64_t(0));
    if (version >= 23)
      dq.Attr("output_dtype", "", Attr::INT, int64_t(0));
    registerSchema(std::move(t(dq)));
  }
  {
    OpSchema s = newer("DFT", 20, dftInference);
    s.Input(0, "input", "", "T1").Input(1, "dft_length", "", "T2", opt);
    s.Input(2, "axis", "", "tensor(int64)", opt).Output(0, "output", "", "T1");
    s.Attr("inverse", "", Attr::INT, int64_t(0));
    s.Attr("onesided", "", Attr::INT, int64_t(0));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("GridSample", 20, gridSampleInference);
    s.Input(0, "X", "", "T1").Input(1, "grid", "", "T2").Output(0, "Y", "", "T1");
    s.Attr("align_corners", "", Attr::INT, int64_t(0));
    s.Attr("mode", "", Attr::STRING, std::string("linear"));
    s.Attr("padding_mode", "", Attr::STRING, std::string("zeros"));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("Gelu", 20, sameShapeAsFirst);
    s.Input(0, "X", "", "T").Output(0, "Y", "", "T");
    s.Attr("approximate", "", Attr::STRING, std::string("none"));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("Mish", 18, sameShapeAsFirst);
    s.Input(0, "X", "", "T").Output(0, "Y", "", "T");
    registerSchema(std::move(t(s)));
  }
  for (const char *op : {"BitwiseAnd", "BitwiseOr", "BitwiseXor"}) {
    OpSchema s = newer(op, 18, broadcastInference);
    s.Input(0, "A", "", "T").Input(1, "B", "", "T").Output(0, "C", "", "T");
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("BitwiseNot", 18, sameShapeAsFirst);
    s.Input(0, "X", "", "T").Output(0, "Y", "", "T");
    registerSchema(std::move(t(s)));
  }
  for (int version : {18, 21}) {
    OpSchema s = newer("GroupNormalization", version, sameShapeAsFirst);
    s.Input(0, "X", "", "T").Input(1, "scale", "", "T").Input(2, "bias", "", "T");
    s.Output(0, "Y", "", "T");
    s.Attr("epsilon", "", Attr::FLOAT, 1e-5f);
    s.Attr("num_groups", "", Attr::INT);
    if (version >= 21)
      s.Attr("stash_type", "", Attr::INT, int64_t(1));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("CenterCropPad", 18, centerCropPadInference);
    s.Input(0, "input_data", "", "T").Input(1, "shape", "", "T1");
    s.Output(0, "output_data", "", "T");
    s.Attr("axes", "", Attr::INTS, false);
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("Col2Im", 18, col2ImInference);
    s.Input(0, "input", "", "T").Input(1, "image_shape", "", "tensor(int64)");
    s.Input(2, "block_shape", "", "tensor(int64)").Output(0, "output", "", "T");
    s.Attr("dilations", "", Attr::INTS, false);
    s.Attr("pads", "", Attr::INTS, false);
    s.Attr("strides", "", Attr::INTS, false);
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("AffineGrid", 20, affineGridInference);
    s.Input(0, "theta", "", "T1").Input(1, "size", "", "tensor(int64)");
    s.Output(0, "grid", "", "T1");
    s.Attr("align_corners", "", Attr::INT, int64_t(0));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("RMSNormalization", 23, sameShapeAsFirst);
    s.Input(0, "X", "", "T").Input(1, "scale", "", "T1").Output(0, "Y", "", "T");
    s.Attr("axis", "", Attr::INT, int64_t(-1));
    s.Attr("epsilon", "", Attr::FLOAT, 1e-5f);
    s.Attr("stash_type", "", Attr::INT, int64_t(1));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("RotaryEmbedding", 23, sameShapeAsFirst);
    s.Input(0, "X", "", "T").Input(1, "cos_cache", "", "T").Input(2, "sin_cache", "", "T");
    s.Input(3, "position_ids", "", "T1", opt).Output(0, "Y", "", "T");
    s.Attr("interleaved", "", Attr::INT, int64_t(0));
    s.Attr("num_heads", "", Attr::INT, int64_t(0));
    s.Attr("rotary_embedding_dim", "", Attr::INT, int64_t(0));
    registerSchema(std::move(t(s)));
  }
  {
    OpSchema s = newer("Attention", 23, attentionInference);
    s.Input(0, "Q", "", "T").Input(1, "K", "", "T").Input(2, "V", "", "T");
    s.Input(3, "attn_mask", "", "T1", opt).Input(4, "past_key", "", "T", opt);
    s.Input(5, "past_value", "", "T", opt);
    s.Output(0, "Y", "", "T").Output(1, "present_key", "", "T", opt);
    s.Output(2, "present_value", "", "T", opt).Output(3, "qk_matmul_output", "", "T", opt);
    s.Attr("is_causal", "", Attr::INT, int64_t(0));
    s.Attr("kv_num_heads", "", Attr::INT, false);
    s.Attr("q_num_heads", "", Attr::INT, false);
    s.Attr("qk_matmul_output_mode", "", Attr::INT, int64_t(0));
    s.Attr("scale", "", Attr::FLOAT, false);
    s.Attr("softcap", "", Attr::FLOAT, 0.0f);
    s.Attr("softmax_precision", "", Attr::INT, false);
    registerSchema(std::move(t(s)));
  }
}

/// Moves the nodes of `graph` (and of its subgraphs) whose op has a
/// Kiln-registered schema at `opset` into Kiln's domain.
void redomain(GraphProto &graph, int64_t opset) {
  for (NodeProto &node : *graph.mutable_node()) {
    if ((node.domain().empty() || node.domain() == "ai.onnx") &&
        OpSchemaRegistry::Schema(node.op_type(), (int)opset, kNewerDomain))
      node.set_domain(kNewerDomain);
    for (AttributeProto &attr : *node.mutable_attribute()) {
      if (attr.has_g())
        redomain(*attr.mutable_g(), opset);
      for (GraphProto &g : *attr.mutable_graphs())
        redomain(g, opset);
    }
  }
}

} // namespace

void registerNewerOpsetSchemas() {
  static std::once_flag once;
  std::call_once(once, registerAll);
}

onnx::ModelProto makeCheckableModel(const onnx::ModelProto &model, int64_t opset) {
  registerNewerOpsetSchemas();
  ModelProto copy = model;
  // IR versions 9 and 10 add element types (float8, 4-bit integers) and
  // local-function overloads; the importer refuses the types itself.
  copy.set_ir_version(std::min<int64_t>(copy.ir_version(), Version::IR_VERSION));
  for (OperatorSetIdProto &id : *copy.mutable_opset_import())
    if (id.domain().empty() || id.domain() == "ai.onnx")
      id.set_version(std::min<int64_t>(id.version(), kTargetOnnxOpset));
  OperatorSetIdProto *newerId = copy.add_opset_import();
  newerId->set_domain(kNewerDomain);
  newerId->set_version(opset);
  redomain(*copy.mutable_graph(), opset);
  return copy;
}

void copyInferredValueInfo(const onnx::GraphProto &from, onnx::GraphProto &to) {
  *to.mutable_value_info() = from.value_info();
  int nodes = std::min(from.node_size(), to.node_size());
  for (int i = 0; i < nodes; ++i) {
    const NodeProto &src = from.node(i);
    NodeProto &dst = *to.mutable_node(i);
    int attrs = std::min(src.attribute_size(), dst.attribute_size());
    for (int a = 0; a < attrs; ++a) {
      const AttributeProto &sa = src.attribute(a);
      AttributeProto &da = *dst.mutable_attribute(a);
      if (sa.has_g() && da.has_g())
        copyInferredValueInfo(sa.g(), *da.mutable_g());
      int graphs = std::min(sa.graphs_size(), da.graphs_size());
      for (int g = 0; g < graphs; ++g)
        copyInferredValueInfo(sa.graphs(g), *da.mutable_graphs(g));
    }
  }
}

} // namespace kiln::onnx_import
