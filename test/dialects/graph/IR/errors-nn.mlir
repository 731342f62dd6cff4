// Verifier branches of the convolution, pooling and normalisation ops.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @conv_rank(%x: tensor<4x8xf32>, %w: tensor<6x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input 4x8 and weight 6x4 must be [N, C, D...] and [M, C/group, K...] of one rank >= 3}}
  %0 = graph.conv %x, %w {strides = array<i64>, dilations = array<i64>, pads = array<i64>} : (tensor<4x8xf32>, tensor<6x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_window(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{expected 2 strides and dilations and 4 pads for 2 spatial dims, got 1, 2 and 4}}
  %0 = graph.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_stride(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{strides and dilations must be positive and pads non-negative}}
  %0 = graph.conv %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<6x3x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input has 4 channels but weight 6x3x3x3 takes 3 per group over 1 groups}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<6x3x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{5 filters do not divide into 2 groups}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2} : (tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_group_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<5x2x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{group must be positive, got 0}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 0} : (tensor<1x4x8x8xf32>, tensor<5x2x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_bias(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>, %b: tensor<5xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{bias 5 must be 1-D with one value per filter (6)}}
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>, tensor<5xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_small(%x: tensor<1x4x2x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{spatial dim 0 of size 2 is smaller than the window 3 (dilation 1, pads 0+0)}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x2x8xf32>, tensor<6x4x3x3xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_result(%x: tensor<1x4x8x8xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32> {
  // expected-error @+1 {{result type 'tensor<1x6x8x8xf32>' is incompatible with the inferred type 'tensor<1x6x6x6xf32>'}}
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x8x8xf32>
  return %0 : tensor<1x6x8x8xf32>
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x2x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input has 4 channels but weight 3x2x2x2 takes 3}}
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x4x8x8xf32>, tensor<3x2x2x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x2x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{expected 2 output paddings, got 1}}
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0>} : (tensor<1x4x8x8xf32>, tensor<4x2x2x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @conv_transpose_empty(%x: tensor<1x4x1x1xf32>, %w: tensor<4x2x1x1xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{spatial dim 0 comes out empty}}
  %0 = graph.conv_transpose %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x4x1x1xf32>, tensor<4x2x1x1xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_kernel(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{needs a kernel shape}}
  %0 = graph.max_pool %x {kernel_shape = array<i64>, strides = array<i64>, dilations = array<i64>, pads = array<i64>} : (tensor<1x3x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_kernel_size(%x: tensor<1x3x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{kernel dims must be positive}}
  %0 = graph.max_pool %x {kernel_shape = array<i64: 0, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @pool_rank(%x: tensor<3x8x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input 3x8x8 must be [N, C, D...] with 2 spatial dims}}
  %0 = graph.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<3x8x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @global_pool_rank(%x: tensor<3x8xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{input 3x8 must be [N, C, D...] with spatial dims}}
  %0 = graph.global_average_pool %x : (tensor<3x8xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @batch_norm_param(%x: tensor<2x3x5xf32>, %c: tensor<3xf32>, %bad: tensor<4xf32>) -> tensor<2x3x5xf32> {
  // expected-error @+1 {{parameter 4 must be 1-D with one value per channel (3)}}
  %0 = graph.batch_norm %x, %c, %c, %bad, %c : (tensor<2x3x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}

// -----

func.func @instance_norm_rank(%x: tensor<5xf32>, %c: tensor<3xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{input 5 must be [N, C, ...]}}
  %0 = graph.instance_norm %x, %c, %c : (tensor<5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @lrn_size(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{attribute 'size' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  %0 = graph.lrn %x {size = 0} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for 2x3}}
  %0:3 = graph.layer_norm %x, %s {axis = 2} : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<*xf32>, tensor<*xf32>)
  return %0#0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3xf32>, %s: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{operand shapes 3 and 4 are not broadcast-compatible}}
  %0:3 = graph.layer_norm %x, %s {axis = 1} : (tensor<2x3xf32>, tensor<4xf32>) -> (tensor<2x3xf32>, tensor<2x1xf32>, tensor<2x1xf32>)
  return %0#0 : tensor<2x3xf32>
}

// -----

func.func @layer_norm_result(%x: tensor<2x3xf32>, %s: tensor<3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{result type 'tensor<2x3xf32>' is incompatible with the inferred type 'tensor<2x1xf32>'}}
  %0:3 = graph.layer_norm %x, %s {axis = 1} : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x1xf32>)
  return %0#0 : tensor<2x3xf32>
}

// -----

func.func @einsum_count(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{equation 'ij,jk->ik' has 2 inputs but the op 1}}
  %0 = graph.einsum %a {equation = "ij,jk->ik"} : (tensor<2x3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @einsum_subscript(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{equation 'i1->i' has a bad subscript '1'}}
  %0 = graph.einsum %a {equation = "i1->i"} : (tensor<2x3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @einsum_fit(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{term 'ijk' does not fit input 2x3}}
  %0 = graph.einsum %a {equation = "ijk->i"} : (tensor<2x3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @einsum_sizes(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{subscript 'j' has sizes 3 and 4}}
  %0 = graph.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @einsum_output(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{output subscript 'k' appears in no input}}
  %0 = graph.einsum %a {equation = "ij->k"} : (tensor<2x3xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @rnn_direction(%x: tensor<5x2x4xf32>, %w: tensor<1x3x4xf32>, %r: tensor<1x3x3xf32>) {
  // expected-error @+1 {{direction must be forward, reverse or bidirectional, got 'both'}}
  %0:2 = graph.rnn %x, %w, %r {hidden_size = 3 : i64, direction = "both", activations = ["Tanh"], activation_alpha = array<f32>, activation_beta = array<f32>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>} : (tensor<5x2x4xf32>, tensor<1x3x4xf32>, tensor<1x3x3xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func.func @rnn_activations(%x: tensor<5x2x4xf32>, %w: tensor<1x3x4xf32>, %r: tensor<1x3x3xf32>) {
  // expected-error @+1 {{expected 1 activations, got 2}}
  %0:2 = graph.rnn %x, %w, %r {hidden_size = 3 : i64, activations = ["Tanh", "Relu"], activation_alpha = array<f32>, activation_beta = array<f32>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>} : (tensor<5x2x4xf32>, tensor<1x3x4xf32>, tensor<1x3x3xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func.func @rnn_input(%x: tensor<2x4xf32>, %w: tensor<1x3x4xf32>, %r: tensor<1x3x3xf32>) {
  // expected-error @+1 {{input 2x4 must be 3-D}}
  %0:2 = graph.rnn %x, %w, %r {hidden_size = 3 : i64, activations = ["Tanh"], activation_alpha = array<f32>, activation_beta = array<f32>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>} : (tensor<2x4xf32>, tensor<1x3x4xf32>, tensor<1x3x3xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func.func @gru_weight(%x: tensor<5x2x4xf32>, %w: tensor<1x6x4xf32>, %r: tensor<1x9x3xf32>) {
  // expected-error @+1 {{weight 1x6x4 must be [1, 9, input]}}
  %0:2 = graph.gru %x, %w, %r {hidden_size = 3 : i64, activations = ["Sigmoid", "Tanh"], activation_alpha = array<f32>, activation_beta = array<f32>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>} : (tensor<5x2x4xf32>, tensor<1x6x4xf32>, tensor<1x9x3xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func.func @lstm_result(%x: tensor<5x2x4xf32>, %w: tensor<1x12x4xf32>, %r: tensor<1x12x3xf32>) {
  // expected-error @+1 {{result type 'tensor<1x2x4xf32>' is incompatible with the inferred type 'tensor<1x2x3xf32>'}}
  %0:3 = graph.lstm %x, %w, %r {hidden_size = 3 : i64, activations = ["Sigmoid", "Tanh", "Tanh"], activation_alpha = array<f32>, activation_beta = array<f32>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>} : (tensor<5x2x4xf32>, tensor<1x12x4xf32>, tensor<1x12x3xf32>) -> (tensor<*xf32>, tensor<1x2x3xf32>, tensor<1x2x4xf32>)
  return
}
