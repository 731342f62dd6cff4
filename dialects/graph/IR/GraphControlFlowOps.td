//===- GraphControlFlowOps.td - If, Loop and Scan ----------*- tablegen -*-===//
//
// Part of Loom. ONNX's control flow as region ops. Every region is isolated
// from above: the outer values a branch or body uses (ONNX's implicit
// captures) are explicit `captures` operands, and each region's entry block
// takes them, after its own arguments, as block arguments. A region can thus
// be outlined into a function as it is (the DyCL split).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHCONTROLFLOWOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHCONTROLFLOWOPS_TD

include "dialects/graph/IR/GraphBase.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"

def Graph_YieldOp : Graph_Op<"yield", [Pure, Terminator, ReturnLike,
    ParentOneOf<["IfOp", "LoopOp", "ScanOp", "SequenceMapOp"]>]> {
  let summary = "The values a branch or loop body produces";
  let arguments = (ins Variadic<Graph_Value>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

def Graph_IfOp : Graph_Op<"if", [IsolatedFromAbove, RecursiveMemoryEffects]> {
  let summary = "Run one of two branches (ONNX `If`)";
  let description = [{
    Runs `then_branch` when the one-element `condition` is true, else
    `else_branch`; the results are what the branch yields. A branch may yield
    a more precise type than the result's (ONNX lets branches differ in
    shape). Both branches take the captures as block arguments.
  }];
  let arguments = (ins TensorOf<[I1]>:$condition, Variadic<Graph_Value>:$captures);
  let results = (outs Variadic<Graph_Value>:$results);
  let regions = (region SizedRegion<1>:$then_branch, SizedRegion<1>:$else_branch);
  let assemblyFormat = [{
    $condition (`captures` `(` $captures^ `:` type($captures) `)`)? `:`
    type($condition) (`->` type($results)^)? `then` $then_branch `else`
    $else_branch attr-dict
  }];
  let hasVerifier = 1;
}

def Graph_LoopOp : Graph_Op<"loop", [IsolatedFromAbove, RecursiveMemoryEffects,
    AttrSizedOperandSegments]> {
  let summary = "A loop with a trip count and a condition (ONNX `Loop`)";
  let description = [{
    Runs `body` while the iteration number is below `max_trip_count` (if
    given) and the condition (if given) holds. The body takes the iteration
    number (`tensor<i64>`), the condition (`tensor<i1>`), the loop-carried
    values and then the captures; it yields the next condition, the next
    carried values and one slice per scan output. The results are the final
    carried values, then the scan outputs: each iteration's slices stacked
    along a new leading dim.
  }];
  let arguments = (ins Optional<0DTensorOf<[I64]>>:$max_trip_count,
                       Optional<TensorOf<[I1]>>:$condition,
                       Variadic<Graph_Value>:$initial,
                       Variadic<Graph_Value>:$captures);
  let results = (outs Variadic<Graph_Value>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`max` $max_trip_count^ `:` type($max_trip_count))?
    (`while` $condition^ `:` type($condition))?
    `init` `(` ($initial^ `:` type($initial))? `)`
    (`captures` `(` $captures^ `:` type($captures) `)`)?
    (`->` type($results)^)? `do` $body attr-dict
  }];
  let hasVerifier = 1;
}

def Graph_ScanOp : Graph_Op<"scan", [IsolatedFromAbove, RecursiveMemoryEffects,
    AttrSizedOperandSegments]> {
  let summary = "Iterate over slices of tensors (ONNX `Scan`)";
  let description = [{
    Runs `body` once per slice of the scan inputs along their
    `scan_input_axes` (backwards where `scan_input_reverse`). The body takes
    the states, one slice of each scan input and the captures; it yields the
    next states and one slice per scan output. The results are the final
    states, then the scan outputs, stacked along `scan_output_axes`.
  }];
  let arguments = (ins Variadic<Graph_Value>:$initial_states,
                       Variadic<Graph_AnyTensor>:$scan_inputs,
                       Variadic<Graph_Value>:$captures,
                       DenseI64ArrayAttr:$scan_input_axes,
                       DenseBoolArrayAttr:$scan_input_reverse,
                       DenseI64ArrayAttr:$scan_output_axes,
                       DenseBoolArrayAttr:$scan_output_reverse);
  let results = (outs Variadic<Graph_Value>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `states` `(` ($initial_states^ `:` type($initial_states))? `)`
    `inputs` `(` ($scan_inputs^ `:` type($scan_inputs))? `)`
    (`captures` `(` $captures^ `:` type($captures) `)`)?
    (`->` type($results)^)? `do` $body attr-dict
  }];
  let hasVerifier = 1;
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHCONTROLFLOWOPS_TD
