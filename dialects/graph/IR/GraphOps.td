//===- GraphOps.td - Operations of the graph dialect -------*- tablegen -*-===//
//
// Part of Loom. Ops keep ONNX semantics in a normalised form; see
// GraphBase.td for the conventions every op follows.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHOPS_TD

include "dialects/graph/IR/GraphBase.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// graph.constant
//===----------------------------------------------------------------------===//

def Graph_ConstantOp : Graph_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "result"]>]> {
  let summary = "A constant tensor: a weight or a folded value";
  let description = [{
    Produces a statically shaped tensor from an elements attribute. Weights
    use `dense_resource` blobs, which MLIR neither uniques nor prints inline
    when large; small folded values may use `dense`. When a resource blob is
    present, its size must match the tensor type (one byte per `i1`).

    ```mlir
    %w = graph.constant dense_resource<fc1_weight> : tensor<128x64xf32>
    %s = graph.constant dense<[2, -1]> : tensor<2xi64>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs StaticShapeTensorOf<[Graph_Element, Graph_String]>:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

include "dialects/graph/IR/GraphControlFlowOps.td"
include "dialects/graph/IR/GraphDataOps.td"
include "dialects/graph/IR/GraphElementwiseOps.td"
include "dialects/graph/IR/GraphNNOps.td"
include "dialects/graph/IR/GraphQuantOps.td"
include "dialects/graph/IR/GraphMiscOps.td"
include "dialects/graph/IR/GraphSequenceOps.td"
include "dialects/graph/IR/GraphSignalOps.td"
include "dialects/graph/IR/GraphTextOps.td"
include "dialects/graph/IR/GraphShapeOps.td"

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHOPS_TD
