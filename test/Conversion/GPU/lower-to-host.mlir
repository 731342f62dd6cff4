// RUN: loom-opt %s -p 'builtin.module(loom-gpu-lower-to-host)' -split-input-file -verify-diagnostics | FileCheck %s

// The emulated device's program: the kernel's body on the host, its ids
// read from the emulator, behind an entry that unpacks the parameters as
// cuLaunchKernel passes them and translates the device addresses.
// CHECK-LABEL: llvm.func internal @scale.impl
// CHECK:         llvm.call @loom_emu_id(%{{.*}}) : (i32) -> i64
// CHECK:         llvm.call @loom_emu_id(%{{.*}}) : (i32) -> i64
// CHECK:         llvm.call @loom_emu_barrier()
// CHECK:       llvm.func @scale(%[[PARAMS:.*]]: !llvm.ptr)
// CHECK:         %[[SLOT0:.*]] = llvm.getelementptr %[[PARAMS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK:         %[[AT0:.*]] = llvm.load %[[SLOT0]] : !llvm.ptr -> !llvm.ptr
// CHECK:         %[[P0:.*]] = llvm.load %[[AT0]] : !llvm.ptr -> !llvm.ptr
// CHECK:         llvm.call @loom_emu_translate(%[[P0]])
// CHECK:         llvm.call @loom_emu_translate
// CHECK-COUNT-3: llvm.load %{{.*}} : !llvm.ptr -> i64
// CHECK:         llvm.load %{{.*}} : !llvm.ptr -> f32
// CHECK:         llvm.call @scale.impl(
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @scale(%a: memref<?xf32>, %f: f32) kernel {
      %b = gpu.block_id x
      %t = gpu.thread_id y
      %i = arith.addi %b, %t : index
      %v = memref.load %a[%i] : memref<?xf32>
      gpu.barrier
      %w = arith.mulf %v, %f : f32
      memref.store %w, %a[%i] : memref<?xf32>
      gpu.return
    }
  }
}

// -----

// A shuffle needs the emulator's warps (not yet): reported, not run.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @reduce(%a: memref<32xf32>) kernel {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<32xf32>
      %c1 = arith.constant 1 : i32
      %c32 = arith.constant 32 : i32
      // expected-error @below {{not emulated: gpu.shuffle}}
      %s, %ok = gpu.shuffle xor %v, %c1, %c32 : f32
      memref.store %s, %a[%t] : memref<32xf32>
      gpu.return
    }
  }
}
