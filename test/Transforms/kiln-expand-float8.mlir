// RUN: kiln-opt %s -kiln-expand-float8 -split-input-file | FileCheck %s
// kiln-expand-float8 (ExpandFloat8.cpp): truncations to and extensions from
// the float8 types become integer code on the f32 bits, ending and starting
// with an arith.bitcast between i8 and the float8 type; float8 constants
// become i8 constants. The numerics are checked end to end in
// test/Runtime/float8.test and test/onnx-opsets.

// f32 to f8E4M3FN: rounding to 3 mantissa bits (shift 20), the subnormal
// path's shift capped at 31, overflow past 0x7E to NaN 0x7F.
// CHECK-LABEL: func.func @trunc_e4m3fn
func.func @trunc_e4m3fn(%x: f32) -> f8E4M3FN {
  // CHECK-NOT: arith.truncf
  // CHECK-DAG: arith.constant 20 : i32
  // CHECK-DAG: arith.constant 31 : i32
  // CHECK-DAG: arith.constant 126 : i32
  // CHECK-DAG: arith.constant 127 : i32
  // CHECK: %[[BITS:.*]] = arith.bitcast %{{.*}} : f32 to i32
  // CHECK: %[[BYTE:.*]] = arith.trunci %{{.*}} : i32 to i8
  // CHECK: %[[R:.*]] = arith.bitcast %[[BYTE]] : i8 to f8E4M3FN
  // CHECK-NOT: arith.truncf
  // CHECK: return %[[R]]
  %0 = arith.truncf %x : f32 to f8E4M3FN
  return %0 : f8E4M3FN
}

// -----

// f16 to f8E5M2 goes through f32; overflow gives infinity, 0x7C.
// CHECK-LABEL: func.func @trunc_e5m2_from_f16
func.func @trunc_e5m2_from_f16(%x: f16) -> f8E5M2 {
  // CHECK-DAG: arith.constant 21 : i32
  // CHECK-DAG: arith.constant 124 : i32
  // CHECK: arith.extf %{{.*}} : f16 to f32
  // CHECK: arith.bitcast %{{.*}} : i8 to f8E5M2
  %0 = arith.truncf %x : f16 to f8E5M2
  return %0 : f8E5M2
}

// -----

// FNUZ: NaN and overflow are 0x80, and zero has no sign.
// CHECK-LABEL: func.func @trunc_e5m2fnuz_vector
func.func @trunc_e5m2fnuz_vector(%x: vector<8xf32>) -> vector<8xf8E5M2FNUZ> {
  // CHECK: arith.constant dense<128> : vector<8xi32>
  // CHECK: arith.bitcast %{{.*}} : vector<8xf32> to vector<8xi32>
  // CHECK: arith.trunci %{{.*}} : vector<8xi32> to vector<8xi8>
  // CHECK: arith.bitcast %{{.*}} : vector<8xi8> to vector<8xf8E5M2FNUZ>
  %0 = arith.truncf %x : vector<8xf32> to vector<8xf8E5M2FNUZ>
  return %0 : vector<8xf8E5M2FNUZ>
}

// -----

// f8E4M3FNUZ to f32 and on to f64: the bits, rebiased by 127 - 8 = 119
// exponents (119 << 23 = 998244352); subnormals through a multiply; NaN
// as 0x7FC00000 (2143289344).
// CHECK-LABEL: func.func @ext_e4m3fnuz
func.func @ext_e4m3fnuz(%x: f8E4M3FNUZ) -> f64 {
  // CHECK-DAG: arith.constant 998244352 : i32
  // CHECK-DAG: arith.constant 2143289344 : i32
  // CHECK: %[[BYTE:.*]] = arith.bitcast %{{.*}} : f8E4M3FNUZ to i8
  // CHECK: arith.extui %[[BYTE]] : i8 to i32
  // CHECK: arith.uitofp %{{.*}} : i32 to f32
  // CHECK: %[[F:.*]] = arith.bitcast %{{.*}} : i32 to f32
  // CHECK: %[[D:.*]] = arith.extf %[[F]] : f32 to f64
  // CHECK: return %[[D]]
  %0 = arith.extf %x : f8E4M3FNUZ to f64
  return %0 : f64
}

// -----

// Constants: the i8 constant of the bits (1.0 in f8E4M3FN is 0x38 = 56).
// CHECK-LABEL: func.func @constants
func.func @constants() -> (f8E4M3FN, vector<2xf8E5M2>) {
  // CHECK-DAG: %[[S:.*]] = arith.constant 56 : i8
  // CHECK-DAG: arith.bitcast %[[S]] : i8 to f8E4M3FN
  // CHECK-DAG: %[[V:.*]] = arith.constant dense<[60, -68]> : vector<2xi8>
  // CHECK-DAG: arith.bitcast %[[V]] : vector<2xi8> to vector<2xf8E5M2>
  %0 = arith.constant 1.0 : f8E4M3FN
  %1 = arith.constant dense<[1.0, -1.0]> : vector<2xf8E5M2>
  return %0, %1 : f8E4M3FN, vector<2xf8E5M2>
}

// -----

// Other float types are left alone.
// CHECK-LABEL: func.func @untouched
func.func @untouched(%x: f32, %h: f16) -> (f16, f32) {
  // CHECK: arith.truncf %{{.*}} : f32 to f16
  // CHECK: arith.extf %{{.*}} : f16 to f32
  %0 = arith.truncf %x : f32 to f16
  %1 = arith.extf %h : f16 to f32
  return %0, %1 : f16, f32
}
