//===- FuseRowBands.cpp - Band chains of int8 convolutions --------*- C++ -*-===//
//
// The kiln-fuse-row-bands pass. It finds the maximal chains of batch-1
// stages (a kiln.qconv2d, or a kiln.conv2d with its bias add and
// activation; each the only reader of the one before), models the
// workspace each needs, and round by round wraps the segment and band
// height that lower the function's peak the most, within the
// recomputation budget, into a kiln.row_bands op.
//
//===----------------------------------------------------------------------===//

#include "kiln/IR/KilnOps.h"
#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln {
#define GEN_PASS_DEF_FUSEROWBANDSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

int64_t tensorBytes(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  return type.getNumElements() * std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
}

/// The workspace bytes a value takes while it is live: none for model
/// inputs, constants (weights stay in their section) and, with in-place
/// kernels, the per-tensor quantize of a model input that its one kernel
/// reads unstored.
int64_t storedBytes(Value v, bool inPlace) {
  if (isa<BlockArgument>(v) || v.getDefiningOp<ConstantOp>())
    return 0;
  if (auto q = v.getDefiningOp<QuantizeOp>())
    if (inPlace && q->hasOneUse() && q.getScale().size() == 1 && isa<BlockArgument>(q.getInput()) &&
        isa<QConv2DOp, QMatmulOp>(*q->user_begin()))
      return 0;
  return tensorBytes(v);
}

/// One stage of a chain: a convolution and, after a float one, its bias
/// add, relu or clamp; and what the model needs to know of it.
struct Layer {
  SmallVector<Operation *> ops;
  int64_t in, out;  // workspace bytes of its input and result
  int64_t paddedIn; // its input as the unbanded kernel reads it
  int64_t live;     // what it needs while it runs
  int64_t macs;     // multiply-accumulates
  int64_t height;   // result rows
  int64_t rowBytes;
  int64_t stride, extent;    // row stride, rows one output row reads
  int64_t quantizedRowBytes; // an input row, where it is a model input quantized unstored
  Value result() const { return ops.back()->getResult(0); }
};

/// The window of a kiln.qconv2d or kiln.conv2d.
struct Window {
  ArrayRef<int64_t> strides, dilations, pads;
  int64_t groups;
  RankedTensorType input, filter, output;
};

std::optional<Window> windowOf(Operation *op) {
  if (auto q = dyn_cast_or_null<QConv2DOp>(op))
    return Window{
        q.getStrides(),         q.getDilations(),        q.getPads(), (int64_t)q.getGroups(),
        q.getInput().getType(), q.getFilter().getType(), q.getType()};
  if (auto c = dyn_cast_or_null<Conv2DOp>(op))
    if (c.getType().getElementType().isF32())
      return Window{
          c.getStrides(),         c.getDilations(),        c.getPads(), (int64_t)c.getGroups(),
          c.getInput().getType(), c.getFilter().getType(), c.getType()};
  return std::nullopt;
}

/// Whether `op` can start a stage: a batch-1 int8 or f32 convolution.
bool bandable(Operation *op) {
  auto w = windowOf(op);
  return w && w->input.getRank() == 4 && w->input.getDimSize(0) == 1;
}

bool writesOverInput(const Window &w) {
  bool depthwise = w.groups == w.input.getDimSize(1) &&
                   w.output.getDimSize(1) == w.input.getDimSize(1) &&
                   w.output.getDimSize(2) * w.output.getDimSize(3) <=
                       w.input.getDimSize(2) * w.input.getDimSize(3);
  bool pointwise = w.groups == 1 && w.filter.getDimSize(2) == 1 && w.filter.getDimSize(3) == 1 &&
                   w.input.getDimSize(2) == w.output.getDimSize(2) &&
                   w.input.getDimSize(3) == w.output.getDimSize(3) &&
                   llvm::all_of(w.strides, [](int64_t v) { return v == 1; }) &&
                   llvm::all_of(w.pads, [](int64_t v) { return v == 0; });
  return depthwise || pointwise;
}

/// The bytes of a float convolution's input as it reads it: a padded
/// buffer where it pads (the producer writes into its interior in place;
/// a model input is copied there), but for the grouped convolutions that
/// read small planes unpadded.
int64_t paddedInputBytes(const Window &w, Value input, int64_t stored, bool inPlace) {
  ArrayRef<int64_t> p = w.pads;
  if (llvm::all_of(p, [](int64_t v) { return v == 0; }))
    return stored;
  int64_t h = w.input.getDimSize(2), wd = w.input.getDimSize(3);
  int64_t padded = (h + p[0] + p[2]) * (wd + p[1] + p[3]);
  if (inPlace && w.groups > 1 && 4 * (padded - h * wd) >= h * wd)
    return stored;
  return tensorBytes(input) / (h * wd) * padded;
}

