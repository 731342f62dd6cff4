// Every shape, reduction and softmax-family graph op prints and parses back.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @shapes
func.func @shapes(%x: tensor<2x?x4xf32>, %y: tensor<2x3x4xf32>, %u: tensor<*xi64>) {
  // CHECK: graph.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : (tensor<2x?x4xf32>) -> tensor<4x2x?xf32>
  %t = graph.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x?x4xf32>) -> tensor<4x2x?xf32>
  // CHECK: graph.unsqueeze %{{.*}} {axes = array<i64: 0, 4>} : (tensor<2x?x4xf32>) -> tensor<1x2x?x4x1xf32>
  %us = graph.unsqueeze %x {axes = array<i64: 0, 4>} : (tensor<2x?x4xf32>) -> tensor<1x2x?x4x1xf32>
  // CHECK: graph.squeeze %{{.*}} {axes = array<i64: 0, 4>} : (tensor<1x2x?x4x1xf32>) -> tensor<2x?x4xf32>
  %sq = graph.squeeze %us {axes = array<i64: 0, 4>} : (tensor<1x2x?x4x1xf32>) -> tensor<2x?x4xf32>
  // CHECK: graph.flatten %{{.*}} {axis = 1 : i64} : (tensor<2x?x4xf32>) -> tensor<2x?xf32>
  %f = graph.flatten %x {axis = 1} : (tensor<2x?x4xf32>) -> tensor<2x?xf32>
  // CHECK: graph.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x?x4xf32>, tensor<2x3x4xf32>) -> tensor<2x?x4xf32>
  %c = graph.concat %x, %y {axis = 1} : (tensor<2x?x4xf32>, tensor<2x3x4xf32>) -> tensor<2x?x4xf32>
  // CHECK: graph.shape %{{.*}} {end = 3 : i64, start = 1 : i64} : (tensor<2x?x4xf32>) -> tensor<2xi64>
  %s = graph.shape %x {start = 1, end = 3} : (tensor<2x?x4xf32>) -> tensor<2xi64>
  // CHECK: graph.shape %{{.*}} : (tensor<*xi64>) -> tensor<?xi64>
  %su = graph.shape %u : (tensor<*xi64>) -> tensor<?xi64>
  // CHECK: graph.size %{{.*}} : (tensor<*xi64>) -> tensor<i64>
  %n = graph.size %u : (tensor<*xi64>) -> tensor<i64>
  return
}

// CHECK-LABEL: func.func @reductions
func.func @reductions(%x: tensor<2x?x4xf32>) {
  // CHECK: graph.reduce_sum %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_sum = graph.reduce_sum %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_mean %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_mean = graph.reduce_mean %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_max %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_max = graph.reduce_max %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_min %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_min = graph.reduce_min %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_prod %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_prod = graph.reduce_prod %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_l1 %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_l1 = graph.reduce_l1 %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_l2 %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_l2 = graph.reduce_l2 %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_log_sum %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_log_sum = graph.reduce_log_sum %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_log_sum_exp %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_log_sum_exp = graph.reduce_log_sum_exp %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_sum_square %{{.*}} {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  %reduce_sum_square = graph.reduce_sum_square %x {axes = array<i64: 0, 2>, keep_dims} : (tensor<2x?x4xf32>) -> tensor<1x?x1xf32>
  // CHECK: graph.reduce_sum %{{.*}} {axes = array<i64: 1>} : (tensor<2x?x4xf32>) -> tensor<2x4xf32>
  %drop = graph.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x?x4xf32>) -> tensor<2x4xf32>
  // CHECK: graph.arg_max %{{.*}} {axis = 2 : i64, keep_dims} : (tensor<2x?x4xf32>) -> tensor<2x?x1xi64>
  %amax = graph.arg_max %x {axis = 2, keep_dims} : (tensor<2x?x4xf32>) -> tensor<2x?x1xi64>
  // CHECK: graph.arg_min %{{.*}} {axis = 0 : i64, select_last_index} : (tensor<2x?x4xf32>) -> tensor<?x4xi64>
  %amin = graph.arg_min %x {axis = 0, select_last_index} : (tensor<2x?x4xf32>) -> tensor<?x4xi64>
  // CHECK: graph.softmax %{{.*}} {axis = 2 : i64} : (tensor<2x?x4xf32>) -> tensor<2x?x4xf32>
  %sm = graph.softmax %x {axis = 2} : (tensor<2x?x4xf32>) -> tensor<2x?x4xf32>
  // CHECK: graph.log_softmax %{{.*}} {axis = 1 : i64}
  %lsm = graph.log_softmax %x {axis = 1} : (tensor<2x?x4xf32>) -> tensor<2x?x4xf32>
  // CHECK: graph.hardmax %{{.*}} {axis = 0 : i64}
  %hm = graph.hardmax %x {axis = 0} : (tensor<2x?x4xf32>) -> tensor<2x?x4xf32>
  return
}
