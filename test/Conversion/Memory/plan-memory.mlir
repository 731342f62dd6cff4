// RUN: loom-opt %s -p 'builtin.module(loom-plan-memory)' -split-input-file -allow-unregistered-dialect | FileCheck %s

// Buffers of static size that a dealloc in their block frees are views of
// the workspace at offsets from their lifetimes: %a and %b overlap in time
// and get disjoint bytes; %c, allocated after %a is freed, reuses %a's (best
// fit). 64-byte alignment rounds %b's 40 bytes up. The returned buffer and
// the one of run-time size keep their allocs. The signature gets the
// workspace's size.
// CHECK-LABEL: module attributes {loom.signature = "loom-model 2\0Aworkspace 4160\0A"}
// CHECK-LABEL: func.func @f
// CHECK: %[[WS:.*]] = kernel.workspace : memref<4160xi8>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[WS]][%[[C0]]][] : memref<4160xi8> to memref<1024xf32>
// CHECK: %[[C4096:.*]] = arith.constant 4096 : index
// CHECK: %[[B:.*]] = memref.view %[[WS]][%[[C4096]]][] : memref<4160xi8> to memref<10xf32>
// CHECK: %[[C0B:.*]] = arith.constant 0 : index
// CHECK: %[[C:.*]] = memref.view %[[WS]][%[[C0B]]][] : memref<4160xi8> to memref<512xf32>
// CHECK-NOT: memref.dealloc %view
// CHECK: %[[D:.*]] = memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: memref.dealloc %[[D]]
// CHECK: %[[R:.*]] = memref.alloc() : memref<16xf32>
// CHECK: return %[[R]]
module attributes {loom.signature = "loom-model 2\0A"} {
  func.func @f(%n: index) -> memref<16xf32> {
    %a = memref.alloc() : memref<1024xf32>
    %b = memref.alloc() : memref<10xf32>
    "test.use"(%a, %b) : (memref<1024xf32>, memref<10xf32>) -> ()
    memref.dealloc %a : memref<1024xf32>
    %c = memref.alloc() : memref<512xf32>
    "test.use"(%b, %c) : (memref<10xf32>, memref<512xf32>) -> ()
    memref.dealloc %b : memref<10xf32>
    memref.dealloc %c : memref<512xf32>
    %d = memref.alloc(%n) : memref<?xf32>
    "test.use"(%d) : (memref<?xf32>) -> ()
    memref.dealloc %d : memref<?xf32>
    %r = memref.alloc() : memref<16xf32>
    return %r : memref<16xf32>
  }
}

// -----

// Each block and each function gets its own part of the one workspace
// (blocks inside out): the loop body's buffer first, then the entry
// block's, then @g's. A buffer in a parallel loop's body (iterations at
// once) keeps its alloc.
// CHECK-LABEL: module
// CHECK-LABEL: func.func @f
// CHECK: %[[WS:.*]] = kernel.workspace : memref<384xi8>
// CHECK: %[[OFF1:.*]] = arith.constant 128 : index
// CHECK: memref.view %[[WS]][%[[OFF1]]][] : memref<384xi8> to memref<16xf32>
// CHECK: scf.for
// CHECK: %[[OFF:.*]] = arith.constant 0 : index
// CHECK: memref.view %[[WS]][%[[OFF]]][] : memref<384xi8> to memref<32xf32>
// CHECK: scf.parallel
// CHECK: memref.alloc() : memref<8xf32>
// CHECK-LABEL: func.func @g
// CHECK: %[[WS2:.*]] = kernel.workspace : memref<384xi8>
// CHECK: %[[OFF2:.*]] = arith.constant 192 : index
// CHECK: memref.view %[[WS2]][%[[OFF2]]][] : memref<384xi8> to memref<48xf32>
module {
  func.func @f(%n: index) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %x = memref.alloc() : memref<16xf32>
    scf.for %i = %c0 to %n step %c1 {
      %y = memref.alloc() : memref<32xf32>
      "test.use"(%x, %y) : (memref<16xf32>, memref<32xf32>) -> ()
      memref.dealloc %y : memref<32xf32>
    }
    scf.parallel (%j) = (%c0) to (%n) step (%c1) {
      %z = memref.alloc() : memref<8xf32>
      "test.use"(%z) : (memref<8xf32>) -> ()
      memref.dealloc %z : memref<8xf32>
      scf.reduce
    }
    memref.dealloc %x : memref<16xf32>
    return
  }
  func.func @g() {
    %w = memref.alloc() : memref<48xf32>
    "test.use"(%w) : (memref<48xf32>) -> ()
    memref.dealloc %w : memref<48xf32>
    return
  }
}
