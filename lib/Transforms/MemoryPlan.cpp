//===- MemoryPlan.cpp - Static workspace planning ---------------*- C++ -*-===//
//
// The kiln-plan-memory pass: computes each buffer's live range in the
// straight-line body of a bufferized model function and packs all buffers
// into one workspace argument, so that the generated code allocates
// nothing. Placement is deterministic: it depends only on the IR. The plan
// itself is recorded on the function (kiln.memory_plan) for the memory
// report and the RAM budget.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"

#include <array>
#include <functional>
#include <numeric>

namespace kiln {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t begin = 0, end = 0; // positions of the first and last op using it
  int64_t bytes = 0;          // the tensor's own bytes
  int64_t size = 0;           // bytes, rounded up to the alignment
  int64_t offset = -1;
  int64_t over = -1; // the buffer this one is placed over (same offset)
  /// For a group of tied buffers packed as one: each member's (begin, end,
  /// size). The group needs only the bytes of the members live at a time.
  SmallVector<std::array<int64_t, 3>> extents;
};

/// The (begin, end, size) extents a buffer occupies: its members' for a
/// group, else its own.
SmallVector<std::array<int64_t, 3>> extentsOf(const Buffer &b) {
  if (!b.extents.empty())
    return b.extents;
  return {{b.begin, b.end, b.size}};
}

/// The model node a location names, and its op: `loc(fused<"onnx.Conv">
/// ["conv1"(...)])` gives {"conv1", "Conv"}.
std::pair<std::string, std::string> describeNode(Location loc) {
  std::string node, op;
  loc->walk([&](Location inner) {
    if (auto fused = dyn_cast<FusedLoc>(inner))
      if (auto kind = dyn_cast_or_null<StringAttr>(fused.getMetadata()); kind && op.empty()) {
        llvm::StringRef text = kind.getValue();
        size_t dot = text.find('.');
        op = (dot == llvm::StringRef::npos ? text : text.drop_front(dot + 1)).str();
      }
    if (auto named = dyn_cast<NameLoc>(inner); named && node.empty())
      node = named.getName().str();
    return node.empty() || op.empty() ? WalkResult::advance() : WalkResult::interrupt();
  });
  return {node, op};
}

/// Whether a top-level op does work of its own: the steps of the plan,
/// as opposed to constants, views and allocations.
bool isStep(Operation &op) {
  if (isa<memref::AllocOp, memref::DeallocOp, ViewLikeOpInterface, memref::CastOp, func::ReturnOp>(
          op))
    return false;
  return op.getNumRegions() > 0 || !isMemoryEffectFree(&op);
}

/// `kiln.memory_plan`: the steps in order (node and op of each) and every
/// buffer (node, op, offset, padded size, own bytes, first and last step).
DictionaryAttr recordPlan(MLIRContext *ctx, Block &body, ArrayRef<Buffer> buffers) {
  Builder b(ctx);
  SmallVector<Attribute> steps;
  SmallVector<int64_t> stepAt; // position -> step index at or before it
  SmallVector<bool> isStepAt;  // position -> whether the op there is a step
  int64_t step = -1;
  for (Operation &op : body) {
    isStepAt.push_back(isStep(op));
    if (isStepAt.back()) {
      ++step;
      auto [node, kind] = describeNode(op.getLoc());
      steps.push_back(b.getArrayAttr({b.getStringAttr(node), b.getStringAttr(kind)}));
    }
    stepAt.push_back(step);
  }
  SmallVector<Attribute> records;
  for (const Buffer &buffer : buffers) {
    auto [node, kind] = describeNode(buffer.alloc->getLoc());
    // A buffer lives from the first step that uses it (or the step after
    // its allocation, if none does) to the last.
    int64_t first = stepAt[buffer.begin] + (isStepAt[buffer.begin] ? 0 : 1);
    int64_t last = std::max(first, stepAt[buffer.end]);
    records.push_back(b.getDictionaryAttr({
        b.getNamedAttr("node", b.getStringAttr(node)),
        b.getNamedAttr("op", b.getStringAttr(kind)),
        b.getNamedAttr("offset", b.getI64IntegerAttr(buffer.offset)),
        b.getNamedAttr("size", b.getI64IntegerAttr(buffer.size)),
        b.getNamedAttr("bytes", b.getI64IntegerAttr(buffer.bytes)),
        b.getNamedAttr("first", b.getI64IntegerAttr(first)),
        b.getNamedAttr("last", b.getI64IntegerAttr(last)),
        b.getNamedAttr("over", b.getI64IntegerAttr(buffer.over)),
    }));
  }
  return b.getDictionaryAttr({b.getNamedAttr("steps", b.getArrayAttr(steps)),
                              b.getNamedAttr("buffers", b.getArrayAttr(records))});
}

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// The positions of the first and last top-level ops that use `root` or a
/// view of it (the allocation's own position where nothing does).
std::pair<int64_t, int64_t> useRange(Value root, Block &body,
                                     const DenseMap<Operation *, int64_t> &position) {
  int64_t first = INT64_MAX, last = position.lookup(root.getDefiningOp());
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      // Views are free: a buffer's life starts at the first op that
      // touches its memory.
      if (top && !isa<ViewLikeOpInterface, memref::CastOp>(top)) {
        first = std::min(first, position.lookup(top));
        last = std::max(last, position.lookup(top));
      }
      // Views alias the buffer: follow them.
      if (isa<ViewLikeOpInterface>(user) || isa<memref::CastOp>(user))
        for (Value result : user->getResults())
          if (isa<MemRefType>(result.getType()))
            worklist.push_back(result);
    }
  }
  if (first == INT64_MAX)
    first = position.lookup(root.getDefiningOp());
  return {std::min(first, last), last};
}

