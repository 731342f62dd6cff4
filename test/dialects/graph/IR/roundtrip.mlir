// Every graph op prints and parses back, in the custom and the generic form.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @constant
func.func @constant() -> (tensor<2x2xf32>, tensor<3xi64>, tensor<2xi1>, tensor<4xui8>) {
  // CHECK: graph.constant dense_resource<weight> : tensor<2x2xf32>
  %w = graph.constant dense_resource<weight> : tensor<2x2xf32>
  // A handle whose blob is not in the file (elided, or provided later).
  // CHECK: graph.constant dense_resource<not_loaded> : tensor<1000x1000xf32>
  %big = graph.constant dense_resource<not_loaded> : tensor<1000x1000xf32>
  // CHECK: graph.constant dense<[2, -1, 0]> : tensor<3xi64>
  %s = graph.constant dense<[2, -1, 0]> : tensor<3xi64>
  // CHECK: graph.constant dense<[true, false]> : tensor<2xi1>
  %b = graph.constant dense<[true, false]> : tensor<2xi1>
  // CHECK: graph.constant dense<255> : tensor<4xui8>
  %u = graph.constant dense<255> : tensor<4xui8>
  return %w, %s, %b, %u : tensor<2x2xf32>, tensor<3xi64>, tensor<2xi1>, tensor<4xui8>
}

// CHECK-LABEL: func.func @add
func.func @add(%a: tensor<?x1x4xf32>, %b: tensor<3x1xf32>, %c: tensor<*xi32>) -> (tensor<?x3x4xf32>, tensor<*xi32>) {
  // CHECK: graph.add %{{.*}}, %{{.*}} : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  %0 = graph.add %a, %b : (tensor<?x1x4xf32>, tensor<3x1xf32>) -> tensor<?x3x4xf32>
  // CHECK: graph.add %{{.*}}, %{{.*}} : (tensor<*xi32>, tensor<*xi32>) -> tensor<*xi32>
  %1 = graph.add %c, %c : (tensor<*xi32>, tensor<*xi32>) -> tensor<*xi32>
  return %0, %1 : tensor<?x3x4xf32>, tensor<*xi32>
}

// CHECK-LABEL: func.func @mul
func.func @mul(%a: tensor<2x3xbf16>, %b: tensor<bf16>) -> tensor<2x3xbf16> {
  // CHECK: graph.mul %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<bf16>) -> tensor<2x3xbf16>
  %0 = graph.mul %a, %b : (tensor<2x3xbf16>, tensor<bf16>) -> tensor<2x3xbf16>
  return %0 : tensor<2x3xbf16>
}

// CHECK-LABEL: func.func @relu
func.func @relu(%a: tensor<?x8xf16>, %b: tensor<4xi8>) -> (tensor<?x8xf16>, tensor<4xi8>) {
  // CHECK: graph.relu %{{.*}} : (tensor<?x8xf16>) -> tensor<?x8xf16>
  %0 = graph.relu %a : (tensor<?x8xf16>) -> tensor<?x8xf16>
  // CHECK: graph.relu %{{.*}} : (tensor<4xi8>) -> tensor<4xi8>
  %1 = graph.relu %b : (tensor<4xi8>) -> tensor<4xi8>
  return %0, %1 : tensor<?x8xf16>, tensor<4xi8>
}

// CHECK-LABEL: func.func @matmul
func.func @matmul(%a: tensor<8x?x64xf32>, %b: tensor<64x32xf32>, %v: tensor<64xf32>) -> (tensor<8x?x32xf32>, tensor<8x?xf32>) {
  // CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<8x?x64xf32>, tensor<64x32xf32>) -> tensor<8x?x32xf32>
  %0 = graph.matmul %a, %b : (tensor<8x?x64xf32>, tensor<64x32xf32>) -> tensor<8x?x32xf32>
  // CHECK: graph.matmul %{{.*}}, %{{.*}} : (tensor<8x?x64xf32>, tensor<64xf32>) -> tensor<8x?xf32>
  %1 = graph.matmul %a, %v : (tensor<8x?x64xf32>, tensor<64xf32>) -> tensor<8x?xf32>
  return %0, %1 : tensor<8x?x32xf32>, tensor<8x?xf32>
}

// CHECK-LABEL: func.func @gemm
func.func @gemm(%a: tensor<?x64xf32>, %b: tensor<10x64xf32>, %c: tensor<10xf32>, %at: tensor<64x?xf64>, %bt: tensor<64x10xf64>) -> (tensor<?x10xf32>, tensor<?x10xf64>) {
  // CHECK: graph.gemm %{{.*}}, %{{.*}}, %{{.*}} {beta = 5.000000e-01 : f32, trans_b} : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  %0 = graph.gemm %a, %b, %c {trans_b, beta = 0.5 : f32} : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  // CHECK: graph.gemm %{{.*}}, %{{.*}} {alpha = 2.000000e+00 : f32, trans_a} : (tensor<64x?xf64>, tensor<64x10xf64>) -> tensor<?x10xf64>
  %1 = graph.gemm %at, %bt {trans_a, alpha = 2.0 : f32} : (tensor<64x?xf64>, tensor<64x10xf64>) -> tensor<?x10xf64>
  return %0, %1 : tensor<?x10xf32>, tensor<?x10xf64>
}

// CHECK-LABEL: func.func @reshape
func.func @reshape(%x: tensor<?x4x8xf32>, %s: tensor<3xi64>, %e: tensor<0x3xi1>) -> (tensor<?x32xf32>, tensor<?x?x?xf32>, tensor<3x0xi1>) {
  %shape = graph.constant dense<[0, -1]> : tensor<2xi64>
  // CHECK: graph.reshape %{{.*}}, %{{.*}} : (tensor<?x4x8xf32>, tensor<2xi64>) -> tensor<?x32xf32>
  %0 = graph.reshape %x, %shape : (tensor<?x4x8xf32>, tensor<2xi64>) -> tensor<?x32xf32>
  // CHECK: graph.reshape %{{.*}}, %{{.*}} : (tensor<?x4x8xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %1 = graph.reshape %x, %s : (tensor<?x4x8xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %zero = graph.constant dense<[3, 0]> : tensor<2xi64>
  // CHECK: graph.reshape %{{.*}}, %{{.*}} {allow_zero} : (tensor<0x3xi1>, tensor<2xi64>) -> tensor<3x0xi1>
  %2 = graph.reshape %e, %zero {allow_zero} : (tensor<0x3xi1>, tensor<2xi64>) -> tensor<3x0xi1>
  return %0, %1, %2 : tensor<?x32xf32>, tensor<?x?x?xf32>, tensor<3x0xi1>
}

{-#
  dialect_resources: {
    builtin: {
      weight: "0x040000000000803F000000400000404000008040"
    }
  }
#-}
