//===- DataOps.cpp - Index-computed data ops to linalg --------------------===//
//
// Part of Loom. Ops whose every element is computed from its index: gathers,
// triangles, ranges, tiles, one-hot, block rearrangements, prefix sums.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

/// An integer tensor element as an index, negative values wrapped by `size`.

SmallVector<OpFoldResult> staticSizes(OpBuilder &b, RankedTensorType type) {
  return getAsIndexOpFoldResult(b.getContext(), type.getShape());
}

struct GatherElementsPattern : OpConversionPattern<g::GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis(), rank = type->getRank();
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
      return tensor::DimOp::create(rewriter, loc, indices, i);
    });
    emitIndexRangeCheck(rewriter, loc, indices,
                        tensor::DimOp::create(rewriter, loc, data, axis), 1);
    // The other dims read data where the indices are.
    auto dataType = cast<RankedTensorType>(data.getType());
    auto indexType = cast<RankedTensorType>(indices.getType());
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis ||
          (!dataType.isDynamicDim(d) && !indexType.isDynamicDim(d)))
        continue;
      emitDimAtMostCheck(
          rewriter, loc, tensor::DimOp::create(rewriter, loc, indices, d),
          tensor::DimOp::create(rewriter, loc, data, d),
          "dim " + std::to_string(d) + " is {0}, more than the data's ({1})",
          1);
    }
    Value init = createEmpty(rewriter, loc, *type, sizes);
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{indices}, ValueRange{init},
        ArrayRef<AffineMap>{identity, identity},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d)
            at.push_back(linalg::IndexOp::create(b, l, d));
          at[axis] = wrapNegativeIndex(b, l, args[0],
                                       tensor::DimOp::create(b, l, data, axis));
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, data, at)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Keeps the elements on and above (upper) or below (lower) diagonal k of
/// the last two dims; zeroes the others.
struct TriluPattern : OpConversionPattern<g::TriluOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::TriluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t rank = type->getRank();
    Value k = constantIndex(rewriter, loc, 0);
    if (adaptor.getK()) {
      Value scalar = tensor::ExtractOp::create(rewriter, loc, adaptor.getK(),
                                               ValueRange{});
      k = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                     scalar);
    }
    bool upper = op.getUpper();
    auto sizes = tensor::getMixedSizes(rewriter, loc, x);
    Type t = type->getElementType();
    Value result = buildFromIndices(
        rewriter, loc, *type, sizes,
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          Value i = idx[rank - 2], j = idx[rank - 1];
          Value diff = arith::SubIOp::create(b, l, j, i);
          Value keep = arith::CmpIOp::create(b, l,
                                             upper ? arith::CmpIPredicate::sge
                                                   : arith::CmpIPredicate::sle,
                                             diff, k);
          Value v = tensor::ExtractOp::create(b, l, x, idx);
          return arith::SelectOp::create(b, l, keep, v,
                                         scalarConstant(b, l, t, 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct ConstantOfShapePattern : OpConversionPattern<g::ConstantOfShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ConstantOfShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    auto value = dyn_cast<DenseElementsAttr>(op.getValue());
    if (!value || value.getNumElements() != 1)
      return rewriter.notifyMatchFailure(op, "needs a one-element value");
    // Dynamic dims come from the shape operand at run time.
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
      Value dim = tensor::ExtractOp::create(
          rewriter, loc, adaptor.getShape(),
          ValueRange{constantIndex(rewriter, loc, i)});
      return arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                        dim);
    });
    if (!type->hasStaticShape()) {
      // The index casts keep the values read: a negative dim stays one.
      SmallVector<Value> dims;
      for (OpFoldResult size : sizes)
        dims.push_back(getValueOrCreateConstantIndexOp(rewriter, loc, size));
      emitSizeCheck(rewriter, loc, dims,
                    std::max<int64_t>(
                        1, type->getElementType().getIntOrFloatBitWidth() / 8),
                    0);
    }
    Attribute scalar = value.getSplatValue<Attribute>();
    TypedAttr fill;
    if (auto i = dyn_cast<IntegerAttr>(scalar))
      fill = rewriter.getIntegerAttr(type->getElementType(), i.getValue());
    else
      fill = cast<TypedAttr>(scalar);
    rewriter.replaceOp(op, createFilled(rewriter, loc, *type, sizes, fill));
    return success();
  }
};

