//===- MemoryPlan.cpp - Static workspace planning ---------------*- C++ -*-===//
//
// The kiln-plan-memory pass: computes each buffer's live range in the
// straight-line body of a bufferized model function and packs all buffers
// into one workspace argument, so that the generated code allocates
// nothing. Placement is deterministic: it depends only on the IR.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseMap.h"

namespace kiln {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct Buffer {
  memref::AllocOp alloc;
  int64_t begin = 0, end = 0; // positions of the defining and last-using op
  int64_t size = 0;           // bytes, rounded up to the alignment
  int64_t offset = -1;
};

int64_t alignTo(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

/// The position of the last top-level op that uses `root` or a view of it.
int64_t lastUse(Value root, Block &body, const DenseMap<Operation *, int64_t> &position) {
  int64_t last = position.lookup(root.getDefiningOp());
  SmallVector<Value> worklist = {root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      if (top)
        last = std::max(last, position.lookup(top));
      // Views alias the buffer: follow them.
      if (isa<ViewLikeOpInterface>(user) || isa<memref::CastOp>(user))
        for (Value result : user->getResults())
          if (isa<MemRefType>(result.getType()))
            worklist.push_back(result);
    }
  }
  return last;
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
      if (alloc->getBlock() != &body || !type.hasStaticShape() || !type.getLayout().isIdentity() ||
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
      buffer.size = alignTo(std::max<int64_t>(1, type.getNumElements() * elementBytes), alignment);
      buffer.begin = position.lookup(alloc);
      buffer.end = lastUse(alloc.getResult(), body, position);
      buffers.push_back(buffer);
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    // Largest first, then program order: deterministic best fit.
    SmallVector<Buffer *> order;
    for (Buffer &b : buffers)
      order.push_back(&b);
    llvm::stable_sort(order, [](const Buffer *a, const Buffer *b) {
      if (a->size != b->size)
        return a->size > b->size;
      return a->begin < b->begin;
    });
    int64_t total = 0;
    SmallVector<Buffer *> placed;
    for (Buffer *buffer : order) {
      // Address ranges taken by buffers live at the same time.
      SmallVector<std::pair<int64_t, int64_t>> taken;
      for (Buffer *other : placed)
        if (other->begin <= buffer->end && buffer->begin <= other->end)
          taken.push_back({other->offset, other->offset + other->size});
      llvm::sort(taken);
      int64_t best = -1, bestGap = INT64_MAX, cursor = 0;
      for (auto [lo, hi] : taken) {
        if (lo - cursor >= buffer->size && lo - cursor < bestGap) {
          best = cursor;
          bestGap = lo - cursor;
        }
        cursor = std::max(cursor, hi);
      }
      buffer->offset = best >= 0 ? best : cursor;
      total = std::max(total, buffer->offset + buffer->size);
      placed.push_back(buffer);
    }

    // The workspace becomes the last argument.
    MLIRContext *ctx = &getContext();
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
