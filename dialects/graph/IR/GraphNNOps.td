//===- GraphNNOps.td - Contractions, reductions, softmax ---*- tablegen -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHNNOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHNNOPS_TD

include "dialects/graph/IR/GraphBase.td"

def Graph_MatMulOp : Graph_ShapedOp<"matmul", [SameOperandsAndResultElementType]> {
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
  let shapeFn = [{
    return inferMatMulShape(getShape(op.getLhs().getType()),
                            getShape(op.getRhs().getType()), emitError);
  }];
  let elementTypeFn = Graph_SameElementAsLhs;
}

def Graph_EinsumOp : Graph_ShapedOp<"einsum", [SameOperandsAndResultElementType]> {
  let summary = "Einstein summation (ONNX `Einsum`)";
  let description = [{
    Contracts its inputs as `equation` says, e.g. "bij,bjk->bik"; "..."
    stands for broadcast dims.
  }];
  let arguments = (ins Variadic<Graph_NumericTensor>:$inputs, StrAttr:$equation);
  let results = (outs Graph_NumericTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    ::llvm::SmallVector<Shape> shapes;
    for (::mlir::Value input : op.getInputs())
      shapes.push_back(getShape(input.getType()));
    return inferEinsumShape(shapes, op.getEquation(), emitError);
  }];
  let elementTypeFn = [{
    return op.getInputs().empty()
               ? ::mlir::Type()
               : ::mlir::getElementTypeOrSelf(op.getInputs().front().getType());
  }];
}