struct SizePattern : OpConversionPattern<g::SizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::SizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (!inputType)
      return rewriter.notifyMatchFailure(op, "unranked input");
    Location loc = op.getLoc();
    Value count = constantIndex(rewriter, loc, 1);
    for (int64_t d = 0; d < inputType.getRank(); ++d)
      count = arith::MulIOp::create(
          rewriter, loc, count,
          tensor::DimOp::create(rewriter, loc, adaptor.getInput(), d));
    Value i64 =
        arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), count);
    auto type = RankedTensorType::get({}, rewriter.getI64Type());
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, type, i64);
    return success();
  }
};

/// The input's dims as an i64 tensor (ONNX Shape with start/end resolved).
struct ShapePattern : OpConversionPattern<g::ShapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ShapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    if (!inputType || failed(type))
      return rewriter.notifyMatchFailure(op, "unranked input");
    Location loc = op.getLoc();
    int64_t rank = inputType.getRank();
    int64_t start = op.getStart(), count = type->getDimSize(0);
    if (start < 0)
      start += rank;
    start = std::clamp<int64_t>(start, 0, rank);
    SmallVector<Value> dims;
    for (int64_t d = start; d < start + count && d < rank; ++d)
      dims.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getI64Type(),
          tensor::DimOp::create(rewriter, loc, adaptor.getInput(), d)));
    if ((int64_t)dims.size() != count)
      return rewriter.notifyMatchFailure(op, "inconsistent result length");
    rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, *type, dims);
    return success();
  }
};

/// start + i * delta for i < max(ceil((limit - start) / delta), 0).
struct RangePattern : OpConversionPattern<g::RangeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::RangeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Type t = type->getElementType();
    auto scalar = [&](Value v) -> Value {
      return tensor::ExtractOp::create(rewriter, loc, v, ValueRange{});
    };
    Value start = scalar(adaptor.getStart()),
          limit = scalar(adaptor.getLimit()),
          delta = scalar(adaptor.getDelta());
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned) -> Value {
      Value count;
      if (isa<FloatType>(t)) {
        Value span = arith::SubFOp::create(rewriter, loc, limit, start);
        Value q = arith::DivFOp::create(rewriter, loc, span, delta);
        q = math::CeilOp::create(rewriter, loc, q);
        // A zero delta, infinities or NaN: no count fptosi may take.
        Value finite =
            arith::CmpFOp::create(rewriter, loc, arith::CmpFPredicate::OLT,
                                  math::AbsFOp::create(rewriter, loc, q),
                                  scalarConstant(rewriter, loc, t, 0x1p62));
        emitCheck(rewriter, loc, finite, "size",
                  "(limit - start) / delta is not a finite count of "
                  "elements below 2^62 (is delta 0?)",
                  {}, 2);
        q = arith::SelectOp::create(rewriter, loc, finite, q,
                                    scalarConstant(rewriter, loc, t, 0));
        count =
            arith::FPToSIOp::create(rewriter, loc, rewriter.getI64Type(), q);
      } else {
        Value tZero = arith::ConstantIntOp::create(rewriter, loc, t, 0);
        Value nonZero = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::ne, delta, tZero);
        emitCheck(rewriter, loc, nonZero, "value", "delta is 0", {}, 2);
        // A zero delta must not reach the division (SIGFPE).
        Value safeDelta = arith::SelectOp::create(
            rewriter, loc, nonZero, delta,
            arith::ConstantIntOp::create(rewriter, loc, t, 1));
        Value span = arith::SubIOp::create(rewriter, loc, limit, start);
        Value q = arith::CeilDivSIOp::create(rewriter, loc, span, safeDelta);
        count = t.getIntOrFloatBitWidth() == 64
                    ? q
                    : arith::ExtSIOp::create(rewriter, loc,
                                             rewriter.getI64Type(), q)
                          .getResult();
      }
      Value zero = arith::ConstantIntOp::create(rewriter, loc, 0, 64);
      count = arith::MaxSIOp::create(rewriter, loc, count, zero);
      emitSizeCheck(rewriter, loc, count,
                    std::max<int64_t>(1, t.getIntOrFloatBitWidth() / 8), 1);
      return arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                        count);
    });
    Value result = buildFromIndices(
        rewriter, loc, *type, sizes,
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          Value i = arith::IndexCastOp::create(b, l, b.getI64Type(), idx[0]);
          if (isa<FloatType>(t)) {
            Value f = arith::SIToFPOp::create(b, l, t, i);
            return arith::AddFOp::create(b, l, start,
                                         arith::MulFOp::create(b, l, f, delta));
          }
          Value n = i;
          if (t.getIntOrFloatBitWidth() < 64)
            n = arith::TruncIOp::create(b, l, t, i);
          return arith::AddIOp::create(b, l, start,
                                       arith::MulIOp::create(b, l, n, delta));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct SplitPattern : OpConversionPattern<g::SplitOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto inputType = dyn_cast<RankedTensorType>(x.getType());
    if (!inputType)
      return failure();
    int64_t axis = op.getAxis();
    // Sizes computed at run time are the results' static sizes on the axis.
    SmallVector<int64_t> pieces(op.getSizes());
    if (op.getComputedSizes()) {
      pieces.clear();
      for (Type result : op.getResultTypes()) {
        auto ranked = dyn_cast<RankedTensorType>(result);
        if (!ranked || ranked.isDynamicDim(axis))
          return rewriter.notifyMatchFailure(op, "sizes computed at run time");
        pieces.push_back(ranked.getDimSize(axis));
      }
    }
    // A run-time dim on the axis must be what the pieces add up to: the
    // slices would read past it otherwise.
    if (inputType.isDynamicDim(axis)) {
      int64_t total = 0;
      for (int64_t size : pieces)
        total += size;
      emitDimsEqualCheck(
          rewriter, loc, tensor::DimOp::create(rewriter, loc, x, axis),
          constantIndex(rewriter, loc, total),
          "input dim " + std::to_string(axis) +
              " is {0} at run time, but the split sizes add up to {1}",
          0);
    }
    SmallVector<Value> results;
    int64_t offset = 0;
    for (auto [i, size] : llvm::enumerate(pieces)) {
      SmallVector<OpFoldResult> offsets(inputType.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, x);
      sizes[axis] = rewriter.getIndexAttr(size);
      SmallVector<OpFoldResult> strides(inputType.getRank(),
                                        rewriter.getIndexAttr(1));
      auto resultType = cast<RankedTensorType>(
          getTypeConverter()->convertType(op.getResult(i).getType()));
      results.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc, resultType, x, offsets, sizes, strides));
      offset += size;
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Prefix sums along the axis, as a reduction over a second index of the
/// same dim (quadratic in the axis length, and fusable).
struct CumSumPattern : OpConversionPattern<g::CumSumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    if (op.getAxis()) {
      rewriter.replaceOp(
          op, build(rewriter, op, adaptor.getInput(), *type, *op.getAxis()));
      return success();
    }
    // An axis known only at run time: one case per possible axis.
    Location loc = op.getLoc();
    int64_t rank = type->getRank();
    Value axisValue = tensor::ExtractOp::create(
        rewriter, loc, adaptor.getComputedAxis(),
        SmallVector<Value>(
            cast<RankedTensorType>(adaptor.getComputedAxis().getType())
                .getRank(),
            constantIndex(rewriter, loc, 0)));
    SmallVector<int64_t> cases;
    for (int64_t d = 0; d < rank; ++d)
      cases.push_back(d);
    auto switchOp = scf::IndexSwitchOp::create(
        rewriter, loc, TypeRange{*type},
        wrapNegativeIndex(rewriter, loc, axisValue,
                          constantIndex(rewriter, loc, rank)),
        cases, cases.size());
    for (int64_t d = 0; d < rank; ++d) {
      Block &block = switchOp.getCaseRegions()[d].emplaceBlock();
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&block);
      scf::YieldOp::create(rewriter, loc,
                           build(rewriter, op, adaptor.getInput(), *type, d));
    }
    // An axis out of range: the input unchanged (the model is invalid).
    Block &fallback = switchOp.getDefaultRegion().emplaceBlock();
    {
      OpBuilder::InsertionGuard guard(rewriter);
      rewriter.setInsertionPointToStart(&fallback);
      scf::YieldOp::create(rewriter, loc, adaptor.getInput());
    }
    rewriter.replaceOp(op, switchOp.getResults());
    return success();
  }

  Value build(OpBuilder &rewriter, g::CumSumOp op, Value x,
              RankedTensorType resultType, int64_t axis) const {
    RankedTensorType *type = &resultType;
    MLIRContext *ctx = rewriter.getContext();
    Location loc = op.getLoc();
    int64_t rank = type->getRank();
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    Type t = type->getElementType();
    Value init = createFilled(rewriter, loc, *type,
                              tensor::getMixedSizes(rewriter, loc, x),
                              rewriter.getZeroAttr(t));
    // Loops: the result's dims, then j along the axis.
    SmallVector<AffineExpr> in;
    for (int64_t d = 0; d < rank; ++d)
      in.push_back(rewriter.getAffineDimExpr(d == axis ? rank : d));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{x}, ValueRange{init},
        ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, in, ctx),
                            AffineMap::getMultiDimIdentityMap(rank + 1, ctx)
                                .getMajorSubMap(rank)},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value i = linalg::IndexOp::create(b, l, axis);
          Value j = linalg::IndexOp::create(b, l, rank);
          arith::CmpIPredicate p =
              reverse ? (exclusive ? arith::CmpIPredicate::sgt
                                   : arith::CmpIPredicate::sge)
                      : (exclusive ? arith::CmpIPredicate::slt
                                   : arith::CmpIPredicate::sle);
          Value take = arith::CmpIOp::create(b, l, p, j, i);
          Value v = arith::SelectOp::create(b, l, take, args[0],
                                            scalarConstant(b, l, t, 0));
          Value sum = isa<FloatType>(t)
                          ? Value(arith::AddFOp::create(b, l, args[1], v))
                          : Value(arith::AddIOp::create(b, l, args[1], v));
          linalg::YieldOp::create(b, l, sum);
        });
    return generic.getResult(0);
  }
};

