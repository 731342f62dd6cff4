// RUN: loom-opt %s -p 'builtin.module(loom-gpu-serialize{archs=sm_80 emulation=false})' -split-input-file | FileCheck %s

// The signature names the libraries the model calls, which the runtime
// loads when it opens the model (an absent one fails the open, not a run).
// CHECK: loom.signature = "loom-model 2\0Atarget cuda sm_80\0Agpu-libraries cublaslt,cudnn\0A"
module attributes {gpu.container_module, loom.signature = "loom-model 2\0A"} {
  func.func private @loom_gpu_batch_matmul_f32(memref<?x?x?xf32>, memref<?x?x?xf32>, memref<?xf32>, memref<?x?x?xf32>, i64, f32, !llvm.ptr) attributes {llvm.emit_c_interface}
  func.func private @loom_gpu_conv2d_f32(memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr) attributes {llvm.emit_c_interface}
  func.func @model(%a: memref<?x?x?xf32>, %x: memref<?x?x?x?xf32>, %b: memref<?xf32>, %i: i64, %f: f32, %s: !llvm.ptr) {
    call @loom_gpu_batch_matmul_f32(%a, %a, %b, %a, %i, %f, %s) : (memref<?x?x?xf32>, memref<?x?x?xf32>, memref<?xf32>, memref<?x?x?xf32>, i64, f32, !llvm.ptr) -> ()
    call @loom_gpu_conv2d_f32(%x, %x, %b, %x, %i, %i, %i, %i, %i, %i, %i, %i, %i, %i, %s) : (memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, !llvm.ptr) -> ()
    return
  }
}

// -----

// Boxing between ranks needs NCCL.
// CHECK: loom.signature = "loom-model 2\0Atarget cuda sm_80\0Agpu-libraries cublaslt,nccl\0A"
module attributes {gpu.container_module, loom.signature = "loom-model 2\0A"} {
  func.func private @loom_gpu_matmul_f32(memref<?x?xf32>, memref<?x?xf32>, memref<?xf32>, memref<?x?xf32>, i64, f32, !llvm.ptr) attributes {llvm.emit_c_interface}
  func.func private @loom_gpu_box_f32(memref<*xf32>, memref<*xf32>, i64, i64, i64, i64, i64, i64, i64, i64, i64) attributes {llvm.emit_c_interface}
  func.func @model(%a: memref<?x?xf32>, %u: memref<*xf32>, %b: memref<?xf32>, %i: i64, %f: f32, %s: !llvm.ptr) {
    call @loom_gpu_matmul_f32(%a, %a, %b, %a, %i, %f, %s) : (memref<?x?xf32>, memref<?x?xf32>, memref<?xf32>, memref<?x?xf32>, i64, f32, !llvm.ptr) -> ()
    call @loom_gpu_box_f32(%u, %u, %i, %i, %i, %i, %i, %i, %i, %i, %i) : (memref<*xf32>, memref<*xf32>, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
    return
  }
}

// -----

// Generated kernels only: no library to load.
// CHECK: loom.signature = "loom-model 2\0Atarget cuda sm_80\0A"
module attributes {gpu.container_module, loom.signature = "loom-model 2\0A"} {
  func.func @model() {
    return
  }
}
