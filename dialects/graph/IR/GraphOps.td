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
  let results = (outs Graph_StaticTensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

// Binary elementwise ops with ONNX (numpy) multidirectional broadcasting.
class Graph_BroadcastBinaryOp<string mnemonic, list<Trait> traits = []>
    : Graph_Op<mnemonic, !listconcat(traits, [Pure, Graph_InferTensorType,
                                              SameOperandsAndResultElementType])> {
  let arguments = (ins Graph_NumericTensor:$lhs, Graph_NumericTensor:$rhs);
  let results = (outs Graph_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasVerifier = 1;
}

def Graph_AddOp : Graph_BroadcastBinaryOp<"add", [Commutative]> {
  let summary = "Elementwise addition with broadcasting";
  let description = [{
    `result = lhs + rhs` elementwise, after numpy broadcasting of both
    operands to a common shape (ONNX `Add`). Integer addition wraps.

    ```mlir
    %y = graph.add %x, %b : (tensor<?x4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
    ```
  }];
}

def Graph_MulOp : Graph_BroadcastBinaryOp<"mul", [Commutative]> {
  let summary = "Elementwise multiplication with broadcasting";
  let description = [{
    `result = lhs * rhs` elementwise, after numpy broadcasting of both
    operands to a common shape (ONNX `Mul`). Integer multiplication wraps.
  }];
}

def Graph_ReluOp : Graph_Op<"relu",
    [Pure, Graph_InferTensorType, SameOperandsAndResultElementType]> {
  let summary = "Rectified linear unit";
  let description = [{
    `result = max(input, 0)` elementwise (ONNX `Relu`). NaN stays NaN.

    ```mlir
    %y = graph.relu %x : (tensor<?x4xf32>) -> tensor<?x4xf32>
    ```
  }];
  let arguments = (ins Graph_SignedTensor:$input);
  let results = (outs Graph_SignedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Graph_MatMulOp : Graph_Op<"matmul",
    [Pure, Graph_InferTensorType, SameOperandsAndResultElementType]> {
  let summary = "Batched matrix product with numpy semantics";
  let description = [{
    The matrix product of `lhs` and `rhs` as numpy's `matmul` (ONNX `MatMul`):
    operands of rank >= 2 are stacks of matrices whose leading (batch) dims
    broadcast; a 1-D `lhs` is a row vector and a 1-D `rhs` a column vector,
    and the dim added for them is removed from the result.

    ```mlir
    %y = graph.matmul %a, %b : (tensor<8x?x64xf32>, tensor<64x32xf32>) -> tensor<8x?x32xf32>
    ```
  }];
  let arguments = (ins Graph_NumericTensor:$lhs, Graph_NumericTensor:$rhs);
  let results = (outs Graph_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_GemmOp : Graph_Op<"gemm",
    [Pure, Graph_InferTensorType, SameOperandsAndResultElementType]> {
  let summary = "General matrix multiply: alpha * op(a) * op(b) + beta * c";
  let description = [{
    ONNX `Gemm` with every attribute explicit: `op(x)` is `x` transposed when
    `trans_a`/`trans_b` is set. `a` and `b` are matrices; `c` is optional and
    broadcasts unidirectionally to the `[M, N]` result.

    ```mlir
    %y = graph.gemm %x, %w, %b {trans_b} : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
    ```

    A gemm without `c`, transposes or scaling canonicalizes to
    `graph.matmul`.
  }];
  let arguments = (ins Graph_NumericTensor:$a, Graph_NumericTensor:$b,
                       Optional<Graph_NumericTensor>:$c,
                       UnitAttr:$trans_a, UnitAttr:$trans_b,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0f">:$beta);
  let results = (outs Graph_NumericTensor:$result);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape manipulation
//===----------------------------------------------------------------------===//

def Graph_ReshapeOp : Graph_Op<"reshape",
    [Pure, Graph_InferTensorType, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Reshape a tensor to the dims a shape tensor gives";
  let description = [{
    ONNX `Reshape`: the result has the elements of `input` in row-major order
    and the dims given by the 1-D `shape` operand. In `shape`, `-1` (at most
    one) stands for the dim that keeps the element count, and `0` copies the
    input's dim at the same index, unless `allow_zero` is set, in which case
    `0` is a zero-sized dim (and `-1` may not appear beside it).

    When `shape` is a constant, the result type is inferred from its values;
    otherwise only the result's rank is.

    ```mlir
    %s = graph.constant dense<[0, -1]> : tensor<2xi64>
    %y = graph.reshape %x, %s : (tensor<?x4x8xf32>, tensor<2xi64>) -> tensor<?x32xf32>
    ```
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_ShapeTensor:$shape,
                       UnitAttr:$allow_zero);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $shape attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let hasVerifier = 1;
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHOPS_TD
