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

// A reduction over a long dimension: a block per result. Each thread
// strides over the row, then the warp combines with shuffles, warps through
// shared memory, and the first thread adds the row's initial value.
// CHECK-LABEL: func.func @rows
// CHECK:         %[[ROWS:.*]] = arith.muli %{{.*}}, %c64 : index
// CHECK:         gpu.launch blocks(%[[ROW:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[ROWS]], %{{.*}}, %{{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128{{.*}}, %{{.*}}, %{{.*}}) workgroup(%[[SHARED:.*]] : memref<32xf32, #gpu.address_space<workgroup>>)
// CHECK:           %[[PART:.*]] = scf.for %{{.*}} = %[[T]] to %{{.*}} step %c128{{.*}} iter_args(%{{.*}} = %cst{{.*}}) -> (f32)
// CHECK:             memref.load %arg0
// CHECK:             arith.addf
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           memref.store %{{.*}}, %[[SHARED]]
// CHECK:           gpu.barrier
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           memref.load %arg1[%[[ROW]]]
// CHECK:           memref.store %{{.*}}, %arg1[%[[ROW]]]
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

// A short reduction: a thread per result, looping over it.
// CHECK-LABEL: func.func @short_rows
// CHECK:         scf.parallel
// CHECK:           scf.parallel
// CHECK:             scf.for
// CHECK:               arith.maximumf
// CHECK:           } {mapping = [#gpu.loop_dim_map<processor = thread_x
#id3 = affine_map<(d0, d1) -> (d0, d1)>
#row3 = affine_map<(d0, d1) -> (d0)>
func.func @short_rows(%a: memref<512x16xf32>, %s: memref<512xf32>) {
  linalg.generic {indexing_maps = [#id3, #row3], iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<512x16xf32>) outs(%s : memref<512xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %r = arith.maximumf %x, %acc : f32
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

// -----

// ArgMax over a long axis (convert-graph-to-linalg marks its generic): a
// block per row; each thread scans its share with the op's body, then the
// (value, index) pairs meet through xor shuffles and shared memory, and the
// first thread writes both results.
// CHECK-LABEL: func.func @argmax
// CHECK:         %[[ROWS:.*]] = arith.muli %c1, %c4 : index
// CHECK:         gpu.launch blocks(%{{.*}}) in (%{{.*}} = %[[ROWS]], %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%{{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) workgroup(%[[V:.*]] : memref<32xf32, #gpu.address_space<workgroup>>, %[[I:.*]] : memref<32xi64, #gpu.address_space<workgroup>>)
// CHECK:           scf.for %[[K:.*]] = %{{.*}} to %c1000 step %c128 iter_args(%{{.*}} = %cst{{.*}}, %{{.*}} = %c0_i64) -> (f32, i64)
// CHECK:             arith.index_cast %[[K]] : index to i64
// CHECK:           gpu.shuffle  xor %{{.*}} : f32
// CHECK-NEXT:      gpu.shuffle  xor %{{.*}} : i64
// CHECK:           arith.cmpf uno
// CHECK:           memref.store %{{.*}}, %[[V]]
// CHECK:           memref.store %{{.*}}, %[[I]]
// CHECK:           gpu.barrier
// CHECK:           memref.store %{{.*}}, %arg1
// CHECK:           memref.store %{{.*}}, %arg2
// CHECK-NOT:     linalg.generic
func.func @argmax(%x: memref<4x1000xf32>, %v: memref<4x1xf32>, %i: memref<4x1xi64>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, 0)>, affine_map<(d0, d1) -> (d0, 0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x1000xf32>) outs(%v, %i : memref<4x1xf32>, memref<4x1xi64>) attrs = {loom.arg_reduce = "max"} {
  ^bb0(%e: f32, %best: f32, %at: i64):
    %better = arith.cmpf ogt, %e, %best : f32
    %d = linalg.index 1 : index
    %index = arith.index_cast %d : index to i64
    %c0 = arith.constant 0 : i64
    %first = arith.cmpi eq, %index, %c0 : i64
    %wins = arith.ori %better, %first : i1
    %nv = arith.select %wins, %e, %best : f32
    %ni = arith.select %wins, %index, %at : i64
    linalg.yield %nv, %ni : f32, i64
  }
  return
}
