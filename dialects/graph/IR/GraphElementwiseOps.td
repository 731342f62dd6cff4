//===- GraphElementwiseOps.td - Elementwise graph ops ------*- tablegen -*-===//
//
// Part of Loom. Unary and broadcasting binary/ternary elementwise ops, with
// ONNX semantics.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHELEMENTWISEOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHELEMENTWISEOPS_TD

include "dialects/graph/IR/GraphBase.td"


//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

// `result = f(input)` elementwise; `extraArgs` are f's attributes.
class Graph_UnaryOp<string mnemonic, Type type, string summaryText,
                    dag extraArgs = (ins), list<Trait> traits = []>
    : Graph_ShapedOp<mnemonic,
                     !listconcat(traits, [SameOperandsAndResultElementType])> {
  let summary = summaryText;
  let arguments = !con((ins type:$input), extraArgs);
  let results = (outs type:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{ return getShape(op.getInput().getType()); }];
  let elementTypeFn = Graph_SameElementAs;
}

class Graph_FloatUnaryOp<string mnemonic, string onnx>
    : Graph_UnaryOp<mnemonic, Graph_FloatTensor, "ONNX `" # onnx # "`">;

def Graph_AbsOp : Graph_UnaryOp<"abs", Graph_NumericTensor, "Absolute value (ONNX `Abs`)">;
def Graph_NegOp : Graph_UnaryOp<"neg", Graph_SignedTensor, "Negation (ONNX `Neg`)">;
def Graph_SignOp : Graph_UnaryOp<"sign", Graph_NumericTensor, "-1, 0 or 1 by sign (ONNX `Sign`)">;
def Graph_ReluOp : Graph_UnaryOp<"relu", Graph_SignedTensor,
                                 "Rectified linear unit, max(x, 0) (ONNX `Relu`)"> {
  let hasFolder = 1;
}
def Graph_NotOp : Graph_UnaryOp<"not", Graph_BoolTensor, "Logical not (ONNX `Not`)">;

def Graph_AcosOp : Graph_FloatUnaryOp<"acos", "Acos">;
def Graph_AcoshOp : Graph_FloatUnaryOp<"acosh", "Acosh">;
def Graph_AsinOp : Graph_FloatUnaryOp<"asin", "Asin">;
def Graph_AsinhOp : Graph_FloatUnaryOp<"asinh", "Asinh">;
def Graph_AtanOp : Graph_FloatUnaryOp<"atan", "Atan">;
def Graph_AtanhOp : Graph_FloatUnaryOp<"atanh", "Atanh">;
def Graph_CeilOp : Graph_FloatUnaryOp<"ceil", "Ceil">;
def Graph_CosOp : Graph_FloatUnaryOp<"cos", "Cos">;
def Graph_CoshOp : Graph_FloatUnaryOp<"cosh", "Cosh">;
def Graph_ErfOp : Graph_FloatUnaryOp<"erf", "Erf">;
def Graph_ExpOp : Graph_FloatUnaryOp<"exp", "Exp">;
def Graph_FloorOp : Graph_FloatUnaryOp<"floor", "Floor">;
def Graph_HardSwishOp : Graph_FloatUnaryOp<"hard_swish", "HardSwish">;
def Graph_LogOp : Graph_FloatUnaryOp<"log", "Log">;
def Graph_ReciprocalOp : Graph_FloatUnaryOp<"reciprocal", "Reciprocal">;
def Graph_RoundOp : Graph_FloatUnaryOp<"round", "Round (half to even)">;
def Graph_SigmoidOp : Graph_FloatUnaryOp<"sigmoid", "Sigmoid">;
def Graph_SinOp : Graph_FloatUnaryOp<"sin", "Sin">;
def Graph_SinhOp : Graph_FloatUnaryOp<"sinh", "Sinh">;
def Graph_SoftplusOp : Graph_FloatUnaryOp<"softplus", "Softplus">;
def Graph_SoftsignOp : Graph_FloatUnaryOp<"softsign", "Softsign">;
def Graph_SqrtOp : Graph_FloatUnaryOp<"sqrt", "Sqrt">;
def Graph_TanOp : Graph_FloatUnaryOp<"tan", "Tan">;
def Graph_TanhOp : Graph_FloatUnaryOp<"tanh", "Tanh">;

// Activations with parameters (their ONNX defaults are the ops' defaults).
def Graph_EluOp : Graph_UnaryOp<"elu", Graph_FloatTensor, "ONNX `Elu`",
    (ins DefaultValuedAttr<F32Attr, "1.0f">:$alpha)>;
def Graph_CeluOp : Graph_UnaryOp<"celu", Graph_FloatTensor, "ONNX `Celu`",
    (ins DefaultValuedAttr<F32Attr, "1.0f">:$alpha)>;
def Graph_LeakyReluOp : Graph_UnaryOp<"leaky_relu", Graph_FloatTensor,
    "ONNX `LeakyRelu`", (ins DefaultValuedAttr<F32Attr, "0.01f">:$alpha)>;
