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

def GraphSpecializePass : Pass<"graph-specialize", "::mlir::func::FuncOp"> {
  let summary = "Static variants of a public function behind a run-time "
                "shape guard";
  let description = [{
    For each entry of `variants` (`NAME:DIMS`, several inputs joined by `+`,
    `?` keeping a dim dynamic), the body of every public function is copied
    under a `graph.if` whose condition checks, at run time, the dims the
    variant fixes; in the copy the inputs are `tensor.cast` to their static
    types, so shape inference, the split and code generation see a static
    program. The original body stays as the shape-polymorphic fallback in
    the innermost `else`. A variant also fixes every input dim that shares
    a symbolic name (`graph.dim_names`) with a dim it fixes.

    ```mlir
    %ok = ... // graph.shape of each fixed dim, graph.equal, graph.and
    %r = graph.if %ok captures(%x) : tensor<1xi1> -> tensor<?x4xf32> then {
    ^bb0(%a: tensor<?x8xf32>):
      %s = tensor.cast %a : tensor<?x8xf32> to tensor<2x8xf32>
      ... // the body, on %s
    } else {
    ^bb0(%a: tensor<?x8xf32>):
      ... // the body as it was
    }
    ```

    A variant that names an unknown input, gives the wrong number of dims,
    contradicts a static dim or a symbolic one, or fixes nothing is an
    error on the function.
  }];
  let dependentDialects = ["::loom::graph::GraphDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    ListOption<"variants", "variants", "std::string",
               "Static variants, each NAME:DIMS with inputs joined by '+' "
               "(x:2x8+bias:2x4)">,
  ];
}

def GraphSimplifyControlFlowPass : Pass<"graph-simplify-control-flow"> {
  let summary = "Simplify graph.if, loop and scan before the DyCL split";
  let description = [{
    Rewrites control flow so that less of it is left for the host and more
    of the work sits in straight-line subgraphs:

    - a `graph.if` whose condition is a constant becomes the branch taken;
    - captures a region does not use, and duplicate captures, are dropped;
    - captured splats, and integer or bool constants of at most
      `inline-constant-elements` elements (axes, shapes, indices), are copied
      into the regions that read them, so shape inference sees them (float
      vectors are weights and stay captured);
    - ops of a loop body that depend only on captures and constants (loop
      invariants) move before the loop, their results captured instead;
    - ops before a `graph.if` that only one branch uses move into it, so the
      other path does not compute them;
    - ops both branches of a `graph.if` compute alike (the same op on the
      same captures or equal constants) move before it;
    - a `graph.loop` with a constant trip count of at most `unroll-max-trips`,
      no run-time condition and no scan outputs is unrolled.

    It runs on any op; pipelines run it on each `func.func`.
  }];
  let dependentDialects = ["::loom::graph::GraphDialect"];
  let options = [
    Option<"unrollMaxTrips", "unroll-max-trips", "int64_t", /*default=*/"4",
           "Unroll constant-trip-count loops with at most this many trips "
           "(0: never)">,
    Option<"inlineConstantElements", "inline-constant-elements", "int64_t",
           /*default=*/"64",
           "Copy captured integer constants of at most this many elements "
           "(splats always) into the regions that read them">,
  ];
}

def GraphSplitPass : Pass<"graph-split", "::mlir::ModuleOp"> {
  let summary = "Outline straight-line dataflow into subgraphs (the DyCL split)";
  let description = [{
    In every public function with control flow (`graph.if`, `graph.loop`,
    `graph.scan`), outlines each maximal run of straight-line ops, in the
    function body and in every branch and loop body, into a private
    `func.func` marked `loom.subgraph` that contains no control flow, and
    calls it. What remains is the host (`loom.host`): control flow,
    constants and calls; each predicate is computed by a subgraph and read
    once by its `graph.if` or `graph.loop`.

    Constants with at most `inline-constant-elements` elements are copied
    into the subgraphs that use them (shapes and axes keep folding); larger
    ones are passed as arguments, marked `loom.constant` when every call
    passes a constant. Subgraphs identical up to those arguments (repeated
    blocks with their own weights) are one function: the number of
    subgraphs grows with the code, not with depth or trip counts. Each
    subgraph lists where its runs came from in `loom.origins`.

    With `merge-shapes`, subgraphs that differ only in tensor dims are also
    one function, when every op in them lowers with dynamic dims
    (elementwise ops, matrix products, reductions, softmax, transposes):
    its types keep the dims they share and make the others dynamic, and
    calls cast their operands and results (`tensor.cast`).

    Functions without control flow are left alone.
  }];
  let dependentDialects = ["::loom::graph::GraphDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"inlineConstantElements", "inline-constant-elements", "int64_t",
           /*default=*/"64",
           "Constants with at most this many elements are copied into "
           "subgraphs rather than passed">,
    Option<"mergeShapes", "merge-shapes", "bool", /*default=*/"false",
           "Also merge subgraphs that differ only in tensor dims into one "
           "shape-polymorphic function (callers cast); off by default: "
           "static subgraphs compile to faster code">,
  ];
}

#endif // LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_TD
