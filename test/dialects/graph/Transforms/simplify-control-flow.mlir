// Control-flow simplification before the DyCL split.
// RUN: loom-opt %s -p 'builtin.module(func.func(graph-simplify-control-flow))' -split-input-file | FileCheck %s
// RUN: loom-opt %s -p 'builtin.module(func.func(graph-simplify-control-flow{unroll-max-trips=0}))' -split-input-file | FileCheck %s --check-prefix=NOUNROLL

// A constant condition picks the branch; the function returns its value.
// CHECK-LABEL: func.func @constant_if
// CHECK-SAME:  -> tensor<4xf32>
// CHECK-NOT:   graph.if
// CHECK:       %[[N:.*]] = graph.neg %arg0
// CHECK-NEXT:  return %[[N]]
func.func @constant_if(%x: tensor<4xf32>) -> tensor<?xf32> {
  %c = graph.constant dense<false> : tensor<i1>
  %r = graph.if %c captures(%x : tensor<4xf32>) : tensor<i1> -> tensor<?xf32> then {
  ^bb0(%a: tensor<4xf32>):
    graph.yield %a : tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>):
    %n = graph.neg %a : (tensor<4xf32>) -> tensor<4xf32>
    graph.yield %n : tensor<4xf32>
  }
  return %r : tensor<?xf32>
}

// -----

// Unused and duplicate captures go.
// CHECK-LABEL: func.func @captures
// CHECK:       graph.if %arg0 captures(%arg1 : tensor<4xf32>)
// CHECK-NEXT:  ^bb0(%[[A:.*]]: tensor<4xf32>):
// CHECK-NEXT:    graph.add %[[A]], %[[A]]
func.func @captures(%c: tensor<i1>, %x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %r = graph.if %c captures(%x, %y, %x : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) : tensor<i1> -> tensor<4xf32> then {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>, %a2: tensor<4xf32>):
    %s = graph.add %a, %a2 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    graph.yield %s : tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>, %a2: tensor<4xf32>):
    graph.yield %a2 : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Loop invariants move out; what the body needs of them is captured.
