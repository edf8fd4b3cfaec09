//===- VerifyPhaseContract.cpp - Check the IR contract at a phase boundary -===//
//
// The kiln-verify-phase-contract pass: every phase ends with it, so that
// the IR one phase hands the next is what docs/architecture.md promises.
// A violation is a compiler bug, reported at the offending op as an
// internal error, never a crash further down.
//
//===----------------------------------------------------------------------===//

#include "kiln/Transforms/Passes.h"

#include "kiln/IR/KilnDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

namespace kiln {
#define GEN_PASS_DEF_VERIFYPHASECONTRACTPASS
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

bool isStaticTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape();
}

struct VerifyPhaseContractPass : impl::VerifyPhaseContractPassBase<VerifyPhaseContractPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    LogicalResult result = success();
    if (phase == "import" || phase == "kiln")
      result = verifyKilnIR(module);
    else if (phase == "linalg")
      result = verifyLinalgIR(module);
    else if (phase == "bufferized")
      result = verifyBufferizedIR(module);
    else if (phase == "llvm")
      result = verifyLLVMIR(module);
    else
      result = module.emitError("kiln-verify-phase-contract: unknown phase '") << phase << "'";
    if (failed(result))
      signalPassFailure();
  }

  InFlightDiagnostic violation(Operation *op) {
    return op->emitError("internal error: the IR after the ")
           << phase << " phase breaks its contract: ";
  }

  /// import, kiln: `@main` on static tensors, a body of kiln ops.
  LogicalResult verifyKilnIR(ModuleOp module) {
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main)
      return violation(module) << "no func.func @main";
    for (Type type : llvm::concat<const Type>(main.getArgumentTypes(), main.getResultTypes()))
      if (!isStaticTensor(type))
        return violation(main) << "@main takes or returns " << type
                               << ", not a statically shaped tensor";
    WalkResult walk = main.getBody().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<func::ReturnOp>(op) || isa<KilnDialect>(op->getDialect()))
        return WalkResult::advance();
      violation(op) << "'" << op->getName() << "' is not a kiln op";
      return WalkResult::interrupt();
    });
    return failure(walk.wasInterrupted());
  }

  /// linalg: no kiln op remains; tensors are static.
  LogicalResult verifyLinalgIR(ModuleOp module) {
    WalkResult walk = module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa_and_nonnull<KilnDialect>(op->getDialect())) {
        violation(op) << "'" << op->getName() << "' was not lowered";
        return WalkResult::interrupt();
      }
      for (Type type : op->getResultTypes())
        if (isa<TensorType>(type) && !isStaticTensor(type)) {
          violation(op) << "result of type " << type << " is not statically shaped";
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }

  /// bufferized: no tensors, no allocation, a planned workspace.
  LogicalResult verifyBufferizedIR(ModuleOp module) {
    auto main = module.lookupSymbol<func::FuncOp>("main");
    if (!main)
      return violation(module) << "no func.func @main";
    if (!main->hasAttr(kWorkspaceSizeAttr))
      return violation(main) << "@main has no " << kWorkspaceSizeAttr << " attribute";
    unsigned args = main.getNumArguments();
    if (args == 0 || !main.getArgAttr(args - 1, kWorkspaceArgAttr))
      return violation(main) << "@main's last argument is not the workspace";
    WalkResult walk = module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<memref::AllocOp, memref::AllocaOp, memref::DeallocOp>(op)) {
        violation(op) << "'" << op->getName() << "' allocates at run time";
        return WalkResult::interrupt();
      }
      for (Type type : llvm::concat<const Type>(op->getOperandTypes(), op->getResultTypes()))
        if (isa<TensorType>(type)) {
          violation(op) << "'" << op->getName() << "' still works on " << type;
          return WalkResult::interrupt();
        }
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }

  /// llvm: the LLVM dialect only.
  LogicalResult verifyLLVMIR(ModuleOp module) {
    WalkResult walk = module.getBody()->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (isa<LLVM::LLVMDialect>(op->getDialect()))
        return WalkResult::advance();
      violation(op) << "'" << op->getName() << "' is not in the LLVM dialect";
      return WalkResult::interrupt();
    });
    return failure(walk.wasInterrupted());
  }
};

} // namespace
} // namespace kiln
