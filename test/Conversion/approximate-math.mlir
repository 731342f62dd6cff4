// Math functions become polynomial approximations (arithmetic only) rather
// than libm calls; ops not asked for stay.
// RUN: loom-opt %s -p 'builtin.module(loom-approximate-math)' | FileCheck %s
// RUN: loom-opt %s -p 'builtin.module(loom-approximate-math{ops=tanh})' | FileCheck %s --check-prefix=TANH

// CHECK-LABEL: func.func @f
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.erf
// CHECK:         math.log
// CHECK:         math.exp %{{.*}} : vector<8xf32>
// CHECK-NOT:     math.
// TANH-LABEL:  func.func @f
// TANH-NOT:      math.tanh
// TANH:          math.erf
// TANH:          math.exp %{{.*}} : f32
func.func @f(%x: f32, %h: f16, %v: vector<8xf32>) -> (f32, f16, f32, f32, vector<8xf32>) {
  %0 = math.tanh %x : f32
  %1 = math.erf %h : f16
  %2 = math.exp %0 : f32
  %3 = math.log %2 : f32
  // Vectors stay.
  %4 = math.exp %v : vector<8xf32>
  return %0, %1, %2, %3, %4 : f32, f16, f32, f32, vector<8xf32>
}
