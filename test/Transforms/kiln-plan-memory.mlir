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

// -----

// The plan is recorded for the memory report: the steps (ops that do
// work, with their nodes) and each buffer's node, offset, padded size, own
// bytes and the steps it is live in.
// CHECK-LABEL: func @recorded
// CHECK-SAME: kiln.memory_plan = {buffers = [
// CHECK-SAME: {bytes = 40 : i64, first = 0 : i64, last = 1 : i64, node = "conv1", offset = 256 : i64, op = "Conv", over = -1 : i64, size = 64 : i64}
// CHECK-SAME: {bytes = 256 : i64, first = 1 : i64, last = 2 : i64, node = "relu1", offset = 0 : i64, op = "Relu", over = -1 : i64, size = 256 : i64}
// CHECK-SAME: steps = {{\[}}["conv1", "Conv"], ["relu1", "Relu"], ["out", "Identity"]]
func.func @recorded(%in: memref<10xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<10xf32> loc(fused<"onnx.Conv">["conv1"])
  memref.copy %in, %a : memref<10xf32> to memref<10xf32> loc(fused<"onnx.Conv">["conv1"])
  %b = memref.alloc() : memref<64xf32> loc(fused<"onnx.Relu">["relu1"])
  %s = memref.subview %b[0] [10] [1] : memref<64xf32> to memref<10xf32, strided<[1]>>
  memref.copy %a, %s : memref<10xf32> to memref<10xf32, strided<[1]>> loc(fused<"onnx.Relu">["relu1"])
  memref.copy %b, %out : memref<64xf32> to memref<64xf32> loc(fused<"onnx.Identity">["out"])
  return
}

// -----

// A buffer's life starts at the first op that touches it, not at its
// allocation: %b, allocated with %a but first written after %a's last
// read, shares %a's bytes.
// CHECK-LABEL: func @life_starts_at_first_use
// CHECK-SAME: kiln.workspace_size = 256
func.func @life_starts_at_first_use(%in: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  %b = memref.alloc() : memref<64xf32>
  memref.copy %in, %a : memref<64xf32> to memref<64xf32>
  memref.copy %a, %out : memref<64xf32> to memref<64xf32>
  memref.copy %in, %b : memref<64xf32> to memref<64xf32>
  memref.copy %b, %out : memref<64xf32> to memref<64xf32>
  return
}

// -----

// Largest first with best fit, the only order of a simpler planner, needs
// 448 bytes here: %b (192) at 0, %c at 192, %a in the gap below, and %d,
// live beside %a and %c, above both. Placing the longest-lived %c first
// needs 384 bytes, the most live at once (%a, %c and %d). The packer tries
// several orders and keeps the smallest plan.
// CHECK-LABEL: func @several_orders
// CHECK-SAME: kiln.workspace_size = 384
func.func @several_orders(%in: memref<48xf32>, %out: memref<48xf32>) {
  %a = memref.alloc() : memref<32xf32>
  %b = memref.alloc() : memref<48xf32>
  %c = memref.alloc() : memref<32xf32>
  %d = memref.alloc() : memref<32xf32>
  %in32 = memref.subview %in[0] [32] [1] : memref<48xf32> to memref<32xf32, strided<[1]>>
  %out32 = memref.subview %out[0] [32] [1] : memref<48xf32> to memref<32xf32, strided<[1]>>
  memref.copy %in, %b : memref<48xf32> to memref<48xf32>
  memref.copy %in32, %c : memref<32xf32, strided<[1]>> to memref<32xf32>
  memref.copy %b, %out : memref<48xf32> to memref<48xf32>
  memref.copy %in32, %a : memref<32xf32, strided<[1]>> to memref<32xf32>
  memref.copy %in32, %d : memref<32xf32, strided<[1]>> to memref<32xf32>
  memref.copy %d, %out32 : memref<32xf32> to memref<32xf32, strided<[1]>>
  memref.copy %a, %out32 : memref<32xf32> to memref<32xf32, strided<[1]>>
  memref.copy %c, %out32 : memref<32xf32> to memref<32xf32, strided<[1]>>
  return
}

// -----

// A loop marked kiln.writes_over (an in-place kernel) writes %b over %a,
// which dies in it: both take offset 0 and the workspace is the larger
// of the two, not their sum. %t, a temporary of the first loop, fits
// above %a while %b, which is larger, is not yet live.
// CHECK-LABEL: func @written_over
// CHECK-SAME: {bytes = 64 : i64, first = 1 : i64, last = 1 : i64, node = "", offset = 64 : i64, op = "", over = -1 : i64, size = 64 : i64}
// CHECK-SAME: {bytes = 64 : i64, first = 1 : i64, last = 2 : i64, node = "", offset = 0 : i64, op = "", over = 0 : i64, size = 64 : i64}
// CHECK-SAME: {bytes = 128 : i64, first = 2 : i64, last = 3 : i64, node = "", offset = 0 : i64, op = "", over = 2 : i64, size = 128 : i64}
// CHECK-SAME: kiln.workspace_size = 128
func.func @written_over(%in: memref<64xi8>, %out: memref<128xi8>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %a = memref.alloc() : memref<64xi8>
  memref.copy %in, %a : memref<64xi8> to memref<64xi8>
  %t = memref.alloc() : memref<64xi8>
  %m = memref.alloc() : memref<64xi8>
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %a[%i] : memref<64xi8>
    memref.store %v, %t[%i] : memref<64xi8>
    %w = memref.load %t[%i] : memref<64xi8>
    memref.store %w, %m[%i] : memref<64xi8>
  } {kiln.writes_over = array<i64: 0, 1>}
  %b = memref.alloc() : memref<128xi8>
  scf.for %i = %c0 to %c64 step %c1 {
    %v = memref.load %m[%i] : memref<64xi8>
    memref.store %v, %b[%i] : memref<128xi8>
  } {kiln.writes_over = array<i64: 0, 1>}
  memref.copy %b, %out : memref<128xi8> to memref<128xi8>
  return
}
