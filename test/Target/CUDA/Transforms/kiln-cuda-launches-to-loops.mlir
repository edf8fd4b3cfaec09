// RUN: kiln-opt %s -kiln-cuda-launches-to-loops -split-input-file -verify-diagnostics | FileCheck %s
// Each launch runs as loops over its blocks and threads (z, y, x each),
// with the ids as the loop indices and the sizes as the launch operands.

// CHECK-LABEL: func.func @launch
// CHECK-SAME: (%[[OUT:.*]]: memref<1200xf32>)
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[STEP:.*]] = arith.constant 1 : index
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[C1]] step %[[STEP]] {
// CHECK:   scf.for %{{.*}} = %[[C0]] to %[[C1]] step %[[STEP]] {
// CHECK:     scf.for %[[BX:.*]] = %[[C0]] to %[[C5]] step %[[STEP]] {
// CHECK:       scf.for %{{.*}} = %[[C0]] to %[[C1]] step %[[STEP]] {
// CHECK:         scf.for %{{.*}} = %[[C0]] to %[[C1]] step %[[STEP]] {
// CHECK:           scf.for %[[TX:.*]] = %[[C0]] to %[[C256]] step %[[STEP]] {
// CHECK:             %[[B:.*]] = arith.muli %[[BX]], %[[C256]] : index
// CHECK:             %[[ID:.*]] = arith.addi %[[B]], %[[TX]] : index
// CHECK:             scf.if
// CHECK:               memref.store %{{.*}}, %[[OUT]][%[[ID]]]
// CHECK-NOT: gpu.
func.func @launch(%out: memref<1200xf32>) {
  %c1 = arith.constant 1 : index
  %c5 = arith.constant 5 : index
  %c256 = arith.constant 256 : index
  %c1200 = arith.constant 1200 : index
  %cst = arith.constant 1.0 : f32
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c5, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
    %b = arith.muli %bx, %sx : index
    %id = arith.addi %b, %tx : index
    %ok = arith.cmpi ult, %id, %c1200 : index
    scf.if %ok {
      memref.store %cst, %out[%id] : memref<1200xf32>
    }
    gpu.terminator
  }
  return
}

// -----

// Threads that wait for each other cannot run one after another.
func.func @barrier(%out: memref<32xf32>) {
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  // expected-error @+1 {{a launch with barriers cannot run one thread after another}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c32, %sy = %c1, %sz = %c1) {
    gpu.barrier
    gpu.terminator
  }
  return
}
