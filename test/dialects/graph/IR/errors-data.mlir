// Verifier branches of the gather, scatter, slice, pad and related ops.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @gather_axis(%d: tensor<5x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{axis 2 is out of range for data 5x4}}
  %0 = graph.gather %d, %i {axis = 2} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @gather_elements_rank(%d: tensor<5x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{indices 2 must have the rank of data 5x4}}
  %0 = graph.gather_elements %d, %i {axis = 0} : (tensor<5x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @gather_elements_axis(%d: tensor<5x4xf32>, %i: tensor<2x2xi64>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = graph.gather_elements %d, %i {axis = 2} : (tensor<5x4xf32>, tensor<2x2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @gather_nd_scalar(%d: tensor<f32>, %i: tensor<1xi64>) {
  // expected-error @+1 {{data scalar and indices 1 must have rank >= 1}}
  %0 = graph.gather_nd %d, %i : (tensor<f32>, tensor<1xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @gather_nd_batch(%d: tensor<5x4xf32>, %i: tensor<2x1xi64>) {
  // expected-error @+1 {{batch_dims 2 must be below the ranks of data and indices}}
  %0 = graph.gather_nd %d, %i {batch_dims = 2} : (tensor<5x4xf32>, tensor<2x1xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @gather_nd_depth(%d: tensor<5x4xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+1 {{indices index 3 dims past 0 batch dims of data 5x4}}
  %0 = graph.gather_nd %d, %i : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @scatter_reduction(%d: tensor<5x4xf32>, %i: tensor<5x2xi64>, %u: tensor<5x2xf32>) {
  // expected-error @+1 {{reduction must be none, add, mul, max or min, got 'mean'}}
  %0 = graph.scatter_elements %d, %i, %u {axis = 0, reduction = "mean"} : (tensor<5x4xf32>, tensor<5x2xi64>, tensor<5x2xf32>) -> tensor<5x4xf32>
  return
}

// -----

func.func @scatter_updates(%d: tensor<5x4xf32>, %i: tensor<5x2xi64>, %u: tensor<5x3xf32>) {
  // expected-error @+1 {{updates 5x3 must have the shape of indices 5x2}}
  %0 = graph.scatter_elements %d, %i, %u {axis = 0} : (tensor<5x4xf32>, tensor<5x2xi64>, tensor<5x3xf32>) -> tensor<5x4xf32>
  return
}

// -----

func.func @scatter_nd_updates(%d: tensor<5x4xf32>, %i: tensor<3x1xi64>, %u: tensor<3x5xf32>) {
  // expected-error @+1 {{updates 3x5 must be 3x4}}
  %0 = graph.scatter_nd %d, %i, %u : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x5xf32>) -> tensor<5x4xf32>
  return
}

// -----

func.func @slice_lengths(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{expected one start, end and step per dim of 4x4, got 1, 2 and 2}}
  %0 = graph.slice %x {starts = array<i64: 0>, ends = array<i64: 1, 1>, steps = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<4xf32>) {
  // expected-error @+1 {{steps must not be 0}}
  %0 = graph.slice %x {starts = array<i64: 0>, ends = array<i64: 1>, steps = array<i64: 0>} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @slice_result(%x: tensor<10xf32>) {
  // expected-error @+1 {{result type 'tensor<5xf32>' is incompatible with the inferred type 'tensor<4xf32>'}}
  %0 = graph.slice %x {starts = array<i64: 1>, ends = array<i64: 8>, steps = array<i64: 2>} : (tensor<10xf32>) -> tensor<5xf32>
  return
}

// -----

func.func @dynamic_slice_axis(%x: tensor<4x4xf32>, %s: tensor<1xi64>) {
  %a = graph.constant dense<3> : tensor<1xi64>
  // expected-error @+1 {{axis 3 is out of range for 4x4}}
  %0 = graph.dynamic_slice %x, %s, %s, %a, %s : (tensor<4x4xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @tile_repeats(%x: tensor<4x4xf32>, %r: tensor<3xi64>) {
  // expected-error @+1 {{expected 2 repeats, got 3}}
  %0 = graph.tile %x, %r : (tensor<4x4xf32>, tensor<3xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @tile_negative(%x: tensor<4xf32>) {
  %r = graph.constant dense<-1> : tensor<1xi64>
  // expected-error @+1 {{repeats must be non-negative}}
  %0 = graph.tile %x, %r : (tensor<4xf32>, tensor<1xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @expand_negative(%x: tensor<4xf32>) {
  %s = graph.constant dense<-1> : tensor<1xi64>
  // expected-error @+1 {{shape dims must be non-negative}}
  %0 = graph.expand %x, %s : (tensor<4xf32>, tensor<1xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @expand_broadcast(%x: tensor<4xf32>) {
  %s = graph.constant dense<3> : tensor<1xi64>
  // expected-error @+1 {{operand shapes 4 and 3 are not broadcast-compatible}}
  %0 = graph.expand %x, %s : (tensor<4xf32>, tensor<1xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @constant_of_shape_value(%s: tensor<2xi64>) {
  // expected-error @+1 {{value must hold one element}}
  %0 = graph.constant_of_shape %s {value = dense<[1.0, 2.0]> : tensor<2xf32>} : (tensor<2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @constant_of_shape_negative() {
  %s = graph.constant dense<[2, -2]> : tensor<2xi64>
  // expected-error @+1 {{shape dims must be non-negative}}
  %0 = graph.constant_of_shape %s {value = dense<1.0> : tensor<1xf32>} : (tensor<2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @range_scalars(%a: tensor<2xi64>) {
  // expected-error @+1 {{start, limit and delta must be scalars}}
  %0 = graph.range %a, %a, %a : (tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<*xi64>
  return
}

// -----

func.func @range_delta() {
  %z = graph.constant dense<0> : tensor<i64>
  // expected-error @+1 {{delta must not be 0}}
  %0 = graph.range %z, %z, %z : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<*xi64>
  return
}

// -----

func.func @pad_mode(%x: tensor<4xf32>) {
  // expected-error @+1 {{mode must be constant, reflect, edge or wrap, got 'mirror'}}
  %0 = graph.pad %x {pads = array<i64: 1, 1>, mode = "mirror"} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{expected 2 pads for 4, got 1}}
  %0 = graph.pad %x {pads = array<i64: 1>} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @pad_crop(%x: tensor<4xf32>) {
  // expected-error @+1 {{pads crop dim 0 of size 4 below zero}}
  %0 = graph.pad %x {pads = array<i64: -3, -2>} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @trilu_rank(%x: tensor<4xf32>) {
  // expected-error @+1 {{input 4 must have rank >= 2}}
  %0 = graph.trilu %x : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @cumsum_axis(%x: tensor<4xf32>) {
  // expected-error @+1 {{axis 1 is out of range for 4}}
  %0 = graph.cumsum %x {axis = 1} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @one_hot_axis(%i: tensor<4xi64>, %d: tensor<i64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{axis 2 is out of range for 4 plus the one-hot dim}}
  %0 = graph.one_hot %i, %d, %v {axis = 2} : (tensor<4xi64>, tensor<i64>, tensor<2xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @depth_to_space_rank(%x: tensor<8x2x2xf32>) {
  // expected-error @+1 {{input 8x2x2 must be [N, C, H, W]}}
  %0 = graph.depth_to_space %x {blocksize = 2} : (tensor<8x2x2xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @depth_to_space_channels(%x: tensor<1x6x2x2xf32>) {
  // expected-error @+1 {{6 channels do not divide into blocks of 4}}
  %0 = graph.depth_to_space %x {blocksize = 2} : (tensor<1x6x2x2xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @space_to_depth_dims(%x: tensor<1x1x3x2xf32>) {
  // expected-error @+1 {{dim 2 of size 3 does not divide into blocks of 2}}
  %0 = graph.space_to_depth %x {blocksize = 2} : (tensor<1x1x3x2xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @eye_like_rank(%x: tensor<4xf32>) {
  // expected-error @+1 {{input 4 must be a matrix}}
  %0 = graph.eye_like %x {dtype = f32} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @compress_axis(%x: tensor<4xf32>, %c: tensor<4xi1>) {
  // expected-error @+1 {{axis 1 is out of range for 4}}
  %0 = graph.compress %x, %c {axis = 1} : (tensor<4xf32>, tensor<4xi1>) -> tensor<*xf32>
  return
}

// -----

func.func @split_sizes(%x: tensor<4xf32>) {
  // expected-error @+1 {{sizes add up to 3 but dim 0 is 4}}
  %0:2 = graph.split %x {axis = 0, sizes = array<i64: 1, 2>} : (tensor<4xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func.func @split_negative(%x: tensor<4xf32>) {
  // expected-error @+1 {{sizes must be non-empty and non-negative}}
  %0:2 = graph.split %x {axis = 0, sizes = array<i64: -1, 5>} : (tensor<4xf32>) -> (tensor<*xf32>, tensor<*xf32>)
  return
}

// -----

func.func @split_axis(%x: tensor<4xf32>) {
  // expected-error @+1 {{axis 1 is out of range for 4}}
  %0 = graph.split %x {axis = 1, sizes = array<i64: 4>} : (tensor<4xf32>) -> (tensor<*xf32>)
  return
}

// -----

func.func @split_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{has 1 results, expected 2}}
  %0 = graph.split %x {axis = 0, sizes = array<i64: 2, 2>} : (tensor<4xf32>) -> (tensor<*xf32>)
  return
}

// -----

func.func @split_result(%x: tensor<4xf32>) {
  // expected-error @+1 {{result type 'tensor<3xf32>' is incompatible with the inferred type 'tensor<2xf32>'}}
  %0:2 = graph.split %x {axis = 0, sizes = array<i64: 2, 2>} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<3xf32>)
  return
}

// -----

func.func @top_k_k(%x: tensor<4xf32>, %k: tensor<2xi64>) {
  // expected-error @+1 {{k must hold one value, got 2}}
  %0:2 = graph.top_k %x, %k {axis = 0} : (tensor<4xf32>, tensor<2xi64>) -> (tensor<*xf32>, tensor<*xi64>)
  return
}

// -----

func.func @top_k_axis(%x: tensor<4xf32>, %k: tensor<1xi64>) {
  // expected-error @+1 {{axis 1 is out of range for 4}}
  %0:2 = graph.top_k %x, %k {axis = 1} : (tensor<4xf32>, tensor<1xi64>) -> (tensor<*xf32>, tensor<*xi64>)
  return
}

// -----

func.func @top_k_range(%x: tensor<4xf32>) {
  %k = graph.constant dense<5> : tensor<1xi64>
  // expected-error @+1 {{k 5 is out of range for dim 0 of 4}}
  %0:2 = graph.top_k %x, %k {axis = 0} : (tensor<4xf32>, tensor<1xi64>) -> (tensor<*xf32>, tensor<*xi64>)
  return
}
