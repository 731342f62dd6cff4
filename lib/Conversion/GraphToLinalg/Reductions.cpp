//===- Reductions.cpp - Reductions, softmax and arg-reductions to linalg --===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

/// All ways of dropping dims of `in` that leave `out`, as the dropped dims.
void embeddings(ArrayRef<int64_t> in, ArrayRef<int64_t> out, size_t i, size_t o,
                SmallVector<int64_t> &dropped,
                SmallVector<SmallVector<int64_t>> &found) {
  if (found.size() > 1)
    return;
  if (i == in.size()) {
    if (o == out.size())
      found.push_back(dropped);
    return;
  }
  if (o < out.size() && in[i] == out[o])
    embeddings(in, out, i + 1, o + 1, dropped, found);
  dropped.push_back(i);
  embeddings(in, out, i + 1, o, dropped, found);
  dropped.pop_back();
}

/// The axes a reduction with axes computed at run time must reduce, given
/// static input and result shapes that imply them: with kept dims, those
/// that become 1 (reducing a dim of size 1 or not is the same); without,
/// the only way of dropping dims that leaves the result's. The model's
/// declared shapes thereby fix the axes the run-time operand must hold.
std::optional<SmallVector<int64_t>> inferReducedAxes(RankedTensorType input,
                                                     RankedTensorType result,
                                                     bool keepDims) {
  if (!input.hasStaticShape() || !result.hasStaticShape())
    return std::nullopt;
  ArrayRef<int64_t> in = input.getShape(), out = result.getShape();
  SmallVector<int64_t> axes;
  if (keepDims) {
    if (in.size() != out.size())
      return std::nullopt;
    for (size_t d = 0; d < in.size(); ++d) {
      if (out[d] == 1 && in[d] != 1)
        axes.push_back(d);
      else if (out[d] != in[d])
        return std::nullopt;
    }
    return axes;
  }
  SmallVector<SmallVector<int64_t>> found;
  embeddings(in, out, 0, 0, axes, found);
  if (found.size() != 1)
    return std::nullopt;
  return found.front();
}

/// Checks that the axes a reduction reads at run time (`axes`, 1-D i64) are
/// `expected`, the ones its declared shapes imply: each in [-rank, rank),
/// and reducing exactly the expected dims among those of size other than 1
/// (for a dim of size 1 either is the same). An empty tensor reduces every
/// dim unless `emptyIsNoop`. One pass over the axes, before the reduction.
void emitComputedAxesCheck(OpBuilder &b, Location loc, Value axes,
                           ArrayRef<int64_t> inputShape,
                           ArrayRef<int64_t> expected, bool emptyIsNoop,
                           int64_t operand) {
  int64_t rank = inputShape.size();
  Value rankValue = constantIndex(b, loc, rank);
  Value zero = constantIndex(b, loc, 0);
  Value length = tensor::DimOp::create(b, loc, axes, 0);
  Value no = arith::ConstantIntOp::create(b, loc, 0, 1);
  Value yes = arith::ConstantIntOp::create(b, loc, 1, 1);
  // Iteration arguments: one "reduced" flag per dim, then "all in range".
  SmallVector<Value> init(rank, no);
  init.push_back(yes);
  auto loop = scf::ForOp::create(
      b, loc, zero, length, constantIndex(b, loc, 1), init,
      [&](OpBuilder &nb, Location l, Value i, ValueRange flags) {
        Value axis = wrapNegativeIndex(
            nb, l, tensor::ExtractOp::create(nb, l, axes, ValueRange{i}),
            rankValue);
        SmallVector<Value> next;
        for (int64_t d = 0; d < rank; ++d)
          next.push_back(arith::OrIOp::create(
              nb, l, flags[d],
              arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq, axis,
                                    constantIndex(nb, l, d))));
        Value inRange = arith::AndIOp::create(
            nb, l,
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, axis,
                                  constantIndex(nb, l, 0)),
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, axis,
                                  rankValue));
        next.push_back(arith::AndIOp::create(nb, l, flags[rank], inRange));
        scf::YieldOp::create(nb, l, next);
      });
  Value empty =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, length, zero);
  Value ok = loop.getResult(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (inputShape[d] == 1)
      continue;
    Value reduced = loop.getResult(d);
    if (!emptyIsNoop)
      reduced = arith::OrIOp::create(b, loc, reduced, empty);
    Value good = llvm::is_contained(expected, d)
                     ? reduced
                     : arith::XOrIOp::create(b, loc, reduced, yes).getResult();
    ok = arith::AndIOp::create(b, loc, ok, good);
  }
  std::string list;
  llvm::raw_string_ostream os(list);
  llvm::interleaveComma(expected, os);
  emitCheck(b, loc, ok, "value",
            "the axes it reads at run time are not [" + list +
                "], the dims its declared shapes reduce",
            {}, operand);
}

