//===- GraphToLinalg.cpp - The graph-to-linalg pass and shared helpers ----===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

#include "dialects/kernel/IR/KernelDialect.h"
#include "loom/Conversion/Passes.h"
#include "loom/Support/Refusal.h"
#include <limits>

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/StringSet.h"

namespace loom {
#define GEN_PASS_DEF_CONVERTGRAPHTOLINALGPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace loom::lowering {

Type toSignless(Type type) {
  if (auto tensor = dyn_cast<TensorType>(type))
    return tensor.clone(toSignless(tensor.getElementType()));
  if (auto integer = dyn_cast<IntegerType>(type);
      integer && !integer.isSignless())
    return IntegerType::get(type.getContext(), integer.getWidth());
  return type;
}

GraphTypeConverter::GraphTypeConverter() {
  addConversion([](Type type) { return toSignless(type); });
}

void emitCheck(OpBuilder &b, Location loc, Value condition, StringRef kind,
               StringRef message, ValueRange values, int64_t operand) {
  SmallVector<Value> asI64;
  for (Value v : values) {
    if (v.getType().isIndex())
      v = arith::IndexCastOp::create(b, loc, b.getI64Type(), v);
    else if (v.getType().getIntOrFloatBitWidth() < 64)
      v = arith::ExtSIOp::create(b, loc, b.getI64Type(), v);
    asI64.push_back(v);
  }
  kernel::CheckOp::create(b, loc, condition, asI64, message, kind, operand);
}

void emitDimsEqualCheck(OpBuilder &b, Location loc, Value actual,
                        Value expected, StringRef message, int64_t operand) {
  Value same =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, actual, expected);
  emitCheck(b, loc, same, "shape", message, {actual, expected}, operand);
}

void emitDimAtMostCheck(OpBuilder &b, Location loc, Value have, Value room,
                        StringRef message, int64_t operand) {
  Value fits =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sle, have, room);
  emitCheck(b, loc, fits, "shape", message, {have, room}, operand);
}

void emitIndexColumnRangeCheck(OpBuilder &b, Location loc, Value indices,
                               int64_t column, Value size, int64_t operand) {
  auto type = cast<RankedTensorType>(indices.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = 1;
  SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
  offsets.back() = column;
  Value slice = tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(shape, type.getElementType()), indices,
      ValueRange{}, ValueRange{}, ValueRange{}, offsets, shape, strides);
  emitIndexRangeCheck(b, loc, slice, size, operand);
}

void emitSizeCheck(OpBuilder &b, Location loc, ValueRange dims,
                   int64_t elementBytes, int64_t operand) {
  Value zero = arith::ConstantIntOp::create(b, loc, 0, 64);
  Value bytes = arith::ConstantIntOp::create(b, loc, elementBytes, 64);
  Value fits = arith::ConstantIntOp::create(b, loc, 1, 1);
  for (auto [d, dim] : llvm::enumerate(dims)) {
    Value v = dim.getType().isIndex()
                  ? arith::IndexCastOp::create(b, loc, b.getI64Type(), dim)
                        .getResult()
                  : dim;
    Value nonNegative =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, v, zero);
    emitCheck(b, loc, nonNegative, "size",
              "dim " + std::to_string(d) + " would be {0}: a negative size",
              {v}, operand);
    // bytes * v overflows when the high half is not 0 or the low half's
    // sign is set (both factors are non-negative).
    auto product = arith::MulSIExtendedOp::create(b, loc, bytes, v);
    Value highZero = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                           product.getHigh(), zero);
    Value lowOk = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge,
                                        product.getLow(), zero);
    fits = arith::AndIOp::create(
        b, loc, fits, arith::AndIOp::create(b, loc, highZero, lowOk));
    bytes = arith::SelectOp::create(b, loc, fits, product.getLow(), zero);
  }
  emitCheck(b, loc, fits, "size",
            "the result would hold more than 2^63 bytes (" +
                std::to_string(dims.size()) + " dims of sizes from the input)",
            {}, operand);
}

