// sbp-partition: local types and boxing (shard collectives where they fit,
// kernel.box otherwise); sbp-lower-collectives: shard collectives to
// kernel.box.
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=fc2=P(sum)},sbp-partition)' | FileCheck %s
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=fc2=P(sum)},sbp-partition,sbp-lower-collectives)' | FileCheck %s --check-prefix=LOWER
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=act=P(sum)},sbp-partition)' 2>&1 | FileCheck %s --check-prefix=ILLEGAL

// The weights are sliced locally, the second product is a partial sum that
// the return all-reduces.
// CHECK: shard.grid @loom_mesh(shape = 4)
// CHECK: shard.all_slice %{{.*}} on @loom_mesh grid_axes = [0] slice_axis = 1 : tensor<512x2048xf32> -> tensor<512x512xf32>
// CHECK: graph.matmul {{.*}} -> tensor<64x512xf32>
// CHECK: graph.relu {{.*}} : (tensor<64x512xf32>) -> tensor<64x512xf32>
// CHECK: shard.all_slice %{{.*}} on @loom_mesh grid_axes = [0] slice_axis = 0 : tensor<2048x512xf32> -> tensor<512x512xf32>
// CHECK: %[[P:.*]] = graph.matmul {{.*}} : (tensor<64x512xf32>, tensor<512x512xf32>) -> tensor<64x512xf32>
// CHECK: %[[B:.*]] = shard.all_reduce %[[P]] on @loom_mesh grid_axes = [0] : tensor<64x512xf32> -> tensor<64x512xf32>
// CHECK: return %[[B]]

// LOWER-NOT: shard.
// LOWER: kernel.box ins(%{{.*}} : tensor<64x512xf32>) outs(%{{.*}} : tensor<64x512xf32>) {from = array<i64: 2, 0, 0>, mesh = array<i64: 4>, mesh_axis = 0 : i64, to = array<i64: 1, 0, 0>}

// ILLEGAL: error: sbp-derive: 'act' cannot be P(sum)

// A dim that does not divide by its devices is refused, naming the op.
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=3 fix=fc1=S(1)},sbp-partition)' 2>&1 | FileCheck %s --check-prefix=UNEVEN
// UNEVEN: error: loc("fc1"): sbp-partition: cannot convert a 'tensor<512x2048xf32>' from B to S(1): uneven splits are not supported yet
