//===- HostModule.cpp - The host side of a CUDA artifact --------*- C++ -*-===//
//
// After translation, the model function passes each weight's host address
// to its kernels. Here those addresses become offsets from the device copy
// the context made (kiln_cuda_launch_state.weights), and the module gains
// what runtime_cuda.h describes:
//
//   static void NAME_cuda_invoke(kiln_cuda_launch_state *, const void *const *in,
//                                void *const *out, void *ws);
//   const kiln_cuda_model NAME_cuda_model;
//   kiln_status NAME_run_cuda(kiln_cuda_context *, const NAME_inputs *,
//                             NAME_outputs *, void *ws, void *stream);
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CUDA/HostModule.h"

#include "kiln/Target/Artifact.h"
#include "kiln/Target/CUDA/Transforms/Passes.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/ReplaceConstant.h"

#include <kiln/runtime_cuda.h>

namespace kiln {

using namespace llvm;

namespace {

/// Device weights are placed like cudaMalloc's allocations.
constexpr uint64_t kDeviceWeightAlignment = 256;

unsigned archNumber(StringRef arch) {
  unsigned n = 0;
  arch.drop_front(3).take_while(isDigit).getAsInteger(10, n);
  return n;
}

struct DeviceWeight {
  GlobalVariable *global;
  uint64_t offset, size;
};

/// Rewrites the weights' uses in `impl` as offsets from the state's
/// device copy; returns the weights with their offsets.
Expected<SmallVector<DeviceWeight>> relocateWeights(Module &m, Function &impl, Value *state,
                                                    uint64_t &totalSize) {
  const DataLayout &dl = m.getDataLayout();
  LLVMContext &ctx = m.getContext();
  SmallVector<DeviceWeight> weights;
  totalSize = 0;
  for (GlobalVariable &gv : m.globals()) {
    if (!gv.isConstant() || !gv.getName().starts_with("__constant_") || gv.use_empty())
      continue;
    uint64_t size = dl.getTypeAllocSize(gv.getValueType());
    uint64_t offset = alignTo(totalSize, kDeviceWeightAlignment);
    weights.push_back({&gv, offset, size});
    totalSize = offset + size;
  }
  if (weights.empty())
    return weights;

  IRBuilder<> b(&*impl.getEntryBlock().getFirstInsertionPt());
  auto *stateTy = StructType::get(ctx, {PointerType::getUnqual(ctx), PointerType::getUnqual(ctx),
                                        Type::getInt64Ty(ctx), Type::getInt32Ty(ctx)});
  Value *address =
      b.CreateLoad(Type::getInt64Ty(ctx), b.CreateStructGEP(stateTy, state, 2), "weights.address");
  Value *base = b.CreateIntToPtr(address, PointerType::getUnqual(ctx), "weights");
  for (DeviceWeight &w : weights) {
    convertUsersOfConstantsToInstructions({w.global});
    Value *device = b.CreateConstInBoundsGEP1_64(Type::getInt8Ty(ctx), base, w.offset,
                                                 w.global->getName() + ".device");
    for (Use &use : llvm::make_early_inc_range(w.global->uses())) {
      auto *user = dyn_cast<Instruction>(use.getUser());
      if (!user || user->getFunction() != &impl)
        return createStringError("internal error: the weight '%s' is used outside the model "
                                 "function",
                                 w.global->getName().str().c_str());
      use.set(device);
    }
  }
  return weights;
}

/// The generic entry: loads the pointer arrays and calls the model.
Function *emitInvoke(Module &m, const ModelSignature &sig, Function &impl) {
  LLVMContext &ctx = m.getContext();
  auto *ptrTy = PointerType::getUnqual(ctx);
  const DataLayout &dl = m.getDataLayout();
  auto *type = FunctionType::get(Type::getVoidTy(ctx), {ptrTy, ptrTy, ptrTy, ptrTy}, false);
  Function *invoke =
      Function::Create(type, GlobalValue::InternalLinkage, sig.name + "_cuda_invoke", m);
  IRBuilder<> b(BasicBlock::Create(ctx, "entry", invoke));
  SmallVector<Value *> args;
  auto loadAll = [&](Value *array, size_t count) {
    for (size_t i = 0; i < count; ++i)
      args.push_back(b.CreateAlignedLoad(ptrTy, b.CreateConstInBoundsGEP1_64(ptrTy, array, i),
                                         dl.getPointerABIAlignment(0)));
  };
  loadAll(invoke->getArg(1), sig.inputs.size());
  loadAll(invoke->getArg(2), sig.outputs.size());
  args.push_back(invoke->getArg(3));
  args.push_back(invoke->getArg(0));
  b.CreateCall(&impl, args);
  b.CreateRetVoid();
  return invoke;
}

} // namespace

Expected<std::vector<DevicePTX>> takeDevicePTX(Module &m) {
  std::vector<DevicePTX> result;
  for (GlobalVariable &gv : llvm::make_early_inc_range(m.globals())) {
    if (!gv.getName().starts_with(kCUDAPTXGlobalPrefix))
      continue;
    auto *data = dyn_cast_or_null<ConstantDataSequential>(gv.getInitializer());
    if (!data || !data->isString())
      return createStringError("internal error: the PTX global '%s' holds no text",
                               gv.getName().str().c_str());
    result.push_back(
        {gv.getName().drop_front(kCUDAPTXGlobalPrefix.size()).str(), data->getAsCString().str()});
    gv.eraseFromParent();
  }
  llvm::sort(result, [](const DevicePTX &a, const DevicePTX &b) {
    return std::make_pair(archNumber(a.arch), a.arch) < std::make_pair(archNumber(b.arch), b.arch);
  });
  return result;
}

Error finishCUDAHostModule(Module &m, const ModelSignature &sig, const CUDAArtifact &artifact) {
  LLVMContext &ctx = m.getContext();
  auto *ptrTy = PointerType::getUnqual(ctx);
  auto *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);

