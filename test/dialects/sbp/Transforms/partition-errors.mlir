// sbp-partition refuses conversions it cannot make, naming the op. The
// signatures are written by hand here (sbp-derive makes neither case).
// RUN: loom-opt %s -p 'builtin.module(sbp-partition)' -split-input-file -verify-diagnostics

// Integers have no infinity: P(max)'s identity (the lowest value) summed
// over another axis's P(sum) would overflow, so no conversion of integers
// may pass through a layout mixing them (here (P(max), P(sum)), on the way
// from (S(0), P(sum)) to (P(max), S(0))).
module attributes {sbp.mesh = #sbp.mesh<[2, 2]>} {
  func.func @mixed(%x: tensor<4x4xi32>) -> tensor<4x4xi32> {
    %a = graph.neg %x {sbp.operands = [#sbp.nd<[S(0), P(sum)]>], sbp.results = [#sbp.nd<[S(0), P(sum)]>]} : (tensor<4x4xi32>) -> tensor<4x4xi32>
    // expected-error @+1 {{sbp-partition: cannot convert a 'tensor<4x4xi32>' from (S(0), P(sum)) to (P(max), S(0)) through (P(max), P(sum)): integer partial values cannot mix reductions}}
    %b = graph.abs %a {sbp.operands = [#sbp.nd<[P(max), S(0)]>], sbp.results = [#sbp.nd<[P(max), S(0)]>]} : (tensor<4x4xi32>) -> tensor<4x4xi32>
    return %b : tensor<4x4xi32>
  }
}

// -----

// Ops need their signatures first.
module attributes {sbp.mesh = #sbp.mesh<[2]>} {
  func.func @unplanned(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
    // expected-error @+1 {{sbp-partition: op has no SBP signature (run sbp-derive first)}}
    %a = graph.neg %x : (tensor<4x4xf32>) -> tensor<4x4xf32>
    return %a : tensor<4x4xf32>
  }
}

// -----

// A dynamic dim cannot be split.
module attributes {sbp.mesh = #sbp.mesh<[2]>} {
  func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    // expected-error @+1 {{sbp-partition: cannot convert a 'tensor<?x4xf32>' from B to S(0): a split dim is dynamic or smaller than its devices}}
    %a = graph.neg %x {sbp.operands = [#sbp.nd<[S(0)]>], sbp.results = [#sbp.nd<[S(0)]>]} : (tensor<?x4xf32>) -> tensor<?x4xf32>
    return %a : tensor<?x4xf32>
  }
}
