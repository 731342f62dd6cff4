// graph-infer-shapes folds shape computations and refines result types to a
// fixed point, through regions, and updates function signatures.
// RUN: loom-opt %s -p 'builtin.module(func.func(graph-infer-shapes))' -split-input-file | FileCheck %s

// A reshape whose shape is computed from another value's static dims.
// CHECK-LABEL: func.func @shape_chain
// CHECK-SAME: -> tensor<2x12xf32>
func.func @shape_chain(%x: tensor<2x3x4xf32>) -> tensor<?x?xf32> {
  %shape = graph.shape %x {end = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<3xi64>
  %i0 = graph.constant dense<0> : tensor<1xi64>
  %d0 = graph.gather %shape, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %minus = graph.constant dense<-1> : tensor<1xi64>
  %new = graph.concat %d0, %minus {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>) -> tensor<2xi64>
  // CHECK: %[[C:.*]] = graph.constant dense<[2, -1]> : tensor<2xi64>
  // CHECK: graph.reshape %{{.*}}, %[[C]] : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x12xf32>
  %y = graph.reshape %x, %new : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  // CHECK: return %{{.*}} : tensor<2x12xf32>
  return %y : tensor<?x?xf32>
}

// -----

// Refinement flows through chains of ops, and unranked types gain ranks.
// CHECK-LABEL: func.func @chain
// CHECK-SAME: -> (tensor<4x8xf32>, tensor<4x1xf32>)
func.func @chain(%x: tensor<4x8xf32>, %w: tensor<8x8xf32>) -> (tensor<*xf32>, tensor<?x?xf32>) {
  // CHECK: graph.matmul {{.*}} -> tensor<4x8xf32>
  %m = graph.matmul %x, %w : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<*xf32>
  // CHECK: graph.relu {{.*}} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %r = graph.relu %m : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: graph.reduce_sum {{.*}} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %s = graph.reduce_sum %r {axes = array<i64: 1>, keep_dims} : (tensor<*xf32>) -> tensor<?x?xf32>
  return %r, %s : tensor<*xf32>, tensor<?x?xf32>
}

// -----

// An if's results are the join of its branches; a slice with constant
// bounds computed at run time becomes a static slice.
// CHECK-LABEL: func.func @regions
func.func @regions(%c: tensor<i1>, %x: tensor<6xf32>) -> (tensor<*xf32>, tensor<*xf32>) {
  // CHECK: graph.if {{.*}} : tensor<i1> -> tensor<?xf32>, tensor<6xf32> then {
  %0:2 = graph.if %c captures(%x : tensor<6xf32>) : tensor<i1> -> tensor<*xf32>, tensor<*xf32> then {
  ^bb0(%a: tensor<6xf32>):
    %start = graph.constant dense<1> : tensor<1xi64>
    %end = graph.constant dense<4> : tensor<1xi64>
    %axes = graph.constant dense<0> : tensor<1xi64>
    %steps = graph.constant dense<1> : tensor<1xi64>
    // CHECK: graph.slice %{{.*}} {ends = array<i64: 4>, starts = array<i64: 1>, steps = array<i64: 1>} : (tensor<6xf32>) -> tensor<3xf32>
    %s = graph.dynamic_slice %a, %start, %end, %axes, %steps : (tensor<6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
    graph.yield %s, %a : tensor<?xf32>, tensor<6xf32>
  } else {
  ^bb0(%a: tensor<6xf32>):
    graph.yield %a, %a : tensor<6xf32>, tensor<6xf32>
  }
  return %0#0, %0#1 : tensor<*xf32>, tensor<*xf32>
}

// -----

// Scan outputs stack the slices the body yields; the trip count comes from
// the scan input.
// CHECK-LABEL: func.func @scan
// CHECK-SAME: -> tensor<5x2xf32>
func.func @scan(%s: tensor<2xf32>, %x: tensor<5x2xf32>) -> tensor<*xf32> {
  // CHECK: -> tensor<2xf32>, tensor<5x2xf32> do
  %0:2 = graph.scan states(%s : tensor<2xf32>) inputs(%x : tensor<5x2xf32>) -> tensor<2xf32>, tensor<*xf32> do {
  ^bb0(%state: tensor<2xf32>, %row: tensor<2xf32>):
    %sum = graph.add %state, %row : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    graph.yield %sum, %sum : tensor<2xf32>, tensor<2xf32>
  } {scan_input_axes = array<i64: 0>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64: 0>, scan_output_reverse = array<i1: false>}
  return %0#1 : tensor<*xf32>
}

// -----

// Dims only the run time knows stay dynamic; copied dims cancel out of the
// element count, so the -1 is still inferred.
// CHECK-LABEL: func.func @dynamic
// CHECK-SAME: -> tensor<?x12xf32>
func.func @dynamic(%x: tensor<?x3x4xf32>) -> tensor<?x?xf32> {
  %shape = graph.constant dense<[0, -1]> : tensor<2xi64>
  %y = graph.reshape %x, %shape : (tensor<?x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %y : tensor<?x?xf32>
}
