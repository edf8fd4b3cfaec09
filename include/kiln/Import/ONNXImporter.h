//===- ONNXImporter.h - ONNX model to kiln dialect --------------*- C++ -*-===//
//
// The entry point of the ONNX front end: reads a binary `.onnx` model or an
// ONNX textual model (`.onnxtxt`), checks it with libonnx, converts it to one
// opset, binds symbolic dimensions, runs shape inference, and builds a
// `func.func @main` of kiln ops.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_ONNXIMPORTER_H
#define KILN_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringRef.h"

#include <map>
#include <string>
#include <vector>

namespace kiln {

/// The newest default-domain opset libonnx knows: older models are
/// converted to it before import.
constexpr int kTargetOnnxOpset = 17;
/// The newest default-domain opset Kiln imports. Models from opset 18 on
/// are imported as they are, each op with its semantics at that opset.
constexpr int kNewestOnnxOpset = 23;
/// The newest ONNX IR version Kiln reads (ONNX 1.18's, the one of opset 23).
/// Versions 9 to 11 add element types (float8, 4-bit) that Kiln refuses
/// where a tensor uses them, and nothing else the importer needs.
constexpr int kNewestIrVersion = 11;

struct ONNXImportOptions {
  /// Shapes given with `--shape name=AxBxC`, by graph input name.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Element types given with those shapes ("i64", ...): each must be the
  /// type the model declares.
  std::map<std::string, std::string> inputTypes;
  /// Inputs given their values at compile time with `--const-input
  /// name=V,V,...` or `name=@tensor.pb`, by graph input name.
  std::map<std::string, std::string> constantInputs;
  /// The file name used in locations and diagnostics (no directories, so
  /// that outputs do not depend on where the model lies).
  std::string displayName;
  /// The most bytes of weights a model may hold (`--max-weights`).
  uint64_t maxWeightBytes = uint64_t(4) << 30;
};

/// Imports the model at `path`. On failure, diagnostics have been emitted
/// through the context's handler and the result is null.
mlir::OwningOpRef<mlir::ModuleOp> importONNXModel(mlir::MLIRContext &context, llvm::StringRef path,
                                                  const ONNXImportOptions &options);

/// Imports a model held in memory: a binary ModelProto, or ONNX textual
/// syntax when `textual`. External data is read relative to `modelDir`.
/// This is what the fuzz targets call; importONNXModel reads the file and
/// comes here too.
mlir::OwningOpRef<mlir::ModuleOp> importONNXModelFromBuffer(mlir::MLIRContext &context,
                                                            llvm::StringRef bytes, bool textual,
                                                            llvm::StringRef modelDir,
                                                            const ONNXImportOptions &options);

/// The ONNX op types (default domain) the importer handles, sorted. The
/// coverage table docs/onnx-ops.md is generated from this list.
std::vector<std::string> getSupportedONNXOps();

} // namespace kiln

#endif // KILN_IMPORT_ONNXIMPORTER_H
