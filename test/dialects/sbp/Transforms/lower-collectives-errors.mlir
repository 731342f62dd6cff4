// sbp-lower-collectives handles one grid axis at a time on f32, f64, i32
// and i64 tensors.
// RUN: loom-opt %s -p 'builtin.module(sbp-lower-collectives)' -verify-diagnostics -split-input-file

shard.grid @g(shape = 2x2)
func.func @two_axes(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{sbp-lower-collectives: needs one axis of a static grid and f32, f64, i32 or i64 tensors}}
  %0 = shard.all_reduce %x on @g grid_axes = [0, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

shard.grid @g1(shape = 2)
func.func @bytes(%x: tensor<4x8xi8>) -> tensor<4x8xi8> {
  // expected-error @+1 {{sbp-lower-collectives: needs one axis of a static grid and f32, f64, i32 or i64 tensors}}
  %0 = shard.all_reduce %x on @g1 grid_axes = [0] : tensor<4x8xi8> -> tensor<4x8xi8>
  return %0 : tensor<4x8xi8>
}
