// With merge-shapes, subgraphs equal up to tensor dims are one
// shape-polymorphic function; calls cast. Subgraphs with ops that need
// static shapes (a convolution) stay apart.
// RUN: loom-opt %s -p 'builtin.module(graph-split{merge-shapes=true})' -split-input-file | FileCheck %s
// RUN: loom-opt %s -p 'builtin.module(graph-split)' -split-input-file | FileCheck %s --check-prefix=APART
// The merged program compiles down to LLVM.
// RUN: loom-opt %s -p 'builtin.module(loom-compile{merge-shapes=true})' -split-input-file -o /dev/null

// The two branches apply the same work to a 2x4 and a 3x4 tensor.
// CHECK-LABEL: func.func @branches
// CHECK:         graph.if
// CHECK:           %[[A:.*]] = tensor.cast %{{.*}} : tensor<2x4xf32> to tensor<?x4xf32>
// CHECK:           %[[R:.*]] = func.call @branches_sg0(%[[A]]) : (tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK:           tensor.cast %[[R]] : tensor<?x4xf32> to tensor<2x4xf32>
// CHECK:         } else {
// CHECK:           tensor.cast %{{.*}} : tensor<3x4xf32> to tensor<?x4xf32>
// CHECK:           func.call @branches_sg0(
// CHECK:       func.func private @branches_sg0(%{{.*}}: tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK:         graph.tanh %{{.*}} : (tensor<?x4xf32>) -> tensor<?x4xf32>
// CHECK-NOT:   func.func private @branches_sg1
// APART:       func.func private @branches_sg0(%{{.*}}: tensor<2x4xf32>) -> tensor<2x4xf32>
// APART:       func.func private @branches_sg1(%{{.*}}: tensor<3x4xf32>) -> tensor<3x4xf32>
func.func @branches(%c: tensor<i1>, %x: tensor<2x4xf32>, %y: tensor<3x4xf32>) -> (tensor<2x4xf32>, tensor<3x4xf32>) {
  %r:2 = graph.if %c captures(%x, %y : tensor<2x4xf32>, tensor<3x4xf32>) : tensor<i1> -> tensor<2x4xf32>, tensor<3x4xf32> then {
  ^bb0(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>):
    %t = graph.tanh %a : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %n = graph.neg %t : (tensor<2x4xf32>) -> tensor<2x4xf32>
    graph.yield %n, %b : tensor<2x4xf32>, tensor<3x4xf32>
  } else {
  ^bb0(%a: tensor<2x4xf32>, %b: tensor<3x4xf32>):
    %t = graph.tanh %b : (tensor<3x4xf32>) -> tensor<3x4xf32>
    %n = graph.neg %t : (tensor<3x4xf32>) -> tensor<3x4xf32>
    graph.yield %a, %n : tensor<2x4xf32>, tensor<3x4xf32>
  }
  return %r#0, %r#1 : tensor<2x4xf32>, tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @convs
// CHECK: func.func private @convs_sg0(
// CHECK: func.func private @convs_sg1(
func.func @convs(%c: tensor<i1>, %x: tensor<1x1x4x4xf32>, %y: tensor<1x1x6x6xf32>, %w: tensor<1x1x3x3xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>) {
  %r:2 = graph.if %c captures(%x, %y, %w : tensor<1x1x4x4xf32>, tensor<1x1x6x6xf32>, tensor<1x1x3x3xf32>) : tensor<i1> -> tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32> then {
  ^bb0(%a: tensor<1x1x4x4xf32>, %b: tensor<1x1x6x6xf32>, %k: tensor<1x1x3x3xf32>):
    %o = graph.conv %a, %k {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x2x2xf32>
    %z = graph.constant dense<0.0> : tensor<1x1x4x4xf32>
    graph.yield %o, %z : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>
  } else {
  ^bb0(%a: tensor<1x1x4x4xf32>, %b: tensor<1x1x6x6xf32>, %k: tensor<1x1x3x3xf32>):
    %o = graph.conv %b, %k {dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x1x6x6xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32>
    %z = graph.constant dense<0.0> : tensor<1x1x2x2xf32>
    graph.yield %z, %o : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>
  }
  return %r#0, %r#1 : tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>
}
