// The loss ops print and parse back.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @losses
func.func @losses(%x: tensor<3x5x2xf32>, %t: tensor<3x2xi64>, %w: tensor<5xf32>) {
  // CHECK: graph.nll_loss %{{.*}}, %{{.*}}, %{{.*}} {ignore_index = 1 : i64} : (tensor<3x5x2xf32>, tensor<3x2xi64>, tensor<5xf32>) -> tensor<f32>
  %0 = graph.nll_loss %x, %t, %w {ignore_index = 1} : (tensor<3x5x2xf32>, tensor<3x2xi64>, tensor<5xf32>) -> tensor<f32>
  // CHECK: graph.nll_loss %{{.*}}, %{{.*}} {reduction = "none"} : (tensor<3x5x2xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %1 = graph.nll_loss %x, %t {reduction = "none"} : (tensor<3x5x2xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  // CHECK: graph.softmax_cross_entropy_loss %{{.*}}, %{{.*}} {reduction = "sum"} : (tensor<3x5x2xf32>, tensor<3x2xi64>) -> (tensor<f32>, tensor<3x5x2xf32>)
  %2:2 = graph.softmax_cross_entropy_loss %x, %t {reduction = "sum"} : (tensor<3x5x2xf32>, tensor<3x2xi64>) -> (tensor<f32>, tensor<3x5x2xf32>)
  return
}
