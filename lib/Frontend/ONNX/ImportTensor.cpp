//===- ImportTensor.cpp - ONNX constants, contractions and shape ops ------===//
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

/// Constant: exactly one of its value attributes.
LogicalResult importConstant(NodeImporter &node) {
  OpBuilder &b = node.getBuilder();
  ElementsAttr value;
  if (node.hasAttr("value")) {
    FailureOr<ElementsAttr> tensor = node.getTensor("value");
    if (failed(tensor))
      return failure();
    value = *tensor;
  } else if (node.hasAttr("value_float")) {
    FailureOr<float> f = node.getFloat("value_float");
    if (failed(f))
      return failure();
    value =
        DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()), *f);
  } else if (node.hasAttr("value_floats")) {
    FailureOr<SmallVector<float>> fs = node.getFloats("value_floats");
    if (failed(fs))
      return failure();
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)fs->size()}, b.getF32Type()),
        ArrayRef<float>(*fs));
  } else if (node.hasAttr("value_int")) {
    FailureOr<int64_t> i = node.getInt("value_int");
    if (failed(i))
      return failure();
    value =
        DenseElementsAttr::get(RankedTensorType::get({}, b.getI64Type()), *i);
  } else if (node.hasAttr("value_ints")) {
    FailureOr<SmallVector<int64_t>> is = node.getInts("value_ints");
    if (failed(is))
      return failure();
    value = DenseElementsAttr::get(
        RankedTensorType::get({(int64_t)is->size()}, b.getI64Type()),
        ArrayRef<int64_t>(*is));
  } else if (node.hasAttr("sparse_value") || node.hasAttr("value_string") ||
             node.hasAttr("value_strings")) {
    return node.emitError() << "sparse and string constants are not "
                               "imported yet";
  } else {
    return node.emitError() << "has no value attribute";
  }
  Value constant = graph::ConstantOp::create(b, node.getLoc(), value);
  return node.setOutputs(constant);
}

LogicalResult importIdentity(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0, NodeImporter::InputKind::Any);
  return failed(x) ? failure() : node.setOutputs(*x);
}

