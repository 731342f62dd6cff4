// Convolution, pooling and normalisation ops print and parse back.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @conv
func.func @conv(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<6xf32>, %wt: tensor<4x3x2x2xf32>) {
  // CHECK: graph.conv %{{.*}}, %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, group = 2 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, group = 2} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<1x6x4x4xf32>
  // CHECK: graph.conv_transpose %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, output_padding = array<i64: 1, 0>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<4x3x2x2xf32>) -> tensor<1x3x17x16xf32>
  %1 = graph.conv_transpose %x, %wt {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 1, 0>} : (tensor<1x4x8x8xf32>, tensor<4x3x2x2xf32>) -> tensor<1x3x17x16xf32>
  return
}

// CHECK-LABEL: func.func @pool
func.func @pool(%x: tensor<?x3x7x7xf32>) {
  // CHECK: graph.max_pool %{{.*}} {ceil_mode, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<?x3x7x7xf32>) -> tensor<?x3x3x3xf32>
  %0 = graph.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, ceil_mode} : (tensor<?x3x7x7xf32>) -> tensor<?x3x3x3xf32>
  // CHECK: graph.average_pool %{{.*}} {count_include_pad, dilations
  %1 = graph.average_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 0, 0>, count_include_pad} : (tensor<?x3x7x7xf32>) -> tensor<?x3x7x7xf32>
  // CHECK: graph.global_average_pool %{{.*}} : (tensor<?x3x7x7xf32>) -> tensor<?x3x1x1xf32>
  %2 = graph.global_average_pool %x : (tensor<?x3x7x7xf32>) -> tensor<?x3x1x1xf32>
  // CHECK: graph.global_max_pool %{{.*}} : (tensor<?x3x7x7xf32>) -> tensor<?x3x1x1xf32>
  %3 = graph.global_max_pool %x : (tensor<?x3x7x7xf32>) -> tensor<?x3x1x1xf32>
  return
}

// CHECK-LABEL: func.func @norms
func.func @norms(%x: tensor<2x3x5xf32>, %c: tensor<3xf32>, %s: tensor<5xf32>) {
  // CHECK: graph.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<2x3x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5xf32>
  %0 = graph.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-3 : f32} : (tensor<2x3x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5xf32>
  // CHECK: graph.instance_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5xf32>
  %1 = graph.instance_norm %x, %c, %c : (tensor<2x3x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5xf32>
  // CHECK: graph.lrn %{{.*}} {size = 3 : i64} : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %2 = graph.lrn %x {size = 3} : (tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  // CHECK: graph.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<2x3x5xf32>, tensor<5xf32>, tensor<5xf32>) -> (tensor<2x3x5xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  %3:3 = graph.layer_norm %x, %s, %s {axis = 2} : (tensor<2x3x5xf32>, tensor<5xf32>, tensor<5xf32>) -> (tensor<2x3x5xf32>, tensor<2x3x1xf32>, tensor<2x3x1xf32>)
  return
}

// CHECK-LABEL: func.func @einsum
func.func @einsum(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>, %d: tensor<7x3x3xf32>) {
  // CHECK: graph.einsum %{{.*}}, %{{.*}} {equation = "bij,bjk->bik"} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  %0 = graph.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  // Implicit output: the letters used once, in order, after the ellipsis.
  // CHECK: graph.einsum %{{.*}} {equation = "...ij"} : (tensor<7x3x3xf32>) -> tensor<7x3x3xf32>
  %1 = graph.einsum %d {equation = "...ij"} : (tensor<7x3x3xf32>) -> tensor<7x3x3xf32>
  // CHECK: graph.einsum %{{.*}} {equation = "...ii->...i"} : (tensor<7x3x3xf32>) -> tensor<7x3xf32>
  %2 = graph.einsum %d {equation = "...ii->...i"} : (tensor<7x3x3xf32>) -> tensor<7x3xf32>
  return
}

// CHECK-LABEL: func.func @recurrent
func.func @recurrent(%x: tensor<5x2x4xf32>, %w: tensor<1x3x4xf32>, %r: tensor<1x3x3xf32>, %wg: tensor<2x9x4xf32>, %rg: tensor<2x9x3xf32>, %wl: tensor<1x12x4xf32>, %rl: tensor<1x12x3xf32>, %xb: tensor<2x5x4xf32>) {
  // CHECK: graph.rnn {{.*}} -> (tensor<5x1x2x3xf32>, tensor<1x2x3xf32>)
  %0:2 = graph.rnn %x, %w, %r {hidden_size = 3 : i64, activations = ["Tanh"], activation_alpha = array<f32>, activation_beta = array<f32>, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>} : (tensor<5x2x4xf32>, tensor<1x3x4xf32>, tensor<1x3x3xf32>) -> (tensor<5x1x2x3xf32>, tensor<1x2x3xf32>)
  // CHECK: graph.gru {{.*}}linear_before_reset{{.*}} -> (tensor<5x2x2x3xf32>, tensor<2x2x3xf32>)
  %1:2 = graph.gru %x, %wg, %rg {hidden_size = 3 : i64, direction = "bidirectional", activations = ["Sigmoid", "Tanh", "Sigmoid", "Tanh"], activation_alpha = array<f32>, activation_beta = array<f32>, linear_before_reset, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0>} : (tensor<5x2x4xf32>, tensor<2x9x4xf32>, tensor<2x9x3xf32>) -> (tensor<5x2x2x3xf32>, tensor<2x2x3xf32>)
  // CHECK: graph.lstm {{.*}}batch_first{{.*}} -> (tensor<2x5x1x3xf32>, tensor<2x1x3xf32>, tensor<2x1x3xf32>)
  %2:3 = graph.lstm %xb, %wl, %rl {hidden_size = 3 : i64, activations = ["Sigmoid", "Tanh", "Tanh"], activation_alpha = array<f32>, activation_beta = array<f32>, batch_first, operandSegmentSizes = array<i32: 1, 1, 1, 0, 0, 0, 0, 0>} : (tensor<2x5x4xf32>, tensor<1x12x4xf32>, tensor<1x12x3xf32>) -> (tensor<2x5x1x3xf32>, tensor<2x1x3xf32>, tensor<2x1x3xf32>)
  return
}

// CHECK-LABEL: func.func @max_pool_int8
func.func @max_pool_int8(%x: tensor<1x1x4x4xi8>) {
  // CHECK: graph.max_pool %{{.*}} : (tensor<1x1x4x4xi8>) -> tensor<1x1x2x2xi8>
  %0 = graph.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xi8>) -> tensor<1x1x2x2xi8>
  return
}
