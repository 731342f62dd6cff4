//===- Normalization.cpp - Layer norm, losses and hardmax to linalg -------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

Value addF(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}

/// y = (x - mean) / sqrt(var + epsilon) * scale + bias over dims from
/// `axis` on; also the mean and 1 / sqrt(var + epsilon), as f32.
struct LayerNormPattern : OpConversionPattern<g::LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type t = type->getElementType();
    int64_t rank = type->getRank(), axis = op.getAxis();
    SmallVector<int64_t> axes, kept(type->getShape());
    for (int64_t d = axis; d < rank; ++d) {
      axes.push_back(d);
      kept[d] = 1;
    }
    auto keptType = RankedTensorType::get(kept, t);
    FailureOr<Moments> moments = buildMoments(rewriter, loc, x, *type, axes);
    if (failed(moments))
      return failure();
    auto [mean, centered, var] = *moments;
    double epsilon = op.getEpsilon().convertToDouble();
    FailureOr<Value> inv = buildElementwise(
        rewriter, loc, keptType, var,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = addF(b, l, a[0], scalarConstant(b, l, t, epsilon));
          return math::RsqrtOp::create(b, l, v);
        });
    if (failed(inv))
      return failure();
    SmallVector<Value> operands = {centered, *inv, adaptor.getScale()};
    if (adaptor.getBias())
      operands.push_back(adaptor.getBias());
    FailureOr<Value> y =
        buildElementwise(rewriter, loc, *type, operands,
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           Value v = arith::MulFOp::create(b, l, a[0], a[1]);
                           v = arith::MulFOp::create(b, l, v, a[2]);
                           return a.size() > 3 ? addF(b, l, v, a[3]) : v;
                         });
    if (failed(y))
      return failure();
    // The statistics are f32 whatever the input's type.
    auto toF32 = [&](Value v, unsigned index) -> FailureOr<Value> {
      FailureOr<RankedTensorType> statType =
          getRankedResultType(rewriter, *getTypeConverter(), op, index);
      if (failed(statType))
        return failure();
      return buildElementwise(
          rewriter, loc, *statType, v,
          [&](OpBuilder &b, Location l, ValueRange a) {
            if (a[0].getType() == b.getF32Type())
              return a[0];
            return Value(arith::ExtFOp::create(b, l, b.getF32Type(), a[0]));
          });
    };
    FailureOr<Value> meanOut = toF32(mean, 1), invOut = toF32(*inv, 2);
    if (failed(meanOut) || failed(invOut))
      return failure();
    rewriter.replaceOp(op, {*y, *meanOut, *invOut});
    return success();
  }
};

/// loss[n, d...] = -input[n, target, d...] * weight[target] (0 where the
/// target is ignore_index), then summed, or averaged by the weights.
struct NLLLossPattern : OpConversionPattern<g::NLLLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::NLLLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    auto targetType = dyn_cast<RankedTensorType>(adaptor.getTarget().getType());
    if (failed(type) || !targetType)
      return rewriter.notifyMatchFailure(op, "unranked operands");
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), target = adaptor.getTarget(),
          weight = adaptor.getWeight();
    Type t = type->getElementType();
    int64_t rank = targetType.getRank();
    std::optional<int64_t> ignore = op.getIgnoreIndex();
    auto elementType = RankedTensorType::get(targetType.getShape(), t);
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(rewriter, loc, target);
    Value lossInit = createEmpty(rewriter, loc, elementType, sizes);
    Value weightInit = createEmpty(rewriter, loc, elementType, sizes);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{elementType, elementType}, ValueRange{target},
        ValueRange{lossInit, weightInit},
        ArrayRef<AffineMap>{identity, identity, identity},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value label = args[0];
          Value cls = arith::IndexCastOp::create(b, l, b.getIndexType(), label);
          Value ignored = arith::ConstantIntOp::create(
              b, l, ignore ? *ignore : 0,
              label.getType().getIntOrFloatBitWidth());
          Value skip =
              ignore ? Value(arith::CmpIOp::create(
                           b, l, arith::CmpIPredicate::eq, label, ignored))
                     : Value(arith::ConstantIntOp::create(b, l, 0, 1));
          // An ignored label may be out of range: read class 0 instead.
          Value zeroIndex = arith::ConstantIndexOp::create(b, l, 0);
          Value safe = arith::SelectOp::create(b, l, skip, zeroIndex, cls);
          SmallVector<Value> at = {linalg::IndexOp::create(b, l, 0), safe};
          for (int64_t d = 1; d < rank; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          Value logProb = tensor::ExtractOp::create(b, l, input, at);
          Value w = weight ? Value(tensor::ExtractOp::create(b, l, weight,
                                                             ValueRange{safe}))
                           : scalarConstant(b, l, t, 1);
          Value zero = scalarConstant(b, l, t, 0);
          w = arith::SelectOp::create(b, l, skip, zero, w);
          Value loss = arith::NegFOp::create(
              b, l, arith::MulFOp::create(b, l, logProb, w));
          linalg::YieldOp::create(b, l, ValueRange{loss, w});
        });
    Value losses = generic.getResult(0), weights = generic.getResult(1);
    StringRef reduction = op.getReduction();
    if (reduction == "none") {
      rewriter.replaceOp(op, losses);
      return success();
    }
    SmallVector<int64_t> all;
    for (int64_t d = 0; d < rank; ++d)
      all.push_back(d);
    auto scalarType = RankedTensorType::get({}, t);
    auto total = [&](Value v) {
      return buildReduction(rewriter, loc, v, all, false, scalarType,
                            rewriter.getZeroAttr(t),
                            [](OpBuilder &b, Location l, Value e, Value acc) {
                              return addF(b, l, e, acc);
                            });
    };
    Value sum = total(losses);
    if (reduction == "mean") {
      Value weightSum = total(weights);
      FailureOr<Value> mean =
          buildElementwise(rewriter, loc, scalarType, {sum, weightSum},
                           [](OpBuilder &b, Location l, ValueRange a) -> Value {
                             return arith::DivFOp::create(b, l, a[0], a[1]);
                           });
      if (failed(mean))
        return failure();
      sum = *mean;
    }
    rewriter.replaceOp(op, sum);
    return success();
  }
};

