// RUN: loom-opt %s -p 'builtin.module(loom-gpu-graph-regions)' | FileCheck %s

// A host function that queues device work and takes no decision is a
// static region: its body moves to @NAME.graph_body, and NAME brackets it
// with the runtime's region calls, its key the dynamic dims and scalars of
// its arguments; the body runs once more when the runtime asks (a capture
// anew). A function that calls regions (a DyCL host whose decisions the
// device takes) is one too: the runtime makes theirs part of its own.
// Functions that read device memory, or call functions that are not
// regions, stay host-driven, and the module says why.
// CHECK: module attributes {loom.gpu_graphs = {host_driven = ["@decides (a decision on the host)", "@calls_decides (it calls @decides)"], regions = ["@static", "@calls"]}}
// CHECK-DAG: func.func private @loom_gpu_region_begin(i64, i64, i64)
// CHECK-DAG: func.func private @loom_gpu_region_end(i64) -> i32

// CHECK-LABEL: func.func @static(
// CHECK-SAME: %[[A:.*]]: memref<?x8xf32>, %[[N:.*]]: index) -> memref<?x8xf32>
// CHECK: %[[D:.*]] = memref.dim %[[A]], %{{.*}} : memref<?x8xf32>
// CHECK: arith.index_cast %[[D]] : index to i64
// CHECK: arith.index_cast %[[N]] : index to i64
// CHECK: %[[KEY:.*]] = memref.alloca() : memref<2xi64>
// CHECK: memref.extract_aligned_pointer_as_index %[[KEY]]
// CHECK: call @loom_gpu_region_begin(%c1_i64, %{{.*}}, %c2_i64)
// CHECK: %[[FIRST:.*]] = call @static.graph_body(%[[A]], %[[N]])
// CHECK: %[[AGAIN:.*]] = call @loom_gpu_region_end(%c1_i64)
// CHECK: %[[IF:.*]] = scf.if %{{.*}} -> (memref<?x8xf32>) {
// CHECK:   %[[SECOND:.*]] = func.call @static.graph_body(%[[A]], %[[N]])
// CHECK:   func.call @loom_gpu_region_end(%c1_i64)
// CHECK:   scf.yield %[[SECOND]]
// CHECK: } else {
// CHECK:   scf.yield %[[FIRST]]
// CHECK: return %[[IF]]
// CHECK: func.func private @static.graph_body(%{{.*}}: memref<?x8xf32>, %{{.*}}: index) -> memref<?x8xf32>
// CHECK:   call @loom_gpu_matmul_f32
// CHECK-LABEL: func.func @decides
// CHECK-NOT: loom_gpu_region_begin
// CHECK-LABEL: func.func @calls(
// CHECK: call @loom_gpu_region_begin(%c2_i64, %{{.*}}, %c2_i64{{.*}})
// CHECK: call @calls.graph_body
// CHECK: func.func private @calls.graph_body
// CHECK: call @static(
// CHECK-LABEL: func.func @calls_decides
// CHECK-NOT: loom_gpu_region_begin
// CHECK-LABEL: func.func @host_only
// CHECK-NOT: loom_gpu_region_begin
module {
  func.func private @loom_gpu_matmul_f32(memref<?x?xf32>, memref<?x?xf32>, memref<?xf32>, memref<?x?xf32>, i64, f32, !llvm.ptr) attributes {llvm.emit_c_interface}
  func.func private @loom_gpu_read(i64, i64, i64, i64)
  func.func @static(%a: memref<?x8xf32>, %n: index) -> memref<?x8xf32> {
    %c = memref.cast %a : memref<?x8xf32> to memref<?x?xf32>
    %b = memref.alloc() : memref<0xf32>
    %bc = memref.cast %b : memref<0xf32> to memref<?xf32>
    %i = arith.constant 0 : i64
    %f = arith.constant 1.0 : f32
    %s = llvm.mlir.zero : !llvm.ptr
    call @loom_gpu_matmul_f32(%c, %c, %bc, %c, %i, %f, %s) : (memref<?x?xf32>, memref<?x?xf32>, memref<?xf32>, memref<?x?xf32>, i64, f32, !llvm.ptr) -> ()
    return %a : memref<?x8xf32>
  }
  func.func @decides(%a: memref<?x8xf32>, %h: i64) {
    %c = memref.cast %a : memref<?x8xf32> to memref<?x?xf32>
    %b = memref.alloc() : memref<0xf32>
    %bc = memref.cast %b : memref<0xf32> to memref<?xf32>
    %i = arith.constant 0 : i64
    %f = arith.constant 1.0 : f32
    %s = llvm.mlir.zero : !llvm.ptr
    call @loom_gpu_matmul_f32(%c, %c, %bc, %c, %i, %f, %s) : (memref<?x?xf32>, memref<?x?xf32>, memref<?xf32>, memref<?x?xf32>, i64, f32, !llvm.ptr) -> ()
    call @loom_gpu_read(%h, %h, %i, %i) : (i64, i64, i64, i64) -> ()
    return
  }
  func.func @calls(%a: memref<?x8xf32>, %n: index) -> memref<?x8xf32> {
    %r = call @static(%a, %n) : (memref<?x8xf32>, index) -> memref<?x8xf32>
    return %r : memref<?x8xf32>
  }
  func.func @calls_decides(%a: memref<?x8xf32>, %h: i64) {
    call @decides(%a, %h) : (memref<?x8xf32>, i64) -> ()
    return
  }
  func.func @host_only(%x: i64) -> i64 {
    return %x : i64
  }
}
