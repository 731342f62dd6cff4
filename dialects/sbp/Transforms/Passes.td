//===- Passes.td - Passes of the sbp dialect ---------------*- tablegen -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_TRANSFORMS_PASSES_TD
#define LOOM_DIALECTS_SBP_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SbpDerivePass : Pass<"sbp-derive", "::mlir::ModuleOp"> {
  let summary = "Choose an SBP signature for every op with a cost model";
  let description = [{
    For every public function, builds the cost graph of its body (a node per
    argument, op and the return; a candidate per legal signature; an edge per
    use, costing the boxing between the producer's layout and the
    consumer's), searches it (`dialects/sbp/Transforms/Search.h`: exact
    eliminations, then the remaining core enumerated or improved locally)
    and records the plan:

    - each op gets `sbp.operands` and `sbp.results`, arrays of `#sbp.nd`;
    - each argument gets `sbp.nd` (how the ranks hold the input: each reads
      all of it, so splits are local slices);
    - the module gets `sbp.mesh`, the function `sbp.cost` (the predicted
      time of a step, in seconds).

    Inputs arrive whole on every rank and outputs leave broadcast (rank 0
    writes them). Arguments with an `sbp.nd` attribute, ops with
    `sbp.results`, and `fix` entries (`NAME=S(0)`, `NAME=[S(0),B]` on a
    2-D mesh; NAME is an input or an ONNX node) are honoured. Constants
    (weights) may take any layout for free: each rank keeps its slice. Ops
    without an `SbpRuleOpInterface` rule, and ops with regions (control
    flow stays replicated), run replicated.

    `explain-dot` writes the plan as Graphviz (ops coloured by signature,
    boxing edges labelled with the collective and the bytes a rank sends);
    `print-plan` prints a table of the predicted costs on stderr.
  }];
  let dependentDialects = ["::loom::sbp::SbpDialect"];
  let options = [
    Option<"mesh", "mesh", "std::string", /*default=*/"\"2\"",
           "The device mesh: 4, or 2x2">,
    ListOption<"fix", "fix", "std::string",
               "Layouts to honour, NAME=SBP (x=S(0); [S(0),B] on 2-D)">,
    Option<"flopsPerSecond", "flops-per-second", "double",
           /*default=*/"1.7e11",
           "Compute rate of one device (default: loom-calibrate on a 2-core "
           "AVX-512 Xeon, one thread)">,
    Option<"linkBytesPerSecond", "link-bytes-per-second", "double",
           /*default=*/"1.8e9",
           "Link bandwidth one rank sends at (default: loom-calibrate, "
           "ranks on one machine over loopback TCP)">,
    Option<"collectiveLatency", "collective-latency", "double",
           /*default=*/"8e-5",
           "Fixed cost of one collective, in seconds (default: "
           "loom-calibrate, loopback TCP)">,
    Option<"constantsSource", "constants-source", "std::string",
           /*default=*/"\"defaults: loom-calibrate, one thread of a 2-core "
           "AVX-512 Xeon, ranks over loopback TCP\"",
           "Where the three constants come from, printed with the plan">,
    Option<"checkOracle", "check-oracle", "bool", /*default=*/"false",
           "Also plan by brute force where the graph has at most 2^22 "
           "plans, print how the plan compares, and fail when it costs "
           "more than oracle-tolerance above the optimum (for tests)">,
    Option<"oracleTolerance", "oracle-tolerance", "double",
           /*default=*/"0.05",
           "With check-oracle, the fraction above the optimum a plan may "
           "cost">,
    Option<"memoryCostPerByte", "memory-cost-per-byte", "double",
           /*default=*/"0",
           "Cost per byte a device holds (weights, activations)">,
    Option<"memoryLimit", "memory-limit", "double", /*default=*/"0",
           "Bytes a device may hold (0: no limit); the memory cost grows "
           "until the plan fits">,
    Option<"explainDot", "explain-dot", "std::string", /*default=*/"",
           "Write the plan as Graphviz to this file">,
    Option<"printPlan", "print-plan", "bool", /*default=*/"false",
           "Print the predicted cost of every op and boxing">,
  ];
}

def SbpPartitionPass : Pass<"sbp-partition", "::mlir::ModuleOp"> {
  let summary = "Rewrite a planned function into the program every rank runs";
  let description = [{
    After `sbp-derive`: values take their local types (a dim split over k
    devices holds dim / k; partial values keep the whole shape) and, where a
    value's layout differs from what its user needs, boxing converts it, one
    mesh axis at a time (`planBoxing`'s steps): upstream `shard`
    collectives on a `shard.grid @loom_mesh` where one fits (all_gather,
    all_reduce, reduce_scatter, all_to_all, all_slice), `kernel.box`
    otherwise (B -> P, S -> P, P(x) -> P(y)). Arguments and constants are whole
    on every rank (each rank reads the inputs, the weights are compiled in),
    so a split of them is a local slice; returned values are boxed to
    broadcast, so rank 0 can write them. A reshape's constant target shape
    is rewritten for its local result.

    Splits are balanced: a dim of D rows over n devices gives device i
    D / n rows, plus one when i < D % n. When that makes ranks' local
    shapes differ, each class of ranks with equal shapes gets a static copy
    of the function (`@f.rank<first rank>`) and `@f` dispatches to it on
    `kernel.mesh_rank`. Boxing steps with an uneven split are kernel.box
    (shard's collectives take even splits). Collectives move f32, f64, i32
    and i64 elements.

    Not yet: ops inside regions (control flow stays replicated: DyCL
    subgraphs are partitioned, their hosts are not).
  }];
  let dependentDialects = ["::loom::kernel::KernelDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::shard::ShardDialect"];
}

def SbpLowerCollectivesPass : Pass<"sbp-lower-collectives",
                                   "::mlir::ModuleOp"> {
  let summary = "Turn upstream shard collectives into kernel.box";
  let description = [{
    `sbp-partition` writes the boxing steps that upstream's `shard` dialect
    has ops for as `shard.all_gather`, `all_reduce`, `reduce_scatter`,
    `all_to_all` and `all_slice` on a `shard.grid`; this pass, at the start
    of code generation, rewrites each (one grid axis, f32 tensors) into the
    `kernel.box` the runtime executes, and drops grids nothing names.
  }];
  let dependentDialects = ["::loom::kernel::KernelDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOOM_DIALECTS_SBP_TRANSFORMS_PASSES_TD
