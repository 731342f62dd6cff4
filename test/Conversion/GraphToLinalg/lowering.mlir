// Representative generic lowerings of loom-convert-graph-to-linalg (kernels.mlir
// has the kernel-library ones); the ONNX node
// tests (test/conformance) check every lowering end to end.
// RUN: loom-opt %s -p 'builtin.module(loom-convert-graph-to-linalg{kernel-library=false})' -split-input-file | FileCheck %s

// Broadcasting: a static 1 broadcasts (constant 0 in the map).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func.func @add
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
func.func @add(%a: tensor<4x3xf32>, %b: tensor<1x3xf32>) -> tensor<4x3xf32> {
  %0 = graph.add %a, %b : (tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Unsigned integers become signless; their ops keep the signedness.
// CHECK-LABEL: func.func @unsigned
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK: arith.divui
// CHECK: arith.maxui
func.func @unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = graph.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = graph.max %0, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %1 : tensor<4xui8>
}

// -----

// MatMul: one contraction; dynamic dims come from the operands.
// CHECK-LABEL: func.func @matmul
// CHECK: %[[D:.*]] = tensor.dim %{{.*}}, %{{.*}} : tensor<?x8xf32>
// CHECK: tensor.empty(%[[D]]) : tensor<?x4xf32>
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @matmul(%a: tensor<?x8xf32>, %b: tensor<8x4xf32>) -> tensor<?x4xf32> {
  %0 = graph.matmul %a, %b : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Convolution: the input is padded, the bias initialises the output, and
// one generic reduces over channels and the kernel window.
// CHECK-LABEL: func.func @conv
// CHECK: tensor.pad
// CHECK: linalg.generic
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %0 = graph.conv %x, %w, %b {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Reductions keep or drop the reduced dims; the mean divides by the count.
// CHECK-LABEL: func.func @mean
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.divf
func.func @mean(%x: tensor<2x5xf32>) -> tensor<2xf32> {
  %0 = graph.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x5xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Reshapes become tensor.reshape with the result's dims.
// CHECK-LABEL: func.func @flatten
// CHECK: %[[N:.*]] = tensor.dim
// CHECK: tensor.from_elements
// CHECK: tensor.reshape {{.*}} -> tensor<?x12xf32>
func.func @flatten(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  %0 = graph.flatten %x {axis = 1 : i64} : (tensor<?x3x4xf32>) -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

// -----

// Constants keep their dense_resource blobs.
// CHECK-LABEL: func.func @weights
// CHECK: arith.constant dense_resource<w> : tensor<2xi8>
func.func @weights() -> tensor<2xui8> {
  %0 = graph.constant dense_resource<w> : tensor<2xui8>
  return %0 : tensor<2xui8>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x010000000102"
    }
  }
#-}

// -----

// Constant indices are checked now: in range for a static dim, no check at
// run time (no reduction over them, no host read on a GPU); against a
// dynamic dim, their smallest and largest are constants in the check.
// CHECK-LABEL: func.func @gather_constant_indices
// CHECK-NOT:     kernel.check
// CHECK:         return
// CHECK-LABEL: func.func @gather_constant_indices_dynamic
// CHECK-NOT:     linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK-DAG:     %[[LO:.*]] = arith.constant -1 : i64
// CHECK-DAG:     %[[HI:.*]] = arith.constant 2 : i64
// CHECK:         %[[OK:.*]] = arith.cmpi sge, %[[LO]]
// CHECK:         kernel.check %[[OK]], "index {0} is out of range for a dim of size {1}"(%[[LO]],
// CHECK:         %[[OK2:.*]] = arith.cmpi slt, %[[HI]]
// CHECK:         kernel.check %[[OK2]]
func.func @gather_constant_indices(%x: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %i = graph.constant dense<[1, -2]> : tensor<2xi64>
  %y = graph.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
func.func @gather_constant_indices_dynamic(%x: tensor<?x3xf32>) -> tensor<2x3xf32> {
  %i = graph.constant dense<[2, -1]> : tensor<2xi64>
  %y = graph.gather %x, %i {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}
