//===- TensorOps.cpp - Constants, shape and data movement to tensor ops ---===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

/// `attr` with the signless version of its type.
ElementsAttr toSignlessAttr(ElementsAttr attr) {
  auto type = cast<ShapedType>(attr.getType());
  Type target = toSignless(type);
  if (target == type)
    return attr;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr))
    return dense.bitcast(cast<ShapedType>(target).getElementType());
  auto resource = cast<DenseResourceElementsAttr>(attr);
  return DenseResourceElementsAttr::get(cast<ShapedType>(target),
                                        resource.getRawHandle());
}

struct ConstantPattern : OpConversionPattern<g::ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (isa<g::StringType>(getElementTypeOrSelf(op.getType())))
      return rewriter.notifyMatchFailure(op, "string constant");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(toSignlessAttr(op.getValue())));
    return success();
  }
};

/// Reshapes `input` to `type`, whose dynamic dims `dims` gives.
Value reshapeTo(OpBuilder &b, Location loc, Value input, RankedTensorType type,
                ArrayRef<OpFoldResult> dims) {
  SmallVector<Value> values;
  for (OpFoldResult dim : dims) {
    Value index = getValueOrCreateConstantIndexOp(b, loc, dim);
    values.push_back(arith::IndexCastOp::create(b, loc, b.getI64Type(), index));
  }
  auto shapeType =
      RankedTensorType::get({(int64_t)values.size()}, b.getI64Type());
  Value shape = tensor::FromElementsOp::create(b, loc, shapeType, values);
  return tensor::ReshapeOp::create(b, loc, type, input, shape);
}

/// Lowers reshape-like ops (reshape, flatten, squeeze, unsqueeze): the
/// result's dims are static or computed from the input's by `dynamicDim`.
template <typename OpTy>
struct ReshapePattern : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;

  /// Dynamic dim `i` of the result, or null when it cannot be computed.
  virtual Value dynamicDim(OpBuilder &b, Location loc, OpTy op, Value input,
                           unsigned i) const = 0;

  LogicalResult
  matchAndRewrite(OpTy op, Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *this->getTypeConverter(), op);
    if (failed(type))
      return failure();
    Value input = adaptor.getOperands()[0];
    bool computable = true;
    SmallVector<OpFoldResult> dims =
        getMixedSizes(rewriter, op.getLoc(), *type, [&](unsigned i) {
          Value dim = dynamicDim(rewriter, op.getLoc(), op, input, i);
          if (!dim) {
            computable = false;
            dim = arith::ConstantIndexOp::create(rewriter, op.getLoc(), 0);
          }
          return dim;
        });
    if (!computable)
      return rewriter.notifyMatchFailure(op, "a dynamic result dim is not "
                                             "computable from the input");
    // With dims known only at run time, the element counts must agree.
    auto inputType = cast<RankedTensorType>(input.getType());
    if (!inputType.hasStaticShape() || !type->hasStaticShape()) {
      Location loc = op.getLoc();
      auto count = [&](ArrayRef<OpFoldResult> sizes) {
        Value product = arith::ConstantIndexOp::create(rewriter, loc, 1);
        for (OpFoldResult size : sizes)
          product = arith::MulIOp::create(
              rewriter, loc, product,
              getValueOrCreateConstantIndexOp(rewriter, loc, size));
        return product;
      };
      emitDimsEqualCheck(
          rewriter, loc, count(tensor::getMixedSizes(rewriter, loc, input)),
          count(dims),
          "the input has {0} elements, but the result's shape holds {1}", 0);
    }
    rewriter.replaceOp(op,
                       reshapeTo(rewriter, op.getLoc(), input, *type, dims));
    return success();
  }
};

Value dimOf(OpBuilder &b, Location loc, Value v, int64_t i) {
  return tensor::DimOp::create(b, loc, v, i);
}

struct ReshapeOpPattern : ReshapePattern<g::ReshapeOp> {
  using ReshapePattern::ReshapePattern;
  Value dynamicDim(OpBuilder &b, Location loc, g::ReshapeOp op, Value input,
                   unsigned i) const override {
    // Only a copied dim (0 in a constant shape) is known here.
    auto shape = g::detail::getConstantInts(op.getShape());
    if (shape && (*shape)[i] == 0 && !op.getAllowZero())
      return dimOf(b, loc, input, i);
    return nullptr;
  }
};

