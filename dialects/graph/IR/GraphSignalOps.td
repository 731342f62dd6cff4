//===- GraphSignalOps.td - Signal processing ops -----------*- tablegen -*-===//
//
// Part of Loom. ONNX's audio front-end ops (opset 17).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHSIGNALOPS_TD
#define LOOM_DIALECTS_GRAPH_IR_GRAPHSIGNALOPS_TD

include "dialects/graph/IR/GraphBase.td"

def Graph_IntScalar : 0DTensorOf<[I32, I64]>;

def Graph_STFTOp : Graph_ShapedOp<"stft", [AttrSizedOperandSegments,
    AllElementTypesMatch<["signal", "result"]>]> {
  let summary = "Short-time Fourier transform (ONNX `STFT`)";
  let description = [{
    Splits each signal of `signal` [batch, length, 1 or 2] (real, or complex
    as [re, im]) into frames of `frame_length` samples (the window's length
    when absent) every `frame_step` samples, multiplies each frame by
    `window` (when given) and takes its DFT. The result is [batch, frames,
    bins, 2] with frames = (length - frame_length) / frame_step + 1 and
    bins = frame_length, or frame_length / 2 + 1 under `onesided`.
  }];
  let arguments = (ins Graph_FloatTensor:$signal, Graph_IntScalar:$frame_step,
                       Optional<Graph_FloatTensor>:$window,
                       Optional<Graph_IntScalar>:$frame_length,
                       UnitAttr:$onesided);
  let results = (outs Graph_FloatTensor:$result);
  let assemblyFormat = [{
    $signal `step` $frame_step (`window` $window^)? (`length` $frame_length^)?
    attr-dict `:` functional-type(operands, results)
  }];
  let shapeFn = [{ return detail::inferSTFTShape(op, emitError); }];
  let elementTypeFn = [{ return ::mlir::getElementTypeOrSelf(op.getSignal().getType()); }];
}

def Graph_MelWeightMatrixOp : Graph_ShapedOp<"mel_weight_matrix"> {
  let summary = "Mel filter bank weights (ONNX `MelWeightMatrix`)";
  let description = [{
    The [dft_length / 2 + 1, num_mel_bins] matrix that maps the bins of a
    one-sided DFT at `sample_rate` to `num_mel_bins` triangular mel bands
    between `lower_edge_hertz` and `upper_edge_hertz`, with elements of
    type `output_type`.
  }];
  let arguments = (ins Graph_IntScalar:$num_mel_bins, Graph_IntScalar:$dft_length,
                       Graph_IntScalar:$sample_rate,
                       0DTensorOf<[Graph_Float]>:$lower_edge_hertz,
                       0DTensorOf<[Graph_Float]>:$upper_edge_hertz,
                       TypeAttrOf<Graph_Numeric>:$output_type);
  let results = (outs Graph_NumericTensor:$result);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let shapeFn = [{
    auto bins = detail::getConstantInts(op.getNumMelBins());
    auto length = detail::getConstantInts(op.getDftLength());
    if (bins && (*bins)[0] <= 0)
      return emitError() << "num_mel_bins must be positive, got " << (*bins)[0];
    if (length && (*length)[0] <= 0)
      return emitError() << "dft_length must be positive, got " << (*length)[0];
    return Shape(::llvm::SmallVector<int64_t>{
        length ? (*length)[0] / 2 + 1 : ::mlir::ShapedType::kDynamic,
        bins ? (*bins)[0] : ::mlir::ShapedType::kDynamic});
  }];
  let elementTypeFn = [{ return op.getOutputType(); }];
}

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHSIGNALOPS_TD