// CHECK-LABEL: func.func @hoist
// CHECK:       %[[E:.*]] = graph.exp %arg2
// CHECK:       %[[T:.*]] = graph.tanh %[[E]]
// CHECK:       graph.loop max %arg0 : tensor<i64> init(%arg1 : tensor<4xf32>) captures(%[[T]] : tensor<4xf32>)
// CHECK-NEXT:  ^bb0(%{{.*}}: tensor<i64>, %{{.*}}: tensor<i1>, %[[V:.*]]: tensor<4xf32>, %[[K:.*]]: tensor<4xf32>):
// CHECK-NEXT:    graph.mul %[[V]], %[[K]]
func.func @hoist(%n: tensor<i64>, %x: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<4xf32> {
  %r = graph.loop max %n : tensor<i64> init(%x : tensor<4xf32>) captures(%w : tensor<4xf32>) -> tensor<4xf32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<4xf32>, %ww: tensor<4xf32>):
    %e = graph.exp %ww : (tensor<4xf32>) -> tensor<4xf32>
    %t = graph.tanh %e : (tensor<4xf32>) -> tensor<4xf32>
    %m = graph.mul %v, %t : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    graph.yield %c, %m : tensor<i1>, tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Work only one branch reads moves into that branch.
// CHECK-LABEL: func.func @sink
// CHECK-NEXT:  graph.if %arg0 captures(%arg1 : tensor<4xf32>)
// CHECK-NEXT:  ^bb0(%[[A:.*]]: tensor<4xf32>):
// CHECK-NEXT:    %[[E:.*]] = graph.exp %[[A]]
// CHECK-NEXT:    %[[S:.*]] = graph.sqrt %[[E]]
// CHECK-NEXT:    graph.yield %[[S]]
// CHECK:       } else {
// CHECK-NEXT:  ^bb0(%[[B:.*]]: tensor<4xf32>):
// CHECK-NEXT:    graph.yield %[[B]]
func.func @sink(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %e = graph.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %r = graph.if %c captures(%e, %x : tensor<4xf32>, tensor<4xf32>) : tensor<i1> -> tensor<4xf32> then {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    %s = graph.sqrt %a : (tensor<4xf32>) -> tensor<4xf32>
    graph.yield %s : tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>, %b: tensor<4xf32>):
    graph.yield %b : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Work both branches read stays.
// CHECK-LABEL: func.func @no_sink
// CHECK-NEXT:  graph.exp
// CHECK-NEXT:  graph.if
func.func @no_sink(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %e = graph.exp %x : (tensor<4xf32>) -> tensor<4xf32>
  %r = graph.if %c captures(%e : tensor<4xf32>) : tensor<i1> -> tensor<4xf32> then {
  ^bb0(%a: tensor<4xf32>):
    %s = graph.sqrt %a : (tensor<4xf32>) -> tensor<4xf32>
    graph.yield %s : tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>):
    graph.yield %a : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// A loop of 3 constant trips is unrolled: three copies of the body, the
// iteration number a constant in each.
// CHECK-LABEL: func.func @unroll
// CHECK-NOT:   graph.loop
// CHECK-COUNT-3: graph.mul
// CHECK:       return
// NOUNROLL-LABEL: func.func @unroll
// NOUNROLL:       graph.loop
func.func @unroll(%x: tensor<4xf32>) -> tensor<4xf32> {
  %n = graph.constant dense<3> : tensor<i64>
  %r = graph.loop max %n : tensor<i64> init(%x : tensor<4xf32>) -> tensor<4xf32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<4xf32>):
    %m = graph.mul %v, %v : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    graph.yield %c, %m : tensor<i1>, tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Loops with a run-time condition, too many trips or scan outputs stay.
// CHECK-LABEL: func.func @no_unroll
// CHECK-COUNT-3: graph.loop
func.func @no_unroll(%x: tensor<4xf32>, %c: tensor<i1>) -> (tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>) {
  %n = graph.constant dense<3> : tensor<i64>
  %big = graph.constant dense<5> : tensor<i64>
  %r0 = graph.loop max %n : tensor<i64> while %c : tensor<i1> init(%x : tensor<4xf32>) -> tensor<4xf32> do {
  ^bb0(%i: tensor<i64>, %cc: tensor<i1>, %v: tensor<4xf32>):
    graph.yield %cc, %v : tensor<i1>, tensor<4xf32>
  }
  %r1 = graph.loop max %big : tensor<i64> init(%x : tensor<4xf32>) -> tensor<4xf32> do {
  ^bb0(%i: tensor<i64>, %cc: tensor<i1>, %v: tensor<4xf32>):
    graph.yield %cc, %v : tensor<i1>, tensor<4xf32>
  }
  %r2:2 = graph.loop max %n : tensor<i64> init(%x : tensor<4xf32>) -> tensor<4xf32>, tensor<3x4xf32> do {
  ^bb0(%i: tensor<i64>, %cc: tensor<i1>, %v: tensor<4xf32>):
    graph.yield %cc, %v, %v : tensor<i1>, tensor<4xf32>, tensor<4xf32>
  }
  return %r0, %r1, %r2#1 : tensor<4xf32>, tensor<4xf32>, tensor<3x4xf32>
}

// -----

// Small captured integer constants (here reduction axes) are copied into
// the body and their captures drop; a float vector (a weight) stays
// captured.
// CHECK-LABEL: func.func @constant_captures
// CHECK:       graph.loop {{.*}} captures(%[[W:[^ ]*]] : tensor<4xf32>)
// CHECK:       %[[AXES:.*]] = graph.constant dense<0> : tensor<1xi64>
// CHECK:       graph.reduce_sum %{{.*}} axes %[[AXES]]
func.func @constant_captures(%n: tensor<i64>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %axes = graph.constant dense<0> : tensor<1xi64>
  %w = graph.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %r = graph.loop max %n : tensor<i64> init(%x : tensor<4xf32>) captures(%axes, %w : tensor<1xi64>, tensor<4xf32>) -> tensor<4xf32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<4xf32>, %a: tensor<1xi64>, %ww: tensor<4xf32>):
    %s = graph.reduce_sum %v axes %a {axes = array<i64>, keep_dims} : (tensor<4xf32>, tensor<1xi64>) -> tensor<1xf32>
    %m = graph.mul %ww, %s : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
    graph.yield %c, %m : tensor<i1>, tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Work both branches do alike (the same op on the same captures and equal
// constants) moves before the graph.if; what differs stays.
// CHECK-LABEL: func.func @hoist_common
// CHECK:       %[[C:.*]] = graph.constant dense<2.000000e+00>
// CHECK:       %[[M:.*]] = graph.mul %arg1, %[[C]]
// CHECK:       graph.if %arg0 captures(%[[M]] : tensor<4xf32>)
// CHECK:         graph.neg
// CHECK:       } else {
// CHECK-NOT:     graph.mul
// CHECK:         graph.relu
func.func @hoist_common(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %r = graph.if %c captures(%x : tensor<4xf32>) : tensor<i1> -> tensor<4xf32> then {
  ^bb0(%a: tensor<4xf32>):
    %two = graph.constant dense<2.0> : tensor<4xf32>
    %m = graph.mul %a, %two : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %n = graph.neg %m : (tensor<4xf32>) -> tensor<4xf32>
    graph.yield %n : tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>):
    %two = graph.constant dense<2.0> : tensor<4xf32>
    %m = graph.mul %a, %two : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %n = graph.relu %m : (tensor<4xf32>) -> tensor<4xf32>
    graph.yield %n : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
