// RUN: kiln-opt %s -kiln-lower-parallel-calls -split-input-file -verify-diagnostics | FileCheck %s
// A call of a task function becomes kiln_parallel_for over its chunks,
// with an entry that unpacks the task's arguments from a context struct
// on the caller's stack.

// CHECK: llvm.func @kiln_parallel_for(i64, !llvm.ptr, !llvm.ptr)
// CHECK-LABEL: llvm.func internal @task
// CHECK-LABEL: llvm.func internal @task_entry
// CHECK-SAME: (%[[CTX:.*]]: !llvm.ptr, %[[BEGIN:.*]]: i64, %[[END:.*]]: i64)
// CHECK: %[[P0:.*]] = llvm.getelementptr %[[CTX]][0, 0] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, f32)>
// CHECK: %[[A0:.*]] = llvm.load %[[P0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.getelementptr %[[CTX]][0, 1] : (!llvm.ptr) -> !llvm.ptr, !llvm.struct<(ptr, f32)>
// CHECK: %[[A1:.*]] = llvm.load %[[P1]] : !llvm.ptr -> f32
// CHECK: llvm.call @task(%[[BEGIN]], %[[END]], %[[A0]], %[[A1]])
// CHECK-LABEL: llvm.func @caller
// CHECK-SAME: (%[[BUF:.*]]: !llvm.ptr, %[[X:.*]]: f32)
// CHECK: %[[ONE:.*]] = llvm.mlir.constant(1 : i64) : i64
// CHECK: %[[C:.*]] = llvm.alloca %[[ONE]] x !llvm.struct<(ptr, f32)> {alignment = 8 : i64}
// CHECK: %[[N:.*]] = llvm.mlir.constant(16 : index) : i64
// CHECK: %[[F0:.*]] = llvm.getelementptr %[[C]][0, 0]
// CHECK: llvm.store %[[BUF]], %[[F0]]
// CHECK: %[[F1:.*]] = llvm.getelementptr %[[C]][0, 1]
// CHECK: llvm.store %[[X]], %[[F1]]
// CHECK: %[[FN:.*]] = llvm.mlir.addressof @task_entry : !llvm.ptr
// CHECK: llvm.call @kiln_parallel_for(%[[N]], %[[FN]], %[[C]])
// CHECK-NOT: llvm.call @task(
llvm.func internal @task(%begin: i64, %end: i64, %buf: !llvm.ptr, %x: f32) attributes {kiln.parallel_task} {
  llvm.return
}
llvm.func @caller(%buf: !llvm.ptr, %x: f32) {
  %c0 = llvm.mlir.constant(0 : index) : i64
  %c16 = llvm.mlir.constant(16 : index) : i64
  llvm.call @task(%c0, %c16, %buf, %x) : (i64, i64, !llvm.ptr, f32) -> ()
  llvm.return
}

// -----

// A 32-bit index (Cortex-M, wasm32): the entry narrows begin and end, the
// chunk count widens to kiln_parallel_for's int64_t.
// CHECK-LABEL: llvm.func internal @task32_entry
// CHECK: %[[B:.*]] = llvm.trunc %{{.*}} : i64 to i32
// CHECK: %[[E:.*]] = llvm.trunc %{{.*}} : i64 to i32
// CHECK: llvm.call @task32(%[[B]], %[[E]])
// CHECK-LABEL: llvm.func @caller32
// CHECK: %[[N:.*]] = llvm.zext %{{.*}} : i32 to i64
// CHECK: llvm.call @kiln_parallel_for(%[[N]]
llvm.func internal @task32(%begin: i32, %end: i32) attributes {kiln.parallel_task} {
  llvm.return
}
llvm.func @caller32() {
  %c0 = llvm.mlir.constant(0 : i32) : i32
  %c8 = llvm.mlir.constant(8 : i32) : i32
  llvm.call @task32(%c0, %c8) : (i32, i32) -> ()
  llvm.return
}

// -----

// A call that does not start at chunk 0 cannot be handed to the runtime.
llvm.func internal @task(%begin: i64, %end: i64) attributes {kiln.parallel_task} {
  llvm.return
}
llvm.func @caller(%n: i64) {
  %c1 = llvm.mlir.constant(1 : i64) : i64
  // expected-error @below {{calls task function task from a chunk other than 0}}
  llvm.call @task(%c1, %n) : (i64, i64) -> ()
  llvm.return
}

// -----

// expected-error @below {{is not a task function: (index, index, ...) -> ()}}
llvm.func internal @bad(%x: f32) attributes {kiln.parallel_task} {
  llvm.return
}
