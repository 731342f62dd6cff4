// The sbp attributes print and parse back.
// RUN: loom-opt %s | loom-opt | FileCheck %s

// CHECK: module attributes {sbp.mesh = #sbp.mesh<[2, 2], axes = ["data", "model"]>}
module attributes {sbp.mesh = #sbp.mesh<[2, 2], axes = ["data", "model"]>} {
  // CHECK: func.func @f(%{{.*}}: tensor<4x8xf32> {sbp.nd = #sbp.nd<[S(0), B]>})
  // CHECK-SAME: sbp.layouts = [#sbp.nd<[P(sum)]>, #sbp.nd<[P(max), P(min)]>, #sbp.nd<[S(1)]>], sbp.mesh1 = #sbp.mesh<[4]>
  func.func @f(%x: tensor<4x8xf32> {sbp.nd = #sbp.nd<[S(0), B]>}) attributes {
      sbp.layouts = [#sbp.nd<[P(sum)]>, #sbp.nd<[P(max), P(min)]>, #sbp.nd<[S(1)]>],
      sbp.mesh1 = #sbp.mesh<[4]>} {
    return
  }
}
