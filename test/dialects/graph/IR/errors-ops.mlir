// Verifier branches of the elementwise, shape, reduction and softmax ops.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @clip_bounds(%x: tensor<4xf32>, %b: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{bounds must be scalars, got 'tensor<2xf32>'}}
  %0 = graph.clip %x min %b : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @cast_shape(%x: tensor<4xf32>) -> tensor<5xi32> {
  // expected-error @+1 {{result type 'tensor<5xi32>' is incompatible with the inferred type 'tensor<4xi32>'}}
  %0 = graph.cast %x {to = i32} : (tensor<4xf32>) -> tensor<5xi32>
  return %0 : tensor<5xi32>
}

// -----

func.func @cast_to(%x: tensor<4xf32>) -> tensor<4xi16> {
  // expected-error @+1 {{result type 'tensor<4xi16>' is incompatible with the inferred type 'tensor<4xi32>'}}
  %0 = graph.cast %x {to = i32} : (tensor<4xf32>) -> tensor<4xi16>
  return %0 : tensor<4xi16>
}

// -----

func.func @compare_result(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{result #0 must be tensor of 1-bit signless integer values}}
  %0 = graph.less %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @compare_operands(%a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xi1> {
  // expected-error @+1 {{requires the same element type for all operands}}
  %0 = graph.equal %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @where_broadcast(%c: tensor<3xi1>, %a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand shapes 3 and 4 are not broadcast-compatible}}
  %0 = graph.where %c, %a, %a : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @where_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xi32>) -> tensor<4xf32> {
  // expected-error @+1 {{failed to verify that all of {true_value, false_value, result} have same element type}}
  %0 = graph.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{perm [0, 0] is not a permutation}}
  %0 = graph.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_rank(%x: tensor<2x3xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{perm has 3 entries but the input 2x3 has rank 2}}
  %0 = graph.transpose %x {perm = array<i64: 0, 2, 1>} : (tensor<2x3xf32>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

func.func @squeeze_size(%x: tensor<2x1xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{cannot squeeze dim 0 of size 2}}
  %0 = graph.squeeze %x {axes = array<i64: 0>} : (tensor<2x1xf32>) -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @squeeze_range(%x: tensor<2x1xf32>) -> tensor<2x1xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = graph.squeeze %x {axes = array<i64: 2>} : (tensor<2x1xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @unsqueeze_order(%x: tensor<2xf32>) -> tensor<1x2x1xf32> {
  // expected-error @+1 {{axes must be sorted and distinct, got [2, 0]}}
  %0 = graph.unsqueeze %x {axes = array<i64: 2, 0>} : (tensor<2xf32>) -> tensor<1x2x1xf32>
  return %0 : tensor<1x2x1xf32>
}

// -----

func.func @flatten_axis(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{axis 3 is out of range for 2x3}}
  %0 = graph.flatten %x {axis = 3} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @flatten_negative(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{attribute 'axis' failed to satisfy constraint: 64-bit signless integer attribute whose value is non-negative}}
  %0 = graph.flatten %x {axis = -1} : (tensor<2x3xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @concat_empty() -> tensor<?xf32> {
  // expected-error @+1 {{expected 1 or more operands, but found 0}}
  %0 = graph.concat {axis = 0} : () -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{inputs 2x3 and 3 differ in rank}}
  %0 = graph.concat %a, %b {axis = 0} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) -> tensor<4x?xf32> {
  // expected-error @+1 {{inputs 2x3 and 2x4 differ in dim 1}}
  %0 = graph.concat %a, %b {axis = 0} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{axis 2 is out of range for 2x3}}
  %0 = graph.concat %a, %a {axis = 2} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

func.func @concat_result(%a: tensor<2x3xf32>) -> tensor<5x3xf32> {
  // expected-error @+1 {{result type 'tensor<5x3xf32>' is incompatible with the inferred type 'tensor<4x3xf32>'}}
  %0 = graph.concat %a, %a {axis = 0} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// -----

func.func @shape_range(%x: tensor<2x3xf32>) -> tensor<?xi64> {
  // expected-error @+1 {{dims [1, 3) are not a range of the input 2x3}}
  %0 = graph.shape %x {start = 1, end = 3} : (tensor<2x3xf32>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

// -----

func.func @reduce_axis(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = graph.reduce_sum %x {axes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @reduce_repeat(%x: tensor<2x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{axes must be sorted and distinct, got [0, 0]}}
  %0 = graph.reduce_max %x {axes = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @reduce_result(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{result type 'tensor<2xf32>' is incompatible with the inferred type 'tensor<2x1xf32>'}}
  %0 = graph.reduce_mean %x {axes = array<i64: 1>, keep_dims} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @arg_axis(%x: tensor<2x3xf32>) -> tensor<2xi64> {
  // expected-error @+1 {{axis 5 is out of range for rank 2}}
  %0 = graph.arg_max %x {axis = 5} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 2 is out of range for 2x3}}
  %0 = graph.softmax %x {axis = 2} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
