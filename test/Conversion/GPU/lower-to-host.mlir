// RUN: loom-opt %s -p 'builtin.module(loom-gpu-lower-to-host)' -split-input-file -verify-diagnostics | FileCheck %s

// The emulated device's program: the kernel's body on the host, its ids
// read from the emulator, behind an entry that unpacks the parameters as
// cuLaunchKernel passes them and translates the device addresses.
// CHECK: llvm.mlir.global external constant @scale.loom_collective(1 : i8)
// CHECK-LABEL: llvm.func internal @scale.impl
// CHECK:         llvm.call @loom_emu_id(%{{.*}}) : (i32) -> i64
// CHECK:         llvm.call @loom_emu_id(%{{.*}}) : (i32) -> i64
// CHECK:         llvm.call @loom_emu_barrier(%{{.*}}) : (i32) -> ()
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

// Threads that meet: shared memory is a global of the emulated program,
// a shuffle a call into the emulator's warps, and the kernel is marked so
// that the emulator runs its threads as fibers.
// CHECK: llvm.mlir.global private @reduce.shared0() {{.*}} : !llvm.array<32 x f32>
// CHECK: llvm.mlir.global external constant @reduce.loom_collective(1 : i8)
// CHECK-LABEL: llvm.func internal @reduce.impl
// CHECK:         llvm.mlir.addressof @reduce.shared0
// CHECK:         llvm.call @loom_emu_shuffle_f32(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (f32, i32, i32, i32, i32) -> f32
// CHECK:         llvm.call @loom_emu_shuffle_valid() : () -> i1
// CHECK: llvm.func @reduce(%{{.*}}: !llvm.ptr)
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @reduce(%a: memref<32xf32>) workgroup(%s : memref<32xf32, #gpu.address_space<workgroup>>) kernel {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<32xf32>
      memref.store %v, %s[%t] : memref<32xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      %w = memref.load %s[%t] : memref<32xf32, #gpu.address_space<workgroup>>
      %c1 = arith.constant 1 : i32
      %c32 = arith.constant 32 : i32
      %r, %ok = gpu.shuffle xor %w, %c1, %c32 : f32
      %z = arith.select %ok, %r, %w : f32
      memref.store %z, %a[%t] : memref<32xf32>
      gpu.return
    }
  }
}

// -----

// NVVM intrinsics are the GPU's alone: reported, not run.
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @lane(%a: memref<32xi32>) kernel {
      %t = gpu.thread_id x
      // expected-error @below {{not emulated: nvvm.read.ptx.sreg.laneid}}
      %l = nvvm.read.ptx.sreg.laneid : i32
      memref.store %l, %a[%t] : memref<32xi32>
      gpu.return
    }
  }
}
