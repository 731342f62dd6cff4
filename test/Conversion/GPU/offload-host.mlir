// RUN: loom-opt %s -p 'builtin.module(loom-gpu-offload-host)' -split-input-file | FileCheck %s

// A branch decision read from device memory: one element copied to the
// host, then loaded there.
// CHECK-LABEL: func.func @decision
// CHECK-SAME:    (%[[FLAG:.*]]: memref<4xi1>, %[[I:.*]]: index)
// CHECK:         %[[HOST:.*]] = memref.alloca() : memref<1xi1>
// CHECK:         %[[BASE:.*]], %[[OFFSET:.*]], %{{.*}}, %[[STRIDE:.*]] = memref.extract_strided_metadata %[[FLAG]]
// CHECK:         %[[T:.*]] = arith.muli %[[I]], %[[STRIDE]]
// CHECK:         %[[LIN:.*]] = arith.addi %[[OFFSET]], %[[T]]
// CHECK:         %[[BYTES:.*]] = arith.constant 1 : index
// CHECK:         %[[AT:.*]] = arith.muli %[[LIN]], %[[BYTES]]
// CHECK:         %[[DEV:.*]] = memref.extract_aligned_pointer_as_index %[[FLAG]]
// CHECK:         %[[TO:.*]] = memref.extract_aligned_pointer_as_index %[[HOST]]
// CHECK:         call @loom_gpu_read(%[[TO]], %[[DEV]], %[[AT]], %[[BYTES]])
// CHECK:         %[[V:.*]] = memref.load %[[HOST]][%{{.*}}] : memref<1xi1>
// CHECK:         scf.if %[[V]]
func.func @decision(%flag: memref<4xi1>, %i: index) -> i32 {
  %v = memref.load %flag[%i] : memref<4xi1>
  %r = scf.if %v -> i32 {
    %a = arith.constant 1 : i32
    scf.yield %a : i32
  } else {
    %b = arith.constant 2 : i32
    scf.yield %b : i32
  }
  return %r : i32
}
// CHECK: func.func private @loom_gpu_read(index, index, index, index)

// -----

// A host loop over buffers, and a host store: kernels of one thread.
// CHECK-LABEL: func.func @serial
// CHECK:         gpu.launch blocks(%{{.*}}) in (%{{.*}} = %[[ONE:.*]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]]) threads(%{{.*}}) in (%{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]], %{{.*}} = %[[ONE]])
// CHECK-NEXT:      scf.for
// CHECK:             memref.load
// CHECK:             memref.store
// CHECK:           gpu.terminator
// CHECK:         gpu.launch
// CHECK-NEXT:      memref.store %{{.*}}, %arg1[]
// CHECK-NEXT:      gpu.terminator
func.func @serial(%a: memref<128xf32>, %s: memref<f32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c128 step %c1 {
    %x = memref.load %a[%i] : memref<128xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %a[%i] : memref<128xf32>
  }
  memref.store %zero, %s[] : memref<f32>
  return
}

// -----

// A check inside a kernel writes the function's error word unless an
// earlier check did; the function hands the word and the checks' sites to
// the runtime at its entry and back at its return, and the host does not
// wait after the kernel.
// The sites: kind, node, op, operand and message, as the CPU's check has.
// CHECK:       llvm.mlir.global private constant @[[SITE:.*]]("1\09\09\091\09index {0} is out of range for a dim of size {1}\00")
// CHECK-LABEL: func.func @checked
// CHECK:         %[[WORD:.*]] = memref.alloc() : memref<3xi64>
// CHECK:         %[[PTR:.*]] = memref.extract_aligned_pointer_as_index %[[WORD]]
// CHECK:         %[[ADDR:.*]] = arith.index_cast %[[PTR]] : index to i64
// CHECK:         %[[SITES:.*]] = llvm.mlir.addressof @[[SITE]] : !llvm.ptr
// CHECK:         call @loom_gpu_watch_errors(%[[ADDR]], %[[SITES]])
// CHECK:         gpu.launch
// CHECK:           %[[FAILED:.*]] = arith.xori %{{.*}}, %true
// CHECK:           scf.if %[[FAILED]]
// CHECK:             %[[HELD:.*]] = memref.load %[[WORD]][%{{.*}}]
// CHECK:             %[[NONE:.*]] = arith.cmpi eq, %[[HELD]], %c0_i64
// CHECK:             scf.if %[[NONE]]
// CHECK:               memref.store %c1_i64{{.*}}, %[[WORD]][%{{.*}}]
// CHECK:               memref.store %{{.*}}, %[[WORD]][%{{.*}}]
// CHECK:               memref.store %{{.*}}, %[[WORD]][%{{.*}}]
// CHECK-NOT:       kernel.check
// CHECK:           gpu.terminator
// CHECK-NOT:     loom_gpu_read
// CHECK:         call @loom_gpu_unwatch_errors(%[[ADDR]])
// CHECK-NEXT:    memref.dealloc %[[WORD]]
// CHECK-NEXT:    return
func.func @checked(%idx: memref<8xi64>) {
  %c1 = arith.constant 1 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %idx[%tx] : memref<8xi64>
    %limit = arith.constant 8 : i64
    %ok = arith.cmpi slt, %v, %limit : i64
    kernel.check %ok, "index {0} is out of range for a dim of size {1}" (%v, %limit) {kind = "index", operand = 1} : i64, i64
    gpu.terminator
  }
  return
}

// -----

// Constants a kernel reads go into the kernel, so that outlining moves the
// globals into the kernels' module.
// CHECK-LABEL: func.func @constant
// CHECK:         gpu.launch
// CHECK-NEXT:      %[[G:.*]] = memref.get_global @table
// CHECK-NEXT:      memref.load %[[G]]
memref.global "private" constant @table : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>
func.func @constant(%o: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %g = memref.get_global @table : memref<4xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    %v = memref.load %g[%tx] : memref<4xf32>
    memref.store %v, %o[%tx] : memref<4xf32>
    gpu.terminator
  }
  return
}
