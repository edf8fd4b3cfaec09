//===- AtenRecurrentOps.cpp - aten::lstm and aten::gru, unrolled -*- C++ -*-===//
//
// nn.LSTM and nn.GRU trace to one aten::lstm / aten::gru node holding the
// flat weight list (per layer and direction: w_ih, w_hh, then b_ih, b_hh
// when has_biases). With static shapes the sequence is unrolled: for each
// layer and direction, one matmul of every step's input by w_ih^T (+ b_ih),
// then per step h w_hh^T (+ b_hh) and PyTorch's gate equations (gate order
// i, f, g, o for LSTM; r, z, n for GRU). Reverse directions run last to
// first; bidirectional layers concatenate both directions' outputs, which
// feed the next layer. Outputs: the last layer's outputs, and h_n (and
// c_n) stacked over layers and directions.
//
//===----------------------------------------------------------------------===//

#include "AtenContext.h"

using namespace mlir;

namespace kiln::torchscript {

namespace {

class Unroller {
public:
  Unroller(NodeImporter &n, int64_t hidden) : n(n), hidden(hidden) {}

  Value slice(Value v, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
    SmallVector<int64_t> strides(offsets.size(), 1);
    return n.create<SliceOp>(v, n.builder.getDenseI64ArrayAttr(offsets),
                             n.builder.getDenseI64ArrayAttr(sizes),
                             n.builder.getDenseI64ArrayAttr(strides));
  }
  Value transposed(Value w) {
    return n.create<TransposeOp>(w, n.builder.getDenseI64ArrayAttr({1, 0}));
  }
  /// Gate k of a [B, G * H] tensor.
  Value gate(Value v, int64_t k) {
    int64_t batch = cast<RankedTensorType>(v.getType()).getDimSize(0);
    return slice(v, {0, k * hidden}, {batch, hidden});
  }
  Value sigmoid(Value v) { return n.create<SigmoidOp>(v); }
  Value tanh(Value v) { return n.create<TanhOp>(v); }
  Value add(Value a, Value b) { return n.create<AddOp>(a, b); }
  Value mul(Value a, Value b) { return n.create<MulOp>(a, b); }

