// sbp-lower-collectives handles one grid axis at a time, on tensors whose
// elements collectives move (and, for partial values, reduce).
// RUN: loom-opt %s -p 'builtin.module(sbp-lower-collectives)' -verify-diagnostics -split-input-file

shard.grid @g(shape = 2x2)
func.func @two_axes(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{sbp-lower-collectives: needs one axis of a static grid and tensors whose elements collectives reduce (f32, f64, 8- to 64-bit integers)}}
  %0 = shard.all_reduce %x on @g grid_axes = [0, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

shard.grid @g1(shape = 2)
func.func @halves(%x: tensor<4x8xf16>) -> tensor<4x8xf16> {
  // expected-error @+1 {{sbp-lower-collectives: needs one axis of a static grid and tensors whose elements collectives reduce (f32, f64, 8- to 64-bit integers)}}
  %0 = shard.all_reduce %x on @g1 grid_axes = [0] : tensor<4x8xf16> -> tensor<4x8xf16>
  return %0 : tensor<4x8xf16>
}

// -----

shard.grid @g2(shape = 2)
func.func @unsigned(%x: tensor<4x8xui8>) -> tensor<8x8xui8> {
  // expected-error @+1 {{sbp-lower-collectives: needs one axis of a static grid and tensors whose elements collectives move (floats, signless integers)}}
  %0 = shard.all_gather %x on @g2 grid_axes = [0] gather_axis = 0 : tensor<4x8xui8> -> tensor<8x8xui8>
  return %0 : tensor<8x8xui8>
}
