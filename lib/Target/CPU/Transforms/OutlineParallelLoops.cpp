//===- OutlineParallelLoops.cpp - Parallel loops into task functions -*- C++ -*-===//
//
// The kiln-outline-parallel-loops pass: each top-level scf.parallel of a
// function with enough work moves into a task function that runs a range
// of chunks of its iterations. The call left behind runs every chunk, so
// the program means the same; kiln-lower-parallel-calls later hands the
// chunks to the runtime's kiln_parallel_for.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace kiln {
#define GEN_PASS_DEF_OUTLINEPARALLELLOOPSPASS
#include "kiln/Target/CPU/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// The most chunks one loop is cut into: enough to balance a few dozen
/// threads, few enough that taking a chunk costs nothing next to running it.
constexpr int64_t kMaxChunks = 64;

/// a * b for non-negative counts, saturating at INT64_MAX.
int64_t mulSat(int64_t a, int64_t b) {
  int64_t product;
  return __builtin_mul_overflow(a, b, &product) ? INT64_MAX : product;
}

std::optional<int64_t> tripCount(Value lb, Value ub, Value step) {
  auto l = getConstantIntValue(lb), u = getConstantIntValue(ub), s = getConstantIntValue(step);
  if (!l || !u || !s || *s <= 0)
    return std::nullopt;
  return *u > *l ? (*u - *l + *s - 1) / *s : 0;
}

/// Operations run by one execution of `block`, counting the iterations of
/// nested loops with constant bounds (other loops count once).
int64_t blockWork(Block &block) {
  int64_t work = 0;
  for (Operation &op : block) {
    int64_t inner = 0;
    for (Region &region : op.getRegions())
      for (Block &nested : region)
        inner += blockWork(nested);
    int64_t trips = 1;
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      trips = tripCount(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()).value_or(1);
    } else if (auto loop = dyn_cast<scf::ParallelOp>(op)) {
      for (auto [lb, ub, step] :
           llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
        trips *= tripCount(lb, ub, step).value_or(1);
    }
    int64_t cost = mulSat(trips, std::max<int64_t>(inner, 1));
    work = cost > INT64_MAX - work ? INT64_MAX : work + cost;
  }
  return work;
}

/// Whether a value the loop uses can be passed to the task function: what
/// the LLVM lowering passes as a bare pointer or a scalar.
bool isPassable(Type type) {
  if (auto memref = dyn_cast<MemRefType>(type)) {
    int64_t offset;
    SmallVector<int64_t> strides;
    return memref.hasStaticShape() && succeeded(memref.getStridesAndOffset(strides, offset)) &&
           !ShapedType::isDynamic(offset) && llvm::none_of(strides, ShapedType::isDynamic);
  }
  return type.isIntOrIndexOrFloat();
}

/// Whether the task function recomputes `op` rather than receiving its
/// result: constants, global addresses and views, which cost nothing and
/// let LLVM see that views of one buffer at distinct offsets are disjoint.
bool isSunk(Operation *op) {
  return op && op->getNumRegions() == 0 && op->getNumResults() == 1 &&
         (isa<memref::GetGlobalOp>(op) || isMemoryEffectFree(op));
}

