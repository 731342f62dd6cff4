//===- Elementwise.cpp - Elementwise graph ops to linalg.generic ----------===//
//
// Part of Loom. Every elementwise op becomes one linalg.generic with ONNX
// broadcasting; its scalar body is built here. Signedness comes from the
// original (graph) element type, since converted types are signless.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

/// Builds a scalar result from the operands' elements. `element` is the
/// original element type of the op's first operand.
template <typename OpTy>
using BodyFn = Value (*)(OpBuilder &b, Location loc, OpTy op, ValueRange args,
                         Type element);

bool isUnsignedInt(Type t) { return t.isUnsignedInteger(); }

/// Integer division and remainder: the divisor (input 1) must hold no 0.
/// One pass counts the zeros before the op.
void emitNoZeroCheck(OpBuilder &b, Location loc, Value divisor) {
  auto type = cast<RankedTensorType>(divisor.getType());
  auto scalar = RankedTensorType::get({}, b.getI64Type());
  Value zero = createFilled(b, loc, scalar, {}, b.getI64IntegerAttr(0));
  int64_t rank = type.getRank();
  auto count = linalg::GenericOp::create(
      b, loc, TypeRange{scalar}, ValueRange{divisor}, ValueRange{zero},
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank),
                          AffineMap::get(rank, 0, {}, b.getContext())},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::reduction),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value isZero = arith::CmpIOp::create(
            nb, nl, arith::CmpIPredicate::eq, args[0],
            arith::ConstantIntOp::create(nb, nl, args[0].getType(), 0));
        Value one = arith::ExtUIOp::create(nb, nl, nb.getI64Type(), isZero);
        linalg::YieldOp::create(
            nb, nl, Value(arith::AddIOp::create(nb, nl, args[1], one)));
      });
  Value zeros =
      tensor::ExtractOp::create(b, loc, count.getResult(0), ValueRange{});
  Value none =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, zeros,
                            arith::ConstantIntOp::create(b, loc, 0, 64));
  emitCheck(b, loc, none, "value",
            "integer division by zero ({0} of the divisor's elements are 0)",
            {zeros}, 1);
}

/// The divisor a division may take: 1 where `r` is 0 (the run-time check
/// reports those; without checks the result there is unspecified, never a
/// trap).
Value safeDivisor(OpBuilder &b, Location loc, Value r) {
  Value isZero = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, r,
      arith::ConstantIntOp::create(b, loc, r.getType(), 0));
  return arith::SelectOp::create(
      b, loc, isZero, arith::ConstantIntOp::create(b, loc, r.getType(), 1), r);
}

/// Signed division that never traps: x / 0 is guarded by safeDivisor, and
/// INT_MIN / -1 wraps to INT_MIN (two's complement, as NumPy computes it).
Value signedDivide(OpBuilder &b, Location loc, Value l, Value r) {
  Value minusOne = arith::CmpIOp::create(
      b, loc, arith::CmpIPredicate::eq, r,
      arith::ConstantIntOp::create(b, loc, r.getType(), -1));
  Value negated = arith::SubIOp::create(
      b, loc, arith::ConstantIntOp::create(b, loc, l.getType(), 0), l);
  Value quotient = arith::DivSIOp::create(
      b, loc, l,
      arith::SelectOp::create(
          b, loc, minusOne,
          arith::ConstantIntOp::create(b, loc, r.getType(), 1),
          safeDivisor(b, loc, r)));
  return arith::SelectOp::create(b, loc, minusOne, negated, quotient);
}

template <typename OpTy>
struct ElementwisePattern : OpConversionPattern<OpTy> {
  ElementwisePattern(const TypeConverter &converter, MLIRContext *context,
                     BodyFn<OpTy> body)
      : OpConversionPattern<OpTy>(converter, context), body(body) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *this->getTypeConverter(), op);
    if (failed(type))
      return failure();
    Type element = getElementTypeOrSelf(op->getOperand(0).getType());
    if constexpr (std::is_same_v<OpTy, graph::DivOp> ||
                  std::is_same_v<OpTy, graph::ModOp>)
      if (isa<IntegerType>(element))
        emitNoZeroCheck(rewriter, op.getLoc(), adaptor.getOperands()[1]);
    FailureOr<Value> result =
        buildElementwise(rewriter, op.getLoc(), *type, adaptor.getOperands(),
                         [&](OpBuilder &b, Location loc, ValueRange args) {
                           return body(b, loc, op, args, element);
                         });
    if (failed(result))
      return rewriter.notifyMatchFailure(op, "operand rank is unknown");
    rewriter.replaceOp(op, *result);
    return success();
  }

  BodyFn<OpTy> body;
};

