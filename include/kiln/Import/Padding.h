//===- Padding.h - Padding, built once --------------------------*- C++ -*-===//
//
// ONNX's Pad and TorchScript's pad ops pad by static amounts in one of four
// modes; both front ends build them here.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IMPORT_PADDING_H
#define KILN_IMPORT_PADDING_H

#include "kiln/Import/CheckedBuilder.h"

namespace kiln {

/// `x` padded by `pads` (the begins of every axis, then the ends; negative
/// amounts crop) in `mode`: "constant" (with `value`), "edge" (repeat the
/// border), "reflect" (mirror without repeating it) or "wrap" (circular).
/// Reports a reflection longer than its axis, or an empty result, and
/// fails.
mlir::FailureOr<mlir::Value> buildPad(CheckedBuilder &b, mlir::Value x,
                                      llvm::ArrayRef<int64_t> pads, llvm::StringRef mode,
                                      double value);

} // namespace kiln

#endif // KILN_IMPORT_PADDING_H
