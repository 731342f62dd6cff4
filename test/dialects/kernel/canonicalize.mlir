// RUN: loom-opt %s -p 'builtin.module(canonicalize)' | FileCheck %s

// A check whose condition folds to true goes away; the others stay, in
// their place (they have effects: neither CSE nor DCE removes them).
// CHECK-LABEL: func.func @checks
// CHECK-NEXT: kernel.check %arg0, "kept"
// CHECK-NEXT: kernel.check %arg0, "kept"
// CHECK-NEXT: return
func.func @checks(%ok: i1) {
  %true = arith.constant true
  kernel.check %true, "always holds" {kind = "value"}
  kernel.check %ok, "kept" {kind = "value"}
  kernel.check %ok, "kept" {kind = "value"}
  return
}
