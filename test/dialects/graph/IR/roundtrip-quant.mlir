// Quantized ops print and parse back.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @quant
func.func @quant(%x: tensor<2x3xf32>, %s: tensor<f32>, %sc: tensor<3xf32>, %zp: tensor<ui8>, %zc: tensor<3xi8>, %q: tensor<2x3xui8>, %w: tensor<3x4xui8>, %i: tensor<1x2x5x5xi8>, %k: tensor<3x2x3x3xi8>) {
  // CHECK: graph.quantize %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  %0 = graph.quantize %x, %s, %zp : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3xui8>
  // CHECK: graph.dequantize %{{.*}}, %{{.*}} : (tensor<2x3xui8>, tensor<f32>) -> tensor<2x3xf32>
  %1 = graph.dequantize %q, %s : (tensor<2x3xui8>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: graph.quantize %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x3xi8>
  %2 = graph.quantize %x, %sc, %zc : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xi8>) -> tensor<2x3xi8>
  // CHECK: graph.dynamic_quantize %{{.*}} : (tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>)
  %3:3 = graph.dynamic_quantize %x : (tensor<2x3xf32>) -> (tensor<2x3xui8>, tensor<f32>, tensor<ui8>)
  // CHECK: graph.matmul_integer %{{.*}}, %{{.*}} zero_points(%{{.*}}) : (tensor<2x3xui8>, tensor<3x4xui8>, tensor<ui8>) -> tensor<2x4xi32>
  %4 = graph.matmul_integer %q, %w zero_points(%zp) : (tensor<2x3xui8>, tensor<3x4xui8>, tensor<ui8>) -> tensor<2x4xi32>
  // CHECK: graph.qlinear_matmul {{.*}} -> tensor<2x4xui8>
  %5 = graph.qlinear_matmul %q, %s, %zp, %w, %s, %zp, %s, %zp : (tensor<2x3xui8>, tensor<f32>, tensor<ui8>, tensor<3x4xui8>, tensor<f32>, tensor<ui8>, tensor<f32>, tensor<ui8>) -> tensor<2x4xui8>
  // CHECK: graph.conv_integer %{{.*}}, %{{.*}} {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x2x5x5xi8>, tensor<3x2x3x3xi8>) -> tensor<1x3x3x3xi32>
  %6 = graph.conv_integer %i, %k {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x5x5xi8>, tensor<3x2x3x3xi8>) -> tensor<1x3x3x3xi32>
  %zi8 = graph.constant dense<0> : tensor<i8>
  // CHECK: graph.qlinear_conv {{.*}} -> tensor<1x3x3x3xi8>
  %7 = graph.qlinear_conv %i, %s, %zi8, %k, %s, %zi8, %s, %zi8 {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x5x5xi8>, tensor<f32>, tensor<i8>, tensor<3x2x3x3xi8>, tensor<f32>, tensor<i8>, tensor<f32>, tensor<i8>) -> tensor<1x3x3x3xi8>
  return
}
