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
