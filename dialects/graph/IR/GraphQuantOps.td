//===- GraphQuantOps.td - Quantized graph ops --------------*- tablegen -*-===//
//
// Part of Loom. ONNX's linear quantization: q = saturate(round(x / scale) +
// zero_point), x = (q - zero_point) * scale, per tensor or per `axis`.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHQUANTOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHQUANTOPS_TD

include "dialects/graph/IR/GraphBase.td"

def Graph_QuantTensor : TensorOf<[I8, UI8]>;
def Graph_QuantOrI32Tensor : TensorOf<[I8, UI8, I32]>;

def Graph_QuantizeOp : Graph_ShapedOp<"quantize"> {
  let summary = "Linear quantization (ONNX `QuantizeLinear`)";
  let description = [{
    Per tensor when `scale` is a scalar, else along `axis`. The result has
    the zero point's element type.
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Graph_QuantTensor:$zero_point,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "1">:$axis);
  let results = (outs Graph_QuantTensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $zero_point attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return detail::inferQuantizeShape(getShape(op.getInput().getType()),
                                      getShape(op.getScale().getType()),
                                      op.getAxis(), emitError);
  }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getZeroPoint().getType()); }];
}

def Graph_DequantizeOp : Graph_ShapedOp<"dequantize"> {
  let summary = "Linear dequantization (ONNX `DequantizeLinear`)";
  let description = [{
    Per tensor when `scale` is a scalar, else along `axis`. The result has
    the scale's element type.
  }];
  let arguments = (ins Graph_QuantOrI32Tensor:$input, Graph_FloatTensor:$scale,
                       Optional<Graph_QuantOrI32Tensor>:$zero_point,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "1">:$axis);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scale (`,` $zero_point^)? attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return detail::inferQuantizeShape(getShape(op.getInput().getType()),
                                      getShape(op.getScale().getType()),
                                      op.getAxis(), emitError);
  }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getScale().getType()); }];
}

def Graph_DynamicQuantizeOp : Graph_Op<"dynamic_quantize",
    [Pure, Graph_InferTensorType]> {
  let summary = "Quantize to uint8 with a computed scale (ONNX `DynamicQuantizeLinear`)";
  let description = [{
    The scale and zero point cover the input's range (widened to include 0);
    gives the quantized tensor, the scale and the zero point.
  }];
  let arguments = (ins TensorOf<[F32]>:$input);
  let results = (outs TensorOf<[UI8]>:$result, 0DTensorOf<[F32]>:$scale,
                      0DTensorOf<[UI8]>:$zero_point);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Graph_MatMulIntegerOp : Graph_ShapedOp<"matmul_integer",
    [AttrSizedOperandSegments]> {
  let summary = "Integer matrix product into i32 (ONNX `MatMulInteger`)";
  let arguments = (ins Graph_QuantTensor:$lhs, Graph_QuantTensor:$rhs,
                       Optional<Graph_QuantTensor>:$lhs_zero_point,
                       Optional<Graph_QuantTensor>:$rhs_zero_point);
  let results = (outs TensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`zero_points` `(` $lhs_zero_point^ `)`)? (`rhs_zero_point` `(` $rhs_zero_point^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    return inferMatMulShape(getShape(op.getLhs().getType()),
                            getShape(op.getRhs().getType()), emitError);
  }];
  let elementTypeFn = [{ return ::mlir::IntegerType::get(op.getLhs().getContext(), 32); }];
}

def Graph_QLinearMatMulOp : Graph_ShapedOp<"qlinear_matmul"> {
  let summary = "Quantized matrix product (ONNX `QLinearMatMul`)";
  let arguments = (ins Graph_QuantTensor:$lhs, Graph_FloatTensor:$lhs_scale,
                       Graph_QuantTensor:$lhs_zero_point,
                       Graph_QuantTensor:$rhs, Graph_FloatTensor:$rhs_scale,
                       Graph_QuantTensor:$rhs_zero_point,
                       Graph_FloatTensor:$result_scale,
                       Graph_QuantTensor:$result_zero_point);
  let results = (outs Graph_QuantTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferMatMulShape(getShape(op.getLhs().getType()),
                            getShape(op.getRhs().getType()), emitError);
  }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getResultZeroPoint().getType()); }];
}

def Graph_ConvIntegerOp : Graph_ShapedOp<"conv_integer", [AttrSizedOperandSegments]> {
  let summary = "Integer convolution into i32 (ONNX `ConvInteger`)";
  let arguments = (ins Graph_QuantTensor:$input, Graph_QuantTensor:$weight,
                       Optional<Graph_QuantTensor>:$input_zero_point,
                       Optional<Graph_QuantTensor>:$weight_zero_point,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs TensorOf<[I32]>:$result);
  let assemblyFormat = [{
    $input `,` $weight (`zero_points` `(` $input_zero_point^ `)`)? (`weight_zero_point` `(` $weight_zero_point^ `)`)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    return inferConvShape(getShape(op.getInput().getType()),
                          getShape(op.getWeight().getType()), nullptr,
                          Window{op.getStrides(), op.getDilations(), op.getPads()},
                          op.getGroup(), emitError);
  }];
  let elementTypeFn = [{ return ::mlir::IntegerType::get(op.getInput().getContext(), 32); }];
}

def Graph_QLinearConvOp : Graph_ShapedOp<"qlinear_conv"> {
  let summary = "Quantized convolution (ONNX `QLinearConv`)";
  let arguments = (ins Graph_QuantTensor:$input, Graph_FloatTensor:$input_scale,
                       Graph_QuantTensor:$input_zero_point,
                       Graph_QuantTensor:$weight, Graph_FloatTensor:$weight_scale,
                       Graph_QuantTensor:$weight_zero_point,
                       Graph_FloatTensor:$result_scale,
                       Graph_QuantTensor:$result_zero_point,
                       Optional<TensorOf<[I32]>>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs Graph_QuantTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferConvShape(getShape(op.getInput().getType()),
                          getShape(op.getWeight().getType()), nullptr,
                          Window{op.getStrides(), op.getDilations(), op.getPads()},
                          op.getGroup(), emitError);
  }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getResultZeroPoint().getType()); }];
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHQUANTOPS_TD
