// RUN: loom-opt %s -p 'builtin.module(loom-lower-kernels-to-calls{gpu-libraries=true})' | FileCheck %s
// RUN: loom-opt %s -p 'builtin.module(loom-lower-kernels-to-calls{gpu-libraries=true tf32=true})' | FileCheck %s --check-prefix=TF32
// With bf16, products may round to bfloat16 (flag 32), convolutions to TF32.
// RUN: loom-opt %s -p 'builtin.module(loom-lower-kernels-to-calls{gpu-libraries=true bf16=true})' | FileCheck %s --check-prefix=BF16

// A CUDA model's products and convolutions become the CUDA runtime's
// cuBLASLt and cuDNN calls, their last argument the node's name; the rest
// (checks, weights, the workspace) waits for the run after the GPU passes.
// CHECK-DAG: func.func private @loom_gpu_matmul_f32(memref<?x?xf32>, memref<?x?xf32>, memref<?xf32>, memref<?x?xf32>, i64, f32, !llvm.ptr) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @loom_gpu_conv2d_f32(memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @loom_gpu_batch_matmul_f32(memref<?x?x?xf32>, memref<?x?x?xf32>, memref<?xf32>, memref<?x?x?xf32>, i64, f32, !llvm.ptr) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @loom_gpu_box_f32(memref<*xf32>, memref<*xf32>, i64, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
// CHECK-DAG: llvm.mlir.global {{.*}}"node 'fc' (Gemm)\00"
// CHECK-DAG: llvm.mlir.global {{.*}}"node 'conv1' (Conv)\00"

// CHECK-LABEL: func.func @matmul
// CHECK: %[[F:.*]] = arith.constant 6 : i64
// CHECK: call @loom_gpu_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[F]], %{{.*}}, %{{.*}})
// CHECK: kernel.check
// CHECK: kernel.workspace
// TF32-LABEL: func.func @matmul
// TF32: arith.constant 14 : i64
// BF16-LABEL: func.func @matmul
// BF16: arith.constant 38 : i64
func.func @matmul(%a: memref<4x8xf32>, %b: memref<2x8xf32>, %c: memref<4x2xf32>, %ok: i1) {
  kernel.matmul ins(%a, %b : memref<4x8xf32>, memref<2x8xf32>) outs(%c : memref<4x2xf32>) {transpose_b, accumulate} loc(#fc)
  kernel.check %ok, "fails" {kind = "value"}
  %w = kernel.workspace : memref<64xi8>
  return
}

// A batch of products: one strided-batched cuBLASLt call.
// CHECK-LABEL: func.func @batch
// CHECK: call @loom_gpu_batch_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c0_i64, %{{.*}}, %{{.*}})
// TF32-LABEL: func.func @batch
// TF32: call @loom_gpu_batch_matmul_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %c8_i64,
func.func @batch(%q: memref<12x16x64xf32>, %k: memref<12x64x16xf32>, %e: memref<12x16x16xf32>) {
  kernel.matmul ins(%q, %k : memref<12x16x64xf32>, memref<12x64x16xf32>) outs(%e : memref<12x16x16xf32>) loc(#fc)
  return
}

// A strided destination is copied through a row-major buffer, by
// memref.copy, which loom-gpu-map-loops makes kernels.
// CHECK-LABEL: func.func @conv
// CHECK: %[[T:.*]] = memref.alloc() : memref<1x4x3x4xf32>
// CHECK: call @loom_gpu_conv2d_f32({{.*}}, %c2_i64{{.*}}, %{{.*}}) :
// CHECK: memref.copy %[[T]], %{{.*}}
// TF32-LABEL: func.func @conv
// TF32: call @loom_gpu_conv2d_f32({{.*}}, %c10_i64, %{{.*}}) :
// BF16-LABEL: func.func @conv
// BF16: call @loom_gpu_conv2d_f32({{.*}}, %c10_i64, %{{.*}}) :
func.func @conv(%x: memref<1x3x8x8xf32>, %w: memref<4x3x3x3xf32>, %big: memref<2x4x3x4xf32>) {
  %y = memref.subview %big[1, 0, 0, 0] [1, 4, 3, 4] [1, 1, 1, 1] : memref<2x4x3x4xf32> to memref<1x4x3x4xf32, strided<[48, 12, 4, 1], offset: 48>>
  kernel.conv2d ins(%x, %w : memref<1x3x8x8xf32>, memref<4x3x3x3xf32>) outs(%y : memref<1x4x3x4xf32, strided<[48, 12, 4, 1], offset: 48>>) {strides = array<i64: 2, 1>, pads = array<i64: 0, 1, 0, 1>, dilations = array<i64: 1, 3>, groups = 1 : i64, relu} loc(#conv1)
  return
}

// On CUDA, kernel.box boxes device memory through NCCL on the run's
// stream: the CUDA runtime's function for its element type, the same
// arguments as the CPU's; kernel.mesh_rank waits for the second run.
// CHECK-LABEL: func.func @box
// CHECK: %[[I:.*]] = memref.cast %{{.*}} to memref<*xf32>
// CHECK: call @loom_gpu_box_f32(%[[I]],
// CHECK: kernel.mesh_rank
func.func @box(%a: memref<4x8xf32>, %b: memref<4x4xf32>) -> i64 {
  kernel.box ins(%a : memref<4x8xf32>) outs(%b : memref<4x4xf32>) {mesh = array<i64: 2>, mesh_axis = 0 : i64, from = array<i64: 1, 0, 0>, to = array<i64: 0, 1, 0>}
  %r = kernel.mesh_rank {mesh = array<i64: 2>} : i64
  return %r : i64
}

#fc = loc("fc"("Gemm"))
#conv1 = loc("conv1"("Conv"))
