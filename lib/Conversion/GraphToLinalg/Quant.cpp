//===- Quant.cpp - Quantization and scatters to linalg and scf ------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

#include <functional>

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

/// The element of `param` (a scalar or a 1-D tensor along `axis`) for the
/// element at `indices`.
Value paramAt(OpBuilder &b, Location loc, Value param, ValueRange indices,
              int64_t axis) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getRank() == 0)
    return tensor::ExtractOp::create(b, loc, param, ValueRange{});
  if (type.getNumElements() == 1)
    return tensor::ExtractOp::create(b, loc, param,
                                     ValueRange{constantIndex(b, loc, 0)});
  return tensor::ExtractOp::create(b, loc, param, ValueRange{indices[axis]});
}

/// saturate(round_half_even(x / scale) + zero_point).
struct QuantizePattern : OpConversionPattern<g::QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    bool isUnsigned =
        getElementTypeOrSelf(op.getResult().getType()).isUnsignedInteger();
    auto intType = cast<IntegerType>(type->getElementType());
    unsigned width = intType.getWidth();
    double lo = isUnsigned ? 0 : -std::ldexp(1.0, width - 1);
    double hi = isUnsigned ? std::ldexp(1.0, width) - 1
                           : std::ldexp(1.0, width - 1) - 1;
    int64_t axis = op.getAxis();
    Value result = buildFromIndices(
        rewriter, loc, *type, tensor::getMixedSizes(rewriter, loc, x),
        [&](OpBuilder &b, Location l, ValueRange at) -> Value {
          Value v = tensor::ExtractOp::create(b, l, x, at);
          Type f = b.getF32Type();
          if (v.getType() != f)
            v = v.getType().getIntOrFloatBitWidth() > 32
                    ? Value(arith::TruncFOp::create(b, l, f, v))
                    : Value(arith::ExtFOp::create(b, l, f, v));
          Value scale = paramAt(b, l, adaptor.getScale(), at, axis);
          if (scale.getType() != f)
            scale = scale.getType().getIntOrFloatBitWidth() > 32
                        ? Value(arith::TruncFOp::create(b, l, f, scale))
                        : Value(arith::ExtFOp::create(b, l, f, scale));
          Value zp = paramAt(b, l, adaptor.getZeroPoint(), at, axis);
          Value zpF = isUnsigned ? Value(arith::UIToFPOp::create(b, l, f, zp))
                                 : Value(arith::SIToFPOp::create(b, l, f, zp));
          Value q = math::RoundEvenOp::create(
              b, l, arith::DivFOp::create(b, l, v, scale));
          q = arith::AddFOp::create(b, l, q, zpF);
          q = arith::MaximumFOp::create(b, l, q, scalarConstant(b, l, f, lo));
          q = arith::MinimumFOp::create(b, l, q, scalarConstant(b, l, f, hi));
          return isUnsigned ? Value(arith::FPToUIOp::create(b, l, intType, q))
                            : Value(arith::FPToSIOp::create(b, l, intType, q));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// (x - zero_point) * scale.
struct DequantizePattern : OpConversionPattern<g::DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    bool isUnsigned =
        getElementTypeOrSelf(op.getInput().getType()).isUnsignedInteger();
    Type t = type->getElementType();
    int64_t axis = op.getAxis();
    Value result = buildFromIndices(
        rewriter, loc, *type, tensor::getMixedSizes(rewriter, loc, x),
        [&](OpBuilder &b, Location l, ValueRange at) -> Value {
          auto toFloat = [&](Value v) -> Value {
            return isUnsigned ? Value(arith::UIToFPOp::create(b, l, t, v))
                              : Value(arith::SIToFPOp::create(b, l, t, v));
          };
          Value v = toFloat(tensor::ExtractOp::create(b, l, x, at));
          if (adaptor.getZeroPoint())
            v = arith::SubFOp::create(
                b, l, v,
                toFloat(paramAt(b, l, adaptor.getZeroPoint(), at, axis)));
          return arith::MulFOp::create(
              b, l, v, paramAt(b, l, adaptor.getScale(), at, axis));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Combines an existing element with an update by `reduction`.
Value combine(OpBuilder &b, Location loc, StringRef reduction, Value old,
              Value update) {
  bool isFloat = isa<FloatType>(old.getType());
  if (reduction == "add")
    return isFloat ? Value(arith::AddFOp::create(b, loc, old, update))
                   : Value(arith::AddIOp::create(b, loc, old, update));
  if (reduction == "mul")
    return isFloat ? Value(arith::MulFOp::create(b, loc, old, update))
                   : Value(arith::MulIOp::create(b, loc, old, update));
  if (reduction == "max")
    return isFloat ? Value(arith::MaximumFOp::create(b, loc, old, update))
                   : Value(arith::MaxSIOp::create(b, loc, old, update));
  if (reduction == "min")
    return isFloat ? Value(arith::MinimumFOp::create(b, loc, old, update))
                   : Value(arith::MinSIOp::create(b, loc, old, update));
  return update;
}

/// Visits every index of a static shape with nested scf.for loops carrying
/// `init`; `body` returns the next carried value.
Value forEachIndex(
    OpBuilder &b, Location loc, ArrayRef<int64_t> shape, Value init,
    function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  SmallVector<Value> ivs;
  std::function<Value(OpBuilder &, size_t, Value)> nest =
      [&](OpBuilder &nb, size_t d, Value carried) -> Value {
    if (d == shape.size())
      return body(nb, loc, ivs, carried);
    auto loop = scf::ForOp::create(
        nb, loc, constantIndex(nb, loc, 0), constantIndex(nb, loc, shape[d]),
        constantIndex(nb, loc, 1), ValueRange{carried},
        [&](OpBuilder &lb, Location, Value iv, ValueRange args) {
          ivs.push_back(iv);
          Value next = nest(lb, d + 1, args[0]);
          ivs.pop_back();
          scf::YieldOp::create(lb, loc, next);
        });
    return loop.getResult(0);
  };
  return nest(b, 0, init);
}

/// ScatterElements: a copy of data with each update written (or combined)
/// at its index, in order.
struct ScatterElementsPattern : OpConversionPattern<g::ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto updatesType =
        dyn_cast<RankedTensorType>(adaptor.getUpdates().getType());
    if (!updatesType || !updatesType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static updates");
    Location loc = op.getLoc();
    Value data = adaptor.getData();
    int64_t axis = op.getAxis();
    StringRef reduction = op.getReduction();
    emitIndexRangeCheck(rewriter, loc, adaptor.getIndices(),
                        tensor::DimOp::create(rewriter, loc, data, axis), 1);
    auto dataType = cast<RankedTensorType>(data.getType());
    for (int64_t d = 0; d < updatesType.getRank(); ++d)
      if (d != axis && dataType.isDynamicDim(d))
        emitDimAtMostCheck(
            rewriter, loc,
            constantIndex(rewriter, loc, updatesType.getDimSize(d)),
            tensor::DimOp::create(rewriter, loc, data, d),
            "dim " + std::to_string(d) + " is {0}, more than the data's ({1})",
            1);
    Value result = forEachIndex(
        rewriter, loc, updatesType.getShape(), data,
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) -> Value {
          Value i = tensor::ExtractOp::create(b, l, adaptor.getIndices(), ivs);
          SmallVector<Value> at(ivs.begin(), ivs.end());
          at[axis] = wrapNegativeIndex(b, l, i,
                                       tensor::DimOp::create(b, l, acc, axis));
          Value update =
              tensor::ExtractOp::create(b, l, adaptor.getUpdates(), ivs);
          Value old = tensor::ExtractOp::create(b, l, acc, at);
          return tensor::InsertOp::create(
              b, l, combine(b, l, reduction, old, update), acc, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// ScatterND: indices [..., k] address the first k dims of data; each
/// update is a slice of the remaining dims.
struct ScatterNDPattern : OpConversionPattern<g::ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto updatesType =
        dyn_cast<RankedTensorType>(adaptor.getUpdates().getType());
    auto indicesType =
        dyn_cast<RankedTensorType>(adaptor.getIndices().getType());
    auto dataType = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    if (!updatesType || !updatesType.hasStaticShape() || !indicesType ||
        !indicesType.hasStaticShape() || !dataType)
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    int64_t k = indicesType.getShape().back();
    int64_t q = indicesType.getRank() - 1;
    StringRef reduction = op.getReduction();
    for (int64_t j = 0; j < k; ++j)
      emitIndexColumnRangeCheck(
          rewriter, loc, adaptor.getIndices(), j,
          tensor::DimOp::create(rewriter, loc, adaptor.getData(), j), 1);
    for (int64_t d = q; d < updatesType.getRank(); ++d)
      if (dataType.isDynamicDim(k + d - q))
        emitDimAtMostCheck(
            rewriter, loc,
            constantIndex(rewriter, loc, updatesType.getDimSize(d)),
            tensor::DimOp::create(rewriter, loc, adaptor.getData(), k + d - q),
            "dim " + std::to_string(d) + " is {0}, more than the data's ({1})",
            2);
    Value result = forEachIndex(
        rewriter, loc, updatesType.getShape(), adaptor.getData(),
        [&](OpBuilder &b, Location l, ValueRange ivs, Value acc) -> Value {
          SmallVector<Value> at;
          SmallVector<Value> where(ivs.begin(), ivs.begin() + q);
          for (int64_t j = 0; j < k; ++j) {
            where.push_back(constantIndex(b, l, j));
            Value i =
                tensor::ExtractOp::create(b, l, adaptor.getIndices(), where);
            where.pop_back();
            at.push_back(wrapNegativeIndex(
                b, l, i, tensor::DimOp::create(b, l, acc, j)));
          }
          at.append(ivs.begin() + q, ivs.end());
          Value update =
              tensor::ExtractOp::create(b, l, adaptor.getUpdates(), ivs);
          Value old = tensor::ExtractOp::create(b, l, acc, at);
          return tensor::InsertOp::create(
              b, l, combine(b, l, reduction, old, update), acc, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// GatherND (batch_dims b): result[batch, q..., rest...] =
/// data[batch, indices[batch, q..., :], rest...].
struct GatherNDPattern : OpConversionPattern<g::GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    auto indicesType =
        dyn_cast<RankedTensorType>(adaptor.getIndices().getType());
    if (failed(type) || !indicesType || !indicesType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    int64_t batch = op.getBatchDims();
    int64_t k = indicesType.getShape().back(), q = indicesType.getRank() - 1;
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    for (int64_t j = 0; j < k; ++j)
      emitIndexColumnRangeCheck(
          rewriter, loc, indices, j,
          tensor::DimOp::create(rewriter, loc, data, batch + j), 1);
    Value result = buildFromIndices(
        rewriter, loc, *type,
        getAsIndexOpFoldResult(getContext(), type->getShape()),
        [&](OpBuilder &b, Location l, ValueRange ivs) -> Value {
          SmallVector<Value> where(ivs.begin(), ivs.begin() + q);
          SmallVector<Value> at(ivs.begin(), ivs.begin() + batch);
          for (int64_t j = 0; j < k; ++j) {
            where.push_back(constantIndex(b, l, j));
            Value i = tensor::ExtractOp::create(b, l, indices, where);
            where.pop_back();
            at.push_back(wrapNegativeIndex(
                b, l, i, tensor::DimOp::create(b, l, data, batch + j)));
          }
          at.append(ivs.begin() + q, ivs.end());
          return tensor::ExtractOp::create(b, l, data, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void populateQuantPatterns(GraphTypeConverter &converter,
                           RewritePatternSet &patterns) {
  patterns.add<QuantizePattern, DequantizePattern, ScatterElementsPattern,
               ScatterNDPattern, GatherNDPattern>(converter,
                                                  patterns.getContext());
}

} // namespace loom::lowering
