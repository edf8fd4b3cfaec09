// RUN: kiln-opt %s -split-input-file -verify-diagnostics \
// RUN:   -pass-pipeline='builtin.module(kiln-verify-phase-contract{phase=bufferized})' -o /dev/null
// The bufferized phase's contract: no tensors, no allocation, a planned
// workspace as the last argument.

func.func @main(%x: memref<4xf32>, %y: memref<4xf32>, %ws: memref<64xi8> {kiln.workspace})
    attributes {kiln.workspace_size = 64 : i64} {
  memref.copy %x, %y : memref<4xf32> to memref<4xf32>
  return
}

// -----

func.func @main(%x: memref<4xf32>, %y: memref<4xf32>, %ws: memref<64xi8> {kiln.workspace})
    attributes {kiln.workspace_size = 64 : i64} {
  // expected-error @+1 {{'memref.alloc' allocates at run time}}
  %a = memref.alloc() : memref<4xf32>
  memref.copy %x, %a : memref<4xf32> to memref<4xf32>
  return
}

// -----

// expected-error @+1 {{@main has no kiln.workspace_size attribute}}
func.func @main(%x: memref<4xf32>, %ws: memref<64xi8> {kiln.workspace}) {
  return
}

// -----

// expected-error @+1 {{@main's last argument is not the workspace}}
func.func @main(%x: memref<4xf32>, %ws: memref<64xi8>) attributes {kiln.workspace_size = 64 : i64} {
  return
}

// -----

func.func @main(%x: memref<4xf32>, %ws: memref<64xi8> {kiln.workspace})
    attributes {kiln.workspace_size = 64 : i64} {
  // expected-error @+1 {{'bufferization.to_tensor' still works on 'tensor<4xf32>'}}
  %t = bufferization.to_tensor %x : memref<4xf32> to tensor<4xf32>
  return
}
