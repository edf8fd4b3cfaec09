//===- KilnDialect.h - Kiln dialect declaration -----------------*- C++ -*-===//
//
// Declares the kiln dialect class. Ops are in KilnOps.h.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_IR_KILNDIALECT_H
#define KILN_IR_KILNDIALECT_H

#include "mlir/IR/Dialect.h"

#include "kiln/IR/KilnOpsDialect.h.inc"

#endif // KILN_IR_KILNDIALECT_H
