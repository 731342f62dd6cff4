//===- Convolutions.cpp - Conv, pooling and normalisation to linalg -------===//
//
// Part of Loom. Convolution (any spatial rank, groups, strides, dilations)
// and pooling become one linalg.generic each over an explicitly padded
// input; later phases tile and vectorize them or call a kernel library.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

/// `input` padded on its spatial dims (from dim 2) by `low` and `high` with
/// `value`; unchanged when both are all zero.
Value padSpatial(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                 ArrayRef<int64_t> high, TypedAttr value) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> lo = {0, 0}, hi = {0, 0};
  lo.append(low.begin(), low.end());
  hi.append(high.begin(), high.end());
  SmallVector<int64_t> shape;
  for (auto [d, dim] : llvm::enumerate(type.getShape()))
    shape.push_back(ShapedType::isDynamic(dim) ? dim : dim + lo[d] + hi[d]);
  auto padded = RankedTensorType::get(shape, type.getElementType());
  Value pad = arith::ConstantOp::create(b, loc, value);
  return tensor::PadOp::create(b, loc, padded, input,
                               getAsIndexOpFoldResult(b.getContext(), lo),
                               getAsIndexOpFoldResult(b.getContext(), hi), pad)
      .getResult();
}

/// Output spatial dim `i` (dynamic), from the padded input's dim.
Value windowCount(OpBuilder &b, Location loc, Value padded, int64_t i,
                  int64_t kernel, int64_t stride, int64_t dilation) {
  return convOutputSize(b, loc, tensor::DimOp::create(b, loc, padded, 2 + i),
                        /*padding=*/0, kernel, stride, dilation);
}

