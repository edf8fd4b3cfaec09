//===- AttentionOps.cpp - ONNX Attention and RotaryEmbedding ----*- C++ -*-===//
//
// The transformer ops of opset 23, written with kiln's matmul, softmax and
// elementwise ops:
//   Attention: softmax(mask(softcap(Q K^T * scale))) V over heads, with grouped
//     key/value heads, past keys and values, causal masking and softcap;
//     3-D inputs ([B, L, heads * E]) are split into heads and merged back.
//   RotaryEmbedding: each position's (x1, x2) pairs rotated by the cached
//     cos/sin of its position, halves or interleaved pairs, over the first
//     rotary_embedding_dim values of each head.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace kiln::onnx_import {
namespace {

ArrayRef<int64_t> shapeOf(Value v) { return cast<RankedTensorType>(v.getType()).getShape(); }

/// [B, L, heads * E] -> [B, heads, L, E].
Value splitHeads(NodeImporter &n, Value v, int64_t heads) {
  ArrayRef<int64_t> s = shapeOf(v);
  return transpose(n, n.reshape(v, {s[0], s[1], heads, s[2] / heads}), {0, 2, 1, 3});
}

/// Input `i` as [B, heads, L, E]; 3-D inputs need `heads` to divide their
/// last dimension.
FailureOr<Value> headsInput(NodeImporter &n, unsigned i, const char *headsAttr) {
  RankedTensorType type = n.inputType(i);
  if (type.getRank() == 4)
    return n.input(i);
  if (type.getRank() != 3)
    return (void)n.error("Attention input " + n.describeInput(i) + " must have rank 3 or 4"),
           failure();
  int64_t heads = n.intAttr(headsAttr, 0);
  if (heads <= 0 || type.getDimSize(2) % heads)
    return (void)n.error("Attention with 3-D input " + n.describeInput(i) + " needs " + headsAttr +
                         " dividing its last dimension"),
           failure();
  return splitHeads(n, n.input(i), heads);
}

/// Each of the `kvHeads` heads of `v` ([B, kvHeads, L, E]) repeated
/// `groups` times in a row, as grouped-query attention shares them.
Value repeatHeads(NodeImporter &n, Value v, int64_t groups) {
  if (groups == 1)
    return v;
  ArrayRef<int64_t> s = shapeOf(v);
  SmallVector<int64_t> index;
  for (int64_t h = 0; h < s[1] * groups; ++h)
    index.push_back(h / groups);
  return n.create<GatherOp>(v, n.intConstant(index, {(int64_t)index.size()}),
                            n.builder.getI64IntegerAttr(1));
}

LogicalResult importAttention(NodeImporter &n) {
  Type elt = n.inputType(0).getElementType();
  if (!isa<FloatType>(elt))
    return n.error("Attention needs floating-point inputs");
  bool threeD = n.inputType(0).getRank() == 3;
  auto q = headsInput(n, 0, "q_num_heads");
  auto k = headsInput(n, 1, "kv_num_heads");
  auto v = headsInput(n, 2, "kv_num_heads");
  if (failed(q) || failed(k) || failed(v))
    return failure();
  Value key = *k, value = *v;
  // Past keys and values ([B, kvHeads, past, E]) come first.
  if (n.hasInput(4) != n.hasInput(5))
    return n.error("Attention needs both past_key and past_value, or neither");
  if (n.hasInput(4)) {
    key = n.create<ConcatOp>(ValueRange{n.input(4), key}, n.builder.getI64IntegerAttr(2));
    value = n.create<ConcatOp>(ValueRange{n.input(5), value}, n.builder.getI64IntegerAttr(2));
  }
  ArrayRef<int64_t> qs = shapeOf(*q), ks = shapeOf(key), vs = shapeOf(value);
  int64_t batch = qs[0], qHeads = qs[1], qLen = qs[2], headSize = qs[3];
  int64_t kvHeads = ks[1], kvLen = ks[2];
  if (ks[0] != batch || vs[0] != batch || vs[1] != kvHeads || vs[2] != kvLen || ks[3] != headSize)
    return n.error("Attention Q, K and V disagree in batch, heads, length or head size");
  if (kvHeads <= 0 || qHeads % kvHeads)
    return n.error("Attention's " + Twine(qHeads) + " query heads are not a multiple of its " +
                   Twine(kvHeads) + " key/value heads");
  Value presentKey = key, presentValue = value;
  key = repeatHeads(n, key, qHeads / kvHeads);
  value = repeatHeads(n, value, qHeads / kvHeads);

  double scale = 1.0 / std::sqrt(double(headSize));
  if (const onnx::AttributeProto *s = n.attr("scale"))
    scale = s->f();
  // Scaling Q and K by sqrt(scale) each, as ONNX's definition does, keeps
  // the product's magnitude the same for half precision.
  Value root = n.scalarConstant(elt, std::sqrt(scale));
  Value scores = n.create<MatmulOp>(n.create<MulOp>(*q, root),
                                    transpose(n, n.create<MulOp>(key, root), {0, 1, 3, 2}));
  Value qk = scores;
  float softcap = n.floatAttr("softcap", 0.0f);
  Value capped0;
  if (softcap > 0) {
    Value cap = n.scalarConstant(elt, softcap);
    capped0 = n.create<MulOp>(n.create<TanhOp>(n.create<DivOp>(scores, cap)), cap);
  }
  auto scoreType = cast<RankedTensorType>(scores.getType());
  double lowest = -std::numeric_limits<double>::infinity();
  if (n.hasInput(3)) {
    RankedTensorType maskType = n.inputType(3);
    if (!broadcastShapes(maskType.getShape(), scoreType.getShape()))
      return n.error("Attention mask " + n.describeInput(3) +
                     " does not broadcast to the scores [batch, heads, q, kv]");
    if (!maskType.getElementType().isInteger(1) && maskType.getElementType() != elt)
      return n.error("Attention mask " + n.describeInput(3) + " must be bool or of Q's type");
  }
  Value causal;
  if (n.intAttr("is_causal", 0)) {
    // Query i sees keys up to i + (kvLen - qLen): the new tokens follow the
    // past ones.
    SmallVector<Attribute> allowed;
    for (int64_t i = 0; i < qLen; ++i)
      for (int64_t j = 0; j < kvLen; ++j)
        allowed.push_back(n.builder.getBoolAttr(j <= i + (kvLen - qLen)));
    auto maskType = RankedTensorType::get({qLen, kvLen}, n.builder.getI1Type());
    causal = ConstantOp::create(n.builder, n.loc, DenseElementsAttr::get(maskType, allowed));
  }
  // The mask input (true attends; a float mask is added) and the causal
  // mask; masked positions become -infinity.
  auto applyMasks = [&](Value s) {
    if (n.hasInput(3))
      s = n.inputType(3).getElementType().isInteger(1)
              ? n.create<SelectOp>(n.input(3), s, n.scalarConstant(elt, lowest))
              : n.create<AddOp>(s, n.input(3));
    if (causal)
      s = n.create<SelectOp>(causal, s, n.scalarConstant(elt, lowest));
    return s;
  };
  // qk_matmul_output_mode 1 is the softcapped product and 2 that with the
  // masks, which the softmax reads: ONNX Runtime's order (the softcap
  // first, so that masked positions stay at -infinity).
  Value softcapped = softcap > 0 ? capped0 : scores;
  scores = applyMasks(softcapped);
  Value probs = n.create<SoftmaxOp>(scores, n.builder.getI64IntegerAttr(3));
  Value y = n.create<MatmulOp>(probs, value);
  if (threeD) {
    ArrayRef<int64_t> ys = shapeOf(y);
    y = n.reshape(transpose(n, y, {0, 2, 1, 3}), {batch, qLen, qHeads * ys[3]});
  }
  n.setResult(0, y);
  n.setResult(1, presentKey);
  n.setResult(2, presentValue);
  switch (n.intAttr("qk_matmul_output_mode", 0)) {
  case 0:
    n.setResult(3, qk);
    break;
  case 1:
    n.setResult(3, softcapped);
    break;
  case 2:
    n.setResult(3, scores);
    break;
  case 3:
    n.setResult(3, probs);
    break;
  default:
    return n.error("qk_matmul_output_mode must be 0 to 3");
  }
  return success();
}

LogicalResult importRotaryEmbedding(NodeImporter &n) {
  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (!isa<FloatType>(elt))
    return n.error("RotaryEmbedding needs a floating-point input");
  // Work on [B, S, heads, D].
  Value x;
  int64_t rank = type.getRank();
  if (rank == 4) {
    x = transpose(n, n.input(0), {0, 2, 1, 3});
  } else if (rank == 3) {
    int64_t heads = n.intAttr("num_heads", 0);
    if (heads <= 0 || type.getDimSize(2) % heads)
      return n.error("RotaryEmbedding with 3-D input needs num_heads dividing its last "
                     "dimension");
    x = n.reshape(n.input(0),
                  {type.getDimSize(0), type.getDimSize(1), heads, type.getDimSize(2) / heads});
  } else {
    return n.error("RotaryEmbedding input must have rank 3 or 4, not " + n.describeInput(0));
  }
  ArrayRef<int64_t> xs = shapeOf(x);
  int64_t batch = xs[0], seq = xs[1], heads = xs[2], headSize = xs[3];
  int64_t rot = n.intAttr("rotary_embedding_dim", 0);
  if (rot == 0)
    rot = headSize;
  if (rot <= 0 || rot > headSize || rot % 2)
    return n.error("rotary_embedding_dim " + Twine(rot) +
                   " must be even and at most the head "
                   "size " +
                   Twine(headSize));
  int64_t half = rot / 2;
  // cos and sin as [B, S, half].
  auto cache = [&](unsigned i) -> FailureOr<Value> {
    Value c = n.input(i);
    if (n.hasInput(3)) {
      if (n.inputType(i).getRank() != 2 || n.inputType(i).getDimSize(1) != half)
        return (void)n.error("with position_ids, the caches are [positions, " + Twine(half) +
                             "], not " + n.describeInput(i)),
               failure();
      c = n.create<GatherOp>(c, n.input(3), n.builder.getI64IntegerAttr(0));
    }
    if (shapeOf(c) != ArrayRef<int64_t>{batch, seq, half})
      return (void)n.error("the caches must give [" + Twine(batch) + ", " + Twine(seq) + ", " +
                           Twine(half) + "] values, not " + n.describeInput(i)),
             failure();
    return n.reshape(c, {batch, seq, 1, half});
  };
  auto cosv = cache(1), sinv = cache(2);
  if (failed(cosv) || failed(sinv))
    return failure();
  bool interleaved = n.intAttr("interleaved", 0) != 0;
  auto part = [&](int64_t offset, int64_t stride) {
    return slice(n, x, {0, 0, 0, offset}, {batch, seq, heads, half}, {1, 1, 1, stride});
  };
  Value x1 = interleaved ? part(0, 2) : part(0, 1);
  Value x2 = interleaved ? part(1, 2) : part(half, 1);
  Value real = n.create<SubOp>(n.create<MulOp>(*cosv, x1), n.create<MulOp>(*sinv, x2));
  Value imag = n.create<AddOp>(n.create<MulOp>(*sinv, x1), n.create<MulOp>(*cosv, x2));
  Value rotated;
  if (interleaved) {
    Value pairs = n.create<ConcatOp>(ValueRange{n.reshape(real, {batch, seq, heads, half, 1}),
                                                n.reshape(imag, {batch, seq, heads, half, 1})},
                                     n.builder.getI64IntegerAttr(4));
    rotated = n.reshape(pairs, {batch, seq, heads, rot});
  } else {
    rotated = n.create<ConcatOp>(ValueRange{real, imag}, n.builder.getI64IntegerAttr(3));
  }
  if (rot < headSize)
    rotated = n.create<ConcatOp>(
        ValueRange{rotated,
                   slice(n, x, {0, 0, 0, rot}, {batch, seq, heads, headSize - rot}, {1, 1, 1, 1})},
        n.builder.getI64IntegerAttr(3));
  Value y = rank == 4 ? transpose(n, rotated, {0, 2, 1, 3}) : n.reshape(rotated, type.getShape());
  n.setResult(0, y);
  return success();
}

} // namespace

void registerAttentionOps(OpRegistry &r) {
  r["Attention"] = importAttention;
  r["RotaryEmbedding"] = importRotaryEmbedding;
}

} // namespace kiln::onnx_import