  Function *impl = m.getFunction("main");
  if (!impl)
    return createStringError("internal error: the model function is missing");
  size_t numArgs = sig.inputs.size() + sig.outputs.size() + 2;
  if (impl->arg_size() != numArgs)
    return createStringError("internal error: the model function takes %zu arguments, "
                             "expected %zu",
                             (size_t)impl->arg_size(), numArgs);
  impl->setName(sig.name + "_invoke");
  impl->setLinkage(GlobalValue::InternalLinkage);

  uint64_t weightsSize = 0;
  auto weights = relocateWeights(m, *impl, impl->getArg(numArgs - 1), weightsSize);
  if (!weights)
    return weights.takeError();
  placeWeights(m, artifact.weightsSection, 64);
  auto *weightTy = StructType::get(ctx, {ptrTy, i64, i64});
  Constant *weightTable = ConstantPointerNull::get(ptrTy);
  if (!weights->empty()) {
    SmallVector<Constant *> entries;
    for (const DeviceWeight &w : *weights)
      entries.push_back(ConstantStruct::get(
          weightTy, {w.global, ConstantInt::get(i64, w.offset), ConstantInt::get(i64, w.size)}));
    auto *tableTy = ArrayType::get(weightTy, entries.size());
    auto *table = new GlobalVariable(m, tableTy, true, GlobalValue::PrivateLinkage,
                                     ConstantArray::get(tableTy, entries), sig.name + "_weights");
    table->setAlignment(Align(8));
    weightTable = table;
  }

  // The kernel table of kiln-cuda-lower-launches, renamed for the model.
  Constant *kernelNames = ConstantPointerNull::get(ptrTy);
  uint32_t numKernels = 0;
  if (GlobalVariable *names = m.getGlobalVariable(kCUDAKernelNamesGlobal, true)) {
    auto *data = dyn_cast_or_null<ConstantDataSequential>(names->getInitializer());
    if (!data)
      return createStringError("internal error: the kernel table holds no names");
    numKernels = llvm::count(data->getRawDataValues(), '\0');
    names->setName(sig.name + "_cuda_kernels");
    names->setLinkage(GlobalValue::PrivateLinkage);
    kernelNames = names;
  }

