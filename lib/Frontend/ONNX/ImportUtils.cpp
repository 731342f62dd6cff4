//===- ImportUtils.cpp - Helpers shared by op-family importers ------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "ImportUtils.h"

#include "dialects/graph/IR/GraphOps.h"

using namespace mlir;

namespace loom::onnx {

FailureOr<int64_t> getRank(NodeImporter &node, Value value, StringRef what) {
  if (!isa<TensorType>(value.getType()))
    return node.emitError()
           << "its " << what << " must be a tensor, got " << value.getType();
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type)
    return node.emitError() << "needs the rank of its " << what
                            << ", which the model leaves unknown";
  return type.getRank();
}

FailureOr<int64_t> normalizeAxis(NodeImporter &node, int64_t axis,
                                 int64_t rank) {
  if (axis < -rank || axis >= rank)
    return node.emitError()
           << "axis " << axis << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>>
normalizeAxes(NodeImporter &node, ArrayRef<int64_t> axes, int64_t rank) {
  SmallVector<int64_t> result;
  for (int64_t axis : axes) {
    FailureOr<int64_t> normalized = normalizeAxis(node, axis, rank);
    if (failed(normalized))
      return failure();
    result.push_back(*normalized);
  }
  llvm::sort(result);
  if (std::adjacent_find(result.begin(), result.end()) != result.end())
    return node.emitError() << "axes repeat an axis";
  return result;
}

FailureOr<Value> toScalar(NodeImporter &node, Value value) {
  auto type = value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
  if (!value || (type && type.getRank() == 0))
    return value;
  OpBuilder &b = node.getBuilder();
  auto empty = RankedTensorType::get({0}, b.getI64Type());
  Value shape =
      graph::ConstantOp::create(b, node.getLoc(),
                                cast<ElementsAttr>(DenseIntElementsAttr::get(
                                    empty, ArrayRef<int64_t>{})));
  auto reshape = node.create<graph::ReshapeOp>(value, shape, false);
  if (failed(reshape))
    return failure();
  return reshape->getResult();
}

Value createScalar(NodeImporter &node, Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute attr;
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    APFloat f(value);
    bool losesInfo;
    f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
              &losesInfo);
    attr = DenseElementsAttr::get(type, f);
  } else {
    attr = DenseElementsAttr::get(
        type, APInt(elementType.getIntOrFloatBitWidth(),
                    static_cast<int64_t>(value), /*isSigned=*/true));
  }
  return graph::ConstantOp::create(node.getBuilder(), node.getLoc(),
                                   cast<ElementsAttr>(attr));
}

FailureOr<IntsOperand> getIntsOperand(NodeImporter &node, unsigned index,
                                      StringRef what) {
  IntsOperand operand;
  if (!node.hasInput(index))
    return operand;
  if (!node.getConstantInput(index)) {
    FailureOr<Value> value = node.getInput(index);
    if (failed(value))
      return failure();
    operand.computed = *value;
    return operand;
  }
  auto values = node.getConstantInts(index, what);
  if (failed(values))
    return failure();
  operand.constant = *values;
  return operand;
}

FailureOr<IntsOperand> getAxesOperand(NodeImporter &node, int64_t inputSince) {
  if (node.getOpset() >= inputSince)
    return getIntsOperand(node, 1, "axes");
  IntsOperand operand;
  if (!node.hasAttr("axes"))
    return operand;
  FailureOr<SmallVector<int64_t>> axes = node.getInts("axes");
  if (failed(axes))
    return failure();
  operand.constant = *axes;
  return operand;
}

} // namespace loom::onnx
