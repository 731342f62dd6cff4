// RUN: loom-opt %s -p 'builtin.module(loom-gpu-serialize{archs=sm_80,sm_90 emulation=false})' | FileCheck %s
// RUN: env CUDA_ROOT=/nonexistent loom-opt %s -p 'builtin.module(loom-gpu-serialize{archs=sm_80 emulation=false})' | FileCheck %s --check-prefix=PTXONLY
// RUN: loom-opt %s -p 'builtin.module(loom-gpu-serialize{archs=sm_80})' | FileCheck %s --check-prefix=EMU

// The kernels of every gpu.module go into one, compiled for each
// architecture by LLVM's NVPTX back end; the launches follow the renaming.
// The object is Loom's container: its header, a fatbin (ptxas and fatbinary
// ran: they accept every kernel), then the PTX of each architecture.
// CHECK: module attributes {gpu.container_module, loom.gpu_kernels = {count = 2 : i64, cublaslt = 0 : i64, cudnn = 0 : i64, serial = []}, loom.signature = "loom-model 2\0Atarget cuda sm_80,sm_90\0A"}
// CHECK: gpu.binary @loom_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">, bin = "LOOMGPU1\03\00
// CHECK-SAME: .version 8.0\0A.target sm_80
// CHECK-SAME: .visible .entry scale(
// CHECK-SAME: .visible .entry shift(
// CHECK-SAME: .version 8.0\0A.target sm_90
// CHECK-NOT: gpu.module
// CHECK: gpu.launch_func  @loom_kernels::@scale
// CHECK: gpu.launch_func  @loom_kernels::@shift

// Without the toolkit, PTX only (two entries), which the driver compiles.
// PTXONLY: bin = "LOOMGPU1\01\00\00\00\00\00\00\00\02\00\00\00P\00\00\00
// PTXONLY-SAME: .target sm_80

// With the emulated device's shared object (an ELF).
// EMU: bin = "LOOMGPU1\03\00
// EMU-SAME: \7FELF

module attributes {gpu.container_module, loom.signature = "loom-model 2\0A"} {
  gpu.module @first {
    gpu.func @scale(%a: memref<?xf32>, %n: index, %f: f32) kernel {
      %b = gpu.block_id x
      %t = gpu.thread_id x
      %d = gpu.block_dim x
      %base = arith.muli %b, %d : index
      %i = arith.addi %base, %t : index
      %in = arith.cmpi ult, %i, %n : index
      scf.if %in {
        %v = memref.load %a[%i] : memref<?xf32>
        %e = math.exp %v : f32
        %w = arith.mulf %e, %f : f32
        memref.store %w, %a[%i] : memref<?xf32>
      }
      gpu.return
    }
  }
  gpu.module @second {
    gpu.func @shift(%a: memref<4xf32>) kernel {
      %t = gpu.thread_id x
      %v = memref.load %a[%t] : memref<4xf32>
      %one = arith.constant 1.0 : f32
      %w = arith.addf %v, %one : f32
      memref.store %w, %a[%t] : memref<4xf32>
      gpu.return
    }
  }
  func.func @host(%a: memref<?xf32>, %b: memref<4xf32>, %n: index, %f: f32) {
    %c1 = arith.constant 1 : index
    %c4 = arith.constant 4 : index
    gpu.launch_func @first::@scale blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%a : memref<?xf32>, %n : index, %f : f32)
    gpu.launch_func @second::@shift blocks in (%c1, %c1, %c1) threads in (%c4, %c1, %c1) args(%b : memref<4xf32>)
    return
  }
}