void emitInnerDimCheck(OpBuilder &b, Location loc, Value lhs, int64_t lhsDim,
                       Value rhs, int64_t rhsDim) {
  auto lt = cast<RankedTensorType>(lhs.getType());
  auto rt = cast<RankedTensorType>(rhs.getType());
  if (!lt.isDynamicDim(lhsDim) && !rt.isDynamicDim(rhsDim))
    return;
  emitDimsEqualCheck(b, loc, tensor::DimOp::create(b, loc, rhs, rhsDim),
                     tensor::DimOp::create(b, loc, lhs, lhsDim),
                     "the inner dims differ: dim " + std::to_string(rhsDim) +
                         " is {0}, but input 0's dim " +
                         std::to_string(lhsDim) + " is {1}",
                     1);
}

void emitIndexRangeCheck(OpBuilder &b, Location loc, Value indices, Value size,
                         int64_t operand, bool allowNegative) {
  auto type = cast<RankedTensorType>(indices.getType());
  Type element = type.getElementType();
  unsigned width = element.getIntOrFloatBitWidth();
  StringRef message = allowNegative
                          ? "index {0} is out of range for a dim of size {1}"
                          : "index {0} is out of range for a dim of size {1} "
                            "(negative indices are not allowed here)";
  Value lo, hi;
  // Constant indices: their smallest and largest are known now, and so is
  // the check when the dim is.
  DenseIntElementsAttr constant;
  if (matchPattern(indices, m_Constant(&constant)) &&
      constant.getNumElements() > 0) {
    int64_t low = std::numeric_limits<int64_t>::max();
    int64_t high = std::numeric_limits<int64_t>::min();
    for (const llvm::APInt &v : constant.getValues<llvm::APInt>()) {
      low = std::min(low, v.getSExtValue());
      high = std::max(high, v.getSExtValue());
    }
    std::optional<int64_t> known = getConstantIntValue(size);
    if (auto dim = size.getDefiningOp<tensor::DimOp>())
      if (std::optional<int64_t> d = dim.getConstantIndex()) {
        auto shaped = cast<ShapedType>(dim.getSource().getType());
        if (!shaped.isDynamicDim(*d))
          known = shaped.getDimSize(*d);
      }
    if (known && low >= (allowNegative ? -*known : 0) && high < *known)
      return;
    lo = arith::ConstantIntOp::create(b, loc, low, 64);
    hi = arith::ConstantIntOp::create(b, loc, high, 64);
  } else {
    // min and max over every element, in one pass.
    auto scalar = RankedTensorType::get({}, element);
    Value lowest = createFilled(
        b, loc, scalar, {},
        b.getIntegerAttr(element, llvm::APInt::getSignedMaxValue(width)));
    Value highest = createFilled(
        b, loc, scalar, {},
        b.getIntegerAttr(element, llvm::APInt::getSignedMinValue(width)));
    SmallVector<AffineExpr> none;
    AffineMap inMap = b.getMultiDimIdentityMap(type.getRank());
    AffineMap outMap = AffineMap::get(type.getRank(), 0, none, b.getContext());
    SmallVector<utils::IteratorType> iterators(type.getRank(),
                                               utils::IteratorType::reduction);
    auto reduce = linalg::GenericOp::create(
        b, loc, TypeRange{scalar, scalar}, ValueRange{indices},
        ValueRange{lowest, highest}, ArrayRef<AffineMap>{inMap, outMap, outMap},
        iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value lo = arith::MinSIOp::create(nb, nl, args[0], args[1]);
          Value hi = arith::MaxSIOp::create(nb, nl, args[0], args[2]);
          linalg::YieldOp::create(nb, nl, ValueRange{lo, hi});
        });
    auto toI64 = [&](Value v) -> Value {
      return width < 64
                 ? arith::ExtSIOp::create(b, loc, b.getI64Type(), v).getResult()
                 : v;
    };
    lo = toI64(
        tensor::ExtractOp::create(b, loc, reduce.getResult(0), ValueRange{}));
    hi = toI64(
        tensor::ExtractOp::create(b, loc, reduce.getResult(1), ValueRange{}));
  }
  Value n = arith::IndexCastOp::create(b, loc, b.getI64Type(), size);
  Value floor =
      allowNegative
          ? arith::SubIOp::create(
                b, loc, arith::ConstantIntOp::create(b, loc, 0, 64), n)
                .getResult()
          : arith::ConstantIntOp::create(b, loc, 0, 64).getResult();
  Value loOk =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, lo, floor);
  emitCheck(b, loc, loOk, "index", message, {lo, n}, operand);
  Value hiOk = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, hi, n);
  emitCheck(b, loc, hiOk, "index", message, {hi, n}, operand);
}

