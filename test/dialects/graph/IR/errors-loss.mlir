// Verifier branches of the loss ops.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @reduction(%x: tensor<3x5xf32>, %t: tensor<3xi64>) {
  // expected-error @+1 {{reduction must be none, sum or mean, got 'max'}}
  %0 = graph.nll_loss %x, %t {reduction = "max"} : (tensor<3x5xf32>, tensor<3xi64>) -> tensor<f32>
  return
}

// -----

func.func @input_rank(%x: tensor<5xf32>, %t: tensor<3xi64>) {
  // expected-error @+1 {{input 5 must be [N, C, d...]}}
  %0 = graph.nll_loss %x, %t : (tensor<5xf32>, tensor<3xi64>) -> tensor<f32>
  return
}

// -----

func.func @target(%x: tensor<3x5xf32>, %t: tensor<4xi64>) {
  // expected-error @+1 {{target 4 must be 3 for input 3x5}}
  %0 = graph.nll_loss %x, %t : (tensor<3x5xf32>, tensor<4xi64>) -> tensor<f32>
  return
}

// -----

func.func @weight(%x: tensor<3x5xf32>, %t: tensor<3xi64>, %w: tensor<4xf32>) {
  // expected-error @+1 {{weight 4 must hold one value per class}}
  %0 = graph.nll_loss %x, %t, %w : (tensor<3x5xf32>, tensor<3xi64>, tensor<4xf32>) -> tensor<f32>
  return
}

// -----

func.func @sce_result(%x: tensor<3x5xf32>, %t: tensor<3xi64>) {
  // expected-error @+1 {{result type 'tensor<3xf32>' is incompatible with the inferred type 'tensor<f32>'}}
  %0:2 = graph.softmax_cross_entropy_loss %x, %t : (tensor<3x5xf32>, tensor<3xi64>) -> (tensor<3xf32>, tensor<3x5xf32>)
  return
}

// -----

func.func @sce_target(%x: tensor<3x5xf32>, %t: tensor<5xi64>) {
  // expected-error @+1 {{target 5 must be 3 for input 3x5}}
  %0:2 = graph.softmax_cross_entropy_loss %x, %t : (tensor<3x5xf32>, tensor<5xi64>) -> (tensor<f32>, tensor<3x5xf32>)
  return
}
