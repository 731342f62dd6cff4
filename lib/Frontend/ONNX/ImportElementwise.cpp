//===- ImportElementwise.cpp - ONNX elementwise ops -----------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "dialects/graph/IR/GraphOps.h"

using namespace mlir;

namespace loom::onnx {
namespace {

template <typename OpTy>
LogicalResult importUnary(NodeImporter &node) {
  FailureOr<Value> x = node.getInput(0);
  if (failed(x))
    return failure();
  FailureOr<OpTy> op = node.create<OpTy>(*x);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

template <typename OpTy>
LogicalResult importBinary(NodeImporter &node) {
  FailureOr<Value> lhs = node.getInput(0), rhs = node.getInput(1);
  if (failed(lhs) || failed(rhs))
    return failure();
  FailureOr<OpTy> op = node.create<OpTy>(*lhs, *rhs);
  return failed(op) ? failure() : node.setOutputs(op->getResult());
}

} // namespace

void addElementwiseImporters(SmallVectorImpl<OpImporter> &table) {
  table.append({
      {"Add", 7, kMaxOpset, importBinary<graph::AddOp>},
      {"Mul", 7, kMaxOpset, importBinary<graph::MulOp>},
      {"Relu", 6, kMaxOpset, importUnary<graph::ReluOp>},
  });
}

} // namespace loom::onnx
