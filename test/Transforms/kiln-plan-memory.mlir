// RUN: kiln-opt %s -kiln-plan-memory -split-input-file -verify-diagnostics | FileCheck %s
// RUN: kiln-opt %s -kiln-plan-memory=alignment=128 -split-input-file -verify-diagnostics | FileCheck %s --check-prefix=ALIGN128
// Buffers become views of one workspace argument; buffers that are not
// live at the same time share bytes.

// CHECK-LABEL: func @chain
// CHECK-SAME: %[[WS:[a-z0-9]+]]: memref<512xi8> {kiln.workspace}
// CHECK-SAME: kiln.workspace_size = 512
func.func @chain(%in: memref<64xf32>, %out: memref<64xf32>) {
  // %a and %b overlap in time; %c reuses %a's bytes once %a is dead.
  // CHECK: %[[C0:.*]] = arith.constant 0 : index
  // CHECK: memref.view %[[WS]][%[[C0]]][] : memref<512xi8> to memref<64xf32>
  %a = memref.alloc() : memref<64xf32>
  memref.copy %in, %a : memref<64xf32> to memref<64xf32>
  // CHECK: %[[C256:.*]] = arith.constant 256 : index
  // CHECK: memref.view %[[WS]][%[[C256]]][] : memref<512xi8> to memref<64xf32>
  %b = memref.alloc() : memref<64xf32>
  memref.copy %a, %b : memref<64xf32> to memref<64xf32>
  // CHECK: %[[C0B:.*]] = arith.constant 0 : index
  // CHECK: memref.view %[[WS]][%[[C0B]]][] : memref<512xi8> to memref<16xf32>
  %c = memref.alloc() : memref<16xf32>
  %sub = memref.subview %b[0] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1]>>
  memref.copy %sub, %c : memref<16xf32, strided<[1]>> to memref<16xf32>
  %d = memref.subview %out[0] [16] [1] : memref<64xf32> to memref<16xf32, strided<[1]>>
  memref.copy %c, %d : memref<16xf32> to memref<16xf32, strided<[1]>>
  // CHECK-NOT: memref.alloc
  return
}

// -----

// A view keeps its buffer alive.
// CHECK-LABEL: func @view_extends_life
// CHECK-SAME: kiln.workspace_size = 128
// ALIGN128-LABEL: func @view_extends_life
// ALIGN128-SAME: kiln.workspace_size = 256
func.func @view_extends_life(%out: memref<4x4xf32>) {
  %a = memref.alloc() : memref<16xf32>
  %e = memref.expand_shape %a [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  %b = memref.alloc() : memref<4x4xf32>
  memref.copy %e, %b : memref<4x4xf32> to memref<4x4xf32>
  memref.copy %b, %out : memref<4x4xf32> to memref<4x4xf32>
  return
}

// -----

// No buffers: an empty workspace.
// CHECK-LABEL: func @none
// CHECK-SAME: memref<0xi8> {kiln.workspace}
// CHECK-SAME: kiln.workspace_size = 0
func.func @none(%in: memref<4xf32>, %out: memref<4xf32>) {
  memref.copy %in, %out : memref<4xf32> to memref<4xf32>
  return
}

// -----

func.func @dynamic(%n: index) {
  // expected-error@+1 {{cannot plan an allocation that is dynamic}}
  %a = memref.alloc(%n) : memref<?xf32>
  return
}
