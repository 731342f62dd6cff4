// RUN: loom-opt %s -p 'builtin.module(loom-lower-kernels-to-calls)' -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-LABEL: module
// CHECK-DAG: func.func private @loom_kernel_matmul_f32(memref<?x?xf32>, memref<?x?xf32>, memref<?xf32>, memref<?x?xf32>, i64, f32) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @loom_kernel_conv2d_f32(memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}

// Operands are cast to dynamic shapes; without a bias, an empty one; flags:
// 1 transposes lhs, 2 rhs, 4 accumulates.
// CHECK-LABEL: func.func @matmul
// CHECK-DAG: %[[A:.*]] = memref.cast %arg0 : memref<4x8xf32> to memref<?x?xf32>
// CHECK-DAG: %[[B:.*]] = memref.cast %arg1 : memref<2x8xf32> to memref<?x?xf32>
// CHECK-DAG: %[[NONE:.*]] = memref.alloca() : memref<0xf32>
// CHECK-DAG: %[[BIAS:.*]] = memref.cast %[[NONE]] : memref<0xf32> to memref<?xf32>
// CHECK-DAG: %[[C:.*]] = memref.cast %arg2 : memref<4x2xf32> to memref<?x?xf32>
// CHECK-DAG: %[[F:.*]] = arith.constant 6 : i64
// CHECK-DAG: %[[ALPHA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK: call @loom_kernel_matmul_f32(%[[A]], %[[B]], %[[BIAS]], %[[C]], %[[F]], %[[ALPHA]])
// CHECK-NOT: kernel.matmul
func.func @matmul(%a: memref<4x8xf32>, %b: memref<2x8xf32>, %c: memref<4x2xf32>) {
  kernel.matmul ins(%a, %b : memref<4x8xf32>, memref<2x8xf32>) outs(%c : memref<4x2xf32>) {transpose_b, accumulate, alpha = 0.5 : f32}
  return
}

// A bias is passed as it is; relu is flag 64.
// CHECK-LABEL: func.func @matmul_bias
// CHECK: %[[BIAS:.*]] = memref.cast %arg2 : memref<2xf32> to memref<?xf32>
// CHECK: call @loom_kernel_matmul_f32(%{{.*}}, %{{.*}}, %[[BIAS]], %{{.*}}, %c66_i64, %{{.*}})
func.func @matmul_bias(%a: memref<4x8xf32>, %b: memref<2x8xf32>, %bias: memref<2xf32>, %c: memref<4x2xf32>) {
  kernel.matmul ins(%a, %b, %bias : memref<4x8xf32>, memref<2x8xf32>, memref<2xf32>) outs(%c : memref<4x2xf32>) {transpose_b, relu}
  return
}

// A batch of products: the CPU's kernel computes them in turn.
// CHECK-LABEL: func.func @batch
// CHECK: call @loom_kernel_batch_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c0_i64, %{{.*}}) : (memref<?x?x?xf32>, memref<?x?x?xf32>, memref<?xf32>, memref<?x?x?xf32>, i64, f32) -> ()
func.func @batch(%q: memref<12x16x64xf32>, %k: memref<12x64x16xf32>, %e: memref<12x16x16xf32>) {
  kernel.matmul ins(%q, %k : memref<12x16x64xf32>, memref<12x64x16xf32>) outs(%e : memref<12x16x16xf32>)
  return
}

// A missing bias is an empty buffer; attributes are strides, pads,
// dilations, groups, then flags (1 accumulate, 2 relu, 4 constant weights).
// CHECK-LABEL: func.func @conv
// CHECK: %[[NOBIAS:.*]] = memref.alloca() : memref<0xf32>
// CHECK: %[[BIAS:.*]] = memref.cast %[[NOBIAS]] : memref<0xf32> to memref<?xf32>
// CHECK: call @loom_kernel_conv2d_f32(%{{.*}}, %{{.*}}, %[[BIAS]], %{{.*}}, %c2_i64, %c1_i64, %c0_i64, %c1_i64{{_[0-9]+}}, %c0_i64{{_[0-9]+}}, %c1_i64{{_[0-9]+}}, %c1_i64{{_[0-9]+}}, %c3_i64, %c1_i64{{_[0-9]+}}, %c2_i64{{_[0-9]+}})
func.func @conv(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %y: memref<1x4x3x4xf32>) {
  kernel.conv2d ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%y : memref<1x4x3x4xf32>) {strides = array<i64: 2, 1>, pads = array<i64: 0, 1, 0, 1>, dilations = array<i64: 1, 3>, groups = 1 : i64, relu}
  return
}

