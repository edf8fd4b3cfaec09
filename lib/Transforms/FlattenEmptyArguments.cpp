//===- FlattenEmptyArguments.cpp - memref<..x0x..> args to memref<0xT> -*- C++ -*-===//
//
// The kiln-flatten-empty-arguments pass: zero-element memref arguments
// have no strided layout, so the bare-pointer calling convention cannot
// pass them; they carry no data, so they become memref<0xT> once the ops
// that touch them (which move nothing) are gone.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace kiln {
#define GEN_PASS_DEF_FLATTENEMPTYARGUMENTSPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

bool isEmpty(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  return memref && memref.hasStaticShape() && memref.getNumElements() == 0;
}

struct FlattenEmptyArgumentsPass : impl::FlattenEmptyArgumentsPassBase<FlattenEmptyArgumentsPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<Type> argTypes(func.getArgumentTypes());
    bool changed = false;
    for (BlockArgument arg : func.getArguments()) {
      if (!isEmpty(arg.getType()))
        continue;
      for (Operation *user : llvm::make_early_inc_range(arg.getUsers())) {
        // Copies and structured ops over an empty buffer move nothing.
        bool movesNothing =
            (isa<memref::CopyOp>(user) && llvm::all_of(user->getOperandTypes(), isEmpty)) ||
            (isa<linalg::LinalgOp>(user) && user->getNumResults() == 0 &&
             llvm::any_of(user->getOperandTypes(), isEmpty));
        if (!movesNothing) {
          user->emitError("internal error: an empty buffer argument is used by ")
              << user->getName();
          return signalPassFailure();
        }
        user->erase();
      }
      auto type = cast<MemRefType>(arg.getType());
      auto flat = MemRefType::get({0}, type.getElementType());
      arg.setType(flat);
      argTypes[arg.getArgNumber()] = flat;
      changed = true;
    }
    if (changed)
      func.setType(FunctionType::get(func.getContext(), argTypes, func.getResultTypes()));
  }
};

} // namespace
} // namespace kiln
