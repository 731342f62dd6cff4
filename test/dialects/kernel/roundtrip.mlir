// Both forms of every kernel op print and parse back.
// RUN: loom-opt %s | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @tensors
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}} : tensor<?x16xf32>, tensor<8x16xf32>) outs(%{{.*}} : tensor<?x8xf32>) {accumulate, alpha = 5.000000e-01 : f32, transpose_b} -> tensor<?x8xf32>
// CHECK: kernel.conv2d ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) outs(%{{.*}} : tensor<1x6x4x4xf32>) {accumulate, dilations = array<i64: 1, 1>, groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>, relu, strides = array<i64: 2, 2>} -> tensor<1x6x4x4xf32>
// CHECK: kernel.conv2d ins(%{{.*}}, %{{.*}} : tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) outs
func.func @tensors(%a: tensor<?x16xf32>, %b: tensor<8x16xf32>, %c: tensor<?x8xf32>,
                   %x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>, %bias: tensor<6xf32>,
                   %y: tensor<1x6x4x4xf32>, %dx: tensor<?x3x?x?xf32>,
                   %dw: tensor<4x3x3x3xf32>, %dy: tensor<?x4x?x?xf32>)
    -> (tensor<?x8xf32>, tensor<1x6x4x4xf32>, tensor<?x4x?x?xf32>) {
  %0 = kernel.matmul ins(%a, %b : tensor<?x16xf32>, tensor<8x16xf32>) outs(%c : tensor<?x8xf32>) {transpose_b, accumulate, alpha = 0.5 : f32} -> tensor<?x8xf32>
  %1 = kernel.conv2d ins(%x, %w, %bias : tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) outs(%y : tensor<1x6x4x4xf32>) {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2 : i64, accumulate, relu} -> tensor<1x6x4x4xf32>
  %2 = kernel.conv2d ins(%dx, %dw : tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) outs(%dy : tensor<?x4x?x?xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, groups = 1 : i64} -> tensor<?x4x?x?xf32>
  return %0, %1, %2 : tensor<?x8xf32>, tensor<1x6x4x4xf32>, tensor<?x4x?x?xf32>
}

// CHECK-LABEL: func.func @buffers
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}} : memref<4x8xf32>, memref<4x2xf32>) outs(%{{.*}} : memref<8x2xf32>) {transpose_a}
// CHECK-NOT: ->
// CHECK: kernel.conv2d ins(%{{.*}}, %{{.*}} : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%{{.*}} : memref<1x4x6x6xf32>)
func.func @buffers(%a: memref<4x8xf32>, %b: memref<4x2xf32>, %c: memref<8x2xf32>,
                   %x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %y: memref<1x4x6x6xf32>) {
  kernel.matmul ins(%a, %b : memref<4x8xf32>, memref<4x2xf32>) outs(%c : memref<8x2xf32>) {transpose_a}
  kernel.conv2d ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%y : memref<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64}
  return
}

// -----

