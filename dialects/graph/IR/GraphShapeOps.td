//===- GraphShapeOps.td - Shape manipulation graph ops -----*- tablegen -*-===//
//
// Part of Loom. Axes are normalised: non-negative, and resolved against the
// input's rank by the frontend.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHSHAPEOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHSHAPEOPS_TD

include "dialects/graph/IR/GraphBase.td"

def Graph_ReshapeOp : Graph_ShapedOp<"reshape",
    [AllElementTypesMatch<["input", "result"]>]> {
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
  let shapeFn = [{ return detail::inferReshape(op, emitError); }];
  let elementTypeFn = Graph_SameElementAs;
  let extraVerify = [{
    if (::mlir::failed(::loom::graph::detail::verifyElementCounts(getOperation())))
      return ::mlir::failure();
  }];
}

def Graph_TransposeOp : Graph_ShapedOp<"transpose",
    [SameOperandsAndResultElementType]> {
  let summary = "Permute dims (ONNX `Transpose`)";
  let hasFolder = 1;
  let description = [{
    Result dim `i` is input dim `perm[i]`; `perm` is a permutation of the
    input's dims.
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferTransposeShape(getShape(op.getInput().getType()), op.getPerm(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_SqueezeOp : Graph_ShapedOp<"squeeze",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Remove size-1 dims (ONNX `Squeeze`)";
  let hasFolder = 1;
  let description = [{
    Removes the dims listed in `axes` (sorted, distinct), which must have
    size 1. Axes computed at run time come as the `computed_axes` operand
    instead (and `axes` is empty); then only the result's rank may be known.
  }];
  let arguments = (ins Graph_Tensor:$input,
                       Optional<TensorOf<[I64]>>:$computed_axes,
                       DenseI64ArrayAttr:$axes);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input (`axes` $computed_axes^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (op.getComputedAxes())
      return detail::inferComputedAxesShape(input, op.getComputedAxes(),
                                            op.getAxes(), -1, emitError);
    return inferSqueezeShape(input, op.getAxes(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_UnsqueezeOp : Graph_ShapedOp<"unsqueeze",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Insert size-1 dims (ONNX `Unsqueeze`)";
  let hasFolder = 1;
  let description = [{
    Inserts a size-1 dim at each of `axes` (sorted, distinct), which index
    the result's dims. Axes computed at run time come as the `computed_axes`
    operand instead (and `axes` is empty).
  }];
  let arguments = (ins Graph_Tensor:$input,
                       Optional<TensorOf<[I64]>>:$computed_axes,
                       DenseI64ArrayAttr:$axes);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input (`axes` $computed_axes^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (op.getComputedAxes())
      return detail::inferComputedAxesShape(input, op.getComputedAxes(),
                                            op.getAxes(), 1, emitError);
    return inferUnsqueezeShape(input, op.getAxes(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_FlattenOp : Graph_ShapedOp<"flatten",
    [SameOperandsAndResultElementType]> {
  let summary = "Collapse to a matrix at an axis (ONNX `Flatten`)";
  let description = [{
    The result is 2-D: dims before `axis` collapse into the first, the rest
    into the second.
  }];
  let arguments = (ins Graph_Tensor:$input,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferFlattenShape(getShape(op.getInput().getType()), op.getAxis(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_ConcatOp : Graph_ShapedOp<"concat",
    [SameOperandsAndResultElementType]> {
  let summary = "Join tensors along an axis (ONNX `Concat`)";
  let hasFolder = 1;
  let arguments = (ins Variadic<Graph_Tensor>:$inputs,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    if (op.getInputs().empty())
      return emitError() << "needs at least one input";
    ::llvm::SmallVector<Shape> shapes;
    for (::mlir::Value input : op.getInputs())
      shapes.push_back(getShape(input.getType()));
    return inferConcatShape(shapes, op.getAxis(), emitError);
  }];
  // SameOperandsAndResultElementType requires at least one input.
  let elementTypeFn = [{
    return op.getInputs().empty()
               ? ::mlir::Type()
               : ::mlir::getElementTypeOrSelf(op.getInputs().front().getType());
  }];
}

def Graph_ShapeOp : Graph_ShapedOp<"shape"> {
  let summary = "The dims of a tensor as a 1-D i64 tensor (ONNX `Shape`)";
  let hasFolder = 1;
  let description = [{
    Dims `start` (inclusive) to `end` (exclusive; the rank when absent) of
    the input's shape.
  }];
  let arguments = (ins Graph_Tensor:$input,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "0">:$start,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$end);
  let results = (outs Graph_ShapeTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    int64_t start = op.getStart();
    std::optional<int64_t> end;
    if (op.getEnd())
      end = *op.getEnd();
    else if (input)
      end = input->size();
    if ((end && start > *end) || (input && end && *end > (int64_t)input->size()))
      return emitError() << "dims [" << start << ", " << (end ? *end : -1)
                         << ") are not a range of the input " << formatShape(input);
    return Shape(::llvm::SmallVector<int64_t>{end ? *end - start : ::mlir::ShapedType::kDynamic});
  }];
  let elementTypeFn = Graph_I64Element;
}

def Graph_SizeOp : Graph_ShapedOp<"size"> {
  let summary = "The element count of a tensor, as an i64 scalar (ONNX `Size`)";
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs 0DTensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{ return Shape(::llvm::SmallVector<int64_t>()); }];
  let elementTypeFn = Graph_I64Element;
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHSHAPEOPS_TD
