//===- MoreOps.cpp - LRN, MVN, ReverseSequence, Compress, dynamic quant ---===//
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

/// y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta.
struct LRNPattern : OpConversionPattern<g::LRNOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::LRNOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type t = type->getElementType();
    int64_t size = op.getSize();
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    double alpha = op.getAlpha().convertToDouble() / size;
    double beta = op.getBeta().convertToDouble();
    double bias = op.getBias().convertToDouble();
    Value result = buildFromIndices(
        rewriter, loc, *type, tensor::getMixedSizes(rewriter, loc, x),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          Value channels = tensor::DimOp::create(b, l, x, 1);
          Value sum = scalarConstant(b, l, t, 0);
          for (int64_t o = -before; o <= after; ++o) {
            Value c =
                arith::AddIOp::create(b, l, idx[1], constantIndex(b, l, o));
            Value cI = arith::IndexCastOp::create(b, l, b.getI64Type(), c);
            Value inside = arith::AndIOp::create(
                b, l,
                arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::sge, cI,
                    arith::ConstantIntOp::create(b, l, 0, 64)),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, c,
                                      channels));
            Value safe = arith::SelectOp::create(b, l, inside, c,
                                                 constantIndex(b, l, 0));
            SmallVector<Value> at(idx.begin(), idx.end());
            at[1] = safe;
            Value v = tensor::ExtractOp::create(b, l, x, at);
            Value sq = arith::MulFOp::create(b, l, v, v);
            sq = arith::SelectOp::create(b, l, inside, sq,
                                         scalarConstant(b, l, t, 0));
            sum = arith::AddFOp::create(b, l, sum, sq);
          }
          Value d = arith::AddFOp::create(
              b, l, scalarConstant(b, l, t, bias),
              arith::MulFOp::create(b, l, scalarConstant(b, l, t, alpha), sum));
          d = math::PowFOp::create(b, l, d, scalarConstant(b, l, t, beta));
          Value v = tensor::ExtractOp::create(b, l, x, idx);
          return arith::DivFOp::create(b, l, v, d);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// (x - mean) / sqrt(variance) over `axes` (ONNX MeanVarianceNormalization,
