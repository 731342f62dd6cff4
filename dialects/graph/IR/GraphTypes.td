//===- GraphTypes.td - Types of the graph dialect ----------*- tablegen -*-===//
//
// Part of Loom. ONNX's non-tensor values: strings (as a tensor element
// type), sequences of tensors and optional values.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHTYPES_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHTYPES_TD

include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/BuiltinTypeInterfaces.td"

class Graph_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Graph_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Graph_StringType : Graph_Type<"String", "string"> {
  let summary = "An ONNX string, as a tensor element type";
  let description = [{
    The element type of ONNX `STRING` tensors: `tensor<2x!graph.string>`.
    Only ops that move or convert values (`graph.cast`,
    `graph.string_normalizer`, control flow, sequences) accept it.
  }];
}

def Graph_SequenceType : Graph_Type<"Sequence", "seq"> {
  let summary = "An ONNX sequence of tensors";
  let description = [{
    A value holding any number of tensors, all of the element type and
    compatible with the shape of `elementType` (which is the join of their
    types: unranked or with `?` dims where they differ).

    ```mlir
    !graph.seq<tensor<?x3xf32>>
    ```
  }];
  let parameters = (ins "::mlir::TensorType":$elementType);
  let builders = [
    TypeBuilderWithInferredContext<(ins "::mlir::TensorType":$elementType), [{
      return $_get(elementType.getContext(), elementType);
    }]>
  ];
  let assemblyFormat = "`<` $elementType `>`";
}

def Graph_OptionalType : Graph_Type<"Optional", "opt"> {
  let summary = "An ONNX optional value";
  let description = [{
    A value that holds either one value of `valueType` (a tensor or a
    sequence) or nothing.

    ```mlir
    !graph.opt<tensor<4xf32>>
    !graph.opt<!graph.seq<tensor<*xi64>>>
    ```
  }];
  let parameters = (ins "::mlir::Type":$valueType);
  let builders = [
    TypeBuilderWithInferredContext<(ins "::mlir::Type":$valueType), [{
      return $_get(valueType.getContext(), valueType);
    }]>
  ];
  let assemblyFormat = "`<` $valueType `>`";
  let genVerifyDecl = 1;
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHTYPES_TD
