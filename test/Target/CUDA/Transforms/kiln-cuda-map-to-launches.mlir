// RUN: kiln-opt %s -kiln-cuda-map-to-launches -split-input-file -verify-diagnostics | FileCheck %s
// RUN: kiln-opt %s -kiln-cuda-map-to-launches=block-size=64 -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=B64
// Each top-level loop nest becomes a gpu.launch with one thread per
// iteration; other ops that touch memory run in a one-thread launch.

// 4x300 iterations: 1200 threads in blocks of 256 (5 blocks, the last one
// partly guarded); the inner dimension varies fastest. Views and constants
// are sunk into the launch; the global stays outside and is passed in.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[IN:.*]]: memref<4x300xf32>, %[[WS:.*]]: memref<8192xi8>)
// CHECK: %[[G:.*]] = memref.get_global @bias
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c5, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c256, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) module(@kiln_kernels) function(@k0_add)
// CHECK: %[[OUT:.*]] = memref.view %[[WS]]
// CHECK: %[[B:.*]] = arith.muli %[[BX]], %{{.*}} : index
// CHECK: %[[ID:.*]] = arith.addi %[[B]], %[[TX]] : index
// CHECK: %[[OK:.*]] = arith.cmpi ult, %[[ID]], %{{.*}} : index
// CHECK: scf.if %[[OK]] {
// CHECK:   %[[J:.*]] = arith.remui %[[ID]], %{{.*}} : index
// CHECK:   %[[I:.*]] = arith.divui %[[ID]], %{{.*}} : index
// CHECK:   memref.load %[[IN]][%[[I]], %[[J]]]
// CHECK:   memref.load %[[G]][%[[J]]]
// CHECK:   memref.store %{{.*}}, %[[OUT]][%[[I]], %[[J]]]
// CHECK: gpu.terminator
// B64-LABEL: func.func @elementwise
// B64: gpu.launch blocks({{.*}}) in (%{{.*}} = %c19, {{.*}} threads({{.*}}) in (%{{.*}} = %c64,
memref.global "private" constant @bias : memref<300xf32> = dense<1.0>
func.func @elementwise(%in: memref<4x300xf32>, %ws: memref<8192xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c300 = arith.constant 300 : index
  %bias = memref.get_global @bias : memref<300xf32>
  %out = memref.view %ws[%c0][] : memref<8192xi8> to memref<4x300xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c300) step (%c1, %c1) {
    %a = memref.load %in[%i, %j] : memref<4x300xf32>
    %b = memref.load %bias[%j] : memref<300xf32>
    %s = arith.addf %a, %b : f32
    memref.store %s, %out[%i, %j] : memref<4x300xf32>
    scf.reduce
  } loc(fused<"onnx.Add">["add"])
  return
}

// -----

// 8 iterations with lower bound 2 and step 3: one block of 32 threads
// (a warp), guarded; the index is 2 + 3 * id.
// CHECK-LABEL: func.func @strided
// CHECK: gpu.launch {{.*}} in (%{{.*}} = %c1{{.*}}, {{.*}} threads({{.*}}) in (%{{.*}} = %c32
// CHECK: scf.if
// CHECK: %[[M:.*]] = arith.muli %{{.*}}, %c3
// CHECK: %[[X:.*]] = arith.addi %[[M]], %c2
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[X]]]
func.func @strided(%out: memref<32xf32>) {
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c26 = arith.constant 26 : index
  %cst = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c2) to (%c26) step (%c3) {
    memref.store %cst, %out[%i] : memref<32xf32>
    scf.reduce
  }
  return
}

// -----

// 512 iterations: exactly two full blocks, so no guard.
// CHECK-LABEL: func.func @exact
// CHECK: gpu.launch {{.*}} in (%{{.*}} = %c2{{.*}}, {{.*}} threads({{.*}}) in (%{{.*}} = %c256
// CHECK-NOT: scf.if
// CHECK: gpu.terminator
func.func @exact(%out: memref<512xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %cst = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c512) step (%c1) {
    memref.store %cst, %out[%i] : memref<512xf32>
    scf.reduce
  }
  return
}

// -----

// A full reduction (only a sequential loop) and the store after it run in
// one one-thread launch, in order; the empty loop nest disappears.
// CHECK-LABEL: func.func @serial
// CHECK-NOT: scf.parallel
// CHECK: gpu.launch {{.*}} in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads({{.*}}) in (%{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) module(@kiln_kernels) function(@k0)
// CHECK: %[[SUM:.*]] = scf.for
// CHECK: memref.store %[[SUM]]
// CHECK: gpu.terminator
// CHECK-NOT: gpu.launch
// CHECK: return
func.func @serial(%in: memref<64xf32>, %out: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c0) step (%c1) {
    memref.store %zero, %in[%i] : memref<64xf32>
    scf.reduce
  }
  %sum = scf.for %i = %c0 to %c64 step %c1 iter_args(%acc = %zero) -> f32 {
    %x = memref.load %in[%i] : memref<64xf32>
    %s = arith.addf %acc, %x : f32
    scf.yield %s : f32
  }
  memref.store %sum, %out[] : memref<f32>
  return
}

// -----

// A value loaded in one kernel cannot reach another.
func.func @crossing(%in: memref<64xf32>, %out: memref<64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  // expected-error @+1 {{a value computed on the device is used by another kernel}}
  %x = memref.load %in[%c0] : memref<64xf32>
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    memref.store %x, %out[%i] : memref<64xf32>
    scf.reduce
  }
  return
}

// -----

func.func @dynamic(%out: memref<64xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %cst = arith.constant 0.0 : f32
  // expected-error @+1 {{loop bounds must be constants}}
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %cst, %out[%i] : memref<64xf32>
    scf.reduce
  }
  return
}
