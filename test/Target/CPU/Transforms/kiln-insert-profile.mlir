// RUN: kiln-opt %s -kiln-insert-profile | FileCheck %s
// kiln-insert-profile (kilnc --profile): each op of @main that does work
// (linalg ops, microkernels, copies) is bracketed by kiln_profile_clock
// calls, its time and one call added to its model node's entry; ops of the
// same node share an entry, entries keep the order of first appearance,
// and views and constants are not timed.

// CHECK-DAG: memref.global "private" @kiln_profile_ns : memref<2xi64> = dense<0>
// CHECK-DAG: memref.global "private" @kiln_profile_calls : memref<2xi64> = dense<0>
// The names: "relu\tRelu\0" then "add\tAdd\0".
// CHECK-DAG: memref.global "private" constant @kiln_profile_names : memref<18xi8> = dense<[114, 101, 108, 117, 9, 82, 101, 108, 117, 0, 97, 100, 100, 9, 65, 100, 100, 0]>
// CHECK-DAG: func.func private @kiln_profile_clock() -> i64

// CHECK-LABEL: func.func @main
// CHECK: memref.alloc
// CHECK-NEXT: %[[T0:.*]] = call @kiln_profile_clock() : () -> i64
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: %[[T1:.*]] = call @kiln_profile_clock() : () -> i64
// CHECK-NEXT: %[[I0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[D:.*]] = arith.subi %[[T1]], %[[T0]] : i64
// CHECK-NEXT: %[[NS:.*]] = memref.get_global @kiln_profile_ns : memref<2xi64>
// CHECK-NEXT: %[[OLD:.*]] = memref.load %[[NS]][%[[I0]]]
// CHECK-NEXT: %[[NEW:.*]] = arith.addi %[[OLD]], %[[D]] : i64
// CHECK-NEXT: memref.store %[[NEW]], %[[NS]][%[[I0]]]
// CHECK: memref.get_global @kiln_profile_calls
// The copy belongs to the same node: entry 0 again.
// CHECK: call @kiln_profile_clock()
// CHECK-NEXT: memref.copy
// CHECK-NEXT: call @kiln_profile_clock()
// CHECK-NEXT: arith.constant 0 : index
// The add is entry 1.
// CHECK: call @kiln_profile_clock()
// CHECK-NEXT: linalg.add
// CHECK-NEXT: call @kiln_profile_clock()
// CHECK-NEXT: arith.constant 1 : index
// CHECK: return
func.func @main(%a: memref<4xf32>, %b: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%t : memref<4xf32>) loc(#relu)
  memref.copy %a, %t : memref<4xf32> to memref<4xf32> loc(#relu)
  linalg.add ins(%a, %t : memref<4xf32>, memref<4xf32>) outs(%b : memref<4xf32>) loc(#add)
  return
}

#file = loc("model.onnx":0:0)
#relu = loc(fused<"onnx.Relu">["relu"(#file)])
#add = loc(fused<"onnx.Add">["add"(#file)])
