//===- AtenTransformerOps.cpp - PyTorch's fused attention ops ---*- C++ -*-===//
//
// In eval mode, batch-first nn.TransformerEncoderLayer and
// nn.MultiheadAttention run through fused kernels, which a trace records as
// one op each:
//   aten::_transformer_encoder_layer_fwd: self-attention and the
//     feed-forward block, each with a residual and a layer norm (after, or
//     before with norm_first), ReLU or GELU between the two linears;
//   aten::_native_multi_head_attention: the attention alone, with the
//     head-averaged (or per-head) weights when asked for.
// Both become kiln matmuls, a softmax and the layer norms both front ends
// share (Decompositions.h). Attention masks are not supported.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

#include "kiln/Import/Decompositions.h"

#include <cmath>

using namespace mlir;

namespace kiln::torchscript {
namespace {

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

/// x @ w^T + b, `w` rows [first, first + count) (and the same of `b`).
Value project(NodeImporter &n, Value x, Value w, Value b, int64_t first, int64_t count) {
  int64_t in = shapeOf(w)[1];
  Value rows = n.slice(w, {first, 0}, {count, in}, {1, 1});
  Value y = n.create<MatmulOp>(x, n.transpose(rows, {1, 0}));
  if (b) {
    Value bias = n.slice(b, {first}, {count}, {1});
    y = n.create<AddOp>(y, bias);
  }
  return y;
}

struct Attention {
  Value out;     ///< [B, L, E]
  Value weights; ///< [B, H, L, S], softmax(q k^T / sqrt(D))
};

/// Multi-head attention with the packed [3E, E] input projection.
FailureOr<Attention> attend(NodeImporter &n, Value query, Value key, Value value, int64_t embed,
                            int64_t heads, Value qkvW, Value qkvB, Value projW, Value projB) {
  for (Value v : {query, key, value})
    if (shapeOf(v).size() != 3 || shapeOf(v)[2] != embed)
      return (void)n.error("attention needs batch-first [batch, length, " + Twine(embed) +
                           "] inputs"),
             failure();
  if (heads <= 0 || embed % heads)
    return (void)n.error("embed_dim " + Twine(embed) + " does not split into " + Twine(heads) +
                         " heads"),
           failure();
  if (shapeOf(qkvW) != ArrayRef<int64_t>{3 * embed, embed} ||
      shapeOf(projW) != ArrayRef<int64_t>{embed, embed})
    return (void)n.error("the projection weights do not match embed_dim " + Twine(embed)),
           failure();
  int64_t batch = shapeOf(query)[0], length = shapeOf(query)[1], source = shapeOf(key)[1];
  int64_t dim = embed / heads;
  auto split = [&](Value x, int64_t index, int64_t len) {
    Value y = project(n, x, qkvW, qkvB, index * embed, embed);
    return n.transpose(n.reshape(y, {batch, len, heads, dim}), {0, 2, 1, 3});
  };
  Value q = split(query, 0, length), k = split(key, 1, source), v = split(value, 2, source);
  Type elt = cast<RankedTensorType>(q.getType()).getElementType();
  Value scores = n.create<MatmulOp>(n.create<MulOp>(q, n.scalarConstant(elt, 1.0 / std::sqrt(dim))),
                                    n.transpose(k, {0, 1, 3, 2}));
  Value weights = n.create<SoftmaxOp>(scores, n.builder.getI64IntegerAttr(3));
  Value merged =
      n.reshape(n.transpose(n.create<MatmulOp>(weights, v), {0, 2, 1, 3}), {batch, length, embed});
  return Attention{project(n, merged, projW, projB, 0, embed), weights};
}

/// _transformer_encoder_layer_fwd(src, embed_dim, num_heads, qkv_weight,
/// qkv_bias, proj_weight, proj_bias, use_gelu, norm_first, eps,
/// norm_weight_1, norm_bias_1, norm_weight_2, norm_bias_2, ffn_weight_1,
/// ffn_bias_1, ffn_weight_2, ffn_bias_2, mask, mask_type)
LogicalResult encoderLayer(NodeImporter &n) {
  auto embed = n.getInt(1), heads = n.getInt(2);
  auto gelu = n.getBool(7), normFirst = n.getBool(8);
  auto eps = n.getFloat(9);
  if (!embed || !heads || !gelu || !normFirst || !eps)
    return failure();
  if (!n.isNone(18))
    return n.unsupported("a fused encoder layer with an attention mask");
  SmallVector<Value> t;
  for (unsigned i : {0, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17}) {
    t.push_back(n.tensor(i));
    if (!t.back())
      return failure();
  }
  Value src = t[0], qkvW = t[1], qkvB = t[2], projW = t[3], projB = t[4];
  Value norm1W = t[5], norm1B = t[6], norm2W = t[7], norm2B = t[8];
  Value ffn1W = t[9], ffn1B = t[10], ffn2W = t[11], ffn2B = t[12];
  auto norm = [&](Value x, Value w, Value b) { return buildLayerNorm(n, x, 2, w, b, *eps).y; };
  auto attention = [&](Value x) -> FailureOr<Value> {
    auto a = attend(n, x, x, x, *embed, *heads, qkvW, qkvB, projW, projB);
    if (failed(a))
      return failure();
    return a->out;
  };
  auto feedForward = [&](Value x) -> FailureOr<Value> {
    Value h = project(n, x, ffn1W, ffn1B, 0, shapeOf(ffn1W)[0]);
    if (*gelu) {
      FailureOr<Value> g = buildGelu(n, h, "none");
      if (failed(g))
        return failure();
      h = *g;
    } else {
      h = n.create<ReluOp>(h);
    }
    return project(n, h, ffn2W, ffn2B, 0, shapeOf(ffn2W)[0]);
  };
  Value x = src;
  if (*normFirst) {
    FailureOr<Value> a = attention(norm(x, norm1W, norm1B));
    if (failed(a))
      return failure();
    x = n.create<AddOp>(x, *a);
    FailureOr<Value> f = feedForward(norm(x, norm2W, norm2B));
    if (failed(f))
      return failure();
    x = n.create<AddOp>(x, *f);
  } else {
    FailureOr<Value> a = attention(x);
    if (failed(a))
      return failure();
    x = norm(n.create<AddOp>(x, *a), norm1W, norm1B);
    FailureOr<Value> f = feedForward(x);
    if (failed(f))
      return failure();
    x = norm(n.create<AddOp>(x, *f), norm2W, norm2B);
  }
  n.setTensor(0, x);
  return success();
}

/// _native_multi_head_attention(query, key, value, embed_dim, num_head,
/// qkv_weight, qkv_bias, proj_weight, proj_bias, mask, need_weights,
/// average_attn_weights, mask_type) -> (out, weights)
LogicalResult multiHeadAttention(NodeImporter &n) {
  auto embed = n.getInt(3), heads = n.getInt(4);
  auto needWeights = n.getBool(10), average = n.getBool(11);
  if (!embed || !heads || !needWeights || !average)
    return failure();
  if (!n.isNone(9))
    return n.unsupported("multi-head attention with an attention mask");
  Value q = n.tensor(0), k = n.tensor(1), v = n.tensor(2), qkvW = n.tensor(5), projW = n.tensor(7);
  if (!q || !k || !v || !qkvW || !projW)
    return failure();
  Value qkvB = n.isNone(6) ? Value() : n.tensor(6), projB = n.isNone(8) ? Value() : n.tensor(8);
  auto a = attend(n, q, k, v, *embed, *heads, qkvW, qkvB, projW, projB);
  if (failed(a))
    return failure();
  n.setTensor(0, a->out);
  if (!*needWeights)
    n.setResult(1, Item::none());
  else if (*average)
    n.setTensor(1, n.create<ReduceMeanOp>(a->weights, n.builder.getDenseI64ArrayAttr({1}),
                                          n.builder.getBoolAttr(false)));
  else
    n.setTensor(1, a->weights);
  return success();
}

} // namespace

void registerAtenTransformerOps(AtenRegistry &r) {
  r["aten::_transformer_encoder_layer_fwd"] = encoderLayer;
  r["aten::_native_multi_head_attention"] = multiHeadAttention;
}

} // namespace kiln::torchscript
