//===- Derive.h - A function's SBP problem and plan -------------*- C++ -*-===//
//
// Part of Loom. Private to dialects/sbp/Transforms: what sbp-derive builds
// from a function and what its explanation reads.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_TRANSFORMS_DERIVE_H
#define LOOM_DIALECTS_SBP_TRANSFORMS_DERIVE_H

#include "dialects/sbp/IR/SbpDialect.h"
#include "dialects/sbp/Transforms/CostModel.h"
#include "dialects/sbp/Transforms/Search.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <vector>

namespace loom::sbp {

struct FunctionPlan {
  /// A node: an argument, an op, or the function's return.
  struct Node {
    std::string name;
    mlir::Operation *op = nullptr; // null for arguments
    unsigned argNumber = 0;
    /// Candidates: arguments and constants have results only.
    llvm::SmallVector<Signature> candidates;
    /// Per candidate: compute time; bytes one device holds of the results
    /// (weights, activations); the node cost the search used.
    llvm::SmallVector<double> compute, memory, costs;
  };
  /// An edge: operand `operand` of node `consumer` reads result `result`
  /// of node `producer`.
  struct Use {
    unsigned producer, result, consumer, operand;
    mlir::Value value;
  };
  llvm::SmallVector<int64_t> meshShape;
  CostModelOptions costs;
  /// The compute rate planned with, and where the constants come from.
  double flopsPerSecond = 0;
  std::string constantsSource;
  std::vector<Node> nodes;
  llvm::SmallVector<Use> uses;
  CostGraph graph;
  Plan plan;
  /// OneFlow's default greedy plan's cost, for comparison (printed plans).
  double greedyCost = 0;
  /// The memory term the plan was found with, and the bytes one device
  /// holds under it (weights and activations, without buffer reuse).
  double memoryCostPerByte = 0;
  double memoryBytes = 0;

  /// The layout the plan gives `use`'s value at its producer and consumer.
  const NdSbp &getProduced(const Use &use) const;
  const NdSbp &getConsumed(const Use &use) const;
  /// The boxing the plan puts on `use`.
  llvm::SmallVector<Collective> getBoxing(const Use &use) const;
};

/// The functions SBP plans: public ones, except DyCL hosts (their control
/// flow stays replicated), and the DyCL subgraphs the hosts call (whole
/// inputs and outputs at their boundary).
inline bool isPlanned(mlir::func::FuncOp func) {
  if (func.isExternal())
    return false;
  if (func->hasAttr("loom.subgraph"))
    return true;
  return func.isPublic() && !func->hasAttr("loom.host");
}

/// The static shape and element size of `value`, or failure.
mlir::FailureOr<std::pair<llvm::SmallVector<int64_t>, int64_t>>
getTensorSize(mlir::Value value);

/// Writes `plan` as Graphviz to `os`.
void writeDot(const FunctionPlan &plan, llvm::raw_ostream &os);
/// Prints a table of the predicted costs of `plan`.
void printPlan(const FunctionPlan &plan, llvm::raw_ostream &os);

} // namespace loom::sbp

#endif // LOOM_DIALECTS_SBP_TRANSFORMS_DERIVE_H
