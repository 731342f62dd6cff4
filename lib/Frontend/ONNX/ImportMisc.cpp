//===- ImportMisc.cpp - ONNX detection, signal, random and other ops ------===//
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

LogicalResult importNMS(NodeImporter &node) {
  FailureOr<Value> boxes = node.getInput(0), scores = node.getInput(1);
  FailureOr<Value> max = node.getOptionalInput(2),
                   iou = node.getOptionalInput(3),
                   score = node.getOptionalInput(4);
  FailureOr<int64_t> center = node.getInt("center_point_box", 0);
  if (failed(boxes) || failed(scores) || failed(max) || failed(iou) ||
      failed(score) || failed(center))
    return failure();
  auto op = node.create<g::NonMaxSuppressionOp>(*boxes, *scores, *max, *iou,
                                                *score, *center != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importGridSample(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), grid = node.getInput(1);
  FailureOr<std::string> mode = node.getString("mode", StringRef("bilinear"));
  FailureOr<std::string> padding =
      node.getString("padding_mode", StringRef("zeros"));
  FailureOr<int64_t> align = node.getInt("align_corners", 0);
  if (failed(x) || failed(grid) || failed(mode) || failed(padding) ||
      failed(align))
    return failure();
  auto op =
      node.create<g::GridSampleOp>(*x, *grid, *mode, *padding, *align != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

template <const char *Kind>
LogicalResult importWindow(NodeImporter &node) {
  FailureOr<Value> size = node.getInput(0);
  FailureOr<int64_t> periodic = node.getInt("periodic", 1);
  if (failed(size) || failed(periodic))
    return failure();
  Type dtype = node.getBuilder().getF32Type();
  if (node.hasAttr("output_datatype")) {
    FailureOr<Type> type = node.getElementType("output_datatype");
    if (failed(type))
      return failure();
    dtype = *type;
  }
  auto op = node.create<g::WindowOp>(*size, Kind, *periodic != 0, dtype);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}
constexpr char kHann[] = "hann", kHamming[] = "hamming",
               kBlackman[] = "blackman";

LogicalResult importUnique(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> sorted = node.getInt("sorted", 1);
  if (failed(x) || failed(sorted))
    return failure();
  IntegerAttr axisAttr;
  if (node.hasAttr("axis")) {
    FailureOr<int64_t> axis = node.getInt("axis");
    FailureOr<int64_t> rank = getRank(node, *x, "input");
    if (failed(axis) || failed(rank))
      return failure();
    FailureOr<int64_t> resolved = normalizeAxis(node, *axis, *rank);
    if (failed(resolved))
      return failure();
    axisAttr = node.getBuilder().getI64IntegerAttr(*resolved);
  }
  OperationState state(node.getLoc(), g::UniqueOp::getOperationName());
  Type none = node.getBuilder().getNoneType();
  g::UniqueOp::build(node.getBuilder(), state, {none, none, none, none}, *x,
                     axisAttr, node.getBuilder().getBoolAttr(*sorted != 0));
  Operation *op = node.finishCreate(state, &g::UniqueOp::inferReturnTypes);
  return op ? node.setOutputs(op->getResults()) : failure();
}

LogicalResult importReverseSequence(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), lens = node.getInput(1);
  FailureOr<int64_t> batch = node.getInt("batch_axis", 1);
  FailureOr<int64_t> time = node.getInt("time_axis", 0);
  if (failed(x) || failed(lens) || failed(batch) || failed(time))
    return failure();
  auto op = node.create<g::ReverseSequenceOp>(*x, *lens, *batch, *time);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importMVN(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  SmallVector<int64_t> dflt = {0, 2, 3};
  FailureOr<SmallVector<int64_t>> axes = node.getInts("axes", ArrayRef(dflt));
  if (failed(axes))
    return failure();
  auto resolved = normalizeAxes(node, *axes, *rank);
  if (failed(resolved))
    return failure();
  auto op = node.create<g::MeanVarianceNormOp>(*x, *resolved);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importRoiAlign(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), rois = node.getInput(1),
                   batch = node.getInput(2);
  auto mode = node.getString("mode", StringRef("avg"));
  auto coords = node.getString(
      "coordinate_transformation_mode",
      StringRef(node.getOpset() < 16 ? "output_half_pixel" : "half_pixel"));
  auto height = node.getInt("output_height", 1);
  auto width = node.getInt("output_width", 1);
  auto ratio = node.getInt("sampling_ratio", 0);
  auto scale = node.getFloat("spatial_scale", 1.0f);
  if (failed(x) || failed(rois) || failed(batch) || failed(mode) ||
      failed(coords) || failed(height) || failed(width) || failed(ratio) ||
      failed(scale))
    return failure();
  auto op =
      node.create<g::RoiAlignOp>(*x, *rois, *batch, *mode, *coords, *height,
                                 *width, *ratio, APFloat(*scale));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

template <typename OpTy>
LogicalResult importRandomLike(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  Type dtype = getElementTypeOrSelf(x->getType());
  if (node.hasAttr("dtype")) {
    FailureOr<Type> type = node.getElementType("dtype");
    if (failed(type))
      return failure();
    dtype = *type;
  }
  FloatAttr seed;
  if (node.hasAttr("seed")) {
    FailureOr<float> value = node.getFloat("seed");
    if (failed(value))
      return failure();
    seed = node.getBuilder().getF32FloatAttr(*value);
  }
  if constexpr (std::is_same_v<OpTy, g::RandomUniformLikeOp>) {
    FailureOr<float> low = node.getFloat("low", 0.0f);
    FailureOr<float> high = node.getFloat("high", 1.0f);
    if (failed(low) || failed(high))
      return failure();
    auto op = node.create<OpTy>(*x, TypeAttr::get(dtype), seed,
                                node.getBuilder().getF32FloatAttr(*low),
                                node.getBuilder().getF32FloatAttr(*high));
    return failed(op) ? failure() : node.setOutputs(op->getResult());
  } else {
    auto op = node.create<OpTy>(*x, TypeAttr::get(dtype), seed);
    return failed(op) ? failure() : node.setOutputs(op->getResult());
  }
}

LogicalResult importMaxUnpool(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), indices = node.getInput(1);
  FailureOr<Value> shape = node.getOptionalInput(2);
  FailureOr<SmallVector<int64_t>> kernel = node.getInts("kernel_shape");
  if (failed(x) || failed(indices) || failed(shape) || failed(kernel))
    return failure();
  SmallVector<int64_t> ones(kernel->size(), 1), zeros(2 * kernel->size(), 0);
  auto strides = node.getInts("strides", ArrayRef(ones));
  auto pads = node.getInts("pads", ArrayRef(zeros));
  if (failed(strides) || failed(pads))
    return failure();
  auto op = node.create<g::MaxUnpoolOp>(*x, *indices, *shape, *kernel, *strides,
                                        *pads);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importDFT(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<Value> length = node.getOptionalInput(1);
  FailureOr<int64_t> inverse = node.getInt("inverse", 0);
  FailureOr<int64_t> onesided = node.getInt("onesided", 0);
  if (failed(x) || failed(length) || failed(inverse) || failed(onesided))
    return failure();
  FailureOr<int64_t> axis = node.getInt("axis", 1);
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(axis) || failed(rank))
    return failure();
  // The last dim holds [re(, im)]: axes count among the others.
  FailureOr<int64_t> resolved = normalizeAxis(node, *axis, *rank - 1);
  if (failed(resolved))
    return failure();
  auto op = node.create<g::DFTOp>(*x, *length, *resolved, *inverse != 0,
                                  *onesided != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

} // namespace

void addMiscImporters(SmallVectorImpl<OpImporter> &table) {
  constexpr int64_t kMax = kMaxOpset;
  table.append({
      {"Bernoulli", 15, kMax, importRandomLike<g::BernoulliOp>},
      {"BlackmanWindow", 17, kMax, importWindow<kBlackman>},
      {"DFT", 17, kMax, importDFT},
      {"Det", 11, kMax, importSimple<g::DetOp, 1>},
      {"GridSample", 16, kMax, importGridSample},
      {"HammingWindow", 17, kMax, importWindow<kHamming>},
      {"HannWindow", 17, kMax, importWindow<kHann>},
      {"MaxUnpool", 9, kMax, importMaxUnpool},
      {"MeanVarianceNormalization", 9, kMax, importMVN},
      {"NonMaxSuppression", 10, kMax, importNMS},
      {"RandomUniformLike", 1, kMax, importRandomLike<g::RandomUniformLikeOp>},
      {"ReverseSequence", 10, kMax, importReverseSequence},
      {"RoiAlign", 10, kMax, importRoiAlign},
      {"Unique", 11, kMax, importUnique},
  });
}

} // namespace loom::onnx
