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

// -----

// A scalar the host would compute from device memory to store in device
// memory is computed in the store's kernel: no host read (which would end
// a CUDA graph's capture).
// CHECK-LABEL: func.func @sunk
// CHECK-NOT:     call @loom_gpu_read
// CHECK:         gpu.launch
// CHECK:           %[[V:.*]] = memref.load %arg0[] : memref<f32>
// CHECK:           %[[C:.*]] = arith.cmpf ogt, %[[V]], %{{.*}} : f32
// CHECK:           memref.store %[[C]], %arg1[] : memref<i1>
// CHECK-NOT:     call @loom_gpu_read
// CHECK:         return
func.func @sunk(%gate: memref<f32>, %flag: memref<i1>) {
  %zero = arith.constant 0.0 : f32
  %v = memref.load %gate[] : memref<f32>
  %c = arith.cmpf ogt, %v, %zero : f32
  memref.store %c, %flag[] : memref<i1>
  return
}

// -----

// What another kernel may overwrite before the store is taken where the
// host loaded it: a one-thread kernel copies it to a buffer of its own,
// which the store's kernel reads (and the function frees).
// CHECK-LABEL: func.func @snapshot
// CHECK-NOT:     call @loom_gpu_read
// CHECK:         %[[COPY:.*]] = memref.alloc() : memref<i64>
// CHECK:         gpu.launch
// CHECK:           %[[V:.*]] = memref.load %arg0[] : memref<i64>
// CHECK:           memref.store %[[V]], %[[COPY]][] : memref<i64>
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %arg0[] : memref<i64>
// CHECK:         gpu.launch
// CHECK:           %[[W:.*]] = memref.load %[[COPY]][] : memref<i64>
// CHECK:           %[[M:.*]] = arith.maxsi %[[W]]
// CHECK:           memref.store %[[M]], %arg1[] : memref<i64>
// CHECK:         memref.dealloc %[[COPY]]
// CHECK-NEXT:    return
func.func @snapshot(%a: memref<i64>, %b: memref<i64>) {
  %one = arith.constant 1 : i64
  %v = memref.load %a[] : memref<i64>
  %m = arith.maxsi %v, %one : i64
  memref.store %one, %a[] : memref<i64>
  memref.store %m, %b[] : memref<i64>
  return
}

// -----

// Views of the memory plan's arena at constant offsets that do not
// overlap do not alias: the load goes into the kernel as it is.
// CHECK-LABEL: func.func @arena
// CHECK-NOT:     memref.alloc()
// CHECK-NOT:     call @loom_gpu_read
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %[[OTHER:.*]][] : memref<i64>
// CHECK:         gpu.launch
// CHECK:           memref.load %[[FIRST:.*]][] : memref<i64>
func.func @arena() {
  %arena = kernel.workspace : memref<64xi8>
  %c0 = arith.constant 0 : index
  %c8 = arith.constant 8 : index
  %first = memref.view %arena[%c0][] : memref<64xi8> to memref<i64>
  %other = memref.view %arena[%c8][] : memref<64xi8> to memref<i64>
  %out = memref.view %arena[%c8][] : memref<64xi8> to memref<i64>
  %one = arith.constant 1 : i64
  %v = memref.load %first[] : memref<i64>
  memref.store %one, %other[] : memref<i64>
  %w = arith.addi %v, %one : i64
  memref.store %w, %out[] : memref<i64>
  return
}

// -----

// A host check of a value in device memory stays on the host, after a
// read: it guards the kernels after it, which must not run with an index
// out of range.
// CHECK-LABEL: func.func @checked_on_host
// CHECK:         call @loom_gpu_read
// CHECK:         %[[I:.*]] = memref.load %{{.*}} : memref<1xi64>
// CHECK:         %[[OK:.*]] = arith.cmpi slt, %[[I]]
// CHECK:         kernel.check %[[OK]]
func.func @checked_on_host(%index: memref<i64>) {
  %n = arith.constant 5 : i64
  %i = memref.load %index[] : memref<i64>
  %ok = arith.cmpi slt, %i, %n : i64
  kernel.check %ok, "index {0} is out of range for a dim of size {1}"(%i, %n) {kind = "index", operand = 1 : i64} : i64, i64
  return
}

// -----

// A check of a value the host takes on moves into a kernel of its own (the
// function's error word), and the kernel that takes the value computes the
// check's condition too, taking 0 where it fails: it never indexes out of
// range before the check's error ends the run. No host read.
// CHECK-LABEL: func.func @guarded
// CHECK-NOT:     call @loom_gpu_read
// CHECK:         gpu.launch
// CHECK:           %[[J:.*]] = memref.load %arg0[] : memref<i64>
// CHECK:           arith.cmpi slt, %[[J]]
// CHECK:           scf.if
// CHECK:         gpu.launch
// CHECK:           %[[I:.*]] = memref.load %arg0[] : memref<i64>
// CHECK:           %[[OK:.*]] = arith.cmpi slt, %[[I]], %{{.*}} : i64
// CHECK:           %[[SAFE:.*]] = arith.select %[[OK]], %[[I]], %{{.*}} : i64
// CHECK:           %[[AT:.*]] = arith.index_cast %[[SAFE]] : i64 to index
// CHECK:           memref.load %arg1[%[[AT]]] : memref<5xf32>
// CHECK-NOT:     kernel.check
// CHECK-NOT:     call @loom_gpu_read
// CHECK:         return
func.func @guarded(%index: memref<i64>, %table: memref<5xf32>, %out: memref<f32>) {
  %n = arith.constant 5 : i64
  %i = memref.load %index[] : memref<i64>
  %ok = arith.cmpi slt, %i, %n : i64
  kernel.check %ok, "index {0} is out of range for a dim of size {1}"(%i, %n) {kind = "index", operand = 1 : i64} : i64, i64
  %at = arith.index_cast %i : i64 to index
  %v = memref.load %table[%at] : memref<5xf32>
  memref.store %v, %out[] : memref<f32>
  return
}
