//===- RecurrentOps.cpp - ONNX RNN, GRU and LSTM to kiln --------*- C++ -*-===//
//
// Recurrent layers are unrolled over their static sequence length. The
// input projections of all time steps are one matmul per direction; each
// step then multiplies the previous hidden state by R^T and applies the
// gate equations of the ONNX specification. Directions forward, reverse
// and bidirectional; bias, initial states, peepholes (LSTM), clip,
// input_forget (LSTM), linear_before_reset (GRU), the activation lists,
// layout 0 and 1, and sequence_lens (steps past a batch entry's length
// keep its state and output zeros; the masks are constants when the
// lengths are, comparisons otherwise).
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "kiln/Import/Decompositions.h"

using namespace mlir;

namespace kiln::onnx_import {
namespace {

enum class Cell { RNN, GRU, LSTM };

/// One activation of the `activations` attribute with its alpha and beta.
struct Activation {
  std::string name;
  float alpha = 0, beta = 0;
};

class RecurrentImporter {
public:
  RecurrentImporter(NodeImporter &n, Cell cell) : n(n), cell(cell) {}

  LogicalResult run();

private:
  int64_t gates() const { return cell == Cell::RNN ? 1 : cell == Cell::GRU ? 3 : 4; }
  Type elt() { return n.inputType(0).getElementType(); }
  Value constant(double v) { return n.scalarConstant(elt(), v); }

  Value slice(Value v, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
    SmallVector<int64_t> strides(sizes.size(), 1);
    return n.create<SliceOp>(v, n.builder.getDenseI64ArrayAttr(offsets),
                             n.builder.getDenseI64ArrayAttr(sizes),
                             n.builder.getDenseI64ArrayAttr(strides));
  }
  /// Columns [k * hidden, (k + 1) * hidden) of a [batch, G * hidden] value.
  Value gate(Value v, int64_t k) { return slice(v, {0, k * hidden}, {batch, hidden}); }
  Value transpose2D(Value v) {
    return n.create<TransposeOp>(v, n.builder.getDenseI64ArrayAttr({1, 0}));
  }
  Value apply(const Activation &a, Value x);
  Value clipped(Value x) {
    if (clip <= 0)
      return x;
    return n.create<ClampOp>(x, n.builder.getF64FloatAttr(-clip), n.builder.getF64FloatAttr(clip));
  }
  /// Input `i`'s slice for direction `d`, dropping the direction axis.
  Value perDirection(unsigned i, int64_t d);
  LogicalResult direction(int64_t d, SmallVectorImpl<Value> &ys, Value &lastH, Value &lastC);

