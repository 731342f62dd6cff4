// sbp-partition: local types and boxing (shard collectives where they fit,
// kernel.box otherwise); sbp-lower-collectives: shard collectives to
// kernel.box.
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=fc2=P(sum)},sbp-partition)' | FileCheck %s
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=fc2=P(sum)},sbp-partition,sbp-lower-collectives)' | FileCheck %s --check-prefix=LOWER
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=act=P(sum)},sbp-partition)' 2>&1 | FileCheck %s --check-prefix=ILLEGAL

// The weights' parts are constants (cut at compile time; splats need no
// choice by rank), the second product is a partial sum that the return
// all-reduces.
// CHECK: shard.grid @loom_mesh(shape = 4)
// CHECK: %[[W1:.*]] = graph.constant dense<5.000000e-01> : tensor<512x512xf32>
// CHECK: %[[W2:.*]] = graph.constant dense<2.500000e-01> : tensor<512x512xf32>
// CHECK: graph.matmul %{{.*}}, %[[W1]] {{.*}} -> tensor<64x512xf32>
// CHECK: graph.relu {{.*}} : (tensor<64x512xf32>) -> tensor<64x512xf32>
// CHECK: %[[P:.*]] = graph.matmul %{{.*}}, %[[W2]] {{.*}} : (tensor<64x512xf32>, tensor<512x512xf32>) -> tensor<64x512xf32>
// CHECK: %[[B:.*]] = shard.all_reduce %[[P]] on @loom_mesh grid_axes = [0] : tensor<64x512xf32> -> tensor<64x512xf32>
// CHECK: return %[[B]]

// LOWER-NOT: shard.
// LOWER: kernel.box ins(%{{.*}} : tensor<64x512xf32>) outs(%{{.*}} : tensor<64x512xf32>) {from = array<i64: 2, 0, 0>, mesh = array<i64: 4>, mesh_axis = 0 : i64, to = array<i64: 1, 0, 0>}

// ILLEGAL: error: sbp-derive: 'act' cannot be P(sum)

// A dim that does not divide by its devices splits balanced (2048 over 3:
// 683, 683, 682): ranks 0 and 1 share a static copy, rank 2 has its own,
// and the function dispatches on the rank. Steps with an uneven split are
// kernel.box (shard's collectives take even ones); the all-reduce is even.
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=3 fix=fc1=S(1)},sbp-partition)' | FileCheck %s --check-prefix=UNEVEN
// UNEVEN: func.func @mlp(%[[X:.*]]: tensor<64x512xf32> {graph.name = "x"
// UNEVEN: %[[RANK:.*]] = kernel.mesh_rank {mesh = array<i64: 3>} : i64
// UNEVEN: %[[INDEX:.*]] = arith.index_cast %[[RANK]] : i64 to index
// UNEVEN: scf.index_switch %[[INDEX]] -> tensor<64x512xf32>
// UNEVEN-NEXT: case 0 {
// UNEVEN-NEXT: func.call @mlp.rank0(%[[X]])
// UNEVEN: case 1 {
// UNEVEN-NEXT: func.call @mlp.rank0(%[[X]])
// UNEVEN: default {
// UNEVEN-NEXT: func.call @mlp.rank2(%[[X]])
// UNEVEN: func.func private @mlp.rank0(%{{.*}}: tensor<64x512xf32>) -> tensor<64x512xf32>
// UNEVEN: graph.constant dense<5.000000e-01> : tensor<512x683xf32>
// UNEVEN: graph.constant dense<2.500000e-01> : tensor<683x512xf32>
// UNEVEN: graph.matmul {{.*}} -> tensor<64x683xf32>
// UNEVEN: shard.all_reduce {{.*}} : tensor<64x512xf32> -> tensor<64x512xf32>
// UNEVEN: func.func private @mlp.rank2(
// UNEVEN: graph.constant dense<5.000000e-01> : tensor<512x682xf32>
// UNEVEN: graph.matmul {{.*}} -> tensor<64x682xf32>
// UNEVEN-NOT: func.func

// Even splits need no copies.
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=fc1=S(1)},sbp-partition)' | FileCheck %s --check-prefix=EVEN
// EVEN-NOT: mesh_rank
// EVEN-NOT: .rank

