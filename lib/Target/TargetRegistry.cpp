//===- TargetRegistry.cpp - Choosing the target backend ---------*- C++ -*-===//
//
// createTargetBackend(): the one place that maps the user's device and
// triple to a TargetBackend. A new target adds its case here.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/TargetBackend.h"

#include "kiln/Target/Artifact.h"
#include "kiln/Target/CPU/CPUBackend.h"
#include "kiln/Target/CUDA/CUDABackend.h"

namespace kiln {

void TargetBackend::emitHeader(const ModelSignature &signature, llvm::raw_ostream &os) const {
  kiln::emitHeader(signature, os);
}

llvm::Expected<std::unique_ptr<TargetBackend>> createTargetBackend(const TargetOptions &options,
                                                                   WarningHandler warn) {
  if (!warn)
    warn = [](const llvm::Twine &) {};
  if (options.device == "cpu")
    return createCPUBackend(options);
  if (options.device == "cuda")
    return createCUDABackend(options, std::move(warn));
  if (options.device == "cuda-emulation")
    return createCUDAEmulationBackend(options);
  return llvm::createStringError("unknown device '" + options.device +
                                 "'; this Kiln generates code for: cpu, cuda (and "
                                 "cuda-emulation, CUDA's kernels run on the CPU for testing)");
}

} // namespace kiln
