//===- KilnCPUDialect.h - The CPU codegen dialect ---------------*- C++ -*-===//
//
// Declares the kiln_cpu dialect and its ops (KilnCPUOps.td).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_IR_KILNCPUDIALECT_H
#define KILN_TARGET_CPU_IR_KILNCPUDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"

#include "kiln/Target/CPU/IR/KilnCPUOpsDialect.h.inc"

#define GET_OP_CLASSES
#include "kiln/Target/CPU/IR/KilnCPUOps.h.inc"

#endif // KILN_TARGET_CPU_IR_KILNCPUDIALECT_H
