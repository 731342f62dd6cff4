// Detection, signal, random and other ops print and parse back.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @misc
func.func @misc(%boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x6xf32>, %max: tensor<1xi64>, %img: tensor<2x3x8x8xf32>, %grid: tensor<2x4x5x2xf32>, %n: tensor<i64>, %v: tensor<6xf32>, %m: tensor<2x3x3xf32>, %rois: tensor<5x4xf32>, %idx: tensor<5xi64>, %lens: tensor<3xi64>, %seq: tensor<4x3x2xf32>, %sig: tensor<1x16x1xf32>) {
  // CHECK: graph.non_max_suppression %{{.*}}, %{{.*}} max %{{.*}} {center_point_box} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>) -> tensor<?x3xi64>
  %0 = graph.non_max_suppression %boxes, %scores max %max {center_point_box} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<1xi64>) -> tensor<?x3xi64>
  // CHECK: graph.grid_sample %{{.*}}, %{{.*}} {align_corners, mode = "nearest"} : (tensor<2x3x8x8xf32>, tensor<2x4x5x2xf32>) -> tensor<2x3x4x5xf32>
  %1 = graph.grid_sample %img, %grid {mode = "nearest", align_corners} : (tensor<2x3x8x8xf32>, tensor<2x4x5x2xf32>) -> tensor<2x3x4x5xf32>
  // CHECK: graph.window %{{.*}} {dtype = f32, kind = "hann"} : (tensor<i64>) -> tensor<?xf32>
  %2 = graph.window %n {kind = "hann", dtype = f32} : (tensor<i64>) -> tensor<?xf32>
  // CHECK: graph.unique %{{.*}} : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  %3:4 = graph.unique %v : (tensor<6xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  // CHECK: graph.det %{{.*}} : (tensor<2x3x3xf32>) -> tensor<2xf32>
  %4 = graph.det %m : (tensor<2x3x3xf32>) -> tensor<2xf32>
  // CHECK: graph.mean_variance_norm %{{.*}} {axes = array<i64: 0, 2, 3>} : (tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  %5 = graph.mean_variance_norm %img {axes = array<i64: 0, 2, 3>} : (tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  // CHECK: graph.roi_align %{{.*}}, %{{.*}}, %{{.*}} {output_height = 2 : i64, output_width = 3 : i64} : (tensor<2x3x8x8xf32>, tensor<5x4xf32>, tensor<5xi64>) -> tensor<5x3x2x3xf32>
  %6 = graph.roi_align %img, %rois, %idx {output_height = 2, output_width = 3} : (tensor<2x3x8x8xf32>, tensor<5x4xf32>, tensor<5xi64>) -> tensor<5x3x2x3xf32>
  // CHECK: graph.reverse_sequence %{{.*}}, %{{.*}} {batch_axis = 1 : i64, time_axis = 0 : i64} : (tensor<4x3x2xf32>, tensor<3xi64>) -> tensor<4x3x2xf32>
  %7 = graph.reverse_sequence %seq, %lens {batch_axis = 1, time_axis = 0} : (tensor<4x3x2xf32>, tensor<3xi64>) -> tensor<4x3x2xf32>
  // CHECK: graph.random_uniform_like %{{.*}} {dtype = f64, high = 2.000000e+00 : f32, seed = 1.000000e+00 : f32} : (tensor<6xf32>) -> tensor<6xf64>
  %8 = graph.random_uniform_like %v {dtype = f64, high = 2.0 : f32, seed = 1.0 : f32} : (tensor<6xf32>) -> tensor<6xf64>
  // CHECK: graph.bernoulli %{{.*}} {dtype = i1} : (tensor<6xf32>) -> tensor<6xi1>
  %9 = graph.bernoulli %v {dtype = i1} : (tensor<6xf32>) -> tensor<6xi1>
  %pooled = graph.constant dense<1> : tensor<2x3x4x4xi64>
  %small = graph.global_max_pool %img : (tensor<2x3x8x8xf32>) -> tensor<2x3x1x1xf32>
  // CHECK: graph.max_unpool %{{.*}}, %{{.*}} {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<2x3x8x8xf32>, tensor<2x3x4x4xi64>) -> tensor<2x3x16x16xf32>
  %10 = graph.max_unpool %img, %pooled {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3x8x8xf32>, tensor<2x3x4x4xi64>) -> tensor<2x3x16x16xf32>
  // CHECK: graph.dft %{{.*}} {axis = 1 : i64, onesided} : (tensor<1x16x1xf32>) -> tensor<1x9x2xf32>
  %11 = graph.dft %sig {axis = 1, onesided} : (tensor<1x16x1xf32>) -> tensor<1x9x2xf32>
  return
}

// CHECK-LABEL: func.func @dropout
func.func @dropout(%x: tensor<4xf32>, %r: tensor<f32>, %t: tensor<i1>) {
  // CHECK: graph.dropout %{{.*}} ratio %{{.*}} training %{{.*}} {seed = 7 : i64} : (tensor<4xf32>, tensor<f32>, tensor<i1>) -> (tensor<4xf32>, tensor<4xi1>)
  %0:2 = graph.dropout %x ratio %r training %t {seed = 7 : i64} : (tensor<4xf32>, tensor<f32>, tensor<i1>) -> (tensor<4xf32>, tensor<4xi1>)
  return
}
