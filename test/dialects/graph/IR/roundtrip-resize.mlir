// graph.resize in its constant and computed forms.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @resize
func.func @resize(%x: tensor<1x3x4x?xf32>, %s: tensor<4xf32>, %z: tensor<4xi64>, %roi: tensor<8xf32>) {
  // CHECK: graph.resize %{{.*}} {mode = "linear", scales = array<f32: 1.000000e+00, 1.000000e+00, 2.000000e+00, 5.000000e-01>} : (tensor<1x3x4x?xf32>) -> tensor<1x3x8x?xf32>
  %0 = graph.resize %x {scales = array<f32: 1.0, 1.0, 2.0, 0.5>, mode = "linear"} : (tensor<1x3x4x?xf32>) -> tensor<1x3x8x?xf32>
  // CHECK: graph.resize %{{.*}} {coordinate_transformation_mode = "align_corners", sizes = array<i64: 1, 3, 5, 5>} : (tensor<1x3x4x?xf32>) -> tensor<1x3x5x5xf32>
  %1 = graph.resize %x {sizes = array<i64: 1, 3, 5, 5>, coordinate_transformation_mode = "align_corners"} : (tensor<1x3x4x?xf32>) -> tensor<1x3x5x5xf32>
  // CHECK: graph.resize %{{.*}} scales %{{.*}} {mode = "cubic"} : (tensor<1x3x4x?xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  %2 = graph.resize %x scales %s {mode = "cubic"} : (tensor<1x3x4x?xf32>, tensor<4xf32>) -> tensor<?x?x?x?xf32>
  // CHECK: graph.resize %{{.*}} roi %{{.*}} sizes %{{.*}} {coordinate_transformation_mode = "tf_crop_and_resize", exclude_outside, extrapolation_value = 1.000000e+01 : f32} : (tensor<1x3x4x?xf32>, tensor<8xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  %3 = graph.resize %x roi %roi sizes %z {coordinate_transformation_mode = "tf_crop_and_resize", exclude_outside, extrapolation_value = 10.0 : f32} : (tensor<1x3x4x?xf32>, tensor<8xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  return
}
