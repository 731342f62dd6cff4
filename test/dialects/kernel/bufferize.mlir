// Kernel ops bufferize in place into their destination; a convolution that
// does not accumulate does not read it, so an empty destination needs no
// copy, and an accumulating one writes into the residual (here a writable
// function argument).
// RUN: loom-opt %s -p 'builtin.module(one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map})' | FileCheck %s

// CHECK-LABEL: func.func @conv
// CHECK-SAME: (%[[X:.*]]: memref<1x3x8x8xf32>, %[[W:.*]]: memref<4x3x3x3xf32>, %[[R:.*]]: memref<1x4x6x6xf32>)
// CHECK: %[[Y:.*]] = memref.alloc() {{.*}}: memref<1x4x6x6xf32>
// CHECK-NOT: memref.copy
// CHECK: kernel.conv2d ins(%[[X]], %[[W]] : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%[[Y]] : memref<1x4x6x6xf32>) {{{.*}}relu{{.*}}}
// CHECK: kernel.conv2d ins(%[[Y]], %{{.*}} : {{.*}}) outs(%[[R]] : memref<1x4x6x6xf32>) {accumulate
// CHECK: return %[[R]]
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %r: tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %e = tensor.empty() : tensor<1x4x6x6xf32>
  %0 = kernel.conv2d ins(%x, %w : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) outs(%e : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, relu} -> tensor<1x4x6x6xf32>
  %w2 = arith.constant dense<1.0> : tensor<4x4x1x1xf32>
  %1 = kernel.conv2d ins(%0, %w2 : tensor<1x4x6x6xf32>, tensor<4x4x1x1xf32>) outs(%r : tensor<1x4x6x6xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, accumulate} -> tensor<1x4x6x6xf32>
  return %1 : tensor<1x4x6x6xf32>
}
