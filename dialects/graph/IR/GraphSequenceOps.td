//===- GraphSequenceOps.td - Sequences and optionals -------*- tablegen -*-===//
//
// Part of Loom. ONNX's `Sequence*` and `Optional*` ops on `!graph.seq` and
// `!graph.opt` values. Results that ONNX determines from the operands are
// inferred; a declared result type may refine the inferred one, as for
// tensors.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHSEQUENCEOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHSEQUENCEOPS_TD

include "dialects/graph/IR/GraphBase.td"

// An op whose results are inferred by `inferReturnTypes(adaptor)` (in
// GraphSequence.cpp), which also reports bad operands; the interface's
// verifier checks the declared results refine the inferred ones.
class Graph_ValueOp<string mnemonic, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits, [InferTypeOpAdaptorWithIsCompatible])>;

// Position operands: a scalar index, negative from the back.
def Graph_Position : 0DTensorOf<[I32, I64]>;

def Graph_SequenceEmptyOp : Graph_Op<"sequence_empty", [Pure]> {
  let summary = "An empty sequence (ONNX `SequenceEmpty`)";
  let results = (outs Graph_Sequence:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Graph_SequenceConstructOp : Graph_ValueOp<"sequence_construct", [Pure]> {
  let summary = "A sequence of the given tensors (ONNX `SequenceConstruct`)";
  let description = [{
    The sequence's element type is the join of the inputs' types, which must
    share their element type.
  }];
  let arguments = (ins Variadic<Graph_AnyTensor>:$inputs);
  let results = (outs Graph_Sequence:$result);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs) `->` type($result)";
}

def Graph_SequenceInsertOp : Graph_ValueOp<"sequence_insert", [Pure]> {
  let summary = "Insert a tensor into a sequence (ONNX `SequenceInsert`)";
  let description = [{
    Inserts `tensor` before `position` (at the back when absent). The
    result's element type is the join of the sequence's and the tensor's.
  }];
  let arguments = (ins Graph_Sequence:$sequence, Graph_AnyTensor:$tensor,
                       Optional<Graph_Position>:$position);
  let results = (outs Graph_Sequence:$result);
  let assemblyFormat = [{
    $sequence `,` $tensor (`at` $position^ `:` type($position))? attr-dict `:`
    type($sequence) `,` type($tensor) `->` type($result)
  }];
}

def Graph_SequenceEraseOp : Graph_ValueOp<"sequence_erase", [Pure]> {
  let summary = "Remove a tensor from a sequence (ONNX `SequenceErase`)";
  let description = "Removes the tensor at `position` (the last when absent).";
  let arguments = (ins Graph_Sequence:$sequence,
                       Optional<Graph_Position>:$position);
  let results = (outs Graph_Sequence:$result);
  let assemblyFormat = [{
    $sequence (`at` $position^ `:` type($position))? attr-dict `:`
    type($sequence) `->` type($result)
  }];
}

def Graph_SequenceAtOp : Graph_ValueOp<"sequence_at", [Pure]> {
  let summary = "The tensor at a position of a sequence (ONNX `SequenceAt`)";
  let arguments = (ins Graph_Sequence:$sequence, Graph_Position:$position);
  let results = (outs Graph_AnyTensor:$result);
  let assemblyFormat = [{
    $sequence `[` $position `]` attr-dict `:` type($sequence) `,`
    type($position) `->` type($result)
  }];
}

def Graph_SequenceLengthOp : Graph_ValueOp<"sequence_length", [Pure]> {
  let summary = "The number of tensors in a sequence (ONNX `SequenceLength`)";
  let arguments = (ins Graph_Sequence:$sequence);
  let results = (outs 0DTensorOf<[I64]>:$result);
  let assemblyFormat = "$sequence attr-dict `:` type($sequence) `->` type($result)";
}

def Graph_SequenceMapOp : Graph_Op<"sequence_map", [IsolatedFromAbove,
    RecursiveMemoryEffects, AttrSizedOperandSegments]> {
  let summary = "Apply a body to each position of sequences (ONNX `SequenceMap`)";
  let description = [{
    Runs `body` once per position of `sequence`. The body takes the tensor at
    that position of `sequence` and of each sequence in `additional` (tensors
    in `additional` are passed whole every time), then the captures; it
    yields one tensor per result, and each result is the sequence of what
    the body yielded. All sequences must be equally long.
  }];
  let arguments = (ins Graph_Sequence:$sequence,
                       Variadic<AnyTypeOf<[Graph_AnyTensor, Graph_Sequence]>>:$additional,
                       Variadic<Graph_Value>:$captures);
  let results = (outs Variadic<Graph_Sequence>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sequence (`,` $additional^)? `:` type($sequence) (`,` type($additional)^)?
    (`captures` `(` $captures^ `:` type($captures) `)`)?
    `->` type($results) `do` $body attr-dict
  }];
  let hasVerifier = 1;
}

def Graph_OptionalOp : Graph_ValueOp<"optional", [Pure]> {
  let summary = "An optional holding a value (ONNX `Optional` with an input)";
  let arguments = (ins AnyTypeOf<[Graph_AnyTensor, Graph_Sequence]>:$value);
  let results = (outs Graph_Optional:$result);
  let assemblyFormat = "$value attr-dict `:` type($value) `->` type($result)";
}

def Graph_OptionalNoneOp : Graph_Op<"optional_none", [Pure]> {
  let summary = "An empty optional (ONNX `Optional` without an input)";
  let results = (outs Graph_Optional:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Graph_OptionalGetElementOp : Graph_ValueOp<"optional_get_element", [Pure]> {
  let summary = "The value an optional holds (ONNX `OptionalGetElement`)";
  let description = "Running it on an empty optional is an error.";
  let arguments = (ins Graph_Optional:$optional);
  let results = (outs AnyTypeOf<[Graph_AnyTensor, Graph_Sequence]>:$result);
  let assemblyFormat = "$optional attr-dict `:` type($optional) `->` type($result)";
}

def Graph_OptionalHasElementOp : Graph_ValueOp<"optional_has_element", [Pure]> {
  let summary = "Whether an optional holds a value (ONNX `OptionalHasElement`)";
  let arguments = (ins Graph_Optional:$optional);
  let results = (outs 0DTensorOf<[I1]>:$result);
  let assemblyFormat = "$optional attr-dict `:` type($optional) `->` type($result)";
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHSEQUENCEOPS_TD