/// The number of elements `axes` covers, as a scalar of `elementType`.
Value countOf(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
              Type elementType) {
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t d : axes)
    count = arith::MulIOp::create(b, loc, count,
                                  tensor::DimOp::create(b, loc, input, d));
  Value i64 = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  if (isa<FloatType>(elementType))
    return arith::SIToFPOp::create(b, loc, elementType, i64);
  return arith::TruncIOp::create(b, loc, elementType, i64).getResult();
}

TypedAttr lowest(Builder &b, Type t, bool isUnsigned) {
  if (auto f = dyn_cast<FloatType>(t))
    return b.getFloatAttr(t, -std::numeric_limits<double>::infinity());
  unsigned w = t.getIntOrFloatBitWidth();
  return b.getIntegerAttr(t, isUnsigned ? APInt::getMinValue(w)
                                        : APInt::getSignedMinValue(w));
}

TypedAttr highest(Builder &b, Type t, bool isUnsigned) {
  if (auto f = dyn_cast<FloatType>(t))
    return b.getFloatAttr(t, std::numeric_limits<double>::infinity());
  unsigned w = t.getIntOrFloatBitWidth();
  return b.getIntegerAttr(t, isUnsigned ? APInt::getMaxValue(w)
                                        : APInt::getSignedMaxValue(w));
}

Value add(OpBuilder &b, Location loc, Value x, Value y) {
  return isa<FloatType>(x.getType())
             ? Value(arith::AddFOp::create(b, loc, x, y))
             : Value(arith::AddIOp::create(b, loc, x, y));
}
Value mul(OpBuilder &b, Location loc, Value x, Value y) {
  return isa<FloatType>(x.getType())
             ? Value(arith::MulFOp::create(b, loc, x, y))
             : Value(arith::MulIOp::create(b, loc, x, y));
}

enum class Kind {
  Sum,
  Mean,
  Max,
  Min,
  Prod,
  L1,
  L2,
  LogSum,
  LogSumExp,
  SumSquare
};

