// Debian's own mlir-opt, with Loom loaded as a plugin, parses Loom IR and
// runs Loom's passes and pipelines.
// UNSUPPORTED: sanitizers
//
// RUN: %mlir_opt --load-dialect-plugin=%loom_plugin --show-dialects | FileCheck %s --check-prefix=DIALECTS
// RUN: %mlir_opt --load-dialect-plugin=%loom_plugin --load-pass-plugin=%loom_plugin %s \
// RUN:   -p 'builtin.module(func.func(graph-cleanup))' | FileCheck %s
// RUN: %mlir_opt --load-dialect-plugin=%loom_plugin --load-pass-plugin=%loom_plugin %s \
// RUN:   -p 'builtin.module(loom-compile{compile-to=graph})' | FileCheck %s
// The DyCL passes run in the plugin: specialization, then the split.
// RUN: %mlir_opt --load-dialect-plugin=%loom_plugin --load-pass-plugin=%loom_plugin %S/Inputs/gated.mlir \
// RUN:   -p 'builtin.module(func.func(graph-specialize{variants=x:2x4}),loom-split)' | FileCheck %s --check-prefix=SPLIT
// Verifier errors carry their locations through the plugin.
// RUN: %mlir_opt --load-dialect-plugin=%loom_plugin %S/Inputs/invalid.mlir -verify-diagnostics
// Without the plugin, mlir-opt does not know the dialect.
// RUN: not %mlir_opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN
// Loading the pass plugin into loom-opt, which registers the same passes, is harmless.
// RUN: loom-opt --load-pass-plugin=%loom_plugin %s -p 'builtin.module(graph-cleanup)' | FileCheck %s

// DIALECTS: Available Dialects:
// DIALECTS-SAME: graph,

// SPLIT:     func.func @main({{.*}}attributes {loom.host}
// SPLIT:       graph.if {{.*}} then {
// SPLIT:         func.call @main_sg
// SPLIT:       } {loom.specialize = "x:2x4"}
// SPLIT:     func.func private @main_sg{{[0-9]+}}({{.*}}loom.subgraph

// NOPLUGIN: Dialect `graph' not found for custom op 'graph.gemm'

// CHECK-LABEL: func.func @f
// CHECK-NEXT: %[[M:.*]] = graph.matmul
// CHECK-NEXT: return %[[M]]
func.func @f(%x: tensor<?x8xf32>, %w: tensor<8x4xf32>) -> tensor<?x4xf32> {
  %m = graph.gemm %x, %w : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  %one = graph.constant dense<1.0> : tensor<4xf32>
  %y = graph.mul %m, %one : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
