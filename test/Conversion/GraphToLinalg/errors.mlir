// Ops without a CPU lowering are named (with the ONNX node, from the
// location) rather than left to a generic legalization failure.
// RUN: loom-opt %s -p 'builtin.module(loom-convert-graph-to-linalg)' -split-input-file -verify-diagnostics

func.func @top_k(%x: tensor<5xf32>, %k: tensor<1xi64>) -> tensor<2xf32> {
  // expected-error @+1 {{'graph.top_k' op has no CPU lowering yet}}
  %v, %i = graph.top_k %x, %k {axis = 0 : i64} : (tensor<5xf32>, tensor<1xi64>) -> (tensor<2xf32>, tensor<2xi64>)
  return %v : tensor<2xf32>
}

// -----

// A lowering that needs static shapes reports the op when it cannot apply.
func.func @tile(%x: tensor<?xf32>, %r: tensor<1xi64>) -> tensor<?xf32> {
  // expected-error @+1 {{failed to legalize operation 'graph.tile'}}
  %0 = graph.tile %x, %r : (tensor<?xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// Compiled control flow carries ranked tensors only.
func.func @unranked_if(%c: tensor<i1>, %x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+2 {{'graph.if' op result #0 has type 'tensor<*xf32>': compiled control flow carries ranked tensors only}}
  // expected-error @+1 {{failed to legalize operation 'graph.if'}}
  %r = graph.if %c captures(%x : tensor<*xf32>) : tensor<i1> -> tensor<*xf32> then {
  ^bb0(%a: tensor<*xf32>):
    graph.yield %a : tensor<*xf32>
  } else {
  ^bb0(%a: tensor<*xf32>):
    graph.yield %a : tensor<*xf32>
  }
  return %r : tensor<*xf32>
}

// -----

func.func @unranked_loop(%n: tensor<i64>, %x: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+2 {{'graph.loop' op result #0 has type 'tensor<*xf32>': compiled control flow carries ranked tensors only}}
  // expected-error @+1 {{failed to legalize operation 'graph.loop'}}
  %r = graph.loop max %n : tensor<i64> init(%x : tensor<*xf32>) -> tensor<*xf32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<*xf32>):
    graph.yield %c, %v : tensor<i1>, tensor<*xf32>
  }
  return %r : tensor<*xf32>
}

// -----

// A scan's output slices must have one shape for the whole scan: they are
// written into a tensor allocated before it.
func.func @dynamic_scan_slices(%s0: tensor<?xf32>, %xs: tensor<3x2xf32>) -> tensor<3x?xf32> {
  // expected-error @+2 {{'graph.scan' op needs scan outputs of static shape, got 'tensor<?xf32>'}}
  // expected-error @+1 {{failed to legalize operation 'graph.scan'}}
  %r:2 = graph.scan states(%s0 : tensor<?xf32>) inputs(%xs : tensor<3x2xf32>) -> tensor<?xf32>, tensor<3x?xf32> do {
  ^bb0(%s: tensor<?xf32>, %x: tensor<2xf32>):
    graph.yield %s, %s : tensor<?xf32>, tensor<?xf32>
  } {scan_input_axes = array<i64: 0>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64: 0>, scan_output_reverse = array<i1: false>}
  return %r#1 : tensor<3x?xf32>
}