struct OutlineParallelLoopsPass : impl::OutlineParallelLoopsPassBase<OutlineParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      if (func.isExternal() || func->hasAttr(kParallelTaskAttr))
        continue;
      int counter = 0;
      for (auto loop : llvm::to_vector(func.getBody().front().getOps<scf::ParallelOp>()))
        outline(symbols, func, loop, counter);
    }
  }

  void outline(SymbolTable &symbols, func::FuncOp func, scf::ParallelOp loop, int &counter) {
    if (loop.getNumResults() != 0)
      return;
    SmallVector<int64_t> trips;
    for (auto [lb, ub, step] :
         llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      auto trip = tripCount(lb, ub, step);
      if (!trip)
        return;
      trips.push_back(*trip);
    }
    int64_t iterations = 1;
    for (int64_t trip : trips)
      iterations = mulSat(iterations, trip);
    int64_t work = mulSat(iterations, blockWork(*loop.getBody()));
    if (work < minWork || iterations < 2)
      return;

    // The chunks split the leading dimensions, as few as give enough
    // independent pieces; the rest stay an inner loop.
    size_t split = 0;
    int64_t pieces = 1;
    while (split < trips.size() && pieces < kMaxChunks)
      pieces = mulSat(pieces, trips[split++]);
    int64_t grain = std::max<int64_t>(1, minWork / 4);
    int64_t chunks = std::min({pieces, kMaxChunks, std::max<int64_t>(2, work / grain)});
    if (chunks < 2)
      return;

    // What the body uses from outside: recomputed in the task when cheap,
    // passed otherwise.
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(loop->getRegions(), used);
    used.insert(loop->operand_begin(), loop->operand_end());
    llvm::SetVector<Operation *> sunk;
    llvm::SetVector<Value> passed;
    SmallVector<Value> worklist(used.begin(), used.end());
    while (!worklist.empty()) {
      Value value = worklist.pop_back_val();
      Operation *def = value.getDefiningOp();
      if (isSunk(def) && def->getBlock() == loop->getBlock()) {
        if (sunk.insert(def))
          llvm::append_range(worklist, def->getOperands());
        continue;
      }
      if (!isPassable(value.getType()))
        return;
      passed.insert(value);
    }

    // Arguments in a stable order: the function's, then values as defined.
    SmallVector<Value> passedOrder(passed.begin(), passed.end());
    llvm::sort(passedOrder, [](Value x, Value y) {
      auto xa = dyn_cast<BlockArgument>(x), ya = dyn_cast<BlockArgument>(y);
      if (xa || ya)
        return xa && (!ya || xa.getArgNumber() < ya.getArgNumber());
      return x.getDefiningOp()->isBeforeInBlock(y.getDefiningOp());
    });
    passed = llvm::SetVector<Value>(passedOrder.begin(), passedOrder.end());

    Location loc = loop.getLoc();
    MLIRContext *ctx = &getContext();
    OpBuilder b(func);
    Type indexType = b.getIndexType();
    SmallVector<Type> argTypes = {indexType, indexType};
    for (Value value : passed)
      argTypes.push_back(value.getType());
    std::string name = (func.getSymName() + "__kiln_task" + Twine(counter++)).str();
    auto task = func::FuncOp::create(b, loc, name, FunctionType::get(ctx, argTypes, {}));
    symbols.insert(task);
    task.setPrivate();
    task->setAttr(kParallelTaskAttr, b.getUnitAttr());
    task->setAttr("llvm.linkage", LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));

    Block *entry = task.addEntryBlock();
    b.setInsertionPointToStart(entry);
    IRMapping mapping;
    for (auto [value, arg] : llvm::zip(passed, entry->getArguments().drop_front(2)))
      mapping.map(value, arg);
    // Sunk ops in their original order, so each follows its operands.
    SmallVector<Operation *> ordered(sunk.begin(), sunk.end());
    llvm::sort(ordered, [](Operation *x, Operation *y) { return x->isBeforeInBlock(y); });
    for (Operation *op : ordered)
      b.clone(*op, mapping);

    // Chunk c covers the flattened leading iterations [c*P/C, (c+1)*P/C),
    // with c*P/C computed as c*(P/C) + c*(P%C)/C, which cannot overflow a
    // 32-bit index where P itself fits.
    auto constant = [&](int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); };
    Value quotient = constant(pieces / chunks), remainder = constant(pieces % chunks);
    Value chunksValue = constant(chunks);
    auto boundary = [&](Value chunk) {
      Value whole = arith::MulIOp::create(b, loc, chunk, quotient);
      Value part = arith::MulIOp::create(b, loc, chunk, remainder);
      part = arith::DivUIOp::create(b, loc, part, chunksValue);
      return arith::AddIOp::create(b, loc, whole, part).getResult();
    };
    Value first = boundary(entry->getArgument(0)), last = boundary(entry->getArgument(1));
    auto flat = scf::ForOp::create(b, loc, first, last, constant(1));
    b.setInsertionPointToStart(flat.getBody());
    Value rest = flat.getInductionVar();
    SmallVector<Value> leading(split);
    for (int64_t d = split - 1; d >= 0; --d) {
      Value index = rest;
      if (d > 0) {
        Value trip = constant(trips[d]);
        index = arith::RemUIOp::create(b, loc, rest, trip);
        rest = arith::DivUIOp::create(b, loc, rest, trip);
      }
      Value step = mapping.lookupOrDefault(loop.getStep()[d]);
      Value scaled = arith::MulIOp::create(b, loc, index, step);
      leading[d] =
          arith::AddIOp::create(b, loc, scaled, mapping.lookupOrDefault(loop.getLowerBound()[d]));
    }
    SmallVector<Value> ivs = loop.getInductionVars();
    for (size_t d = 0; d < split; ++d)
      mapping.map(ivs[d], leading[d]);

    auto cloneBody = [&](OpBuilder &inner) {
      for (Operation &op : loop.getBody()->without_terminator())
        inner.clone(op, mapping);
    };
    if (split == trips.size()) {
      cloneBody(b);
    } else {
      auto tail = [&](ValueRange values) {
        return llvm::map_to_vector(values.drop_front(split),
                                   [&](Value v) { return mapping.lookupOrDefault(v); });
      };
      scf::ParallelOp::create(
          b, loc, tail(loop.getLowerBound()), tail(loop.getUpperBound()), tail(loop.getStep()),
          [&](OpBuilder &nested, Location, ValueRange inner) {
            for (auto [iv, mapped] : llvm::zip(llvm::drop_begin(ivs, split), inner))
              mapping.map(iv, mapped);
            cloneBody(nested);
          });
    }
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b, loc);

    // The call runs every chunk; kiln-lower-parallel-calls spreads them
    // over the runtime's threads.
    b.setInsertionPoint(loop);
    SmallVector<Value> args = {arith::ConstantIndexOp::create(b, loc, 0),
                               arith::ConstantIndexOp::create(b, loc, chunks)};
    llvm::append_range(args, passed);
    func::CallOp::create(b, loc, task, args);
    loop.erase();
  }
};

} // namespace
} // namespace kiln