LogicalResult importMatMul(NodeImporter &node) {
  FailureOr<Value> lhs = node.getInput(0), rhs = node.getInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  auto op = node.create<graph::MatMulOp>(*lhs, *rhs);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importGemm(NodeImporter &node) {
  FailureOr<Value> a = node.getInput(0), b = node.getInput(1);
  FailureOr<Value> c = node.getOptionalInput(2);
  FailureOr<int64_t> transA = node.getInt("transA", 0);
  FailureOr<int64_t> transB = node.getInt("transB", 0);
  FailureOr<float> alpha = node.getFloat("alpha", 1.0f);
  FailureOr<float> beta = node.getFloat("beta", 1.0f);
  if (failed(a) || failed(b) || failed(c) || failed(transA) || failed(transB) ||
      failed(alpha) || failed(beta))
    return failure();
  auto op = node.create<graph::GemmOp>(*a, *b, *c, *transA != 0, *transB != 0,
                                       APFloat(*alpha), APFloat(*beta));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importReshape(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0), shape = node.getInput(1);
  FailureOr<int64_t> allowZero = node.getInt("allowzero", 0);
  if (failed(x) || failed(shape) || failed(allowZero))
    return failure();
  auto op = node.create<graph::ReshapeOp>(*x, *shape, *allowZero != 0);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importTranspose(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  SmallVector<int64_t> reversed;
  for (int64_t i = *rank - 1; i >= 0; --i)
    reversed.push_back(i);
  FailureOr<SmallVector<int64_t>> perm = node.getInts("perm", reversed);
  if (failed(perm))
    return failure();
  auto op = node.create<g::TransposeOp>(*x, *perm);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importSqueeze(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  auto axes = getAxesOperand(node, 13);
  if (failed(x) || failed(axes))
    return failure();
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  if (axes->computed) {
    auto op =
        node.create<g::SqueezeOp>(*x, axes->computed, ArrayRef<int64_t>{});
    return failed(op) ? failure() : node.setOutputs(op->getResult());
  }
  SmallVector<int64_t> resolved;
  if (axes->constant) {
    auto normalized = normalizeAxes(node, *axes->constant, *rank);
    if (failed(normalized))
      return failure();
    resolved = *normalized;
  } else {
    // Every size-1 dim, which must then be known.
    for (auto [i, dim] :
         llvm::enumerate(cast<RankedTensorType>(x->getType()).getShape())) {
      if (ShapedType::isDynamic(dim))
        return node.emitError() << "squeezes every size-1 dim, but dim " << i
                                << " of the input is unknown";
      if (dim == 1)
        resolved.push_back(i);
    }
  }
  auto op = node.create<g::SqueezeOp>(*x, Value(), resolved);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importUnsqueeze(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  auto axes = getAxesOperand(node, 13);
  if (failed(x) || failed(axes))
    return failure();
  if (axes->computed) {
    auto op =
        node.create<g::UnsqueezeOp>(*x, axes->computed, ArrayRef<int64_t>{});
    return failed(op) ? failure() : node.setOutputs(op->getResult());
  }
  if (!axes->constant)
    return node.emitError() << "needs axes";
  FailureOr<int64_t> rank = getRank(node, *x, "input");
  if (failed(rank))
    return failure();
  auto resolved =
      normalizeAxes(node, *axes->constant, *rank + axes->constant->size());
  if (failed(resolved))
    return failure();
  auto op = node.create<g::UnsqueezeOp>(*x, Value(), *resolved);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importFlatten(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> axis = node.getInt("axis", 1);
  if (failed(x) || failed(axis))
    return failure();
  int64_t resolved = *axis;
  if (resolved < 0) {
    FailureOr<int64_t> rank = getRank(node, *x, "input");
    if (failed(rank))
      return failure();
    resolved += *rank;
    if (resolved < 0)
      return node.emitError()
             << "axis " << *axis << " is out of range for rank " << *rank;
  }
  auto op = node.create<g::FlattenOp>(*x, resolved);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importConcat(NodeImporter &node) {
  FailureOr<SmallVector<Value>> inputs = node.getVariadicInputs(0);
  FailureOr<int64_t> axis = node.getInt("axis");
  if (failed(inputs) || failed(axis))
    return failure();
  FailureOr<int64_t> rank = getRank(node, inputs->front(), "first input");
  if (failed(rank))
    return failure();
  FailureOr<int64_t> resolved = normalizeAxis(node, *axis, *rank);
  if (failed(resolved))
    return failure();
  auto op = node.create<g::ConcatOp>(ValueRange(*inputs), *resolved);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importShape(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  FailureOr<int64_t> start = node.getInt("start", 0);
  if (failed(x) || failed(start))
    return failure();
  std::optional<int64_t> end;
  if (node.hasAttr("end")) {
    FailureOr<int64_t> value = node.getInt("end");
    if (failed(value))
      return failure();
    end = *value;
  }
  // Start and end clamp to [0, rank], as ONNX says.
  auto type = dyn_cast<RankedTensorType>(x->getType());
  if ((*start < 0 || (end && *end < 0)) && !type)
    return node.emitError() << "needs the rank of its input for a negative "
                               "start or end";
  int64_t rank = type ? type.getRank() : INT64_MAX;
  auto clamp = [&](int64_t v) {
    return std::clamp<int64_t>(v < 0 ? v + rank : v, 0, rank);
  };
  int64_t from = clamp(*start);
  std::optional<int64_t> to;
  if (end)
    to = std::max(from, clamp(*end));
  else if (type)
    to = rank;
  auto op = node.create<g::ShapeOp>(
      *x, node.getBuilder().getI64IntegerAttr(from),
      to ? node.getBuilder().getI64IntegerAttr(*to) : IntegerAttr());
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

/// Dropout known to be in inference mode is the identity (its mask, if
/// asked for, all true); otherwise graph.dropout.
LogicalResult importDropout(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  bool training = false;
  Value ratio, trainingMode;
  if (node.getOpset() >= 12) {
    FailureOr<Value> r = node.getOptionalInput(1), t = node.getOptionalInput(2);
    if (failed(r) || failed(t))
      return failure();
    ratio = *r;
    trainingMode = *t;
    if (trainingMode) {
      ElementsAttr constant = node.getConstantInput(2);
      training = !constant || constant.getValues<bool>()[0];
    }
  }
  if (training) {
    IntegerAttr seed;
    if (node.hasAttr("seed")) {
      FailureOr<int64_t> value = node.getInt("seed");
      if (failed(value))
        return failure();
      seed = node.getBuilder().getI64IntegerAttr(*value);
    }
    OperationState state(node.getLoc(), g::DropoutOp::getOperationName());
    Type none = node.getBuilder().getNoneType();
    g::DropoutOp::build(node.getBuilder(), state, {none, none}, *x, ratio,
                        trainingMode, seed);
    Operation *op = node.finishCreate(state, &g::DropoutOp::inferReturnTypes);
    return op ? node.setOutputs(op->getResults()) : failure();
  }
  if (!node.hasOutput(1))
    return node.setOutputs(*x);
  auto type = dyn_cast<RankedTensorType>(x->getType());
  if (!type || !type.hasStaticShape())
    return node.emitError() << "the mask of an input of unknown shape is not "
                               "supported";
  auto maskType =
      RankedTensorType::get(type.getShape(), node.getBuilder().getI1Type());
  Value mask = g::ConstantOp::create(
      node.getBuilder(), node.getLoc(),
      cast<ElementsAttr>(DenseElementsAttr::get(maskType, true)));
  return node.setOutputs({*x, mask});
}

} // namespace

void addTensorImporters(SmallVectorImpl<OpImporter> &table) {
  constexpr int64_t kMax = kMaxOpset;
  table.append({
      {"Concat", 4, kMax, importConcat},
      {"Constant", 1, kMax, importConstant},
      {"Dropout", 7, kMax, importDropout},
      {"Flatten", 1, kMax, importFlatten},
      {"Gemm", 7, kMax, importGemm},
      {"Identity", 1, kMax, importIdentity},
      {"MatMul", 1, kMax, importMatMul},
      {"Reshape", 5, kMax, importReshape},
      {"Shape", 1, kMax, importShape},
      {"Size", 1, kMax, importSimple<g::SizeOp, 1>},
      {"Squeeze", 1, kMax, importSqueeze},
      {"Transpose", 1, kMax, importTranspose},
      {"Unsqueeze", 1, kMax, importUnsqueeze},
  });
}

} // namespace loom::onnx
