// Folders and canonicalization patterns of graph ops.
// RUN: loom-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func.func @fold_constants
func.func @fold_constants() -> (tensor<2xf32>, tensor<2x3xi32>, tensor<3xf32>) {
  %a = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = graph.constant dense<[0.5, -4.0]> : tensor<2xf32>
  // Dense operands of the result's type fold elementwise.
  %sum = graph.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // Splats fold through broadcasting.
  %s3 = graph.constant dense<3> : tensor<3xi32>
  %s2 = graph.constant dense<2> : tensor<2x1xi32>
  %prod = graph.mul %s3, %s2 : (tensor<3xi32>, tensor<2x1xi32>) -> tensor<2x3xi32>
  // relu of a constant; NaN stays NaN.
  %c = graph.constant dense<[-1.0, 0x7FC00000, 2.0]> : tensor<3xf32>
  %r = graph.relu %c : (tensor<3xf32>) -> tensor<3xf32>
  // CHECK-DAG: %[[SUM:.*]] = graph.constant dense<[1.500000e+00, -2.000000e+00]> : tensor<2xf32>
  // CHECK-DAG: %[[PROD:.*]] = graph.constant dense<6> : tensor<2x3xi32>
  // CHECK-DAG: %[[RELU:.*]] = graph.constant dense<[0.000000e+00, 0x7FC00000, 2.000000e+00]> : tensor<3xf32>
  // CHECK: return %[[SUM]], %[[PROD]], %[[RELU]]
  return %sum, %prod, %r : tensor<2xf32>, tensor<2x3xi32>, tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @no_fold_with_dense_broadcast
func.func @no_fold_with_dense_broadcast() -> tensor<2x2xf32> {
  %a = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = graph.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  // CHECK: graph.add
  %0 = graph.add %a, %b : (tensor<2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// CHECK-LABEL: func.func @no_fold_resources
func.func @no_fold_resources() -> tensor<2xf32> {
  %a = graph.constant dense_resource<w> : tensor<2xf32>
  // CHECK: graph.add
  %0 = graph.add %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[I:.*]]: tensor<4xi32>)
func.func @identities(%x: tensor<?x4xf32>, %i: tensor<4xi32>) -> (tensor<?x4xf32>, tensor<4xi32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %nz = graph.constant dense<-0.0> : tensor<4xf32>
  %x0 = graph.add %x, %nz : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %z = graph.constant dense<0> : tensor<4xi32>
  %i0 = graph.add %z, %i : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %one = graph.constant dense<1.0> : tensor<1x4xf32>
  %x1 = graph.mul %x0, %one : (tensor<?x4xf32>, tensor<1x4xf32>) -> tensor<?x4xf32>
  // x + +0.0 is not x when x is -0.0.
  %pz = graph.constant dense<0.0> : tensor<4xf32>
  // CHECK: %[[KEEP:.*]] = graph.add %[[X]], %{{.*}}
  %x2 = graph.add %x, %pz : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: return %[[X]], %[[I]], %[[X]], %[[KEEP]]
  return %x0, %i0, %x1, %x2 : tensor<?x4xf32>, tensor<4xi32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// An identity that would change the type of the value is not folded.
// CHECK-LABEL: func.func @identity_changing_shape
func.func @identity_changing_shape(%x: tensor<4xf32>) -> tensor<3x4xf32> {
  %one = graph.constant dense<1.0> : tensor<3x4xf32>
  // CHECK: graph.mul
  %0 = graph.mul %x, %one : (tensor<4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @relu_idempotent
func.func @relu_idempotent(%x: tensor<?xf32>) -> tensor<?xf32> {
  // CHECK: %[[R:.*]] = graph.relu
  // CHECK-NOT: graph.relu
  // CHECK: return %[[R]]
  %0 = graph.relu %x : (tensor<?xf32>) -> tensor<?xf32>
  %1 = graph.relu %0 : (tensor<?xf32>) -> tensor<?xf32>
  return %1 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @gemm_to_matmul
func.func @gemm_to_matmul(%a: tensor<?x8xf32>, %b: tensor<8x4xf32>, %c: tensor<4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  // CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  %0 = graph.gemm %a, %b : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  // A bias or a scale keeps the gemm.
  // CHECK: graph.gemm %{{.*}}, %{{.*}}, %{{.*}} :
  %1 = graph.gemm %a, %b, %c : (tensor<?x8xf32>, tensor<8x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  // CHECK: graph.gemm %{{.*}}, %{{.*}} {alpha = 2.000000e+00 : f32}
  %2 = graph.gemm %a, %b {alpha = 2.0 : f32} : (tensor<?x8xf32>, tensor<8x4xf32>) -> tensor<?x4xf32>
  return %0, %1, %2 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_folds
// CHECK-SAME: (%[[X:.*]]: tensor<2x6xf32>)
func.func @reshape_folds(%x: tensor<2x6xf32>) -> (tensor<2x6xf32>, tensor<3x2xi64>) {
  %s = graph.constant dense<[2, 6]> : tensor<2xi64>
  %0 = graph.reshape %x, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<2x6xf32>
  %c = graph.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi64>
  %s32 = graph.constant dense<[3, 2]> : tensor<2xi64>
  %1 = graph.reshape %c, %s32 : (tensor<6xi64>, tensor<2xi64>) -> tensor<3x2xi64>
  // CHECK: %[[C:.*]] = graph.constant dense<{{\[}}[1, 2], [3, 4], [5, 6]]> : tensor<3x2xi64>
  // CHECK: return %[[X]], %[[C]]
  return %0, %1 : tensor<2x6xf32>, tensor<3x2xi64>
}

// -----

// CHECK-LABEL: func.func @reshape_identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x16xf32>, %[[B:.*]]: tensor<?x?xi1>)
func.func @reshape_identity(%x: tensor<?x16xf32>, %b: tensor<?x?xi1>)
    -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x?xi1>, tensor<?x?xi1>, tensor<?x16xf32>) {
  %flatten = graph.constant dense<[0, -1]> : tensor<2xi64>
  %keep = graph.constant dense<[-1, 16]> : tensor<2xi64>
  %zero = graph.constant dense<[0, 0]> : tensor<2xi64>
  // Copied, equal and inferred dims keep the input as it is.
  %0 = graph.reshape %x, %flatten : (tensor<?x16xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  %1 = graph.reshape %x, %keep : (tensor<?x16xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  %2 = graph.reshape %b, %zero : (tensor<?x?xi1>, tensor<2xi64>) -> tensor<?x?xi1>
  // With allow_zero, 0 is a zero-sized dim: not the identity.
  // CHECK: %[[Z:.*]] = graph.reshape %[[B]], %{{.*}} {allow_zero}
  %3 = graph.reshape %b, %zero {allow_zero} : (tensor<?x?xi1>, tensor<2xi64>) -> tensor<?x?xi1>
  // A dynamic dim given as a number may differ from it.
  // CHECK: %[[D:.*]] = graph.reshape %[[X]], %{{.*}} :
  %four = graph.constant dense<[4, 16]> : tensor<2xi64>
  %4 = graph.reshape %x, %four : (tensor<?x16xf32>, tensor<2xi64>) -> tensor<?x16xf32>
  // CHECK: return %[[X]], %[[X]], %[[B]], %[[Z]], %[[D]]
  return %0, %1, %2, %3, %4 : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x?xi1>, tensor<?x?xi1>, tensor<?x16xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x8xf32>, %[[Y:.*]]: tensor<2x3x4xf32>, %[[S:.*]]: tensor<2xi64>)
// Constants end up first.
// CHECK: %[[S423:.*]] = graph.constant dense<[4, 2, 3]> : tensor<3xi64>
func.func @reshape_of_reshape(%x: tensor<?x4x8xf32>, %y: tensor<2x3x4xf32>, %s: tensor<2xi64>)
    -> (tensor<?xf32>, tensor<4x2x3xf32>, tensor<?x?xf32>) {
  %flat = graph.constant dense<[-1]> : tensor<1xi64>
  %mid = graph.constant dense<[0, 32]> : tensor<2xi64>
  // An outer shape without copy-dims replaces the inner reshape.
  // CHECK: %[[R0:.*]] = graph.reshape %[[X]], %{{.*}} : (tensor<?x4x8xf32>, tensor<1xi64>) -> tensor<?xf32>
  %0 = graph.reshape %x, %mid : (tensor<?x4x8xf32>, tensor<2xi64>) -> tensor<?x32xf32>
  %1 = graph.reshape %0, %flat : (tensor<?x32xf32>, tensor<1xi64>) -> tensor<?xf32>
  // An outer shape with copy-dims is spelt out when the result is static.
  // CHECK: %[[R1:.*]] = graph.reshape %[[Y]], %[[S423]] : (tensor<2x3x4xf32>, tensor<3xi64>) -> tensor<4x2x3xf32>
  %s46 = graph.constant dense<[4, 6]> : tensor<2xi64>
  %s023 = graph.constant dense<[0, 2, 3]> : tensor<3xi64>
  %2 = graph.reshape %y, %s46 : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  %3 = graph.reshape %2, %s023 : (tensor<4x6xf32>, tensor<3xi64>) -> tensor<4x2x3xf32>
  // ...and kept when it is not.
  // CHECK: %[[INNER:.*]] = graph.reshape %[[X]]
  // CHECK: %[[R2:.*]] = graph.reshape %[[INNER]], %[[S]]
  %4 = graph.reshape %x, %mid : (tensor<?x4x8xf32>, tensor<2xi64>) -> tensor<?x32xf32>
  %5 = graph.reshape %4, %s : (tensor<?x32xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  // CHECK: return %[[R0]], %[[R1]], %[[R2]]
  return %1, %3, %5 : tensor<?xf32>, tensor<4x2x3xf32>, tensor<?x?xf32>
}
