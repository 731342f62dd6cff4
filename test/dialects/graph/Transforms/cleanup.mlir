// graph-cleanup folds, canonicalizes and erases graph ops, and only those.
// RUN: loom-opt %s -p 'builtin.module(func.func(graph-cleanup))' -split-input-file | FileCheck %s
// RUN: loom-opt %s -p 'builtin.module(graph-cleanup)' -split-input-file | FileCheck %s
// RUN: loom-opt %s -p 'builtin.module(func.func(graph-cleanup{max-rewrites=1}))' -split-input-file | FileCheck %s --check-prefix=ONE
// RUN: not loom-opt %s -p 'builtin.module(func.func(graph-cleanup{max-rewrites=1 require-convergence=true}))' -split-input-file 2>&1 | FileCheck %s --check-prefix=CONVERGE

// CHECK-LABEL: func.func @cleanup
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>, %[[W:.*]]: tensor<8x4xf32>)
func.func @cleanup(%x: tensor<?x8xf32>, %w: tensor<8x4xf32>) -> (tensor<?x4xf32>, i32) {
  // Other dialects' ops are neither folded nor erased.
  // CHECK: %[[C:.*]] = arith.constant 1 : i32
  // CHECK: %[[SUM:.*]] = arith.addi %[[C]], %[[C]] : i32
  // CHECK: arith.muli
  %c = arith.constant 1 : i32
  %sum = arith.addi %c, %c : i32
  %unused = arith.muli %c, %c : i32
  // Dead graph ops go.
  // CHECK-NOT: graph.relu
  %dead = graph.relu %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // CHECK: %[[M:.*]] = graph.matmul %[[X]], %[[W]]
  %m = graph.gemm %x, %w : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  %one = graph.constant dense<1.0> : tensor<4xf32>
  %y = graph.mul %m, %one : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: return %[[M]], %[[SUM]]
  return %y, %sum : tensor<?x4xf32>, i32
}

// ONE-LABEL: func.func @cleanup
// With one rewrite allowed, the driver stops before erasing the dead relu.
// ONE: graph.relu

// CONVERGE: error: graph-cleanup reached max-rewrites=1 before a fixed point

// -----

// Graph ops inside nested regions are cleaned up too.
// CHECK-LABEL: func.func @nested
func.func @nested(%x: tensor<4xf32>, %p: i1) -> tensor<4xf32> {
  // CHECK: scf.if
  %r = scf.if %p -> tensor<4xf32> {
    // CHECK-NOT: graph.relu
    %0 = graph.relu %x : (tensor<4xf32>) -> tensor<4xf32>
    %1 = graph.relu %0 : (tensor<4xf32>) -> tensor<4xf32>
    %2 = graph.relu %1 : (tensor<4xf32>) -> tensor<4xf32>
    scf.yield %x : tensor<4xf32>
  } else {
    scf.yield %x : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}
