// RUN: loom-opt %s -p 'builtin.module(loom-gpu-map-loops{block-size=128})' -split-input-file | FileCheck %s

// An elementwise op on a 2-D buffer: one dimension of 64*32 iterations in
// tiles of 128, tiles to blocks and iterations to threads, the innermost
// dimension varying fastest (coalesced).
// CHECK-LABEL: func.func @elementwise
// CHECK:         scf.parallel (%[[TILE:.*]]) = (%{{.*}}) to (%{{.*}}) step (%[[C128:.*]])
// CHECK:           scf.parallel (%[[IN:.*]]) = (%{{.*}}) to (%[[C128]])
// CHECK:             arith.cmpi ult
// CHECK:             scf.if
// CHECK:               arith.remsi %{{.*}}, %{{.*}} : index
// CHECK:               arith.divsi %{{.*}}, %{{.*}} : index
// CHECK:               memref.load %arg0
// CHECK:               math.exp
// CHECK:               memref.store
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = block_x
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @elementwise(%a: memref<64x32xf32>, %o: memref<64x32xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a : memref<64x32xf32>) outs(%o : memref<64x32xf32>) {
  ^bb0(%x: f32, %y: f32):
    %e = math.exp %x : f32
    linalg.yield %e : f32
  }
  return
}

// -----

// A reduction: its parallel dimension over threads, the reduced one a loop
// in each thread.
// CHECK-LABEL: func.func @rows
// CHECK:         scf.parallel
// CHECK:           scf.parallel
// CHECK:             scf.for
// CHECK:               arith.addf
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
#id2 = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d0)>
func.func @rows(%a: memref<64x128xf32>, %s: memref<64xf32>) {
  linalg.generic {indexing_maps = [#id2, #row], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<64x128xf32>) outs(%s : memref<64xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.addf %x, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// A copy between strided views is a kernel too.
// CHECK-LABEL: func.func @copy
// CHECK-NOT:     memref.copy
// CHECK:         scf.parallel
// CHECK:           memref.load %{{.*}} : memref<4x8xf32, strided<[16, 1]>>
// CHECK:           memref.store
func.func @copy(%a: memref<4x8xf32, strided<[16, 1]>>, %o: memref<4x8xf32>) {
  memref.copy %a, %o : memref<4x8xf32, strided<[16, 1]>> to memref<4x8xf32>
  return
}