  NodeImporter &n;
  Cell cell;
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, directions = 1;
  bool reverseOnly = false, layout1 = false;
  float clip = 0;
  SmallVector<Activation> activations;
  Value x; ///< [seq, batch, input]
  std::optional<SmallVector<int64_t>> lengths;
  Value runtimeLengths; ///< [batch, 1], when sequence_lens is not a constant
};

Value RecurrentImporter::apply(const Activation &a, Value v) {
  v = clipped(v);
  StringRef name = a.name;
  if (name == "Sigmoid")
    return n.create<SigmoidOp>(v);
  if (name == "Tanh")
    return n.create<TanhOp>(v);
  if (name == "Relu")
    return n.create<ReluOp>(v);
  if (name == "LeakyRelu")
    return n.create<LeakyReluOp>(v, n.builder.getF64FloatAttr(a.alpha));
  if (name == "HardSigmoid")
    return buildHardSigmoid(n, v, a.alpha, a.beta);
  if (name == "Affine")
    return n.create<AddOp>(n.create<MulOp>(v, constant(a.alpha)), constant(a.beta));
  if (name == "ScaledTanh")
    return n.create<MulOp>(n.create<TanhOp>(n.create<MulOp>(v, constant(a.beta))),
                           constant(a.alpha));
  if (name == "Softsign")
    return n.create<DivOp>(v, n.create<AddOp>(n.create<AbsOp>(v), constant(1)));
  llvm_unreachable("activation checked in run()");
}

Value RecurrentImporter::perDirection(unsigned i, int64_t d) {
  RankedTensorType type = n.inputType(i);
  SmallVector<int64_t> offsets(type.getRank(), 0), sizes(type.getShape());
  offsets[0] = d;
  sizes[0] = 1;
  return n.reshape(slice(n.input(i), offsets, sizes), type.getShape().drop_front());
}

LogicalResult RecurrentImporter::direction(int64_t d, SmallVectorImpl<Value> &ys, Value &lastH,
                                           Value &lastC) {
  int64_t g = gates();
  bool reverse = reverseOnly || d == 1;
  ArrayRef<Activation> acts(activations);
  size_t perDir = cell == Cell::RNN ? 1 : cell == Cell::GRU ? 2 : 3;
  acts = acts.slice(d * perDir, perDir);

  // Input projections of every step at once: [seq * batch, G * hidden].
  Value wT = transpose2D(perDirection(1, d));
  Value rT = transpose2D(perDirection(2, d));
  Value xw = n.create<MatmulOp>(n.reshape(x, {seq * batch, input}), wT);
  Value wb, rb;
  if (n.hasInput(3)) {
    Value b = perDirection(3, d); // [2 * G * hidden]
    wb = slice(b, {0}, {g * hidden});
    rb = slice(b, {g * hidden}, {g * hidden});
    xw = n.create<AddOp>(xw, wb);
  }
  xw = n.reshape(xw, {seq, batch, g * hidden});

  Value zeros = n.create<BroadcastOp>(RankedTensorType::get({batch, hidden}, elt()), constant(0));
  Value h = n.hasInput(5) ? perDirection(5, d) : zeros;
  Value c;
  if (cell == Cell::LSTM)
    c = n.hasInput(6) ? perDirection(6, d) : zeros;
  Value pi, po, pf;
  if (cell == Cell::LSTM && n.hasInput(7)) {
    Value p = perDirection(7, d); // [3 * hidden]: i, o, f
    pi = slice(p, {0}, {hidden});
    po = slice(p, {hidden}, {hidden});
    pf = slice(p, {2 * hidden}, {hidden});
  }
  bool linearBeforeReset = n.intAttr("linear_before_reset", 0) != 0;
  bool inputForget = n.intAttr("input_forget", 0) != 0;

  ys.assign(seq, Value());
  for (int64_t step = 0; step < seq; ++step) {
    int64_t t = reverse ? seq - 1 - step : step;
    Value xt = n.reshape(slice(xw, {t, 0, 0}, {1, batch, g * hidden}), {batch, g * hidden});
    Value hr = n.create<MatmulOp>(h, rT);
    if (rb)
      hr = n.create<AddOp>(hr, rb);
    Value newH, newC;
    switch (cell) {
    case Cell::RNN:
      newH = apply(acts[0], n.create<AddOp>(xt, hr));
      break;
    case Cell::GRU: {
      // W, R and B hold the gates in the order z, r, h.
      Value z = apply(acts[0], n.create<AddOp>(gate(xt, 0), gate(hr, 0)));
      Value r = apply(acts[0], n.create<AddOp>(gate(xt, 1), gate(hr, 1)));
      Value candidate;
      if (linearBeforeReset) {
        candidate = n.create<AddOp>(gate(xt, 2), n.create<MulOp>(r, gate(hr, 2)));
      } else {
        Value rh = n.create<MulOp>(r, h);
        Value rhR = n.create<MatmulOp>(rh, slice(rT, {0, 2 * hidden}, {hidden, hidden}));
        if (rb)
          rhR = n.create<AddOp>(rhR, slice(rb, {2 * hidden}, {hidden}));
        candidate = n.create<AddOp>(gate(xt, 2), rhR);
      }
      Value hTilde = apply(acts[1], candidate);
      // (1 - z) * h~ + z * h
      newH = n.create<AddOp>(n.create<MulOp>(n.create<SubOp>(constant(1), z), hTilde),
                             n.create<MulOp>(z, h));
      break;
    }
    case Cell::LSTM: {
      // W, R and B hold the gates in the order i, o, f, c.
      Value iPre = n.create<AddOp>(gate(xt, 0), gate(hr, 0));
      Value fPre = n.create<AddOp>(gate(xt, 2), gate(hr, 2));
      if (pi) {
        iPre = n.create<AddOp>(iPre, n.create<MulOp>(pi, c));
        fPre = n.create<AddOp>(fPre, n.create<MulOp>(pf, c));
      }
      Value i = apply(acts[0], iPre);
      Value f = inputForget ? n.create<SubOp>(constant(1), i) : apply(acts[0], fPre);
      Value cTilde = apply(acts[1], n.create<AddOp>(gate(xt, 3), gate(hr, 3)));
      newC = n.create<AddOp>(n.create<MulOp>(f, c), n.create<MulOp>(i, cTilde));
      Value oPre = n.create<AddOp>(gate(xt, 1), gate(hr, 1));
      if (po)
        oPre = n.create<AddOp>(oPre, n.create<MulOp>(po, newC));
      Value o = apply(acts[0], oPre);
      newH = n.create<MulOp>(o, apply(acts[2], newC));
      break;
    }
    }
    Value y = newH;
    // Batch entries whose sequence has ended keep their state and emit 0.
    Value mask;
    if (lengths) {
      SmallVector<bool> live;
      for (int64_t len : *lengths)
        live.push_back(t < len);
      if (!llvm::all_of(live, [](bool b) { return b; })) {
        auto maskType = RankedTensorType::get({batch, 1}, n.builder.getI1Type());
        mask = ConstantOp::create(n.builder, n.loc,
                                  DenseElementsAttr::get(maskType, ArrayRef<bool>(live)));
      }
    } else if (runtimeLengths) {
      Type lenType = cast<RankedTensorType>(runtimeLengths.getType()).getElementType();
      mask = n.create<LessOp>(n.scalarConstant(lenType, t), runtimeLengths);
    }
    if (mask) {
      newH = n.create<SelectOp>(mask, newH, h);
      if (newC)
        newC = n.create<SelectOp>(mask, newC, c);
      y = n.create<SelectOp>(mask, y, zeros);
    }
    h = newH;
    if (newC)
      c = newC;
    ys[t] = y;
  }
  lastH = h;
  lastC = c;
  return success();
}

LogicalResult RecurrentImporter::run() {
  StringRef op = n.node.op_type();
  RankedTensorType xType = n.inputType(0);
  if (!isa<FloatType>(xType.getElementType()))
    return n.unsupported("element type " + op + " on non-float input");
  if (xType.getRank() != 3)
    return n.error("X must have rank 3");
  layout1 = n.intAttr("layout", 0) != 0;
  seq = xType.getDimSize(layout1 ? 1 : 0);
  batch = xType.getDimSize(layout1 ? 0 : 1);
  input = xType.getDimSize(2);
  hidden = n.intAttr("hidden_size", 0);
  std::string dir = n.stringAttr("direction", "forward");
  if (dir == "bidirectional")
    directions = 2;
  else if (dir == "reverse")
    reverseOnly = true;
  else if (dir != "forward")
    return n.error("unknown direction '" + dir + "'");
  RankedTensorType wType = n.inputType(1);
  if (hidden <= 0 && wType.getRank() == 3)
    hidden = wType.getDimSize(1) / gates();
  if (wType.getShape() != ArrayRef<int64_t>{directions, gates() * hidden, input} ||
      n.inputType(2).getShape() != ArrayRef<int64_t>{directions, gates() * hidden, hidden})
    return n.error("W or R does not match direction, hidden_size and the input size");
  if (seq == 0 || batch == 0)
    return n.unsupported(op + " over an empty sequence or batch");
  clip = n.attr("clip") ? n.floatAttr("clip", 0) : 0;

  // Activations: the op's defaults, one list per direction.
  SmallVector<StringRef> defaults = cell == Cell::RNN ? SmallVector<StringRef>{"Tanh"}
                                    : cell == Cell::GRU
                                        ? SmallVector<StringRef>{"Sigmoid", "Tanh"}
                                        : SmallVector<StringRef>{"Sigmoid", "Tanh", "Tanh"};
  const onnx::AttributeProto *names = n.attr("activations");
  const onnx::AttributeProto *alphas = n.attr("activation_alpha");
  const onnx::AttributeProto *betas = n.attr("activation_beta");
  size_t count = defaults.size() * directions;
  if (names && (size_t)names->strings_size() != count)
    return n.error("activations lists " + Twine(names->strings_size()) + " functions, " + op +
                   " with " + Twine(directions) + " direction(s) needs " + Twine(count));
  size_t parametric = 0;
  for (size_t i = 0; i < count; ++i) {
    Activation a;
    a.name = names ? names->strings(i) : defaults[i % defaults.size()].str();
    static const llvm::StringMap<std::pair<float, float>> known = {{"Sigmoid", {0, 0}},
                                                                   {"Tanh", {0, 0}},
                                                                   {"Relu", {0, 0}},
                                                                   {"LeakyRelu", {0.01f, 0}},
                                                                   {"HardSigmoid", {0.2f, 0.5f}},
                                                                   {"Affine", {1, 0}},
                                                                   {"ScaledTanh", {1, 1}},
                                                                   {"Softsign", {0, 0}}};
    auto it = known.find(a.name);
    if (it == known.end())
      return n.unsupported(op + " activation '" + a.name + "'");
    a.alpha = it->second.first;
    a.beta = it->second.second;
    bool takesAlpha = a.name == "LeakyRelu" || a.name == "HardSigmoid" || a.name == "Affine" ||
                      a.name == "ScaledTanh";
    if (takesAlpha) {
      if (alphas && (int)parametric < alphas->floats_size())
        a.alpha = alphas->floats(parametric);
      if (betas && (int)parametric < betas->floats_size())
        a.beta = betas->floats(parametric);
      ++parametric;
    }
    activations.push_back(a);
  }

  if (n.hasInput(4)) {
    lengths = n.constantInts(4);
    if (!lengths) {
      // Known only at run time: each step compares its index with them.
      if (n.inputType(4).getShape() != ArrayRef<int64_t>{batch} ||
          !n.inputType(4).getElementType().isSignlessInteger())
        return n.error("sequence_lens must be an integer tensor of shape [batch]");
      runtimeLengths = n.reshape(n.input(4), {batch, 1});
    } else if ((int64_t)lengths->size() != batch)
      return n.error("sequence_lens has " + Twine(lengths->size()) + " entries for batch " +
                     Twine(batch));
    for (int64_t len : lengths ? *lengths : SmallVector<int64_t>{})
      if (len < 0 || len > seq)
        return n.error("sequence length " + Twine(len) + " is outside [0, " + Twine(seq) + "]");
  }
  for (unsigned i : {5u, 6u})
    if (n.hasInput(i) && layout1 && n.inputType(i).getRank() == 3)
      return n.unsupported(op + " initial states with layout = 1");

  x = n.input(0);
  if (layout1)
    x = n.create<TransposeOp>(x, n.builder.getDenseI64ArrayAttr({1, 0, 2}));

  SmallVector<Value> ysPerDir, hs, cs;
  for (int64_t d = 0; d < directions; ++d) {
    SmallVector<Value> ys;
    Value h, c;
    if (failed(direction(d, ys, h, c)))
      return failure();
    // Y for this direction: [seq, 1, batch, hidden].
    SmallVector<Value> steps;
    for (Value y : ys)
      steps.push_back(n.reshape(y, {1, 1, batch, hidden}));
    ysPerDir.push_back(
        steps.size() == 1 ? steps[0] : n.create<ConcatOp>(steps, n.builder.getI64IntegerAttr(0)));
    hs.push_back(n.reshape(h, {1, batch, hidden}));
    if (c)
      cs.push_back(n.reshape(c, {1, batch, hidden}));
  }
  auto concat = [&](SmallVector<Value> &vs, int64_t axis) {
    return vs.size() == 1 ? vs[0] : n.create<ConcatOp>(vs, n.builder.getI64IntegerAttr(axis));
  };
  Value y = concat(ysPerDir, 1); // [seq, dirs, batch, hidden]
  Value yh = concat(hs, 0);      // [dirs, batch, hidden]
  Value yc = cs.empty() ? Value() : concat(cs, 0);
  if (layout1) {
    y = n.create<TransposeOp>(y, n.builder.getDenseI64ArrayAttr({2, 0, 1, 3}));
    yh = n.create<TransposeOp>(yh, n.builder.getDenseI64ArrayAttr({1, 0, 2}));
    if (yc)
      yc = n.create<TransposeOp>(yc, n.builder.getDenseI64ArrayAttr({1, 0, 2}));
  }
  n.setResult(0, y);
  n.setResult(1, yh);
  if (cell == Cell::LSTM)
    n.setResult(2, yc);
  return success();
}

} // namespace

void registerRecurrentOps(OpRegistry &r) {
  r["RNN"] = [](NodeImporter &n) { return RecurrentImporter(n, Cell::RNN).run(); };
  r["GRU"] = [](NodeImporter &n) { return RecurrentImporter(n, Cell::GRU).run(); };
  r["LSTM"] = [](NodeImporter &n) { return RecurrentImporter(n, Cell::LSTM).run(); };
}

} // namespace kiln::onnx_import
