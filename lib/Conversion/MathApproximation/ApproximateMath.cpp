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
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include <limits>

namespace loom {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// powf(x, y) from exp and log, which are then approximated, with C's
/// special cases: a negative base to an integer power (its sign from the
/// exponent's parity), to any other power NaN; a zero exponent 1. Squares
/// and square roots, the common constant exponents, are exact.
struct ExpandPowF : OpRewritePattern<math::PowFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(math::PowFOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getLhs(), y = op.getRhs();
    Type type = op.getType();
    if (!isa<FloatType>(type))
      return failure();
    FloatAttr exponent;
    if (matchPattern(y, m_Constant(&exponent))) {
      double e = exponent.getValueAsDouble();
      if (e == 1.0) {
        rewriter.replaceOp(op, x);
        return success();
      }
      if (e == 2.0) {
        rewriter.replaceOpWithNewOp<arith::MulFOp>(op, x, x);
        return success();
      }
      if (e == 0.5) {
        rewriter.replaceOpWithNewOp<math::SqrtOp>(op, x);
        return success();
      }
    }
    auto constant = [&](double v) -> Value {
      return arith::ConstantOp::create(rewriter, loc,
                                       rewriter.getFloatAttr(type, v));
    };
    Value magnitude = math::AbsFOp::create(rewriter, loc, x);
    Value logged = math::LogOp::create(rewriter, loc, magnitude);
    Value scaled = arith::MulFOp::create(rewriter, loc, y, logged);
    Value result = math::ExpOp::create(rewriter, loc, scaled);
    Value whole =
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OEQ, y,
                              math::FloorOp::create(rewriter, loc, y));
    Value half = arith::MulFOp::create(rewriter, loc, y, constant(0.5));
    Value odd = arith::AndIOp::create(
        rewriter, loc, whole,
        arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::ONE, half,
                              math::FloorOp::create(rewriter, loc, half)));
    Value negative = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::OLT, x, constant(0.0));
    Value flipped = arith::SelectOp::create(
        rewriter, loc, odd, arith::NegFOp::create(rewriter, loc, result),
        result);
    Value nan = constant(std::numeric_limits<double>::quiet_NaN());
    Value forNegative =
        arith::SelectOp::create(rewriter, loc, whole, flipped, nan);
    result =
        arith::SelectOp::create(rewriter, loc, negative, forNegative, result);
    Value zeroPower = arith::CmpFOp::create(
        rewriter, loc, arith::CmpFPredicate::OEQ, y, constant(0.0));
    rewriter.replaceOpWithNewOp<arith::SelectOp>(op, zeroPower, constant(1.0),
                                                 result);
    return success();
  }
};

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
    // Ops with no approximation of their own are expanded into ones that
    // have (powf into exp and log, ...), which are then approximated.
    static constexpr llvm::StringLiteral expandable[] = {
        "fpowi", "exp2",  "sinh",  "cosh", "tan",
        "asinh", "acosh", "atanh", "rsqrt"};
    SmallVector<StringRef> expand;
    for (StringRef name : expandable)
      if (llvm::is_contained(ops, name.str()))
        expand.push_back(name);
    if (!expand.empty()) {
      getOperation()->walk([&](Operation *op) {
        StringRef name = op->getName().getStringRef();
        if (name.consume_front("math.") && llvm::is_contained(expand, name) &&
            op->getNumResults() == 1 &&
            op->getResult(0).getType().isIntOrFloat() &&
            !llvm::is_contained(scalars, op))
          scalars.push_back(op);
      });
      math::populateExpansionPatterns(patterns, expand);
    }
    if (llvm::is_contained(ops, std::string("powf"))) {
      getOperation()->walk([&](math::PowFOp op) {
        if (op.getType().isF32() && !llvm::is_contained(scalars, op))
          scalars.push_back(op);
      });
      patterns.add<ExpandPowF>(&getContext());
    }
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