// Collectives move any float or signless integer (i8 here, 4 rows over 3:
// 2, 1, 1), but reduce only f32, f64 and 8- to 64-bit integers: partial
// f16 is refused, naming the op.
// RUN: loom-opt %S/Inputs/bytes.mlir -p 'builtin.module(sbp-derive{mesh=3 fix=neg=S(0)},sbp-partition)' | FileCheck %s --check-prefix=BYTES
// BYTES: func.func private @bytes.rank0(
// BYTES: graph.neg {{.*}} -> tensor<2x8xi8>
// BYTES: func.func private @bytes.rank1(
// BYTES: graph.neg {{.*}} -> tensor<1x8xi8>
// RUN: not loom-opt %S/Inputs/halves.mlir -p 'builtin.module(sbp-derive{mesh=2 fix=neg=P(sum)},sbp-partition)' 2>&1 | FileCheck %s --check-prefix=DTYPE
// DTYPE: error: loc("neg"): sbp-partition: cannot convert a 'tensor<4x8xf16>' from B to P(sum): collectives reduce f32, f64 and 8- to 64-bit integers

// A dim smaller than its devices cannot be split.
// RUN: not loom-opt %S/Inputs/bytes.mlir -p 'builtin.module(sbp-derive{mesh=8 fix=neg=S(0)},sbp-partition)' 2>&1 | FileCheck %s --check-prefix=SMALL
// SMALL: error: sbp-derive: 'neg' cannot be S(0)

// A split weight is cut at compile time: each rank's part is a constant,
// picked by rank (no slicing at every step; kernels may cache what they
// derive from it).
// RUN: loom-opt %S/Inputs/weights.mlir -p 'builtin.module(sbp-derive{mesh=2 fix=mm=P(sum)},sbp-partition)' | FileCheck %s --check-prefix=WEIGHTS
// WEIGHTS: %[[RANK:.*]] = kernel.mesh_rank {mesh = array<i64: 2>} : i64
// WEIGHTS: %[[INDEX:.*]] = arith.index_cast %[[RANK]] : i64 to index
// WEIGHTS: %[[PART:.*]] = scf.index_switch %[[INDEX]] -> tensor<2x3xf32>
// WEIGHTS-NEXT: case 0 {
// WEIGHTS-NEXT: graph.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// WEIGHTS: default {
// WEIGHTS-NEXT: graph.constant dense<{{\[\[}}7.000000e+00, 8.000000e+00, 9.000000e+00], [1.000000e+01, 1.100000e+01, 1.200000e+01]]> : tensor<2x3xf32>
// WEIGHTS: graph.matmul %{{.*}}, %[[PART]]
// Columns over 3 ranks.
// RUN: loom-opt %S/Inputs/weights.mlir -p 'builtin.module(sbp-derive{mesh=3 fix=mm=S(1)},sbp-partition)' | FileCheck %s --check-prefix=COLUMNS
// COLUMNS: scf.index_switch %{{.*}} -> tensor<4x1xf32>
// COLUMNS-NEXT: case 0 {
// COLUMNS-NEXT: graph.constant dense<{{\[\[}}1.000000e+00], [4.000000e+00], [7.000000e+00], [1.000000e+01]]>
// COLUMNS: case 1 {
// COLUMNS-NEXT: graph.constant dense<{{\[\[}}2.000000e+00], [5.000000e+00], [8.000000e+00], [1.100000e+01]]>
// COLUMNS: default {
// COLUMNS-NEXT: graph.constant dense<{{\[\[}}3.000000e+00], [6.000000e+00], [9.000000e+00], [1.200000e+01]]>
// A 2x2 mesh with an uneven split (3 columns over 2 on axis 0): each class
// of ranks has its own copy, and there the members' parts agree (axis 1
// replicates), so no choice by rank is left.
// RUN: loom-opt %S/Inputs/weights.mlir -p 'builtin.module(sbp-derive{mesh=2x2 fix=mm=[S(1),B]},sbp-partition)' | FileCheck %s --check-prefix=MESH
// MESH: func.func private @weights.rank0(
// MESH-NOT: scf.index_switch
// MESH: graph.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [4.000000e+00, 5.000000e+00], [7.000000e+00, 8.000000e+00], [1.000000e+01, 1.100000e+01]]> : tensor<4x2xf32>
// MESH: func.func private @weights.rank2(
// MESH-NOT: scf.index_switch
// MESH: graph.constant dense<{{\[\[}}3.000000e+00], [6.000000e+00], [9.000000e+00], [1.200000e+01]]> : tensor<4x1xf32>

// A weight whose parts cannot be cut at compile time (inline bools are
// bit-packed) is sliced at run time instead.
// RUN: loom-opt %S/Inputs/mask.mlir -p 'builtin.module(sbp-derive{mesh=2 fix=and=S(0)},sbp-partition)' | FileCheck %s --check-prefix=MASK
// MASK: %[[M:.*]] = graph.constant {{.*}} : tensor<4x2xi1>
// MASK-NOT: scf.index_switch
// MASK: shard.all_slice %[[M]] on @loom_mesh grid_axes = [0] slice_axis = 0 : tensor<4x2xi1> -> tensor<2x2xi1>
