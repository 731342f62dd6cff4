//===- GraphDataOps.td - Gather, scatter, slice, pad and friends -*- tablegen -*-===//
//
// Part of Loom. Ops whose operands decide the result's shape read those
// operands' values when they are constants; otherwise their dims are `?`.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHDATAOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHDATAOPS_TD

include "dialects/graph/IR/GraphBase.td"

def Graph_IndexTensor : TensorOf<[I32, I64]>;
def Graph_I64Tensor : TensorOf<[I64]>;
defvar Graph_SameElementAsData = [{ return ::mlir::getElementTypeOrSelf(op.getData().getType()); }];
defvar Graph_NonNegative = ConfinedAttr<I64Attr, [IntNonNegative]>;
// ScatterElements/ScatterND reductions: none, add, mul, max or min.
defvar Graph_ScatterReduction = StrAttr;
defvar Graph_CheckReduction = [{
    ::llvm::StringRef reduction = op.getReduction();
    if (reduction != "none" && reduction != "add" && reduction != "mul" &&
        reduction != "max" && reduction != "min")
      return emitError() << "reduction must be none, add, mul, max or min, got '"
                         << reduction << "'";
}];

def Graph_GatherOp : Graph_ShapedOp<"gather"> {
  let summary = "Gather slices along an axis (ONNX `Gather`)";
  let hasFolder = 1;
  let description = [{ Negative indices count from the end of `axis`. }];
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       Graph_NonNegative:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferGatherShape(getShape(op.getData().getType()),
                            getShape(op.getIndices().getType()), op.getAxis(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAsData;
}

def Graph_GatherElementsOp : Graph_ShapedOp<"gather_elements"> {
  let summary = "Gather elements along an axis (ONNX `GatherElements`)";
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       Graph_NonNegative:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferGatherElementsShape(getShape(op.getData().getType()),
                                    getShape(op.getIndices().getType()),
                                    op.getAxis(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAsData;
}

def Graph_GatherNDOp : Graph_ShapedOp<"gather_nd"> {
  let summary = "Gather slices by N-D indices (ONNX `GatherND`)";
  let arguments = (ins Graph_Tensor:$data, Graph_I64Tensor:$indices,
                       DefaultValuedAttr<Graph_NonNegative, "0">:$batch_dims);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferGatherNDShape(getShape(op.getData().getType()),
                              getShape(op.getIndices().getType()),
                              op.getBatchDims(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAsData;
}

def Graph_ScatterElementsOp : Graph_ShapedOp<"scatter_elements",
    [AllElementTypesMatch<["data", "updates", "result"]>]> {
  let summary = "Scatter updates along an axis (ONNX `ScatterElements`, `Scatter`)";
  let arguments = (ins Graph_Tensor:$data, Graph_IndexTensor:$indices,
                       Graph_Tensor:$updates, Graph_NonNegative:$axis,
                       DefaultValuedAttr<Graph_ScatterReduction, "\"none\"">:$reduction);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let shapeFn = Graph_CheckReduction # [{
    Shape indices = getShape(op.getIndices().getType());
    Shape updates = getShape(op.getUpdates().getType());
    if (indices && updates && ::mlir::failed(::mlir::verifyCompatibleShape(*indices, *updates)))
      return emitError() << "updates " << formatShape(updates)
                         << " must have the shape of indices " << formatShape(indices);
    if (::mlir::failed(inferGatherElementsShape(getShape(op.getData().getType()),
                                                indices, op.getAxis(), emitError)))
      return ::mlir::failure();
    return getShape(op.getData().getType());
  }];
  let elementTypeFn = Graph_SameElementAsData;
}

def Graph_ScatterNDOp : Graph_ShapedOp<"scatter_nd",
    [AllElementTypesMatch<["data", "updates", "result"]>]> {
  let summary = "Scatter updates by N-D indices (ONNX `ScatterND`)";
  let arguments = (ins Graph_Tensor:$data, Graph_I64Tensor:$indices,
                       Graph_Tensor:$updates,
                       DefaultValuedAttr<Graph_ScatterReduction, "\"none\"">:$reduction);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` functional-type(operands, results)";
  let shapeFn = Graph_CheckReduction # [{
    Shape data = getShape(op.getData().getType());
    auto expected = inferGatherNDShape(data, getShape(op.getIndices().getType()), 0, emitError);
    if (::mlir::failed(expected))
      return ::mlir::failure();
    Shape updates = getShape(op.getUpdates().getType());
    if (*expected && updates && ::mlir::failed(::mlir::verifyCompatibleShape(**expected, *updates)))
      return emitError() << "updates " << formatShape(updates) << " must be "
                         << formatShape(*expected);
    return data;
  }];
  let elementTypeFn = Graph_SameElementAsData;
}

def Graph_SliceOp : Graph_ShapedOp<"slice", [SameOperandsAndResultElementType]> {
  let summary = "Strided slice with constant bounds (ONNX `Slice`)";
  let hasFolder = 1;
  let description = [{
    One start, end and step per dim, with ONNX's rules: negative indices
    count from the end, then starts and ends clamp to the dim.
  }];
  let arguments = (ins Graph_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferSliceShape(getShape(op.getInput().getType()), op.getStarts(),
                           op.getEnds(), op.getSteps(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_DynamicSliceOp : Graph_ShapedOp<"dynamic_slice",
    [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Strided slice with bounds computed at run time (ONNX `Slice`)";
  let hasCanonicalizer = 1;
  let description = [{
    ONNX `Slice` when its starts, ends, axes or steps are not constants:
    they are 1-D tensors of one length, `axes` listing the dims they apply
    to. With constant operands it is `graph.slice`.
  }];
  let arguments = (ins Graph_Tensor:$input, Graph_IndexTensor:$starts,
                       Graph_IndexTensor:$ends, Graph_IndexTensor:$axes,
                       Graph_IndexTensor:$steps);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $starts `,` $ends `,` $axes `,` $steps attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (!input)
      return input;
    // Dims no axis names keep their size.
    ::llvm::SmallVector<int64_t> result(input->size(), ::mlir::ShapedType::kDynamic);
    if (auto axes = detail::getConstantInts(op.getAxes())) {
      result = *input;
      for (int64_t axis : *axes) {
        if (axis < -(int64_t)result.size() || axis >= (int64_t)result.size())
          return emitError() << "axis " << axis << " is out of range for "
                             << formatShape(input);
        result[axis < 0 ? axis + result.size() : axis] = ::mlir::ShapedType::kDynamic;
      }
    }
    return Shape(std::move(result));
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_TileOp : Graph_ShapedOp<"tile", [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Repeat a tensor along each dim (ONNX `Tile`)";
  let arguments = (ins Graph_Tensor:$input, Graph_I64Tensor:$repeats);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input `,` $repeats attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    std::optional<int64_t> length = detail::getStaticLength(op.getRepeats());
    if (input && length && *length != (int64_t)input->size())
      return emitError() << "expected " << input->size() << " repeats, got " << *length;
    if (!input)
      return length ? Shape(::llvm::SmallVector<int64_t>(*length, ::mlir::ShapedType::kDynamic)) : Shape();
    auto repeats = detail::getConstantInts(op.getRepeats());
    ::llvm::SmallVector<int64_t> result(*input);
    for (auto [i, dim] : ::llvm::enumerate(result)) {
      if (repeats && (*repeats)[i] < 0)
        return emitError() << "repeats must be non-negative";
      dim = !repeats ? ::mlir::ShapedType::kDynamic
            : ::mlir::ShapedType::isDynamic(dim) ? dim : dim * (*repeats)[i];
    }
    return Shape(std::move(result));
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_ExpandOp : Graph_ShapedOp<"expand", [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Broadcast to a shape (ONNX `Expand`)";
  let arguments = (ins Graph_Tensor:$input, Graph_I64Tensor:$shape);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    // `getShape` alone would name this op's `shape` operand accessor.
    Shape input = ::loom::graph::getShape(op.getInput().getType());
    if (auto values = detail::getConstantInts(op.getShape())) {
      for (int64_t &v : *values)
        if (v < 0)
          return emitError() << "shape dims must be non-negative";
      return inferBroadcastShape(input, Shape(*values), emitError);
    }
    std::optional<int64_t> length = detail::getStaticLength(op.getShape());
    if (!input || !length)
      return Shape();
    return Shape(::llvm::SmallVector<int64_t>(
        std::max<int64_t>(*length, input->size()), ::mlir::ShapedType::kDynamic));
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_ConstantOfShapeOp : Graph_ShapedOp<"constant_of_shape"> {
  let summary = "A tensor of a shape filled with one value (ONNX `ConstantOfShape`)";
  let arguments = (ins Graph_I64Tensor:$shape, ElementsAttr:$value);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$shape attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    if (op.getValue().getNumElements() != 1)
      return emitError() << "value must hold one element";
    if (auto values = detail::getConstantInts(op.getShape())) {
      if (::llvm::any_of(*values, [](int64_t v) { return v < 0; }))
        return emitError() << "shape dims must be non-negative";
      return Shape(*values);
    }
    std::optional<int64_t> length = detail::getStaticLength(op.getShape());
    if (!length)
      return Shape();
    return Shape(::llvm::SmallVector<int64_t>(*length, ::mlir::ShapedType::kDynamic));
  }];
  let elementTypeFn = [{ return op.getValue().getElementType(); }];
  let hasFolder = 1;
}

def Graph_RangeOp : Graph_ShapedOp<"range",
    [AllElementTypesMatch<["start", "limit", "delta", "result"]>]> {
  let summary = "start, start + delta, ... up to limit (ONNX `Range`)";
  let arguments = (ins Graph_NumericTensor:$start, Graph_NumericTensor:$limit,
                       Graph_NumericTensor:$delta);
  let results = (outs Graph_NumericTensor:$result);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    for (::mlir::Value v : op.getOperands())
      if (Shape s = getShape(v.getType()); s && !s->empty())
        return emitError() << "start, limit and delta must be scalars";
    auto start = detail::getConstantInts(op.getStart());
    auto limit = detail::getConstantInts(op.getLimit());
    auto delta = detail::getConstantInts(op.getDelta());
    if (start && limit && delta) {
      int64_t d = (*delta)[0];
      if (d == 0)
        return emitError() << "delta must not be 0";
      int64_t span = (*limit)[0] - (*start)[0];
      int64_t count = span / d + (span % d != 0 && (span > 0) == (d > 0) ? 1 : 0);
      return Shape(::llvm::SmallVector<int64_t>{std::max<int64_t>(count, 0)});
    }
    return Shape(::llvm::SmallVector<int64_t>{::mlir::ShapedType::kDynamic});
  }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getStart().getType()); }];
}

def Graph_PadOp : Graph_ShapedOp<"pad", [AllElementTypesMatch<["input", "result"]>,
                                          AttrSizedOperandSegments]> {
  let summary = "Pad a tensor (ONNX `Pad`)";
  let description = [{
    `pads` holds each dim's begin pad, then each dim's end pad; negative pads
    crop. `mode` is constant (with `constant_value`, zero if absent),
    reflect, edge or wrap. Pads computed at run time come as the
    `computed_pads` operand instead (and `pads` is empty).
  }];
  let arguments = (ins Graph_Tensor:$input, Optional<TensorOf<[I64]>>:$computed_pads,
                       Optional<Graph_Tensor>:$constant_value,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<StrAttr, "\"constant\"">:$mode);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input (`pads` $computed_pads^)? (`value` $constant_value^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    ::llvm::StringRef mode = op.getMode();
    if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap")
      return emitError() << "mode must be constant, reflect, edge or wrap, got '" << mode << "'";
    Shape input = getShape(op.getInput().getType());
    if (op.getComputedPads())
      return detail::inferComputedAxesShape(input, op.getComputedPads(),
                                            op.getPads(), 0, emitError);
    return inferPadShape(input, op.getPads(), emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_ResizeOp : Graph_ShapedOp<"resize",
    [AllElementTypesMatch<["input", "result"]>, AttrSizedOperandSegments]> {
  let summary = "Resize by scales or to sizes (ONNX `Resize`, `Upsample`)";
  let description = [{
    Resizes `input` to `sizes`, or by `scales` (each dim becomes
    floor(dim * scale)); constants are attributes, values computed at run
    time the `computed_scales`/`computed_sizes` operands. Exactly one of the
    four is given. `mode` is nearest, linear or cubic;
    `coordinate_transformation_mode` and `nearest_mode` take ONNX's values;
    `roi` is used by tf_crop_and_resize.
  }];
  let arguments = (ins Graph_Tensor:$input, Optional<Graph_FloatTensor>:$roi,
                       Optional<TensorOf<[F32]>>:$computed_scales,
                       Optional<TensorOf<[I64]>>:$computed_sizes,
                       OptionalAttr<DenseF32ArrayAttr>:$scales,
                       OptionalAttr<DenseI64ArrayAttr>:$sizes,
                       DefaultValuedAttr<StrAttr, "\"nearest\"">:$mode,
                       DefaultValuedAttr<StrAttr, "\"half_pixel\"">:$coordinate_transformation_mode,
                       DefaultValuedAttr<StrAttr, "\"round_prefer_floor\"">:$nearest_mode,
                       DefaultValuedAttr<F32Attr, "-0.75f">:$cubic_coeff_a,
                       UnitAttr:$exclude_outside,
                       DefaultValuedAttr<F32Attr, "0.0f">:$extrapolation_value);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = [{
    $input (`roi` $roi^)? (`scales` $computed_scales^)? (`sizes` $computed_sizes^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    ::llvm::StringRef mode = op.getMode(), coords = op.getCoordinateTransformationMode(),
                      nearest = op.getNearestMode();
    if (mode != "nearest" && mode != "linear" && mode != "cubic")
      return emitError() << "mode must be nearest, linear or cubic, got '" << mode << "'";
    if (!::llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners",
                               "asymmetric", "tf_crop_and_resize",
                               "tf_half_pixel_for_nn"}, coords))
      return emitError() << "unknown coordinate_transformation_mode '" << coords << "'";
    if (!::llvm::is_contained({"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"},
                              nearest))
      return emitError() << "unknown nearest_mode '" << nearest << "'";
    int given = bool(op.getScales()) + bool(op.getSizes()) +
                bool(op.getComputedScales()) + bool(op.getComputedSizes());
    if (given != 1)
      return emitError() << "needs exactly one of scales and sizes, as an "
                            "attribute or an operand";
    Shape input = getShape(op.getInput().getType());
    std::optional<size_t> count;
    if (op.getScales())
      count = op.getScales()->size();
    else if (op.getSizes())
      count = op.getSizes()->size();
    if (input && count && *count != input->size())
      return emitError() << "expected " << input->size()
                         << " scales or sizes, got " << *count;
    if (!input)
      return input;
    ::llvm::SmallVector<int64_t> result(input->size(), ::mlir::ShapedType::kDynamic);
    for (size_t i = 0; i < result.size(); ++i) {
      if (op.getSizes()) {
        result[i] = (*op.getSizes())[i];
      } else if (op.getScales() && !::mlir::ShapedType::isDynamic((*input)[i])) {
        float scale = (*op.getScales())[i];
        if (scale <= 0)
          return emitError() << "scales must be positive";
        result[i] = static_cast<int64_t>(std::floor((*input)[i] * static_cast<double>(scale)));
      }
    }
    return Shape(std::move(result));
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_TriluOp : Graph_ShapedOp<"trilu", [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Keep the upper or lower triangle (ONNX `Trilu`)";
  let arguments = (ins Graph_Tensor:$input, Optional<0DTensorOf<[I64]>>:$k,
                       UnitAttr:$upper);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input (`k` $k^)? attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (input && input->size() < 2)
      return emitError() << "input " << formatShape(input) << " must have rank >= 2";
    return input;
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_CumSumOp : Graph_ShapedOp<"cumsum", [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Cumulative sum along an axis (ONNX `CumSum`)";
  let description = [{
    Along `axis`, or, when it is computed at run time, along the axis the
    scalar `computed_axis` operand holds (negative counts from the end).
  }];
  let arguments = (ins Graph_NumericTensor:$input,
                       Optional<TensorOf<[I32, I64]>>:$computed_axis,
                       OptionalAttr<Graph_NonNegative>:$axis,
                       UnitAttr:$exclusive, UnitAttr:$reverse);
  let results = (outs Graph_NumericTensor:$result);
  let assemblyFormat = [{
    $input (`axis` $computed_axis^)? attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (bool(op.getAxis()) == bool(op.getComputedAxis()))
      return emitError() << "needs the axis either as an attribute or as an operand";
    if (op.getAxis() && input && (int64_t)*op.getAxis() >= (int64_t)input->size())
      return emitError() << "axis " << *op.getAxis() << " is out of range for " << formatShape(input);
    return input;
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_OneHotOp : Graph_ShapedOp<"one_hot"> {
  let summary = "One-hot encoding (ONNX `OneHot`)";
  let description = [{
    Inserts a dim of size `depth` at `axis` of the result; `values` is
    [off, on].
  }];
  let arguments = (ins Graph_NumericTensor:$indices, Graph_NumericTensor:$depth,
                       Graph_Tensor:$values, Graph_NonNegative:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$indices `,` $depth `,` $values attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape indices = getShape(op.getIndices().getType());
    if (!indices)
      return indices;
    int64_t axis = op.getAxis();
    if (axis > (int64_t)indices->size())
      return emitError() << "axis " << axis << " is out of range for "
                         << formatShape(indices) << " plus the one-hot dim";
    auto depth = detail::getConstantInts(op.getDepth());
    ::llvm::SmallVector<int64_t> result(*indices);
    result.insert(result.begin() + axis, depth ? (*depth)[0] : ::mlir::ShapedType::kDynamic);
    return Shape(std::move(result));
  }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getValues().getType()); }];
}

def Graph_DepthToSpaceOp : Graph_ShapedOp<"depth_to_space", [SameOperandsAndResultElementType]> {
  let summary = "Move channel blocks into space (ONNX `DepthToSpace`)";
  let description = [{ Channel order is DCR, or CRD under `crd`. }];
  let arguments = (ins Graph_Tensor:$input, ConfinedAttr<I64Attr, [IntPositive]>:$blocksize,
                       UnitAttr:$crd);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferDepthSpaceShape(getShape(op.getInput().getType()), op.getBlocksize(), true, emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_SpaceToDepthOp : Graph_ShapedOp<"space_to_depth", [SameOperandsAndResultElementType]> {
  let summary = "Move space blocks into channels (ONNX `SpaceToDepth`)";
  let arguments = (ins Graph_Tensor:$input, ConfinedAttr<I64Attr, [IntPositive]>:$blocksize);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    return inferDepthSpaceShape(getShape(op.getInput().getType()), op.getBlocksize(), false, emitError);
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_EyeLikeOp : Graph_ShapedOp<"eye_like"> {
  let summary = "Ones on a diagonal, of another matrix's shape (ONNX `EyeLike`)";
  let arguments = (ins Graph_Tensor:$input, DefaultValuedAttr<I64Attr, "0">:$k,
                       TypeAttrOf<Graph_Element>:$dtype);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (input && input->size() != 2)
      return emitError() << "input " << formatShape(input) << " must be a matrix";
    return input ? input : Shape(::llvm::SmallVector<int64_t>(2, ::mlir::ShapedType::kDynamic));
  }];
  let elementTypeFn = [{ return op.getDtype(); }];
}

def Graph_CompressOp : Graph_ShapedOp<"compress", [AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Keep the slices a condition selects (ONNX `Compress`)";
  let description = [{
    Along `axis`, or over the flattened input when there is none.
  }];
  let arguments = (ins Graph_Tensor:$input, TensorOf<[I1]>:$condition,
                       OptionalAttr<Graph_NonNegative>:$axis);
  let results = (outs Graph_Tensor:$result);
  let assemblyFormat = "$input `,` $condition attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    if (!op.getAxis())
      return Shape(::llvm::SmallVector<int64_t>{::mlir::ShapedType::kDynamic});
    if (!input)
      return input;
    int64_t axis = *op.getAxis();
    if (axis >= (int64_t)input->size())
      return emitError() << "axis " << axis << " is out of range for " << formatShape(input);
    ::llvm::SmallVector<int64_t> result(*input);
    result[axis] = ::mlir::ShapedType::kDynamic;
    return Shape(std::move(result));
  }];
  let elementTypeFn = Graph_SameElementAs;
}

def Graph_NonZeroOp : Graph_ShapedOp<"non_zero"> {
  let summary = "Indices of the non-zero elements (ONNX `NonZero`)";
  let arguments = (ins Graph_Tensor:$input);
  let results = (outs Graph_I64Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    Shape input = getShape(op.getInput().getType());
    return Shape(::llvm::SmallVector<int64_t>{input ? (int64_t)input->size() : ::mlir::ShapedType::kDynamic,
                  ::mlir::ShapedType::kDynamic});
  }];
  let elementTypeFn = Graph_I64Element;
}

def Graph_SplitOp : Graph_Op<"split", [Pure, Graph_InferTensorType]> {
  let summary = "Split into pieces along an axis (ONNX `Split`)";
  let description = [{
    One result per entry of `sizes`, of that size. Sizes computed at run
    time come as the `computed_sizes` operand instead (and `sizes` is
    empty), one per result.
  }];
  let arguments = (ins Graph_Tensor:$input,
                       Optional<TensorOf<[I64]>>:$computed_sizes,
                       Graph_NonNegative:$axis, DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<Graph_Tensor>:$results);
  let assemblyFormat = [{
    $input (`sizes` $computed_sizes^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Graph_TopKOp : Graph_Op<"top_k", [Pure, Graph_InferTensorType]> {
  let summary = "The k largest or smallest elements along an axis (ONNX `TopK`)";
  let arguments = (ins Graph_NumericTensor:$input, TensorOf<[I64]>:$k,
                       Graph_NonNegative:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Graph_NumericTensor:$values, Graph_I64Tensor:$indices);
  let assemblyFormat = "$input `,` $k attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHDATAOPS_TD
