//===- MiscOps.cpp - Padding, windows and instance norm to linalg ---------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include <cmath>

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

/// ONNX Pad on static shapes, every mode, negative pads (crops) included:
/// each result element reads the input at its index minus the begin pad,
/// or takes the constant, the nearest edge or the reflection.
struct PadPattern : OpConversionPattern<g::PadOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (failed(type) || !inputType || !inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    StringRef mode = op.getMode();
    int64_t rank = type->getRank();
    // The begin pads: attributes, or read from the computed operand (the
    // result's static shape fixes the totals).
    SmallVector<Value> begins;
    for (int64_t d = 0; d < rank; ++d) {
      if (!adaptor.getComputedPads()) {
        begins.push_back(constantIndex(rewriter, loc, op.getPads()[d]));
        continue;
      }
      Value v = tensor::ExtractOp::create(
          rewriter, loc, adaptor.getComputedPads(),
          ValueRange{constantIndex(rewriter, loc, d)});
      begins.push_back(arith::IndexCastOp::create(rewriter, loc,
                                                  rewriter.getIndexType(), v));
      // The pads read at run time must add up to the compiled shape.
      Value end = tensor::ExtractOp::create(
          rewriter, loc, adaptor.getComputedPads(),
          ValueRange{constantIndex(rewriter, loc, rank + d)});
      Value total = arith::AddIOp::create(rewriter, loc, v, end);
      Value expected = arith::ConstantIntOp::create(
          rewriter, loc, total.getType(),
          type->getDimSize(d) - inputType.getDimSize(d));
      emitCheck(rewriter, loc,
                arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                      total, expected),
                "shape",
                "the pads of dim " + std::to_string(d) +
                    " add up to {0}, but the output was compiled for {1}",
                {total, expected}, 1);
    }
    Type t = type->getElementType();
    Value fill =
        adaptor.getConstantValue()
            ? Value(tensor::ExtractOp::create(
                  rewriter, loc, adaptor.getConstantValue(),
                  SmallVector<Value>(cast<RankedTensorType>(
                                         adaptor.getConstantValue().getType())
                                         .getRank(),
                                     constantIndex(rewriter, loc, 0))))
            : Value();
    Value result = buildFromIndices(
        rewriter, loc, *type,
        getAsIndexOpFoldResult(getContext(), type->getShape()),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          SmallVector<Value> at;
          Value inside = arith::ConstantIntOp::create(b, l, 1, 1);
          for (int64_t d = 0; d < rank; ++d) {
            int64_t size = inputType.getDimSize(d);
            Value j = arith::SubIOp::create(b, l, idx[d], begins[d]);
            Value below = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                                j, constantIndex(b, l, 0));
            Value above = arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge,
                                                j, constantIndex(b, l, size));
            if (mode == "edge") {
              j = arith::SelectOp::create(b, l, below, constantIndex(b, l, 0),
                                          j);
              j = arith::SelectOp::create(b, l, above,
                                          constantIndex(b, l, size - 1), j);
            } else if (mode == "reflect") {
              Value neg =
                  arith::SubIOp::create(b, l, constantIndex(b, l, 0), j);
              Value back = arith::SubIOp::create(
                  b, l, constantIndex(b, l, 2 * (size - 1)), j);
              j = arith::SelectOp::create(b, l, below, neg, j);
              j = arith::SelectOp::create(b, l, above, back, j);
            } else {
              Value out = arith::OrIOp::create(b, l, below, above);
              Value in = arith::XOrIOp::create(
                  b, l, out, arith::ConstantIntOp::create(b, l, 1, 1));
              inside = arith::AndIOp::create(b, l, inside, in);
              // Read a valid index; the select below discards it.
              j = arith::SelectOp::create(b, l, out, constantIndex(b, l, 0), j);
            }
            at.push_back(j);
          }
          Value v = tensor::ExtractOp::create(b, l, x, at);
          if (mode == "edge" || mode == "reflect")
            return v;
          Value c = fill ? fill : scalarConstant(b, l, t, 0);
          return arith::SelectOp::create(b, l, inside, v, c);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Hann, Hamming and Blackman windows: a sum of cosines of 2*pi*n/N, where
