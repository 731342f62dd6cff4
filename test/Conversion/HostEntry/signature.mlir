// loom-export-signature records the interface; loom-emit-host-entry gives
// the lowered model its C entry point.
// RUN: loom-opt %s -p 'builtin.module(loom-export-signature)' -split-input-file -verify-diagnostics -allow-unregistered-dialect | FileCheck %s

// CHECK: module attributes {loom.input_ranks = array<i64: 2, 0>, loom.output_ranks = array<i64: 1>, loom.signature = "loom-model 2\0Ainput in%20put 13 2 ?batch 4\0Ainput s 9 0\0Aoutput output0 1 1 ?\0A"}
// CHECK: func.func private @loom_kernel(%{{.*}}: tensor<?x4xui64> {bufferization.writable = false}, %{{.*}}: tensor<i1> {bufferization.writable = false}) -> tensor<?xf32>
func.func @main(%x: tensor<?x4xui64> {graph.name = "in put", graph.dim_names = ["batch", ""]}, %s: tensor<i1> {graph.name = "s"}) -> tensor<?xf32> {
  %0 = "test.producer"() : () -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// expected-error @+1 {{input 'x' has type '!graph.seq<tensor<2xf32>>': compiled models take and give ranked tensors of numbers or bools}}
func.func @main(%x: !graph.seq<tensor<2xf32>> {graph.name = "x"}) {
  return
}

// -----

// expected-error @+1 {{output 'output0' has type 'tensor<*xf32>'}}
func.func @main(%x: tensor<2xf32>) -> tensor<*xf32> {
  %0 = "test.producer"() : () -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// expected-error @+1 {{has more than one public function; name the entry with entry=}}
module {
  func.func @a() { return }
  func.func @b() { return }
}
