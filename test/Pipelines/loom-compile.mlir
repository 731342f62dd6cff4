// The registered pipelines run the library's phases.
// RUN: loom-opt %s -p 'builtin.module(loom-compile{compile-to=input})' | FileCheck %s --check-prefix=INPUT
// RUN: loom-opt %s -p 'builtin.module(loom-compile{compile-to=graph})' | FileCheck %s --check-prefix=GRAPH
// RUN: loom-opt %s -p 'builtin.module(loom-compile{compile-to=graph})' | FileCheck %s --check-prefix=GRAPH
// RUN: loom-opt %s -p 'builtin.module(loom-compile)' | FileCheck %s --check-prefix=END
// RUN: loom-opt %s -p 'builtin.module(loom-graph-optimize)' | FileCheck %s --check-prefix=GRAPH
// RUN: loom-opt %s -p 'builtin.module(loom-compile{compile-to=graph})' --dump-pass-pipeline 2>&1 >/dev/null | FileCheck %s --check-prefix=PIPELINE
// RUN: not loom-opt %s -p 'builtin.module(loom-compile{compile-to=nowhere})' 2>&1 | FileCheck %s --check-prefix=BADPHASE

// INPUT: graph.gemm
// INPUT: graph.relu
// INPUT: graph.relu

// GRAPH-LABEL: func.func @mlp
// GRAPH: %[[M:.*]] = graph.matmul
// GRAPH-NEXT: %[[R:.*]] = graph.relu %[[M]]
// GRAPH-NEXT: return %[[R]], %[[R]]

// The whole flow ends in the LLVM dialect, with the model's C entry point.
// END-DAG: llvm.func internal @loom_kernel(
// END-DAG: llvm.mlir.global external constant @loom_model_signature("loom-model 2\0Ainput input0 1 2 ? 8\0Ainput input1 1 2 8 4\0Aoutput output0 1 2 ? 4\0Aoutput output1 1 2 ? 4\0A\00")
// END-DAG: llvm.func internal @loom_model_body(%{{.*}}: !llvm.ptr)
// END-DAG: llvm.func @loom_model_entry(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) -> i32
// END-DAG: llvm.call @loom_rt_invoke(
// END-DAG: llvm.call @loom_rt_alloc(

// PIPELINE:      builtin.module(
// PIPELINE-NEXT:   func.func(
// PIPELINE-NEXT:     graph-infer-shapes{max-iterations=8},
// PIPELINE-NEXT:     graph-cleanup{max-rewrites=-1 require-convergence=false},
// PIPELINE-NEXT:     cse

// BADPHASE: for the --compile-to option: Cannot find option named 'nowhere'!

func.func @mlp(%x: tensor<?x8xf32>, %w: tensor<8x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %m = graph.gemm %x, %w : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  %r = graph.relu %m : (tensor<?x4xf32>) -> tensor<?x4xf32>
  // CSE merges the duplicate.
  %r2 = graph.relu %m : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %r, %r2 : tensor<?x4xf32>, tensor<?x4xf32>
}
