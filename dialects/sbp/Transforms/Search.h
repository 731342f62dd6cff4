//===- Search.h - Choosing one candidate per node at least cost -*- C++ -*-===//
//
// Part of Loom. The SBP plan as an optimisation problem, free of IR: each
// node (an op) has candidates (its signatures) with a cost each; each edge
// (a tensor from producer to consumer) has a cost per pair of candidates
// (the boxing that converts one layout into the other). A plan picks one
// candidate per node; its cost is the sum of the chosen node and edge
// costs.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_TRANSFORMS_SEARCH_H
#define LOOM_DIALECTS_SBP_TRANSFORMS_SEARCH_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>

namespace loom::sbp {

class CostGraph {
public:
  struct Edge {
    unsigned from, to;
    /// from-candidates x to-candidates, row-major.
    llvm::SmallVector<double> costs;
  };

  /// Adds a node with one cost per candidate; returns its id.
  unsigned addNode(llvm::ArrayRef<double> costs);
  /// Adds an edge; `costs` is row-major over (from, to) candidates.
  void addEdge(unsigned from, unsigned to, llvm::ArrayRef<double> costs);

  unsigned getNumNodes() const { return nodeCosts.size(); }
  unsigned getNumCandidates(unsigned node) const {
    return nodeCosts[node].size();
  }
  llvm::ArrayRef<double> getNodeCosts(unsigned node) const {
    return nodeCosts[node];
  }
  llvm::ArrayRef<Edge> getEdges() const { return edges; }
  /// The cost of a plan (one candidate per node).
  double evaluate(llvm::ArrayRef<unsigned> plan) const;

private:
  llvm::SmallVector<llvm::SmallVector<double>> nodeCosts;
  llvm::SmallVector<Edge> edges;
};

struct Plan {
  llvm::SmallVector<unsigned> choice;
  double cost = 0;
  /// Nodes left after the exact eliminations, and whether the remaining
  /// core was solved exactly (enumerated) or by local search.
  unsigned coreNodes = 0;
  bool exact = true;
};

struct SearchOptions {
  /// Enumerate the core exactly when it has at most this many plans.
  uint64_t maxCoreStates = 1 << 20;
  /// Rounds of local search over the core otherwise.
  unsigned maxSweeps = 100;
  /// Plans (one candidate per node) the local search also starts from,
  /// besides greedy's: e.g. replicating everything, which never boxes, so
  /// that a search stuck in a local optimum still ends no worse than it.
  llvm::SmallVector<llvm::SmallVector<unsigned>> starts;
};

/// The plan Loom uses. Exact eliminations first (OneFlow's auto-parallel
/// reductions): a node with one neighbour folds its best response into
/// the neighbour's costs, a node with two folds into an edge between them
/// (a min-plus product), parallel edges add up; series-parallel graphs
/// (chains, residual blocks) reduce to nothing and are solved exactly.
/// What remains is enumerated when small, else improved from a greedy
/// start by changing one node, or two neighbours jointly, at a time; then
/// the eliminated nodes take their best responses.
Plan search(const CostGraph &graph, const SearchOptions &options = {});

/// OneFlow's default: nodes in order (producers first), each taking the
/// candidate cheapest given the choices already made. A baseline.
Plan greedy(const CostGraph &graph);

/// Every plan, for the tests' oracle; `limit` bounds the plans tried
/// (failure: an empty choice).
Plan bruteForce(const CostGraph &graph, uint64_t limit = 1 << 22);

} // namespace loom::sbp

#endif // LOOM_DIALECTS_SBP_TRANSFORMS_SEARCH_H
