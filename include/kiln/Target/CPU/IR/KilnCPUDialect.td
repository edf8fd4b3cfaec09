//===- KilnCPUDialect.td - The CPU codegen dialect ---------*- tablegen -*-===//
//
// kiln_cpu: the ops that only the CPU backend creates and consumes. The
// importers never see them; kiln-select-microkernels makes them and
// kiln-lower-microkernels turns them into calls.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_KILNCPUDIALECT_TD
#define KILN_TARGET_CPU_KILNCPUDIALECT_TD

include "mlir/IR/OpBase.td"

def KilnCPU_Dialect : Dialect {
  let name = "kiln_cpu";
  let cppNamespace = "::kiln::cpu";
  let summary = "Code generation ops of Kiln's CPU backend";
  let description = [{
    The kiln_cpu dialect holds what the CPU backend (lib/Target/CPU) adds
    between the core kiln dialect and LLVM: today, calls of Kiln's CPU
    microkernels. Its ops appear only in the linalg and bufferized phases
    of a CPU compilation; the contract of the kernels they call (flag bits,
    parameter counts, variant tiles) is `include/kiln/Target/CPU/MicrokernelABI.h`.
  }];
}

class KilnCPU_Op<string mnemonic, list<Trait> traits = []>
    : Op<KilnCPU_Dialect, mnemonic, traits>;

#endif // KILN_TARGET_CPU_KILNCPUDIALECT_TD
