// sbp-lower-collectives handles one grid axis at a time on f32 tensors.
// RUN: loom-opt %s -p 'builtin.module(sbp-lower-collectives)' -verify-diagnostics

shard.grid @g(shape = 2x2)
func.func @two_axes(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{sbp-lower-collectives: needs one axis of a static grid and f32 tensors}}
  %0 = shard.all_reduce %x on @g grid_axes = [0, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
