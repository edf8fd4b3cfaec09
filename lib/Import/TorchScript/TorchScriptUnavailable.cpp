//===- TorchScriptUnavailable.cpp - The front end when not built -*- C++ -*-===//
//
// Linked instead of the TorchScript importer when Kiln is configured
// without libtorch (KILN_ENABLE_TORCHSCRIPT=OFF or libtorch not found):
// compiling a .pt file then fails with a message that says so.
//
//===----------------------------------------------------------------------===//

#include "kiln/Import/TorchScriptImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace kiln {

bool isTorchScriptImportBuilt() { return false; }

OwningOpRef<ModuleOp> importTorchScriptModel(MLIRContext &context, llvm::StringRef path,
                                             const TorchScriptImportOptions &options) {
  std::string name =
      options.displayName.empty() ? llvm::sys::path::filename(path).str() : options.displayName;
  emitError(FileLineColLoc::get(&context, name, 0, 0))
      << "this kilnc was built without TorchScript support; rebuild Kiln with libtorch "
         "(apt-get install libtorch-dev) and -DKILN_ENABLE_TORCHSCRIPT=ON";
  return nullptr;
}

std::vector<std::string> getSupportedTorchScriptOps() { return {}; }

} // namespace kiln
