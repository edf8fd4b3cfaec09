//===- ModelSignature.h - What a compiled model looks like from C -*- C++ -*-===//
//
// The names, element types and shapes of a model's inputs and outputs and
// the size of its workspace: everything the header, the descriptor and the
// entry points are generated from.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_MODELSIGNATURE_H
#define KILN_TARGET_MODELSIGNATURE_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace kiln {

struct TensorSignature {
  std::string name;      ///< the model's name for the tensor
  std::string fieldName; ///< a C identifier derived from it, unique
  int32_t dtype = 0;     ///< KILN_DTYPE_* (ONNX data type numbers)
  std::string cType;     ///< "float", "int64_t", ...
  std::vector<int64_t> dims;
  uint64_t byteSize = 0;
};

struct ModelSignature {
  std::string name; ///< the C prefix
  std::vector<TensorSignature> inputs, outputs;
  uint64_t workspaceSize = 0;
  uint64_t workspaceAlign = 64;
  /// Identifies this compiled model version (kiln_model.fingerprint and
  /// NAME_FINGERPRINT): a digest of the model file, the compile-time
  /// inputs and the interface.
  uint64_t fingerprint = 0;
};

/// Reads inputs and outputs from the model function's type and its
/// `kiln.name` argument/result attributes. Fails on an element type that
/// has no C equivalent.
mlir::FailureOr<ModelSignature> getModelSignature(mlir::func::FuncOp func, llvm::StringRef name);

/// Turns any string into a C identifier ([A-Za-z_][A-Za-z0-9_]*).
std::string sanitizeCIdentifier(llvm::StringRef text);

} // namespace kiln

#endif // KILN_TARGET_MODELSIGNATURE_H
