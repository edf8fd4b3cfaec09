// RUN: kiln-opt %s -kiln-approximate-math -split-input-file | FileCheck %s
// kiln-approximate-math (ApproximateMath.cpp): f32 math.exp, expm1, tanh,
// erf, log, log1p and log2 become MLIR's polynomial approximations (arith
// and math.fma, no libm call); every other function, and other float
// widths, keep their math op.

// exp: range reduction, a polynomial of fmas, and 2^n built from bits.
// CHECK-LABEL: func.func @exp_f32
func.func @exp_f32(%x: f32) -> f32 {
  // CHECK-NOT: math.exp
  // CHECK: math.floor
  // CHECK: math.fma
  // CHECK: arith.fptosi %{{.*}} : f32 to i32
  // CHECK: arith.shli %{{.*}}, %{{.*}} : i32
  // CHECK: %[[POW2:.*]] = arith.bitcast %{{.*}} : i32 to f32
  // CHECK: arith.mulf %{{.*}}, %[[POW2]] : f32
  // CHECK-NOT: math.exp
  // CHECK: return %{{.*}} : f32
  %0 = math.exp %x : f32
  return %0 : f32
}

// -----

// CHECK-LABEL: func.func @expm1_f32
func.func @expm1_f32(%x: f32) -> f32 {
  // CHECK-NOT: math.exp
  // CHECK: math.fma
  // CHECK: arith.bitcast
  // CHECK-NOT: math.exp
  // CHECK: return %{{.*}} : f32
  %0 = math.expm1 %x : f32
  return %0 : f32
}

// -----

// tanh: a rational approximation on |x| (fmas, one divide).
// CHECK-LABEL: func.func @tanh_f32
func.func @tanh_f32(%x: f32) -> f32 {
  // CHECK-NOT: math.tanh
  // CHECK: math.absf
  // CHECK: math.fma
  // CHECK: arith.divf
  // CHECK-NOT: math.tanh
  // CHECK: return %{{.*}} : f32
  %0 = math.tanh %x : f32
  return %0 : f32
}

// -----

// erf: piecewise polynomials selected by interval.
// CHECK-LABEL: func.func @erf_f32
func.func @erf_f32(%x: f32) -> f32 {
  // CHECK-NOT: math.erf
  // CHECK: arith.cmpf olt
  // CHECK: arith.select
  // CHECK: math.fma
  // CHECK: arith.divf
  // CHECK-NOT: math.erf
  // CHECK: return %{{.*}} : f32
  %0 = math.erf %x : f32
  return %0 : f32
}

// -----

// log: the exponent and mantissa split from the bits, then a polynomial.
// CHECK-LABEL: func.func @log_f32
func.func @log_f32(%x: f32) -> f32 {
  // CHECK-NOT: math.log
  // CHECK: arith.bitcast %{{.*}} : f32 to i32
  // CHECK: arith.shrui
  // CHECK: arith.sitofp
  // CHECK: math.fma
  // CHECK-NOT: math.log
  // CHECK: return %{{.*}} : f32
  %0 = math.log %x : f32
  return %0 : f32
}

// -----

// CHECK-LABEL: func.func @log1p_f32
func.func @log1p_f32(%x: f32) -> f32 {
  // CHECK-NOT: math.log
  // CHECK: arith.bitcast %{{.*}} : f32 to i32
  // CHECK: math.fma
  // CHECK-NOT: math.log
  // CHECK: return %{{.*}} : f32
  %0 = math.log1p %x : f32
  return %0 : f32
}

// -----

// CHECK-LABEL: func.func @log2_f32
func.func @log2_f32(%x: f32) -> f32 {
  // CHECK-NOT: math.log
  // CHECK: arith.bitcast %{{.*}} : f32 to i32
  // CHECK: math.fma
  // CHECK-NOT: math.log
  // CHECK: return %{{.*}} : f32
  %0 = math.log2 %x : f32
  return %0 : f32
}

// -----

// Trigonometric functions keep their libm calls (the approximations lose
// accuracy on large arguments), and so does every function not in the
// list, though upstream can approximate some of them.
// CHECK-LABEL: func.func @others_kept
func.func @others_kept(%x: f32) -> (f32, f32, f32, f32, f32, f32) {
  // CHECK: math.sin %{{.*}} : f32
  // CHECK: math.cos %{{.*}} : f32
  // CHECK: math.tan %{{.*}} : f32
  // CHECK: math.atan %{{.*}} : f32
  // CHECK: math.exp2 %{{.*}} : f32
  // CHECK: math.rsqrt %{{.*}} : f32
  // CHECK-NOT: math.fma
  %0 = math.sin %x : f32
  %1 = math.cos %x : f32
  %2 = math.tan %x : f32
  %3 = math.atan %x : f32
  %4 = math.exp2 %x : f32
  %5 = math.rsqrt %x : f32
  return %0, %1, %2, %3, %4, %5 : f32, f32, f32, f32, f32, f32
}

