//===- TorchScriptImporter.h - TorchScript module to kiln dialect -*- C++ -*-===//
//
// The entry point of the TorchScript front end: loads a saved module
// (`torch.jit.trace` or `torch.jit.script`, then `.save`) with libtorch,
// freezes it and builds a `func.func @main` of kiln ops from its forward
// method. Built only with KILN_ENABLE_TORCHSCRIPT; otherwise the functions
// below report that the front end is missing.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_TORCHSCRIPTIMPORTER_H
#define KILN_IMPORT_TORCHSCRIPTIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <vector>

namespace kiln {

struct TorchScriptImportOptions {
  /// Shapes of forward's tensor arguments, by argument name (required:
  /// TorchScript does not record them).
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Their element types ("i64", "f16", ...; f32 where not given).
  std::map<std::string, std::string> inputTypes;
  /// The file name used in diagnostics about the module file itself.
  std::string displayName;
};

/// Whether this Kiln was built with the TorchScript front end.
bool isTorchScriptImportBuilt();

/// Imports the module at `path`. On failure, diagnostics have been emitted
/// through the context's handler and the result is null.
mlir::OwningOpRef<mlir::ModuleOp> importTorchScriptModel(mlir::MLIRContext &context,
                                                         llvm::StringRef path,
                                                         const TorchScriptImportOptions &options);

/// The TorchScript op kinds (aten::..., prim::...) the importer handles,
/// sorted; empty when the front end is not built.
std::vector<std::string> getSupportedTorchScriptOps();

} // namespace kiln

#endif // KILN_IMPORT_TORCHSCRIPTIMPORTER_H