struct ConvPattern : OpConversionPattern<g::ConvOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    auto wt = dyn_cast<RankedTensorType>(adaptor.getWeight().getType());
    if (failed(type) || !wt || !wt.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static weight shape");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t s = type->getRank() - 2;
    ArrayRef<int64_t> pads = op.getPads();
    Type t = type->getElementType();
    Value x = padSpatial(rewriter, loc, adaptor.getInput(), pads.take_front(s),
                         pads.drop_front(s), rewriter.getZeroAttr(t));
    int64_t groups = op.getGroup();
    int64_t m = wt.getDimSize(0), cg = wt.getDimSize(1), mg = m / groups;
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations();
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
      if (i == 0)
        return tensor::DimOp::create(rewriter, loc, x, 0);
      return windowCount(rewriter, loc, x, i - 2, wt.getDimSize(i),
                         strides[i - 2], dilations[i - 2]);
    });
    // Loops: n, m, o_1..o_s (parallel), c, k_1..k_s (reduction).
    unsigned loops = 3 + 2 * s;
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineExpr c = d(2 + s);
    SmallVector<AffineExpr> in = {d(0), d(1).floorDiv(mg) * cg + c};
    SmallVector<AffineExpr> w = {d(1), c}, out = {d(0), d(1)};
    for (int64_t i = 0; i < s; ++i) {
      AffineExpr o = d(2 + i), k = d(3 + s + i);
      in.push_back(o * strides[i] + k * dilations[i]);
      w.push_back(k);
      out.push_back(o);
    }
    // The output starts as the bias (or zeros).
    Value init;
    if (adaptor.getBias()) {
      Value empty = createEmpty(rewriter, loc, *type, sizes);
      int64_t r = type->getRank();
      auto fill = linalg::GenericOp::create(
          rewriter, loc, TypeRange{*type}, ValueRange{adaptor.getBias()},
          ValueRange{empty},
          ArrayRef<AffineMap>{AffineMap::get(r, 0, {d(1)}, ctx),
                              rewriter.getMultiDimIdentityMap(r)},
          SmallVector<utils::IteratorType>(r, utils::IteratorType::parallel),
          [](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(b, l, args[0]);
          });
      init = fill.getResult(0);
    } else {
      init = createFilled(rewriter, loc, *type, sizes, rewriter.getZeroAttr(t));
    }
    SmallVector<utils::IteratorType> iterators(2 + s,
                                               utils::IteratorType::parallel);
    iterators.append(1 + s, utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{x, adaptor.getWeight()},
        ValueRange{init},
        ArrayRef<AffineMap>{AffineMap::get(loops, 0, in, ctx),
                            AffineMap::get(loops, 0, w, ctx),
                            AffineMap::get(loops, 0, out, ctx)},
        iterators, [](OpBuilder &b, Location l, ValueRange args) {
          Value p = arith::MulFOp::create(b, l, args[0], args[1]);
          linalg::YieldOp::create(
              b, l, Value(arith::AddFOp::create(b, l, args[2], p)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Sums or maxima of `x` (already padded) over windows into `type`.
Value poolWindows(OpBuilder &b, Location loc, Value x, RankedTensorType type,
                  ArrayRef<OpFoldResult> sizes, ArrayRef<int64_t> kernel,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  bool isMax, TypedAttr lowest = {}, bool isUnsigned = false) {
  MLIRContext *ctx = b.getContext();
  int64_t s = kernel.size();
  Type t = type.getElementType();
  Value window = tensor::EmptyOp::create(b, loc, kernel, t);
  unsigned loops = 2 + 2 * s;
  auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> in = {d(0), d(1)}, k, out = {d(0), d(1)};
  for (int64_t i = 0; i < s; ++i) {
    in.push_back(d(2 + i) * strides[i] + d(2 + s + i) * dilations[i]);
    k.push_back(d(2 + s + i));
    out.push_back(d(2 + i));
  }
  TypedAttr init = isMax && lowest ? lowest
                   : isMax         ? TypedAttr(b.getFloatAttr(
                                         t, -std::numeric_limits<double>::infinity()))
                                   : b.getZeroAttr(t);
  Value filled = createFilled(b, loc, type, sizes, init);
  SmallVector<utils::IteratorType> iterators(2 + s,
                                             utils::IteratorType::parallel);
  iterators.append(s, utils::IteratorType::reduction);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{x, window}, ValueRange{filled},
      ArrayRef<AffineMap>{AffineMap::get(loops, 0, in, ctx),
                          AffineMap::get(loops, 0, k, ctx),
                          AffineMap::get(loops, 0, out, ctx)},
      iterators, [&](OpBuilder &nb, Location l, ValueRange args) {
        Value r;
        if (!isMax)
          r = arith::AddFOp::create(nb, l, args[0], args[2]);
        else if (isa<FloatType>(t))
          r = arith::MaximumFOp::create(nb, l, args[0], args[2]);
        else if (isUnsigned)
          r = arith::MaxUIOp::create(nb, l, args[0], args[2]);
        else
          r = arith::MaxSIOp::create(nb, l, args[0], args[2]);
        linalg::YieldOp::create(nb, l, r);
      });
  return generic.getResult(0);
}

template <typename OpTy, bool isMax>
struct PoolPattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *this->getTypeConverter(), op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    if (failed(type) || !inputType ||
        (!isMax && !isa<FloatType>(type->getElementType())))
      return rewriter.notifyMatchFailure(op, "needs ranked float tensors");
    Location loc = op.getLoc();
    int64_t s = type->getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape(), strides = op.getStrides(),
                      dilations = op.getDilations(), pads = op.getPads();
    // Ceil mode's last windows may run past the end padding: pad further.
    SmallVector<int64_t> high(pads.drop_front(s));
    for (int64_t i = 0; i < s; ++i) {
      int64_t in = inputType.getDimSize(2 + i), o = type->getDimSize(2 + i);
      if (ShapedType::isDynamic(in) || ShapedType::isDynamic(o)) {
        if (op.getCeilMode())
          return rewriter.notifyMatchFailure(op, "ceil mode needs static dims");
        continue;
      }
      int64_t need = (o - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1;
      high[i] = std::max(high[i], need - in - pads[i]);
    }
    Type t = type->getElementType();
    bool isUnsigned =
        getElementTypeOrSelf(op.getInput().getType()).isUnsignedInteger();
    TypedAttr padValue = rewriter.getZeroAttr(t);
    if (isMax && isa<FloatType>(t))
      padValue =
          rewriter.getFloatAttr(t, -std::numeric_limits<double>::infinity());
    else if (isMax)
      padValue = rewriter.getIntegerAttr(
          t, isUnsigned ? APInt::getMinValue(t.getIntOrFloatBitWidth())
                        : APInt::getSignedMinValue(t.getIntOrFloatBitWidth()));
    Value x = padSpatial(rewriter, loc, adaptor.getInput(), pads.take_front(s),
                         high, padValue);
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
      if (i < 2)
        return tensor::DimOp::create(rewriter, loc, x, i);
      return windowCount(rewriter, loc, x, i - 2, kernel[i - 2], strides[i - 2],
                         dilations[i - 2]);
    });
    Value result = poolWindows(rewriter, loc, x, *type, sizes, kernel, strides,
                               dilations, isMax, padValue, isUnsigned);
    if constexpr (!isMax) {
      // Divide by the number of elements each window covers: of the input
      // alone, or also of the explicit padding under count_include_pad.
      Value ones =
          createFilled(rewriter, loc, inputType,
                       tensor::getMixedSizes(rewriter, loc, adaptor.getInput()),
                       rewriter.getFloatAttr(t, 1));
      SmallVector<int64_t> low(pads.take_front(s)), extra(high);
      if (op.getCountIncludePad()) {
        ones = padSpatial(rewriter, loc, ones, low, pads.drop_front(s),
                          rewriter.getFloatAttr(t, 1));
        for (int64_t i = 0; i < s; ++i)
          extra[i] -= pads[s + i];
        low.assign(s, 0);
      }
      ones =
          padSpatial(rewriter, loc, ones, low, extra, rewriter.getZeroAttr(t));
      Value counts = poolWindows(rewriter, loc, ones, *type, sizes, kernel,
                                 strides, dilations, false);
      FailureOr<Value> mean =
          buildElementwise(rewriter, loc, *type, {result, counts},
                           [](OpBuilder &b, Location l, ValueRange a) -> Value {
                             return arith::DivFOp::create(b, l, a[0], a[1]);
                           });
      if (failed(mean))
        return failure();
      result = *mean;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BatchNormPattern : OpConversionPattern<g::BatchNormOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::BatchNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    int64_t r = type->getRank();
    Value x = adaptor.getInput();
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
      return tensor::DimOp::create(rewriter, loc, x, i);
    });
    Value init = createEmpty(rewriter, loc, *type, sizes);
    AffineMap channel =
        AffineMap::get(r, 0, {rewriter.getAffineDimExpr(1)}, getContext());
    AffineMap identity = rewriter.getMultiDimIdentityMap(r);
    double epsilon = op.getEpsilon().convertToDouble();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type},
        ValueRange{x, adaptor.getScale(), adaptor.getBias(), adaptor.getMean(),
                   adaptor.getVariance()},
        ValueRange{init},
        ArrayRef<AffineMap>{identity, channel, channel, channel, channel,
                            identity},
        SmallVector<utils::IteratorType>(r, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Type t = a[0].getType();
          Value var = arith::AddFOp::create(b, l, a[4],
                                            scalarConstant(b, l, t, epsilon));
          Value inv = math::RsqrtOp::create(b, l, var);
          Value centered = arith::SubFOp::create(b, l, a[0], a[3]);
          Value scaled = arith::MulFOp::create(
              b, l, centered, arith::MulFOp::create(b, l, inv, a[1]));
          linalg::YieldOp::create(
              b, l, Value(arith::AddFOp::create(b, l, scaled, a[2])));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateConvolutionPatterns(GraphTypeConverter &converter,
                                 RewritePatternSet &patterns) {
  patterns.add<ConvPattern, PoolPattern<g::MaxPoolOp, true>,
               PoolPattern<g::AveragePoolOp, false>, BatchNormPattern>(
      converter, patterns.getContext());
}

} // namespace loom::lowering