template <typename OpTy>
void add(RewritePatternSet &patterns, const TypeConverter &converter,
         BodyFn<OpTy> body) {
  patterns.add<ElementwisePattern<OpTy>>(converter, patterns.getContext(),
                                         body);
}

Value cst(OpBuilder &b, Location loc, Type t, double v) {
  return scalarConstant(b, loc, t, v);
}

template <typename MathOp, typename OpTy>
Value mathUnary(OpBuilder &b, Location loc, OpTy, ValueRange args, Type) {
  return MathOp::create(b, loc, args[0]);
}

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  Value neg = arith::NegFOp::create(b, loc, x);
  Value e = math::ExpOp::create(b, loc, neg);
  Value d = arith::AddFOp::create(b, loc, cst(b, loc, t, 1), e);
  return arith::DivFOp::create(b, loc, cst(b, loc, t, 1), d);
}

/// max(x, 0) keeping NaN (ONNX Relu) for floats; signed max for integers.
Value relu(OpBuilder &b, Location loc, Value x) {
  Type t = x.getType();
  if (isa<FloatType>(t)) {
    Value positive = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ULT, x,
                                           cst(b, loc, t, 0));
    return arith::SelectOp::create(b, loc, positive, cst(b, loc, t, 0), x);
  }
  return arith::MaxSIOp::create(b, loc, x, cst(b, loc, t, 0));
}

Value selectNegative(OpBuilder &b, Location loc, Value x, Value ifNeg) {
  Value isNeg = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                      cst(b, loc, x.getType(), 0));
  return arith::SelectOp::create(b, loc, isNeg, ifNeg, x);
}

/// Integer compare predicates by signedness.
arith::CmpIPredicate intPredicate(arith::CmpFPredicate p, bool isUnsigned) {
  switch (p) {
  case arith::CmpFPredicate::OLT:
    return isUnsigned ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
  case arith::CmpFPredicate::OLE:
    return isUnsigned ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
  case arith::CmpFPredicate::OGT:
    return isUnsigned ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
  case arith::CmpFPredicate::OGE:
    return isUnsigned ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
  default:
    return arith::CmpIPredicate::eq;
  }
}

Value compare(OpBuilder &b, Location loc, arith::CmpFPredicate p, Value l,
              Value r, Type element) {
  if (isa<FloatType>(l.getType()))
    return arith::CmpFOp::create(b, loc, p, l, r);
  return arith::CmpIOp::create(b, loc, intPredicate(p, isUnsignedInt(element)),
                               l, r);
}

template <arith::CmpFPredicate P, typename OpTy>
Value compareBody(OpBuilder &b, Location loc, OpTy, ValueRange args,
                  Type element) {
  return compare(b, loc, P, args[0], args[1], element);
}

/// Float op or signed/unsigned integer op, by the element type.
template <typename FOp, typename SOp, typename UOp, typename OpTy>
Value arithBody(OpBuilder &b, Location loc, OpTy, ValueRange args,
                Type element) {
  if (isa<FloatType>(args[0].getType()))
    return FOp::create(b, loc, args[0], args[1]);
  if (isUnsignedInt(element))
    return UOp::create(b, loc, args[0], args[1]);
  return SOp::create(b, loc, args[0], args[1]);
}