/// A float convolution's epilogue op after `v`: a per-channel constant bias
/// add, a relu or a clamp that is `v`'s only user.
Operation *epilogueAfter(Value v) {
  if (!v.hasOneUse())
    return nullptr;
  Operation *user = *v.user_begin();
  if (isa<ReluOp, ClampOp>(user))
    return user;
  auto add = dyn_cast<AddOp>(user);
  if (!add || add.getType() != v.getType())
    return nullptr;
  Value bias = add.getLhs() == v ? add.getRhs() : add.getLhs();
  auto type = cast<RankedTensorType>(v.getType());
  auto biasType = dyn_cast<RankedTensorType>(bias.getType());
  if (!bias.getDefiningOp<ConstantOp>() || !biasType || biasType.getRank() < 3 ||
      biasType.getRank() > 4 || biasType.getNumElements() != type.getDimSize(1) ||
      biasType.getShape()[biasType.getRank() - 3] != type.getDimSize(1))
    return nullptr;
  return add;
}

/// The stage `conv` starts.
Layer describe(Operation *conv, bool inPlace) {
  Window w = *windowOf(conv);
  Layer l;
  l.ops = {conv};
  if (isa<Conv2DOp>(conv))
    while (Operation *e = epilogueAfter(l.result()))
      l.ops.push_back(e);
  Value input = conv->getOperand(0);
  int64_t elt = std::max<int64_t>(1, w.output.getElementTypeBitWidth() / 8);
  l.in = storedBytes(input, inPlace);
  l.out = tensorBytes(l.result());
  if (isa<QConv2DOp>(conv)) {
    l.paddedIn = l.in;
    l.live = inPlace && l.in > 0 && writesOverInput(w) ? std::max(l.in, l.out) : l.in + l.out;
  } else {
    l.paddedIn = paddedInputBytes(w, input, l.in, inPlace);
    l.live = l.paddedIn + l.out; // finishLiveness adds the next stage's padding
  }
  l.macs = w.output.getNumElements() * w.filter.getDimSize(1) * w.filter.getDimSize(2) *
           w.filter.getDimSize(3);
  l.height = w.output.getDimSize(2);
  l.rowBytes = w.output.getDimSize(1) * w.output.getDimSize(3) * elt;
  l.stride = w.strides[0];
  l.extent = (w.filter.getDimSize(2) - 1) * w.dilations[0] + 1;
  l.quantizedRowBytes = isa<QConv2DOp>(conv) && l.in == 0 && input.getDefiningOp<QuantizeOp>()
                            ? w.input.getDimSize(1) * w.input.getDimSize(3)
                            : 0;
  return l;
}

/// The bytes of chain[k]'s result: a float one is written into the padded
/// buffer the next stage reads, where it pads.
int64_t resultBytes(ArrayRef<Layer> chain, size_t k) {
  if (k + 1 < chain.size() && isa<Conv2DOp>(chain[k + 1].ops.front()))
    return std::max(chain[k].out, chain[k + 1].paddedIn);
  return chain[k].out;
}

/// Float stages need their padded input and their result, which is the
/// next stage's padded input where that one pads.
void finishLiveness(MutableArrayRef<Layer> chain) {
  for (size_t k = 0; k < chain.size(); ++k)
    if (isa<Conv2DOp>(chain[k].ops.front()))
      chain[k].live = chain[k].paddedIn + resultBytes(chain, k);
}

/// A banded segment [first, last] of a chain with bands of `rows` rows.
struct Banding {
  size_t first = 0, last = 0;
  int64_t rows = 0;
  int64_t peak = 0; // the chain's peak with it
  int64_t extraMacs = 0;
};

/// The segment's workspace (input, result, one band per intermediate and
/// one of a model input it quantizes)
/// and the multiply-accumulates its bands add.
std::pair<int64_t, int64_t> evaluate(ArrayRef<Layer> chain, size_t first, size_t last,
                                     int64_t rows) {
  const Layer &end = chain[last];
  int64_t bands = (end.height + rows - 1) / rows;
  int64_t bytes = chain[first].in + resultBytes(chain, last);
  int64_t extra = bands * rows * end.macs / end.height - end.macs;
  int64_t need = rows; // rows of chain[k] one band reads
  for (size_t k = last; k > first; --k) {
    need = (need - 1) * chain[k].stride + chain[k].extent;
    const Layer &l = chain[k - 1];
    bytes += need * l.rowBytes;
    extra += bands * need * (l.macs / l.height) - l.macs;
  }
  // Banded, such an input is quantized a band at a time.
  const Layer &head = chain[first];
  bytes += ((need - 1) * head.stride + head.extent) * head.quantizedRowBytes;
  return {bytes, extra};
}