template <typename OpTy, Kind kind>
struct ReducePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *this->getTypeConverter(), op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (failed(type) || !inputType)
      return rewriter.notifyMatchFailure(op, "needs ranks");
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    Type t = type->getElementType();
    bool isUnsigned =
        getElementTypeOrSelf(op.getInput().getType()).isUnsignedInteger();
    SmallVector<int64_t> axes(op.getAxes());
    if (op.getComputedAxes()) {
      std::optional<SmallVector<int64_t>> inferred =
          inferReducedAxes(inputType, *type, op.getKeepDims());
      if (!inferred)
        return rewriter.notifyMatchFailure(
            op, "axes computed at run time and not implied by the shapes");
      axes = *inferred;
      emitComputedAxesCheck(rewriter, loc, adaptor.getComputedAxes(),
                            inputType.getShape(), axes,
                            op.getNoopWithEmptyAxes(), 1);
    }
    bool isFloat = isa<FloatType>(t);
    TypedAttr init = rewriter.getZeroAttr(t);
    if (kind == Kind::Max)
      init = lowest(rewriter, t, isUnsigned);
    else if (kind == Kind::Min)
      init = highest(rewriter, t, isUnsigned);
    else if (kind == Kind::Prod)
      init = isFloat ? TypedAttr(rewriter.getFloatAttr(t, 1))
                     : TypedAttr(rewriter.getIntegerAttr(t, 1));
    Value result = buildReduction(
        rewriter, loc, input, axes, op.getKeepDims(), *type, init,
        [&](OpBuilder &b, Location l, Value x, Value acc) -> Value {
          switch (kind) {
          case Kind::Max:
            return isFloat      ? Value(arith::MaximumFOp::create(b, l, x, acc))
                   : isUnsigned ? Value(arith::MaxUIOp::create(b, l, x, acc))
                                : Value(arith::MaxSIOp::create(b, l, x, acc));
          case Kind::Min:
            return isFloat      ? Value(arith::MinimumFOp::create(b, l, x, acc))
                   : isUnsigned ? Value(arith::MinUIOp::create(b, l, x, acc))
                                : Value(arith::MinSIOp::create(b, l, x, acc));
          case Kind::Prod:
            return mul(b, l, x, acc);
          case Kind::L1:
            return add(b, l,
                       isFloat      ? Value(math::AbsFOp::create(b, l, x))
                       : isUnsigned ? x
                                    : Value(math::AbsIOp::create(b, l, x)),
                       acc);
          case Kind::L2:
          case Kind::SumSquare:
            return add(b, l, mul(b, l, x, x), acc);
          case Kind::LogSumExp:
            return add(b, l, math::ExpOp::create(b, l, x), acc);
          default:
            return add(b, l, x, acc);
          }
        });
    if (kind == Kind::Mean || kind == Kind::L2 || kind == Kind::LogSum ||
        kind == Kind::LogSumExp) {
      Value count =
          kind == Kind::Mean ? countOf(rewriter, loc, input, axes, t) : Value();
      FailureOr<Value> post = buildElementwise(
          rewriter, loc, *type, result,
          [&](OpBuilder &b, Location l, ValueRange args) -> Value {
            Value x = args[0];
            if (kind == Kind::Mean)
              return isFloat ? Value(arith::DivFOp::create(b, l, x, count))
                     : isUnsigned
                         ? Value(arith::DivUIOp::create(b, l, x, count))
                         : Value(arith::DivSIOp::create(b, l, x, count));
            if (!isFloat)
              return x;
            if (kind == Kind::L2)
              return math::SqrtOp::create(b, l, x);
            return math::LogOp::create(b, l, x);
          });
      if (failed(post))
        return failure();
      result = *post;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// softmax(x) = exp(x - max) / sum(exp(x - max)) along `axis`;
/// log_softmax(x) = (x - max) - log(sum(exp(x - max))).
template <typename OpTy, bool isLog>
struct SoftmaxPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *this->getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type t = type->getElementType();
    int64_t axis = op.getAxis();
    SmallVector<int64_t> keptShape(type->getShape());
    keptShape[axis] = 1;
    auto keptType = RankedTensorType::get(keptShape, t);
    Value max = buildReduction(
        rewriter, loc, x, {axis}, true, keptType, lowest(rewriter, t, false),
        [](OpBuilder &b, Location l, Value e, Value acc) {
          return arith::MaximumFOp::create(b, l, e, acc);
        });
    FailureOr<Value> shifted =
        buildElementwise(rewriter, loc, *type, {x, max},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           return arith::SubFOp::create(b, l, a[0], a[1]);
                         });
    if (failed(shifted))
      return failure();
    Value sum =
        buildReduction(rewriter, loc, *shifted, {axis}, true, keptType,
                       rewriter.getZeroAttr(t),
                       [](OpBuilder &b, Location l, Value e, Value acc) {
                         Value ex = math::ExpOp::create(b, l, e);
                         return arith::AddFOp::create(b, l, ex, acc);
                       });
    FailureOr<Value> result =
        buildElementwise(rewriter, loc, *type, {*shifted, sum},
                         [](OpBuilder &b, Location l, ValueRange a) -> Value {
                           if (isLog)
                             return arith::SubFOp::create(
                                 b, l, a[0], math::LogOp::create(b, l, a[1]));
                           Value e = math::ExpOp::create(b, l, a[0]);
                           return arith::DivFOp::create(b, l, e, a[1]);
                         });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// ArgMax/ArgMin: one reduction carrying the best value and its index.