struct FlattenPattern : ReshapePattern<g::FlattenOp> {
  using ReshapePattern::ReshapePattern;
  Value dynamicDim(OpBuilder &b, Location loc, g::FlattenOp op, Value input,
                   unsigned i) const override {
    auto type = cast<RankedTensorType>(input.getType());
    int64_t axis = op.getAxis();
    int64_t from = i == 0 ? 0 : axis, to = i == 0 ? axis : type.getRank();
    Value product = arith::ConstantIndexOp::create(b, loc, 1);
    for (int64_t d = from; d < to; ++d)
      product = arith::MulIOp::create(b, loc, product, dimOf(b, loc, input, d));
    return product;
  }
};

struct SqueezePattern : ReshapePattern<g::SqueezeOp> {
  using ReshapePattern::ReshapePattern;
  Value dynamicDim(OpBuilder &b, Location loc, g::SqueezeOp op, Value input,
                   unsigned i) const override {
    if (op.getComputedAxes())
      return nullptr;
    auto type = cast<RankedTensorType>(input.getType());
    ArrayRef<int64_t> axes = op.getAxes();
    unsigned kept = 0;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      bool squeezed =
          axes.empty() ? type.getDimSize(d) == 1 : llvm::is_contained(axes, d);
      if (squeezed)
        continue;
      if (kept++ == i)
        return dimOf(b, loc, input, d);
    }
    return nullptr;
  }
};

struct UnsqueezePattern : ReshapePattern<g::UnsqueezeOp> {
  using ReshapePattern::ReshapePattern;
  Value dynamicDim(OpBuilder &b, Location loc, g::UnsqueezeOp op, Value input,
                   unsigned i) const override {
    if (op.getComputedAxes())
      return nullptr;
    ArrayRef<int64_t> axes = op.getAxes();
    if (llvm::is_contained(axes, (int64_t)i))
      return nullptr;
    int64_t before = llvm::count_if(axes, [&](int64_t a) { return a < i; });
    return dimOf(b, loc, input, i - before);
  }
};

struct TransposePattern : OpConversionPattern<g::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    ArrayRef<int64_t> perm = op.getPerm();
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) {
      return dimOf(rewriter, loc, adaptor.getInput(), perm[i]);
    });
    Value init = createEmpty(rewriter, loc, *type, sizes);
    auto transpose = linalg::TransposeOp::create(
        rewriter, loc, adaptor.getInput(), init, perm);
    rewriter.replaceOp(op, transpose->getResult(0));
    return success();
  }
};