/// Converts `x` (of original element type `from`) to `to` (original).
Value convertScalar(OpBuilder &b, Location loc, Value x, Type from, Type to) {
  Type target = toSignless(to);
  if (from == to)
    return x;
  auto fromInt = dyn_cast<IntegerType>(from);
  auto toInt = dyn_cast<IntegerType>(to);
  if (toInt && toInt.getWidth() == 1) {
    if (isa<FloatType>(x.getType()))
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x,
                                   cst(b, loc, x.getType(), 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x,
                                 cst(b, loc, x.getType(), 0));
  }
  if (fromInt && toInt) {
    unsigned fw = fromInt.getWidth(), tw = toInt.getWidth();
    if (fw == tw)
      return x;
    if (fw > tw)
      return arith::TruncIOp::create(b, loc, target, x);
    if (fromInt.isUnsigned() || fw == 1)
      return arith::ExtUIOp::create(b, loc, target, x);
    return arith::ExtSIOp::create(b, loc, target, x);
  }
  if (fromInt) {
    if (fromInt.isUnsigned() || fromInt.getWidth() == 1)
      return arith::UIToFPOp::create(b, loc, target, x);
    return arith::SIToFPOp::create(b, loc, target, x);
  }
  if (toInt) {
    if (toInt.isUnsigned())
      return arith::FPToUIOp::create(b, loc, target, x);
    return arith::FPToSIOp::create(b, loc, target, x);
  }
  auto ff = cast<FloatType>(from), tf = cast<FloatType>(to);
  if (ff.getWidth() > tf.getWidth() ||
      (ff.getWidth() == tf.getWidth() && ff != tf)) {
    if (ff.getWidth() == tf.getWidth()) {
      Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
      return arith::TruncFOp::create(b, loc, target, wide);
    }
    return arith::TruncFOp::create(b, loc, target, x);
  }
  return arith::ExtFOp::create(b, loc, target, x);
}

} // namespace

