//===- LowerParallelCalls.cpp - Task calls to kiln_parallel_for -*- C++ -*-===//
//
// The kiln-lower-parallel-calls pass, on the LLVM dialect: each call of a
// task function (kiln-outline-parallel-loops) becomes a call of the
// runtime's kiln_parallel_for with an entry function that unpacks the
// task's arguments from a context struct on the caller's stack.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"

namespace kiln {
#define GEN_PASS_DEF_LOWERPARALLELCALLSPASS
#include "kiln/Target/CPU/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

constexpr llvm::StringLiteral kParallelFor = "kiln_parallel_for";

struct LowerParallelCallsPass : impl::LowerParallelCallsPassBase<LowerParallelCallsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto task : llvm::to_vector(module.getOps<LLVM::LLVMFuncOp>())) {
      if (!task->hasAttr(kParallelTaskAttr))
        continue;
      if (failed(lower(symbols, task)))
        return signalPassFailure();
    }
  }

  /// `void kiln_parallel_for(int64_t n, kiln_task_fn fn, void *ctx)`.
  LLVM::LLVMFuncOp declareParallelFor(SymbolTable &symbols, Location loc) {
    if (auto existing = symbols.lookup<LLVM::LLVMFuncOp>(kParallelFor))
      return existing;
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto type = LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                            {IntegerType::get(ctx, 64), ptr, ptr});
    OpBuilder b = OpBuilder::atBlockBegin(cast<ModuleOp>(symbols.getOp()).getBody());
    auto decl = LLVM::LLVMFuncOp::create(b, loc, kParallelFor, type);
    symbols.insert(decl);
    return decl;
  }

  LogicalResult lower(SymbolTable &symbols, LLVM::LLVMFuncOp task) {
    MLIRContext *ctx = &getContext();
    Location loc = task.getLoc();
    LLVM::LLVMFunctionType taskType = task.getFunctionType();
    ArrayRef<Type> params = taskType.getParams();
    if (params.size() < 2 || !isa<IntegerType>(params[0]) || params[0] != params[1] ||
        !isa<LLVM::LLVMVoidType>(taskType.getReturnType()))
      return task.emitOpError("is not a task function: (index, index, ...) -> ()");
    auto indexType = cast<IntegerType>(params[0]);
    auto i64 = IntegerType::get(ctx, 64);
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto fields = LLVM::LLVMStructType::getLiteral(ctx, params.drop_front(2));
    LLVM::LLVMFuncOp parallelFor = declareParallelFor(symbols, loc);
    // The calls to replace, collected before the entry adds its own.
    std::optional<SymbolTable::UseRange> allUses = symbols.getSymbolUses(task, symbols.getOp());
    if (!allUses)
      return task.emitOpError("has uses that are not calls");
    SmallVector<SymbolTable::SymbolUse> uses = llvm::to_vector(*allUses);

    // The entry: void entry(void *ctx, int64_t begin, int64_t end).
    OpBuilder b(task);
    b.setInsertionPointAfter(task);
    auto entry = LLVM::LLVMFuncOp::create(
        b, loc, (task.getSymName() + "_entry").str(),
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr, i64, i64}),
        LLVM::Linkage::Internal);
    symbols.insert(entry);
    Block *body = entry.addEntryBlock(b);
    b.setInsertionPointToStart(body);
    auto narrow = [&](Value v) -> Value {
      if (indexType.getWidth() == 64)
        return v;
      return LLVM::TruncOp::create(b, loc, indexType, v);
    };
    SmallVector<Value> args = {narrow(body->getArgument(1)), narrow(body->getArgument(2))};
    for (auto [i, type] : llvm::enumerate(params.drop_front(2))) {
      Value field = LLVM::GEPOp::create(b, loc, ptr, fields, body->getArgument(0),
                                        ArrayRef<LLVM::GEPArg>{0, (int32_t)i});
      args.push_back(LLVM::LoadOp::create(b, loc, type, field));
    }
    LLVM::CallOp::create(b, loc, task, args);
    LLVM::ReturnOp::create(b, loc, ValueRange());

    // Each call: the arguments into a context on the stack, the chunk
    // count to kiln_parallel_for.
    for (const SymbolTable::SymbolUse &use : uses) {
      auto call = dyn_cast<LLVM::CallOp>(use.getUser());
      if (!call || call.getCallee() != task.getSymName())
        return use.getUser()->emitOpError("uses task function ")
               << task.getSymName() << " other than by calling it";
      ValueRange operands = call.getArgOperands();
      if (!matchPattern(operands[0], m_Zero()))
        return call.emitOpError("calls task function ")
               << task.getSymName() << " from a chunk other than 0";
      auto caller = call->getParentOfType<LLVM::LLVMFuncOp>();
      OpBuilder top = OpBuilder::atBlockBegin(&caller.getBody().front());
      Value one = LLVM::ConstantOp::create(top, loc, i64, 1);
      Value context = LLVM::AllocaOp::create(top, loc, ptr, fields, one, /*alignment=*/8);

      b.setInsertionPoint(call);
      for (auto [i, value] : llvm::enumerate(operands.drop_front(2))) {
        Value field = LLVM::GEPOp::create(b, loc, ptr, fields, context,
                                          ArrayRef<LLVM::GEPArg>{0, (int32_t)i});
        LLVM::StoreOp::create(b, loc, value, field);
      }
      // The call ran chunks [0, n).
      Value count = operands[1];
      if (indexType.getWidth() < 64)
        count = LLVM::ZExtOp::create(b, loc, i64, count);
      Value fn = LLVM::AddressOfOp::create(b, loc, entry);
      LLVM::CallOp::create(b, loc, parallelFor, ValueRange{count, fn, context});
      call.erase();
    }
    return success();
  }
};

} // namespace
} // namespace kiln
