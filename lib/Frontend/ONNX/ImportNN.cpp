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
  bool empty = !*axes || (*axes)->empty();
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
    auto normalized = normalizeAxes(node, **axes, *rank);
    if (failed(normalized))
      return failure();
    resolved = *normalized;
  }
  auto op = node.create<OpTy>(*x, resolved, *keepDims != 0);
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
  });
}

} // namespace loom::onnx
