// RUN: kiln-opt %s -kiln-outline-parallel-loops -split-input-file | FileCheck %s
// RUN: kiln-opt %s -kiln-outline-parallel-loops=min-work=1000000000 -split-input-file | FileCheck %s --check-prefix=HIGH
// RUN: kiln-opt %s -kiln-outline-parallel-loops=min-work=0 -split-input-file | FileCheck %s --check-prefix=ZERO
// Top-level parallel loops with enough work move into task functions that
// run a range of chunks; the call left behind runs every chunk.

// An elementwise loop over views of the workspace: the views and
// constants are recomputed in the task, only the workspace is passed.
// 2x128x256 iterations of 4 operations: chunks split the first two
// dimensions (256 pieces) into min(256, 64, work / (min-work / 4)) = 16
// chunks; the last dimension stays an inner loop.
// CHECK-LABEL: func.func private @relu__kiln_task0
// CHECK-SAME: (%[[BEGIN:.*]]: index, %[[END:.*]]: index, %[[WS:.*]]: memref<524288xi8>)
// CHECK-SAME: attributes {kiln.parallel_task, llvm.linkage = #llvm.linkage<internal>}
// CHECK: %[[IN:.*]] = memref.view %[[WS]][%{{.*}}][] : memref<524288xi8> to memref<2x128x256xf32>
// CHECK: %[[OUT:.*]] = memref.view %[[WS]][%{{.*}}][] : memref<524288xi8> to memref<2x128x256xf32>
// 256 pieces in 16 chunks: chunk c starts at c*16 + c*0/16.
// CHECK: %[[Q:.*]] = arith.constant 16 : index
// CHECK: %[[R:.*]] = arith.constant 0 : index
// CHECK: %[[CHUNKS:.*]] = arith.constant 16 : index
// CHECK: %[[BW:.*]] = arith.muli %[[BEGIN]], %[[Q]]
// CHECK: %[[BP:.*]] = arith.muli %[[BEGIN]], %[[R]]
// CHECK: %[[BD:.*]] = arith.divui %[[BP]], %[[CHUNKS]]
// CHECK: %[[FIRST:.*]] = arith.addi %[[BW]], %[[BD]]
// CHECK: %[[EW:.*]] = arith.muli %[[END]], %[[Q]]
// CHECK: %[[EP:.*]] = arith.muli %[[END]], %[[R]]
// CHECK: %[[ED:.*]] = arith.divui %[[EP]], %[[CHUNKS]]
// CHECK: %[[LAST:.*]] = arith.addi %[[EW]], %[[ED]]
// CHECK: scf.for %[[F:.*]] = %[[FIRST]] to %[[LAST]]
// CHECK:   %[[J:.*]] = arith.remui %[[F]], %c128
// CHECK:   %[[I:.*]] = arith.divui %[[F]], %c128
// CHECK:   scf.parallel (%[[K:.*]]) = (%c0{{.*}}) to (%c256{{.*}}) step (%c1{{.*}})
// CHECK:     memref.load %[[IN]][%{{.*}}, %{{.*}}, %[[K]]]
// CHECK:     arith.maximumf
// CHECK:     memref.store %{{.*}}, %[[OUT]]
// CHECK: return
// CHECK-LABEL: func.func @relu
// CHECK-NOT: scf.parallel
// CHECK: memref.view
// CHECK: memref.view
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[C16:.*]] = arith.constant 16 : index
// CHECK-NEXT: call @relu__kiln_task0(%[[C0]], %[[C16]], %arg0)
// CHECK-NOT: scf.parallel
// HIGH-LABEL: func.func @relu
// HIGH: scf.parallel
// HIGH-NOT: call
func.func @relu(%ws: memref<524288xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %off = arith.constant 262144 : index
  %zero = arith.constant 0.0 : f32
  %in = memref.view %ws[%c0][] : memref<524288xi8> to memref<2x128x256xf32>
  %out = memref.view %ws[%off][] : memref<524288xi8> to memref<2x128x256xf32>
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c2, %c128, %c256) step (%c1, %c1, %c1) {
    %x = memref.load %in[%i, %j, %k] : memref<2x128x256xf32>
    %y = arith.maximumf %x, %zero : f32
    memref.store %y, %out[%i, %j, %k] : memref<2x128x256xf32>
  }
  return
}

