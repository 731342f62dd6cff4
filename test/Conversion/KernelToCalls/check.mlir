// RUN: loom-opt %s -p 'builtin.module(loom-lower-kernels-to-calls)' -split-input-file -verify-diagnostics | FileCheck %s

// A kernel.check becomes a call of loom_rt_check_failed when its condition
// is false, passing its site: "kind\tnode\top\toperand\tmessage" (the node
// and op from the location the importer gives), the value and the limit.
// CHECK-DAG: llvm.mlir.global private constant @__loom_site_{{.*}}("1\09pick\09Gather\091\09index {0} is out of range for a dim of size {1}\00")
// CHECK-DAG: func.func private @loom_rt_check_failed(!llvm.ptr, i64, i64)
// CHECK-LABEL: func.func @gather_check
// CHECK: %[[NOT:.*]] = arith.xori %arg0, %{{.*}} : i1
// CHECK: scf.if %[[NOT]] {
// CHECK:   %[[SITE:.*]] = llvm.mlir.addressof @__loom_site_
// CHECK:   func.call @loom_rt_check_failed(%[[SITE]], %arg1, %arg2)
// CHECK-NOT: kernel.check
func.func @gather_check(%ok: i1, %index: i64, %size: i64) {
  kernel.check %ok, "index {0} is out of range for a dim of size {1}" (%index, %size) {kind = "index", operand = 1 : i64} : i64, i64 loc("pick"("Gather"))
  return
}

// -----

// Missing values are passed as zeros; no ONNX node: empty names.
// CHECK-DAG: llvm.mlir.global private constant @__loom_site_{{.*}}("4\09\09\09\09the divisor is 0\00")
// CHECK-LABEL: func.func @no_values
// CHECK: %[[Z0:.*]] = arith.constant 0 : i64
// CHECK: %[[Z1:.*]] = arith.constant 0 : i64
// CHECK: func.call @loom_rt_check_failed(%{{.*}}, %[[Z0]], %[[Z1]])
func.func @no_values(%ok: i1) {
  kernel.check %ok, "the divisor is 0" {kind = "value"}
  return
}

// -----

func.func private @loom_rt_check_failed(i64)
func.func @clash(%ok: i1) {
  // expected-error @below {{clashes with an existing declaration of loom_rt_check_failed}}
  kernel.check %ok, "the divisor is 0" {kind = "value"}
  return
}