/// whose reference adds 1e-9 to the deviation).
struct MVNPattern : OpConversionPattern<g::MeanVarianceNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::MeanVarianceNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type t = type->getElementType();
    FailureOr<Moments> moments =
        buildMoments(rewriter, loc, x, *type, op.getAxes());
    if (failed(moments))
      return failure();
    FailureOr<Value> result = buildElementwise(
        rewriter, loc, *type, {moments->centered, moments->variance},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value sd = math::SqrtOp::create(b, l, a[1]);
          sd = arith::AddFOp::create(b, l, sd, scalarConstant(b, l, t, 1e-9));
          return arith::DivFOp::create(b, l, a[0], sd);
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

/// Reverses the first sequence_lens[b] entries along the time axis.
struct ReverseSequencePattern : OpConversionPattern<g::ReverseSequenceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ReverseSequenceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t batch = op.getBatchAxis(), time = op.getTimeAxis();
    Value result = buildFromIndices(
        rewriter, loc, *type, tensor::getMixedSizes(rewriter, loc, x),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          Value len = tensor::ExtractOp::create(b, l, adaptor.getSequenceLens(),
                                                ValueRange{idx[batch]});
          Value lenI = arith::IndexCastOp::create(b, l, b.getIndexType(), len);
          Value t = idx[time];
          Value inside =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, t, lenI);
          Value flipped = arith::SubIOp::create(
              b, l, arith::SubIOp::create(b, l, lenI, constantIndex(b, l, 1)),
              t);
          SmallVector<Value> at(idx.begin(), idx.end());
          at[time] = arith::SelectOp::create(b, l, inside, flipped, t);
          return tensor::ExtractOp::create(b, l, x, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Keeps the slices along the axis whose condition is true, in order (the
/// input flattened when there is no axis); the result's static shape says
/// how many there are.
struct CompressPattern : OpConversionPattern<g::CompressOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::CompressOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto condType =
        dyn_cast<RankedTensorType>(adaptor.getCondition().getType());
    if (failed(type) || !inputType || !inputType.hasStaticShape() ||
        !condType || !condType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t axis = 0;
    if (op.getAxis()) {
      axis = *op.getAxis();
    } else {
      auto flat = RankedTensorType::get({inputType.getNumElements()},
                                        inputType.getElementType());
      Value shape = arith::ConstantOp::create(
          rewriter, loc,
          DenseIntElementsAttr::get(
              RankedTensorType::get({1}, rewriter.getI64Type()),
              ArrayRef<int64_t>{inputType.getNumElements()}));
      x = tensor::ReshapeOp::create(rewriter, loc, flat, x, shape);
      inputType = flat;
    }
    int64_t rank = inputType.getRank();
    int64_t steps =
        std::min(condType.getDimSize(0), inputType.getDimSize(axis));
    int64_t kept = type->getDimSize(axis);
    {
      // The result's size along the axis was fixed at compile time: the
      // condition must keep exactly that many slices.
      Value cond = adaptor.getCondition();
      if (steps != condType.getDimSize(0))
        cond = tensor::ExtractSliceOp::create(
            rewriter, loc,
            RankedTensorType::get({steps}, condType.getElementType()), cond,
            ValueRange{}, ValueRange{}, ValueRange{}, ArrayRef<int64_t>{0},
            ArrayRef<int64_t>{steps}, ArrayRef<int64_t>{1});
      auto scalar = RankedTensorType::get({}, rewriter.getI64Type());
      Value zero = createFilled(rewriter, loc, scalar, {},
                                rewriter.getI64IntegerAttr(0));
      auto count = linalg::GenericOp::create(
          rewriter, loc, TypeRange{scalar}, ValueRange{cond}, ValueRange{zero},
          ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(1),
                              AffineMap::get(1, 0, {}, getContext())},
          SmallVector<utils::IteratorType>{utils::IteratorType::reduction},
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value one = arith::ExtUIOp::create(b, l, b.getI64Type(), args[0]);
            linalg::YieldOp::create(
                b, l, Value(arith::AddIOp::create(b, l, args[1], one)));
          });
      Value trues = tensor::ExtractOp::create(rewriter, loc, count.getResult(0),
                                              ValueRange{});
      Value expected = arith::ConstantIntOp::create(rewriter, loc, kept, 64);
      emitCheck(rewriter, loc,
                arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                      trues, expected),
                "shape",
                "the condition keeps {0} slices, but the output was compiled "
                "for {1} (its declared shape)",
                {trues, expected}, 1);
    }
    Value init =
        createFilled(rewriter, loc, *type,
                     getAsIndexOpFoldResult(getContext(), type->getShape()),
                     rewriter.getZeroAttr(type->getElementType()));
    SmallVector<int64_t> sliceShape(inputType.getShape());
    sliceShape[axis] = 1;
    auto loop = scf::ForOp::create(
        rewriter, loc, constantIndex(rewriter, loc, 0),
        constantIndex(rewriter, loc, steps), constantIndex(rewriter, loc, 1),
        ValueRange{init, constantIndex(rewriter, loc, 0)},
        [&](OpBuilder &b, Location l, Value i, ValueRange args) {
          Value acc = args[0], j = args[1];
          Value take = tensor::ExtractOp::create(b, l, adaptor.getCondition(),
                                                 ValueRange{i});
          Value room = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, j,
                                             constantIndex(b, l, kept));
          take = arith::AndIOp::create(b, l, take, room);
          auto branch = scf::IfOp::create(
              b, l, take,
              [&](OpBuilder &tb, Location tl) {
                SmallVector<OpFoldResult> offsets(rank, tb.getIndexAttr(0)),
                    sizes = getAsIndexOpFoldResult(tb.getContext(), sliceShape),
                    strides(rank, tb.getIndexAttr(1));
                offsets[axis] = i;
                Value slice = tensor::ExtractSliceOp::create(tb, tl, x, offsets,
                                                             sizes, strides);
                offsets[axis] = j;
                Value next = tensor::InsertSliceOp::create(
                    tb, tl, slice, acc, offsets, sizes, strides);
                Value j1 =
                    arith::AddIOp::create(tb, tl, j, constantIndex(tb, tl, 1));
                scf::YieldOp::create(tb, tl, ValueRange{next, j1});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el, ValueRange{acc, j});
              });
          scf::YieldOp::create(b, l, branch.getResults());
        });
    rewriter.replaceOp(op, loop.getResult(0));
    return success();
  }
};

