//===- FuseEpilogues.cpp - Residual adds and ReLUs into kernel ops --------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/kernel/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom::kernel {
#define GEN_PASS_DEF_KERNELFUSEEPILOGUESPASS
#include "dialects/kernel/Transforms/Passes.h.inc"
} // namespace loom::kernel

using namespace mlir;
using namespace loom::kernel;

namespace {

/// An elementwise generic on tensors of one type: every map the identity,
/// every loop parallel, one result of the inputs' type.
bool isPlainElementwise(linalg::GenericOp op, unsigned inputs) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != inputs ||
      op.getNumDpsInits() != 1 ||
      op.getNumParallelLoops() != op.getNumLoops() ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  Type type = op.getResult(0).getType();
  return llvm::all_of(op.getDpsInputs(),
                      [&](Value v) { return v.getType() == type; });
}

/// The body's one computing op of type OpTy, feeding the yield.
template <typename OpTy>
OpTy getYieldedOp(linalg::GenericOp op) {
  auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
  return yield.getValues()[0].getDefiningOp<OpTy>();
}

/// The convolution defining `value`, if that is its only use.
Conv2DOp getSoleConv(Value value) {
  auto conv = value.getDefiningOp<Conv2DOp>();
  return conv && conv->hasOneUse() ? conv : Conv2DOp();
}

/// Whether `op` applies ONNX's Relu: the body is `select(x ult 0, 0, x)`.
bool isRelu(linalg::GenericOp op) {
  auto select = getYieldedOp<arith::SelectOp>(op);
  if (!select)
    return false;
  BlockArgument x = op.getBody()->getArgument(0);
  auto cmp = select.getCondition().getDefiningOp<arith::CmpFOp>();
  return cmp && cmp.getPredicate() == arith::CmpFPredicate::ULT &&
         cmp.getLhs() == x && matchPattern(cmp.getRhs(), m_AnyZeroFloat()) &&
         matchPattern(select.getTrueValue(), m_AnyZeroFloat()) &&
         select.getFalseValue() == x;
}

/// relu(conv) -> conv {relu}, relu(matmul) -> matmul {relu}: the kernel
/// op's result used by the ReLU alone.
struct FuseRelu : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (!isPlainElementwise(op, 1) || !isRelu(op))
      return failure();
    Value input = op.getDpsInputs()[0];
    if (Conv2DOp conv = getSoleConv(input); conv && !conv.getRelu()) {
      rewriter.modifyOpInPlace(conv, [&] { conv.setRelu(true); });
      rewriter.replaceOp(op, conv.getResult());
      return success();
    }
    auto mm = input.getDefiningOp<MatmulOp>();
    if (!mm || !mm->hasOneUse() || mm.getRelu())
      return failure();
    rewriter.modifyOpInPlace(mm, [&] { mm.setRelu(true); });
    rewriter.replaceOp(op, mm.getResult());
    return success();
  }
};

/// conv + r -> conv accumulating into r (before any ReLU).
struct FuseResidualAdd : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    auto add = getYieldedOp<arith::AddFOp>(op);
    if (!isPlainElementwise(op, 2) || !add)
      return failure();
    Block *body = op.getBody();
    if (!((add.getLhs() == body->getArgument(0) &&
           add.getRhs() == body->getArgument(1)) ||
          (add.getLhs() == body->getArgument(1) &&
           add.getRhs() == body->getArgument(0))))
      return failure();
    for (unsigned i = 0; i < 2; ++i) {
      Conv2DOp conv = getSoleConv(op.getDpsInputs()[i]);
      if (!conv || conv.getRelu() || conv.getAccumulate())
        continue;
      Value residual = op.getDpsInputs()[1 - i];
      auto fused = Conv2DOp::create(
          rewriter, op.getLoc(), conv.getResult().getType(), conv.getInput(),
          conv.getWeight(), conv.getBias(), residual, conv.getStrides(),
          conv.getPads(), conv.getDilations(), conv.getGroups(),
          /*accumulate=*/true, /*relu=*/false);
      rewriter.replaceOp(op, fused.getResult());
      rewriter.eraseOp(conv);
      return success();
    }
    return failure();
  }
};

struct KernelFuseEpiloguesPass
    : loom::kernel::impl::KernelFuseEpiloguesPassBase<KernelFuseEpiloguesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseRelu, FuseResidualAdd>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
