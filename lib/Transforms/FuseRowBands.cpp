//===- FuseRowBands.cpp - Band chains of int8 convolutions --------*- C++ -*-===//
//
// The kiln-fuse-row-bands pass. It finds the maximal chains of batch-1
// kiln.qconv2d ops (each the only reader of the one before), models the
// workspace each op needs, and wraps the segment of a chain and the band
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
    if (inPlace && q->hasOneUse() && q.getScale().size() == 1 &&
        isa<BlockArgument>(q.getInput()) && isa<QConv2DOp, QMatmulOp>(*q->user_begin()))
      return 0;
  return tensorBytes(v);
}

/// One convolution of a chain, as the model sees it.
struct Layer {
  QConv2DOp op;
  int64_t in, out; // workspace bytes of its input and result
  int64_t live;    // what it needs while it runs
  int64_t macs;    // multiply-accumulates
  int64_t height;  // result rows
  int64_t rowBytes;
  int64_t stride, extent; // row stride, rows one output row reads
  int64_t quantizedRowBytes; // an input row, where it is a model input quantized unstored
};

bool writesOverInput(QConv2DOp op) {
  auto in = op.getInput().getType(), out = op.getType();
  auto f = op.getFilter().getType();
  bool depthwise = (int64_t)op.getGroups() == in.getDimSize(1) &&
                   out.getDimSize(1) == in.getDimSize(1) &&
                   out.getDimSize(2) * out.getDimSize(3) <= in.getDimSize(2) * in.getDimSize(3);
  bool pointwise = op.getGroups() == 1 && f.getDimSize(2) == 1 && f.getDimSize(3) == 1 &&
                   in.getDimSize(2) == out.getDimSize(2) &&
                   in.getDimSize(3) == out.getDimSize(3) &&
                   llvm::all_of(op.getStrides(), [](int64_t v) { return v == 1; }) &&
                   llvm::all_of(op.getPads(), [](int64_t v) { return v == 0; });
  return depthwise || pointwise;
}

Layer describe(QConv2DOp op, bool inPlace) {
  Layer l;
  l.op = op;
  auto out = op.getType();
  auto f = op.getFilter().getType();
  l.in = storedBytes(op.getInput(), inPlace);
  l.out = tensorBytes(op.getResult());
  l.live = inPlace && l.in > 0 && writesOverInput(op) ? std::max(l.in, l.out) : l.in + l.out;
  l.macs = out.getNumElements() * f.getDimSize(1) * f.getDimSize(2) * f.getDimSize(3);
  l.height = out.getDimSize(2);
  l.rowBytes = out.getDimSize(1) * out.getDimSize(3);
  l.stride = op.getStrides()[0];
  l.extent = (f.getDimSize(2) - 1) * op.getDilations()[0] + 1;
  auto in = op.getInput().getType();
  l.quantizedRowBytes = l.in == 0 && op.getInput().getDefiningOp<QuantizeOp>()
                            ? in.getDimSize(1) * in.getDimSize(3)
                            : 0;
  return l;
}

/// Whether `op` can join a band chain.
bool bandable(Operation *op) {
  auto conv = dyn_cast_or_null<QConv2DOp>(op);
  return conv && conv.getInput().getType().getDimSize(0) == 1;
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
  int64_t bytes = chain[first].in + end.out;
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
    // Maximal chains, and what the rest of the function needs at most.
    SmallVector<SmallVector<Layer>> chains;
    int64_t others = 0, totalMacs = 0;
    func.walk([&](Operation *op) {
      if (bandable(op)) {
        auto conv = cast<QConv2DOp>(op);
        totalMacs += describe(conv, inPlaceKernels).macs;
        Operation *producer = conv.getInput().getDefiningOp();
        if (bandable(producer) && producer->getResult(0).hasOneUse())
          return; // inside a chain that starts higher up
        SmallVector<Layer> chain = {describe(conv, inPlaceKernels)};
        while (conv->getResult(0).hasOneUse()) {
          auto next = dyn_cast<QConv2DOp>(*conv->user_begin());
          if (!next || !bandable(next) || next.getInput() != conv.getResult())
            break;
          conv = next;
          chain.push_back(describe(conv, inPlaceKernels));
        }
        chains.push_back(std::move(chain));
        return;
      }
      if (auto mm = dyn_cast<QMatmulOp>(op))
        totalMacs += mm.getType().getNumElements() * mm.getLhs().getType().getDimSize(1);
      if (op->getNumResults() == 0 || isa<ConstantOp>(op) || op == func)
        return;
      int64_t need = 0;
      for (Value v : op->getOperands())
        need += storedBytes(v, inPlaceKernels);
      for (Value v : op->getResults())
        need += storedBytes(v, inPlaceKernels);
      others = std::max(others, need);
    });

    SmallVector<int64_t> chainPeak;
    for (auto &chain : chains) {
      int64_t peak = 0;
      for (const Layer &l : chain)
        peak = std::max(peak, l.live);
      chainPeak.push_back(peak);
    }
    int64_t budget = (int64_t)(maxRecompute * (double)totalMacs);
    for (size_t c = 0; c < chains.size(); ++c) {
      int64_t floor = others;
      for (size_t o = 0; o < chains.size(); ++o)
        if (o != c)
          floor = std::max(floor, chainPeak[o]);
      if (chainPeak[c] <= floor || chains[c].size() < 2)
        continue;
      if (auto best = choose(chains[c], floor, budget)) {
        chainPeak[c] = best->peak;
        budget -= best->extraMacs;
        wrap(chains[c], *best);
      }
    }
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
    QConv2DOp head = chain[banding.first].op, tail = chain[banding.last].op;
    OpBuilder b(tail);
    b.setInsertionPointAfter(tail);
    auto bands = RowBandsOp::create(b, tail.getLoc(), tail.getType(), head.getInput(),
                                    b.getI64IntegerAttr(banding.rows));
    Block *body = b.createBlock(&bands.getBody(), {}, {head.getInput().getType()},
                                {head.getLoc()});
    tail.getResult().replaceAllUsesWith(bands.getResult());
    for (size_t k = banding.first; k <= banding.last; ++k)
      chain[k].op->moveBefore(body, body->end());
    head.getInputMutable().assign(body->getArgument(0));
    b.setInsertionPointToEnd(body);
    YieldOp::create(b, tail.getLoc(), tail.getResult());
  }
};

} // namespace
} // namespace kiln