/// DynamicQuantizeLinear: scale = (max(0, max x) - min(0, min x)) / 255,
/// zero point = saturate(round(-min(0, min x) / scale)), y = saturate(
/// round(x / scale) + zero point), all to uint8.
struct DynamicQuantizePattern : OpConversionPattern<g::DynamicQuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::DynamicQuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (failed(type) || !inputType)
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Type f = rewriter.getF32Type();
    SmallVector<int64_t> all;
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      all.push_back(d);
    auto scalarType = RankedTensorType::get({}, f);
    auto extreme = [&](bool isMax) {
      Value r = buildReduction(
          rewriter, loc, x, all, false, scalarType, rewriter.getZeroAttr(f),
          [&](OpBuilder &b, Location l, Value e, Value acc) -> Value {
            if (isMax)
              return arith::MaximumFOp::create(b, l, e, acc);
            return arith::MinimumFOp::create(b, l, e, acc);
          });
      return Value(tensor::ExtractOp::create(rewriter, loc, r, ValueRange{}));
    };
    // Starting the reductions at 0 gives max(0, max x) and min(0, min x).
    Value hi = extreme(true), lo = extreme(false);
    Value scale = arith::DivFOp::create(
        rewriter, loc, arith::SubFOp::create(rewriter, loc, hi, lo),
        scalarConstant(rewriter, loc, f, 255));
    // round_half_even(v) + add, clamped to [0, 255].
    auto saturate = [&](OpBuilder &b, Location l, Value v,
                        Value add = {}) -> Value {
      v = math::RoundEvenOp::create(b, l, v);
      if (add)
        v = arith::AddFOp::create(b, l, v, add);
      v = arith::MaximumFOp::create(b, l, v, scalarConstant(b, l, f, 0));
      v = arith::MinimumFOp::create(b, l, v, scalarConstant(b, l, f, 255));
      return v;
    };
    Value zpF = saturate(
        rewriter, loc,
        arith::DivFOp::create(rewriter, loc,
                              arith::NegFOp::create(rewriter, loc, lo), scale));
    Type u8 = rewriter.getIntegerType(8);
    Value y = buildFromIndices(
        rewriter, loc, *type, tensor::getMixedSizes(rewriter, loc, x),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          Value v = tensor::ExtractOp::create(b, l, x, idx);
          v = saturate(b, l, arith::DivFOp::create(b, l, v, scale), zpF);
          return arith::FPToUIOp::create(b, l, u8, v);
        });
    Value scaleT = tensor::FromElementsOp::create(rewriter, loc, scalarType,
                                                  ValueRange{scale});
    Value zp = arith::FPToUIOp::create(rewriter, loc, u8, zpF);
    Value zpT = tensor::FromElementsOp::create(
        rewriter, loc, RankedTensorType::get({}, u8), ValueRange{zp});
    rewriter.replaceOp(op, {y, scaleT, zpT});
    return success();
  }
};

} // namespace

void populateMorePatterns(GraphTypeConverter &converter,
                          RewritePatternSet &patterns) {
  patterns.add<LRNPattern, MVNPattern, ReverseSequencePattern, CompressPattern,
               DynamicQuantizePattern>(converter, patterns.getContext());
}

} // namespace loom::lowering
