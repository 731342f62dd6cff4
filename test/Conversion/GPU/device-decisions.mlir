// RUN: loom-opt %s -p 'builtin.module(loom-gpu-device-decisions)' | FileCheck %s

// A DyCL host function whose branches a CUDA graph decides: each graph.if
// becomes its then part and its else part in turn between the runtime's
// markers, the flag handed over as a buffer (read only: no copy), and each
// result the parts yield differently is selected on the device by the
// condition; a result both parts yield alike is that value. A branch inside
// a branch is rewritten first, so that its markers nest. Functions with a
// loop, an op with effects in a branch, or a result of dynamic shape stay
// host-driven, and the module says why.
// CHECK: module attributes {loom.device_decisions = {conditional = ["@host (2 IF node(s))"], host_driven = ["@looped (a loop ('graph.loop'; WHILE nodes for loops are not built yet))", "@effects ('func.call' in a branch)", "@dynamic (a branch result of dynamic shape)"]}}
// CHECK-DAG: func.func private @loom_gpu_cond_then(memref<i1>) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @loom_gpu_cond_else()
// CHECK-DAG: func.func private @loom_gpu_cond_end()

// CHECK-LABEL: func.func @host(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32>)
// CHECK: %[[P:.*]]:2 = call @decide(%[[X]])
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[P]]#1 [] : tensor<1xi1> into tensor<i1>
// CHECK: %[[FLAG:.*]] = bufferization.to_buffer %[[C]] read_only : tensor<i1> to memref<i1>
// CHECK: call @loom_gpu_cond_then(%[[FLAG]])
// CHECK: %[[T:.*]] = call @body(%[[P]]#0)
// The inner branch, in the then part.
// CHECK: %[[Q:.*]]:2 = call @decide(%[[T]])
// CHECK: %[[C2:.*]] = tensor.collapse_shape %[[Q]]#1
// CHECK: %[[FLAG2:.*]] = bufferization.to_buffer %[[C2]] read_only
// CHECK: call @loom_gpu_cond_then(%[[FLAG2]])
// CHECK: %[[U:.*]] = graph.relu %[[Q]]#0
// CHECK: call @loom_gpu_cond_else()
// CHECK: call @loom_gpu_cond_end()
// CHECK: %[[W:.*]] = graph.where %[[C2]], %[[U]], %[[Q]]#0 : (tensor<i1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK: call @loom_gpu_cond_else()
// CHECK: call @loom_gpu_cond_end()
// CHECK: %[[R:.*]] = graph.where %[[C]], %[[W]], %[[P]]#0
// CHECK-NOT: graph.where
// CHECK-NOT: graph.if
// CHECK: return %[[R]], %[[X]] : tensor<4xf32>, tensor<4xf32>
func.func private @decide(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<1xi1>) attributes {loom.subgraph} {
  %z = graph.constant dense<0.0> : tensor<4xf32>
  %c = graph.constant dense<true> : tensor<1xi1>
  return %x, %c : tensor<4xf32>, tensor<1xi1>
}
func.func private @body(%x: tensor<4xf32>) -> tensor<4xf32> attributes {loom.subgraph} {
  %y = graph.neg %x : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}
func.func private @external(tensor<4xf32>) -> tensor<4xf32>

func.func @host(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) attributes {loom.host} {
  %p:2 = call @decide(%x) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<1xi1>)
  %r:2 = graph.if %p#1 captures(%p#0, %x : tensor<4xf32>, tensor<4xf32>) : tensor<1xi1> -> tensor<4xf32>, tensor<4xf32> then {
  ^bb0(%a: tensor<4xf32>, %k: tensor<4xf32>):
    %t = func.call @body(%a) : (tensor<4xf32>) -> tensor<4xf32>
    %q:2 = func.call @decide(%t) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<1xi1>)
    %w = graph.if %q#1 captures(%q#0 : tensor<4xf32>) : tensor<1xi1> -> tensor<4xf32> then {
    ^bb0(%b: tensor<4xf32>):
      %u = graph.relu %b : (tensor<4xf32>) -> tensor<4xf32>
      graph.yield %u : tensor<4xf32>
    } else {
    ^bb0(%b: tensor<4xf32>):
      graph.yield %b : tensor<4xf32>
    }
    graph.yield %w, %k : tensor<4xf32>, tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>, %k: tensor<4xf32>):
    graph.yield %a, %k : tensor<4xf32>, tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}

// CHECK-LABEL: func.func @looped
// CHECK: graph.loop
// CHECK: graph.if
// CHECK-NOT: loom_gpu_cond
func.func @looped(%n: tensor<i64>, %c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> attributes {loom.host} {
  %r = graph.loop max %n : tensor<i64> while %c : tensor<i1> init(%x : tensor<4xf32>) -> tensor<4xf32> do {
  ^bb0(%i: tensor<i64>, %cond: tensor<i1>, %v: tensor<4xf32>):
    %p:2 = func.call @decide(%v) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<1xi1>)
    %w = graph.if %p#1 captures(%p#0 : tensor<4xf32>) : tensor<1xi1> -> tensor<4xf32> then {
    ^bb0(%b: tensor<4xf32>):
      graph.yield %b : tensor<4xf32>
    } else {
    ^bb0(%b: tensor<4xf32>):
      %u = func.call @body(%b) : (tensor<4xf32>) -> tensor<4xf32>
      graph.yield %u : tensor<4xf32>
    }
    graph.yield %cond, %w : tensor<i1>, tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @effects
// CHECK: graph.if
func.func @effects(%x: tensor<4xf32>, %c: tensor<1xi1>) -> tensor<4xf32> attributes {loom.host} {
  %r = graph.if %c captures(%x : tensor<4xf32>) : tensor<1xi1> -> tensor<4xf32> then {
  ^bb0(%b: tensor<4xf32>):
    %u = func.call @external(%b) : (tensor<4xf32>) -> tensor<4xf32>
    graph.yield %u : tensor<4xf32>
  } else {
  ^bb0(%b: tensor<4xf32>):
    graph.yield %b : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// CHECK-LABEL: func.func @dynamic
// CHECK: graph.if
func.func @dynamic(%x: tensor<?xf32>, %c: tensor<i1>) -> tensor<?xf32> attributes {loom.host} {
  %r = graph.if %c captures(%x : tensor<?xf32>) : tensor<i1> -> tensor<?xf32> then {
  ^bb0(%b: tensor<?xf32>):
    %u = graph.relu %b : (tensor<?xf32>) -> tensor<?xf32>
    graph.yield %u : tensor<?xf32>
  } else {
  ^bb0(%b: tensor<?xf32>):
    graph.yield %b : tensor<?xf32>
  }
  return %r : tensor<?xf32>
}
