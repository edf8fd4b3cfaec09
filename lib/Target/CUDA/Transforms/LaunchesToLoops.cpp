//===- LaunchesToLoops.cpp - gpu.launch back into loops on the host -*- C++ -*-===//
//
// The kiln-cuda-launches-to-loops pass: each gpu.launch becomes loops over
// its blocks and threads that run the body once per thread, with the ids
// and sizes as loop values. It lets the CUDA backend's kernel mapping run
// on the CPU (kilnc --device=cuda-emulation), where its index arithmetic is
// checked against the reference outputs of every model.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CUDA/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace kiln {
#define GEN_PASS_DEF_LAUNCHESTOLOOPSPASS
#include "kiln/Target/CUDA/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct LaunchesToLoopsPass : impl::LaunchesToLoopsPassBase<LaunchesToLoopsPass> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation().walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    for (gpu::LaunchOp launch : launches)
      if (failed(lower(launch)))
        return signalPassFailure();
  }

  LogicalResult lower(gpu::LaunchOp launch) {
    if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
        launch.getDynamicSharedMemorySize() || launch.hasClusterSize() ||
        !launch.getWorkgroupAttributions().empty() || !launch.getPrivateAttributions().empty())
      return launch.emitError("kiln-cuda-launches-to-loops: only plain launches run on the host");
    Region &body = launch.getBody();
    if (!body.hasOneBlock())
      return launch.emitError("kiln-cuda-launches-to-loops: the launch body must be one block");
    bool hasBarrier = false;
    body.walk([&](gpu::BarrierOp) { hasBarrier = true; });
    if (hasBarrier)
      return launch.emitError("kiln-cuda-launches-to-loops: a launch with barriers cannot run "
                              "one thread after another");

    Location loc = launch.getLoc();
    OpBuilder b(launch);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    gpu::KernelDim3 grid = launch.getGridSize(), block = launch.getBlockSize();
    gpu::KernelDim3 gridArgs = launch.getGridSizeOperandValues(),
                    blockArgs = launch.getBlockSizeOperandValues();
    IRMapping mapping;
    mapping.map(grid.x, gridArgs.x);
    mapping.map(grid.y, gridArgs.y);
    mapping.map(grid.z, gridArgs.z);
    mapping.map(block.x, blockArgs.x);
    mapping.map(block.y, blockArgs.y);
    mapping.map(block.z, blockArgs.z);
    // Blocks outermost, z to x; then threads, z to x.
    std::pair<Value, Value> loops[] = {
        {launch.getBlockIds().z, gridArgs.z},   {launch.getBlockIds().y, gridArgs.y},
        {launch.getBlockIds().x, gridArgs.x},   {launch.getThreadIds().z, blockArgs.z},
        {launch.getThreadIds().y, blockArgs.y}, {launch.getThreadIds().x, blockArgs.x}};
    for (auto [id, size] : loops) {
      auto loop = scf::ForOp::create(b, loc, zero, size, one);
      mapping.map(id, loop.getInductionVar());
      b.setInsertionPoint(loop.getBody()->getTerminator());
    }
    for (Operation &op : body.front().without_terminator())
      b.clone(op, mapping);
    launch.erase();
    return success();
  }
};

} // namespace
} // namespace kiln
