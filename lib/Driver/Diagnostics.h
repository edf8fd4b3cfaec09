//===- Diagnostics.h - kilnc's one-line diagnostics -------------*- C++ -*-===//
//
// Prints every MLIR diagnostic as one line that names the model's own
// words: `file: error: node 'n' (Op): message` for ONNX,
// `file.py:line: error: aten::op: message` for TorchScript.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_LIB_DRIVER_DIAGNOSTICS_H
#define KILN_LIB_DRIVER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"

namespace kiln {

class OneLineDiagnostics {
public:
  explicit OneLineDiagnostics(mlir::MLIRContext &ctx);
  bool hadError() const { return errors > 0; }

private:
  mlir::LogicalResult report(mlir::Diagnostic &diag);

  mlir::ScopedDiagnosticHandler handler;
  int errors = 0;
};

} // namespace kiln

#endif // KILN_LIB_DRIVER_DIAGNOSTICS_H