/// How many shuffled orders placeBuffers tries after the plain ones.
constexpr int kShuffledOrders = 256;

/// Places `order` greedily: each buffer at the lowest offset (first fit)
/// or in the smallest gap (best fit) that no buffer placed before it and
/// live at the same time occupies. Returns the offsets and the total.
int64_t packInOrder(ArrayRef<const Buffer *> order, bool bestFit,
                    DenseMap<const Buffer *, int64_t> &offsets) {
  int64_t total = 0;
  SmallVector<const Buffer *> placed;
  for (const Buffer *buffer : order) {
    if (!buffer->extents.empty()) {
      // A group: the lowest offset at which no member overlaps, in
      // addresses, a placed buffer live at the same time.
      auto fits = [&](int64_t offset) {
        for (auto [b0, e0, s0] : buffer->extents)
          for (const Buffer *other : placed)
            for (auto [b1, e1, s1] : extentsOf(*other))
              if (b1 <= e0 && b0 <= e1 && offsets[other] < offset + s0 &&
                  offset < offsets[other] + s1)
                return false;
        return true;
      };
      SmallVector<int64_t> candidates = {0};
      for (const Buffer *other : placed)
        for (auto [b1, e1, s1] : extentsOf(*other))
          candidates.push_back(offsets[other] + s1);
      llvm::sort(candidates);
      int64_t offset = *llvm::find_if(candidates, fits);
      offsets[buffer] = offset;
      total = std::max(total, offset + buffer->size);
      placed.push_back(buffer);
      continue;
    }
    // Address ranges taken by buffers live at the same time.
    SmallVector<std::pair<int64_t, int64_t>> taken;
    for (const Buffer *other : placed)
      for (auto [b1, e1, s1] : extentsOf(*other))
        if (b1 <= buffer->end && buffer->begin <= e1)
          taken.push_back({offsets[other], offsets[other] + s1});
    llvm::sort(taken);
    int64_t best = -1, bestGap = INT64_MAX, cursor = 0;
    for (auto [lo, hi] : taken) {
      if (lo - cursor >= buffer->size && lo - cursor < bestGap) {
        best = cursor;
        bestGap = lo - cursor;
        if (!bestFit)
          break;
      }
      cursor = std::max(cursor, hi);
    }
    int64_t offset = best >= 0 ? best : cursor;
    offsets[buffer] = offset;
    total = std::max(total, offset + buffer->size);
    placed.push_back(buffer);
  }
  return total;
}

