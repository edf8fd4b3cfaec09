//===- TargetRegistry.cpp - Choosing the target backend ---------*- C++ -*-===//
//
// createTargetBackend(): the one place that maps the user's device and
// triple to a TargetBackend. A new target adds its case here.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/TargetBackend.h"

#include "kiln/Target/CPU/CPUBackend.h"

namespace kiln {

llvm::Expected<std::unique_ptr<TargetBackend>> createTargetBackend(const TargetOptions &options) {
  if (options.device == "cpu")
    return createCPUBackend(options);
  return llvm::createStringError("unknown device '" + options.device +
                                 "'; this Kiln generates code for: cpu");
}

} // namespace kiln
