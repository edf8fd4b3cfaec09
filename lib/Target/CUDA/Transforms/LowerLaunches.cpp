//===- LowerLaunches.cpp - gpu.launch_func into runtime calls ---*- C++ -*-===//
//
// The kiln-cuda-lower-launches pass: gathers the kernels into one
// gpu.module, writes the kernel table, and turns each gpu.launch_func into
// a call of libkiln_rt_cuda's kiln_cuda_launch with the launch state the
// model function now takes as its last argument.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CUDA/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace kiln {
#define GEN_PASS_DEF_LOWERLAUNCHESPASS
#include "kiln/Target/CUDA/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

constexpr llvm::StringLiteral kLaunchFunction = "kiln_cuda_launch";

struct LowerLaunchesPass : impl::LowerLaunchesPassBase<LowerLaunchesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);

    // One module holds every kernel; a kernel's index is its position.
    gpu::GPUModuleOp kernels;
    for (auto gpuModule : llvm::to_vector(module.getOps<gpu::GPUModuleOp>())) {
      if (!kernels) {
        kernels = gpuModule;
        continue;
      }
      Block &into = kernels.getBodyRegion().front();
      for (auto func : llvm::to_vector(gpuModule.getOps<gpu::GPUFuncOp>())) {
        if (SymbolTable::lookupSymbolIn(kernels, func.getName())) {
          func.emitError("kiln-cuda-lower-launches: two kernels are named ") << func.getName();
          return signalPassFailure();
        }
        func->moveBefore(&into, into.end());
      }
      gpuModule.erase();
    }
    if (!kernels)
      return;
    if (kernels.getName() != kCUDAKernelModule)
      kernels.setName(kCUDAKernelModule);

    llvm::StringMap<int32_t> kernelIndex;
    std::string names;
    for (auto func : kernels.getOps<gpu::GPUFuncOp>()) {
      if (!func.isKernel())
        continue;
      kernelIndex[func.getName()] = kernelIndex.size();
      names += func.getName().str();
      names += '\0';
    }
    b.setInsertionPointToStart(module.getBody());
    auto namesType = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), names.size());
    LLVM::GlobalOp::create(b, module.getLoc(), namesType, /*isConstant=*/true,
                           LLVM::Linkage::Internal, kCUDAKernelNamesGlobal, b.getStringAttr(names));

    auto ptrType = LLVM::LLVMPointerType::get(ctx);
    auto i32 = b.getI32Type(), i64 = b.getI64Type();
    auto paramsType = MemRefType::get({kCUDAMaxKernelParams}, i64);
    auto launchType = FunctionType::get(
        ctx, {ptrType, i32, i32, i32, i32, i32, i32, i32, i32, paramsType, i32}, {});
    if (!module.lookupSymbol(kLaunchFunction)) {
      auto decl = func::FuncOp::create(b, module.getLoc(), kLaunchFunction, launchType);
      decl.setPrivate();
    }

    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      SmallVector<gpu::LaunchFuncOp> launches;
      func.walk([&](gpu::LaunchFuncOp launch) { launches.push_back(launch); });
      if (launches.empty())
        continue;
      unsigned stateIndex = func.getNumArguments();
      if (failed(func.insertArgument(
              stateIndex, ptrType,
              b.getDictionaryAttr(b.getNamedAttr("kiln.launch_state", b.getUnitAttr())),
              func.getLoc())))
        return signalPassFailure();
      Value state = func.getArgument(stateIndex);
      b.setInsertionPointToStart(&func.getBody().front());
      Value params = memref::AllocaOp::create(b, func.getLoc(), paramsType);
      for (gpu::LaunchFuncOp launch : launches)
        if (failed(lowerLaunch(b, launch, state, params, kernelIndex)))
          return signalPassFailure();
    }
  }

  LogicalResult lowerLaunch(OpBuilder &b, gpu::LaunchFuncOp launch, Value state, Value params,
                            const llvm::StringMap<int32_t> &kernelIndex) {
    Location loc = launch.getLoc();
    if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
        launch.getAsyncObject() || launch.getClusterSizeX())
      return launch.emitError("kiln-cuda-lower-launches: async and cluster launches are not "
                              "supported");
    auto index = kernelIndex.find(launch.getKernelName().getValue());
    if (index == kernelIndex.end())
      return launch.emitError("kiln-cuda-lower-launches: unknown kernel ")
             << launch.getKernelName();
    if ((int64_t)launch.getNumKernelOperands() > kCUDAMaxKernelParams)
      return launch.emitError("kiln-cuda-lower-launches: the kernel takes ")
             << launch.getNumKernelOperands() << " arguments, more than " << kCUDAMaxKernelParams;

    b.setInsertionPoint(launch);
    auto i32 = b.getI32Type(), i64 = b.getI64Type();
    for (auto [i, arg] : llvm::enumerate(launch.getKernelOperands())) {
      Value word;
      Type type = arg.getType();
      if (isa<MemRefType>(type)) {
        Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, arg);
        word = arith::IndexCastUIOp::create(b, loc, i64, address);
      } else if (type.isIndex()) {
        word = arith::IndexCastOp::create(b, loc, i64, arg);
      } else if (auto integer = dyn_cast<IntegerType>(type); integer && integer.getWidth() <= 64) {
        word =
            integer.getWidth() == 64 ? arg : arith::ExtUIOp::create(b, loc, i64, arg).getResult();
      } else if (type.isF32() || type.isF64()) {
        auto bits = b.getIntegerType(type.getIntOrFloatBitWidth());
        Value cast = arith::BitcastOp::create(b, loc, bits, arg);
        word = type.isF64() ? cast : arith::ExtUIOp::create(b, loc, i64, cast).getResult();
      } else {
        return launch.emitError("kiln-cuda-lower-launches: cannot pass a kernel argument of type ")
               << type;
      }
      memref::StoreOp::create(b, loc, word, params,
                              ValueRange{arith::ConstantIndexOp::create(b, loc, i)});
    }
    auto toI32 = [&](Value v) -> Value {
      if (v.getType().isIndex())
        return arith::IndexCastUIOp::create(b, loc, i32, v);
      return v;
    };
    Value smem = launch.getDynamicSharedMemorySize();
    SmallVector<Value> operands = {
        state,
        arith::ConstantIntOp::create(b, loc, i32, index->second),
        toI32(launch.getGridSizeX()),
        toI32(launch.getGridSizeY()),
        toI32(launch.getGridSizeZ()),
        toI32(launch.getBlockSizeX()),
        toI32(launch.getBlockSizeY()),
        toI32(launch.getBlockSizeZ()),
        smem ? toI32(smem) : arith::ConstantIntOp::create(b, loc, i32, 0).getResult(),
        params,
        arith::ConstantIntOp::create(b, loc, i32, launch.getNumKernelOperands())};
    func::CallOp::create(b, loc, kLaunchFunction, TypeRange{}, operands);
    launch.erase();
    return success();
  }
};

} // namespace
} // namespace kiln