/// Packs the buffers with several greedy orders and fits and keeps the
/// smallest plan (the first of equals, so the result is deterministic):
/// those live at the most crowded positions first, largest first,
/// longest-lived first, largest size x lifetime first, and in program
/// order, each with best and first fit. Sets every offset and
/// returns the workspace size.
int64_t placeBuffers(MutableArrayRef<Buffer> buffers) {
  auto lifetime = [](const Buffer *b) { return b->end - b->begin + 1; };
  // The most bytes live at any position of each buffer's life: placing the
  // buffers of the most crowded positions first packs the peak tightly.
  int64_t positions = 0;
  for (const Buffer &b : buffers)
    positions = std::max(positions, b.end + 1);
  SmallVector<int64_t> live(positions, 0);
  for (const Buffer &b : buffers)
    for (auto [begin, end, size] : extentsOf(b))
      for (int64_t p = begin; p <= end; ++p)
        live[p] += size;
  DenseMap<const Buffer *, int64_t> pressure;
  for (const Buffer &b : buffers)
    for (int64_t p = b.begin; p <= b.end; ++p)
      pressure[&b] = std::max(pressure[&b], live[p]);
  using Order = std::function<bool(const Buffer *, const Buffer *)>;
  SmallVector<Order> orders = {
      [&](const Buffer *a, const Buffer *b) { return pressure[a] > pressure[b]; },
      [](const Buffer *a, const Buffer *b) { return a->size > b->size; },
      [&](const Buffer *a, const Buffer *b) { return lifetime(a) > lifetime(b); },
      [&](const Buffer *a, const Buffer *b) {
        return a->size * lifetime(a) > b->size * lifetime(b);
      },
      [](const Buffer *a, const Buffer *b) { return a->begin < b->begin; },
  };
  int64_t bestTotal = INT64_MAX;
  DenseMap<const Buffer *, int64_t> bestOffsets;
  auto tryOrder = [&](ArrayRef<const Buffer *> order, bool bestFit) {
    DenseMap<const Buffer *, int64_t> offsets;
    int64_t total = packInOrder(order, bestFit, offsets);
    if (total < bestTotal) {
      bestTotal = total;
      bestOffsets = std::move(offsets);
    }
  };
  SmallVector<const Buffer *> order;
  for (const Order &less : orders) {
    order.clear();
    for (const Buffer &b : buffers)
      order.push_back(&b);
    // Ties go to the larger buffer, then to program order.
    llvm::stable_sort(order, [&](const Buffer *a, const Buffer *b) {
      if (less(a, b) != less(b, a))
        return less(a, b);
      if (a->size != b->size)
        return a->size > b->size;
      return a->begin < b->begin;
    });
    for (bool bestFit : {true, false})
      tryOrder(order, bestFit);
  }
  // Then orders a seeded generator shuffles from the crowded-first one:
  // each swap moves a buffer a few places, which often frees a gap the
  // plain orders miss. The seed is fixed, so the plan is too.
  uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&state]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  SmallVector<const Buffer *> base;
  for (const Buffer &b : buffers)
    base.push_back(&b);
  llvm::stable_sort(base, [&](const Buffer *a, const Buffer *b) {
    if (pressure[a] != pressure[b])
      return pressure[a] > pressure[b];
    return a->size > b->size;
  });
  for (int round = 0; round < kShuffledOrders && base.size() > 1; ++round) {
    order.assign(base.begin(), base.end());
    for (size_t i = 0; i < order.size(); ++i) {
      size_t reach = std::min<size_t>(order.size() - i, 4);
      std::swap(order[i], order[i + next() % reach]);
    }
    tryOrder(order, /*bestFit=*/true);
  }
  for (Buffer &b : buffers)
    b.offset = bestOffsets.lookup(&b);
  return buffers.empty() ? 0 : bestTotal;
}

/// The buffer whose allocation `v` is, directly or through reshapes and
/// casts (views with the same base); -1 for anything else.
int64_t bufferOf(Value v, const DenseMap<Operation *, int64_t> &index) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto it = index.find(def); it != index.end())
      return it->second;
    if (!isa<memref::CollapseShapeOp, memref::ExpandShapeOp, memref::CastOp>(def))
      return -1;
    v = def->getOperand(0);
  }
  return -1;
}