def Graph_ThresholdedReluOp : Graph_UnaryOp<"thresholded_relu",
    Graph_FloatTensor, "ONNX `ThresholdedRelu`",
    (ins DefaultValuedAttr<F32Attr, "1.0f">:$alpha)>;
def Graph_SeluOp : Graph_UnaryOp<"selu", Graph_FloatTensor, "ONNX `Selu`",
    (ins DefaultValuedAttr<F32Attr, "1.67326319217681884765625f">:$alpha,
         DefaultValuedAttr<F32Attr, "1.05070102214813232421875f">:$gamma)>;
def Graph_HardSigmoidOp : Graph_UnaryOp<"hard_sigmoid", Graph_FloatTensor,
    "ONNX `HardSigmoid`", (ins DefaultValuedAttr<F32Attr, "0.2f">:$alpha,
                               DefaultValuedAttr<F32Attr, "0.5f">:$beta)>;
def Graph_ShrinkOp : Graph_UnaryOp<"shrink", Graph_NumericTensor,
    "ONNX `Shrink`", (ins DefaultValuedAttr<F32Attr, "0.0f">:$bias,
                          DefaultValuedAttr<F32Attr, "0.5f">:$lambd)>;

// Predicates: a bool tensor of the input's shape.
class Graph_PredicateOp<string mnemonic, string summaryText, dag extraArgs = (ins)>
    : Graph_ShapedOp<mnemonic> {
  let summary = summaryText;
  let arguments = !con((ins Graph_FloatTensor:$input), extraArgs);
  let results = (outs Graph_BoolTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{ return getShape(op.getInput().getType()); }];
  let elementTypeFn = Graph_BoolElement;
}
def Graph_IsNaNOp : Graph_PredicateOp<"is_nan", "ONNX `IsNaN`">;
def Graph_IsInfOp : Graph_PredicateOp<"is_inf", "ONNX `IsInf`",
    (ins DefaultValuedAttr<BoolAttr, "true">:$detect_negative,
         DefaultValuedAttr<BoolAttr, "true">:$detect_positive)>;

def Graph_CastOp : Graph_ShapedOp<"cast"> {
  let summary = "Convert elements to another type (ONNX `Cast`, `CastLike`)";
  let hasFolder = 1;
  let description = [{
    Converts every element to `to`, as ONNX `Cast` does: float to integer
    truncates toward zero, anything to bool is `x != 0`. Strings convert
    to and from numbers as ONNX specifies (decimal text; `"INF"`, `"NaN"`).
  }];
  let arguments = (ins Graph_AnyTensor:$input,
                       TypeAttrOf<AnyTypeOf<[Graph_Element, Graph_String]>>:$to);
  let results = (outs Graph_AnyTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{ return getShape(op.getInput().getType()); }];
  let elementTypeFn = [{ return op.getTo(); }];
}

