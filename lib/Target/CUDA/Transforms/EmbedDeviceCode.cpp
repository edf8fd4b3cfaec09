//===- EmbedDeviceCode.cpp - gpu.binary objects into host globals -*- C++ -*-===//
//
// The kiln-cuda-embed-device-code pass: the PTX of each target of each
// gpu.binary becomes a constant host global, @__kiln_cuda_ptx_<chip>, and
// the gpu.binary goes away, leaving the host module in the LLVM dialect.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CUDA/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Builders.h"

namespace kiln {
#define GEN_PASS_DEF_EMBEDDEVICECODEPASS
#include "kiln/Target/CUDA/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace kiln {
namespace {

struct EmbedDeviceCodePass : impl::EmbedDeviceCodePassBase<EmbedDeviceCodePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(&getContext());
    for (auto binary : llvm::to_vector(module.getOps<gpu::BinaryOp>())) {
      b.setInsertionPoint(binary);
      for (Attribute attr : binary.getObjects()) {
        auto object = cast<gpu::ObjectAttr>(attr);
        auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
        if (!target || object.getFormat() != gpu::CompilationTarget::Assembly) {
          binary.emitError("kiln-cuda-embed-device-code: expected NVVM objects in PTX form, got ")
              << object;
          return signalPassFailure();
        }
        std::string text = object.getObject().getValue().str();
        text += '\0';
        std::string name = (kCUDAPTXGlobalPrefix + target.getChip()).str();
        if (module.lookupSymbol(name)) {
          binary.emitError("kiln-cuda-embed-device-code: two objects for ") << target.getChip();
          return signalPassFailure();
        }
        auto type = LLVM::LLVMArrayType::get(b.getI8Type(), text.size());
        LLVM::GlobalOp::create(b, binary.getLoc(), type, /*isConstant=*/true,
                               LLVM::Linkage::Internal, name, b.getStringAttr(text));
      }
      binary.erase();
    }
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
  }
};

} // namespace
} // namespace kiln
