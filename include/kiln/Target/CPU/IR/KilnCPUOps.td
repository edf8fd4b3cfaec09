//===- KilnCPUOps.td - The CPU codegen ops -----------------*- tablegen -*-===//
//
// kiln_cpu.microkernel: a call of one of Kiln's CPU microkernels, in
// destination style so that one-shot bufferization places its output.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TARGET_CPU_KILNCPUOPS_TD
#define KILN_TARGET_CPU_KILNCPUOPS_TD

include "kiln/Target/CPU/IR/KilnCPUDialect.td"
include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"

def KilnCPU_MicrokernelOp : KilnCPU_Op<"microkernel",
    [AttrSizedOperandSegments, DestinationStyleOpInterface,
     DeclareOpInterfaceMethods<BufferizableOpInterface,
         ["bufferizesToMemoryRead", "bufferizesToMemoryWrite", "getAliasingValues",
          "bufferize"]>]> {
  let summary = "A call of one of Kiln's CPU microkernels";
  let description = [{
    Produced by `kiln-select-microkernels` for a convolution, matrix
    product, max pooling or trailing-axes sum (with its bias, residual add
    and activation) that a microkernel of the target computes, and lowered
    to a call by `kiln-lower-microkernels` once it works on buffers. It is
    in destination style: the last operands are the outputs, and on tensors
    the results are the outputs' new values.

    `kernel` is `gemm`, `conv2d`, `dwconv2d`, `maxpool2d`, `rowsum` or
    `winograd3x3` (whose second output is its scratch space); `variant` the
    vector variant (`avx512`, `avx2`, `sse`, `neon`). The inputs are the
    kernel's operands (two, or one for `maxpool2d` and `rowsum`), then the
    bias and the residual when `params`' last element, the flags, says
    they are there. `params` are the kernel's integer arguments in the
    order of its C signature (lib/Target/CPU/Kernels); `lo` and `hi` clamp
    the result (the activation). The flag bits and parameter counts are
    those of `include/kiln/Target/CPU/MicrokernelABI.h`.

    ```mlir
    %r = kiln_cpu.microkernel "conv2d" "avx2" ins(%x, %w : tensor<1x64x56x56xf32>, tensor<36864xf32>)
         outs(%init : tensor<1x64x56x56xf32>) {params = array<i64: ...>, lo = 0.0 : f32,
         hi = 0x7F800000 : f32} -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins StrAttr:$kernel, StrAttr:$variant,
                       Variadic<AnyShaped>:$inputs, Variadic<AnyShaped>:$outputs,
                       DenseI64ArrayAttr:$params, F32Attr:$lo, F32Attr:$hi);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $kernel $variant (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)` attr-dict (`->` type($results)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() { return getOutputsMutable(); }
  }];
  let hasVerifier = 1;
}

#endif // KILN_TARGET_CPU_KILNCPUOPS_TD
