// Verifier branches of the computed-operand forms.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @both(%x: tensor<2x3xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{takes its axes or pads either as an attribute or as an operand, not both}}
  %0 = graph.reduce_sum %x axes %a {axes = array<i64: 0>} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @rank(%x: tensor<2x3xf32>, %a: tensor<1x1xi64>) {
  // expected-error @+1 {{the computed operand must be 1-D, got 'tensor<1x1xi64>'}}
  %0 = graph.unsqueeze %x axes %a {axes = array<i64>} : (tensor<2x3xf32>, tensor<1x1xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @too_many(%x: tensor<2xf32>, %a: tensor<2xi64>) {
  // expected-error @+1 {{removes more dims than the input 2 has}}
  %0 = graph.squeeze %x axes %a {axes = array<i64>} : (tensor<2xf32>, tensor<2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @cumsum_axis(%x: tensor<2xf32>, %k: tensor<i64>) {
  // expected-error @+1 {{needs the axis either as an attribute or as an operand}}
  %0 = graph.cumsum %x axis %k {axis = 0 : i64} : (tensor<2xf32>, tensor<i64>) -> tensor<2xf32>
  return
}

// -----

func.func @split_both(%x: tensor<4xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{takes its sizes either as an attribute or as an operand, not both}}
  %0:2 = graph.split %x sizes %s {axis = 0 : i64, sizes = array<i64: 2, 2>} : (tensor<4xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func.func @split_length(%x: tensor<4xf32>, %s: tensor<?xi64>) {
  // expected-error @+1 {{computed sizes must have a static length}}
  %0:2 = graph.split %x sizes %s {axis = 0 : i64, sizes = array<i64>} : (tensor<4xf32>, tensor<?xi64>) -> (tensor<*xf32>, tensor<*xf32>)
  return
}
