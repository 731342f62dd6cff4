// graph.if, loop and scan lower to scf: predicates are read once per
// decision, loop bodies run in place, scan outputs are stacked.
// RUN: loom-opt %s -p 'builtin.module(loom-convert-graph-to-linalg)' -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @if
// CHECK:         %[[P:.*]] = tensor.extract %arg0[]
// CHECK:         %[[R:.*]] = scf.if %[[P]] -> (tensor<4xf32>) {
// CHECK:           linalg.generic
// CHECK:           scf.yield %{{.*}} : tensor<4xf32>
// CHECK:         } else {
// CHECK:           scf.yield %arg1 : tensor<4xf32>
// CHECK:         }
// CHECK:         return %[[R]]
func.func @if(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %r = graph.if %c captures(%x : tensor<4xf32>) : tensor<i1> -> tensor<4xf32> then {
  ^bb0(%a: tensor<4xf32>):
    %n = graph.neg %a : (tensor<4xf32>) -> tensor<4xf32>
    graph.yield %n : tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>):
    graph.yield %a : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// A loop carries (iteration, condition, values...): it runs while both
// the trip count and the body's condition allow.
// CHECK-LABEL: func.func @loop
// CHECK:         %[[MAX:.*]] = tensor.extract %arg0[]
// CHECK:         %[[W:.*]]:3 = scf.while (%[[I:.*]] = %{{.*}}, %[[C:.*]] = %{{.*}}, %[[V:.*]] = %arg1) : (i64, i1, tensor<4xf32>)
// CHECK:           %[[BELOW:.*]] = arith.cmpi slt, %[[I]], %[[MAX]]
// CHECK:           %[[GO:.*]] = arith.andi %[[BELOW]], %[[C]]
// CHECK:           scf.condition(%[[GO]])
// CHECK:         } do {
// CHECK:           scf.execute_region -> (tensor<i1>, tensor<4xf32>)
// CHECK:           arith.addi %{{.*}}, %c1
// CHECK:           scf.yield
// CHECK:         return %[[W]]#2
func.func @loop(%n: tensor<i64>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %t = graph.constant dense<true> : tensor<i1>
  %r = graph.loop max %n : tensor<i64> while %t : tensor<i1> init(%x : tensor<4xf32>) -> tensor<4xf32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<4xf32>):
    %n2 = graph.neg %v : (tensor<4xf32>) -> tensor<4xf32>
    %s = graph.reduce_sum %n2 {axes = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>
    %z = graph.constant dense<0.0> : tensor<f32>
    %go = graph.greater %s, %z : (tensor<f32>, tensor<f32>) -> tensor<i1>
    graph.yield %go, %n2 : tensor<i1>, tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// Scan: a for loop over the scan input's slices, the outputs written in
// place into a tensor of the trip count's length.
// CHECK-LABEL: func.func @scan
// CHECK:         %[[N:.*]] = tensor.dim %arg1, %c0
// CHECK:         tensor.empty(%[[N]]) : tensor<?x2xf32>
// CHECK:         scf.for %{{.*}} = %c0{{.*}} to %[[N]] step %c1{{.*}} iter_args(
// CHECK:           tensor.extract_slice %arg1
// CHECK:           tensor.insert_slice
// CHECK:           scf.yield
func.func @scan(%s0: tensor<2xf32>, %xs: tensor<?x2xf32>) -> (tensor<2xf32>, tensor<?x2xf32>) {
  %r:2 = graph.scan states(%s0 : tensor<2xf32>) inputs(%xs : tensor<?x2xf32>) -> tensor<2xf32>, tensor<?x2xf32> do {
  ^bb0(%s: tensor<2xf32>, %x: tensor<2xf32>):
    %sum = graph.add %s, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    graph.yield %sum, %sum : tensor<2xf32>, tensor<2xf32>
  } {scan_input_axes = array<i64: 0>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64: 0>, scan_output_reverse = array<i1: false>}
  return %r#0, %r#1 : tensor<2xf32>, tensor<?x2xf32>
}
