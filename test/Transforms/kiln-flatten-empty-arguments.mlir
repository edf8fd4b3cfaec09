// RUN: kiln-opt %s --kiln-flatten-empty-arguments --split-input-file --verify-diagnostics | FileCheck %s

// An empty output filled from an empty constant: the copy goes, the
// argument becomes memref<0xf32>; the other arguments keep their types.
// CHECK-LABEL: func.func @empty_output
// CHECK-SAME: (%{{.*}}: memref<4xf32>, %{{.*}}: memref<0xf32>, %{{.*}}: memref<0xi8>)
// CHECK-NOT: memref.copy
// CHECK: return
memref.global "private" constant @empty : memref<2x0x3xf32> = dense<>
func.func @empty_output(%x: memref<4xf32>, %y: memref<2x0x3xf32>, %ws: memref<0xi8>) {
  %c = memref.get_global @empty : memref<2x0x3xf32>
  memref.copy %c, %y : memref<2x0x3xf32> to memref<2x0x3xf32>
  return
}

// -----

// A linalg op writing an empty output does nothing either.
// CHECK-LABEL: func.func @empty_fill
// CHECK-SAME: (%{{.*}}: memref<0xi64>)
// CHECK-NOT: linalg.fill
func.func @empty_fill(%y: memref<3x0xi64>) {
  %z = arith.constant 0 : i64
  linalg.fill ins(%z : i64) outs(%y : memref<3x0xi64>)
  return
}

// -----

func.func @other_use(%y: memref<3x0xf32>) -> memref<3x0xf32> {
  // expected-error @+1 {{internal error: an empty buffer argument is used by func.return}}
  return %y : memref<3x0xf32>
}