def Graph_GemmOp : Graph_ShapedOp<"gemm", [SameOperandsAndResultElementType]> {
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
  let shapeFn = [{
    Shape c = op.getC() ? getShape(op.getC().getType()) : Shape();
    return inferGemmShape(getShape(op.getA().getType()),
                          getShape(op.getB().getType()),
                          op.getC() ? &c : nullptr, op.getTransA(),
                          op.getTransB(), emitError);
  }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getA().getType()); }];
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Graph_ReduceOp<string mnemonic, string onnx, Type type = Graph_NumericTensor>
    : Graph_ShapedOp<mnemonic, [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Reduce over axes (ONNX `" # onnx # "`)";
  let description = [{
    Reduces `input` over `axes` (non-negative, distinct); the reduced dims
    are removed, or kept with size 1 under `keep_dims`. An empty `axes`
    reduces nothing.

    Axes computed at run time come as the `computed_axes` operand instead
    (and `axes` is empty); when they turn out empty, they mean every axis,
    or none under `noop_with_empty_axes`.
  }];
  let arguments = (ins type:$input, Optional<TensorOf<[I64]>>:$computed_axes,
                       DenseI64ArrayAttr:$axes, UnitAttr:$keep_dims,
                       UnitAttr:$noop_with_empty_axes);
  let results = (outs type:$result);
  let assemblyFormat = [{
    $input (`axes` $computed_axes^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (op.getComputedAxes())
      return detail::inferComputedAxesShape(input, op.getComputedAxes(),
                                            op.getAxes(),
                                            op.getKeepDims() ? 0 : -2, emitError);
    return inferReduceShape(input, op.getAxes(), op.getKeepDims(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;  let hasCanonicalizer = 1;
}

def Graph_ReduceSumOp : Graph_ReduceOp<"reduce_sum", "ReduceSum">;
def Graph_ReduceMeanOp : Graph_ReduceOp<"reduce_mean", "ReduceMean">;
def Graph_ReduceMaxOp : Graph_ReduceOp<"reduce_max", "ReduceMax">;
def Graph_ReduceMinOp : Graph_ReduceOp<"reduce_min", "ReduceMin">;
def Graph_ReduceProdOp : Graph_ReduceOp<"reduce_prod", "ReduceProd">;
def Graph_ReduceL1Op : Graph_ReduceOp<"reduce_l1", "ReduceL1">;
def Graph_ReduceL2Op : Graph_ReduceOp<"reduce_l2", "ReduceL2">;
def Graph_ReduceLogSumOp : Graph_ReduceOp<"reduce_log_sum", "ReduceLogSum">;
def Graph_ReduceLogSumExpOp : Graph_ReduceOp<"reduce_log_sum_exp", "ReduceLogSumExp">;
def Graph_ReduceSumSquareOp : Graph_ReduceOp<"reduce_sum_square", "ReduceSumSquare">;

class Graph_ArgReduceOp<string mnemonic, string onnx>
    : Graph_ShapedOp<mnemonic> {
  let summary = "Index of the " # onnx # " along an axis (ONNX `" # onnx # "`)";
  let description = [{
    The index of the extreme element along `axis`: the first one, or the
    last under `select_last_index`. The axis is removed, or kept with size 1
    under `keep_dims`.
  }];
  let arguments = (ins Graph_NumericTensor:$input,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                       UnitAttr:$keep_dims, UnitAttr:$select_last_index);
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    int64_t axis = op.getAxis();
    return inferReduceShape(getShape(op.getInput().getType()),
                            ::llvm::ArrayRef<int64_t>(axis), op.getKeepDims(),
                            emitError);
  }];
  let elementTypeFn = Graph_I64Element;
}
def Graph_ArgMaxOp : Graph_ArgReduceOp<"arg_max", "ArgMax">;
def Graph_ArgMinOp : Graph_ArgReduceOp<"arg_min", "ArgMin">;

//===----------------------------------------------------------------------===//
// Softmax family
//===----------------------------------------------------------------------===//

class Graph_SoftmaxLikeOp<string mnemonic, string onnx>
    : Graph_ShapedOp<mnemonic, [SameOperandsAndResultElementType]> {
  let summary = "ONNX `" # onnx # "` along one axis";
  let description = [{
    Normalises along `axis` alone (ONNX opset 13 semantics; the frontend
    rewrites older opsets' flatten-to-2-D semantics into this form).
  }];
  let arguments = (ins Graph_FloatTensor:$input,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (input && (int64_t)op.getAxis() >= (int64_t)input->size())
      return emitError() << "axis " << op.getAxis() << " is out of range for "
                         << formatShape(input);
    return input;
  }];
  let elementTypeFn = Graph_SameElementAs;
}
def Graph_SoftmaxOp : Graph_SoftmaxLikeOp<"softmax", "Softmax">;
def Graph_LogSoftmaxOp : Graph_SoftmaxLikeOp<"log_softmax", "LogSoftmax">;
def Graph_HardmaxOp : Graph_SoftmaxLikeOp<"hardmax", "Hardmax">;

//===----------------------------------------------------------------------===//
// Convolution and pooling
//===----------------------------------------------------------------------===//

// Window attributes, one entry per spatial dim (pads: begins, then ends).
defvar Graph_WindowArgs = (ins DenseI64ArrayAttr:$strides,
                               DenseI64ArrayAttr:$dilations,
                               DenseI64ArrayAttr:$pads);

def Graph_ConvOp : Graph_ShapedOp<"conv", [SameOperandsAndResultElementType]> {
  let summary = "Convolution (ONNX `Conv`)";
  let description = [{
    Input `[N, C, D...]`, weight `[M, C/group, K...]`, optional bias `[M]`.
    Padding is explicit (`auto_pad` is resolved by the frontend); strides and
    dilations have one entry per spatial dim.
  }];
  let arguments = !con((ins Graph_FloatTensor:$input, Graph_FloatTensor:$weight,
                            Optional<Graph_FloatTensor>:$bias),
                       Graph_WindowArgs,
                       (ins DefaultValuedAttr<I64Attr, "1">:$group));
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    Shape bias = op.getBias() ? getShape(op.getBias().getType()) : Shape();
    return inferConvShape(getShape(op.getInput().getType()),
                          getShape(op.getWeight().getType()),
                          op.getBias() ? &bias : nullptr, Window{op.getStrides(), op.getDilations(), op.getPads()},
                          op.getGroup(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_ConvTransposeOp : Graph_ShapedOp<"conv_transpose",
    [SameOperandsAndResultElementType]> {
  let summary = "Transposed convolution (ONNX `ConvTranspose`)";
  let description = [{
    Input `[N, C, D...]`, weight `[C, M/group, K...]`, optional bias `[M]`.
    `output_padding` adds to each spatial dim's end; `output_shape` is
    resolved into pads by the frontend.
  }];
  let arguments = !con((ins Graph_FloatTensor:$input, Graph_FloatTensor:$weight,
                            Optional<Graph_FloatTensor>:$bias),
                       Graph_WindowArgs,
                       (ins DenseI64ArrayAttr:$output_padding,
                            DefaultValuedAttr<I64Attr, "1">:$group));
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    Shape bias = op.getBias() ? getShape(op.getBias().getType()) : Shape();
    return inferConvTransposeShape(getShape(op.getInput().getType()),
                                   getShape(op.getWeight().getType()),
                                   op.getBias() ? &bias : nullptr, Window{op.getStrides(), op.getDilations(), op.getPads()},
                                   op.getOutputPadding(), op.getGroup(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

class Graph_PoolOp<string mnemonic, string onnx, dag extraArgs = (ins),
                   Type type = Graph_FloatTensor>
    : Graph_ShapedOp<mnemonic, [SameOperandsAndResultElementType]> {
  let summary = "ONNX `" # onnx # "` over windows of `kernel_shape`";
  let description = [{
    Input `[N, C, D...]`. Padding is explicit; `ceil_mode` rounds the number
    of windows up.
  }];
  let arguments = !con((ins type:$input,
                            DenseI64ArrayAttr:$kernel_shape),
                       Graph_WindowArgs, (ins UnitAttr:$ceil_mode), extraArgs);
  let results = (outs type:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferPoolShape(getShape(op.getInput().getType()), op.getKernelShape(),
                          Window{op.getStrides(), op.getDilations(), op.getPads()}, op.getCeilMode(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}
// MaxPool also takes 8-bit integers (opset 12 on).
def Graph_MaxPoolOp : Graph_PoolOp<"max_pool", "MaxPool", (ins),
                                   TensorOf<[Graph_Float, I8, UI8]>>;
def Graph_MaxPoolIndicesOp : Graph_ShapedOp<"max_pool_indices"> {
  let summary = "Where each window's maximum is (ONNX `MaxPool`'s `Indices`)";
  let description = [{
    The windows of `graph.max_pool` with the same attributes; each result
    element is the flat index, into `input`, of its window's maximum (the
    first one on ties): row-major, or column-major over the spatial dims
    under `column_major` (ONNX's `storage_order = 1`).
  }];
  let arguments = !con((ins TensorOf<[Graph_Float, I8, UI8]>:$input,
                            DenseI64ArrayAttr:$kernel_shape),
                       Graph_WindowArgs,
                       (ins UnitAttr:$ceil_mode, UnitAttr:$column_major));
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferPoolShape(getShape(op.getInput().getType()), op.getKernelShape(),
                          Window{op.getStrides(), op.getDilations(), op.getPads()}, op.getCeilMode(), emitError);
  }];
  let elementTypeFn = Graph_I64Element;
}
def Graph_AveragePoolOp : Graph_PoolOp<"average_pool", "AveragePool",
    (ins UnitAttr:$count_include_pad)>;

class Graph_GlobalPoolOp<string mnemonic, string onnx>
    : Graph_ShapedOp<mnemonic, [SameOperandsAndResultElementType]> {
  let summary = "ONNX `" # onnx # "`: pool over all spatial dims";
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (!input)
      return input;
    if (input->size() < 3)
      return emitError() << "input " << formatShape(input)
                         << " must be [N, C, D...] with spatial dims";
    ::llvm::SmallVector<int64_t> result(*input);
    std::fill(result.begin() + 2, result.end(), 1);
    return Shape(std::move(result));
  }];
  let elementTypeFn = Graph_SameElementAs;
}
def Graph_GlobalAveragePoolOp : Graph_GlobalPoolOp<"global_average_pool", "GlobalAveragePool">;
def Graph_GlobalMaxPoolOp : Graph_GlobalPoolOp<"global_max_pool", "GlobalMaxPool">;

//===----------------------------------------------------------------------===//
// Normalisation
//===----------------------------------------------------------------------===//

// `input` is [N, C, D...]; every parameter is 1-D with one value per channel.
class Graph_ChannelNormOp<string mnemonic, string summaryText, dag params>
    : Graph_ShapedOp<mnemonic, [SameOperandsAndResultElementType]> {
  let summary = summaryText;
  let arguments = !con((ins Graph_FloatTensor:$input), params,
                       (ins DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon));
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (input && input->size() < 2)
      return emitError() << "input " << formatShape(input)
                         << " must be [N, C, ...]";
    int64_t channels = input ? (*input)[1] : ::mlir::ShapedType::kDynamic;
    for (::mlir::Value param : op.getOperands().drop_front()) {
      Shape shape = getShape(param.getType());
      if (shape && (shape->size() != 1 ||
                    (!::mlir::ShapedType::isDynamic((*shape)[0]) &&
                     !::mlir::ShapedType::isDynamic(channels) &&
                     (*shape)[0] != channels)))
        return emitError() << "parameter " << formatShape(shape)
                           << " must be 1-D with one value per channel ("
                           << channels << ")";
    }
    return input;
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_BatchNormOp : Graph_ChannelNormOp<"batch_norm",
    "Batch normalisation at inference (ONNX `BatchNormalization`)",
    (ins Graph_FloatTensor:$scale, Graph_FloatTensor:$bias,
         Graph_FloatTensor:$mean, Graph_FloatTensor:$variance)>;
def Graph_InstanceNormOp : Graph_ChannelNormOp<"instance_norm",
    "Instance normalisation (ONNX `InstanceNormalization`)",
    (ins Graph_FloatTensor:$scale, Graph_FloatTensor:$bias)>;

def Graph_LRNOp : Graph_ShapedOp<"lrn", [SameOperandsAndResultElementType]> {
  let summary = "Local response normalisation across channels (ONNX `LRN`)";
  let arguments = (ins Graph_FloatTensor:$input,
                       ConfinedAttr<I64Attr, [IntPositive]>:$size,
                       DefaultValuedAttr<F32Attr, "0.0001f">:$alpha,
                       DefaultValuedAttr<F32Attr, "0.75f">:$beta,
                       DefaultValuedAttr<F32Attr, "1.0f">:$bias);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{ return getShape(op.getInput().getType()); }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_LayerNormOp : Graph_Op<"layer_norm",
    [Pure, Graph_InferTensorType, AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Layer normalisation (ONNX `LayerNormalization`)";
  let description = [{
    Normalises `input` over its dims from `axis` on, then scales (and
    shifts). Also gives the mean and the inverse standard deviation, in f32,
    with the normalised dims kept as 1s.
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$scale,
                       Optional<Graph_FloatTensor>:$bias,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs Graph_FloatTensor:$result, TensorOf<[F32]>:$mean,
                      TensorOf<[F32]>:$inv_std_dev);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

// ONNX RNN, GRU and LSTM with every attribute resolved. `input` is
// [seq, batch, input] ([batch, seq, input] under `batch_first`); the results
// are the hidden states of every step, [seq, dirs, batch, hidden] ([batch,
// seq, dirs, hidden]), and the last hidden state (and, for LSTM, the last
// cell state), [dirs, batch, hidden] ([batch, dirs, hidden]).
class Graph_RecurrentOp<string mnemonic, string onnx, int gates, dag extraArgs,
                        dag resultList>
    : Graph_Op<mnemonic, [Pure, Graph_InferTensorType, AttrSizedOperandSegments]> {
  let summary = "ONNX `" # onnx # "`";
  let description = [{
    Weights `w` [dirs, }] # gates # [{ * hidden, input] and `r` [dirs, }] # gates # [{ *
    hidden, hidden], optional `bias` [dirs, }] # !mul(2, gates) # [{ * hidden].
    `direction` is forward, reverse or bidirectional; `activations` names one
    function per gate group and direction, with their alphas and betas.
  }];
  let arguments = !con((ins Graph_FloatTensor:$input, Graph_FloatTensor:$w,
                            Graph_FloatTensor:$r, Optional<Graph_FloatTensor>:$bias,
                            Optional<TensorOf<[I32]>>:$sequence_lens,
                            Optional<Graph_FloatTensor>:$initial_h),
                       extraArgs,
                       (ins ConfinedAttr<I64Attr, [IntPositive]>:$hidden_size,
                            DefaultValuedAttr<StrAttr, "\"forward\"">:$direction,
                            StrArrayAttr:$activations,
                            DenseF32ArrayAttr:$activation_alpha,
                            DenseF32ArrayAttr:$activation_beta,
                            OptionalAttr<F32Attr>:$clip, UnitAttr:$batch_first));
  let results = resultList;
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_RNNOp : Graph_RecurrentOp<"rnn", "RNN", 1, (ins),
    (outs Graph_FloatTensor:$y, Graph_FloatTensor:$y_h)>;
def Graph_GRUOp : Graph_RecurrentOp<"gru", "GRU", 3,
    (ins UnitAttr:$linear_before_reset),
    (outs Graph_FloatTensor:$y, Graph_FloatTensor:$y_h)>;
def Graph_LSTMOp : Graph_RecurrentOp<"lstm", "LSTM", 4,
    (ins Optional<Graph_FloatTensor>:$initial_c, Optional<Graph_FloatTensor>:$peepholes,
         UnitAttr:$input_forget),
    (outs Graph_FloatTensor:$y, Graph_FloatTensor:$y_h, Graph_FloatTensor:$y_c)>;

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

defvar Graph_LossArgs = (ins DefaultValuedAttr<StrAttr, "\"mean\"">:$reduction,
                             OptionalAttr<I64Attr>:$ignore_index);

def Graph_NLLLossOp : Graph_ShapedOp<"nll_loss",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Negative log-likelihood loss (ONNX `NegativeLogLikelihoodLoss`)";
  let description = [{
    `input` is `[N, C, d...]` log-probabilities, `target` `[N, d...]` class
    indices, `weight` an optional `[C]`. With `reduction` "none" the result
    is `[N, d...]`, with "sum" or "mean" a scalar. Targets equal to
    `ignore_index` contribute nothing.
  }];
  let arguments = !con((ins Graph_FloatTensor:$input, TensorOf<[I32, I64]>:$target,
                            Optional<Graph_FloatTensor>:$weight), Graph_LossArgs);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $target (`,` $weight^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    return detail::inferLossShape(getShape(op.getInput().getType()),
                                  getShape(op.getTarget().getType()),
                                  op.getWeight() ? getShape(op.getWeight().getType()) : Shape(),
                                  op.getReduction(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_SoftmaxCrossEntropyLossOp : Graph_Op<"softmax_cross_entropy_loss",
    [Pure, Graph_InferTensorType,
     AllElementTypesMatch<["scores", "loss", "log_prob"]>]> {
  let summary = "Softmax cross-entropy loss (ONNX `SoftmaxCrossEntropyLoss`)";
  let description = [{
    The NLL loss of `log_softmax(scores)` along dim 1, and that
    log-probability tensor. Shapes and attributes as for `graph.nll_loss`.
  }];
  let arguments = !con((ins Graph_FloatTensor:$scores, TensorOf<[I32, I64]>:$labels,
                            Optional<Graph_FloatTensor>:$weights), Graph_LossArgs);
  let results = (outs Graph_FloatTensor:$loss, Graph_FloatTensor:$log_prob);
  let assemblyFormat = [{
    $scores `,` $labels (`,` $weights^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHNNOPS_TD
