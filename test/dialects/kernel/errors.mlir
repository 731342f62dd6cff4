// Every verifier branch of the kernel ops.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @mixed(%a: tensor<4x8xf32>, %b: memref<8x2xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+1 {{operands must all be tensors or all be memrefs}}
  %0 = kernel.matmul ins(%a, %b : tensor<4x8xf32>, memref<8x2xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @buffer_result(%a: memref<4x8xf32>, %b: memref<8x2xf32>, %c: memref<4x2xf32>) {
  // expected-error @+1 {{on memrefs has no results}}
  %0 = kernel.matmul ins(%a, %b : memref<4x8xf32>, memref<8x2xf32>) outs(%c : memref<4x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @tensor_no_result(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+1 {{on tensors has one result of the init's type 'tensor<4x2xf32>'}}
  kernel.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) outs(%c : tensor<4x2xf32>)
  return
}

// -----

func.func @result_type(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+1 {{on tensors has one result of the init's type}}
  %0 = kernel.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) outs(%c : tensor<4x2xf32>) -> tensor<?x2xf32>
  return
}

// -----

func.func @element_type(%a: tensor<4x8xf64>, %b: tensor<8x2xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+1 {{operand #0 must be f32 ranked tensor or memref}}
  %0 = kernel.matmul ins(%a, %b : tensor<4x8xf64>, tensor<8x2xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<2x4x8xf32>, %b: tensor<8x2xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+1 {{lhs must have rank 2, got 3}}
  %0 = kernel.matmul ins(%a, %b : tensor<2x4x8xf32>, tensor<8x2xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @matmul_rhs_rank(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+1 {{rhs must have rank 2, got 1}}
  %0 = kernel.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @matmul_init_rank(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>, %c: tensor<8xf32>) {
  // expected-error @+1 {{init must have rank 2 (a product) or 3 (a batch of them), got 1}}
  %0 = kernel.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) outs(%c : tensor<8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @contraction(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+1 {{contracts lhs dim of size 4 with rhs dim of size 8}}
  %0 = kernel.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) outs(%c : tensor<4x2xf32>) {transpose_a} -> tensor<4x2xf32>
  return
}

// -----

func.func @bias_size(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>, %v: tensor<4xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+1 {{bias must have one element per column (2), got 'tensor<4xf32>'}}
  %0 = kernel.matmul ins(%a, %b, %v : tensor<4x8xf32>, tensor<8x2xf32>, tensor<4xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @bias_rank(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>, %v: tensor<1x2xf32>, %c: tensor<4x2xf32>) {
  // expected-error @+1 {{bias must have rank 1, got 2}}
  %0 = kernel.matmul ins(%a, %b, %v : tensor<4x8xf32>, tensor<8x2xf32>, tensor<1x2xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @batch_init(%a: tensor<3x4x8xf32>, %b: tensor<3x8x2xf32>, %c: tensor<3x4x8xf32>) {
  // expected-error @+1 {{init must be 4x2 (rows of lhs by columns of rhs), got 'tensor<3x4x8xf32>'}}
  %0 = kernel.matmul ins(%a, %b : tensor<3x4x8xf32>, tensor<3x8x2xf32>) outs(%c : tensor<3x4x8xf32>) -> tensor<3x4x8xf32>
  return
}

// -----

func.func @batch_sizes(%a: tensor<3x4x8xf32>, %b: tensor<2x8x2xf32>, %c: tensor<3x4x2xf32>) {
  // expected-error @+1 {{batches of lhs, rhs and init differ}}
  %0 = kernel.matmul ins(%a, %b : tensor<3x4x8xf32>, tensor<2x8x2xf32>) outs(%c : tensor<3x4x2xf32>) -> tensor<3x4x2xf32>
  return
}

// -----

func.func @batch_ranks(%a: tensor<3x4x8xf32>, %b: tensor<8x2xf32>, %c: tensor<3x4x2xf32>) {
  // expected-error @+1 {{rhs must have rank 3, got 2}}
  %0 = kernel.matmul ins(%a, %b : tensor<3x4x8xf32>, tensor<8x2xf32>) outs(%c : tensor<3x4x2xf32>) -> tensor<3x4x2xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<2x3x4x8xf32>, %b: tensor<2x3x8x2xf32>, %c: tensor<2x3x4x2xf32>) {
  // expected-error @+1 {{init must have rank 2 (a product) or 3 (a batch of them), got 4}}
  %0 = kernel.matmul ins(%a, %b : tensor<2x3x4x8xf32>, tensor<2x3x8x2xf32>) outs(%c : tensor<2x3x4x2xf32>) -> tensor<2x3x4x2xf32>
  return
}

// -----

func.func @matmul_init(%a: tensor<4x8xf32>, %b: tensor<2x8xf32>, %c: tensor<4x8xf32>) {
  // expected-error @+1 {{init must be 4x2 (rows of lhs by columns of rhs), got 'tensor<4x8xf32>'}}
  %0 = kernel.matmul ins(%a, %b : tensor<4x8xf32>, tensor<2x8xf32>) outs(%c : tensor<4x8xf32>) {transpose_b} -> tensor<4x8xf32>
  return
}

// -----

func.func @conv_rank(%x: tensor<1x3x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{input must have rank 4, got 3}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{weight must have rank 4, got 3}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_init_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<4x6x6xf32>) {
  // expected-error @+1 {{init must have rank 4, got 3}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<4x6x6xf32>
  return
}

// -----

func.func @bias_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<1x4xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{bias must have rank 1, got 2}}
  %0 = kernel.conv2d ins(%x, %w, %b : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<1x4xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{strides must be 2 positive values}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @dilations(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{dilations must be 2 positive values}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1>, groups = 1 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{pads must be 4 non-negative values}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, -1, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{groups must be positive, got 0}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 0 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @group_split(%x: tensor<1x6x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{weight's 4 output channels do not divide into 3 groups}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x6x8x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 3 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @channels(%x: tensor<1x5x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{input has 5 channels, the weight expects 3}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x5x8x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @bias_size(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{bias must have one value per output channel (4), got 3}}
  %0 = kernel.conv2d ins(%x, %w, %b : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @init_channels(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<2x5x6x6xf32>) {
  // expected-error @+1 {{init's batch and channels must be 2x4}}
  %0 = kernel.conv2d ins(%x, %w : tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<2x5x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<2x5x6x6xf32>
  return
}

// -----

func.func @window(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x1x6xf32>) {
  // expected-error @+1 {{the kernel does not fit spatial dim 0 of the padded input}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<1x4x1x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x1x6xf32>
  return
}

// -----

func.func @spatial(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %y: tensor<1x4x6x6xf32>) {
  // expected-error @+1 {{init's spatial dim 1 must be 3, got 6}}
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%y : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @box_mesh(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) {
  // expected-error @+1 {{needs a 1-D or 2-D mesh of positive sizes}}
  %0 = kernel.box ins(%x : tensor<4x8xf32>) outs(%y : tensor<4x8xf32>) {mesh = array<i64: 0>, mesh_axis = 0 : i64, from = array<i64: 1, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<4x8xf32>
  return
}

// -----

func.func @box_axis(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) {
  // expected-error @+1 {{mesh_axis 1 is not an axis of the mesh}}
  %0 = kernel.box ins(%x : tensor<4x8xf32>) outs(%y : tensor<4x8xf32>) {mesh = array<i64: 2>, mesh_axis = 1 : i64, from = array<i64: 1, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<4x8xf32>
  return
}

// -----

func.func @box_rank(%x: tensor<4x8xf32>, %y: tensor<32xf32>) {
  // expected-error @+1 {{converts between parts of one tensor: ranks 2 and 1 differ}}
  %0 = kernel.box ins(%x : tensor<4x8xf32>) outs(%y : tensor<32xf32>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 1, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<32xf32>
  return
}

// -----

func.func @box_layout(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) {
  // expected-error @+1 {{layouts are [kind (0 split, 1 broadcast, 2 partial), dim, reduction (0 sum, 1 max, 2 min)]}}
  %0 = kernel.box ins(%x : tensor<4x8xf32>) outs(%y : tensor<4x8xf32>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 3, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<4x8xf32>
  return
}

// -----

func.func @box_split_dim(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) {
  // expected-error @+1 {{splits dim 2 of a rank-2 tensor}}
  %0 = kernel.box ins(%x : tensor<4x8xf32>) outs(%y : tensor<4x8xf32>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 0, 2, 0>, to = array<i64: 1, 0, 0>} -> tensor<4x8xf32>
  return
}

// -----

func.func @box_parts(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>) {
  // expected-error @+1 {{input and init are parts of different tensors: dim 0 of size 4 is not a part of 4 split over 2 devices}}
  %0 = kernel.box ins(%x : tensor<4x8xf32>) outs(%y : tensor<4x8xf32>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 0, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<4x8xf32>
  return
}

// -----

// An uneven part is D / n or D / n + 1 rows of the whole: 5 over 2 is 2 or 3.
func.func @box_uneven_parts(%x: tensor<1x8xf32>, %y: tensor<5x8xf32>) {
  // expected-error @+1 {{dim 0 of size 1 is not a part of 5 split over 2 devices}}
  %0 = kernel.box ins(%x : tensor<1x8xf32>) outs(%y : tensor<5x8xf32>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 0, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<5x8xf32>
  return
}

// -----

func.func @box_unsplit_dim(%x: tensor<4x8xf32>, %y: tensor<4x6xf32>) {
  // expected-error @+1 {{input and init are parts of different tensors: dim 1 is 8 and 6}}
  %0 = kernel.box ins(%x : tensor<4x8xf32>) outs(%y : tensor<4x6xf32>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 2, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<4x6xf32>
  return
}

// -----

func.func @box_element_types(%x: tensor<4x8xf32>, %y: tensor<4x8xi64>) {
  // expected-error @+1 {{input and init must have one element type, got 'f32' and 'i64'}}
  %0 = kernel.box ins(%x : tensor<4x8xf32>) outs(%y : tensor<4x8xi64>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 2, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<4x8xi64>
  return
}

// -----

func.func @box_element_type(%x: tensor<4x8xui8>, %y: tensor<4x8xui8>) {
  // expected-error @+1 {{operand #0 must be ranked tensor or memref of f16, bf16, f32, f64, i1, i8, i16, i32 or i64}}
  %0 = kernel.box ins(%x : tensor<4x8xui8>) outs(%y : tensor<4x8xui8>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 2, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<4x8xui8>
  return
}

// -----

// Bools move (S -> B) but do not reduce.
func.func @box_reduce_bool(%x: tensor<4x8xi1>, %y: tensor<4x8xi1>) {
  // expected-error @+1 {{cannot reduce 'i1' elements (partial layouts need f32, f64 or an integer of 8 to 64 bits)}}
  %0 = kernel.box ins(%x : tensor<4x8xi1>) outs(%y : tensor<4x8xi1>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 2, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<4x8xi1>
  return
}

// -----

func.func @mesh_rank() {
  // expected-error @+1 {{needs a 1-D or 2-D mesh of positive sizes}}
  %0 = kernel.mesh_rank {mesh = array<i64: 2, 0>} : i64
  return
}

// -----

func.func @check_kind(%ok: i1) {
  // expected-error @+1 {{kind must be index, shape, size or value, not 'bounds'}}
  kernel.check %ok, "out of range" {kind = "bounds"}
  return
}

// -----

func.func @check_values(%ok: i1, %v: i64) {
  // expected-error @+1 {{names at most two values ({0} and {1}), got 3}}
  kernel.check %ok, "{0} {1}" (%v, %v, %v) {kind = "index"} : i64, i64, i64
  return
}

// -----

func.func @check_placeholder(%ok: i1, %v: i64) {
  // expected-error @+1 {{message refers to a value it is not given: '{1}'}}
  kernel.check %ok, "{0} is not {1}" (%v) {kind = "shape"} : i64
  return
}

// -----

func.func @check_message(%ok: i1) {
  // expected-error @+1 {{needs a message}}
  kernel.check %ok, "" {kind = "value"}
  return
}

// -----

func.func @weight_offsets() {
  // expected-error @+1 {{has 1 offsets for a rank-2 result}}
  %w = kernel.weight "w"[0] offsets [0] : memref<2x2xf32>
  return
}

// -----

func.func @weight_name() {
  // expected-error @+1 {{needs the name of a tensor of the weights file}}
  %w = kernel.weight ""[0] offsets [0] : memref<2xf32>
  return
}

// -----

func.func @weight_index() {
  // expected-error @+1 {{needs a non-negative use index, got -1}}
  %w = kernel.weight "w"[-1] offsets [0] : memref<2xf32>
  return
}

// -----

func.func @weight_layout() {
  // expected-error @+1 {{needs a row-major (identity layout) memref}}
  %w = kernel.weight "w"[0] offsets [0, 0] : memref<2x2xf32, strided<[1, 2]>>
  return
}
