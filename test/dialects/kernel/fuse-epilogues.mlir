// RUN: loom-opt %s -p 'builtin.module(kernel-fuse-epilogues)' -split-input-file | FileCheck %s

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#par = ["parallel", "parallel", "parallel", "parallel"]

// conv + residual, then ReLU: one convolution accumulating into the
// residual with the ReLU applied after the sum.
// CHECK-LABEL: func.func @residual_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x4x8x8xf32>, %[[W:.*]]: tensor<4x4x3x3xf32>, %[[R:.*]]: tensor<1x4x8x8xf32>)
// CHECK-NEXT: %[[Y:.*]] = kernel.conv2d ins(%[[X]], %[[W]] : {{.*}}) outs(%[[R]] : tensor<1x4x8x8xf32>) {accumulate, {{.*}}, relu, {{.*}}}
// CHECK-NEXT: return %[[Y]]
func.func @residual_relu(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %r: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %c = kernel.conv2d ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) outs(%e : tensor<1x4x8x8xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x8x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = #par} ins(%r, %c : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.addf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<1x4x8x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = #par} ins(%s : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %lt = arith.cmpf ult, %a, %zero : f32
    %v = arith.select %lt, %zero, %a : f32
    linalg.yield %v : f32
  } -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#par = ["parallel", "parallel", "parallel", "parallel"]

// ReLU then add: the add cannot go before the ReLU, so only the ReLU fuses.
// CHECK-LABEL: func.func @relu_then_add
// CHECK: kernel.conv2d {{.*}}outs(%{{.*}} : tensor<1x4x8x8xf32>) {dilations = {{.*}}, relu, {{.*}}}
// CHECK: linalg.generic
// CHECK: arith.addf
func.func @relu_then_add(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %r: tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %c = kernel.conv2d ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) outs(%e : tensor<1x4x8x8xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x8x8xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = #par} ins(%c : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %lt = arith.cmpf ult, %a, %zero : f32
    %v = arith.select %lt, %zero, %a : f32
    linalg.yield %v : f32
  } -> tensor<1x4x8x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = #par} ins(%y, %r : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %v = arith.addf %a, %b : f32
    linalg.yield %v : f32
  } -> tensor<1x4x8x8xf32>
  return %s : tensor<1x4x8x8xf32>
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#bc = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
#par = ["parallel", "parallel", "parallel", "parallel"]

// Nothing fuses: the conv result has a second use, the add broadcasts, and
// a generic that is not ReLU (max with 1) stays.
// CHECK-LABEL: func.func @no_fusion
// CHECK: kernel.conv2d {{.*}}{dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// CHECK: linalg.generic
// CHECK: kernel.conv2d {{.*}}{dilations = array<i64: 1, 1>, groups = 1 : i64, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
// CHECK-COUNT-2: linalg.generic
func.func @no_fusion(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>, %b: tensor<4x1x1xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) {
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<1x4x8x8xf32>
  %c = kernel.conv2d ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) outs(%e : tensor<1x4x8x8xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x8x8xf32>
  %s = linalg.generic {indexing_maps = [#id, #bc, #id], iterator_types = #par} ins(%c, %b : tensor<1x4x8x8xf32>, tensor<4x1x1xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %v2: f32, %o: f32):
    %v = arith.addf %a, %v2 : f32
    linalg.yield %v : f32
  } -> tensor<1x4x8x8xf32>
  %c2 = kernel.conv2d ins(%x, %w : tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) outs(%e : tensor<1x4x8x8xf32>) {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} -> tensor<1x4x8x8xf32>
  %m = linalg.generic {indexing_maps = [#id, #id], iterator_types = #par} ins(%c2 : tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %lt = arith.cmpf ult, %a, %one : f32
    %v = arith.select %lt, %one, %a : f32
    linalg.yield %v : f32
  } -> tensor<1x4x8x8xf32>
  %d = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = #par} ins(%c2, %c2 : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>) outs(%e : tensor<1x4x8x8xf32>) {
  ^bb0(%a: f32, %v2: f32, %o: f32):
    %v = arith.addf %a, %v2 : f32
    linalg.yield %v : f32
  } -> tensor<1x4x8x8xf32>
  return %s, %m, %d : tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>, tensor<1x4x8x8xf32>
}

// -----

// ReLU after a matrix product: the product's ReLU epilogue (cuBLASLt's
// RELU_BIAS with a bias); not when the product has another use.
// CHECK-LABEL: func.func @matmul_relu
// CHECK: %[[P:.*]] = kernel.matmul ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x2xf32>, tensor<2xf32>) outs(%{{.*}} : tensor<4x2xf32>) {relu} -> tensor<4x2xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[Q:.*]] = kernel.matmul
// CHECK-NOT: relu
// CHECK: linalg.generic
// CHECK: return %[[P]], %[[Q]], %{{.*}}
#id2 = affine_map<(d0, d1) -> (d0, d1)>
func.func @matmul_relu(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>, %v: tensor<2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x2xf32>
  %p = kernel.matmul ins(%a, %b, %v : tensor<4x8xf32>, tensor<8x2xf32>, tensor<2xf32>) outs(%e : tensor<4x2xf32>) -> tensor<4x2xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%p : tensor<4x2xf32>) outs(%e : tensor<4x2xf32>) {
  ^bb0(%x: f32, %o: f32):
    %lt = arith.cmpf ult, %x, %zero : f32
    %r = arith.select %lt, %zero, %x : f32
    linalg.yield %r : f32
  } -> tensor<4x2xf32>
  %q = kernel.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x2xf32>) outs(%e : tensor<4x2xf32>) -> tensor<4x2xf32>
  %z = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%q : tensor<4x2xf32>) outs(%e : tensor<4x2xf32>) {
  ^bb0(%x: f32, %o: f32):
    %lt = arith.cmpf ult, %x, %zero : f32
    %r = arith.select %lt, %zero, %x : f32
    linalg.yield %r : f32
  } -> tensor<4x2xf32>
  return %y, %q, %z : tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>
}
