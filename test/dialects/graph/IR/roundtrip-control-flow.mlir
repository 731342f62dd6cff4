// graph.if, graph.loop and graph.scan print and parse back.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @if
func.func @if(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<?xf32> {
  // CHECK: graph.if %{{.*}} captures(%{{.*}} : tensor<4xf32>) : tensor<i1> -> tensor<?xf32> then {
  // CHECK-NEXT: ^bb0(%[[A:.*]]: tensor<4xf32>):
  // CHECK-NEXT: graph.yield %[[A]] : tensor<4xf32>
  // CHECK-NEXT: } else {
  %0 = graph.if %c captures(%x : tensor<4xf32>) : tensor<i1> -> tensor<?xf32> then {
  ^bb0(%a: tensor<4xf32>):
    graph.yield %a : tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>):
    %r = graph.neg %a : (tensor<4xf32>) -> tensor<4xf32>
    graph.yield %r : tensor<4xf32>
  }
  return %0 : tensor<?xf32>
}

// CHECK-LABEL: func.func @loop
func.func @loop(%n: tensor<i64>, %x: tensor<f32>, %k: tensor<f32>) -> (tensor<f32>, tensor<?xf32>) {
  // CHECK: graph.loop max %{{.*}} : tensor<i64> init(%{{.*}} : tensor<f32>) captures(%{{.*}} : tensor<f32>) -> tensor<f32>, tensor<?xf32> do {
  // CHECK-NEXT: ^bb0(%{{.*}}: tensor<i64>, %[[COND:.*]]: tensor<i1>, %[[V:.*]]: tensor<f32>, %[[K:.*]]: tensor<f32>):
  %0:2 = graph.loop max %n : tensor<i64> init(%x : tensor<f32>) captures(%k : tensor<f32>) -> tensor<f32>, tensor<?xf32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<f32>, %kk: tensor<f32>):
    %next = graph.mul %v, %kk : (tensor<f32>, tensor<f32>) -> tensor<f32>
    graph.yield %c, %next, %v : tensor<i1>, tensor<f32>, tensor<f32>
  }
  return %0#0, %0#1 : tensor<f32>, tensor<?xf32>
}

// CHECK-LABEL: func.func @loop_while
func.func @loop_while(%c: tensor<i1>) {
  // CHECK: graph.loop while %{{.*}} : tensor<i1> init() do {
  graph.loop while %c : tensor<i1> init() do {
  ^bb0(%i: tensor<i64>, %cc: tensor<i1>):
    graph.yield %cc : tensor<i1>
  }
  return
}

// CHECK-LABEL: func.func @scan
func.func @scan(%s: tensor<2xf32>, %x: tensor<2x5xf32>) -> (tensor<2xf32>, tensor<2x5xf32>) {
  // CHECK: graph.scan states(%{{.*}} : tensor<2xf32>) inputs(%{{.*}} : tensor<2x5xf32>) -> tensor<2xf32>, tensor<2x5xf32> do {
  // CHECK: } {scan_input_axes = array<i64: 1>, scan_input_reverse = array<i1: true>, scan_output_axes = array<i64: 1>, scan_output_reverse = array<i1: false>}
  %0:2 = graph.scan states(%s : tensor<2xf32>) inputs(%x : tensor<2x5xf32>) -> tensor<2xf32>, tensor<2x5xf32> do {
  ^bb0(%state: tensor<2xf32>, %column: tensor<2xf32>):
    %sum = graph.add %state, %column : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    graph.yield %sum, %sum : tensor<2xf32>, tensor<2xf32>
  } {scan_input_axes = array<i64: 1>, scan_input_reverse = array<i1: true>, scan_output_axes = array<i64: 1>, scan_output_reverse = array<i1: false>}
  return %0#0, %0#1 : tensor<2xf32>, tensor<2x5xf32>
}
