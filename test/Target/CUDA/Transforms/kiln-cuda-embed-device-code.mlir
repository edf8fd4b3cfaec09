// RUN: kiln-opt %s -kiln-cuda-embed-device-code -split-input-file -verify-diagnostics | FileCheck %s
// The PTX of each target becomes a host global the CUDA backend assembles
// into the fatbin; the gpu.binary and the container attribute go away.

// CHECK: module {
// CHECK-DAG: llvm.mlir.global internal constant @__kiln_cuda_ptx_sm_80(".target sm_80\0A\00")
// CHECK-DAG: llvm.mlir.global internal constant @__kiln_cuda_ptx_sm_90(".target sm_90\0A\00")
// CHECK-NOT: gpu.binary
module attributes {gpu.container_module} {
  gpu.binary @kiln_kernels [
    #gpu.object<#nvvm.target<chip = "sm_80", features = "+ptx80">, assembly = ".target sm_80\0A">,
    #gpu.object<#nvvm.target<chip = "sm_90", features = "+ptx80">, assembly = ".target sm_90\0A">]
}

// -----

module attributes {gpu.container_module} {
  // expected-error @+1 {{expected NVVM objects in PTX form}}
  gpu.binary @kiln_kernels [#gpu.object<#nvvm.target<chip = "sm_80">, bin = "\7FELF">]
}
