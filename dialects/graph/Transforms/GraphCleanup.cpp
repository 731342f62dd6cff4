//===- GraphCleanup.cpp - Fold and canonicalize graph ops -----------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphDialect.h"
#include "dialects/graph/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom::graph {
#define GEN_PASS_DEF_GRAPHCLEANUPPASS
#include "dialects/graph/Transforms/Passes.h.inc"
} // namespace loom::graph

using namespace mlir;
using loom::graph::GraphDialect;

void loom::graph::populateGraphCanonicalizationPatterns(
    RewritePatternSet &patterns, MLIRContext *context) {
  for (RegisteredOperationName op : context->getRegisteredOperations())
    if (isa<GraphDialect>(op.getDialect()))
      op.getCanonicalizationPatterns(patterns, context);
}

namespace {
struct GraphCleanupPass
    : public loom::graph::impl::GraphCleanupPassBase<GraphCleanupPass> {
  using GraphCleanupPassBase::GraphCleanupPassBase;

  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet set(context);
    loom::graph::populateGraphCanonicalizationPatterns(set, context);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }

  void runOnOperation() override {
    SmallVector<Operation *> graphOps;
    getOperation()->walk([&](Operation *op) {
      if (op != getOperation() &&
          isa_and_nonnull<GraphDialect>(op->getDialect()))
        graphOps.push_back(op);
    });
    if (graphOps.empty())
      return markAllAnalysesPreserved();

    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    config.setMaxNumRewrites(maxRewrites < 0 ? GreedyRewriteConfig::kNoLimit
                                             : maxRewrites);
    bool changed = false;
    if (failed(applyOpPatternsGreedily(graphOps, patterns, config, &changed)) &&
        requireConvergence) {
      getOperation()->emitError("graph-cleanup reached max-rewrites=")
          << maxRewrites.getValue() << " before a fixed point";
      return signalPassFailure();
    }
    if (!changed)
      markAllAnalysesPreserved();
  }

  FrozenRewritePatternSet patterns;
};
} // namespace