// -----

// f64 is left alone.
// CHECK-LABEL: func.func @f64_kept
func.func @f64_kept(%x: f64) -> (f64, f64, f64, f64) {
  // CHECK: math.exp %{{.*}} : f64
  // CHECK: math.tanh %{{.*}} : f64
  // CHECK: math.erf %{{.*}} : f64
  // CHECK: math.log %{{.*}} : f64
  // CHECK-NOT: math.fma
  %0 = math.exp %x : f64
  %1 = math.tanh %x : f64
  %2 = math.erf %x : f64
  %3 = math.log %x : f64
  return %0, %1, %2, %3 : f64, f64, f64, f64
}

// -----

// f16 and bf16 exp, tanh and logs are left alone.
// CHECK-LABEL: func.func @half_kept
func.func @half_kept(%x: f16, %y: bf16) -> (f16, f16, f16, f16, f16, f16, bf16, bf16) {
  // CHECK: math.exp %{{.*}} : f16
  // CHECK: math.expm1 %{{.*}} : f16
  // CHECK: math.tanh %{{.*}} : f16
  // CHECK: math.log %{{.*}} : f16
  // CHECK: math.log1p %{{.*}} : f16
  // CHECK: math.log2 %{{.*}} : f16
  // CHECK: math.exp %{{.*}} : bf16
  // CHECK: math.erf %{{.*}} : bf16
  // CHECK-NOT: math.fma
  %0 = math.exp %x : f16
  %1 = math.expm1 %x : f16
  %2 = math.tanh %x : f16
  %3 = math.log %x : f16
  %4 = math.log1p %x : f16
  %5 = math.log2 %x : f16
  %6 = math.exp %y : bf16
  %7 = math.erf %y : bf16
  return %0, %1, %2, %3, %4, %5, %6, %7 : f16, f16, f16, f16, f16, f16, bf16, bf16
}

// -----

// vector<8xf32> operands are approximated lane-wise, with vector constants.
// CHECK-LABEL: func.func @vector_f32
func.func @vector_f32(%x: vector<8xf32>, %s: f32) -> (vector<8xf32>, vector<8xf32>) {
  // CHECK: %[[B:.*]] = vector.broadcast
  // CHECK-NOT: math.exp
  // CHECK: math.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>
  // CHECK: arith.bitcast %{{.*}} : vector<8xi32> to vector<8xf32>
  // CHECK: arith.cmpf ugt, %[[B]], %{{.*}} : vector<8xf32>
  // CHECK-NOT: math.log
  // CHECK: return
  %b = vector.broadcast %s : f32 to vector<8xf32>
  %0 = math.exp %x : vector<8xf32>
  %1 = math.log %b : vector<8xf32>
  return %0, %1 : vector<8xf32>, vector<8xf32>
}

// -----

// As kilnc uses it: scalar math inside a linalg.generic body on tensors.
// The f32 exp is approximated; an f64 one next to it is not.
#id = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @in_linalg_body
func.func @in_linalg_body(%x: tensor<16xf32>, %y: tensor<16xf64>) -> tensor<16xf32> {
  // CHECK: linalg.generic
  // CHECK-NOT: math.exp %{{.*}} : f32
  // CHECK: math.fma %{{.*}}, %{{.*}}, %{{.*}} : f32
  // CHECK: math.exp %{{.*}} : f64
  // CHECK: linalg.yield
  %e = tensor.empty() : tensor<16xf32>
  %0 = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel"]}
      ins(%x, %y : tensor<16xf32>, tensor<16xf64>) outs(%e : tensor<16xf32>) {
  ^bb0(%a: f32, %b: f64, %o: f32):
    %ea = math.exp %a : f32
    %eb = math.exp %b : f64
    %t = arith.truncf %eb : f64 to f32
    %s = arith.addf %ea, %t : f32
    linalg.yield %s : f32
  } -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

// A vector operand alone in its function: the pass loads the vector
// dialect itself, which the approximation patterns may build ops of (it
// crashed here when it did not).
// CHECK-LABEL: func.func @vector_only
func.func @vector_only(%x: vector<8xf32>) -> vector<8xf32> {
  // CHECK-NOT: math.exp
  // CHECK: arith.constant dense<127> : vector<8xi32>
  // CHECK: math.fma %{{.*}}, %{{.*}}, %{{.*}} : vector<8xf32>
  %0 = math.exp %x : vector<8xf32>
  return %0 : vector<8xf32>
}
