//===- Passes.td - Passes of the graph dialect -------------*- tablegen -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD
#define LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def GraphCleanupPass : Pass<"graph-cleanup"> {
  let summary = "Fold and canonicalize graph ops and erase dead ones";
  let description = [{
    Applies the folders and canonicalization patterns of every `graph` op
    until a fixed point, and erases graph ops whose results are unused.
    Only graph ops (and the ops the rewrites create) are touched: other
    dialects' ops are left as they are. Constants that folding produces
    become `graph.constant` ops and are deduplicated; `dense_resource`
    weights are never folded or copied.

    It runs on any op; pipelines run it on each `func.func` in parallel.
  }];
  let dependentDialects = ["::loom::graph::GraphDialect"];
  let options = [
    Option<"maxRewrites", "max-rewrites", "int64_t", /*default=*/"-1",
           "Maximum number of rewrites (-1: until a fixed point)">,
    Option<"requireConvergence", "require-convergence", "bool",
           /*default=*/"false",
           "Fail when max-rewrites stops the rewrites before a fixed point">,
  ];
}

def GraphInferShapesPass : Pass<"graph-infer-shapes"> {
  let summary = "Infer every result type the graph's semantics allow";
  let description = [{
    Refines the result types of graph ops in place, to a fixed point:
    folds shape computations on constants (`graph.shape`, `gather`, `concat`,
    `cast`, arithmetic on small integer tensors), re-infers each op's result
    types from its operands and keeps the more precise of the inferred and
    the declared type. Results of `graph.if` become the join of what the
    branches yield; scan outputs of `graph.loop` and `graph.scan` follow the
    slices their bodies yield. Function result types follow the values
    returned.

    It runs on any op; pipelines run it on each `func.func`.
  }];
  let dependentDialects = ["::loom::graph::GraphDialect"];
  let options = [
    Option<"maxIterations", "max-iterations", "int64_t", /*default=*/"8",
           "Maximum number of fold-and-refine rounds">,
  ];
}

#endif // LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD
