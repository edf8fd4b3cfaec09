//===- KilnCPUDialect.cpp - kiln_cpu dialect registration -------*- C++ -*-===//
//
// Registers the kiln_cpu ops.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/CPU/IR/KilnCPUDialect.h"

#include "kiln/Target/CPU/IR/KilnCPUOpsDialect.cpp.inc"

#define GET_OP_CLASSES
#include "kiln/Target/CPU/IR/KilnCPUOps.cpp.inc"

namespace kiln::cpu {

void KilnCPUDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "kiln/Target/CPU/IR/KilnCPUOps.cpp.inc"
      >();
}

} // namespace kiln::cpu
