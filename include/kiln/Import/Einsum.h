//===- Einsum.h - Einsum, built once ----------------------------*- C++ -*-===//
//
// ONNX's Einsum and TorchScript's aten::einsum, built from kiln reductions,
// transposes, reshapes and batched matmuls by one implementation.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_EINSUM_H
#define KILN_IMPORT_EINSUM_H

#include "kiln/Import/CheckedBuilder.h"

namespace kiln {

/// The Einsum of `operands` by `equation` (numpy's notation: explicit or
/// implicit output, ellipses, repeated letters for diagonals and traces).
/// Floating-point operands only. Reports a malformed equation and fails.
mlir::FailureOr<mlir::Value> buildEinsum(CheckedBuilder &b, llvm::StringRef equation,
                                         llvm::ArrayRef<mlir::Value> operands);

} // namespace kiln

#endif // KILN_IMPORT_EINSUM_H
