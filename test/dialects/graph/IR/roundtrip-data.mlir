// Gather, scatter, slice, pad and the other data-movement ops print and
// parse back.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @gather_scatter
func.func @gather_scatter(%d: tensor<5x4xf32>, %i: tensor<2x3xi64>, %e: tensor<5x2xi32>, %u: tensor<5x2xf32>, %n: tensor<3x1xi64>, %v: tensor<3x4xf32>) {
  // CHECK: graph.gather %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  %0 = graph.gather %d, %i {axis = 0} : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  // CHECK: graph.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<5x4xf32>, tensor<5x2xi32>) -> tensor<5x2xf32>
  %1 = graph.gather_elements %d, %e {axis = 1} : (tensor<5x4xf32>, tensor<5x2xi32>) -> tensor<5x2xf32>
  // CHECK: graph.gather_nd %{{.*}}, %{{.*}} : (tensor<5x4xf32>, tensor<3x1xi64>) -> tensor<3x4xf32>
  %2 = graph.gather_nd %d, %n : (tensor<5x4xf32>, tensor<3x1xi64>) -> tensor<3x4xf32>
  // CHECK: graph.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64, reduction = "add"} : (tensor<5x4xf32>, tensor<5x2xi32>, tensor<5x2xf32>) -> tensor<5x4xf32>
  %3 = graph.scatter_elements %d, %e, %u {axis = 1, reduction = "add"} : (tensor<5x4xf32>, tensor<5x2xi32>, tensor<5x2xf32>) -> tensor<5x4xf32>
  // CHECK: graph.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
  %4 = graph.scatter_nd %d, %n, %v : (tensor<5x4xf32>, tensor<3x1xi64>, tensor<3x4xf32>) -> tensor<5x4xf32>
  return
}

