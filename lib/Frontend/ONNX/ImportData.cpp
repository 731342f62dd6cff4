//===- ImportData.cpp - ONNX gather, scatter, slice, pad and friends ------===//
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

/// Reads `axis` (default `dflt`) and resolves it against `value`'s rank plus
/// `extra` (for ops whose axis indexes a larger result).
FailureOr<int64_t> readAxis(NodeImporter &node, Value value, int64_t dflt,
                            int64_t extra = 0) {
  FailureOr<int64_t> axis = node.getInt("axis", dflt);
  if (failed(axis))
    return failure();
  FailureOr<int64_t> rank = getRank(node, value, "input");
  if (failed(rank))
    return failure();
  return normalizeAxis(node, *axis, *rank + extra);
}

template <typename OpTy>
LogicalResult importGatherLike(NodeImporter &node) {
  FailureOr<Value> data = node.getInput(0), indices = node.getInput(1);
  if (failed(data) || failed(indices))
    return failure();
  FailureOr<int64_t> axis = readAxis(node, *data, 0);
  if (failed(axis))
    return failure();
  auto op = node.create<OpTy>(*data, *indices, *axis);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importGatherND(NodeImporter &node) {
  FailureOr<Value> data = node.getInput(0), indices = node.getInput(1);
  FailureOr<int64_t> batchDims = node.getInt("batch_dims", 0);
  if (failed(data) || failed(indices) || failed(batchDims))
    return failure();
  auto op = node.create<g::GatherNDOp>(*data, *indices, *batchDims);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importScatterElements(NodeImporter &node) {
  FailureOr<Value> data = node.getInput(0), indices = node.getInput(1),
                   updates = node.getInput(2);
  FailureOr<std::string> reduction =
      node.getString("reduction", StringRef("none"));
  if (failed(data) || failed(indices) || failed(updates) || failed(reduction))
    return failure();
  FailureOr<int64_t> axis = readAxis(node, *data, 0);
  if (failed(axis))
    return failure();
  auto op = node.create<g::ScatterElementsOp>(*data, *indices, *updates, *axis,
                                              *reduction);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importScatterND(NodeImporter &node) {
  FailureOr<Value> data = node.getInput(0), indices = node.getInput(1),
                   updates = node.getInput(2);
  FailureOr<std::string> reduction =
      node.getString("reduction", StringRef("none"));
  if (failed(data) || failed(indices) || failed(updates) || failed(reduction))
    return failure();
  auto op = node.create<g::ScatterNDOp>(*data, *indices, *updates, *reduction);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

/// Slice: constant bounds give graph.slice with one start, end and step per
/// dim; computed ones graph.dynamic_slice.
LogicalResult importSlice(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  std::optional<SmallVector<int64_t>> starts, ends, axes, steps;
  if (node.getOpset() < 10) {
    auto s = node.getInts("starts"), e = node.getInts("ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (node.hasAttr("axes")) {
      auto a = node.getInts("axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
  } else {
    FailureOr<Value> s = node.getInput(1), e = node.getInput(2);
    FailureOr<Value> a = node.getOptionalInput(3),
                     st = node.getOptionalInput(4);
    if (failed(s) || failed(e) || failed(a) || failed(st))
      return failure();
    bool computed = !node.getConstantInput(1) || !node.getConstantInput(2) ||
                    (*a && !node.getConstantInput(3)) ||
                    (*st && !node.getConstantInput(4));
    if (computed) {
      // Fill in the defaults as constants so that the op has one form.
      FailureOr<int64_t> rank = getRank(node, *x, "input");
      if (failed(rank))
        return failure();
      std::optional<int64_t> length = g::detail::getStaticLength(*s);
      Value axesValue = *a, stepsValue = *st;
      if ((!axesValue || !stepsValue) && !length)
        return node.emitError() << "starts of unknown length need explicit "
                                   "axes and steps";
      OpBuilder &b = node.getBuilder();
      auto constant = [&](ArrayRef<int64_t> values) -> Value {
        auto type =
            RankedTensorType::get({(int64_t)values.size()}, b.getI64Type());
        return g::ConstantOp::create(
            b, node.getLoc(),
            cast<ElementsAttr>(DenseIntElementsAttr::get(type, values)));
      };
      if (!axesValue) {
        SmallVector<int64_t> all;
        for (int64_t i = 0; i < *length; ++i)
          all.push_back(i);
        axesValue = constant(all);
      }
      if (!stepsValue)
        stepsValue = constant(SmallVector<int64_t>(*length, 1));
      auto op =
          node.create<g::DynamicSliceOp>(*x, *s, *e, axesValue, stepsValue);
      return failed(op) ? failure() : node.setOutputs(op->getResult());
    }
    starts = *node.getConstantInts(1, "starts");
    ends = *node.getConstantInts(2, "ends");
    auto axesValues = node.getConstantInts(3, "axes");
    auto stepsValues = node.getConstantInts(4, "steps");
    if (failed(axesValues) || failed(stepsValues))
      return failure();
    axes = *axesValues;
    steps = *stepsValues;
  }
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  if (starts->size() != ends->size() ||
      (axes && axes->size() != starts->size()) ||
      (steps && steps->size() != starts->size()))
    return node.emitError() << "starts, ends, axes and steps differ in length";
  SmallVector<int64_t> allStarts(*rank, 0), allEnds(*rank, INT64_MAX),
      allSteps(*rank, 1);
  for (size_t i = 0; i < starts->size(); ++i) {
    int64_t axis = axes ? (*axes)[i] : static_cast<int64_t>(i);
    FailureOr<int64_t> resolved = normalizeAxis(node, axis, *rank);
    if (failed(resolved))
      return failure();
    allStarts[*resolved] = (*starts)[i];
    allEnds[*resolved] = (*ends)[i];
    allSteps[*resolved] = steps ? (*steps)[i] : 1;
  }
  auto op = node.create<g::SliceOp>(*x, allStarts, allEnds, allSteps);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

/// Split: sizes from the `split` attribute (or, from 13 on, input), else
/// equal parts, one per output.
LogicalResult importSplit(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  FailureOr<int64_t> axis = readAxis(node, *x, 0);
  if (failed(axis))
    return failure();
  std::optional<SmallVector<int64_t>> sizes;
  Value computedSizes;
  if (node.getOpset() >= 13) {
    auto operand = getIntsOperand(node, 1, "split");
    if (failed(operand))
      return failure();
    sizes = operand->constant;
    computedSizes = operand->computed;
  } else if (node.hasAttr("split")) {
    auto values = node.getInts("split");
    if (failed(values))
      return failure();
    sizes = *values;
  }
  unsigned parts = node.getNumOutputs();
  if (!sizes && !computedSizes) {
    int64_t dim = cast<RankedTensorType>(x->getType()).getDimSize(*axis);
    if (ShapedType::isDynamic(dim))
      return node.emitError() << "splits a dim of unknown size into equal "
                                 "parts";
    if (parts == 0 || dim % parts != 0)
      return node.emitError()
             << "cannot split " << dim << " into " << parts << " equal parts";
    sizes = SmallVector<int64_t>(parts, dim / parts);
  }
  OperationState state(node.getLoc(), g::SplitOp::getOperationName());
  SmallVector<Type> placeholders(sizes ? sizes->size() : parts,
                                 node.getBuilder().getNoneType());
  g::SplitOp::build(node.getBuilder(), state, placeholders, *x, computedSizes,
                    *axis, sizes ? *sizes : SmallVector<int64_t>());
  Operation *op = node.finishCreate(state, &g::SplitOp::inferReturnTypes);
  return op ? node.setOutputs(op->getResults()) : failure();
}

template <typename OpTy>
LogicalResult importWithShapeOperand(NodeImporter &node) {
  return importSimple<OpTy, 2>(node);
}

LogicalResult importConstantOfShape(NodeImporter &node) {
  FailureOr<Value> shape = node.getInput(0);
  if (failed(shape))
    return failure();
  ElementsAttr value;
  if (node.hasAttr("value")) {
    FailureOr<ElementsAttr> tensor = node.getTensor("value");
    if (failed(tensor))
      return failure();
    value = *tensor;
  } else {
    value = DenseElementsAttr::get(
        RankedTensorType::get({1}, node.getBuilder().getF32Type()), 0.0f);
  }
  auto op = node.create<g::ConstantOfShapeOp>(*shape, value);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

/// Pad: constant pads (attribute before 11, input after) become attributes.
LogicalResult importPad(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<std::string> mode = node.getString("mode", StringRef("constant"));
  if (failed(x) || failed(mode))
    return failure();
  Value value, computedPads;
  SmallVector<int64_t> pads;
  if (node.getOpset() < 11) {
    FailureOr<SmallVector<int64_t>> attr = node.getInts("pads");
    FailureOr<float> constant = node.getFloat("value", 0.0f);
    if (failed(attr) || failed(constant))
      return failure();
    pads = *attr;
    if (*constant != 0.0f)
      value = createScalar(node, getElementTypeOrSelf(x->getType()), *constant);
  } else {
    auto operand = getIntsOperand(node, 1, "pads");
    FailureOr<Value> constant = node.getOptionalInput(2);
    if (failed(operand) || failed(constant))
      return failure();
    if (node.hasInput(3))
      return node.emitError() << "the axes input (opset 18) is not supported";
    if (!operand->constant && !operand->computed)
      return node.emitError() << "needs pads";
    if (operand->constant)
      pads = *operand->constant;
    computedPads = operand->computed;
    value = *constant;
  }
  auto op = node.create<g::PadOp>(*x, computedPads, value, pads, *mode);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importTrilu(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<Value> k = node.getOptionalInput(1);
  FailureOr<int64_t> upper = node.getInt("upper", 1);
  if (failed(x) || failed(k) || failed(upper))
    return failure();
  auto op = node.create<g::TriluOp>(*x, *k, *upper != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importCumSum(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  auto axisValue = getIntsOperand(node, 1, "axis");
  FailureOr<int64_t> exclusive = node.getInt("exclusive", 0);
  FailureOr<int64_t> reverse = node.getInt("reverse", 0);
  if (failed(x) || failed(axisValue) || failed(exclusive) || failed(reverse))
    return failure();
  if (axisValue->computed) {
    auto op = node.create<g::CumSumOp>(*x, axisValue->computed, IntegerAttr(),
                                       *exclusive != 0, *reverse != 0);
    return failed(op) ? failure() : node.setOutputs(op->getResult());
  }
  if (!axisValue->constant || axisValue->constant->size() != 1)
    return node.emitError() << "needs one axis";
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  FailureOr<int64_t> axis =
      normalizeAxis(node, (*axisValue->constant)[0], *rank);
  if (failed(axis))
    return failure();
  auto op = node.create<g::CumSumOp>(*x, Value(),
                                     node.getBuilder().getI64IntegerAttr(*axis),
                                     *exclusive != 0, *reverse != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importTopK(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  FailureOr<int64_t> axis = readAxis(node, *x, -1);
  FailureOr<int64_t> largest = node.getInt("largest", 1);
  FailureOr<int64_t> sorted = node.getInt("sorted", 1);
  if (failed(axis) || failed(largest) || failed(sorted))
    return failure();
  Value k;
  if (node.getOpset() < 10) {
    FailureOr<int64_t> attr = node.getInt("k");
    if (failed(attr))
      return failure();
    auto type = RankedTensorType::get({1}, node.getBuilder().getI64Type());
    k = g::ConstantOp::create(
        node.getBuilder(), node.getLoc(),
        cast<ElementsAttr>(DenseIntElementsAttr::get(type, {*attr})));
  } else {
    FailureOr<Value> input = node.getInput(1);
    if (failed(input))
      return failure();
    k = *input;
  }
  OperationState state(node.getLoc(), g::TopKOp::getOperationName());
  Type none = node.getBuilder().getNoneType();
  g::TopKOp::build(node.getBuilder(), state, {none, none}, *x, k, *axis,
                   *largest != 0, *sorted != 0);
  Operation *op = node.finishCreate(state, &g::TopKOp::inferReturnTypes);
  return op ? node.setOutputs(op->getResults()) : failure();
}

LogicalResult importOneHot(NodeImporter &node) {
  FailureOr<Value> indices = node.getInput(0), depth = node.getInput(1),
                   values = node.getInput(2);
  if (failed(indices) || failed(depth) || failed(values))
    return failure();
  FailureOr<int64_t> axis = readAxis(node, *indices, -1, /*extra=*/1);
  if (failed(axis))
    return failure();
  auto op = node.create<g::OneHotOp>(*indices, *depth, *values, *axis);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importDepthToSpace(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> blocksize = node.getInt("blocksize");
  FailureOr<std::string> mode = node.getString("mode", StringRef("DCR"));
  if (failed(x) || failed(blocksize) || failed(mode))
    return failure();
  if (*mode != "DCR" && *mode != "CRD")
    return node.emitError() << "mode must be DCR or CRD, got '" << *mode << "'";
  auto op = node.create<g::DepthToSpaceOp>(*x, *blocksize, *mode == "CRD");
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importSpaceToDepth(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> blocksize = node.getInt("blocksize");
  if (failed(x) || failed(blocksize))
    return failure();
  auto op = node.create<g::SpaceToDepthOp>(*x, *blocksize);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importEyeLike(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> k = node.getInt("k", 0);
  if (failed(x) || failed(k))
    return failure();
  Type dtype = getElementTypeOrSelf(x->getType());
  if (node.hasAttr("dtype")) {
    FailureOr<Type> attr = node.getElementType("dtype");
    if (failed(attr))
      return failure();
    dtype = *attr;
  }
  auto op = node.create<g::EyeLikeOp>(*x, *k, dtype);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importCompress(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), condition = node.getInput(1);
  if (failed(x) || failed(condition))
    return failure();
  IntegerAttr axisAttr;
  if (node.hasAttr("axis")) {
    FailureOr<int64_t> axis = readAxis(node, *x, 0);
    if (failed(axis))
      return failure();
    axisAttr = node.getBuilder().getI64IntegerAttr(*axis);
  }
  auto op = node.create<g::CompressOp>(*x, *condition, axisAttr);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

/// The float values of constant input #index, if it is one.
std::optional<SmallVector<float>> getConstantFloats(NodeImporter &node,
                                                    unsigned index) {
  ElementsAttr attr = node.getConstantInput(index);
  if (!attr || !attr.getElementType().isF32())
    return std::nullopt;
  auto values = attr.tryGetValues<float>();
  if (!values)
    return std::nullopt;
  return llvm::to_vector(*values);
}

/// Resize (10 on) and Upsample: constant scales or sizes become attributes.
LogicalResult importResize(NodeImporter &node) {
  bool upsample = node.getOpType() == "Upsample";
  bool legacy = upsample || node.getOpset() < 11;
  FailureOr<Value> x = node.getInput(0);
  FailureOr<std::string> mode = node.getString("mode", StringRef("nearest"));
  if (failed(x) || failed(mode))
    return failure();
  Value roi, computedScales, computedSizes;
  DenseF32ArrayAttr scales;
  DenseI64ArrayAttr sizes;
  OpBuilder &b = node.getBuilder();
  unsigned scalesIndex = legacy ? 1 : 2;
  if (upsample && node.getOpset() < 9) {
    FailureOr<SmallVector<float>> attr = node.getFloats("scales");
    if (failed(attr))
      return failure();
    scales = b.getDenseF32ArrayAttr(*attr);
  } else if (node.hasInput(scalesIndex) && !(!legacy && node.hasInput(3))) {
    if (auto values = getConstantFloats(node, scalesIndex)) {
      // ONNX marks "use sizes" with an empty scales tensor.
      if (!values->empty())
        scales = b.getDenseF32ArrayAttr(*values);
    } else {
      FailureOr<Value> value = node.getInput(scalesIndex);
      if (failed(value))
        return failure();
      computedScales = *value;
    }
  }
  if (!legacy && node.hasInput(3)) {
    auto operand = getIntsOperand(node, 3, "sizes");
    if (failed(operand))
      return failure();
    if (operand->constant)
      sizes = b.getDenseI64ArrayAttr(*operand->constant);
    computedSizes = operand->computed;
  }
  if (!legacy && node.hasInput(1)) {
    FailureOr<Value> value = node.getInput(1);
    if (failed(value))
      return failure();
    roi = *value;
  }
  std::string coordinates = "asymmetric", nearest = "floor";
  float cubic = -0.75f, extrapolation = 0.0f;
  int64_t exclude = 0;
  if (!legacy) {
    auto c = node.getString("coordinate_transformation_mode",
                            StringRef("half_pixel"));
    auto n = node.getString("nearest_mode", StringRef("round_prefer_floor"));
    auto a = node.getFloat("cubic_coeff_a", -0.75f);
    auto e = node.getFloat("extrapolation_value", 0.0f);
    auto o = node.getInt("exclude_outside", 0);
    if (failed(c) || failed(n) || failed(a) || failed(e) || failed(o))
      return failure();
    coordinates = *c;
    nearest = *n;
    cubic = *a;
    extrapolation = *e;
    exclude = *o;
  }
  // Older opsets spell linear "bilinear"/"trilinear" in some exporters.
  std::string normalizedMode =
      StringRef(*mode).ends_with("linear") ? "linear" : *mode;
  auto op = node.create<g::ResizeOp>(
      *x, roi, computedScales, computedSizes, scales, sizes,
      b.getStringAttr(normalizedMode), b.getStringAttr(coordinates),
      b.getStringAttr(nearest), b.getF32FloatAttr(cubic),
      exclude != 0 ? b.getUnitAttr() : UnitAttr(),
      b.getF32FloatAttr(extrapolation));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

} // namespace

void addDataImporters(SmallVectorImpl<OpImporter> &table) {
  constexpr int64_t kMax = kMaxOpset;
  table.append({
      {"Compress", 9, kMax, importCompress},
      {"ConstantOfShape", 9, kMax, importConstantOfShape},
      {"CumSum", 11, kMax, importCumSum},
      {"DepthToSpace", 11, kMax, importDepthToSpace},
      {"Expand", 8, kMax, importWithShapeOperand<g::ExpandOp>},
      {"EyeLike", 9, kMax, importEyeLike},
      {"Gather", 1, kMax, importGatherLike<g::GatherOp>},
      {"GatherElements", 11, kMax, importGatherLike<g::GatherElementsOp>},
      {"GatherND", 11, kMax, importGatherND},
      {"NonZero", 9, kMax, importSimple<g::NonZeroOp, 1>},
      {"OneHot", 9, kMax, importOneHot},
      {"Pad", 2, kMax, importPad},
      {"Range", 11, kMax, importSimple<g::RangeOp, 3>},
      {"Resize", 10, kMax, importResize},
      {"Upsample", 7, 9, importResize},
      {"Scatter", 9, 10, importScatterElements},
      {"ScatterElements", 11, kMax, importScatterElements},
      {"ScatterND", 11, kMax, importScatterND},
      {"Slice", 1, kMax, importSlice},
      {"SpaceToDepth", 1, kMax, importSpaceToDepth},
      {"Split", 2, kMax, importSplit},
      {"Tile", 6, kMax, importWithShapeOperand<g::TileOp>},
      {"TopK", 1, kMax, importTopK},
      {"Trilu", 14, kMax, importTrilu},
  });
}

} // namespace loom::onnx
