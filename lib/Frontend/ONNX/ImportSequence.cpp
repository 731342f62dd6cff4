//===- ImportSequence.cpp - ONNX sequence and optional ops ----------------===//
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

/// Positions are optional scalar inputs.
FailureOr<Value> getPosition(NodeImporter &node, unsigned index) {
  FailureOr<Value> position = node.getOptionalInput(index);
  if (failed(position))
    return failure();
  return toScalar(node, *position);
}

LogicalResult importSequenceEmpty(NodeImporter &node) {
  Type element = node.getBuilder().getF32Type();
  if (node.hasAttr("dtype")) {
    FailureOr<Type> dtype = node.getElementType("dtype");
    if (failed(dtype))
      return failure();
    element = *dtype;
  }
  // Each element may have any shape: unranked until inference knows more.
  auto type = g::SequenceType::get(UnrankedTensorType::get(element));
  Value seq =
      g::SequenceEmptyOp::create(node.getBuilder(), node.getLoc(), type);
  return node.setOutputs(seq);
}

constexpr auto kAny = NodeImporter::InputKind::Any;
constexpr auto kAnyTensor = NodeImporter::InputKind::AnyTensor;

/// A sequence input.
FailureOr<Value> getSequence(NodeImporter &node, unsigned index) {
  FailureOr<Value> value = node.getInput(index, kAny);
  if (succeeded(value) && !isa<g::SequenceType>(value->getType()))
    return node.emitError() << "input #" << index << " must be a sequence, got "
                            << value->getType();
  return value;
}

LogicalResult importSequenceConstruct(NodeImporter &node) {
  FailureOr<SmallVector<Value>> inputs =
      node.getVariadicInputs(0, 1, kAnyTensor);
  if (failed(inputs))
    return failure();
  auto op = node.create<g::SequenceConstructOp>(ValueRange(*inputs));
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importSequenceInsert(NodeImporter &node) {
  FailureOr<Value> seq = getSequence(node, 0),
                   tensor = node.getInput(1, kAnyTensor);
  FailureOr<Value> position = getPosition(node, 2);
  if (failed(seq) || failed(tensor) || failed(position))
    return failure();
  auto op = node.create<g::SequenceInsertOp>(*seq, *tensor, *position);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importSequenceErase(NodeImporter &node) {
  FailureOr<Value> seq = getSequence(node, 0);
  FailureOr<Value> position = getPosition(node, 1);
  if (failed(seq) || failed(position))
    return failure();
  auto op = node.create<g::SequenceEraseOp>(*seq, *position);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importSequenceAt(NodeImporter &node) {
  FailureOr<Value> seq = getSequence(node, 0);
  FailureOr<Value> position = node.getInput(1);
  if (succeeded(position))
    position = toScalar(node, *position);
  if (failed(seq) || failed(position))
    return failure();
  auto op = node.create<g::SequenceAtOp>(*seq, *position);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importSequenceLength(NodeImporter &node) {
  FailureOr<Value> seq = getSequence(node, 0);
  if (failed(seq))
    return failure();
  auto op = node.create<g::SequenceLengthOp>(*seq);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

LogicalResult importSequenceMap(NodeImporter &node) {
  if (failed(getSequence(node, 0)))
    return failure();
  FailureOr<SmallVector<Value>> inputs = node.getVariadicInputs(0, 1, kAny);
  if (failed(inputs))
    return failure();
  SmallVector<Type> argTypes;
  for (Value input : *inputs) {
    Type type = input.getType();
    if (auto seq = dyn_cast<g::SequenceType>(type))
      type = seq.getElementType();
    else if (!isa<TensorType>(type))
      return node.emitError()
             << "inputs must be sequences or tensors, got " << type;
    argTypes.push_back(type);
  }
  CaptureScope scope;
  auto region = std::make_unique<Region>();
  region->push_back(new Block());
  scope.blocks.push_back(&region->front());
  auto yielded = node.importSubgraph("body", scope.blocks[0], argTypes, scope);
  if (failed(yielded))
    return failure();
  SmallVector<Type> resultTypes;
  for (Value value : *yielded) {
    auto tensor = dyn_cast<TensorType>(value.getType());
    if (!tensor)
      return node.emitError()
             << "the body must yield tensors, got " << value.getType();
    resultTypes.push_back(g::SequenceType::get(tensor));
  }
  OpBuilder &b = node.getBuilder();
  OperationState state(node.getLoc(), g::SequenceMapOp::getOperationName());
  state.addOperands(*inputs);
  state.addOperands(scope.captures);
  state.addAttribute(
      g::SequenceMapOp::getOperandSegmentSizesAttrName(state.name),
      b.getDenseI32ArrayAttr({1, static_cast<int32_t>(inputs->size() - 1),
                              static_cast<int32_t>(scope.captures.size())}));
  state.addTypes(resultTypes);
  state.addRegion(std::move(region));
  Operation *op = node.createAndVerify(state);
  return op ? node.setOutputs(op->getResults()) : failure();
}

LogicalResult importOptional(NodeImporter &node) {
  FailureOr<Value> value = node.getOptionalInput(0, kAny);
  if (failed(value))
    return failure();
  if (*value && isa<g::OptionalType>(value->getType()))
    return node.emitError()
           << "input #0 must be a tensor or sequence, got " << value->getType();
  if (*value) {
    auto op = node.create<g::OptionalOp>(*value);
    return failed(op) ? failure() : node.setOutputs(op->getResult());
  }
  FailureOr<Type> type = node.getTypeAttr("type");
  if (failed(type))
    return failure();
  if (!isa<TensorType, g::SequenceType>(*type))
    return node.emitError() << "attribute 'type' must be a tensor or sequence "
                               "type, got "
                            << *type;
  Value none = g::OptionalNoneOp::create(node.getBuilder(), node.getLoc(),
                                         g::OptionalType::get(*type));
  return node.setOutputs(none);
}

/// ONNX 18 lets these take a tensor or sequence too; up to 17 an optional.
template <typename OpTy>
LogicalResult importOptionalQuery(NodeImporter &node) {
  FailureOr<Value> optional = node.getInput(0, kAny);
  if (failed(optional))
    return failure();
  if (!isa<g::OptionalType>(optional->getType()))
    return node.emitError()
           << "input #0 must be an optional, got " << optional->getType();
  auto op = node.create<OpTy>(*optional);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

} // namespace

void addSequenceImporters(SmallVectorImpl<OpImporter> &table) {
  constexpr int64_t kMax = kMaxOpset;
  table.append({
      {"Optional", 15, kMax, importOptional},
      {"OptionalGetElement", 15, kMax,
       importOptionalQuery<g::OptionalGetElementOp>},
      {"OptionalHasElement", 15, kMax,
       importOptionalQuery<g::OptionalHasElementOp>},
      {"SequenceAt", 11, kMax, importSequenceAt},
      {"SequenceConstruct", 11, kMax, importSequenceConstruct},
      {"SequenceEmpty", 11, kMax, importSequenceEmpty},
      {"SequenceErase", 11, kMax, importSequenceErase},
      {"SequenceInsert", 11, kMax, importSequenceInsert},
      {"SequenceLength", 11, kMax, importSequenceLength},
      {"SequenceMap", 17, kMax, importSequenceMap},
  });
}

} // namespace loom::onnx