SmallVector<OpFoldResult>
getMixedSizes(OpBuilder &b, Location loc, RankedTensorType result,
              function_ref<Value(unsigned)> dynamicDim) {
  SmallVector<OpFoldResult> sizes;
  for (auto [i, dim] : llvm::enumerate(result.getShape()))
    sizes.push_back(ShapedType::isDynamic(dim)
                        ? OpFoldResult(dynamicDim(i))
                        : OpFoldResult(b.getIndexAttr(dim)));
  return sizes;
}

Value createEmpty(OpBuilder &b, Location loc, RankedTensorType result,
                  ArrayRef<OpFoldResult> sizes) {
  return tensor::EmptyOp::create(b, loc, sizes, result.getElementType());
}

Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   ArrayRef<OpFoldResult> sizes, TypedAttr value) {
  Value empty = createEmpty(b, loc, type, sizes);
  Value scalar = arith::ConstantOp::create(b, loc, value);
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto f = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(f, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

FailureOr<Value> buildElementwise(ConversionPatternRewriter &rewriter,
                                  Location loc, RankedTensorType resultType,
                                  ValueRange operands, ScalarFn body,
                                  ArrayRef<OpFoldResult> givenSizes) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  SmallVector<Value> inputs;
  for (Value operand : operands) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || type.getRank() > rank)
      return failure();
    int64_t offset = rank - type.getRank();
    SmallVector<AffineExpr> exprs;
    for (auto [j, dim] : llvm::enumerate(type.getShape())) {
      int64_t outDim = resultType.getDimSize(offset + j);
      if (dim == 1 && outDim != 1)
        exprs.push_back(rewriter.getAffineConstantExpr(0));
      else
        exprs.push_back(rewriter.getAffineDimExpr(offset + j));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, rewriter.getContext()));
    inputs.push_back(operand);
  }
  maps.push_back(rewriter.getMultiDimIdentityMap(rank));
  // A dynamic result dim comes from an operand whose dim there is not 1.
  SmallVector<OpFoldResult> sizes(givenSizes);
  if (sizes.empty())
    sizes = getMixedSizes(rewriter, loc, resultType, [&](unsigned i) {
      for (Value operand : operands) {
        auto type = cast<RankedTensorType>(operand.getType());
        int64_t j = static_cast<int64_t>(i) - (rank - type.getRank());
        if (j >= 0 && type.getDimSize(j) != 1)
          return Value(tensor::DimOp::create(rewriter, loc, operand, j));
      }
      return Value(arith::ConstantIndexOp::create(rewriter, loc, 1));
    });
  // Dims known only at run time are read as they are: each must be the
  // result's (where ONNX would broadcast a 1, it is refused at run time).
  for (auto [index, operand] : llvm::enumerate(operands)) {
    auto type = cast<RankedTensorType>(operand.getType());
    int64_t offset = rank - type.getRank();
    for (int64_t j = 0; j < type.getRank(); ++j) {
      if (!type.isDynamicDim(j))
        continue;
      Value expected =
          getValueOrCreateConstantIndexOp(rewriter, loc, sizes[offset + j]);
      Value actual = tensor::DimOp::create(rewriter, loc, operand, j);
      emitDimsEqualCheck(
          rewriter, loc, actual, expected,
          "dim " + std::to_string(j) +
              " is {0} at run time, but the broadcast result's is {1} "
              "(dims unknown at compile time broadcast only when equal)",
          index);
    }
  }
  Value init = createEmpty(rewriter, loc, resultType, sizes);
  SmallVector<utils::IteratorType> iterators(rank,
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location nested, ValueRange args) {
        Value result = body(b, nested, args.drop_back());
        linalg::YieldOp::create(b, nested, result);
      });
  return generic.getResult(0);
}