// -----

// A row-wise reduction (softmax's maximum): the inner scf.for's trips
// count towards the work; a single dimension is split whole. A scalar
// loaded outside the loop is passed.
// CHECK-LABEL: func.func private @rowmax__kiln_task0
// CHECK-SAME: (%{{.*}}: index, %{{.*}}: index, %[[X:.*]]: memref<512x512xf32>, %[[Y:.*]]: memref<512xf32>, %[[INIT:.*]]: f32)
// CHECK: scf.for
// CHECK-NOT: scf.parallel
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]])
// CHECK-LABEL: func.func @rowmax
// CHECK: call @rowmax__kiln_task0(%{{.*}}, %{{.*}}, %arg0, %arg1, %{{.*}}) : (index, index, memref<512x512xf32>, memref<512xf32>, f32) -> ()
func.func @rowmax(%x: memref<512x512xf32>, %y: memref<512xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c512 = arith.constant 512 : index
  %init = memref.load %s[] : memref<f32>
  scf.parallel (%i) = (%c0) to (%c512) step (%c1) {
    %m = scf.for %j = %c0 to %c512 step %c1 iter_args(%acc = %init) -> f32 {
      %v = memref.load %x[%i, %j] : memref<512x512xf32>
      %n = arith.maximumf %acc, %v : f32
      scf.yield %n : f32
    }
    memref.store %m, %y[%i] : memref<512xf32>
  }
  return
}

// -----

// Too little work (64 x 64 x 2 operations) stays inline; with min-work=0
// every loop is outlined, in up to 64 chunks.
// ZERO-LABEL: func.func private @small__kiln_task0
// ZERO: arith.constant 64 : index
// ZERO-LABEL: func.func @small
// ZERO: call @small__kiln_task0
// CHECK-LABEL: func.func @small
// CHECK: scf.parallel
// CHECK-NOT: call
func.func @small(%x: memref<64x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c64) step (%c1, %c1) {
    memref.store %zero, %x[%i, %j] : memref<64x64xf32>
  }
  return
}

// -----

// Loops with dynamic bounds, or over a memref of dynamic shape, stay
// inline: neither can be described to a task function.
// CHECK-LABEL: func.func @dynamic
// CHECK-COUNT-2: scf.parallel
// CHECK-NOT: call
func.func @dynamic(%x: memref<?x4096xf32>, %y: memref<4096x4096xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4096 = arith.constant 4096 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c4096, %c4096) step (%c1, %c1) {
    memref.store %zero, %x[%i, %j] : memref<?x4096xf32>
  }
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c4096) step (%c1, %c1) {
    memref.store %zero, %y[%i, %j] : memref<4096x4096xf32>
  }
  return
}

// -----

// Strided views with static strides are passed as they are; a step and a
// lower bound other than 0 and 1 map chunk indices back to iterations.
// CHECK-LABEL: func.func private @strided__kiln_task0
// CHECK-SAME: memref<256x512xf32, strided<[1024, 1], offset: 3>>
// CHECK: %[[F:.*]] = arith.muli %{{.*}}, %c2
// CHECK: arith.addi %[[F]], %c4
// CHECK-LABEL: func.func @strided
// CHECK: call @strided__kiln_task0
func.func @strided(%x: memref<256x512xf32, strided<[1024, 1], offset: 3>>) {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c256 = arith.constant 256 : index
  %c512 = arith.constant 512 : index
  %one = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c4) to (%c256) step (%c2) {
    scf.for %j = %c4 to %c512 step %c1 {
      memref.store %one, %x[%i, %j] : memref<256x512xf32, strided<[1024, 1], offset: 3>>
    }
  }
  return
}
