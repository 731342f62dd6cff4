//===- InterchangeReductions.cpp - Innermost parallel loops ---------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace loom {
#define GEN_PASS_DEF_INTERCHANGEREDUCTIONSPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

struct InterchangeReductionsPass
    : loom::impl::InterchangeReductionsPassBase<InterchangeReductionsPass> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> generics;
    getOperation()->walk([&](linalg::GenericOp op) { generics.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : generics) {
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      SmallVector<unsigned> parallel, reductions;
      for (auto [i, kind] : llvm::enumerate(iterators))
        (kind == utils::IteratorType::parallel ? parallel : reductions)
            .push_back(i);
      // Only when a reduction is innermost and a parallel loop can replace it.
      if (reductions.empty() || parallel.empty() ||
          iterators.back() != utils::IteratorType::reduction)
        continue;
      SmallVector<unsigned> order(parallel.begin(), parallel.end() - 1);
      llvm::append_range(order, reductions);
      order.push_back(parallel.back());
      rewriter.setInsertionPoint(op);
      (void)linalg::interchangeGenericOp(rewriter, op, order);
    }
  }
};

} // namespace