Value buildFromIndices(
    OpBuilder &b, Location loc, RankedTensorType type,
    ArrayRef<OpFoldResult> sizes,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  int64_t rank = type.getRank();
  Value init = createEmpty(b, loc, type, sizes);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nl, ValueRange) {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < rank; ++d)
          indices.push_back(linalg::IndexOp::create(nb, nl, d));
        linalg::YieldOp::create(nb, nl, fn(nb, nl, indices));
      });
  return generic.getResult(0);
}

Value buildReduction(
    OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
    bool keepDims, RankedTensorType type, TypedAttr init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    iterators.push_back(reduced ? utils::IteratorType::reduction
                                : utils::IteratorType::parallel);
    if (reduced && !keepDims)
      continue;
    outExprs.push_back(reduced ? b.getAffineConstantExpr(0)
                               : b.getAffineDimExpr(d));
    if (reduced)
      sizes.push_back(b.getIndexAttr(1));
    else if (inputType.isDynamicDim(d))
      sizes.push_back(Value(tensor::DimOp::create(b, loc, input, d)));
    else
      sizes.push_back(b.getIndexAttr(inputType.getDimSize(d)));
  }
  Value filled = createFilled(b, loc, type, sizes, init);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, b.getContext());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{input}, ValueRange{filled},
      ArrayRef<AffineMap>{b.getMultiDimIdentityMap(rank), outMap}, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, combine(nb, nl, args[0], args[1]));
      });
  return generic.getResult(0);
}

Value constantIndex(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

Value wrapNegativeIndex(OpBuilder &b, Location loc, Value element, Value size) {
  Value i = arith::IndexCastOp::create(b, loc, b.getIndexType(), element);
  Value negative = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, i,
                                         constantIndex(b, loc, 0));
  Value wrapped = arith::AddIOp::create(b, loc, i, size);
  return arith::SelectOp::create(b, loc, negative, wrapped, i);
}

FailureOr<Moments> buildMoments(ConversionPatternRewriter &rewriter,
                                Location loc, Value x, RankedTensorType type,
                                ArrayRef<int64_t> axes) {
  Type t = type.getElementType();
  SmallVector<int64_t> kept(type.getShape());
  for (int64_t d : axes)
    kept[d] = 1;
  auto keptType = RankedTensorType::get(kept, t);
  Value count = constantIndex(rewriter, loc, 1);
  for (int64_t d : axes)
    count = arith::MulIOp::create(rewriter, loc, count,
                                  tensor::DimOp::create(rewriter, loc, x, d));
  Value countF = arith::SIToFPOp::create(
      rewriter, loc, t,
      arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(), count));
  auto mean = [&](Value v) -> FailureOr<Value> {
    Value sum = buildReduction(
        rewriter, loc, v, axes, true, keptType, rewriter.getZeroAttr(t),
        [](OpBuilder &b, Location l, Value e, Value acc) -> Value {
          return arith::AddFOp::create(b, l, e, acc);
        });
    return buildElementwise(
        rewriter, loc, keptType, sum,
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          return arith::DivFOp::create(b, l, a[0], countF);
        });
  };
  FailureOr<Value> mu = mean(x);
  if (failed(mu))
    return failure();
  FailureOr<Value> centered =
      buildElementwise(rewriter, loc, type, {x, *mu},
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::SubFOp::create(b, l, a[0], a[1]);
                       });
  if (failed(centered))
    return failure();
  FailureOr<Value> squares =
      buildElementwise(rewriter, loc, type, *centered,
                       [](OpBuilder &b, Location l, ValueRange a) -> Value {
                         return arith::MulFOp::create(b, l, a[0], a[0]);
                       });
  if (failed(squares))
    return failure();
  FailureOr<Value> variance = mean(*squares);
  if (failed(variance))
    return failure();
  return Moments{*mu, *centered, *variance};
}

Value convOutputSize(OpBuilder &b, Location loc, Value size, int64_t padding,
                     int64_t kernel, int64_t stride, int64_t dilation) {
  Value span = arith::SubIOp::create(
      b, loc, size,
      constantIndex(b, loc, dilation * (kernel - 1) + 1 - padding));
  Value q = arith::DivSIOp::create(b, loc, span, constantIndex(b, loc, stride));
  return arith::AddIOp::create(b, loc, q, constantIndex(b, loc, 1));
}