void populateElementwisePatterns(GraphTypeConverter &converter,
                                 RewritePatternSet &patterns) {
  using P = arith::CmpFPredicate;
  const TypeConverter &c = converter;
  // Float unary ops with a math counterpart.
  add<g::ExpOp>(patterns, c, mathUnary<math::ExpOp>);
  add<g::LogOp>(patterns, c, mathUnary<math::LogOp>);
  add<g::SqrtOp>(patterns, c, mathUnary<math::SqrtOp>);
  add<g::TanhOp>(patterns, c, mathUnary<math::TanhOp>);
  add<g::SinOp>(patterns, c, mathUnary<math::SinOp>);
  add<g::CosOp>(patterns, c, mathUnary<math::CosOp>);
  add<g::TanOp>(patterns, c, mathUnary<math::TanOp>);
  add<g::AsinOp>(patterns, c, mathUnary<math::AsinOp>);
  add<g::AcosOp>(patterns, c, mathUnary<math::AcosOp>);
  add<g::AtanOp>(patterns, c, mathUnary<math::AtanOp>);
  add<g::SinhOp>(patterns, c, mathUnary<math::SinhOp>);
  add<g::CoshOp>(patterns, c, mathUnary<math::CoshOp>);
  add<g::AsinhOp>(patterns, c, mathUnary<math::AsinhOp>);
  add<g::AcoshOp>(patterns, c, mathUnary<math::AcoshOp>);
  add<g::AtanhOp>(patterns, c, mathUnary<math::AtanhOp>);
  add<g::ErfOp>(patterns, c, mathUnary<math::ErfOp>);
  add<g::CeilOp>(patterns, c, mathUnary<math::CeilOp>);
  add<g::FloorOp>(patterns, c, mathUnary<math::FloorOp>);
  add<g::RoundOp>(patterns, c, mathUnary<math::RoundEvenOp>);
  add<g::SigmoidOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::SigmoidOp, ValueRange a, Type) {
        return sigmoid(b, loc, a[0]);
      });
  add<g::ReciprocalOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::ReciprocalOp, ValueRange a,
          Type) -> Value {
        return arith::DivFOp::create(b, loc, cst(b, loc, a[0].getType(), 1),
                                     a[0]);
      });
  add<g::SoftplusOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::SoftplusOp, ValueRange a,
          Type) -> Value {
        Value e = math::ExpOp::create(b, loc, a[0]);
        return math::Log1pOp::create(b, loc, e);
      });
  add<g::SoftsignOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::SoftsignOp, ValueRange a,
          Type) -> Value {
        Value abs = math::AbsFOp::create(b, loc, a[0]);
        Value d =
            arith::AddFOp::create(b, loc, cst(b, loc, a[0].getType(), 1), abs);
        return arith::DivFOp::create(b, loc, a[0], d);
      });
  add<g::HardSwishOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::HardSwishOp, ValueRange a,
          Type) -> Value {
        Type t = a[0].getType();
        Value s = arith::MulFOp::create(b, loc, a[0], cst(b, loc, t, 1. / 6));
        s = arith::AddFOp::create(b, loc, s, cst(b, loc, t, .5));
        s = arith::MinimumFOp::create(b, loc, s, cst(b, loc, t, 1));
        s = arith::MaximumFOp::create(b, loc, s, cst(b, loc, t, 0));
        return arith::MulFOp::create(b, loc, a[0], s);
      });
  // Unary ops on floats and integers.
  add<g::AbsOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::AbsOp, ValueRange a, Type e) -> Value {
        if (isa<FloatType>(a[0].getType()))
          return math::AbsFOp::create(b, loc, a[0]);
        if (isUnsignedInt(e))
          return a[0];
        return math::AbsIOp::create(b, loc, a[0]);
      });
  add<g::NegOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::NegOp, ValueRange a, Type) -> Value {
        if (isa<FloatType>(a[0].getType()))
          return arith::NegFOp::create(b, loc, a[0]);
        return arith::SubIOp::create(b, loc, cst(b, loc, a[0].getType(), 0),
                                     a[0]);
      });
  add<g::SignOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::SignOp, ValueRange a,
          Type e) -> Value {
        Type t = a[0].getType();
        Value zero = cst(b, loc, t, 0);
        Value pos = compare(b, loc, P::OGT, a[0], zero, e);
        Value neg = compare(b, loc, P::OLT, a[0], zero, e);
        Value r = arith::SelectOp::create(b, loc, pos, cst(b, loc, t, 1), zero);
        if (isUnsignedInt(e))
          return r;
        return arith::SelectOp::create(b, loc, neg, cst(b, loc, t, -1), r);
      });
  add<g::ReluOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::ReluOp, ValueRange a, Type) {
        return relu(b, loc, a[0]);
      });
  add<g::NotOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::NotOp, ValueRange a, Type) -> Value {
        return arith::XOrIOp::create(b, loc, a[0],
                                     cst(b, loc, a[0].getType(), 1));
      });
  // Parameterised activations.
  add<g::EluOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::EluOp op, ValueRange a,
          Type) -> Value {
        Type t = a[0].getType();
        Value e = math::ExpM1Op::create(b, loc, a[0]);
        Value neg = arith::MulFOp::create(
            b, loc, cst(b, loc, t, op.getAlpha().convertToDouble()), e);
        return selectNegative(b, loc, a[0], neg);
      });
  add<g::CeluOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::CeluOp op, ValueRange a,
          Type) -> Value {
        Type t = a[0].getType();
        double alpha = op.getAlpha().convertToDouble();
        Value x = arith::DivFOp::create(b, loc, a[0], cst(b, loc, t, alpha));
        Value e = math::ExpM1Op::create(b, loc, x);
        Value neg = arith::MulFOp::create(b, loc, cst(b, loc, t, alpha), e);
        return selectNegative(b, loc, a[0], neg);
      });
  add<g::LeakyReluOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::LeakyReluOp op, ValueRange a,
          Type) -> Value {
        Value neg = arith::MulFOp::create(
            b, loc, a[0],
            cst(b, loc, a[0].getType(), op.getAlpha().convertToDouble()));
        return selectNegative(b, loc, a[0], neg);
      });
  add<g::ThresholdedReluOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::ThresholdedReluOp op, ValueRange a,
          Type) -> Value {
        Type t = a[0].getType();
        Value above = arith::CmpFOp::create(
            b, loc, P::OGT, a[0],
            cst(b, loc, t, op.getAlpha().convertToDouble()));
        return arith::SelectOp::create(b, loc, above, a[0], cst(b, loc, t, 0));
      });
  add<g::SeluOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::SeluOp op, ValueRange a,
          Type) -> Value {
        Type t = a[0].getType();
        double alpha = op.getAlpha().convertToDouble();
        double gamma = op.getGamma().convertToDouble();
        Value e = math::ExpM1Op::create(b, loc, a[0]);
        Value neg = arith::MulFOp::create(b, loc, cst(b, loc, t, alpha), e);
        Value isNeg =
            arith::CmpFOp::create(b, loc, P::OLE, a[0], cst(b, loc, t, 0));
        Value r = arith::SelectOp::create(b, loc, isNeg, neg, a[0]);
        return arith::MulFOp::create(b, loc, cst(b, loc, t, gamma), r);
      });
  add<g::HardSigmoidOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::HardSigmoidOp op, ValueRange a,
          Type) -> Value {
        Type t = a[0].getType();
        Value s = arith::MulFOp::create(
            b, loc, a[0], cst(b, loc, t, op.getAlpha().convertToDouble()));
        s = arith::AddFOp::create(
            b, loc, s, cst(b, loc, t, op.getBeta().convertToDouble()));
        s = arith::MinimumFOp::create(b, loc, s, cst(b, loc, t, 1));
        return arith::MaximumFOp::create(b, loc, s, cst(b, loc, t, 0));
      });
  add<g::ShrinkOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::ShrinkOp op, ValueRange a,
          Type e) -> Value {
        Type t = a[0].getType();
        double bias = op.getBias().convertToDouble();
        double lambd = op.getLambd().convertToDouble();
        Value x = a[0];
        if (!isa<FloatType>(t))
          x = convertScalar(b, loc, x, e, b.getF64Type());
        Type ft = x.getType();
        Value lo =
            arith::CmpFOp::create(b, loc, P::OLT, x, cst(b, loc, ft, -lambd));
        Value hi =
            arith::CmpFOp::create(b, loc, P::OGT, x, cst(b, loc, ft, lambd));
        Value plus = arith::AddFOp::create(b, loc, x, cst(b, loc, ft, bias));
        Value minus = arith::SubFOp::create(b, loc, x, cst(b, loc, ft, bias));
        Value r =
            arith::SelectOp::create(b, loc, hi, minus, cst(b, loc, ft, 0));
        r = arith::SelectOp::create(b, loc, lo, plus, r);
        return isa<FloatType>(t) ? r
                                 : convertScalar(b, loc, r, b.getF64Type(), e);
      });
  add<g::IsNaNOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::IsNaNOp, ValueRange a, Type) -> Value {
        return arith::CmpFOp::create(b, loc, P::UNO, a[0], a[0]);
      });
  add<g::IsInfOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::IsInfOp op, ValueRange a,
          Type) -> Value {
        Type t = a[0].getType();
        double inf = std::numeric_limits<double>::infinity();
        Value pos =
            arith::CmpFOp::create(b, loc, P::OEQ, a[0], cst(b, loc, t, inf));
        Value neg =
            arith::CmpFOp::create(b, loc, P::OEQ, a[0], cst(b, loc, t, -inf));
        Value no = cst(b, loc, b.getI1Type(), 0);
        Value r = op.getDetectPositive() ? pos : no;
        return op.getDetectNegative()
                   ? Value(arith::OrIOp::create(b, loc, r, neg))
                   : r;
      });
  // Binary arithmetic.
  add<g::AddOp>(patterns, c,
                arithBody<arith::AddFOp, arith::AddIOp, arith::AddIOp>);
  add<g::SubOp>(patterns, c,
                arithBody<arith::SubFOp, arith::SubIOp, arith::SubIOp>);
  add<g::MulOp>(patterns, c,
                arithBody<arith::MulFOp, arith::MulIOp, arith::MulIOp>);
  add<g::DivOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::DivOp, ValueRange a, Type e) -> Value {
        if (isa<FloatType>(a[0].getType()))
          return arith::DivFOp::create(b, loc, a[0], a[1]);
        if (isUnsignedInt(e))
          return arith::DivUIOp::create(b, loc, a[0],
                                        safeDivisor(b, loc, a[1]));
        return signedDivide(b, loc, a[0], a[1]);
      });
  add<g::MaxOp>(patterns, c,
                arithBody<arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp>);
  add<g::MinOp>(patterns, c,
                arithBody<arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp>);
  add<g::AndOp>(patterns, c,
                arithBody<arith::AndIOp, arith::AndIOp, arith::AndIOp>);
  add<g::OrOp>(patterns, c,
               arithBody<arith::OrIOp, arith::OrIOp, arith::OrIOp>);
  add<g::XorOp>(patterns, c,
                arithBody<arith::XOrIOp, arith::XOrIOp, arith::XOrIOp>);
  add<g::ShiftLeftOp>(patterns, c,
                      arithBody<arith::ShLIOp, arith::ShLIOp, arith::ShLIOp>);
  add<g::ShiftRightOp>(
      patterns, c, arithBody<arith::ShRUIOp, arith::ShRUIOp, arith::ShRUIOp>);
  add<g::ModOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::ModOp op, ValueRange a,
          Type e) -> Value {
        Value l = a[0], r = a[1];
        if (isa<FloatType>(l.getType()))
          return arith::RemFOp::create(b, loc, l, r);
        if (isUnsignedInt(e))
          return arith::RemUIOp::create(b, loc, l, safeDivisor(b, loc, r));
        // x % -1 is 0 (and INT_MIN % -1 must not trap).
        Value minusOne = arith::CmpIOp::create(
            b, loc, arith::CmpIPredicate::eq, r,
            arith::ConstantIntOp::create(b, loc, r.getType(), -1));
        r = arith::SelectOp::create(
            b, loc, minusOne,
            arith::ConstantIntOp::create(b, loc, r.getType(), 1),
            safeDivisor(b, loc, r));
        Value rem = arith::RemSIOp::create(b, loc, l, r);
        if (op.getFmod())
          return rem;
        // Python's mod: the result takes the divisor's sign.
        Type t = l.getType();
        Value zero = cst(b, loc, t, 0);
        Value nonzero =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, rem, zero);
        Value remNeg =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, rem, zero);
        Value rNeg =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, r, zero);
        Value differ = arith::XOrIOp::create(b, loc, remNeg, rNeg);
        Value fix = arith::AndIOp::create(b, loc, nonzero, differ);
        Value adjusted = arith::AddIOp::create(b, loc, rem, r);
        return arith::SelectOp::create(b, loc, fix, adjusted, rem);
      });
  add<g::PowOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::PowOp op, ValueRange a,
          Type e) -> Value {
        Type be = getElementTypeOrSelf(op.getRhs().getType());
        Type lt = a[0].getType();
        if (isa<FloatType>(lt)) {
          Value r = convertScalar(b, loc, a[1], be, e);
          return math::PowFOp::create(b, loc, a[0], r);
        }
        // Integer base: compute in f64, as ONNX Runtime does.
        Value l = convertScalar(b, loc, a[0], e, b.getF64Type());
        Value r = convertScalar(b, loc, a[1], be, b.getF64Type());
        Value p = math::PowFOp::create(b, loc, l, r);
        return convertScalar(b, loc, p, b.getF64Type(), e);
      });
  add<g::PReluOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::PReluOp, ValueRange a, Type) -> Value {
        Type t = a[0].getType();
        if (!isa<FloatType>(t)) {
          Value neg = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                                            a[0], cst(b, loc, t, 0));
          Value m = arith::MulIOp::create(b, loc, a[0], a[1]);
          return arith::SelectOp::create(b, loc, neg, m, a[0]);
        }
        Value m = arith::MulFOp::create(b, loc, a[0], a[1]);
        return selectNegative(b, loc, a[0], m);
      });
  // Comparisons.
  add<g::EqualOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::EqualOp, ValueRange a, Type) -> Value {
        if (isa<FloatType>(a[0].getType()))
          return arith::CmpFOp::create(b, loc, P::OEQ, a[0], a[1]);
        return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a[0],
                                     a[1]);
      });
  add<g::LessOp>(patterns, c, compareBody<P::OLT>);
  add<g::LessEqualOp>(patterns, c, compareBody<P::OLE>);
  add<g::GreaterOp>(patterns, c, compareBody<P::OGT>);
  add<g::GreaterEqualOp>(patterns, c, compareBody<P::OGE>);
  add<g::WhereOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::WhereOp, ValueRange a, Type) -> Value {
        return arith::SelectOp::create(b, loc, a[0], a[1], a[2]);
      });
  add<g::CastOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::CastOp op, ValueRange a, Type e) {
        return convertScalar(b, loc, a[0], e, op.getTo());
      });
  add<g::ClipOp>(
      patterns, c,
      +[](OpBuilder &b, Location loc, g::ClipOp op, ValueRange a,
          Type e) -> Value {
        Value x = a[0];
        unsigned next = 1;
        bool isFloat = isa<FloatType>(x.getType());
        bool isUnsigned = isUnsignedInt(e);
        if (op.getMin()) {
          Value lo = a[next++];
          x = isFloat      ? Value(arith::MaximumFOp::create(b, loc, x, lo))
              : isUnsigned ? Value(arith::MaxUIOp::create(b, loc, x, lo))
                           : Value(arith::MaxSIOp::create(b, loc, x, lo));
        }
        if (op.getMax()) {
          Value hi = a[next++];
          x = isFloat      ? Value(arith::MinimumFOp::create(b, loc, x, hi))
              : isUnsigned ? Value(arith::MinUIOp::create(b, loc, x, hi))
                           : Value(arith::MinSIOp::create(b, loc, x, hi));
        }
        return x;
      });
}

} // namespace loom::lowering
