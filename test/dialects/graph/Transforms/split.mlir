// The DyCL split: straight-line runs become subgraphs, control flow and
// calls stay in the host.
// RUN: loom-opt %s -p 'builtin.module(graph-split)' | FileCheck %s
// RUN: loom-opt %s -p 'builtin.module(graph-split{inline-constant-elements=0})' | FileCheck %s --check-prefix=NOINLINE

// A nested graph.if inside a graph.loop, with a loop-carried value and
// captures: every block's run is one subgraph.
// CHECK-LABEL: func.func @nested
// CHECK-SAME: attributes {loom.host}
// CHECK:      %[[PRED:.*]] = call @nested_sg0(%arg0) : (tensor<4xf32>) -> tensor<i1>
// CHECK:      graph.loop max %{{.*}} : tensor<i64> while %[[PRED]] : tensor<i1> init(%arg0 : tensor<4xf32>) captures(%arg1 : tensor<4xf32>)
// CHECK:      ^bb0(%{{.*}}: tensor<i64>, %{{.*}}: tensor<i1>, %[[V:.*]]: tensor<4xf32>, %[[W:.*]]: tensor<4xf32>):
// CHECK:        %[[B:.*]]:2 = func.call @nested_sg1(%[[V]], %[[W]])
// CHECK:        graph.if %[[B]]#1 captures(%[[B]]#0, %[[W]] : tensor<4xf32>, tensor<4xf32>)
// CHECK:          func.call @nested_sg2(
// CHECK:        } else {
// CHECK:          func.call @nested_sg3(
// CHECK:        func.call @nested_sg4(
// CHECK:        graph.yield
// CHECK:      call @nested_sg5(
// CHECK:      return
// CHECK:      func.func private @nested_sg0(%arg0: tensor<4xf32>) -> tensor<i1> attributes {loom.origins = ["@nested"], loom.subgraph}
// CHECK-NEXT:   graph.constant dense<0.000000e+00>
// CHECK-NEXT:   graph.reduce_sum
// CHECK-NEXT:   graph.greater
// CHECK:      func.func private @nested_sg1({{.*}} attributes {loom.origins = ["body of graph.loop 'L' in @nested"], loom.subgraph}
// CHECK:      func.func private @nested_sg2({{.*}}loom.origins = ["then branch of graph.if 'I' in body of graph.loop 'L' in @nested"]
// CHECK:      func.func private @nested_sg3({{.*}}loom.origins = ["else branch of graph.if 'I' in body of graph.loop 'L' in @nested"]
func.func @nested(%x: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<4xf32> {
  %n = graph.constant dense<8> : tensor<i64>
  %zero = graph.constant dense<0.0> : tensor<f32>
  %s = graph.reduce_sum %x {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
  %p = graph.greater %s, %zero : (tensor<f32>, tensor<f32>) -> tensor<i1>
  %r = graph.loop max %n : tensor<i64> while %p : tensor<i1> init(%x : tensor<4xf32>) captures(%w : tensor<4xf32>) -> tensor<4xf32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<4xf32>, %ww: tensor<4xf32>):
    %m = graph.mul %v, %ww : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %t = graph.reduce_sum %m {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
    %zz = graph.constant dense<0.0> : tensor<f32>
    %q = graph.less %t, %zz : (tensor<f32>, tensor<f32>) -> tensor<i1>
    %b = graph.if %q captures(%m, %ww : tensor<4xf32>, tensor<4xf32>) : tensor<i1> -> tensor<4xf32> then {
    ^bb0(%a: tensor<4xf32>, %aw: tensor<4xf32>):
      %e = graph.neg %a : (tensor<4xf32>) -> tensor<4xf32>
      graph.yield %e : tensor<4xf32>
    } else {
    ^bb0(%a: tensor<4xf32>, %aw: tensor<4xf32>):
      %e = graph.add %a, %aw : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      graph.yield %e : tensor<4xf32>
    } loc("I")
    %u = graph.tanh %b : (tensor<4xf32>) -> tensor<4xf32>
    %k = graph.reduce_sum %u {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
    %go = graph.greater %k, %zz : (tensor<f32>, tensor<f32>) -> tensor<i1>
    graph.yield %go, %u : tensor<i1>, tensor<4xf32>
  } loc("L")
  %out = graph.relu %r : (tensor<4xf32>) -> tensor<4xf32>
  return %out : tensor<4xf32>
}

// Blocks identical up to their weights are one subgraph, called once per
// block; weights every call passes as constants are marked loom.constant.
// CHECK-LABEL: func.func @repeated
// CHECK:      graph.if
// CHECK:        func.call @repeated_sg1(%{{.*}}, %{{.*}}) : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
// CHECK:      graph.if
// CHECK:        func.call @repeated_sg1(%{{.*}}, %{{.*}}) : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
// CHECK:      func.func private @repeated_sg1(%arg0: tensor<1x4xf32>, %arg1: tensor<4x4xf32> {loom.constant})
// CHECK-SAME: loom.origins = ["then branch of graph.if 'B1' in @repeated", "then branch of graph.if 'B2' in @repeated"]
// CHECK-NOT:  func.func private @repeated_sg
// CHECK:      func.func private @repeated_sg2(
// CHECK-NOT:  func.func private @repeated_sg
func.func @repeated(%x: tensor<1x4xf32>, %c1: tensor<i1>, %c2: tensor<i1>) -> tensor<1x4xf32> {
  %w1 = graph.constant dense<1.0> : tensor<4x4xf32>
  %w2 = graph.constant dense<2.0> : tensor<4x4xf32>
  %h = graph.relu %x : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %y1 = graph.if %c1 captures(%h, %w1 : tensor<1x4xf32>, tensor<4x4xf32>) : tensor<i1> -> tensor<1x4xf32> then {
  ^bb0(%a: tensor<1x4xf32>, %w: tensor<4x4xf32>):
    %m = graph.matmul %a, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
    %r = graph.relu %m : (tensor<1x4xf32>) -> tensor<1x4xf32>
    graph.yield %r : tensor<1x4xf32>
  } else {
  ^bb0(%a: tensor<1x4xf32>, %w: tensor<4x4xf32>):
    graph.yield %a : tensor<1x4xf32>
  } loc("B1")
  %y2 = graph.if %c2 captures(%y1, %w2 : tensor<1x4xf32>, tensor<4x4xf32>) : tensor<i1> -> tensor<1x4xf32> then {
  ^bb0(%a: tensor<1x4xf32>, %w: tensor<4x4xf32>):
    %m = graph.matmul %a, %w : (tensor<1x4xf32>, tensor<4x4xf32>) -> tensor<1x4xf32>
    %r = graph.relu %m : (tensor<1x4xf32>) -> tensor<1x4xf32>
    graph.yield %r : tensor<1x4xf32>
  } else {
  ^bb0(%a: tensor<1x4xf32>, %w: tensor<4x4xf32>):
    graph.yield %a : tensor<1x4xf32>
  } loc("B2")
  %o = graph.sigmoid %y2 : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %o : tensor<1x4xf32>
}

// Small constants are copied into the subgraph (so shapes still fold);
// with inline-constant-elements=0 they are passed.
// CHECK-LABEL: func.func private @reshape_sg1(
// CHECK-SAME:  %arg0: tensor<2x2xf32>) -> tensor<4xf32>
// CHECK:        graph.constant dense<4> : tensor<1xi64>
// CHECK:        graph.reshape
// NOINLINE-LABEL: func.func @reshape
// NOINLINE:       graph.constant dense<4> : tensor<1xi64>
// NOINLINE-LABEL: func.func private @reshape_sg1(
// NOINLINE-SAME:  %arg0: tensor<2x2xf32>, %arg1: tensor<1xi64> {loom.constant}) -> tensor<4xf32>
func.func @reshape(%x: tensor<2x2xf32>, %c: tensor<i1>) -> tensor<4xf32> {
  %r = graph.if %c captures(%x : tensor<2x2xf32>) : tensor<i1> -> tensor<2x2xf32> then {
  ^bb0(%a: tensor<2x2xf32>):
    graph.yield %a : tensor<2x2xf32>
  } else {
  ^bb0(%a: tensor<2x2xf32>):
    %n = graph.neg %a : (tensor<2x2xf32>) -> tensor<2x2xf32>
    graph.yield %n : tensor<2x2xf32>
  }
  %shape = graph.constant dense<4> : tensor<1xi64>
  %flat = graph.reshape %r, %shape : (tensor<2x2xf32>, tensor<1xi64>) -> tensor<4xf32>
  return %flat : tensor<4xf32>
}

// Functions without control flow are left alone.
// CHECK-LABEL: func.func @static(
// CHECK-NOT:   loom.host
// CHECK-NEXT:  graph.relu
func.func @static(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = graph.relu %x : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// A loop that appends to a sequence (a decode loop collecting its tokens):
// the sequence is carried by the host's loop like any value, and the
// sequence ops join the straight-line runs of their block.
// CHECK-LABEL: func.func @sequence_loop
// CHECK-SAME:    attributes {loom.host}
// CHECK:         %[[EMPTY:.*]] = call @sequence_loop_sg0()
// CHECK:         graph.loop {{.*}} init(%arg1, %[[EMPTY]] : tensor<4xf32>, !graph.seq<tensor<4xf32>>)
// CHECK:           %[[NEXT:.*]]:2 = func.call @sequence_loop_sg1(
// CHECK:           graph.yield %{{.*}}, %[[NEXT]]#0, %[[NEXT]]#1
// CHECK:         call @sequence_loop_sg2(
// CHECK:       func.func private @sequence_loop_sg0() -> !graph.seq<tensor<4xf32>>
// CHECK:         graph.sequence_empty
// CHECK:       func.func private @sequence_loop_sg1(
// CHECK:         graph.neg
// CHECK:         graph.sequence_insert
// CHECK:       func.func private @sequence_loop_sg2(
// CHECK:         graph.sequence_length
// CHECK:         graph.sequence_at
func.func @sequence_loop(%n: tensor<i64>, %x: tensor<4xf32>) -> (tensor<i64>, tensor<4xf32>) {
  %e = graph.sequence_empty : !graph.seq<tensor<4xf32>>
  %r:2 = graph.loop max %n : tensor<i64> init(%x, %e : tensor<4xf32>, !graph.seq<tensor<4xf32>>) -> tensor<4xf32>, !graph.seq<tensor<4xf32>> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<4xf32>, %s: !graph.seq<tensor<4xf32>>):
    %next = graph.neg %v : (tensor<4xf32>) -> tensor<4xf32>
    %s2 = graph.sequence_insert %s, %next : !graph.seq<tensor<4xf32>>, tensor<4xf32> -> !graph.seq<tensor<4xf32>>
    graph.yield %c, %next, %s2 : tensor<i1>, tensor<4xf32>, !graph.seq<tensor<4xf32>>
  }
  %len = graph.sequence_length %r#1 : !graph.seq<tensor<4xf32>> -> tensor<i64>
  %one = graph.constant dense<1> : tensor<i64>
  %lastpos = graph.sub %len, %one : (tensor<i64>, tensor<i64>) -> tensor<i64>
  %last = graph.sequence_at %r#1[%lastpos] : !graph.seq<tensor<4xf32>>, tensor<i64> -> tensor<4xf32>
  return %len, %last : tensor<i64>, tensor<4xf32>
}
