// RUN: kiln-opt %s -kiln-cuda-lower-launches -split-input-file -verify-diagnostics | FileCheck %s
// Launches become calls of the runtime's kiln_cuda_launch with the launch
// state, now the model function's last argument; the kernels gather in
// @kiln_kernels and their names in the kernel table.

// CHECK: llvm.mlir.global internal constant @__kiln_cuda_kernel_names("k0\00k1\00k2\00")
// CHECK: func.func private @kiln_cuda_launch(!llvm.ptr, i32, i32, i32, i32, i32, i32, i32, i32, memref<64xi64>, i32)
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[IN:.*]]: memref<4x300xf32>, %[[WS:.*]]: memref<8192xi8>, %[[STATE:.*]]: !llvm.ptr {kiln.launch_state})
// CHECK: %[[PARAMS:.*]] = memref.alloca() : memref<64xi64>
// CHECK: %[[G:.*]] = memref.get_global @bias
// Kernel 0's arguments: the workspace, the input and the global, as
// addresses; then an index, widened.
// CHECK: %[[A0:.*]] = memref.extract_aligned_pointer_as_index %[[WS]]
// CHECK: %[[W0:.*]] = arith.index_castui %[[A0]] : index to i64
// CHECK: memref.store %[[W0]], %[[PARAMS]][%c0{{.*}}]
// CHECK: %[[A1:.*]] = memref.extract_aligned_pointer_as_index %[[IN]]
// CHECK: memref.store %{{.*}}, %[[PARAMS]][%c1{{.*}}]
// CHECK: %[[A2:.*]] = memref.extract_aligned_pointer_as_index %[[G]]
// CHECK: memref.store %{{.*}}, %[[PARAMS]][%c2{{.*}}]
// CHECK: %[[N:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK: memref.store %[[N]], %[[PARAMS]][%c3{{.*}}]
// CHECK: %[[K0:.*]] = arith.constant 0 : i32
// CHECK: %[[GX:.*]] = arith.index_castui %c5 : index to i32
// CHECK: arith.index_castui %c1 : index to i32
// CHECK: arith.index_castui %c1 : index to i32
// CHECK: %[[BX:.*]] = arith.index_castui %c256 : index to i32
// CHECK: %[[ARGS0:.*]] = arith.constant 4 : i32
// CHECK: call @kiln_cuda_launch(%[[STATE]], %[[K0]], %[[GX]], %{{.*}}, %{{.*}}, %[[BX]], %{{.*}}, %{{.*}}, %{{.*}}, %[[PARAMS]], %[[ARGS0]])
// Kernel 2 comes from another gpu.module: it moved into @kiln_kernels.
// CHECK: %[[K2:.*]] = arith.constant 2 : i32
// CHECK: call @kiln_cuda_launch(%[[STATE]], %[[K2]],
// CHECK-NOT: gpu.launch_func
// CHECK: return
// CHECK: gpu.module @kiln_kernels
// CHECK: gpu.func @k0
// CHECK: gpu.func @k1
// CHECK: gpu.func @k2
// CHECK-NOT: gpu.module
module attributes {gpu.container_module} {
  memref.global "private" constant @bias : memref<300xf32> = dense<1.0>
  func.func @main(%in: memref<4x300xf32>, %ws: memref<8192xi8>) {
    %bias = memref.get_global @bias : memref<300xf32>
    %c1 = arith.constant 1 : index
    %c5 = arith.constant 5 : index
    %c256 = arith.constant 256 : index
    %n = arith.constant 1200 : index
    gpu.launch_func @kiln_kernels::@k0 blocks in (%c5, %c1, %c1) threads in (%c256, %c1, %c1)
        args(%ws : memref<8192xi8>, %in : memref<4x300xf32>, %bias : memref<300xf32>, %n : index)
    gpu.launch_func @kiln_kernels::@k1 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%ws : memref<8192xi8>)
    gpu.launch_func @more::@k2 blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%ws : memref<8192xi8>)
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @k0(%ws: memref<8192xi8>, %in: memref<4x300xf32>, %bias: memref<300xf32>, %n: index) kernel {
      gpu.return
    }
    gpu.func @k1(%ws: memref<8192xi8>) kernel {
      gpu.return
    }
  }
  gpu.module @more {
    gpu.func @k2(%ws: memref<8192xi8>) kernel {
      gpu.return
    }
  }
}

// -----

// A function without launches keeps its signature.
// CHECK-LABEL: func.func @host_only
// CHECK-SAME: (%{{.*}}: memref<4xf32>)
// CHECK-NOT: kiln_cuda_launch
module {
  func.func @host_only(%x: memref<4xf32>) {
    return
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @main(%ws: memref<8xi8>) {
    %c1 = arith.constant 1 : index
    %v = arith.constant dense<1.0> : vector<4xf32>
    // expected-error @+1 {{cannot pass a kernel argument of type 'vector<4xf32>'}}
    gpu.launch_func @kiln_kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1)
        args(%v : vector<4xf32>)
    return
  }
  gpu.module @kiln_kernels {
    gpu.func @k(%v: vector<4xf32>) kernel {
      gpu.return
    }
  }
}
