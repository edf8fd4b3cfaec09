// RUN: kiln-opt %s -kiln-phase-kiln -kiln-phase-linalg | FileCheck %s --check-prefix=LINALG
// RUN: kiln-opt %s -kiln-phase-kiln -kiln-phase-linalg='microkernels=sse' | FileCheck %s --check-prefix=UK
// RUN: kiln-opt %s -kiln-phase-kiln -kiln-phase-linalg -kiln-phase-bufferized \
// RUN:   -kiln-phase-llvm='index-bitwidth=32' | FileCheck %s --check-prefix=LLVM32
// RUN: kiln-opt %s -kiln-phase-kiln -kiln-phase-linalg='microkernels=sse' -kiln-phase-bufferized \
// RUN:   -kiln-phase-llvm='parallel-loops=true approximate-math=true' | FileCheck %s --check-prefix=LLVM
// kiln-opt's phase pipelines (lib/Pipelines, registered by lib/InitAll.cpp)
// take the phase options kilnc's target backend would choose.

func.func @main(%x: tensor<256x256xf32> {kiln.name = "x"}) -> (tensor<256x256xf32> {kiln.name = "y"}) {
  %w = kiln.constant dense<0.5> : tensor<256x256xf32>
  %m = kiln.matmul %x, %w : (tensor<256x256xf32>, tensor<256x256xf32>) -> tensor<256x256xf32>
  %r = kiln.relu %m : tensor<256x256xf32>
  %e = kiln.exp %r : tensor<256x256xf32>
  return %e : tensor<256x256xf32>
}

// Without microkernels: a named linalg matmul.
// LINALG-LABEL: func.func @main
// LINALG: linalg.matmul
// LINALG-NOT: kiln_cpu.microkernel

// With the sse variant: one microkernel with the relu in its epilogue.
// UK-LABEL: func.func @main
// UK: kiln_cpu.microkernel "gemm" "sse"
// UK-SAME: lo = 0.000000e+00
// UK-NOT: linalg.matmul

// Index is 32 bits wide; the loops stay inline.
// LLVM32: llvm.func @main(%{{.*}}: !llvm.ptr {kiln.name = "x"}, %{{.*}}: !llvm.ptr {kiln.name = "y"}, %{{.*}}: !llvm.ptr {kiln.workspace})
// LLVM32: llvm.mlir.constant(256 : index) : i32
// LLVM32-NOT: kiln_parallel_for

// The exp loop runs on the runtime's threads, approximated (no expf call).
// LLVM: llvm.func @main
// LLVM: llvm.call @kiln_uk_gemm_f32_sse
// LLVM: llvm.call @kiln_parallel_for
// LLVM-NOT: @expf