  Constant *image = ConstantPointerNull::get(ptrTy);
  if (!artifact.image.empty()) {
    Constant *init =
        ConstantDataArray::getRaw(artifact.image, artifact.image.size(), Type::getInt8Ty(ctx));
    auto *gv = new GlobalVariable(m, init->getType(), true, GlobalValue::PrivateLinkage, init,
                                  sig.name + "_cuda_image");
    gv->setAlignment(Align(8));
    if (!artifact.imageSection.empty())
      gv->setSection(artifact.imageSection);
    image = gv;
  }

  Function *invoke = emitInvoke(m, sig, *impl);

  auto *modelTy = StructType::get(ctx, {i32, i32, i32, i32, ptrTy, ptrTy, ptrTy, ptrTy, ptrTy, i64,
                                        i64, i64, ptrTy, i64, ptrTy, ptrTy, i64, i64, ptrTy});
  Constant *init = ConstantStruct::get(
      modelTy,
      {ConstantInt::get(i32, KILN_CUDA_ABI_VERSION), ConstantInt::get(i32, sig.inputs.size()),
       ConstantInt::get(i32, sig.outputs.size()), ConstantInt::get(i32, numKernels),
       emitPrivateString(m, sig.name, sig.name + "_name"),
       emitPrivateString(m, "cuda", sig.name + "_device"),
       emitPrivateString(m, artifact.archs, sig.name + "_gpu_archs"),
       emitTensorInfoArray(m, sig.inputs, sig.name, "inputs"),
       emitTensorInfoArray(m, sig.outputs, sig.name, "outputs"),
       ConstantInt::get(i64, sig.workspaceSize), ConstantInt::get(i64, sig.workspaceAlign),
       ConstantInt::get(i64, sig.fingerprint), image, ConstantInt::get(i64, artifact.image.size()),
       kernelNames, weightTable, ConstantInt::get(i64, weights->size()),
       ConstantInt::get(i64, weightsSize), invoke});
  auto *model = new GlobalVariable(m, modelTy, true, GlobalValue::ExternalLinkage, init,
                                   sig.name + "_cuda_model");
  model->setAlignment(Align(8));

  // NAME_run_cuda: refuses a context made for another model, then runs.
  auto *runTy = FunctionType::get(i32, {ptrTy, ptrTy, ptrTy, ptrTy, ptrTy}, false);
  Function *run = Function::Create(runTy, GlobalValue::ExternalLinkage, sig.name + "_run_cuda", m);
  FunctionCallee contextModel =
      m.getOrInsertFunction("kiln_cuda_context_model", FunctionType::get(ptrTy, {ptrTy}, false));
  FunctionCallee runModel = m.getOrInsertFunction(
      "kiln_cuda_run", FunctionType::get(i32, {ptrTy, ptrTy, ptrTy, ptrTy, ptrTy}, false));
  auto *entry = BasicBlock::Create(ctx, "entry", run);
  auto *check = BasicBlock::Create(ctx, "check_model", run);
  auto *wrong = BasicBlock::Create(ctx, "wrong_model", run);
  auto *call = BasicBlock::Create(ctx, "run", run);
  IRBuilder<> b(entry);
  b.CreateCondBr(b.CreateIsNull(run->getArg(0)), call, check);
  b.SetInsertPoint(check);
  Value *owner = b.CreateCall(contextModel, {run->getArg(0)});
  b.CreateCondBr(b.CreateICmpEQ(owner, model), call, wrong);
  b.SetInsertPoint(wrong);
  b.CreateRet(ConstantInt::get(i32, KILN_ERROR_INVALID_ARGUMENT));
  b.SetInsertPoint(call);
  b.CreateRet(b.CreateCall(
      runModel, {run->getArg(0), run->getArg(1), run->getArg(2), run->getArg(3), run->getArg(4)}));
  return Error::success();
}

} // namespace kiln
