//===- GraphMiscOps.td - Detection, signal, random and other ops -*- tablegen -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHMISCOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHMISCOPS_TD

include "dialects/graph/IR/GraphBase.td"

defvar Graph_Dyn = "::mlir::ShapedType::kDynamic";

def Graph_NonMaxSuppressionOp : Graph_ShapedOp<"non_max_suppression",
    [AttrSizedOperandSegments]> {
  let summary = "Select boxes by non-maximum suppression (ONNX `NonMaxSuppression`)";
  let description = [{
    `boxes` [N, B, 4], `scores` [N, C, B]; gives the selected
    [batch, class, box] index triples, one row each.
  }];
  let arguments = (ins TensorOf<[F32]>:$boxes, TensorOf<[F32]>:$scores,
                       Optional<TensorOf<[I64]>>:$max_output_boxes_per_class,
                       Optional<TensorOf<[F32]>>:$iou_threshold,
                       Optional<TensorOf<[F32]>>:$score_threshold,
                       UnitAttr:$center_point_box);
  let results = (outs TensorOf<[I64]>:$result);
  let assemblyFormat = [{
    $boxes `,` $scores (`max` $max_output_boxes_per_class^)? (`iou` $iou_threshold^)?
    (`score` $score_threshold^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    Shape boxes = getShape(op.getBoxes().getType());
    Shape scores = getShape(op.getScores().getType());
    if ((boxes && (boxes->size() != 3 || ((*boxes)[2] != 4 && !::mlir::ShapedType::isDynamic((*boxes)[2])))) ||
        (scores && scores->size() != 3))
      return emitError() << "boxes " << formatShape(boxes) << " and scores "
                         << formatShape(scores) << " must be [N, B, 4] and [N, C, B]";
    return Shape(::llvm::SmallVector<int64_t>{::mlir::ShapedType::kDynamic, 3});
  }];
  let elementTypeFn = Graph_I64Element;
}

def Graph_GridSampleOp : Graph_ShapedOp<"grid_sample", [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Sample an image at grid points (ONNX `GridSample`)";
  let description = [{
    `input` [N, C, H, W], `grid` [N, Ho, Wo, 2] of normalised (x, y)
    coordinates; gives [N, C, Ho, Wo]. `mode` is bilinear, nearest or
    bicubic; `padding_mode` zeros, border or reflection.
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_FloatTensor:$grid,
                       DefaultValuedAttr<StrAttr, "\"bilinear\"">:$mode,
                       DefaultValuedAttr<StrAttr, "\"zeros\"">:$padding_mode,
                       UnitAttr:$align_corners);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input `,` $grid attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    if (!::llvm::is_contained({"bilinear", "nearest", "bicubic"}, op.getMode()) ||
        !::llvm::is_contained({"zeros", "border", "reflection"}, op.getPaddingMode()))
      return emitError() << "unknown mode '" << op.getMode() << "' or padding_mode '"
                         << op.getPaddingMode() << "'";
    Shape input = getShape(op.getInput().getType());
    Shape grid = getShape(op.getGrid().getType());
    if ((input && input->size() != 4) || (grid && grid->size() != 4))
      return emitError() << "input " << formatShape(input) << " and grid "
                         << formatShape(grid) << " must be [N, C, H, W] and [N, Ho, Wo, 2]";
    int64_t d = ::mlir::ShapedType::kDynamic;
    return Shape(::llvm::SmallVector<int64_t>{input ? (*input)[0] : d, input ? (*input)[1] : d,
                                               grid ? (*grid)[1] : d, grid ? (*grid)[2] : d});
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_WindowOp : Graph_ShapedOp<"window"> {
  let summary = "A signal window (ONNX `HannWindow`, `HammingWindow`, `BlackmanWindow`)";
  let description = [{
    A 1-D window of `size` samples of kind hann, hamming or blackman,
    periodic or symmetric, of element type `dtype`.
  }];
  let arguments = (ins 0DTensorOf<[I32, I64]>:$size, StrAttr:$kind,
                       DefaultValuedAttr<BoolAttr, "true">:$periodic,
                       TypeAttrOf<Graph_Element>:$dtype);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$size attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    if (!::llvm::is_contained({"hann", "hamming", "blackman"}, op.getKind()))
      return emitError() << "kind must be hann, hamming or blackman, got '" << op.getKind() << "'";
    auto size = detail::getConstantInts(op.getSize());
    return Shape(::llvm::SmallVector<int64_t>{size ? (*size)[0] : ::mlir::ShapedType::kDynamic});
  }];
  let elementTypeFn = [{ return op.getDtype(); }];
}

def Graph_UniqueOp : Graph_Op<"unique", [Pure, Graph_InferTensorType]> {
  let summary = "Unique elements or slices (ONNX `Unique`)";
  let description = [{
    The unique elements (or slices along `axis`), sorted under `sorted`,
    with the index of each one's first occurrence, the inverse indices and
    the counts.
  }];
  let arguments = (ins Graph_Tensor:$input,
                       OptionalAttr<ConfinedAttr<I64Attr, [IntNonNegative]>>:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Graph_Tensor:$unique, TensorOf<[I64]>:$indices,
                      TensorOf<[I64]>:$inverse_indices, TensorOf<[I64]>:$counts);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Graph_ReverseSequenceOp : Graph_ShapedOp<"reverse_sequence",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Reverse each batch entry's prefix (ONNX `ReverseSequence`)";
  let arguments = (ins Graph_Tensor:$input, TensorOf<[I64]>:$sequence_lens,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$batch_axis,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$time_axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input `,` $sequence_lens attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (op.getBatchAxis() > 1 || op.getTimeAxis() > 1 || op.getBatchAxis() == op.getTimeAxis())
      return emitError() << "batch_axis and time_axis must be 0 and 1 in some order";
    if (input && input->size() < 2)
      return emitError() << "input " << formatShape(input) << " must have rank >= 2";
    return input;
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_DetOp : Graph_ShapedOp<"det", [SameOperandsAndResultElementType]> {
  let summary = "Determinants of square matrices (ONNX `Det`)";
  let arguments = (ins Graph_FloatTensor:$input);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (!input)
      return input;
    if (input->size() < 2)
      return emitError() << "input " << formatShape(input) << " must be [..., M, M]";
    int64_t m = (*input)[input->size() - 1], n = (*input)[input->size() - 2];
    if (!::mlir::ShapedType::isDynamic(m) && !::mlir::ShapedType::isDynamic(n) && m != n)
      return emitError() << "matrices of " << formatShape(input) << " are not square";
    return Shape(::llvm::SmallVector<int64_t>(input->begin(), input->end() - 2));
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_MeanVarianceNormOp : Graph_ShapedOp<"mean_variance_norm",
    [SameOperandsAndResultElementType]> {
  let summary = "Normalise to zero mean and unit variance (ONNX `MeanVarianceNormalization`)";
  let arguments = (ins Graph_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (::mlir::failed(inferReduceShape(input, op.getAxes(), true, emitError)))
      return ::mlir::failure();
    return input;
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_RoiAlignOp : Graph_ShapedOp<"roi_align", [AllElementTypesMatch<["input", "rois", "result"]>]> {
  let summary = "Pool regions of interest (ONNX `RoiAlign`)";
  let description = [{
    `input` [N, C, H, W], `rois` [R, 4], `batch_indices` [R]; gives
    [R, C, output_height, output_width], averaged or maxed over samples.
  }];
  let arguments = (ins Graph_FloatTensor:$input, Graph_FloatTensor:$rois,
                       TensorOf<[I64]>:$batch_indices,
                       DefaultValuedAttr<StrAttr, "\"avg\"">:$mode,
                       DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>, "1">:$output_height,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntPositive]>, "1">:$output_width,
                       DefaultValuedAttr<ConfinedAttr<I64Attr, [IntNonNegative]>, "0">:$sampling_ratio,
                       DefaultValuedAttr<F32Attr, "1.0f">:$spatial_scale);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input `,` $rois `,` $batch_indices attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    if (op.getMode() != "avg" && op.getMode() != "max")
      return emitError() << "mode must be avg or max, got '" << op.getMode() << "'";
    Shape input = getShape(op.getInput().getType());
    Shape rois = getShape(op.getRois().getType());
    if ((input && input->size() != 4) || (rois && rois->size() != 2))
      return emitError() << "input " << formatShape(input) << " and rois "
                         << formatShape(rois) << " must be [N, C, H, W] and [R, 4]";
    int64_t d = ::mlir::ShapedType::kDynamic;
    return Shape(::llvm::SmallVector<int64_t>{rois ? (*rois)[0] : d, input ? (*input)[1] : d,
                                               (int64_t)op.getOutputHeight(),
                                               (int64_t)op.getOutputWidth()});
  }];
  let elementTypeFn = Graph_SameElementAs;
}

class Graph_RandomLikeOp<string mnemonic, string summaryText, dag params>
    : Graph_ShapedOp<mnemonic> {
  let summary = summaryText;
  let description = [{
    Random values of the input's shape and element type `dtype`; a given
    `seed` makes them reproducible.
  }];
  let arguments = !con((ins Graph_Tensor:$input, TypeAttrOf<Graph_Element>:$dtype,
                            OptionalAttr<F32Attr>:$seed), params);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{ return getShape(op.getInput().getType()); }];
  let elementTypeFn = [{ return op.getDtype(); }];
}
def Graph_RandomUniformLikeOp : Graph_RandomLikeOp<"random_uniform_like",
    "Uniform random values in [low, high) (ONNX `RandomUniformLike`)",
    (ins DefaultValuedAttr<F32Attr, "0.0f">:$low, DefaultValuedAttr<F32Attr, "1.0f">:$high)>;
def Graph_BernoulliOp : Graph_RandomLikeOp<"bernoulli",
    "1 with each input's probability, else 0 (ONNX `Bernoulli`)", (ins)>;

def Graph_DropoutOp : Graph_Op<"dropout", [Pure, Graph_InferTensorType,
    AttrSizedOperandSegments]> {
  let summary = "Dropout that may train (ONNX `Dropout`)";
  let description = [{
    When `training_mode` holds true, zeroes each element with probability
    `ratio` (0.5 if absent) and scales the rest by 1 / (1 - ratio); else the
    identity. Also gives the mask of the elements kept. Dropout known at
    import to be in inference mode is no op at all.
  }];
  let arguments = (ins Graph_FloatTensor:$input,
                       Optional<0DTensorOf<[Graph_Float]>>:$ratio,
                       Optional<0DTensorOf<[I1]>>:$training_mode,
                       OptionalAttr<I64Attr>:$seed);
  let results = (outs Graph_FloatTensor:$output, TensorOf<[I1]>:$mask);
  let assemblyFormat = [{
    $input (`ratio` $ratio^)? (`training` $training_mode^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Graph_MaxUnpoolOp : Graph_ShapedOp<"max_unpool", [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Scatter pooled maxima back (ONNX `MaxUnpool`)";
  let arguments = (ins Graph_FloatTensor:$input, TensorOf<[I64]>:$indices,
                       Optional<TensorOf<[I64]>>:$output_shape,
                       DenseI64ArrayAttr:$kernel_shape, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$pads);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $indices (`shape` $output_shape^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    size_t spatial = op.getKernelShape().size();
    if (op.getStrides().size() != spatial || op.getPads().size() != 2 * spatial)
      return emitError() << "expected " << spatial << " strides and " << 2 * spatial << " pads";
    if (op.getOutputShape()) {
      if (auto values = detail::getConstantInts(op.getOutputShape()))
        return Shape(*values);
      return input ? Shape(::llvm::SmallVector<int64_t>(input->size(), ::mlir::ShapedType::kDynamic)) : input;
    }
    if (!input)
      return input;
    if (input->size() != spatial + 2)
      return emitError() << "input " << formatShape(input) << " must have " << spatial << " spatial dims";
    ::llvm::SmallVector<int64_t> result(*input);
    for (size_t i = 0; i < spatial; ++i)
      if (!::mlir::ShapedType::isDynamic(result[2 + i]))
        result[2 + i] = (result[2 + i] - 1) * op.getStrides()[i] + op.getKernelShape()[i] -
                        op.getPads()[i] - op.getPads()[spatial + i];
    return Shape(std::move(result));
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_DFTOp : Graph_ShapedOp<"dft", [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Discrete Fourier transform (ONNX `DFT`)";
  let description = [{
    Over `axis` of `input` [..., 1 or 2] (real, or complex as [re, im]), to
    `dft_length` points if given; the result is complex ([..., 2]), with
    only the non-redundant half under `onesided`.
  }];
  let arguments = (ins Graph_FloatTensor:$input, Optional<TensorOf<[I32, I64]>>:$dft_length,
                       ConfinedAttr<I64Attr, [IntNonNegative]>:$axis,
                       UnitAttr:$inverse, UnitAttr:$onesided);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = "$input (`length` $dft_length^)? attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (!input)
      return input;
    int64_t axis = op.getAxis();
    if (input->size() < 2 || axis >= (int64_t)input->size() - 1)
      return emitError() << "axis " << axis << " must index a signal dim of " << formatShape(input);
    ::llvm::SmallVector<int64_t> result(*input);
    int64_t n = result[axis];
    if (op.getDftLength()) {
      auto length = detail::getConstantInts(op.getDftLength());
      n = length ? (*length)[0] : ::mlir::ShapedType::kDynamic;
    }
    result[axis] = op.getOnesided() && !::mlir::ShapedType::isDynamic(n) ? n / 2 + 1
                   : op.getOnesided() ? ::mlir::ShapedType::kDynamic : n;
    result.back() = 2;
    return Shape(std::move(result));
  }];
  let elementTypeFn = Graph_SameElementAs;
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHMISCOPS_TD