struct FuseRowBandsPass : impl::FuseRowBandsPassBase<FuseRowBandsPass> {
  using FuseRowBandsPassBase::FuseRowBandsPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // Maximal chains of stages, each the only reader of the one before,
    // and what the rest of the function needs at most.
    SmallVector<SmallVector<Layer>> chains;
    DenseSet<Operation *> inChain;
    int64_t totalMacs = 0;
    for (Operation &op : func.getBody().front()) {
      if (!bandable(&op) || inChain.contains(&op))
        continue;
      SmallVector<Layer> chain = {describe(&op, inPlaceKernels)};
      while (chain.back().result().hasOneUse()) {
        Operation *next = *chain.back().result().user_begin();
        if (!bandable(next) || next->getOperand(0) != chain.back().result())
          break;
        chain.push_back(describe(next, inPlaceKernels));
      }
      finishLiveness(chain);
      for (const Layer &l : chain) {
        inChain.insert(l.ops.begin(), l.ops.end());
        totalMacs += l.macs;
      }
      chains.push_back(std::move(chain));
    }
    int64_t others = 0;
    func.walk([&](Operation *op) {
      if (auto mm = dyn_cast<QMatmulOp>(op))
        totalMacs += mm.getType().getNumElements() * mm.getLhs().getType().getDimSize(1);
      if (auto mm = dyn_cast<MatmulOp>(op))
        totalMacs += cast<RankedTensorType>(mm.getType()).getNumElements() *
                     mm.getLhs().getType().getShape().back();
      if (inChain.contains(op) || op->getNumResults() == 0 || isa<ConstantOp>(op) || op == func)
        return;
      int64_t need = 0;
      for (Value v : op->getOperands())
        need += storedBytes(v, inPlaceKernels);
      for (Value v : op->getResults())
        need += storedBytes(v, inPlaceKernels);
      others = std::max(others, need);
    });

    // Each round bands the segment that lowers the function's peak the
    // most: one of the chain that holds the peak. The chain's stages
    // before and after that segment stay candidates for later rounds; the
    // segment's own bytes join the rest of the function.
    int64_t budget = (int64_t)(maxRecompute * (double)totalMacs);
    while (!chains.empty()) {
      size_t c = 0;
      for (size_t o = 1; o < chains.size(); ++o)
        if (peakOf(chains[o]) > peakOf(chains[c]))
          c = o;
      int64_t floor = others;
      for (size_t o = 0; o < chains.size(); ++o)
        if (o != c)
          floor = std::max(floor, peakOf(chains[o]));
      if (peakOf(chains[c]) <= floor)
        break;
      std::optional<Banding> best = choose(chains[c], floor, budget);
      if (!best)
        break;
      budget -= best->extraMacs;
      others = std::max(others, evaluate(chains[c], best->first, best->last, best->rows).first);
      wrap(chains[c], *best);
      SmallVector<Layer> before(chains[c].begin(), chains[c].begin() + best->first);
      SmallVector<Layer> after(chains[c].begin() + best->last + 1, chains[c].end());
      chains.erase(chains.begin() + c);
      for (SmallVector<Layer> *part : {&before, &after})
        if (!part->empty()) {
          finishLiveness(*part);
          chains.push_back(std::move(*part));
        }
    }
  }

  static int64_t peakOf(ArrayRef<Layer> chain) {
    int64_t peak = 0;
    for (const Layer &l : chain)
      peak = std::max(peak, l.live);
    return peak;
  }

  /// The banding that lowers max(chain's peak, floor) the most within
  /// `budget` extra multiply-accumulates, then adds the fewest.
  std::optional<Banding> choose(ArrayRef<Layer> chain, int64_t floor, int64_t budget) {
    int64_t unbanded = 0;
    for (const Layer &l : chain)
      unbanded = std::max(unbanded, l.live);
    std::optional<Banding> best;
    for (size_t first = 0; first < chain.size(); ++first) {
      for (size_t last = first + 1; last < chain.size(); ++last) {
        int64_t rest = floor;
        for (size_t k = 0; k < chain.size(); ++k)
          if (k < first || k > last)
            rest = std::max(rest, chain[k].live);
        for (int64_t rows = 1; rows < chain[last].height; ++rows) {
          auto [bytes, extra] = evaluate(chain, first, last, rows);
          int64_t peak = std::max(rest, bytes);
          if (extra > budget || peak >= std::max(unbanded, floor))
            continue;
          if (!best || peak < best->peak || (peak == best->peak && extra < best->extraMacs))
            best = Banding{first, last, rows, peak, extra};
        }
      }
    }
    return best;
  }

  /// Moves chain[first..last] into a kiln.row_bands op.
  void wrap(ArrayRef<Layer> chain, const Banding &banding) {
    Operation *head = chain[banding.first].ops.front();
    Operation *tail = chain[banding.last].ops.back();
    Value input = head->getOperand(0), result = tail->getResult(0);
    OpBuilder b(tail);
    b.setInsertionPointAfter(tail);
    auto bands = RowBandsOp::create(b, tail->getLoc(), result.getType(), input,
                                    b.getI64IntegerAttr(banding.rows));
    Block *body = b.createBlock(&bands.getBody(), {}, {input.getType()}, {head->getLoc()});
    result.replaceAllUsesWith(bands.getResult());
    for (size_t k = banding.first; k <= banding.last; ++k)
      for (Operation *op : chain[k].ops)
        op->moveBefore(body, body->end());
    head->setOperand(0, body->getArgument(0));
    b.setInsertionPointToEnd(body);
    YieldOp::create(b, tail->getLoc(), result);
  }
};

} // namespace
} // namespace kiln