/// The NLL loss of log_softmax(scores) along dim 1: rewritten into those two
/// graph ops, which their own patterns then lower.
struct SoftmaxCrossEntropyPattern
    : OpConversionPattern<g::SoftmaxCrossEntropyLossOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::SoftmaxCrossEntropyLossOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto logProb = g::LogSoftmaxOp::create(
        rewriter, loc, op.getLogProb().getType(), adaptor.getScores(), 1);
    auto loss = g::NLLLossOp::create(
        rewriter, loc, op.getLoss().getType(), logProb, adaptor.getLabels(),
        adaptor.getWeights(), op.getReductionAttr(), op.getIgnoreIndexAttr());
    rewriter.replaceOp(op, {loss.getResult(), logProb.getResult()});
    return success();
  }
};

/// 1 where an element is the first maximum along the axis, else 0.
struct HardmaxPattern : OpConversionPattern<g::HardmaxOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::HardmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type t = type->getElementType();
    int64_t axis = op.getAxis(), rank = type->getRank();
    SmallVector<int64_t> keptShape(type->getShape());
    keptShape[axis] = 1;
    auto keptType = RankedTensorType::get(keptShape, t);
    Value max = buildReduction(
        rewriter, loc, x, {axis}, true, keptType,
        rewriter.getFloatAttr(t, -std::numeric_limits<double>::infinity()),
        [](OpBuilder &b, Location l, Value e, Value acc) -> Value {
          return arith::MaximumFOp::create(b, l, e, acc);
        });
    // The first index holding the maximum.
    auto indexType = RankedTensorType::get(keptShape, rewriter.getIndexType());
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, max);
    Value init = createFilled(rewriter, loc, indexType, sizes,
                              rewriter.getIndexAttr(INT64_MAX));
    SmallVector<AffineExpr> keptExprs;
    for (int64_t d = 0; d < rank; ++d)
      keptExprs.push_back(d == axis ? rewriter.getAffineConstantExpr(0)
                                    : rewriter.getAffineDimExpr(d));
    AffineMap keptMap = AffineMap::get(rank, 0, keptExprs, getContext());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    auto first = linalg::GenericOp::create(
        rewriter, loc, TypeRange{indexType}, ValueRange{x, max},
        ValueRange{init},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), keptMap,
                            keptMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange a) {
          Value i = linalg::IndexOp::create(b, l, axis);
          Value isMax = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ,
                                              a[0], a[1]);
          Value smaller = arith::MinUIOp::create(b, l, i, a[2]);
          linalg::YieldOp::create(
              b, l, Value(arith::SelectOp::create(b, l, isMax, smaller, a[2])));
        });
    FailureOr<Value> result = buildElementwise(
        rewriter, loc, *type, {x, first.getResult(0)},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value i = linalg::IndexOp::create(b, l, axis);
          Value hot =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i, a[1]);
          return arith::SelectOp::create(b, l, hot, scalarConstant(b, l, t, 1),
                                         scalarConstant(b, l, t, 0));
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void populateNormalizationPatterns(GraphTypeConverter &converter,
                                   RewritePatternSet &patterns) {
  patterns.add<LayerNormPattern, NLLLossPattern, SoftmaxCrossEntropyPattern,
               HardmaxPattern>(converter, patterns.getContext());
}

} // namespace loom::lowering
