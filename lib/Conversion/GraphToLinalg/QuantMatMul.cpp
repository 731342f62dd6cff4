//===- QuantMatMul.cpp - Integer and quantized matrix products ------------===//
//
// Part of Loom. MatMulInteger and QLinearMatMul on operands of equal rank
// (2 or more, batch dims equal): the products of the zero-point-shifted
// operands accumulate in i32; QLinearMatMul then requantizes.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

/// A scalar operand's value (element 0 of a one-element tensor).
Value scalarOf(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<Value> zeros(type.getRank(),
                           arith::ConstantIndexOp::create(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, t, zeros);
}

Value extendTo32(OpBuilder &b, Location loc, Value v, bool isUnsigned) {
  Type i32 = b.getI32Type();
  if (v.getType() == i32)
    return v;
  return isUnsigned ? Value(arith::ExtUIOp::create(b, loc, i32, v))
                    : Value(arith::ExtSIOp::create(b, loc, i32, v));
}

/// sum_k (lhs - lzp) * (rhs - rzp) as i32, shaped [batch..., M, N].
FailureOr<Value> integerProduct(ConversionPatternRewriter &rewriter,
                                Location loc, Value lhs, Value rhs, Value lzp,
                                Value rzp, bool lhsUnsigned, bool rhsUnsigned) {
  auto lt = dyn_cast<RankedTensorType>(lhs.getType());
  auto rt = dyn_cast<RankedTensorType>(rhs.getType());
  if (!lt || !rt || !lt.hasStaticShape() || !rt.hasStaticShape() ||
      lt.getRank() != rt.getRank() || lt.getRank() < 2)
    return failure();
  int64_t r = lt.getRank();
  SmallVector<int64_t> shape(lt.getShape().drop_back());
  shape.push_back(rt.getShape().back());
  auto type = RankedTensorType::get(shape, rewriter.getI32Type());
  MLIRContext *ctx = rewriter.getContext();
  unsigned loops = r + 1;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> le, re, oe;
  for (int64_t i = 0; i < r - 2; ++i) {
    le.push_back(d(i));
    re.push_back(d(i));
  }
  le.append({d(r - 2), d(r)});
  re.append({d(r), d(r - 1)});
  for (int64_t i = 0; i < r; ++i)
    oe.push_back(d(i));
  Value init =
      createFilled(rewriter, loc, type, getAsIndexOpFoldResult(ctx, shape),
                   rewriter.getI32IntegerAttr(0));
  Value lz =
      lzp ? extendTo32(rewriter, loc, scalarOf(rewriter, loc, lzp), lhsUnsigned)
          : Value(arith::ConstantIntOp::create(rewriter, loc, 0, 32));
  Value rz =
      rzp ? extendTo32(rewriter, loc, scalarOf(rewriter, loc, rzp), rhsUnsigned)
          : Value(arith::ConstantIntOp::create(rewriter, loc, 0, 32));
  SmallVector<utils::IteratorType> iterators(r, utils::IteratorType::parallel);
  iterators.push_back(utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, ValueRange{lhs, rhs}, ValueRange{init},
      ArrayRef<AffineMap>{AffineMap::get(loops, 0, le, ctx),
                          AffineMap::get(loops, 0, re, ctx),
                          AffineMap::get(loops, 0, oe, ctx)},
      iterators, [&](OpBuilder &b, Location l, ValueRange a) {
        Value x = arith::SubIOp::create(
            b, l, extendTo32(b, l, a[0], lhsUnsigned), lz);
        Value y = arith::SubIOp::create(
            b, l, extendTo32(b, l, a[1], rhsUnsigned), rz);
        Value p = arith::MulIOp::create(b, l, x, y);
        linalg::YieldOp::create(b, l,
                                Value(arith::AddIOp::create(b, l, a[2], p)));
      });
  return generic.getResult(0);
}

bool isUnsignedOperand(Value original) {
  return getElementTypeOrSelf(original.getType()).isUnsignedInteger();
}

struct MatMulIntegerPattern : OpConversionPattern<g::MatMulIntegerOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::MatMulIntegerOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<Value> product = integerProduct(
        rewriter, op.getLoc(), adaptor.getLhs(), adaptor.getRhs(),
        adaptor.getLhsZeroPoint(), adaptor.getRhsZeroPoint(),
        isUnsignedOperand(op.getLhs()), isUnsignedOperand(op.getRhs()));
    if (failed(product))
      return rewriter.notifyMatchFailure(op,
                                         "needs static equal-rank operands");
    rewriter.replaceOp(op, *product);
    return success();
  }
};

/// y = saturate(round(product * lhs_scale * rhs_scale / y_scale) + y_zp).
struct QLinearMatMulPattern : OpConversionPattern<g::QLinearMatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::QLinearMatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    FailureOr<Value> product = integerProduct(
        rewriter, loc, adaptor.getLhs(), adaptor.getRhs(),
        adaptor.getLhsZeroPoint(), adaptor.getRhsZeroPoint(),
        isUnsignedOperand(op.getLhs()), isUnsignedOperand(op.getRhs()));
    if (failed(product))
      return rewriter.notifyMatchFailure(op,
                                         "needs static equal-rank operands");
    bool outUnsigned = isUnsignedOperand(op.getResult());
    auto intType = cast<IntegerType>(type->getElementType());
    unsigned width = intType.getWidth();
    double lo = outUnsigned ? 0 : -std::ldexp(1.0, width - 1);
    double hi = outUnsigned ? std::ldexp(1.0, width) - 1
                            : std::ldexp(1.0, width - 1) - 1;
    Type f = rewriter.getF32Type();
    auto toF32 = [&](Value v) -> Value {
      return v.getType() == f
                 ? v
                 : Value(arith::ExtFOp::create(rewriter, loc, f, v));
    };
    Value multiplier = arith::DivFOp::create(
        rewriter, loc,
        arith::MulFOp::create(
            rewriter, loc,
            toF32(scalarOf(rewriter, loc, adaptor.getLhsScale())),
            toF32(scalarOf(rewriter, loc, adaptor.getRhsScale()))),
        toF32(scalarOf(rewriter, loc, adaptor.getResultScale())));
    Value zp = scalarOf(rewriter, loc, adaptor.getResultZeroPoint());
    Value zpF = outUnsigned
                    ? Value(arith::UIToFPOp::create(rewriter, loc, f, zp))
                    : Value(arith::SIToFPOp::create(rewriter, loc, f, zp));
    FailureOr<Value> result = buildElementwise(
        rewriter, loc, *type, *product,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value v = arith::SIToFPOp::create(b, l, f, a[0]);
          v = math::RoundEvenOp::create(
              b, l, arith::MulFOp::create(b, l, v, multiplier));
          v = arith::AddFOp::create(b, l, v, zpF);
          v = arith::MaximumFOp::create(b, l, v, scalarConstant(b, l, f, lo));
          v = arith::MinimumFOp::create(b, l, v, scalarConstant(b, l, f, hi));
          return outUnsigned ? Value(arith::FPToUIOp::create(b, l, intType, v))
                             : Value(arith::FPToSIOp::create(b, l, intType, v));
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void populateQuantMatMulPatterns(GraphTypeConverter &converter,
                                 RewritePatternSet &patterns) {
  patterns.add<MatMulIntegerPattern, QLinearMatMulPattern>(
      converter, patterns.getContext());
}

} // namespace loom::lowering