def Graph_ClipOp : Graph_ShapedOp<"clip",
    [SameOperandsElementType, AttrSizedOperandSegments]> {
  let summary = "Clamp to [min, max] (ONNX `Clip`)";
  let description = [{
    `min(max(input, min), max)`; an absent bound does not clamp. Bounds are
    scalar tensors.
  }];
  let arguments = (ins Graph_NumericTensor:$input,
                       Optional<Graph_NumericTensor>:$min,
                       Optional<Graph_NumericTensor>:$max);
  let results = (outs Graph_NumericTensor:$result);
  let assemblyFormat = [{
    $input (`min` $min^)? (`max` $max^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    for (::mlir::Value bound : {op.getMin(), op.getMax()})
      if (bound && getShape(bound.getType()) && !getShape(bound.getType())->empty())
        return emitError() << "bounds must be scalars, got " << bound.getType();
    return getShape(op.getInput().getType());
  }];
  let elementTypeFn = Graph_SameElementAs;
}

//===----------------------------------------------------------------------===//
// Binary and ternary, with numpy broadcasting
//===----------------------------------------------------------------------===//

class Graph_BinaryOp<string mnemonic, Type operandType, Type resultType,
                     string summaryText, list<Trait> traits = []>
    : Graph_ShapedOp<mnemonic, traits> {
  let summary = summaryText;
  let description = [{
    Elementwise after numpy (multidirectional) broadcasting of both operands.
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs resultType:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    return inferBroadcastShape(getShape(op.getLhs().getType()),
                               getShape(op.getRhs().getType()), emitError);
  }];
  let elementTypeFn = Graph_SameElementAsLhs;
}

class Graph_ArithOp<string mnemonic, string summaryText, list<Trait> traits = []>
    : Graph_BinaryOp<mnemonic, Graph_NumericTensor, Graph_NumericTensor,
                     summaryText,
                     !listconcat(traits, [SameOperandsAndResultElementType])>;

def Graph_AddOp : Graph_ArithOp<"add", "lhs + rhs (ONNX `Add`, `Sum`)", [Commutative]> {
  let hasFolder = 1;
}
def Graph_SubOp : Graph_ArithOp<"sub", "lhs - rhs (ONNX `Sub`)"> {
  let hasFolder = 1;
}
def Graph_MulOp : Graph_ArithOp<"mul", "lhs * rhs (ONNX `Mul`)", [Commutative]> {
  let hasFolder = 1;
}
def Graph_DivOp : Graph_ArithOp<"div", "lhs / rhs; integers truncate (ONNX `Div`)"> {
  let hasFolder = 1;
}
def Graph_MaxOp : Graph_ArithOp<"max", "max(lhs, rhs), NaN-propagating (ONNX `Max`)", [Commutative]>;
def Graph_MinOp : Graph_ArithOp<"min", "min(lhs, rhs), NaN-propagating (ONNX `Min`)", [Commutative]>;
def Graph_ModOp : Graph_ArithOp<"mod", "Remainder (ONNX `Mod`)"> {
  let description = [{
    The remainder of `lhs / rhs`, with the sign of `rhs` (Python's `%`), or
    with the sign of `lhs` (C's `fmod`) when `fmod` is set; floats need
    `fmod`.
  }];
  let arguments = (ins Graph_NumericTensor:$lhs, Graph_NumericTensor:$rhs,
                       UnitAttr:$fmod);
}
def Graph_PowOp : Graph_BinaryOp<"pow", Graph_NumericTensor,
                                 Graph_NumericTensor,
                                 "lhs ** rhs; rhs may have another type (ONNX `Pow`)">;
def Graph_ShiftLeftOp : Graph_ArithOp<"shift_left", "lhs << rhs (ONNX `BitShift` LEFT)"> {
  let arguments = (ins Graph_UnsignedTensor:$lhs, Graph_UnsignedTensor:$rhs);
  let results = (outs Graph_UnsignedTensor:$result);
}
def Graph_ShiftRightOp : Graph_ArithOp<"shift_right", "lhs >> rhs (ONNX `BitShift` RIGHT)"> {
  let arguments = (ins Graph_UnsignedTensor:$lhs, Graph_UnsignedTensor:$rhs);
  let results = (outs Graph_UnsignedTensor:$result);
}
def Graph_PReluOp : Graph_ArithOp<"prelu", "x < 0 ? slope * x : x (ONNX `PRelu`)">;

class Graph_LogicalOp<string mnemonic, string summaryText>
    : Graph_BinaryOp<mnemonic, Graph_BoolTensor, Graph_BoolTensor, summaryText,
                     [Commutative, SameOperandsAndResultElementType]>;
def Graph_AndOp : Graph_LogicalOp<"and", "Logical and (ONNX `And`)">;
def Graph_OrOp : Graph_LogicalOp<"or", "Logical or (ONNX `Or`)">;
def Graph_XorOp : Graph_LogicalOp<"xor", "Logical xor (ONNX `Xor`)">;

class Graph_CompareOp<string mnemonic, Type operandType, string summaryText,
                      list<Trait> traits = []>
    : Graph_BinaryOp<mnemonic, operandType, Graph_BoolTensor, summaryText,
                     !listconcat(traits, [SameOperandsElementType])> {
  let elementTypeFn = Graph_BoolElement;
  let hasFolder = 1;
}
def Graph_EqualOp : Graph_CompareOp<"equal", Graph_Tensor, "lhs == rhs (ONNX `Equal`)", [Commutative]>;
def Graph_LessOp : Graph_CompareOp<"less", Graph_NumericTensor, "lhs < rhs (ONNX `Less`)">;
def Graph_LessEqualOp : Graph_CompareOp<"less_equal", Graph_NumericTensor, "lhs <= rhs (ONNX `LessOrEqual`)">;
def Graph_GreaterOp : Graph_CompareOp<"greater", Graph_NumericTensor, "lhs > rhs (ONNX `Greater`)">;
def Graph_GreaterEqualOp : Graph_CompareOp<"greater_equal", Graph_NumericTensor, "lhs >= rhs (ONNX `GreaterOrEqual`)">;

def Graph_WhereOp : Graph_ShapedOp<"where",
    [AllElementTypesMatch<["true_value", "false_value", "result"]>]> {
  let summary = "Select by a condition (ONNX `Where`)";
  let description = [{
    `condition ? true_value : false_value` elementwise, after numpy
    broadcasting of all three operands.
  }];
  let arguments = (ins Graph_BoolTensor:$condition, Graph_Tensor:$true_value,
                       Graph_Tensor:$false_value);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $true_value `,` $false_value attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    auto partial = inferBroadcastShape(getShape(op.getCondition().getType()),
                                       getShape(op.getTrueValue().getType()),
                                       emitError);
    if (::mlir::failed(partial))
      return ::mlir::failure();
    return inferBroadcastShape(*partial, getShape(op.getFalseValue().getType()),
                               emitError);
  }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getTrueValue().getType()); }];
  let hasFolder = 1;
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHELEMENTWISEOPS_TD
