//===- kiln-opt.cpp - Kiln's optimizer driver -------------------*- C++ -*-===//
//
// MlirOptMain with every dialect and pass Kiln uses registered, including
// the kiln-phase-* pipelines, for lit tests and for replaying a phase.
//
//===----------------------------------------------------------------------===//

#include "kiln/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  kiln::registerKilnDialects(registry);
  kiln::registerKilnPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
