// RUN: loom-opt %s -p 'builtin.module(loom-gpu-serialize{archs=sm_80,sm_90 emulation=false})' | FileCheck %s
// RUN: loom-opt %s -p 'builtin.module(loom-gpu-serialize{archs=sm_90})' | FileCheck %s --check-prefix=EMU

// Host code with branches a CUDA graph decides (loom_gpu_cond_then): the
// kernels get loom_set_condition(handle, flag), which calls the CUDA device
// runtime's cudaGraphSetConditional with whether the flag's byte is
// nonzero. The container still holds a fatbin: the kernels were compiled
// relocatable and linked with libcudadevrt by nvlink for each architecture
// (ptxas alone refuses the unresolved call). Then the PTX of each
// architecture, for the tests; the fatbin has no PTX for newer GPUs, whose
// driver could not link the device runtime.
// CHECK: loom.gpu_kernels = {count = 2 : i64
// The header: three entries, the first a fatbin (kind 1).
// CHECK: gpu.binary @loom_kernels  [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">, bin = "LOOMGPU1\03\00\00\00\00\00\00\00\01\00
// CHECK-SAME: .target sm_80
// CHECK-SAME: .extern .func cudaGraphSetConditional
// CHECK-SAME: .visible .entry loom_set_condition(
// CHECK-SAME: call.uni cudaGraphSetConditional,
// CHECK-SAME: .target sm_90
// CHECK-SAME: .visible .entry loom_set_condition(

// For the emulated device the call is the emulator's.
// EMU: \7FELF
// EMU-SAME: loom_emu_set_condition

module attributes {gpu.container_module, loom.signature = "loom-model 2\0A"} {
  gpu.module @first {
    gpu.func @gate(%a: memref<i1>) kernel {
      %t = arith.constant true
      memref.store %t, %a[] : memref<i1>
      gpu.return
    }
  }
  func.func private @loom_gpu_cond_then(memref<i1>) attributes {llvm.emit_c_interface}
  func.func @host(%a: memref<i1>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @first::@gate blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<i1>)
    call @loom_gpu_cond_then(%a) : (memref<i1>) -> ()
    return
  }
}