/// N is the size (periodic) or the size minus one (symmetric).
struct WindowPattern : OpConversionPattern<g::WindowOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::WindowOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type) || !isa<FloatType>(type->getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a float window");
    Location loc = op.getLoc();
    Type t = type->getElementType();
    Value size = tensor::ExtractOp::create(rewriter, loc, adaptor.getSize(),
                                           ValueRange{});
    Value size64 = size.getType().isInteger(64)
                       ? size
                       : Value(arith::ExtSIOp::create(
                             rewriter, loc, rewriter.getI64Type(), size));
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned) -> Value {
      return arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                        size64);
    });
    StringRef kind = op.getKind();
    bool periodic = op.getPeriodic();
    // a0 - a1 cos(x) + a2 cos(2x)
    double a0 = 0.5, a1 = 0.5, a2 = 0;
    if (kind == "hamming") {
      a0 = 25.0 / 46;
      a1 = 21.0 / 46;
    } else if (kind == "blackman") {
      a0 = 0.42;
      a1 = 0.5;
      a2 = 0.08;
    }
    Value result = buildFromIndices(
        rewriter, loc, *type, sizes,
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          Type f64 = b.getF64Type();
          Value n = arith::SIToFPOp::create(
              b, l, f64,
              arith::IndexCastOp::create(b, l, b.getI64Type(), idx[0]));
          Value total = arith::SIToFPOp::create(b, l, f64, size64);
          if (!periodic)
            total = arith::SubFOp::create(b, l, total,
                                          scalarConstant(b, l, f64, 1));
          Value x = arith::DivFOp::create(
              b, l,
              arith::MulFOp::create(b, l, n,
                                    scalarConstant(b, l, f64, 2 * M_PI)),
              total);
          Value w = arith::SubFOp::create(
              b, l, scalarConstant(b, l, f64, a0),
              arith::MulFOp::create(b, l, scalarConstant(b, l, f64, a1),
                                    math::CosOp::create(b, l, x)));
          if (a2 != 0) {
            Value x2 =
                arith::MulFOp::create(b, l, x, scalarConstant(b, l, f64, 2));
            w = arith::AddFOp::create(
                b, l, w,
                arith::MulFOp::create(b, l, scalarConstant(b, l, f64, a2),
                                      math::CosOp::create(b, l, x2)));
          }
          return t.isF64() ? w : Value(arith::TruncFOp::create(b, l, t, w));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// y = (x - mean) / sqrt(var + epsilon) * scale[c] + bias[c], with the
/// statistics over the spatial dims of each (n, c).
struct InstanceNormPattern : OpConversionPattern<g::InstanceNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::InstanceNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type t = type->getElementType();
    int64_t rank = type->getRank();
    SmallVector<int64_t> axes;
    for (int64_t d = 2; d < rank; ++d)
      axes.push_back(d);
    FailureOr<Moments> moments = buildMoments(rewriter, loc, x, *type, axes);
    if (failed(moments))
      return failure();

    SmallVector<AffineExpr> keptExprs = {rewriter.getAffineDimExpr(0),
                                         rewriter.getAffineDimExpr(1)};
    for (int64_t d = 2; d < rank; ++d)
      keptExprs.push_back(rewriter.getAffineConstantExpr(0));
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap keptMap = AffineMap::get(rank, 0, keptExprs, getContext());
    AffineMap channel =
        AffineMap::get(rank, 0, {rewriter.getAffineDimExpr(1)}, getContext());
    Value init = createEmpty(rewriter, loc, *type,
                             tensor::getMixedSizes(rewriter, loc, x));
    double epsilon = op.getEpsilon().convertToDouble();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type},
        ValueRange{moments->centered, moments->variance, adaptor.getScale(),
                   adaptor.getBias()},
        ValueRange{init},
        ArrayRef<AffineMap>{identity, keptMap, channel, channel, identity},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value v = arith::AddFOp::create(b, l, a[1],
                                          scalarConstant(b, l, t, epsilon));
          Value inv = math::RsqrtOp::create(b, l, v);
          Value y = arith::MulFOp::create(
              b, l, a[0], arith::MulFOp::create(b, l, inv, a[2]));
          linalg::YieldOp::create(b, l,
                                  Value(arith::AddFOp::create(b, l, y, a[3])));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateMiscPatterns(GraphTypeConverter &converter,
                          RewritePatternSet &patterns) {
  patterns.add<PadPattern, WindowPattern, InstanceNormPattern>(
      converter, patterns.getContext());
}

} // namespace loom::lowering