// CHECK-LABEL: func.func @box
// CHECK: kernel.box ins(%{{.*}} : tensor<4x8xf32>) outs(%{{.*}} : tensor<8x8xf32>) {from = array<i64: 0, 0, 0>, mesh = array<i64: 2, 2>, mesh_axis = 1 : i64, to = array<i64: 1, 0, 0>} -> tensor<8x8xf32>
// CHECK: kernel.box ins(%{{.*}} : memref<8x8xf32>) outs(%{{.*}} : memref<8x8xf32>) {from = array<i64: 2, 0, 1>, mesh = array<i64: 2>, mesh_axis = 0 : i64, to = array<i64: 1, 0, 0>}
func.func @box(%x: tensor<4x8xf32>, %y: tensor<8x8xf32>, %a: memref<8x8xf32>, %b: memref<8x8xf32>) -> tensor<8x8xf32> {
  %0 = kernel.box ins(%x : tensor<4x8xf32>) outs(%y : tensor<8x8xf32>) {mesh = array<i64: 2, 2>, mesh_axis = 1 : i64, from = array<i64: 0, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<8x8xf32>
  kernel.box ins(%a : memref<8x8xf32>) outs(%b : memref<8x8xf32>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 2, 0, 1>, to = array<i64: 1, 0, 0>}
  return %0 : tensor<8x8xf32>
}

// Uneven parts (5 over 2: 3 or 2 rows) and other element types.
// CHECK-LABEL: func.func @box_uneven
// CHECK: kernel.box ins(%{{.*}} : tensor<3x8xi64>) outs(%{{.*}} : tensor<5x8xi64>)
// CHECK: kernel.box ins(%{{.*}} : tensor<5x8xf64>) outs(%{{.*}} : tensor<5x2xf64>)
func.func @box_uneven(%x: tensor<3x8xi64>, %y: tensor<5x8xi64>, %z: tensor<5x8xf64>, %w: tensor<5x2xf64>) -> (tensor<5x8xi64>, tensor<5x2xf64>) {
  %0 = kernel.box ins(%x : tensor<3x8xi64>) outs(%y : tensor<5x8xi64>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 0, 0, 0>, to = array<i64: 1, 0, 0>} -> tensor<5x8xi64>
  %1 = kernel.box ins(%z : tensor<5x8xf64>) outs(%w : tensor<5x2xf64>) {mesh = array<i64: 3>, mesh_axis = 0 : i64, from = array<i64: 1, 0, 0>, to = array<i64: 0, 1, 0>} -> tensor<5x2xf64>
  return %0, %1 : tensor<5x8xi64>, tensor<5x2xf64>
}

// kernel.check round-trips.
// CHECK-LABEL: func.func @checks
// CHECK: kernel.check %arg0, "index {0} is out of range for a dim of size {1}"(%arg1, %arg2) {kind = "index", operand = 1 : i64} : i64, i64
// CHECK: kernel.check %arg0, "never" {kind = "value"}
func.func @checks(%ok: i1, %v: i64, %n: i64) {
  kernel.check %ok, "index {0} is out of range for a dim of size {1}" (%v, %n) {kind = "index", operand = 1 : i64} : i64, i64
  kernel.check %ok, "never" {kind = "value"}
  return
}

// CHECK-LABEL: func.func @buffer_sources
// CHECK: kernel.weight "fc.weight"[2] offsets [4, 0] : memref<4x8xf32>
// CHECK: kernel.workspace : memref<256xi8>
func.func @buffer_sources() -> (memref<4x8xf32>, memref<256xi8>) {
  %w = kernel.weight "fc.weight"[2] offsets [4, 0] : memref<4x8xf32>
  %ws = kernel.workspace : memref<256xi8>
  return %w, %ws : memref<4x8xf32>, memref<256xi8>
}

// A batch of products (attention's).
// CHECK-LABEL: func.func @batch
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}} : tensor<12x?x64xf32>, tensor<12x64x?xf32>) outs(%{{.*}} : tensor<12x?x?xf32>) -> tensor<12x?x?xf32>
func.func @batch(%q: tensor<12x?x64xf32>, %k: tensor<12x64x?xf32>, %e: tensor<12x?x?xf32>) -> tensor<12x?x?xf32> {
  %0 = kernel.matmul ins(%q, %k : tensor<12x?x64xf32>, tensor<12x64x?xf32>) outs(%e : tensor<12x?x?xf32>) -> tensor<12x?x?xf32>
  return %0 : tensor<12x?x?xf32>
}

// A product with a bias (one element per column).
// CHECK-LABEL: func.func @bias
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x16xf32>, tensor<16x8xf32>, tensor<8xf32>) outs(%{{.*}} : tensor<?x8xf32>) -> tensor<?x8xf32>
func.func @bias(%a: tensor<?x16xf32>, %b: tensor<16x8xf32>, %v: tensor<8xf32>, %c: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = kernel.matmul ins(%a, %b, %v : tensor<?x16xf32>, tensor<16x8xf32>, tensor<8xf32>) outs(%c : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}
