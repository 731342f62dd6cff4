//===- ImportUtils.h - Helpers shared by op-family importers ----*- C++ -*-===//
//
// Part of Loom. Private to the ONNX frontend.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_FRONTEND_ONNX_IMPORTUTILS_H
#define LOOM_LIB_FRONTEND_ONNX_IMPORTUTILS_H

#include "NodeImporter.h"

namespace loom::onnx {

/// An integer-list operand (axes, pads, sizes): its values when constant, or
/// the value itself when it is computed at run time; neither when absent.
struct IntsOperand {
  std::optional<llvm::SmallVector<int64_t>> constant;
  mlir::Value computed;
};
/// Reads input #index as an IntsOperand.
mlir::FailureOr<IntsOperand> getIntsOperand(NodeImporter &node, unsigned index,
                                            llvm::StringRef what);

/// The rank of `value`, which must be ranked for the node to be imported.
mlir::FailureOr<int64_t> getRank(NodeImporter &node, mlir::Value value,
                                 llvm::StringRef what);

/// `axis` in [-rank, rank) as a non-negative axis.
mlir::FailureOr<int64_t> normalizeAxis(NodeImporter &node, int64_t axis,
                                       int64_t rank);

/// Each axis normalized, then sorted; duplicates are reported.
mlir::FailureOr<llvm::SmallVector<int64_t>>
normalizeAxes(NodeImporter &node, llvm::ArrayRef<int64_t> axes, int64_t rank);

/// The axes of Squeeze/Unsqueeze/Reduce*: an attribute before opset
/// `inputSince`, the optional constant input #1 from then on; std::nullopt
/// when absent.
mlir::FailureOr<IntsOperand> getAxesOperand(NodeImporter &node,
                                            int64_t inputSince);

/// A scalar constant of `elementType` holding `value`.
/// `value` (a one-element tensor) reshaped to a scalar; null stays null.
mlir::FailureOr<mlir::Value> toScalar(NodeImporter &node, mlir::Value value);

mlir::Value createScalar(NodeImporter &node, mlir::Type elementType,
                         double value);

/// Imports a one-result op `OpTy` from the node's first `N` inputs.
template <typename OpTy, unsigned N>
mlir::LogicalResult importSimple(NodeImporter &node) {
  llvm::SmallVector<mlir::Value, N> operands;
  for (unsigned i = 0; i < N; ++i) {
    mlir::FailureOr<mlir::Value> input = node.getInput(i);
    if (mlir::failed(input))
      return mlir::failure();
    operands.push_back(*input);
  }
  mlir::FailureOr<OpTy> op = [&] {
    if constexpr (N == 1)
      return node.create<OpTy>(operands[0]);
    else if constexpr (N == 2)
      return node.create<OpTy>(operands[0], operands[1]);
    else
      return node.create<OpTy>(operands[0], operands[1], operands[2]);
  }();
  return mlir::failed(op) ? mlir::failure()
                          : node.setOutputs((*op)->getResults());
}

} // namespace loom::onnx

#endif // LOOM_LIB_FRONTEND_ONNX_IMPORTUTILS_H
