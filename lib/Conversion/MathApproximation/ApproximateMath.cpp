//===- ApproximateMath.cpp - Polynomial tanh, exp and erf
//------------------===//
//
// Part of Loom. Without it, math.tanh/exp/erf become calls into libm, one
// element at a time, which also keeps LLVM from vectorising the loops
// around them (a captioner's attention spent 44% of its time in tanhf).
// Upstream's polynomial approximations are plain arithmetic, accurate to
// a few ulp in f32, and vectorise.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

struct ApproximateMathPass
    : loom::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using ApproximateMathPassBase::ApproximateMathPassBase;

  void runOnOperation() override {
    llvm::SmallVector<std::string> names;
    for (const std::string &op : ops)
      names.push_back("math." + op);
    auto selected = [&](StringRef name) {
      return llvm::is_contained(names, name);
    };
    // Scalars only: loops reach this pass scalar (LLVM vectorises them
    // afterwards), and upstream 22.1 crashes approximating a chain of
    // vector math.exp ops; vector ops are left to libm.
    SmallVector<Operation *> scalars;
    getOperation()->walk([&](Operation *op) {
      if (op->getNumResults() == 1 &&
          op->getResult(0).getType().isIntOrFloat() &&
          selected(op->getName().getStringRef()))
        scalars.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    // f16/bf16 compute in f32 first, as the approximations are f32 only.
    populateMathF32ExpansionPatterns(patterns, selected);
    populateMathPolynomialApproximationPatterns(patterns, selected);
    GreedyRewriteConfig config;
    // The f32 expansion creates the f32 op that is then approximated.
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(applyOpPatternsGreedily(scalars, std::move(patterns), config)))
      return signalPassFailure();
  }
};

} // namespace
