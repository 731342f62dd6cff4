// RUN: loom-opt %s -p 'builtin.module(loom-lower-kernels-to-calls)' | FileCheck %s

// kernel.weight: loom_rt_weight(index) gives the address, the descriptor's
// allocated pointer is 0xdeadbeef (not the model's to free) and its strides
// row-major; a convolution reading it is told its weights are constant
// (flag 4), so the kernel library reorders them once.
// kernel.workspace: loom_rt_workspace(bytes).
// CHECK-DAG: func.func private @loom_rt_weight(i64) -> !llvm.ptr
// CHECK-DAG: func.func private @loom_rt_workspace(i64) -> !llvm.ptr
// CHECK-LABEL: func.func @f
// CHECK: %[[I:.*]] = arith.constant 3 : i64
// CHECK: %[[P:.*]] = call @loom_rt_weight(%[[I]]) : (i64) -> !llvm.ptr
// CHECK: %[[DEAD:.*]] = llvm.mlir.constant(3735928559 : i64) : i64
// CHECK: %[[A:.*]] = llvm.inttoptr %[[DEAD]] : i64 to !llvm.ptr
// CHECK: llvm.insertvalue %[[A]], %{{.*}}[0]
// CHECK: llvm.insertvalue %[[P]], %{{.*}}[1]
// CHECK: %[[W:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<4 x i64>, array<4 x i64>)> to memref<4x3x1x1xf32>
// CHECK: call @loom_kernel_conv2d_f32({{.*}}, %c4_i64)
// CHECK: %[[B:.*]] = arith.constant 4096 : i64
// CHECK: call @loom_rt_workspace(%[[B]]) : (i64) -> !llvm.ptr
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<4096xi8>
// CHECK-NOT: kernel.weight
// CHECK-NOT: kernel.workspace
func.func @f(%x: memref<1x3x8x8xf32>, %y: memref<1x4x8x8xf32>) -> memref<4096xi8> {
  %w = kernel.weight "conv.weight"[3] offsets [0, 0, 0, 0] : memref<4x3x1x1xf32>
  kernel.conv2d ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x1x1xf32>) outs(%y : memref<1x4x8x8xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64}
  %ws = kernel.workspace : memref<4096xi8>
  return %ws : memref<4096xi8>
}