struct EyeLikePattern : OpConversionPattern<g::EyeLikeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::EyeLikeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    int64_t k = op.getK();
    Type t = type->getElementType();
    Value result = buildFromIndices(
        rewriter, loc, *type,
        tensor::getMixedSizes(rewriter, loc, adaptor.getInput()),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          Value shifted =
              arith::AddIOp::create(b, l, idx[0], constantIndex(b, l, k));
          Value on = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                           shifted, idx[1]);
          return arith::SelectOp::create(b, l, on, scalarConstant(b, l, t, 1),
                                         scalarConstant(b, l, t, 0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TilePattern : OpConversionPattern<g::TileOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::TileOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    Value result = buildFromIndices(
        rewriter, loc, *type, staticSizes(rewriter, *type),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          SmallVector<Value> at;
          for (auto [d, i] : llvm::enumerate(idx))
            at.push_back(arith::RemUIOp::create(
                b, l, i, tensor::DimOp::create(b, l, x, d)));
          return tensor::ExtractOp::create(b, l, x, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// DepthToSpace (DCR or CRD) and SpaceToDepth on [N, C, H, W].
template <typename OpTy, bool toSpace>
struct DepthSpacePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *this->getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    int64_t bs = op.getBlocksize();
    bool crd = false;
    if constexpr (toSpace)
      crd = op.getCrd();
    int64_t outC = type->getDimSize(1),
            inC = toSpace ? outC * bs * bs : outC / (bs * bs);
    Value result = buildFromIndices(
        rewriter, loc, *type, staticSizes(rewriter, *type),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          auto c = [&](int64_t v) { return constantIndex(b, l, v); };
          auto mul = [&](Value a, Value v) -> Value {
            return arith::MulIOp::create(b, l, a, v);
          };
          auto add = [&](Value a, Value v) -> Value {
            return arith::AddIOp::create(b, l, a, v);
          };
          auto div = [&](Value a, int64_t v) -> Value {
            return arith::DivUIOp::create(b, l, a, c(v));
          };
          auto rem = [&](Value a, int64_t v) -> Value {
            return arith::RemUIOp::create(b, l, a, c(v));
          };
          Value n = idx[0], ch = idx[1], h = idx[2], w = idx[3];
          SmallVector<Value> at;
          if (toSpace) {
            // Output (n, ch, h, w) reads channel from the block offsets.
            Value bh = rem(h, bs), bw = rem(w, bs);
            Value block = add(mul(bh, c(bs)), bw);
            Value inCh = crd ? add(mul(ch, c(bs * bs)), block)
                             : add(mul(block, c(outC)), ch);
            at = {n, inCh, div(h, bs), div(w, bs)};
          } else {
            // Output channel = (bh * bs + bw) * C + c.
            Value block = div(ch, inC), c0 = rem(ch, inC);
            Value bh = div(block, bs), bw = rem(block, bs);
            at = {n, c0, add(mul(h, c(bs)), bh), add(mul(w, c(bs)), bw)};
          }
          return tensor::ExtractOp::create(b, l, x, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct OneHotPattern : OpConversionPattern<g::OneHotOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::OneHotOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    int64_t axis = op.getAxis(), depth = type->getDimSize(axis);
    Value indices = adaptor.getIndices(), values = adaptor.getValues();
    Type indexElement = getElementTypeOrSelf(indices.getType());
    Value result = buildFromIndices(
        rewriter, loc, *type, staticSizes(rewriter, *type),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          SmallVector<Value> at;
          for (auto [d, i] : llvm::enumerate(idx))
            if ((int64_t)d != axis)
              at.push_back(i);
          Value raw = tensor::ExtractOp::create(b, l, indices, at);
          Value v = raw;
          if (isa<FloatType>(indexElement)) {
            // An index out of range gives a row of off values (ONNX): one
            // beyond i64 (or NaN) must not reach fptosi.
            Value magnitude = math::AbsFOp::create(b, l, raw);
            Value small = arith::CmpFOp::create(
                b, l, arith::CmpFPredicate::OLT, magnitude,
                scalarConstant(b, l, raw.getType(), 0x1p62));
            v = arith::SelectOp::create(
                b, l, small, arith::FPToSIOp::create(b, l, b.getI64Type(), raw),
                arith::ConstantIntOp::create(b, l, depth, 64));
          }
          Value i = wrapNegativeIndex(b, l, v, constantIndex(b, l, depth));
          Value hot = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i,
                                            idx[axis]);
          Value on = tensor::ExtractOp::create(
              b, l, values, ValueRange{constantIndex(b, l, 1)});
          Value off = tensor::ExtractOp::create(
              b, l, values, ValueRange{constantIndex(b, l, 0)});
          return arith::SelectOp::create(b, l, hot, on, off);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateDataPatterns(GraphTypeConverter &converter,
                          RewritePatternSet &patterns) {
  patterns.add<GatherElementsPattern, TriluPattern, ConstantOfShapePattern,
               SizePattern, ShapePattern, RangePattern, SplitPattern,
               CumSumPattern, EyeLikePattern, TilePattern,
               DepthSpacePattern<g::DepthToSpaceOp, true>,
               DepthSpacePattern<g::SpaceToDepthOp, false>, OneHotPattern>(
      converter, patterns.getContext());
}

} // namespace loom::lowering