memref.global "private" constant @weights : memref<4x3x1x1xf32> = dense<1.0>

// Weights from a constant global set flag 4; a bias is passed as is.
// CHECK-LABEL: func.func @constant_weights
// CHECK: call @loom_kernel_conv2d_f32({{.*}}, %c5_i64)
func.func @constant_weights(%x: memref<1x3x8x8xf32>, %b: memref<4xf32>, %y: memref<1x4x8x8xf32>) {
  %w = memref.get_global @weights : memref<4x3x1x1xf32>
  kernel.conv2d ins(%x, %w, %b : memref<1x3x8x8xf32>, memref<4x3x1x1xf32>, memref<4xf32>) outs(%y : memref<1x4x8x8xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64, accumulate}
  return
}

// A strided view is copied into a row-major buffer; the destination's copy
// is written back after the call (accumulating, so it is also copied in).
// CHECK-LABEL: func.func @strided
// CHECK: %[[T:.*]] = memref.alloc() : memref<4x2xf32>
// CHECK: memref.copy %[[V:.*]], %[[T]]
// CHECK: call @loom_kernel_matmul_f32
// CHECK: memref.copy %[[T]], %[[V]]
// CHECK: memref.dealloc %[[T]]
func.func @strided(%a: memref<4x8xf32>, %b: memref<8x2xf32>, %c: memref<4x4xf32>) {
  %v = memref.subview %c[0, 0] [4, 2] [1, 1] : memref<4x4xf32> to memref<4x2xf32, strided<[4, 1]>>
  kernel.matmul ins(%a, %b : memref<4x8xf32>, memref<8x2xf32>) outs(%v : memref<4x2xf32, strided<[4, 1]>>) {accumulate}
  return
}

// -----

func.func @tensors(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>, %c: tensor<4x2xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{must be bufferized before loom-lower-kernels-to-calls}}
  %0 = kernel.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) outs(%c : tensor<4x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

// -----

// kernel.box calls the runtime's function for its element type, with
// unranked descriptors (any rank), the mesh and both layouts.
// CHECK-DAG: func.func private @loom_kernel_box_i64(memref<*xi64>, memref<*xi64>, i64, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @loom_kernel_box_f32(memref<*xf32>, memref<*xf32>,
// CHECK-LABEL: func.func @boxes
// CHECK: %[[I:.*]] = memref.cast %{{.*}} : memref<?x?xi64> to memref<*xi64>
// CHECK: call @loom_kernel_box_i64(%[[I]],
// CHECK: call @loom_kernel_box_f32(
func.func @boxes(%a: memref<3x8xi64>, %b: memref<5x8xi64>, %c: memref<4x4x4xf32>, %d: memref<4x4x4xf32>) {
  kernel.box ins(%a : memref<3x8xi64>) outs(%b : memref<5x8xi64>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 0, 0, 0>, to = array<i64: 1, 0, 0>}
  kernel.box ins(%c : memref<4x4x4xf32>) outs(%d : memref<4x4x4xf32>) {mesh = array<i64: 2, 2>, mesh_axis = 1 : i64, from = array<i64: 2, 0, 0>, to = array<i64: 1, 0, 0>}
  return
}

// -----

// kernel.mesh_rank is a plain call that joins the job of the mesh's size.
// CHECK: func.func private @loom_kernel_mesh_rank(i64) -> i64
// CHECK-LABEL: func.func @rank
// CHECK: %[[SIZE:.*]] = arith.constant 6 : i64
// CHECK: %[[R:.*]] = call @loom_kernel_mesh_rank(%[[SIZE]]) : (i64) -> i64
// CHECK: return %[[R]]
func.func @rank() -> i64 {
  %0 = kernel.mesh_rank {mesh = array<i64: 2, 3>} : i64
  return %0 : i64
}