SmallVector<OpFoldResult> getGemmSizes(OpBuilder &b, Location loc,
                                       RankedTensorType type, Value lhs,
                                       Value rhs, bool transA, bool transB) {
  return getMixedSizes(b, loc, type, [&](unsigned i) -> Value {
    if (i == 0)
      return tensor::DimOp::create(b, loc, lhs, transA ? 1 : 0);
    return tensor::DimOp::create(b, loc, rhs, transB ? 0 : 1);
  });
}

FailureOr<RankedTensorType>
getStaticResultType(ConversionPatternRewriter &rewriter,
                    const TypeConverter &converter, Operation *op,
                    unsigned index) {
  FailureOr<RankedTensorType> type =
      getRankedResultType(rewriter, converter, op, index);
  if (failed(type) || !type->hasStaticShape())
    return rewriter.notifyMatchFailure(op, "needs a static result shape");
  return type;
}

FailureOr<RankedTensorType>
getRankedResultType(ConversionPatternRewriter &rewriter,
                    const TypeConverter &converter, Operation *op,
                    unsigned index) {
  auto type = dyn_cast<RankedTensorType>(
      converter.convertType(op->getResult(index).getType()));
  if (!type)
    return rewriter.notifyMatchFailure(op, "result rank is unknown");
  return type;
}

} // namespace loom::lowering

namespace {

using namespace loom::lowering;

struct ConvertGraphToLinalgPass
    : loom::impl::ConvertGraphToLinalgPassBase<ConvertGraphToLinalgPass> {
  using Base::Base;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    GraphTypeConverter converter;
    RewritePatternSet patterns(context);
    populateElementwisePatterns(converter, patterns);
    populateTensorPatterns(converter, patterns);
    populateContractionPatterns(converter, patterns);
    populateReductionPatterns(converter, patterns);
    populateConvolutionPatterns(converter, patterns);
    populateDataPatterns(converter, patterns);
    populateNormalizationPatterns(converter, patterns);
    populateMiscPatterns(converter, patterns);
    populateResizePatterns(converter, patterns);
    populateGatherPatterns(converter, patterns);
    populateQuantPatterns(converter, patterns);
    populateMorePatterns(converter, patterns);
    populateQuantMatMulPatterns(converter, patterns);
    populateControlFlowPatterns(converter, patterns);
    if (kernelLibrary)
      populateKernelPatterns(converter, patterns, symmetricConvPads,
                             batchedMatmul);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    populateCallOpTypeConversionPattern(patterns, converter);

    // Graph ops without any pattern are reported by name up front, so the
    // user reads which op (and which ONNX node, from its location) is
    // missing rather than a generic legalization failure.
    llvm::StringSet<> lowered;
    for (const auto &pattern : patterns.getNativePatterns())
      if (std::optional<OperationName> root = pattern->getRootKind())
        lowered.insert(root->getStringRef());
    bool missing = false;
    getOperation()->walk([&](Operation *op) {
      if (!isa<loom::graph::GraphDialect>(op->getDialect()) ||
          lowered.contains(op->getName().getStringRef()))
        return;
      loom::emitOpRefusal(op) << "has no CPU lowering yet";
      missing = true;
    });
    if (missing)
      return signalPassFailure();

    ConversionTarget target(*context);
    target.addLegalDialect<arith::ArithDialect, loom::kernel::KernelDialect,
                           linalg::LinalgDialect, math::MathDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    target.addIllegalDialect<loom::graph::GraphDialect>();
    target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
      return converter.isSignatureLegal(op.getFunctionType()) &&
             converter.isLegal(&op.getBody());
    });
    target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
        [&](Operation *op) { return converter.isLegal(op); });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    // Measuring what the checks cost: without them, what computed their
    // conditions is dead.
    if (!runtimeChecks)
      getOperation()->walk([](loom::kernel::CheckOp check) { check.erase(); });
  }
};

} // namespace
