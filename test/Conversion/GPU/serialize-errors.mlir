// RUN: loom-opt %s -p 'builtin.module(loom-gpu-serialize{archs=sm_50})' -split-input-file -verify-diagnostics
// RUN: not loom-opt %s -p 'builtin.module(loom-gpu-serialize{archs=sm_80 precision=fp8})' 2>&1 | FileCheck %s --check-prefix=PRECISION
// RUN: not loom-opt %s -p 'builtin.module(loom-gpu-serialize{archs=sm_80 toolkit=/nonexistent require-toolkit=true})' 2>&1 | FileCheck %s --check-prefix=TOOLKIT

// PRECISION: precision must be fp32, tf32 or bf16, got fp8
// TOOLKIT: the CUDA toolkit is not at /nonexistent (no bin/ptxas and bin/fatbinary)

// expected-error @below {{unknown or unsupported GPU architecture 'sm_50' (expected sm_70 or newer, e.g. sm_80)}}
module attributes {gpu.container_module} {
  gpu.module @k {
    gpu.func @f() kernel {
      gpu.return
    }
  }
}