/// The planned buffer behind any view of it (for reads and writes), or -1.
int64_t bufferBehind(Value v, const DenseMap<Operation *, int64_t> &index) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto it = index.find(def); it != index.end())
      return it->second;
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view && !isa<memref::CastOp>(def))
      return -1;
    v = view ? view.getViewSource() : def->getOperand(0);
  }
  return -1;
}

/// Ties the buffers of loops marked `kiln.writes_over` (in-place kernels,
/// written so that every store lands on input already read): the largest
/// buffer the loop writes first and that outlives it (its result; the
/// others are temporaries) is placed over the one planned buffer it only
/// reads, where that one dies in the loop and is read at its base (the
/// allocation or a reshape of it). The pair, and chains of such pairs,
/// take one place of the larger size. Returns each buffer's
/// representative.
SmallVector<int64_t> tieBuffers(Block &body, MutableArrayRef<Buffer> buffers,
                                const DenseMap<Operation *, int64_t> &position) {
  DenseMap<Operation *, int64_t> index;
  for (auto [i, buffer] : llvm::enumerate(buffers))
    index[buffer.alloc] = i;
  SmallVector<int64_t> rep(buffers.size());
  std::iota(rep.begin(), rep.end(), 0);
  SmallVector<int64_t> groupEnd;
  for (const Buffer &buffer : buffers)
    groupEnd.push_back(buffer.end);
  for (Operation &op : body) {
    if (!isa<scf::ForOp>(op) || !op.hasAttr("kiln.writes_over"))
      continue;
    llvm::SmallDenseSet<int64_t> written, read;
    bool readAtBase = true;
    op.walk([&](Operation *inner) {
      auto note = [&](Value v, bool write) {
        int64_t b = bufferBehind(v, index);
        if (b >= 0)
          (write ? written : read).insert(b);
      };
      if (auto store = dyn_cast<memref::StoreOp>(inner)) {
        note(store.getMemRef(), true);
      } else if (auto load = dyn_cast<memref::LoadOp>(inner)) {
        note(load.getMemRef(), false);
        readAtBase &=
            bufferOf(load.getMemRef(), index) >= 0 || bufferBehind(load.getMemRef(), index) < 0;
      } else if (auto copy = dyn_cast<memref::CopyOp>(inner)) {
        note(copy.getSource(), false);
        note(copy.getTarget(), true);
      } else if (auto dps = dyn_cast<DestinationStyleOpInterface>(inner)) {
        for (OpOperand &operand : inner->getOpOperands())
          if (isa<MemRefType>(operand.get().getType()))
            note(operand.get(), dps.isDpsInit(&operand));
      }
    });
    int64_t at = position.lookup(&op);
    SmallVector<int64_t> readOnly, results;
    for (int64_t b : read)
      if (!written.contains(b))
        readOnly.push_back(b);
    // The loop's result is a buffer it writes first and that outlives it
    // (the largest such: a temporary may be shared with later loops).
    for (int64_t b : written)
      if (buffers[b].end > at && buffers[b].begin == at)
        results.push_back(b);
    if (readOnly.size() != 1 || results.empty() || !readAtBase)
      continue;
    int64_t dest = *llvm::max_element(results, [&](int64_t a, int64_t b) {
      return std::make_pair(buffers[a].bytes, -a) < std::make_pair(buffers[b].bytes, -b);
    });
    int64_t source = readOnly.front(), group = rep[source];
    // The source's memory must be free after the loop, and the
    // destination's unused before it.
    if (rep[dest] != dest || groupEnd[group] != at || buffers[dest].begin < at)
      continue;
    rep[dest] = group;
    buffers[dest].over = source;
    groupEnd[group] = std::max(groupEnd[group], buffers[dest].end);
  }
  return rep;
}

struct PlanMemoryPass : impl::PlanMemoryPassBase<PlanMemoryPass> {
  using PlanMemoryPassBase::PlanMemoryPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (alignment <= 0 || (alignment & (alignment - 1))) {
      func.emitError() << "memory plan alignment " << alignment
                       << " is not a positive power of two";
      return signalPassFailure();
    }
    if (!func.getBody().hasOneBlock()) {
      func.emitError("memory planning needs a function body without control flow");
      return signalPassFailure();
    }
    Block &body = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;

