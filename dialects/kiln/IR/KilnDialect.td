//===- KilnDialect.td - Kiln dialect definition ------------*- tablegen -*-===//
//
// The kiln dialect: the compact core op set both importers target.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln";
  let summary = "Kiln's core tensor operations";
  let description = [{
    The kiln dialect holds one operation per mathematical concept that
    neural-network models are built from. Importers decompose framework ops
    (ONNX, TorchScript) into these; fusion and lowering are written once,
    against them. All tensors are ranked and statically shaped; every op
    verifies its operands and infers its result type.
  }];
  let hasConstantMaterializer = 1;
}

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

#endif // KILN_DIALECT_TD
