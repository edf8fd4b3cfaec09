//===- HostModule.h - The host side of a CUDA artifact ----------*- C++ -*-===//
//
// Finishes the host module of a CUDA compilation: the model function's
// weights become addresses in the context's device copy, and the module
// gains the device image, the kernel table, the weights table, the
// `kiln_cuda_model` descriptor and NAME_run_cuda (runtime_cuda.h).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CUDA_HOSTMODULE_H
#define KILN_TARGET_CUDA_HOSTMODULE_H

#include "kiln/Target/CUDA/DeviceImage.h"
#include "kiln/Target/ModelSignature.h"

#include "llvm/Support/Error.h"

namespace llvm {
class Module;
} // namespace llvm

namespace kiln {

/// Removes the `__kiln_cuda_ptx_<arch>` globals of kiln-cuda-embed-device-code
/// from `module` and returns their text, oldest architecture first.
llvm::Expected<std::vector<DevicePTX>> takeDevicePTX(llvm::Module &module);

/// What the descriptor records besides the signature.
struct CUDAArtifact {
  /// The device image: fatbin or PTX text.
  std::string image;
  /// "sm_80,sm_90".
  std::string archs;
  /// The ELF section of the image and of the weights; empty for none.
  std::string imageSection, weightsSection;
};

/// Finishes `module`, whose function `main` takes the inputs, outputs,
/// workspace and launch state: renames it `<name>_invoke`, gives each
/// weight an offset in the device copy (256-byte aligned), and adds the
/// tables, the descriptor `<name>_cuda_model` and `<name>_run_cuda`.
llvm::Error finishCUDAHostModule(llvm::Module &module, const ModelSignature &signature,
                                 const CUDAArtifact &artifact);

} // namespace kiln

#endif // KILN_TARGET_CUDA_HOSTMODULE_H
