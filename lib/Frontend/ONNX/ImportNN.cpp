//===- ImportNN.cpp - ONNX reductions and the softmax family --------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "ImportUtils.h"

#include "dialects/graph/IR/GraphOps.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::onnx {
namespace {

/// Reduce*: axes from an attribute (or, from `inputSince` on, an input), all
/// axes when none are given unless noop_with_empty_axes says otherwise.
template <typename OpTy, int64_t InputSince>
LogicalResult importReduce(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  auto axes = getAxesOperand(node, InputSince);
  FailureOr<int64_t> keepDims = node.getInt("keepdims", 1);
  FailureOr<int64_t> noop = node.getInt("noop_with_empty_axes", 0);
  if (failed(x) || failed(axes) || failed(keepDims) || failed(noop))
    return failure();
  if (axes->computed) {
    auto op = node.create<OpTy>(*x, axes->computed, ArrayRef<int64_t>{},
                                *keepDims != 0, *noop != 0);
    return failed(op) ? failure() : node.setOutputs(op->getResult());
  }
  bool empty = !axes->constant || axes->constant->empty();
  if (empty && *noop)
    return node.setOutputs(*x);
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  SmallVector<int64_t> resolved;
  if (empty) {
    for (int64_t i = 0; i < *rank; ++i)
      resolved.push_back(i);
  } else {
    auto normalized = normalizeAxes(node, *axes->constant, *rank);
    if (failed(normalized))
      return failure();
    resolved = *normalized;
  }
  auto op = node.create<OpTy>(*x, Value(), resolved, *keepDims != 0, false);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

template <typename OpTy>
LogicalResult importArgReduce(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> axis = node.getInt("axis", 0);
  FailureOr<int64_t> keepDims = node.getInt("keepdims", 1);
  FailureOr<int64_t> last = node.getInt("select_last_index", 0);
  if (failed(x) || failed(axis) || failed(keepDims) || failed(last))
    return failure();
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  FailureOr<int64_t> resolved = normalizeAxis(node, *axis, *rank);
  if (failed(resolved))
    return failure();
  auto op = node.create<OpTy>(*x, *resolved, *keepDims != 0, *last != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

/// Softmax, LogSoftmax and Hardmax. Before opset 13 they normalise over the
/// input flattened to 2-D at `axis` (default 1); from 13 over `axis` alone
/// (default -1). The old form becomes flatten, the op on axis 1, and a
/// reshape back.
template <typename OpTy>
LogicalResult importSoftmaxLike(NodeImporter &node) {
  bool legacy = node.getOpset() < 13;
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> axis = node.getInt("axis", legacy ? 1 : -1);
  if (failed(x) || failed(axis))
    return failure();
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  if (legacy && *axis == *rank)
    return node.emitError() << "axis " << *axis << " leaves nothing to "
                            << "normalise over";
  FailureOr<int64_t> resolved = normalizeAxis(node, *axis, *rank);
  if (failed(resolved))
    return failure();
  if (!legacy || *resolved == *rank - 1) {
    auto op = node.create<OpTy>(*x, *resolved);
    return failed(op) ? failure() : node.setOutputs(op->getResult());
  }
  auto flat = node.create<g::FlattenOp>(*x, *resolved);
  if (failed(flat))
    return failure();
  auto normalised = node.create<OpTy>(*flat, 1);
  auto shape =
      node.create<g::ShapeOp>(*x, node.getBuilder().getI64IntegerAttr(0),
                              node.getBuilder().getI64IntegerAttr(*rank));
  if (failed(normalised) || failed(shape))
    return failure();
  auto op = node.create<g::ReshapeOp>(*normalised, *shape, false);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

/// The window attributes of Conv, ConvTranspose and the pools, with defaults
/// filled in and `auto_pad` resolved into explicit pads.
struct WindowAttrs {
  SmallVector<int64_t> kernel, strides, dilations, pads;
  std::string autoPad;
};

/// Reads kernel_shape (or takes `kernel`), strides, dilations and pads for
/// `spatial` dims. SAME padding is resolved against the input's spatial dims
/// for an output of ceil(in / stride) (`transposed`: in * stride).
FailureOr<WindowAttrs> readWindow(NodeImporter &node, Value input,
                                  size_t spatial,
                                  std::optional<ArrayRef<int64_t>> kernel,
                                  bool hasDilations,
                                  bool resolveAutoPad = true) {
  WindowAttrs w;
  SmallVector<int64_t> ones(spatial, 1), zeros(2 * spatial, 0);
  auto kernelAttr = node.getInts("kernel_shape", kernel);
  auto strides = node.getInts("strides", ArrayRef<int64_t>(ones));
  auto dilations = hasDilations
                       ? node.getInts("dilations", ArrayRef<int64_t>(ones))
                       : FailureOr<SmallVector<int64_t>>(ones);
  auto pads = node.getInts("pads", ArrayRef<int64_t>(zeros));
  auto autoPad = node.getString("auto_pad", StringRef("NOTSET"));
  if (failed(kernelAttr) || failed(strides) || failed(dilations) ||
      failed(pads) || failed(autoPad))
    return failure();
  w.kernel = *kernelAttr;
  w.strides = *strides;
  w.dilations = *dilations;
  w.pads = *pads;
  w.autoPad = *autoPad;
  if (w.kernel.size() != spatial || w.strides.size() != spatial ||
      w.dilations.size() != spatial || w.pads.size() != 2 * spatial)
    return node.emitError() << "kernel_shape, strides and dilations need "
                            << spatial << " values and pads " << 2 * spatial;
  if (kernel && ArrayRef<int64_t>(w.kernel) != *kernel &&
      llvm::none_of(*kernel, ShapedType::isDynamic))
    return node.emitError()
           << "kernel_shape [" << w.kernel << "] does not match the weight's ["
           << *kernel << "]";
  if (w.autoPad == "NOTSET" || !resolveAutoPad)
    return w;
  if (w.autoPad == "VALID") {
    w.pads.assign(2 * spatial, 0);
    return w;
  }
  if (w.autoPad != "SAME_UPPER" && w.autoPad != "SAME_LOWER")
    return node.emitError() << "auto_pad must be NOTSET, SAME_UPPER, "
                               "SAME_LOWER or VALID, got '"
                            << w.autoPad << "'";
  auto type = dyn_cast<RankedTensorType>(input.getType());
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = type ? type.getDimSize(2 + i) : ShapedType::kDynamic;
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(w.kernel[i]))
      return node.emitError() << "auto_pad " << w.autoPad
                              << " needs static spatial dims and kernel";
    int64_t out = (in + w.strides[i] - 1) / w.strides[i];
    int64_t total =
        std::max<int64_t>(0, (out - 1) * w.strides[i] +
                                 (w.kernel[i] - 1) * w.dilations[i] + 1 - in);
    int64_t small = total / 2, large = total - small;
    bool upper = w.autoPad == "SAME_UPPER";
    w.pads[i] = upper ? small : large;
    w.pads[spatial + i] = upper ? large : small;
  }
  return w;
}

/// The spatial kernel dims of a convolution weight [*, *, K...].
FailureOr<SmallVector<int64_t>> getKernel(NodeImporter &node, Value weight) {
  FailureOr<int64_t> rank = getRank(node, weight, "weight");
  if (failed(rank))
    return failure();
  if (*rank < 3)
    return node.emitError() << "the weight must have rank >= 3, got " << *rank;
  return llvm::to_vector(
      cast<RankedTensorType>(weight.getType()).getShape().drop_front(2));
}

LogicalResult importConv(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), w = node.getInput(1);
  FailureOr<Value> b = node.getOptionalInput(2);
  FailureOr<int64_t> group = node.getInt("group", 1);
  if (failed(x) || failed(w) || failed(b) || failed(group))
    return failure();
  FailureOr<SmallVector<int64_t>> kernel = getKernel(node, *w);
  if (failed(kernel))
    return failure();
  FailureOr<WindowAttrs> window =
      readWindow(node, *x, kernel->size(), ArrayRef<int64_t>(*kernel), true);
  if (failed(window))
    return failure();
  auto op = node.create<g::ConvOp>(*x, *w, *b, window->strides,
                                   window->dilations, window->pads, *group);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importConvTranspose(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), w = node.getInput(1);
  FailureOr<Value> b = node.getOptionalInput(2);
  FailureOr<int64_t> group = node.getInt("group", 1);
  if (failed(x) || failed(w) || failed(b) || failed(group))
    return failure();
  FailureOr<SmallVector<int64_t>> kernel = getKernel(node, *w);
  if (failed(kernel))
    return failure();
  size_t spatial = kernel->size();
  // SAME padding means something else here: resolve it below instead.
  FailureOr<WindowAttrs> read =
      readWindow(node, *x, spatial, ArrayRef<int64_t>(*kernel), true,
                 /*resolveAutoPad=*/false);
  SmallVector<int64_t> zeros(spatial, 0);
  auto outputPadding = node.getInts("output_padding", ArrayRef<int64_t>(zeros));
  if (failed(read) || failed(outputPadding))
    return failure();
  WindowAttrs &window = *read;
  StringRef autoPad = window.autoPad;
  if (!llvm::is_contained({"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"},
                          autoPad))
    return node.emitError() << "auto_pad must be NOTSET, SAME_UPPER, "
                               "SAME_LOWER or VALID, got '"
                            << autoPad << "'";
  if (outputPadding->size() != spatial)
    return node.emitError() << "output_padding needs " << spatial
                            << " values, got " << outputPadding->size();
  std::optional<SmallVector<int64_t>> outputShape;
  if (node.hasAttr("output_shape")) {
    auto shape = node.getInts("output_shape");
    if (failed(shape))
      return failure();
    outputShape =
        SmallVector<int64_t>(ArrayRef<int64_t>(*shape).take_back(spatial));
  }
  if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    auto type = dyn_cast<RankedTensorType>(x->getType());
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = type ? type.getDimSize(2 + i) : ShapedType::kDynamic;
      if (ShapedType::isDynamic(in))
        return node.emitError() << "output_shape and SAME padding need "
                                   "static spatial dims";
      int64_t out = outputShape ? (*outputShape)[i] : in * window.strides[i];
      int64_t total = window.strides[i] * (in - 1) + (*outputPadding)[i] +
                      ((*kernel)[i] - 1) * window.dilations[i] + 1 - out;
      if (total < 0) {
        // A larger output than the convolution covers: pad at the end.
        (*outputPadding)[i] -= total;
        total = 0;
      }
      int64_t half = total / 2;
      bool lower = autoPad == "SAME_LOWER";
      window.pads[i] = lower ? total - half : half;
      window.pads[spatial + i] = lower ? half : total - half;
    }
  } else if (autoPad == "VALID") {
    window.pads.assign(2 * spatial, 0);
  }
  auto op = node.create<g::ConvTransposeOp>(*x, *w, *b, window.strides,
                                            window.dilations, window.pads,
                                            *outputPadding, *group);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

template <typename OpTy>
LogicalResult importPool(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  if (node.hasOutput(1) && !std::is_same_v<OpTy, g::MaxPoolOp>)
    return node.emitError() << "has one output";
  FailureOr<SmallVector<int64_t>> kernel = node.getInts("kernel_shape");
  FailureOr<int64_t> ceil = node.getInt("ceil_mode", 0);
  FailureOr<int64_t> storage = node.getInt("storage_order", 0);
  if (failed(kernel) || failed(ceil) || failed(storage))
    return failure();
  bool hasDilations = std::is_same_v<OpTy, g::MaxPoolOp>
                          ? node.getOpset() >= 10
                          : node.getOpset() >= 19;
  FailureOr<WindowAttrs> window = readWindow(
      node, *x, kernel->size(), ArrayRef<int64_t>(*kernel), hasDilations);
  if (failed(window))
    return failure();
  if constexpr (std::is_same_v<OpTy, g::AveragePoolOp>) {
    FailureOr<int64_t> countPad = node.getInt("count_include_pad", 0);
    if (failed(countPad))
      return failure();
    auto op = node.create<OpTy>(*x, window->kernel, window->strides,
                                window->dilations, window->pads, *ceil != 0,
                                *countPad != 0);
    return failed(op) ? failure() : node.setOutputs(op->getResult());
  } else {
    auto op = node.create<OpTy>(*x, window->kernel, window->strides,
                                window->dilations, window->pads, *ceil != 0);
    if (failed(op))
      return failure();
    if (!node.hasOutput(1))
      return node.setOutputs(op->getResult());
    if (*storage != 0 && *storage != 1)
      return node.emitError()
             << "storage_order must be 0 or 1, got " << *storage;
    auto indices = node.create<g::MaxPoolIndicesOp>(
        *x, window->kernel, window->strides, window->dilations, window->pads,
        *ceil != 0, *storage == 1);
    if (failed(indices))
      return failure();
    return node.setOutputs({op->getResult(), indices->getResult()});
  }
}

/// BatchNormalization with training_mode=1 normalises with the batch's own
/// statistics and also gives the updated running statistics:
///   mean = ReduceMean(X) and var = ReduceMean((X - mean)^2) over every dim
///   but the channels; Y = batch_norm(X, scale, B, mean, var);
///   running = input * momentum + current * (1 - momentum).
LogicalResult importBatchNormTraining(NodeImporter &node,
                                      ArrayRef<Value> inputs, float epsilon) {
  FailureOr<float> momentum = node.getFloat("momentum", 0.9f);
  if (failed(momentum))
    return failure();
  if (inputs.size() != 5)
    return node.emitError() << "takes 5 inputs, got " << inputs.size();
  Value x = inputs[0];
  FailureOr<int64_t> rank = getRank(node, x, "input");
  if (failed(rank))
    return failure();
  if (*rank < 2)
    return node.emitError() << "input must be [N, C, ...], got " << x.getType();
  SmallVector<int64_t> axes = {0};
  for (int64_t i = 2; i < *rank; ++i)
    axes.push_back(i);
  auto meanKept = node.create<g::ReduceMeanOp>(x, Value(), axes, true, false);
  auto mean = node.create<g::ReduceMeanOp>(x, Value(), axes, false, false);
  if (failed(meanKept) || failed(mean))
    return failure();
  auto centered = node.create<g::SubOp>(x, meanKept->getResult());
  if (failed(centered))
    return failure();
  auto squared =
      node.create<g::MulOp>(centered->getResult(), centered->getResult());
  if (failed(squared))
    return failure();
  auto var = node.create<g::ReduceMeanOp>(squared->getResult(), Value(), axes,
                                          false, false);
  if (failed(var))
    return failure();
  auto y =
      node.create<g::BatchNormOp>(x, inputs[1], inputs[2], mean->getResult(),
                                  var->getResult(), APFloat(epsilon));
  if (failed(y))
    return failure();
  SmallVector<Value> outputs = {y->getResult()};
  Type elementType = getElementTypeOrSelf(x.getType());
  Value keep = createScalar(node, elementType, *momentum);
  Value take = createScalar(node, elementType, 1.0 - *momentum);
  for (auto [running, current] :
       {std::make_pair(inputs[3], mean->getResult()),
        std::make_pair(inputs[4], var->getResult())}) {
    auto kept = node.create<g::MulOp>(running, keep);
    auto taken = node.create<g::MulOp>(current, take);
    if (failed(kept) || failed(taken))
      return failure();
    auto updated = node.create<g::AddOp>(kept->getResult(), taken->getResult());
    if (failed(updated))
      return failure();
    outputs.push_back(updated->getResult());
  }
  return node.setOutputs(outputs);
}

LogicalResult importBatchNorm(NodeImporter &node) {
  FailureOr<SmallVector<Value>> inputs = node.getVariadicInputs(0, 5);
  FailureOr<float> epsilon = node.getFloat("epsilon", 1e-5f);
  FailureOr<int64_t> training = node.getInt("training_mode", 0);
  FailureOr<int64_t> spatial = node.getInt("spatial", 1);
  if (failed(inputs) || failed(epsilon) || failed(training) || failed(spatial))
    return failure();
  if (*training)
    return importBatchNormTraining(node, *inputs, *epsilon);
  if (!*spatial)
    return node.emitError() << "spatial=0 (per-element statistics) is not "
                               "supported";
  if (inputs->size() != 5)
    return node.emitError() << "takes 5 inputs, got " << inputs->size();
  auto op = node.create<g::BatchNormOp>((*inputs)[0], (*inputs)[1],
                                        (*inputs)[2], (*inputs)[3],
                                        (*inputs)[4], APFloat(*epsilon));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importInstanceNorm(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), scale = node.getInput(1),
                   bias = node.getInput(2);
  FailureOr<float> epsilon = node.getFloat("epsilon", 1e-5f);
  if (failed(x) || failed(scale) || failed(bias) || failed(epsilon))
    return failure();
  auto op =
      node.create<g::InstanceNormOp>(*x, *scale, *bias, APFloat(*epsilon));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importLRN(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> size = node.getInt("size");
  FailureOr<float> alpha = node.getFloat("alpha", 0.0001f);
  FailureOr<float> beta = node.getFloat("beta", 0.75f);
  FailureOr<float> bias = node.getFloat("bias", 1.0f);
  if (failed(x) || failed(size) || failed(alpha) || failed(beta) ||
      failed(bias))
    return failure();
  auto op = node.create<g::LRNOp>(*x, *size, APFloat(*alpha), APFloat(*beta),
                                  APFloat(*bias));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importLayerNorm(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), scale = node.getInput(1);
  FailureOr<Value> bias = node.getOptionalInput(2);
  FailureOr<int64_t> axis = node.getInt("axis", -1);
  FailureOr<float> epsilon = node.getFloat("epsilon", 1e-5f);
  FailureOr<int64_t> stash = node.getInt("stash_type", 1);
  if (failed(x) || failed(scale) || failed(bias) || failed(axis) ||
      failed(epsilon) || failed(stash))
    return failure();
  if (*stash != 1)
    return node.emitError() << "stash_type must be 1 (float32), got " << *stash;
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  FailureOr<int64_t> resolved = normalizeAxis(node, *axis, *rank);
  if (failed(resolved))
    return failure();
  OperationState state(node.getLoc(), g::LayerNormOp::getOperationName());
  Type none = node.getBuilder().getNoneType();
  g::LayerNormOp::build(node.getBuilder(), state, {none, none, none}, *x,
                        *scale, *bias, *resolved, APFloat(*epsilon));
  Operation *op = node.finishCreate(state, &g::LayerNormOp::inferReturnTypes);
  return op ? node.setOutputs(op->getResults()) : failure();
}

/// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
template <typename OpTy>
LogicalResult importLoss(NodeImporter &node) {
  FailureOr<Value> input = node.getInput(0), target = node.getInput(1);
  FailureOr<Value> weight = node.getOptionalInput(2);
  FailureOr<std::string> reduction =
      node.getString("reduction", StringRef("mean"));
  if (failed(input) || failed(target) || failed(weight) || failed(reduction))
    return failure();
  IntegerAttr ignoreIndex;
  if (node.hasAttr("ignore_index")) {
    FailureOr<int64_t> value = node.getInt("ignore_index");
    if (failed(value))
      return failure();
    ignoreIndex = node.getBuilder().getI64IntegerAttr(*value);
  }
  OperationState state(node.getLoc(), OpTy::getOperationName());
  Type none = node.getBuilder().getNoneType();
  SmallVector<Type> placeholders(std::is_same_v<OpTy, g::NLLLossOp> ? 1 : 2,
                                 none);
  OpTy::build(node.getBuilder(), state, placeholders, *input, *target, *weight,
              node.getBuilder().getStringAttr(*reduction), ignoreIndex);
  Operation *op = node.finishCreate(state, &OpTy::inferReturnTypes);
  return op ? node.setOutputs(op->getResults()) : failure();
}

/// The `axis` of (de)quantization, resolved against `x`'s rank when the
/// scale is per axis.
FailureOr<int64_t> readQuantAxis(NodeImporter &node, Value x, Value scale) {
  FailureOr<int64_t> axis = node.getInt("axis", 1);
  if (failed(axis))
    return failure();
  auto scaleType = dyn_cast<RankedTensorType>(scale.getType());
  if (scaleType && scaleType.getRank() == 0)
    return static_cast<int64_t>(1);
  FailureOr<int64_t> rank = getRank(node, x, "input");
  if (failed(rank))
    return failure();
  return normalizeAxis(node, *axis, *rank);
}

LogicalResult importQuantize(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), scale = node.getInput(1);
  FailureOr<Value> zeroPoint = node.getOptionalInput(2);
  if (failed(x) || failed(scale) || failed(zeroPoint))
    return failure();
  FailureOr<int64_t> axis = readQuantAxis(node, *x, *scale);
  if (failed(axis))
    return failure();
  Value zp = *zeroPoint;
  if (!zp) // The default zero point is a uint8 0.
    zp = createScalar(
        node, IntegerType::get(node.getContext(), 8, IntegerType::Unsigned), 0);
  auto op = node.create<g::QuantizeOp>(*x, *scale, zp, *axis);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importDequantize(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), scale = node.getInput(1);
  FailureOr<Value> zeroPoint = node.getOptionalInput(2);
  if (failed(x) || failed(scale) || failed(zeroPoint))
    return failure();
  FailureOr<int64_t> axis = readQuantAxis(node, *x, *scale);
  if (failed(axis))
    return failure();
  auto op = node.create<g::DequantizeOp>(*x, *scale, *zeroPoint, *axis);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importDynamicQuantize(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  OperationState state(node.getLoc(), g::DynamicQuantizeOp::getOperationName());
  Type none = node.getBuilder().getNoneType();
  g::DynamicQuantizeOp::build(node.getBuilder(), state, {none, none, none}, *x);
  Operation *op =
      node.finishCreate(state, &g::DynamicQuantizeOp::inferReturnTypes);
  return op ? node.setOutputs(op->getResults()) : failure();
}

LogicalResult importMatMulInteger(NodeImporter &node) {
  FailureOr<Value> a = node.getInput(0), b = node.getInput(1);
  FailureOr<Value> azp = node.getOptionalInput(2),
                   bzp = node.getOptionalInput(3);
  if (failed(a) || failed(b) || failed(azp) || failed(bzp))
    return failure();
  auto op = node.create<g::MatMulIntegerOp>(*a, *b, *azp, *bzp);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importQLinearMatMul(NodeImporter &node) {
  FailureOr<SmallVector<Value>> inputs = node.getVariadicInputs(0, 8);
  if (failed(inputs))
    return failure();
  if (inputs->size() != 8)
    return node.emitError() << "takes 8 inputs, got " << inputs->size();
  auto &v = *inputs;
  auto op = node.create<g::QLinearMatMulOp>(v[0], v[1], v[2], v[3], v[4], v[5],
                                            v[6], v[7]);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importConvInteger(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), w = node.getInput(1);
  FailureOr<Value> xzp = node.getOptionalInput(2),
                   wzp = node.getOptionalInput(3);
  FailureOr<int64_t> group = node.getInt("group", 1);
  if (failed(x) || failed(w) || failed(xzp) || failed(wzp) || failed(group))
    return failure();
  FailureOr<SmallVector<int64_t>> kernel = getKernel(node, *w);
  if (failed(kernel))
    return failure();
  FailureOr<WindowAttrs> window =
      readWindow(node, *x, kernel->size(), ArrayRef<int64_t>(*kernel), true);
  if (failed(window))
    return failure();
  auto op =
      node.create<g::ConvIntegerOp>(*x, *w, *xzp, *wzp, window->strides,
                                    window->dilations, window->pads, *group);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importQLinearConv(NodeImporter &node) {
  FailureOr<SmallVector<Value>> inputs = node.getVariadicInputs(0, 8);
  FailureOr<int64_t> group = node.getInt("group", 1);
  if (failed(inputs) || failed(group))
    return failure();
  if (inputs->size() > 9)
    return node.emitError() << "takes 8 or 9 inputs, got " << inputs->size();
  auto &v = *inputs;
  FailureOr<SmallVector<int64_t>> kernel = getKernel(node, v[3]);
  if (failed(kernel))
    return failure();
  FailureOr<WindowAttrs> window =
      readWindow(node, v[0], kernel->size(), ArrayRef<int64_t>(*kernel), true);
  if (failed(window))
    return failure();
  Value bias = v.size() == 9 ? v[8] : Value();
  auto op = node.create<g::QLinearConvOp>(
      v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], bias, window->strides,
      window->dilations, window->pads, *group);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

/// RNN, GRU and LSTM: attributes resolved (default activations spelled out
/// for each direction, hidden_size read off R when absent).
template <typename OpTy>
LogicalResult importRecurrent(NodeImporter &node) {
  constexpr bool isLSTM = std::is_same_v<OpTy, g::LSTMOp>;
  constexpr bool isGRU = std::is_same_v<OpTy, g::GRUOp>;
  unsigned operandCount = isLSTM ? 8 : 6;
  SmallVector<Value> operands;
  SmallVector<int32_t> segments;
  for (unsigned i = 0; i < operandCount; ++i) {
    FailureOr<Value> value =
        i < 3 ? node.getInput(i) : node.getOptionalInput(i);
    if (failed(value))
      return failure();
    if (*value)
      operands.push_back(*value);
    segments.push_back(*value ? 1 : 0);
  }
  FailureOr<std::string> direction =
      node.getString("direction", StringRef("forward"));
  FailureOr<int64_t> layout = node.getInt("layout", 0);
  if (failed(direction) || failed(layout))
    return failure();
  int64_t hidden;
  if (node.hasAttr("hidden_size")) {
    FailureOr<int64_t> attr = node.getInt("hidden_size");
    if (failed(attr))
      return failure();
    hidden = *attr;
  } else {
    auto r = dyn_cast<RankedTensorType>(operands[2].getType());
    if (!r || r.getRank() != 3 || r.isDynamicDim(2))
      return node.emitError() << "needs hidden_size, or a recurrence weight "
                                 "of static shape to read it from";
    hidden = r.getDimSize(2);
  }
  SmallVector<std::string> perDirection =
      isLSTM  ? SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"}
      : isGRU ? SmallVector<std::string>{"Sigmoid", "Tanh"}
              : SmallVector<std::string>{"Tanh"};
  SmallVector<std::string> defaults(perDirection);
  if (*direction == "bidirectional")
    defaults.append(perDirection);
  auto activations = node.getStrings("activations", ArrayRef(defaults));
  auto alpha = node.getFloats("activation_alpha", ArrayRef<float>{});
  auto beta = node.getFloats("activation_beta", ArrayRef<float>{});
  if (failed(activations) || failed(alpha) || failed(beta))
    return failure();
  // Inference runs before the op exists and reads its properties.
  OpBuilder &b = node.getBuilder();
  OperationState state(node.getLoc(), OpTy::getOperationName());
  state.addOperands(operands);
  auto &props = state.getOrAddProperties<typename OpTy::Properties>();
  llvm::copy(segments, props.operandSegmentSizes.begin());
  props.hidden_size = b.getI64IntegerAttr(hidden);
  props.direction = b.getStringAttr(*direction);
  SmallVector<StringRef> names(activations->begin(), activations->end());
  props.activations = b.getStrArrayAttr(names);
  props.activation_alpha = b.getDenseF32ArrayAttr(*alpha);
  props.activation_beta = b.getDenseF32ArrayAttr(*beta);
  if (node.hasAttr("clip")) {
    FailureOr<float> clip = node.getFloat("clip");
    if (failed(clip))
      return failure();
    props.clip = b.getF32FloatAttr(*clip);
  }
  if (*layout)
    props.batch_first = b.getUnitAttr();
  if constexpr (isLSTM || isGRU) {
    FailureOr<int64_t> flag =
        node.getInt(isLSTM ? "input_forget" : "linear_before_reset", 0);
    if (failed(flag))
      return failure();
    if (*flag) {
      if constexpr (isLSTM)
        props.input_forget = b.getUnitAttr();
      else
        props.linear_before_reset = b.getUnitAttr();
    }
  }
  state.addTypes(SmallVector<Type>(isLSTM ? 3 : 2, b.getNoneType()));
  Operation *op = node.finishCreate(state, &OpTy::inferReturnTypes);
  return op ? node.setOutputs(op->getResults()) : failure();
}

LogicalResult importEinsum(NodeImporter &node) {
  FailureOr<SmallVector<Value>> inputs = node.getVariadicInputs(0);
  FailureOr<std::string> equation = node.getString("equation");
  if (failed(inputs) || failed(equation))
    return failure();
  // The normalised equation has no spaces.
  llvm::erase(*equation, ' ');
  auto op = node.create<g::EinsumOp>(ValueRange(*inputs), *equation);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

} // namespace

void addNNImporters(SmallVectorImpl<OpImporter> &table) {
  constexpr int64_t kMax = kMaxOpset;
  table.append({
      {"ArgMax", 1, kMax, importArgReduce<g::ArgMaxOp>},
      {"ArgMin", 1, kMax, importArgReduce<g::ArgMinOp>},
      {"Hardmax", 1, kMax, importSoftmaxLike<g::HardmaxOp>},
      {"LogSoftmax", 1, kMax, importSoftmaxLike<g::LogSoftmaxOp>},
      {"ReduceL1", 1, kMax, importReduce<g::ReduceL1Op, 18>},
      {"ReduceL2", 1, kMax, importReduce<g::ReduceL2Op, 18>},
      {"ReduceLogSum", 1, kMax, importReduce<g::ReduceLogSumOp, 18>},
      {"ReduceLogSumExp", 1, kMax, importReduce<g::ReduceLogSumExpOp, 18>},
      {"ReduceMax", 1, kMax, importReduce<g::ReduceMaxOp, 18>},
      {"ReduceMean", 1, kMax, importReduce<g::ReduceMeanOp, 18>},
      {"ReduceMin", 1, kMax, importReduce<g::ReduceMinOp, 18>},
      {"ReduceProd", 1, kMax, importReduce<g::ReduceProdOp, 18>},
      {"ReduceSum", 1, kMax, importReduce<g::ReduceSumOp, 13>},
      {"ReduceSumSquare", 1, kMax, importReduce<g::ReduceSumSquareOp, 18>},
      {"Softmax", 1, kMax, importSoftmaxLike<g::SoftmaxOp>},
      {"AveragePool", 7, kMax, importPool<g::AveragePoolOp>},
      {"BatchNormalization", 7, kMax, importBatchNorm},
      {"Conv", 1, kMax, importConv},
      {"ConvTranspose", 1, kMax, importConvTranspose},
      {"GlobalAveragePool", 1, kMax, importSimple<g::GlobalAveragePoolOp, 1>},
      {"GlobalMaxPool", 1, kMax, importSimple<g::GlobalMaxPoolOp, 1>},
      {"InstanceNormalization", 6, kMax, importInstanceNorm},
      {"LayerNormalization", 17, kMax, importLayerNorm},
      {"LRN", 1, kMax, importLRN},
      {"MaxPool", 8, kMax, importPool<g::MaxPoolOp>},
      {"ConvInteger", 10, kMax, importConvInteger},
      {"Einsum", 12, kMax, importEinsum},
      {"GRU", 7, kMax, importRecurrent<g::GRUOp>},
      {"LSTM", 7, kMax, importRecurrent<g::LSTMOp>},
      {"RNN", 7, kMax, importRecurrent<g::RNNOp>},
      {"DequantizeLinear", 10, kMax, importDequantize},
      {"DynamicQuantizeLinear", 11, kMax, importDynamicQuantize},
      {"MatMulInteger", 10, kMax, importMatMulInteger},
      {"QLinearConv", 10, kMax, importQLinearConv},
      {"QLinearMatMul", 10, kMax, importQLinearMatMul},
      {"QuantizeLinear", 10, kMax, importQuantize},
      {"NegativeLogLikelihoodLoss", 12, kMax, importLoss<g::NLLLossOp>},
      {"SoftmaxCrossEntropyLoss", 12, kMax,
       importLoss<g::SoftmaxCrossEntropyLossOp>},
  });
}

} // namespace loom::onnx