struct ConcatPattern : OpConversionPattern<g::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    int64_t axis = op.getAxis();
    ValueRange inputs = adaptor.getInputs();
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
      if (i != axis)
        return dimOf(rewriter, loc, inputs.front(), i);
      Value sum = arith::ConstantIndexOp::create(rewriter, loc, 0);
      for (Value input : inputs)
        sum = arith::AddIOp::create(rewriter, loc, sum,
                                    dimOf(rewriter, loc, input, axis));
      return sum;
    });
    // Every input's other dims must be the first input's.
    auto firstType = cast<RankedTensorType>(inputs.front().getType());
    for (auto [index, input] : llvm::enumerate(inputs.drop_front())) {
      auto inputType = cast<RankedTensorType>(input.getType());
      for (int64_t d = 0; d < type->getRank(); ++d)
        if (d != axis &&
            (inputType.isDynamicDim(d) || firstType.isDynamicDim(d)))
          emitDimsEqualCheck(
              rewriter, loc, dimOf(rewriter, loc, input, d),
              dimOf(rewriter, loc, inputs.front(), d),
              "dim " + std::to_string(d) +
                  " is {0}, but input 0's is {1} (only the concatenation "
                  "axis may differ)",
              index + 1);
    }
    Value result = createEmpty(rewriter, loc, *type, sizes);
    // Offsets along the axis are index values; canonicalization folds the
    // static ones.
    Value offset = arith::ConstantIndexOp::create(rewriter, loc, 0);
    SmallVector<OpFoldResult> strides(type->getRank(),
                                      rewriter.getIndexAttr(1));
    for (Value input : inputs) {
      SmallVector<OpFoldResult> offsets(type->getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[axis] = offset;
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, offsets,
          tensor::getMixedSizes(rewriter, loc, input), strides);
      offset = arith::AddIOp::create(rewriter, loc, offset,
                                     dimOf(rewriter, loc, input, axis));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Slices with static bounds on a statically shaped input; negative steps
/// read through tensor.extract in a linalg.generic.
struct SlicePattern : OpConversionPattern<g::SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type) || !inputType || !inputType.hasStaticShape() ||
        !type->hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    SmallVector<int64_t> starts;
    bool reversed = false;
    for (auto [d, start, step] :
         llvm::enumerate(op.getStarts(), op.getSteps())) {
      int64_t size = inputType.getDimSize(d);
      int64_t s = start < 0 ? start + size : start;
      s = step > 0 ? std::clamp<int64_t>(s, 0, size)
                   : std::clamp<int64_t>(s, 0, size - 1);
      starts.push_back(s);
      reversed |= step < 0;
    }
    if (!reversed) {
      auto slice = tensor::ExtractSliceOp::create(
          rewriter, loc, *type, adaptor.getInput(),
          getAsIndexOpFoldResult(getContext(), starts),
          getAsIndexOpFoldResult(getContext(), type->getShape()),
          getAsIndexOpFoldResult(getContext(), op.getSteps()));
      rewriter.replaceOp(op, slice.getResult());
      return success();
    }
    Value init = tensor::EmptyOp::create(rewriter, loc, type->getShape(),
                                         type->getElementType());
    int64_t rank = type->getRank();
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    Value input = adaptor.getInput();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{}, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location nested, ValueRange) {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(b, nested, d);
            Value scaled = arith::MulIOp::create(
                b, nested, i,
                arith::ConstantIndexOp::create(b, nested, op.getSteps()[d]));
            indices.push_back(arith::AddIOp::create(
                b, nested, scaled,
                arith::ConstantIndexOp::create(b, nested, starts[d])));
          }
          Value v = tensor::ExtractOp::create(b, nested, input, indices);
          linalg::YieldOp::create(b, nested, v);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct GatherPattern : OpConversionPattern<g::GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    auto dataType = dyn_cast<RankedTensorType>(adaptor.getData().getType());
    auto indexType = dyn_cast<RankedTensorType>(adaptor.getIndices().getType());
    if (failed(type) || !dataType || !indexType)
      return rewriter.notifyMatchFailure(op, "unranked operands");
    Location loc = op.getLoc();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis(), q = indexType.getRank();
    int64_t rank = type->getRank();
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) {
      if (i < axis)
        return dimOf(rewriter, loc, data, i);
      if (i < axis + q)
        return dimOf(rewriter, loc, indices, i - axis);
      return dimOf(rewriter, loc, data, i - q + 1);
    });
    emitIndexRangeCheck(rewriter, loc, indices,
                        dimOf(rewriter, loc, data, axis), 1);
    Value init = createEmpty(rewriter, loc, *type, sizes);
    SmallVector<AffineExpr> indexExprs;
    for (int64_t j = 0; j < q; ++j)
      indexExprs.push_back(rewriter.getAffineDimExpr(axis + j));
    SmallVector<AffineMap> maps = {
        AffineMap::get(rank, 0, indexExprs, getContext()),
        rewriter.getMultiDimIdentityMap(rank)};
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{indices}, ValueRange{init},
        maps, iterators, [&](OpBuilder &b, Location nested, ValueRange args) {
          Value index =
              arith::IndexCastOp::create(b, nested, b.getIndexType(), args[0]);
          // Negative indices count from the end.
          Value size = tensor::DimOp::create(b, nested, data, axis);
          Value negative = arith::CmpIOp::create(
              b, nested, arith::CmpIPredicate::slt, index,
              arith::ConstantIndexOp::create(b, nested, 0));
          Value wrapped = arith::AddIOp::create(b, nested, index, size);
          index = arith::SelectOp::create(b, nested, negative, wrapped, index);
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(linalg::IndexOp::create(b, nested, d));
          at.push_back(index);
          for (int64_t d = axis + q; d < rank; ++d)
            at.push_back(linalg::IndexOp::create(b, nested, d));
          Value v = tensor::ExtractOp::create(b, nested, data, at);
          linalg::YieldOp::create(b, nested, v);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ExpandPattern : OpConversionPattern<g::ExpandOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type) || !type->hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs a static result shape");
    FailureOr<Value> result = buildElementwise(
        rewriter, op.getLoc(), *type, adaptor.getInput(),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void populateTensorPatterns(GraphTypeConverter &converter,
                            RewritePatternSet &patterns) {
  patterns.add<ConstantPattern, ReshapeOpPattern, FlattenPattern,
               SqueezePattern, UnsqueezePattern, TransposePattern,
               ConcatPattern, SlicePattern, GatherPattern, ExpandPattern>(
      converter, patterns.getContext());
}

} // namespace loom::lowering
