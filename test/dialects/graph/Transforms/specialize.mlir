// Static variants behind a run-time shape guard.
// RUN: loom-opt %s -p 'builtin.module(func.func(graph-specialize{variants=x:4x?,x:1x8}))' -split-input-file -verify-diagnostics | FileCheck %s

// Two variants nest: the second is tried in the first's else branch, the
// original body is the innermost else. '?' keeps a dim dynamic, so the
// first variant checks dim 0 only. Control flow in the body is copied too;
// private functions are left alone.
// CHECK-LABEL: func.func @main
// CHECK:         %[[D:.*]] = graph.shape %arg0 {end = 1 : i64}
// CHECK-NEXT:    %[[C:.*]] = graph.constant dense<4> : tensor<1xi64>
// CHECK-NEXT:    %[[OK:.*]] = graph.equal %[[D]], %[[C]]
// CHECK-NEXT:    graph.if %[[OK]] captures(%arg0, %arg1 :
// CHECK:           tensor.cast %{{.*}} : tensor<?x?xf32> to tensor<4x?xf32>
// CHECK:           graph.if %arg{{[0-9]+}} captures
// CHECK:         } else {
// CHECK:           graph.shape %{{.*}} {end = 1 : i64}
// CHECK:           graph.shape %{{.*}} {end = 2 : i64, start = 1 : i64}
// CHECK:           graph.and
// CHECK:           graph.if
// CHECK:             tensor.cast %{{.*}} : tensor<?x?xf32> to tensor<1x8xf32>
// CHECK:           } else {
// CHECK-NOT:         tensor.cast
// CHECK:           } {loom.specialize = "x:1x8"}
// CHECK:         } {loom.specialize = "x:4x?"}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT:     graph.if
func.func @main(%x: tensor<?x?xf32> {graph.name = "x"}, %c: tensor<i1> {graph.name = "c"}) -> tensor<?x?xf32> {
  %r = graph.if %c captures(%x : tensor<?x?xf32>) : tensor<i1> -> tensor<?x?xf32> then {
  ^bb0(%a: tensor<?x?xf32>):
    %n = graph.neg %a : (tensor<?x?xf32>) -> tensor<?x?xf32>
    graph.yield %n : tensor<?x?xf32>
  } else {
  ^bb0(%a: tensor<?x?xf32>):
    graph.yield %a : tensor<?x?xf32>
  }
  return %r : tensor<?x?xf32>
}
func.func private @helper(%x: tensor<?x?xf32> {graph.name = "x"}) -> tensor<?x?xf32> {
  return %x : tensor<?x?xf32>
}

// -----

// expected-error @+1 {{specialization 'x:4x?': gives input 'x' 2 dims but it has 1}}
func.func @rank(%x: tensor<?xf32> {graph.name = "x"}) -> tensor<?xf32> {
  return %x : tensor<?xf32>
}
