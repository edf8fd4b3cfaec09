//===- CloneSharedInits.cpp - One fresh destination per op --------*- C++ -*-===//
//
// The kiln-clone-shared-inits pass: CSE merges identical filled
// destinations, such as the zero-filled accumulators of two convolutions
// of the same shape, into one tensor with several users. Each user writes into it, so
// bufferization keeps the shared buffer alive from the first user to the
// last and copies it for every other user. Cloning the destination for
// each user gives each its own buffer, live only as long as its result.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace kiln {
#define GEN_PASS_DEF_CLONESHAREDINITSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Whether `value` is a destination that only says what to start from: a
/// linalg.fill of a tensor.empty. (A shared tensor.empty itself costs no
/// copy: bufferization allocates afresh where users conflict, and writes
/// in place where they do not.)
bool isFreshInit(Value value) {
  auto fill = value.getDefiningOp<linalg::FillOp>();
  return fill && fill.hasPureTensorSemantics() &&
         fill.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>();
}

/// A copy of the fill `value`, and of its tensor.empty, built before
/// `user` and located at it: the buffer is the user's (the memory report
/// names its node).
Value cloneInit(Operation *user, Value value) {
  OpBuilder builder(user);
  auto fill = value.getDefiningOp<linalg::FillOp>();
  Value empty = fill.getDpsInitOperand(0)->get();
  IRMapping mapping;
  Operation *emptyClone = builder.clone(*empty.getDefiningOp());
  emptyClone->setLoc(user->getLoc());
  mapping.map(empty, emptyClone->getResult(0));
  Operation *fillClone = builder.clone(*fill, mapping);
  fillClone->setLoc(user->getLoc());
  return fillClone->getResult(0);
}

struct CloneSharedInitsPass : impl::CloneSharedInitsPassBase<CloneSharedInitsPass> {
  void runOnOperation() override {
    // The first user in program order keeps the original; the others
    // get clones.
    llvm::DenseSet<Value> claimed;
    getOperation().walk<WalkOrder::PreOrder>([&](DestinationStyleOpInterface op) {
      if (!op.hasPureTensorSemantics())
        return;
      for (OpOperand &init : op.getDpsInitsMutable()) {
        Value value = init.get();
        if (value.hasOneUse() || !isFreshInit(value) || claimed.insert(value).second)
          continue;
        init.set(cloneInit(op, value));
      }
    });
  }
};

} // namespace
} // namespace kiln
