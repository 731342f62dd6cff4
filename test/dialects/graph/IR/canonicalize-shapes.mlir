// Folders of shape computations on small constants.
// RUN: loom-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @integer_arithmetic
// [7, -7] - [2, 2] = [5, -9]; [8, 5] - [5, -9] = [3, 14]; integer division
// truncates toward zero; division by zero is left for run time.
// CHECK-DAG: graph.constant dense<[100, 4]> : tensor<2xui8>
// CHECK-DAG: graph.constant dense<[3, 14]> : tensor<2xi64>
// CHECK-DAG: graph.constant dense<[3, -3]> : tensor<2xi64>
// CHECK: graph.div
func.func @integer_arithmetic() -> (tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xui8>) {
  %a = graph.constant dense<[7, -7]> : tensor<2xi64>
  %b = graph.constant dense<[2, 2]> : tensor<2xi64>
  %z = graph.constant dense<[0, 1]> : tensor<2xi64>
  %sum = graph.sub %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %c = graph.constant dense<[8, 5]> : tensor<2xi64>
  %diff = graph.sub %c, %sum : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %q = graph.div %a, %b : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %byzero = graph.div %a, %z : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  %u = graph.constant dense<[200, 9]> : tensor<2xui8>
  %two = graph.constant dense<2> : tensor<2xui8>
  %uq = graph.div %u, %two : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  return %diff, %q, %byzero, %uq : tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xui8>
}

// -----

// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
func.func @identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %zero = graph.constant dense<0.0> : tensor<3xf32>
  %one = graph.constant dense<1.0> : tensor<3xf32>
  %0 = graph.sub %x, %zero : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = graph.div %x, %one : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = graph.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = graph.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 2, 3>, steps = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: return %[[X]], %[[X]], %[[X]], %[[X]]
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @casts
func.func @casts() -> (tensor<3xi32>, tensor<3xi1>, tensor<2xi64>) {
  %a = graph.constant dense<[-1, 0, 70000]> : tensor<3xi64>
  // CHECK-DAG: graph.constant dense<[-1, 0, 70000]> : tensor<3xi32>
  %0 = graph.cast %a {to = i32} : (tensor<3xi64>) -> tensor<3xi32>
  // CHECK-DAG: graph.constant dense<[true, false, true]> : tensor<3xi1>
  %1 = graph.cast %a {to = i1} : (tensor<3xi64>) -> tensor<3xi1>
  %u = graph.constant dense<[255, 1]> : tensor<2xui8>
  // Unsigned sources zero-extend.
  // CHECK-DAG: graph.constant dense<[255, 1]> : tensor<2xi64>
  %2 = graph.cast %u {to = i64} : (tensor<2xui8>) -> tensor<2xi64>
  return %0, %1, %2 : tensor<3xi32>, tensor<3xi1>, tensor<2xi64>
}

// -----

// CHECK-LABEL: func.func @data_movement
func.func @data_movement() -> (tensor<2x2xi64>, tensor<1x3xi64>, tensor<3xi64>, tensor<2x2xi64>) {
  %m = graph.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  // CHECK-DAG: graph.constant dense<{{\[}}[3, 2], [6, 5]]> : tensor<2x2xi64>
  %0 = graph.slice %m {starts = array<i64: 0, -1>, ends = array<i64: 2, 0>, steps = array<i64: 1, -1>} : (tensor<2x3xi64>) -> tensor<2x2xi64>
  %v = graph.constant dense<[7, 8, 9]> : tensor<3xi64>
  // CHECK-DAG: graph.constant dense<{{\[}}[7, 8, 9]]> : tensor<1x3xi64>
  %1 = graph.unsqueeze %v {axes = array<i64: 0>} : (tensor<3xi64>) -> tensor<1x3xi64>
  // CHECK-DAG: graph.constant dense<[4, 5, 6]> : tensor<3xi64>
  %row = graph.constant dense<1> : tensor<i64>
  %2 = graph.gather %m, %row {axis = 0 : i64} : (tensor<2x3xi64>, tensor<i64>) -> tensor<3xi64>
  // Gather along a later axis, with a negative index.
  %cols = graph.constant dense<[-1, 0]> : tensor<2xi64>
  // CHECK-DAG: graph.constant dense<{{\[}}[3, 1], [6, 4]]> : tensor<2x2xi64>
  %3 = graph.gather %m, %cols {axis = 1 : i64} : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  return %0, %1, %2, %3 : tensor<2x2xi64>, tensor<1x3xi64>, tensor<3xi64>, tensor<2x2xi64>
}

// -----