    SmallVector<Buffer> buffers;
    WalkResult walk = func.walk([&](Operation *op) {
      if (isa<memref::AllocaOp>(op) || isa<memref::ReallocOp>(op)) {
        op->emitError("memory planning does not handle ") << op->getName();
        return WalkResult::interrupt();
      }
      auto alloc = dyn_cast<memref::AllocOp>(op);
      if (!alloc)
        return WalkResult::advance();
      MemRefType type = alloc.getType();
      // An allocation nested in a loop is a temporary of each iteration:
      // it lives while that top-level op runs, if it is not carried from
      // one iteration to the next.
      Operation *top = body.findAncestorOpInBlock(*alloc);
      bool nested = top && top != alloc.getOperation();
      bool carried = llvm::any_of(alloc->getUsers(), [](Operation *user) {
        return isa<scf::YieldOp, func::ReturnOp>(user);
      });
      if (!top || carried || !type.hasStaticShape() || !type.getLayout().isIdentity() ||
          !type.getElementType().isIntOrIndexOrFloat()) {
        alloc.emitError("cannot plan an allocation that is dynamic, nested in a "
                        "region or not a dense scalar buffer: ")
            << type;
        return WalkResult::interrupt();
      }
      Buffer buffer;
      buffer.alloc = alloc;
      unsigned bits =
          type.getElementType().isIndex() ? 64 : type.getElementType().getIntOrFloatBitWidth();
      int64_t elementBytes = std::max<int64_t>(1, (bits + 7) / 8);
      buffer.bytes = type.getNumElements() * elementBytes;
      buffer.size = alignTo(std::max<int64_t>(1, buffer.bytes), alignment);
      if (nested)
        buffer.begin = buffer.end = position.lookup(top);
      else
        std::tie(buffer.begin, buffer.end) = useRange(alloc.getResult(), body, position);
      buffers.push_back(buffer);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    // Tied buffers are packed as one of the group's largest size and
    // lifetime, and share its offset.
    SmallVector<int64_t> rep = tieBuffers(body, buffers, position);
    SmallVector<Buffer> groups;
    DenseMap<int64_t, int64_t> groupOf;
    for (auto [i, buffer] : llvm::enumerate(buffers)) {
      auto [it, inserted] = groupOf.try_emplace(rep[i], groups.size());
      if (inserted) {
        groups.push_back(buffer);
        continue;
      }
      Buffer &g = groups[it->second];
      if (g.extents.empty())
        g.extents.push_back({g.begin, g.end, g.size});
      g.extents.push_back({buffer.begin, buffer.end, buffer.size});
      g.size = std::max(g.size, buffer.size);
      g.begin = std::min(g.begin, buffer.begin);
      g.end = std::max(g.end, buffer.end);
    }
    int64_t total = placeBuffers(groups);
    for (auto [i, buffer] : llvm::enumerate(buffers))
      buffer.offset = groups[groupOf[rep[i]]].offset;

    // The workspace becomes the last argument.
    MLIRContext *ctx = &getContext();
    func->setAttr(kMemoryPlanAttr, recordPlan(ctx, body, buffers));
    auto wsType = MemRefType::get({total}, IntegerType::get(ctx, 8));
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(
            index, wsType,
            DictionaryAttr::get(
                ctx, {NamedAttribute(StringAttr::get(ctx, kWorkspaceArgAttr), UnitAttr::get(ctx))}),
            func.getLoc())))
      return signalPassFailure();
    Value workspace = func.getArgument(index);
    for (Buffer &buffer : buffers) {
      OpBuilder b(buffer.alloc);
      Value offset = arith::ConstantIndexOp::create(b, buffer.alloc.getLoc(), buffer.offset);
      Value view = memref::ViewOp::create(b, buffer.alloc.getLoc(), buffer.alloc.getType(),
                                          workspace, offset, ValueRange{});
      buffer.alloc.getResult().replaceAllUsesWith(view);
      // Deallocations of planned buffers are meaningless now.
      for (Operation *user : llvm::make_early_inc_range(view.getUsers()))
        if (isa<memref::DeallocOp>(user))
          user->erase();
      buffer.alloc.erase();
    }
    func->setAttr(kWorkspaceSizeAttr, IntegerAttr::get(IntegerType::get(ctx, 64), total));
  }
};

} // namespace
} // namespace kiln
