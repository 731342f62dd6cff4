// The kernel-library lowerings of loom-convert-graph-to-linalg (the
// default): which convolutions and matrix products become kernel ops, and
// which keep the generic lowering.
// RUN: loom-opt %s -p 'builtin.module(loom-convert-graph-to-linalg)' -split-input-file | FileCheck %s
// With symmetric-conv-pads (a CUDA model: cuDNN takes symmetric pads only),
// a convolution whose pads differ at its ends keeps the generic lowering.
// RUN: loom-opt %s -p 'builtin.module(loom-convert-graph-to-linalg{symmetric-conv-pads=true})' -split-input-file | FileCheck %s --check-prefix=SYM
// With batched-matmul (a CUDA model: cuBLASLt's strided batches), a MatMul
// whose operands have the same batch dims is one batched kernel.matmul.
// RUN: loom-opt %s -p 'builtin.module(loom-convert-graph-to-linalg{batched-matmul=true})' -split-input-file | FileCheck %s --check-prefix=BATCH

// A 2-D convolution with dynamic batch and spatial dims: the output sizes
// are computed from the input's, and the pads stay on the op.
// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X:.*]], %c0 : tensor<?x3x?x?xf32>
// CHECK-DAG: %[[H:.*]] = tensor.dim %[[X]], %c2
// CHECK-DAG: %[[W:.*]] = tensor.dim %[[X]], %c3
// CHECK: %[[E:.*]] = tensor.empty(%[[N]], %{{.*}}, %{{.*}}) : tensor<?x8x?x?xf32>
// CHECK: kernel.conv2d ins(%[[X]], %{{.*}}, %{{.*}} : tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) outs(%[[E]] : tensor<?x8x?x?xf32>) {dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 0, 1, 2>, strides = array<i64: 2, 2>}
// CHECK-NOT: tensor.pad
// SYM-LABEL: func.func @conv
// SYM-NOT: kernel.conv2d
// SYM: linalg.generic
// SYM-NOT: kernel.conv2d
func.func @conv(%x: tensor<?x3x?x?xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x?x?xf32> {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 0, 1, 2>} : (tensor<?x3x?x?xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  return %0 : tensor<?x8x?x?xf32>
}

// -----

// Grouped (here depthwise) convolutions go to the library too.
// CHECK-LABEL: func.func @depthwise
// CHECK: kernel.conv2d {{.*}}groups = 4 : i64
// SYM-LABEL: func.func @depthwise
// SYM: kernel.conv2d {{.*}}groups = 4 : i64
func.func @depthwise(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = graph.conv %x, %w {group = 4 : i64, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Not for the library: f64, one spatial dim.
// CHECK-LABEL: func.func @generic_convs
// CHECK-NOT: kernel.
// CHECK-COUNT-2: iterator_types = ["parallel", "parallel", "parallel", {{.*}}"reduction"
// CHECK-NOT: kernel.
func.func @generic_convs(%x: tensor<1x3x8x8xf64>, %w: tensor<4x3x3x3xf64>,
                         %x1: tensor<1x3x8xf32>, %w1: tensor<4x3x3xf32>)
    -> (tensor<1x4x6x6xf64>, tensor<1x4x6xf32>) {
  %0 = graph.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf64>, tensor<4x3x3x3xf64>) -> tensor<1x4x6x6xf64>
  %1 = graph.conv %x1, %w1 {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>} : (tensor<1x3x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6xf32>
  return %0, %1 : tensor<1x4x6x6xf64>, tensor<1x4x6xf32>
}

// -----

// Gemm with C: beta * C is broadcast over the rows (their count from A),
// and the product accumulates into it, scaled by alpha.
// CHECK-LABEL: func.func @gemm
// CHECK: %[[M:.*]] = tensor.dim %[[A:.*]], %c1 : tensor<16x?xf32>
// CHECK: %[[E:.*]] = tensor.empty(%[[M]]) : tensor<?x4xf32>
// CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<4xf32>) outs(%[[E]] : tensor<?x4xf32>)
// CHECK: arith.mulf
// CHECK: kernel.matmul ins(%[[A]], %{{.*}} : tensor<16x?xf32>, tensor<4x16xf32>) outs(%[[C]] : tensor<?x4xf32>) {accumulate, alpha = 2.000000e+00 : f32, transpose_a, transpose_b}
func.func @gemm(%a: tensor<16x?xf32>, %b: tensor<4x16xf32>, %c: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = graph.gemm %a, %b, %c {alpha = 2.0 : f32, beta = 0.5 : f32, trans_a, trans_b} : (tensor<16x?xf32>, tensor<4x16xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Gemm with a C of one row and beta 1 (a Linear layer's bias): the
// product's bias (the libraries' bias epilogue), no broadcast. A C of
// [1, N] folds to [N]; a C of another shape, or an inner dim not known to
// be non-empty, keeps the broadcast.
// CHECK-LABEL: func.func @gemm_bias
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}}, %arg2 : tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) outs(%[[E]] : tensor<2x4xf32>) {transpose_b} -> tensor<2x4xf32>
// CHECK: %[[R:.*]] = tensor.collapse_shape %arg3 {{\[\[}}0, 1]] : tensor<1x4xf32> into tensor<4xf32>
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}}, %[[R]] : tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>)
// CHECK: linalg.generic
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<4x3xf32>) outs(%{{.*}} : tensor<2x4xf32>) {accumulate, transpose_b}
// CHECK: linalg.generic
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}} : tensor<2x?xf32>, tensor<4x?xf32>) outs(%{{.*}} : tensor<2x4xf32>) {accumulate, transpose_b}
func.func @gemm_bias(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %c: tensor<4xf32>, %r: tensor<1x4xf32>, %full: tensor<2x4xf32>, %ad: tensor<2x?xf32>, %bd: tensor<4x?xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = graph.gemm %a, %b, %c {trans_b} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %1 = graph.gemm %a, %b, %r {trans_b} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  %2 = graph.gemm %a, %b, %full {trans_b} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = graph.gemm %ad, %bd, %c {trans_b} : (tensor<2x?xf32>, tensor<4x?xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0, %1, %2, %3 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// -----

// Gemm without C overwrites an empty destination.
// CHECK-LABEL: func.func @gemm_no_c
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: kernel.matmul ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x4xf32>) outs(%[[E]] : tensor<2x4xf32>) -> tensor<2x4xf32>
func.func @gemm_no_c(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = graph.gemm %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// [S, B, K] x [K, N]: the leading dims fold into the rows and unfold after.
// CHECK-LABEL: func.func @matmul_batched_lhs
// CHECK: %[[F:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<?x2x8xf32> into tensor<?x8xf32>
// CHECK: %[[P:.*]] = kernel.matmul ins(%[[F]], %{{.*}} : tensor<?x8xf32>, tensor<8x5xf32>) outs(%{{.*}} : tensor<?x5xf32>)
// CHECK: tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2]] output_shape [%{{.*}}, 2, 5] : tensor<?x5xf32> into tensor<?x2x5xf32>
func.func @matmul_batched_lhs(%a: tensor<?x2x8xf32>, %b: tensor<8x5xf32>) -> tensor<?x2x5xf32> {
  %0 = graph.matmul %a, %b : (tensor<?x2x8xf32>, tensor<8x5xf32>) -> tensor<?x2x5xf32>
  return %0 : tensor<?x2x5xf32>
}

// -----

// Batched right operands, vectors and integers keep the generic contraction.
// CHECK-LABEL: func.func @generic_matmuls
// CHECK-NOT: kernel.
func.func @generic_matmuls(%a: tensor<3x2x8xf32>, %b: tensor<3x8x5xf32>,
                           %v: tensor<8xf32>, %m: tensor<8x5xf32>,
                           %i: tensor<2x8xi32>, %j: tensor<8x5xi32>)
    -> (tensor<3x2x5xf32>, tensor<5xf32>, tensor<2x5xi32>) {
  %0 = graph.matmul %a, %b : (tensor<3x2x8xf32>, tensor<3x8x5xf32>) -> tensor<3x2x5xf32>
  %1 = graph.matmul %v, %m : (tensor<8xf32>, tensor<8x5xf32>) -> tensor<5xf32>
  %2 = graph.matmul %i, %j : (tensor<2x8xi32>, tensor<8x5xi32>) -> tensor<2x5xi32>
  return %0, %1, %2 : tensor<3x2x5xf32>, tensor<5xf32>, tensor<2x5xi32>
}

// -----

// Attention's products, [batch, heads, S, D] x [batch, heads, D, S]: the
// batch dims fold into one (a dynamic one checked against the other
// operand's), or, by default, the generic contraction. A broadcast batch
// keeps the generic lowering.
// CHECK-LABEL: func.func @attention
// CHECK-NOT: kernel.matmul
// BATCH-LABEL: func.func @attention
// BATCH: %[[Q:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] : tensor<?x4x16x8xf32> into tensor<?x16x8xf32>
// BATCH: %[[K:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2], [3]] : tensor<?x4x8x16xf32> into tensor<?x8x16xf32>
// BATCH: %[[P:.*]] = kernel.matmul ins(%[[Q]], %[[K]] : tensor<?x16x8xf32>, tensor<?x8x16xf32>) outs(%{{.*}} : tensor<?x16x16xf32>) -> tensor<?x16x16xf32>
// BATCH: tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2], [3]] output_shape [%{{.*}}, 4, 16, 16] : tensor<?x16x16xf32> into tensor<?x4x16x16xf32>
// BATCH-NOT: kernel.matmul
// BATCH: linalg.generic
// BATCH-NOT: kernel.matmul
// BATCH: return
func.func @attention(%q: tensor<?x4x16x8xf32>, %k: tensor<?x4x8x16xf32>,
                     %a: tensor<4x2x8xf32>, %b: tensor<1x8x5xf32>)
    -> (tensor<?x4x16x16xf32>, tensor<4x2x5xf32>) {
  %0 = graph.matmul %q, %k : (tensor<?x4x16x8xf32>, tensor<?x4x8x16xf32>) -> tensor<?x4x16x16xf32>
  %1 = graph.matmul %a, %b : (tensor<4x2x8xf32>, tensor<1x8x5xf32>) -> tensor<4x2x5xf32>
  return %0, %1 : tensor<?x4x16x16xf32>, tensor<4x2x5xf32>
}
