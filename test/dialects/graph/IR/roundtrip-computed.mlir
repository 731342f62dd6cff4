// The computed-operand forms of axes, pads, sizes and axis print and parse
// back, and infer what they can.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @computed
func.func @computed(%x: tensor<2x3xf32>, %a: tensor<1xi64>, %p: tensor<4xi64>, %s: tensor<2xi64>, %k: tensor<i64>) {
  // CHECK: graph.squeeze %{{.*}} axes %{{.*}} {axes = array<i64>} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  %0 = graph.squeeze %x axes %a {axes = array<i64>} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?xf32>
  // CHECK: graph.unsqueeze %{{.*}} axes %{{.*}} {axes = array<i64>} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  %1 = graph.unsqueeze %x axes %a {axes = array<i64>} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?x?xf32>
  // CHECK: graph.reduce_sum %{{.*}} axes %{{.*}} {axes = array<i64>, keep_dims, noop_with_empty_axes} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  %2 = graph.reduce_sum %x axes %a {axes = array<i64>, keep_dims, noop_with_empty_axes} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  // Without keep_dims the rank depends on whether the axes turn out empty.
  // CHECK: graph.reduce_sum %{{.*}} axes %{{.*}} {axes = array<i64>} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<*xf32>
  %3 = graph.reduce_sum %x axes %a {axes = array<i64>} : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<*xf32>
  // CHECK: graph.pad %{{.*}} pads %{{.*}} {pads = array<i64>} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  %4 = graph.pad %x pads %p {pads = array<i64>} : (tensor<2x3xf32>, tensor<4xi64>) -> tensor<?x?xf32>
  // CHECK: graph.cumsum %{{.*}} axis %{{.*}} : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  %5 = graph.cumsum %x axis %k : (tensor<2x3xf32>, tensor<i64>) -> tensor<2x3xf32>
  // CHECK: graph.split %{{.*}} sizes %{{.*}} {axis = 1 : i64, sizes = array<i64>} : (tensor<2x3xf32>, tensor<2xi64>) -> (tensor<2x?xf32>, tensor<2x?xf32>)
  %6:2 = graph.split %x sizes %s {axis = 1 : i64, sizes = array<i64>} : (tensor<2x3xf32>, tensor<2xi64>) -> (tensor<2x?xf32>, tensor<2x?xf32>)
  return
}
