//===- ImportTensor.cpp - ONNX constants, contractions and shape ops ------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "dialects/graph/IR/GraphOps.h"

using namespace mlir;

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
  FailureOr<Value> x = node.getInput(0);
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

} // namespace

void addTensorImporters(SmallVectorImpl<OpImporter> &table) {
  table.append({
      {"Constant", 1, kMaxOpset, importConstant},
      {"Gemm", 7, kMaxOpset, importGemm},
      {"Identity", 1, kMaxOpset, importIdentity},
      {"MatMul", 1, kMaxOpset, importMatMul},
      {"Reshape", 5, kMaxOpset, importReshape},
  });
}

} // namespace loom::onnx
