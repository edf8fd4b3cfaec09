//===- MapToLaunches.cpp - Top-level loop nests into gpu.launch -*- C++ -*-===//
//
// The kiln-cuda-map-to-launches pass: each top-level scf.parallel of a
// function becomes a gpu.launch with one thread per iteration; every other
// run of top-level ops that touches memory becomes a launch of one thread.
// Views and constants the launches use are sunk into them, so that the
// outlined kernels take whole buffers only.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CUDA/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_MAPTOLAUNCHESPASS
#include "kiln/Target/CUDA/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

/// Ops that stay in host code and are copied into the launches that use
/// them: constants, views, and other pure ops without regions. Globals stay
/// outside: a kernel cannot name a host symbol, so they are passed in.
bool isHostOp(Operation *op) {
  if (isa<memref::GetGlobalOp>(op) || isa<func::ReturnOp>(op))
    return true;
  return op->getNumRegions() == 0 && isMemoryEffectFree(op);
}

bool isSinkable(Operation *op) {
  return !isa<memref::GetGlobalOp>(op) && op->getNumRegions() == 0 && isMemoryEffectFree(op);
}

/// The first named location inside `loc` (the model's node), for kernel
/// names a profiler shows.
std::string nodeName(Location loc) {
  std::string name;
  loc->walk([&](Location inner) {
    if (auto named = dyn_cast<NameLoc>(inner)) {
      name = named.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

/// `k<index>_<node>`, with the node's name made a PTX identifier and cut
/// short.
std::string kernelName(unsigned index, Location loc) {
  std::string name = "k" + std::to_string(index);
  std::string node = nodeName(loc);
  if (node.empty())
    return name;
  name += '_';
  bool lastUnderscore = true;
  for (char c : node) {
    if (name.size() >= 48)
      break;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (ok) {
      name += c;
      lastUnderscore = false;
    } else if (!lastUnderscore) {
      name += '_';
      lastUnderscore = true;
    }
  }
  while (!name.empty() && name.back() == '_')
    name.pop_back();
  return name;
}

struct MapToLaunchesPass : impl::MapToLaunchesPassBase<MapToLaunchesPass> {
  using MapToLaunchesPassBase::MapToLaunchesPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    numKernels = 0;
    if (func.isExternal())
      return;
    if (blockSize <= 0 || blockSize % 32 != 0 || blockSize > 1024) {
      func.emitError("kiln-cuda-map-to-launches: block-size must be a multiple of 32 up to 1024");
      return signalPassFailure();
    }
    if (!func.getBody().hasOneBlock()) {
      func.emitError("kiln-cuda-map-to-launches: the function must have one block");
      return signalPassFailure();
    }
    Block &body = func.getBody().front();
    // Globals first, so that every launch can take them as arguments.
    for (auto global : llvm::to_vector(body.getOps<memref::GetGlobalOp>()))
      global->moveBefore(&body, body.begin());

    // Groups of top-level ops, in program order: each scf.parallel alone,
    // and each maximal run of other ops that touch memory.
    SmallVector<SmallVector<Operation *>> groups;
    SmallVector<Operation *> run;
    auto flush = [&] {
      if (!run.empty())
        groups.push_back(std::move(run));
      run.clear();
    };
    for (Operation &op : body) {
      if (auto parallel = dyn_cast<scf::ParallelOp>(op)) {
        flush();
        groups.push_back({&op});
        continue;
      }
      if (isHostOp(&op) && llvm::none_of(op.getOperands(), [&](Value v) {
            Operation *def = v.getDefiningOp();
            return def && llvm::is_contained(run, def);
          }))
        continue;
      run.push_back(&op);
    }
    flush();

    for (auto &group : groups) {
      FailureOr<gpu::LaunchOp> launch = failure();
      auto parallel = dyn_cast<scf::ParallelOp>(group.front());
      if (parallel)
        launch = mapParallel(parallel);
      else
        launch = mapSerial(group);
      if (failed(launch))
        return signalPassFailure();
      if (!*launch)
        continue;
      sinkIntoLaunch(*launch);
    }
  }

  /// The launch every thread of which runs one iteration of `parallel`.
  FailureOr<gpu::LaunchOp> mapParallel(scf::ParallelOp parallel) {
    if (parallel.getNumResults() != 0)
      return parallel.emitError("kiln-cuda-map-to-launches: reductions of scf.parallel are not "
                                "supported"),
             failure();
    SmallVector<int64_t> lbs, steps, trips;
    int64_t total = 1;
    for (auto [lb, ub, step] :
         llvm::zip(parallel.getLowerBound(), parallel.getUpperBound(), parallel.getStep())) {
      auto l = getConstantIntValue(lb), u = getConstantIntValue(ub), s = getConstantIntValue(step);
      if (!l || !u || !s || *s <= 0)
        return parallel.emitError("kiln-cuda-map-to-launches: loop bounds must be constants"),
               failure();
      int64_t trip = *u > *l ? (*u - *l + *s - 1) / *s : 0;
      lbs.push_back(*l);
      steps.push_back(*s);
      trips.push_back(trip);
      if (__builtin_mul_overflow(total, trip, &total))
        return parallel.emitError("kiln-cuda-map-to-launches: too many iterations"), failure();
    }
    if (total == 0) {
      parallel.erase();
      return gpu::LaunchOp();
    }
    int64_t threads = total >= blockSize ? (int64_t)blockSize : (total + 31) / 32 * 32;
    int64_t blocks = (total + threads - 1) / threads;
    if (blocks > INT32_MAX)
      return parallel.emitError("kiln-cuda-map-to-launches: too many iterations for one grid"),
             failure();

    Location loc = parallel.getLoc();
    OpBuilder b(parallel);
    gpu::LaunchOp launch = createLaunch(b, loc, blocks, threads);
    b.setInsertionPointToStart(&launch.getBody().front());
    Value id = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                              arith::ConstantIndexOp::create(b, loc, threads)),
        launch.getThreadIds().x);
    if (total % threads != 0) {
      Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, id,
                                            arith::ConstantIndexOp::create(b, loc, total));
      auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
      b.setInsertionPoint(guard.thenBlock()->getTerminator());
    }
    // Delinearize, innermost dimension fastest, so that neighbouring
    // threads touch neighbouring elements.
    IRMapping mapping;
    Value rest = id;
    for (int64_t d = (int64_t)trips.size() - 1; d >= 0; --d) {
      Value index = rest;
      if (d > 0) {
        Value trip = arith::ConstantIndexOp::create(b, loc, trips[d]);
        index = arith::RemUIOp::create(b, loc, rest, trip);
        rest = arith::DivUIOp::create(b, loc, rest, trip);
      }
      if (steps[d] != 1)
        index =
            arith::MulIOp::create(b, loc, index, arith::ConstantIndexOp::create(b, loc, steps[d]));
      if (lbs[d] != 0)
        index =
            arith::AddIOp::create(b, loc, index, arith::ConstantIndexOp::create(b, loc, lbs[d]));
      mapping.map(parallel.getInductionVars()[d], index);
    }
    for (Operation &op : parallel.getBody()->without_terminator())
      b.clone(op, mapping);
    parallel.erase();
    return launch;
  }

  /// The one-thread launch that runs `ops`, a run of top-level ops.
  FailureOr<gpu::LaunchOp> mapSerial(ArrayRef<Operation *> ops) {
    for (Operation *op : ops)
      for (Operation *user : op->getUsers())
        if (!llvm::any_of(ops, [&](Operation *o) { return o->isAncestor(user); }))
          return op->emitError("kiln-cuda-map-to-launches: a value computed on the device is used "
                               "by another kernel"),
                 failure();
    OpBuilder b(ops.front());
    gpu::LaunchOp launch = createLaunch(b, ops.front()->getLoc(), 1, 1);
    Operation *terminator = launch.getBody().front().getTerminator();
    for (Operation *op : ops)
      op->moveBefore(terminator);
    return launch;
  }

  /// Copies into `launch` the sinkable ops whose results it uses, with the
  /// sinkable ops they depend on, so that it captures only what cannot
  /// move: function arguments and globals.
  void sinkIntoLaunch(gpu::LaunchOp launch) {
    Region &body = launch.getBody();
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(body, captured);
    OpBuilder b = OpBuilder::atBlockBegin(&body.front());
    IRMapping mapping;
    std::function<bool(Value)> sink = [&](Value value) {
      if (mapping.contains(value))
        return true;
      Operation *def = value.getDefiningOp();
      if (!def || !isSinkable(def))
        return false;
      for (Value operand : def->getOperands())
        (void)sink(operand);
      b.clone(*def, mapping);
      return true;
    };
    for (Value value : captured)
      if (sink(value))
        replaceAllUsesInRegionWith(value, mapping.lookup(value), body);
  }

  gpu::LaunchOp createLaunch(OpBuilder &b, Location loc, int64_t blocks, int64_t threads) {
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value grid = arith::ConstantIndexOp::create(b, loc, blocks);
    Value block = arith::ConstantIndexOp::create(b, loc, threads);
    auto launch = gpu::LaunchOp::create(
        b, loc, grid, one, one, block, one, one, /*dynamicSharedMemorySize=*/nullptr,
        /*asyncTokenType=*/nullptr, /*asyncDependencies=*/{}, /*workgroupAttributions=*/{},
        /*privateAttributions=*/{}, nullptr, nullptr, nullptr,
        FlatSymbolRefAttr::get(b.getContext(), kCUDAKernelModule),
        FlatSymbolRefAttr::get(b.getContext(), kernelName(numKernels++, loc)));
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&launch.getBody().front());
    gpu::TerminatorOp::create(b, loc);
    return launch;
  }

  unsigned numKernels = 0;
};

} // namespace
} // namespace kiln