// CHECK-LABEL: func.func @concat
func.func @concat() -> tensor<2x3xi64> {
  %a = graph.constant dense<[[1], [2]]> : tensor<2x1xi64>
  %b = graph.constant dense<[[3, 4], [5, 6]]> : tensor<2x2xi64>
  // CHECK: graph.constant dense<{{\[}}[1, 3, 4], [2, 5, 6]]> : tensor<2x3xi64>
  %0 = graph.concat %a, %b {axis = 1 : i64} : (tensor<2x1xi64>, tensor<2x2xi64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// The expand target torch.onnx builds for `tokens[0, t] = tok`:
// where(equal(constant_of_shape([2]) * -1, [1, 1]), ..., [1, 1]) folds.
// CHECK-LABEL: func.func @expand_target
func.func @expand_target() -> tensor<2xi64> {
  %n = graph.constant dense<2> : tensor<1xi64>
  %minus = graph.constant dense<-1> : tensor<i64>
  %ones = graph.constant dense<1> : tensor<2xi64>
  %0 = graph.constant_of_shape %n {value = dense<1> : tensor<1xi64>} : (tensor<1xi64>) -> tensor<2xi64>
  %1 = graph.mul %0, %minus : (tensor<2xi64>, tensor<i64>) -> tensor<2xi64>
  %2 = graph.equal %1, %ones : (tensor<2xi64>, tensor<2xi64>) -> tensor<2xi1>
  %3 = graph.where %2, %0, %ones : (tensor<2xi1>, tensor<2xi64>, tensor<2xi64>) -> tensor<2xi64>
  // CHECK-NEXT: %[[C:.*]] = graph.constant dense<1> : tensor<2xi64>
  // CHECK-NEXT: return %[[C]]
  return %3 : tensor<2xi64>
}

// -----

// Comparisons fold elementwise: signed and unsigned integers, floats with
// NaN unordered; a mixed condition selects per element.
// CHECK-LABEL: func.func @compare_select
func.func @compare_select() -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi64>) {
  %a = graph.constant dense<[-1, 2, 3]> : tensor<3xi64>
  %b = graph.constant dense<[1, 2, 1]> : tensor<3xi64>
  // CHECK-DAG: graph.constant dense<[true, false, false]> : tensor<3xi1>
  %0 = graph.less %a, %b : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %ua = graph.constant dense<[255, 2, 3]> : tensor<3xui8>
  %ub = graph.constant dense<[1, 2, 1]> : tensor<3xui8>
  // CHECK-DAG: graph.constant dense<true> : tensor<3xi1>
  %1 = graph.greater_equal %ua, %ub : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xi1>
  %fa = graph.constant dense<[0x7FC00000, 1.0, 2.0]> : tensor<3xf32>
  %fb = graph.constant dense<1.0> : tensor<f32>
  // CHECK-DAG: graph.constant dense<[false, true, false]> : tensor<3xi1>
  %2 = graph.equal %fa, %fb : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  // CHECK-DAG: graph.constant dense<[false, false, true]> : tensor<3xi1>
  %3 = graph.greater %fa, %fb : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  // CHECK-DAG: graph.constant dense<[false, true, true]> : tensor<3xi1>
  %4 = graph.less_equal %b, %a : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  // CHECK-DAG: graph.constant dense<[-1, 2, 1]> : tensor<3xi64>
  %5 = graph.where %0, %a, %b : (tensor<3xi1>, tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi64>
}

// -----

// A uniform condition picks an operand; a splat picked is broadcast.
// CHECK-LABEL: func.func @where_uniform
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<2x3xf32>)
func.func @where_uniform(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %t = graph.constant dense<true> : tensor<i1>
  %f = graph.constant dense<false> : tensor<2x3xi1>
  %z = graph.constant dense<0.0> : tensor<f32>
  %0 = graph.where %t, %x, %y : (tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = graph.where %f, %x, %y : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: %[[Z:.*]] = graph.constant dense<0.000000e+00> : tensor<2x3xf32>
  %2 = graph.where %t, %z, %y : (tensor<i1>, tensor<f32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: return %[[X]], %[[Y]], %[[Z]]
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Constant computed axes become the attribute: negative axes resolved and
// sorted; empty means every axis, or the input itself under noop.
// CHECK-LABEL: func.func @reduce_constant_axes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
func.func @reduce_constant_axes(%x: tensor<2x3x4xf32>) -> (tensor<2xf32>, tensor<f32>, tensor<2x3x4xf32>) {
  %axes = graph.constant dense<[-1, 1]> : tensor<2xi64>
  %none = graph.constant dense<> : tensor<0xi64>
  // CHECK: graph.reduce_sum %[[X]] {axes = array<i64: 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2xf32>
  %0 = graph.reduce_sum %x axes %axes {axes = array<i64>} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2xf32>
  // CHECK: graph.reduce_max %[[X]] {axes = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<f32>
  %1 = graph.reduce_max %x axes %none {axes = array<i64>} : (tensor<2x3x4xf32>, tensor<0xi64>) -> tensor<f32>
  %2 = graph.reduce_mean %x axes %none {axes = array<i64>, noop_with_empty_axes} : (tensor<2x3x4xf32>, tensor<0xi64>) -> tensor<2x3x4xf32>
  // CHECK: return {{.*}}, {{.*}}, %[[X]]
  return %0, %1, %2 : tensor<2xf32>, tensor<f32>, tensor<2x3x4xf32>
}
