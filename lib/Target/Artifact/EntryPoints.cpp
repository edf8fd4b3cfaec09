//===- EntryPoints.cpp - Entry points and descriptor in LLVM IR -*- C++ -*-===//
//
// Emits, next to the compiled model function, the C-callable entry points
// and the `kiln_model` descriptor of runtime.h (ABI version 2):
//
//   static kiln_status NAME_run_generic(const void *const *in,
//                                       void *const *out, void *ws);
//   kiln_status NAME_run(const NAME_inputs *in, NAME_outputs *out, void *ws);
//   const kiln_model NAME_model;
//
// Both entry points check every pointer and the workspace alignment before
// touching memory, so callers get status codes instead of faults.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Artifact.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"

#include <kiln/runtime.h>

namespace kiln {

using namespace llvm;

GlobalVariable *emitPrivateString(Module &m, StringRef text, const Twine &name) {
  Constant *init = ConstantDataArray::getString(m.getContext(), text);
  auto *gv = new GlobalVariable(m, init->getType(), /*isConstant=*/true,
                                GlobalValue::PrivateLinkage, init, name);
  gv->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  gv->setAlignment(Align(1));
  return gv;
}

/// kiln_tensor_info { ptr name; i32 dtype; i32 rank; ptr dims; i64 bytes }
static StructType *tensorInfoType(LLVMContext &ctx) {
  return StructType::get(ctx,
                         {PointerType::getUnqual(ctx), Type::getInt32Ty(ctx), Type::getInt32Ty(ctx),
                          PointerType::getUnqual(ctx), Type::getInt64Ty(ctx)});
}

Constant *emitTensorInfoArray(Module &m, const std::vector<TensorSignature> &tensors,
                              StringRef prefix, StringRef kind) {
  LLVMContext &ctx = m.getContext();
  StructType *infoTy = tensorInfoType(ctx);
  auto *ptrTy = PointerType::getUnqual(ctx);
  if (tensors.empty())
    return ConstantPointerNull::get(ptrTy);
  SmallVector<Constant *> infos;
  for (auto [i, t] : llvm::enumerate(tensors)) {
    std::string base = (prefix + "_" + kind + "_" + Twine(i)).str();
    Constant *dims = ConstantPointerNull::get(ptrTy);
    if (!t.dims.empty()) {
      Constant *init = ConstantDataArray::get(ctx, ArrayRef<int64_t>(t.dims));
      auto *gv = new GlobalVariable(m, init->getType(), true, GlobalValue::PrivateLinkage, init,
                                    base + "_dims");
      gv->setAlignment(Align(8));
      dims = gv;
    }
    infos.push_back(
        ConstantStruct::get(infoTy, {emitPrivateString(m, t.name, base + "_name"),
                                     ConstantInt::get(Type::getInt32Ty(ctx), t.dtype),
                                     ConstantInt::get(Type::getInt32Ty(ctx), t.dims.size()), dims,
                                     ConstantInt::get(Type::getInt64Ty(ctx), t.byteSize)}));
  }
  auto *arrayTy = ArrayType::get(infoTy, infos.size());
  auto *gv = new GlobalVariable(m, arrayTy, true, GlobalValue::PrivateLinkage,
                                ConstantArray::get(arrayTy, infos), prefix + "_" + kind);
  gv->setAlignment(Align(8));
  return gv;
}

Error emitEntryPoints(const ModelSignature &sig, StringRef implName, Module &m) {
  LLVMContext &ctx = m.getContext();
  Function *impl = m.getFunction(implName);
  if (!impl)
    return createStringError("the model function '%s' is missing", implName.str().c_str());
  size_t numArgs = sig.inputs.size() + sig.outputs.size() + 1;
  if (impl->arg_size() != numArgs)
    return createStringError("the model function takes %zu arguments, expected %zu",
                             (size_t)impl->arg_size(), numArgs);
  impl->setLinkage(GlobalValue::InternalLinkage);

  auto *ptrTy = PointerType::getUnqual(ctx);
  auto *i32 = Type::getInt32Ty(ctx), *i64 = Type::getInt64Ty(ctx);
  const DataLayout &dl = m.getDataLayout();
  auto *intPtrTy = dl.getIntPtrType(ctx);
  auto *runTy = FunctionType::get(i32, {ptrTy, ptrTy, ptrTy}, false);

  // The generic entry: arrays of pointers in model order.
  Function *generic =
      Function::Create(runTy, GlobalValue::InternalLinkage, sig.name + "_run_generic", m);
  {
    auto *entry = BasicBlock::Create(ctx, "entry", generic);
    auto *fail = BasicBlock::Create(ctx, "null_pointer", generic);
    auto *badWorkspace = BasicBlock::Create(ctx, "bad_workspace", generic);
    IRBuilder<> b(entry);
    b.SetInsertPoint(fail);
    b.CreateRet(ConstantInt::get(i32, KILN_ERROR_NULL_POINTER));
    b.SetInsertPoint(badWorkspace);
    b.CreateRet(ConstantInt::get(i32, KILN_ERROR_BAD_WORKSPACE));
    b.SetInsertPoint(entry);
    Value *in = generic->getArg(0), *out = generic->getArg(1), *ws = generic->getArg(2);
    SmallVector<Value *> args;
    auto loadAll = [&](Value *array, size_t count, StringRef what) {
      if (count == 0)
        return;
      auto *next = BasicBlock::Create(ctx, (what + "_ok").str(), generic);
      b.CreateCondBr(b.CreateIsNull(array), fail, next);
      b.SetInsertPoint(next);
      for (size_t i = 0; i < count; ++i) {
        Value *slot = b.CreateConstInBoundsGEP1_64(ptrTy, array, i);
        Value *p = b.CreateAlignedLoad(ptrTy, slot, dl.getPointerABIAlignment(0));
        auto *ok = BasicBlock::Create(ctx, (what + Twine(i) + "_ok").str(), generic);
        b.CreateCondBr(b.CreateIsNull(p), fail, ok);
        b.SetInsertPoint(ok);
        args.push_back(p);
      }
    };
    loadAll(in, sig.inputs.size(), "in");
    loadAll(out, sig.outputs.size(), "out");
    if (sig.workspaceSize > 0) {
      auto *ok = BasicBlock::Create(ctx, "workspace_ok", generic);
      Value *misaligned =
          b.CreateICmpNE(b.CreateAnd(b.CreatePtrToInt(ws, intPtrTy),
                                     ConstantInt::get(intPtrTy, sig.workspaceAlign - 1)),
                         ConstantInt::get(intPtrTy, 0));
      b.CreateCondBr(b.CreateOr(b.CreateIsNull(ws), misaligned), badWorkspace, ok);
      b.SetInsertPoint(ok);
    }
    args.push_back(ws);
    b.CreateCall(impl, args);
    b.CreateRet(ConstantInt::get(i32, KILN_OK));
  }

  // The typed entry: the structs have the layout of the pointer arrays.
  Function *run = Function::Create(runTy, GlobalValue::ExternalLinkage, sig.name + "_run", m);
  {
    IRBuilder<> b(BasicBlock::Create(ctx, "entry", run));
    Value *status = b.CreateCall(generic, {run->getArg(0), run->getArg(1), run->getArg(2)});
    b.CreateRet(status);
  }

  // The descriptor, kiln_model of runtime.h.
  auto *modelTy =
      StructType::get(ctx, {i32, i32, i32, i32, ptrTy, ptrTy, ptrTy, i64, i64, ptrTy, i64});
  Constant *init = ConstantStruct::get(
      modelTy, {ConstantInt::get(i32, KILN_ABI_VERSION), ConstantInt::get(i32, sig.inputs.size()),
                ConstantInt::get(i32, sig.outputs.size()), ConstantInt::get(i32, 0),
                emitPrivateString(m, sig.name, sig.name + "_name"),
                emitTensorInfoArray(m, sig.inputs, sig.name, "inputs"),
                emitTensorInfoArray(m, sig.outputs, sig.name, "outputs"),
                ConstantInt::get(i64, sig.workspaceSize), ConstantInt::get(i64, sig.workspaceAlign),
                generic, ConstantInt::get(i64, sig.fingerprint)});
  auto *model =
      new GlobalVariable(m, modelTy, true, GlobalValue::ExternalLinkage, init, sig.name + "_model");
  model->setAlignment(Align(8));
  return Error::success();
}

} // namespace kiln