// CHECK-LABEL: func.func @slices
func.func @slices(%x: tensor<10x?x8xf32>, %s: tensor<1xi64>) {
  // CHECK: graph.slice %{{.*}} {ends = array<i64: -1, 9223372036854775807, 0>, starts = array<i64: 2, 0, 7>, steps = array<i64: 3, 1, -2>} : (tensor<10x?x8xf32>) -> tensor<3x?x4xf32>
  %0 = graph.slice %x {starts = array<i64: 2, 0, 7>, ends = array<i64: -1, 9223372036854775807, 0>, steps = array<i64: 3, 1, -2>} : (tensor<10x?x8xf32>) -> tensor<3x?x4xf32>
  %axes = graph.constant dense<2> : tensor<1xi64>
  // CHECK: graph.dynamic_slice %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<10x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<10x?x?xf32>
  %1 = graph.dynamic_slice %x, %s, %s, %axes, %s : (tensor<10x?x8xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<10x?x?xf32>
  // CHECK: graph.split %{{.*}} {axis = 0 : i64, sizes = array<i64: 3, 7>} : (tensor<10x?x8xf32>) -> (tensor<3x?x8xf32>, tensor<7x?x8xf32>)
  %2:2 = graph.split %x {axis = 0, sizes = array<i64: 3, 7>} : (tensor<10x?x8xf32>) -> (tensor<3x?x8xf32>, tensor<7x?x8xf32>)
  // CHECK: graph.pad %{{.*}} {mode = "reflect", pads = array<i64: 1, 0, 0, 1, 0, -1>} : (tensor<10x?x8xf32>) -> tensor<12x?x7xf32>
  %3 = graph.pad %x {pads = array<i64: 1, 0, 0, 1, 0, -1>, mode = "reflect"} : (tensor<10x?x8xf32>) -> tensor<12x?x7xf32>
  return
}

// CHECK-LABEL: func.func @shape_operands
func.func @shape_operands(%x: tensor<2x1xf32>, %r: tensor<2xi64>, %c: tensor<3xi64>, %k: tensor<1xi64>, %i: tensor<4xi64>, %z: tensor<i64>) {
  %reps = graph.constant dense<[2, 3]> : tensor<2xi64>
  // CHECK: graph.tile %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  %0 = graph.tile %x, %reps : (tensor<2x1xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  // CHECK: graph.tile %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %1 = graph.tile %x, %r : (tensor<2x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %shape = graph.constant dense<[3, 2, 5]> : tensor<3xi64>
  // CHECK: graph.expand %{{.*}}, %{{.*}} : (tensor<2x1xf32>, tensor<3xi64>) -> tensor<3x2x5xf32>
  %2 = graph.expand %x, %shape : (tensor<2x1xf32>, tensor<3xi64>) -> tensor<3x2x5xf32>
  // CHECK: graph.constant_of_shape %{{.*}} {value = dense<1> : tensor<1xi32>} : (tensor<3xi64>) -> tensor<3x2x5xi32>
  %3 = graph.constant_of_shape %shape {value = dense<1> : tensor<1xi32>} : (tensor<3xi64>) -> tensor<3x2x5xi32>
  %start = graph.constant dense<10> : tensor<i64>
  %step = graph.constant dense<-3> : tensor<i64>
  %zero = graph.constant dense<0> : tensor<i64>
  // CHECK: graph.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<4xi64>
  %4 = graph.range %start, %zero, %step : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<4xi64>
  // CHECK: graph.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %5 = graph.range %start, %z, %step : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK: graph.top_k %{{.*}}, %{{.*}} {axis = 0 : i64, largest = false} : (tensor<2x1xf32>, tensor<1xi64>) -> (tensor<?x1xf32>, tensor<?x1xi64>)
  %6:2 = graph.top_k %x, %k {axis = 0, largest = false} : (tensor<2x1xf32>, tensor<1xi64>) -> (tensor<?x1xf32>, tensor<?x1xi64>)
  %depth = graph.constant dense<3> : tensor<i64>
  %onoff = graph.constant dense<[0.0, 1.0]> : tensor<2xf32>
  // CHECK: graph.one_hot %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<4xi64>, tensor<i64>, tensor<2xf32>) -> tensor<4x3xf32>
  %7 = graph.one_hot %i, %depth, %onoff {axis = 1} : (tensor<4xi64>, tensor<i64>, tensor<2xf32>) -> tensor<4x3xf32>
  return
}

// CHECK-LABEL: func.func @misc
func.func @misc(%x: tensor<1x8x2x2xf32>, %m: tensor<3x4xf32>, %k: tensor<i64>, %c: tensor<3xi1>) {
  // CHECK: graph.trilu %{{.*}} k %{{.*}} {upper} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf32>
  %0 = graph.trilu %m k %k {upper} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3x4xf32>
  // CHECK: graph.cumsum %{{.*}} {axis = 1 : i64, exclusive, reverse} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  %1 = graph.cumsum %m {axis = 1, exclusive, reverse} : (tensor<3x4xf32>) -> tensor<3x4xf32>
  // CHECK: graph.depth_to_space %{{.*}} {blocksize = 2 : i64, crd} : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32>
  %2 = graph.depth_to_space %x {blocksize = 2, crd} : (tensor<1x8x2x2xf32>) -> tensor<1x2x4x4xf32>
  // CHECK: graph.space_to_depth %{{.*}} {blocksize = 2 : i64} : (tensor<1x8x2x2xf32>) -> tensor<1x32x1x1xf32>
  %3 = graph.space_to_depth %x {blocksize = 2} : (tensor<1x8x2x2xf32>) -> tensor<1x32x1x1xf32>
  // CHECK: graph.eye_like %{{.*}} {dtype = i32, k = 1 : i64} : (tensor<3x4xf32>) -> tensor<3x4xi32>
  %4 = graph.eye_like %m {k = 1, dtype = i32} : (tensor<3x4xf32>) -> tensor<3x4xi32>
  // CHECK: graph.compress %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<3x4xf32>, tensor<3xi1>) -> tensor<?x4xf32>
  %5 = graph.compress %m, %c {axis = 0} : (tensor<3x4xf32>, tensor<3xi1>) -> tensor<?x4xf32>
  // CHECK: graph.compress %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<3xi1>) -> tensor<?xf32>
  %6 = graph.compress %m, %c : (tensor<3x4xf32>, tensor<3xi1>) -> tensor<?xf32>
  // CHECK: graph.non_zero %{{.*}} : (tensor<3x4xf32>) -> tensor<2x?xi64>
  %7 = graph.non_zero %m : (tensor<3x4xf32>) -> tensor<2x?xi64>
  return
}