template <typename OpTy, bool isMax>
struct ArgReducePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *this->getTypeConverter(), op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (failed(type) || !inputType)
      return rewriter.notifyMatchFailure(op, "unranked");
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type t = inputType.getElementType();
    bool isUnsigned =
        getElementTypeOrSelf(op.getInput().getType()).isUnsignedInteger();
    int64_t axis = op.getAxis(), rank = inputType.getRank();
    bool keep = op.getKeepDims(), last = op.getSelectLastIndex();
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iterators;
    SmallVector<OpFoldResult> sizes;
    SmallVector<int64_t> shape;
    for (int64_t d = 0; d < rank; ++d) {
      iterators.push_back(d == axis ? utils::IteratorType::reduction
                                    : utils::IteratorType::parallel);
      if (d == axis && !keep)
        continue;
      outExprs.push_back(d == axis ? rewriter.getAffineConstantExpr(0)
                                   : rewriter.getAffineDimExpr(d));
      if (d == axis)
        sizes.push_back(rewriter.getIndexAttr(1));
      else if (inputType.isDynamicDim(d))
        sizes.push_back(Value(tensor::DimOp::create(rewriter, loc, x, d)));
      else
        sizes.push_back(rewriter.getIndexAttr(inputType.getDimSize(d)));
    }
    auto valueType = RankedTensorType::get(type->getShape(), t);
    Value values = createFilled(rewriter, loc, valueType, sizes,
                                isMax ? lowest(rewriter, t, isUnsigned)
                                      : highest(rewriter, t, isUnsigned));
    Value indices = createFilled(rewriter, loc, *type, sizes,
                                 rewriter.getI64IntegerAttr(0));
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, rewriter.getContext());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, *type}, ValueRange{x},
        ValueRange{values, indices},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), outMap,
                            outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value e = args[0], best = args[1], at = args[2];
          arith::CmpFPredicate fp = isMax ? (last ? arith::CmpFPredicate::OGE
                                                  : arith::CmpFPredicate::OGT)
                                          : (last ? arith::CmpFPredicate::OLE
                                                  : arith::CmpFPredicate::OLT);
          arith::CmpIPredicate ip =
              isMax ? (last ? (isUnsigned ? arith::CmpIPredicate::uge
                                          : arith::CmpIPredicate::sge)
                            : (isUnsigned ? arith::CmpIPredicate::ugt
                                          : arith::CmpIPredicate::sgt))
                    : (last ? (isUnsigned ? arith::CmpIPredicate::ule
                                          : arith::CmpIPredicate::sle)
                            : (isUnsigned ? arith::CmpIPredicate::ult
                                          : arith::CmpIPredicate::slt));
          Value better = isa<FloatType>(t)
                             ? Value(arith::CmpFOp::create(b, l, fp, e, best))
                             : Value(arith::CmpIOp::create(b, l, ip, e, best));
          Value index = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          // The first element always wins, so an all-NaN or all-lowest
          // slice still gives index 0.
          Value first =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, index,
                                    arith::ConstantIntOp::create(b, l, 0, 64));
          better = arith::OrIOp::create(b, l, better, first);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, better, e, best),
                         arith::SelectOp::create(b, l, better, index, at)});
        });
    // What the GPU's block-level lowering needs to combine two partial
    // results (loom-gpu-map-loops, BlockReductions.cpp).
    generic->setAttr("loom.arg_reduce",
                     rewriter.getStringAttr(isMax ? "max" : "min"));
    if (last)
      generic->setAttr("loom.arg_last", rewriter.getUnitAttr());
    if (isUnsigned)
      generic->setAttr("loom.arg_unsigned", rewriter.getUnitAttr());
    rewriter.replaceOp(op, generic.getResult(1));
    return success();
  }
};

/// GlobalAveragePool / GlobalMaxPool: reduce every spatial dim, kept as 1.
template <typename OpTy, bool isMax>
struct GlobalPoolPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *this->getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type t = type->getElementType();
    SmallVector<int64_t> axes;
    for (int64_t d = 2; d < type->getRank(); ++d)
      axes.push_back(d);
    Value result = buildReduction(
        rewriter, loc, x, axes, true, *type,
        isMax ? lowest(rewriter, t, false) : rewriter.getZeroAttr(t),
        [](OpBuilder &b, Location l, Value e, Value acc) -> Value {
          if (isMax)
            return arith::MaximumFOp::create(b, l, e, acc);
          return arith::AddFOp::create(b, l, e, acc);
        });
    if (!isMax) {
      Value count = countOf(rewriter, loc, x, axes, t);
      FailureOr<Value> mean = buildElementwise(
          rewriter, loc, *type, result,
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::DivFOp::create(b, l, a[0], count);
          });
      if (failed(mean))
        return failure();
      result = *mean;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateReductionPatterns(GraphTypeConverter &converter,
                               RewritePatternSet &patterns) {
  patterns.add<ReducePattern<g::ReduceSumOp, Kind::Sum>,
               ReducePattern<g::ReduceMeanOp, Kind::Mean>,
               ReducePattern<g::ReduceMaxOp, Kind::Max>,
               ReducePattern<g::ReduceMinOp, Kind::Min>,
               ReducePattern<g::ReduceProdOp, Kind::Prod>,
               ReducePattern<g::ReduceL1Op, Kind::L1>,
               ReducePattern<g::ReduceL2Op, Kind::L2>,
               ReducePattern<g::ReduceLogSumOp, Kind::LogSum>,
               ReducePattern<g::ReduceLogSumExpOp, Kind::LogSumExp>,
               ReducePattern<g::ReduceSumSquareOp, Kind::SumSquare>,
               SoftmaxPattern<g::SoftmaxOp, false>,
               SoftmaxPattern<g::LogSoftmaxOp, true>,
               ArgReducePattern<g::ArgMaxOp, true>,
               ArgReducePattern<g::ArgMinOp, false>,
               GlobalPoolPattern<g::GlobalAveragePoolOp, false>,
               GlobalPoolPattern<g::GlobalMaxPoolOp, true>>(
      converter, patterns.getContext());
}

} // namespace loom::lowering