  NodeImporter &n;
  int64_t hidden;
};

/// aten::lstm(input, hx, params, has_biases, num_layers, dropout, train,
/// bidirectional, batch_first) and aten::gru (hx a single tensor).
LogicalResult recurrent(NodeImporter &n, bool isLSTM) {
  RankedTensorType xType = n.tensorType(0);
  auto hasBiases = n.getBool(3);
  auto layers = n.getInt(4);
  auto train = n.getBool(6), bidirectional = n.getBool(7), batchFirst = n.getBool(8);
  if (!xType || !hasBiases || !layers || !train || !bidirectional || !batchFirst)
    return failure();
  if (*train)
    return n.unsupported(n.node.kind + " in training mode");
  if (xType.getRank() != 3)
    return n.unsupported(n.node.kind + " of unbatched input");
  const Item &params = n.item(2);
  if (params.kind != Item::Kind::List)
    return n.error("the weights must be a list of tensors");
  int64_t dirs = *bidirectional ? 2 : 1, perCell = *hasBiases ? 4 : 2;
  if ((int64_t)params.list.size() != *layers * dirs * perCell)
    return n.error("expected " + Twine(*layers * dirs * perCell) + " weights, got " +
                   Twine(params.list.size()));
  for (const Item &p : params.list)
    if (p.kind != Item::Kind::Tensor)
      return n.error("the weights must be a list of tensors");
  // Initial states: [layers * dirs, B, H].
  Value h0, c0;
  if (isLSTM) {
    const Item &hx = n.item(1);
    if (hx.kind != Item::Kind::List || hx.list.size() != 2 ||
        hx.list[0].kind != Item::Kind::Tensor || hx.list[1].kind != Item::Kind::Tensor)
      return n.error("hx must be a list of two tensors");
    h0 = hx.list[0].tensor;
    c0 = hx.list[1].tensor;
  } else {
    h0 = n.tensor(1);
    if (!h0)
      return failure();
  }
  Value x = n.tensor(0);
  if (*batchFirst)
    x = n.create<TransposeOp>(x, n.builder.getDenseI64ArrayAttr({1, 0, 2}));
  auto seqType = cast<RankedTensorType>(x.getType());
  int64_t steps = seqType.getDimSize(0), batch = seqType.getDimSize(1);
  int64_t hidden = cast<RankedTensorType>(h0.getType()).getDimSize(2);
  int64_t gates = isLSTM ? 4 : 3;
  Unroller u(n, hidden);

  SmallVector<Value> finalH, finalC;
  for (int64_t layer = 0; layer < *layers; ++layer) {
    int64_t features = cast<RankedTensorType>(x.getType()).getDimSize(2);
    Value flat = n.reshape(x, {steps * batch, features});
    SmallVector<Value> directionOutputs;
    for (int64_t dir = 0; dir < dirs; ++dir) {
      int64_t base = (layer * dirs + dir) * perCell;
      Value wIh = params.list[base].tensor, wHh = params.list[base + 1].tensor;
      Value bIh = *hasBiases ? params.list[base + 2].tensor : Value();
      Value bHh = *hasBiases ? params.list[base + 3].tensor : Value();
      Value xw = n.create<MatmulOp>(flat, u.transposed(wIh));
      if (bIh)
        xw = u.add(xw, bIh);
      xw = n.reshape(xw, {steps, batch, gates * hidden});
      Value wHhT = u.transposed(wHh);
      int64_t cell = layer * dirs + dir;
      Value h = n.reshape(u.slice(h0, {cell, 0, 0}, {1, batch, hidden}), {batch, hidden});
      Value c = isLSTM ? n.reshape(u.slice(c0, {cell, 0, 0}, {1, batch, hidden}), {batch, hidden})
                       : Value();
      SmallVector<Value> outputs(steps);
      for (int64_t i = 0; i < steps; ++i) {
        int64_t t = dir == 0 ? i : steps - 1 - i;
        Value xt =
            n.reshape(u.slice(xw, {t, 0, 0}, {1, batch, gates * hidden}), {batch, gates * hidden});
        Value hw = n.create<MatmulOp>(h, wHhT);
        if (bHh)
          hw = u.add(hw, bHh);
        if (isLSTM) {
          Value all = u.add(xt, hw);
          Value in = u.sigmoid(u.gate(all, 0)), forget = u.sigmoid(u.gate(all, 1));
          Value cand = u.tanh(u.gate(all, 2)), out = u.sigmoid(u.gate(all, 3));
          c = u.add(u.mul(forget, c), u.mul(in, cand));
          h = u.mul(out, u.tanh(c));
        } else {
          Value reset = u.sigmoid(u.add(u.gate(xt, 0), u.gate(hw, 0)));
          Value update = u.sigmoid(u.add(u.gate(xt, 1), u.gate(hw, 1)));
          Value cand = u.tanh(u.add(u.gate(xt, 2), u.mul(reset, u.gate(hw, 2))));
          // h' = (1 - z) n + z h = n + z (h - n)
          h = u.add(cand, u.mul(update, n.create<SubOp>(h, cand)));
        }
        outputs[t] = n.reshape(h, {1, batch, hidden});
      }
      directionOutputs.push_back(
          steps == 1 ? outputs[0] : n.create<ConcatOp>(outputs, n.builder.getI64IntegerAttr(0)));
      finalH.push_back(n.reshape(h, {1, batch, hidden}));
      if (isLSTM)
        finalC.push_back(n.reshape(c, {1, batch, hidden}));
    }
    x = dirs == 1 ? directionOutputs[0]
                  : n.create<ConcatOp>(directionOutputs, n.builder.getI64IntegerAttr(2));
  }
  if (*batchFirst)
    x = n.create<TransposeOp>(x, n.builder.getDenseI64ArrayAttr({1, 0, 2}));
  auto stack = [&](SmallVector<Value> &parts) {
    return parts.size() == 1 ? parts[0] : n.create<ConcatOp>(parts, n.builder.getI64IntegerAttr(0));
  };
  n.setTensor(0, x);
  n.setTensor(1, stack(finalH));
  if (isLSTM)
    n.setTensor(2, stack(finalC));
  return success();
}

} // namespace

void registerAtenRecurrentOps(AtenRegistry &r) {
  r["aten::lstm"] = [](NodeImporter &n) { return recurrent(n, /*isLSTM=*/true); };
  r["aten::gru"] = [](NodeImporter &n) { return recurrent(n, /*isLSTM=*/false); };
}

} // namespace kiln::torchscript
