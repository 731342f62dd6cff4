//===- GraphFolds.cpp - Folders and canonicalizations of graph ops --------===//
//
// Part of Loom. Folds never touch `dense_resource` weights (they would copy
// them into uniqued attributes) and never fold tensors larger than
// kMaxFoldElements elements.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace loom::graph;

/// Folding bigger constants would duplicate weight-sized data in the context.
static constexpr int64_t kMaxFoldElements = 1 << 16;

/// Whether `attr` is a small `dense` constant of `type` worth folding.
static bool isFoldableConstant(Attribute attr, Type type) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  return dense && dense.getType() == type &&
         (dense.isSplat() || dense.getNumElements() <= kMaxFoldElements);
}

/// Whether `attr` is a splat constant equal to `value` (for floats, exactly).
static bool isSplatOf(Attribute attr, double value) {
  auto dense = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!dense)
    return false;
  Type elementType = dense.getElementType();
  if (isa<FloatType>(elementType)) {
    APFloat splat = dense.getSplatValue<APFloat>();
    APFloat expected(value);
    bool losesInfo;
    expected.convert(splat.getSemantics(), APFloat::rmNearestTiesToEven,
                     &losesInfo);
    return splat.bitwiseIsEqual(expected);
  }
  if (isa<IntegerType>(elementType))
    return dense.getSplatValue<APInt>().getSExtValue() ==
           static_cast<int64_t>(value);
  return false;
}

/// Folds a binary elementwise op over constants: two splats broadcast to any
/// static result; dense operands only when no broadcasting is involved.
template <typename FloatFn, typename IntFn>
static Attribute foldBinary(Attribute lhs, Attribute rhs, Type resultType,
                            FloatFn floatFn, IntFn intFn) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  auto l = dyn_cast_or_null<DenseElementsAttr>(lhs);
  auto r = dyn_cast_or_null<DenseElementsAttr>(rhs);
  if (!type || !type.hasStaticShape() || !l || !r)
    return {};
  if (l.isSplat() && r.isSplat()) {
    if (isa<FloatType>(type.getElementType()))
      return DenseElementsAttr::get(type, floatFn(l.getSplatValue<APFloat>(),
                                                  r.getSplatValue<APFloat>()));
    return DenseElementsAttr::get(
        type, intFn(l.getSplatValue<APInt>(), r.getSplatValue<APInt>()));
  }
  if (!isFoldableConstant(l, type) || !isFoldableConstant(r, type))
    return {};
  Attribute operands[] = {l, r};
  if (isa<FloatType>(type.getElementType()))
    return constFoldBinaryOp<FloatAttr, APFloat, void>(operands, floatFn);
  return constFoldBinaryOp<IntegerAttr, APInt, void>(operands, intFn);
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  // x + 0 -> x, for integers, and for floats only with -0.0 (x + +0.0 turns
  // -0.0 into +0.0).
  bool isFloat = isa<FloatType>(getElementTypeOrSelf(getType()));
  if (getLhs().getType() == getType() &&
      isSplatOf(adaptor.getRhs(), isFloat ? -0.0 : 0.0))
    return getLhs();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return a + b; },
      [](const APInt &a, const APInt &b) { return a + b; });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (getLhs().getType() == getType() && isSplatOf(adaptor.getRhs(), 1.0))
    return getLhs();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return a * b; },
      [](const APInt &a, const APInt &b) { return a * b; });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  // relu(relu(x)) -> relu(x).
  if (auto inner = getInput().getDefiningOp<ReluOp>())
    if (inner.getType() == getType())
      return inner.getResult();
  if (!isFoldableConstant(adaptor.getInput(), getType()))
    return {};
  Attribute operands[] = {adaptor.getInput()};
  if (isa<FloatType>(getElementTypeOrSelf(getType())))
    return constFoldUnaryOp<FloatAttr, APFloat, void>(
        operands, [](const APFloat &x) {
          return x.isNegative() && !x.isNaN()
                     ? APFloat::getZero(x.getSemantics())
                     : x;
        });
  return constFoldUnaryOp<IntegerAttr, APInt, void>(
      operands, [](const APInt &x) {
        return x.isNegative() ? APInt::getZero(x.getBitWidth()) : x;
      });
}

//===----------------------------------------------------------------------===//
// GemmOp
//===----------------------------------------------------------------------===//

namespace {
/// gemm(a, b) without c, transposes or scaling is a plain matmul.
struct GemmToMatMul : public OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getC() || op.getTransA() || op.getTransB() ||
        !op.getAlpha().isExactlyValue(1.0))
      return rewriter.notifyMatchFailure(op, "gemm is not a plain product");
    rewriter.replaceOpWithNewOp<MatMulOp>(op, op.getType(), op.getA(),
                                          op.getB());
    return success();
  }
};
} // namespace

void GemmOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                         MLIRContext *context) {
  results.add<GemmToMatMul>(context);
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

/// Whether `op` keeps every dim of its input: its result type is the input's
/// and every shape value either copies the input's dim, equals it, or is the
/// one -1 (which the element count then pins to the input's dim).
static bool keepsEveryDim(ReshapeOp op, Attribute shapeAttr) {
  auto input = dyn_cast<RankedTensorType>(op.getInput().getType());
  if (!input || input != op.getType())
    return false;
  if (input.hasStaticShape())
    return true;
  auto values = dyn_cast_or_null<DenseIntElementsAttr>(shapeAttr);
  if (!values || values.getNumElements() != input.getRank())
    return false;
  for (auto [dim, value] :
       llvm::zip_equal(input.getShape(), values.getValues<int64_t>())) {
    bool copied = value == 0 && !op.getAllowZero();
    if (value != -1 && !copied && (ShapedType::isDynamic(dim) || dim != value))
      return false;
  }
  return true;
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (keepsEveryDim(*this, adaptor.getShape()))
    return getInput();
  // Reshaping a dense constant only relabels its data.
  auto type = dyn_cast<RankedTensorType>(getType());
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && type && type.hasStaticShape())
    return dense.reshape(type);
  return {};
}

namespace {
/// reshape(reshape(x, s1), s2) -> reshape(x, s2') where s2' no longer reads
/// the intermediate shape: s2 itself when it has no copy-dim 0s, or else the
/// outer result's static shape.
struct ReshapeOfReshape : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return rewriter.notifyMatchFailure(op, "input is not a reshape");
    Value shape = op.getShape();
    bool allowZero = op.getAllowZero();
    DenseIntElementsAttr values;
    bool readsInput =
        !allowZero && (!matchPattern(shape, m_Constant(&values)) ||
                       llvm::any_of(values.getValues<int64_t>(),
                                    [](int64_t v) { return v == 0; }));
    if (readsInput) {
      auto type = dyn_cast<RankedTensorType>(op.getType());
      if (!type || !type.hasStaticShape())
        return rewriter.notifyMatchFailure(op, "outer shape reads the inner");
      auto shapeType =
          RankedTensorType::get({type.getRank()}, rewriter.getI64Type());
      shape = ConstantOp::create(
          rewriter, op.getLoc(), shapeType,
          DenseIntElementsAttr::get(shapeType, type.getShape()));
      // The static shape spells every dim out: a 0 in it is a zero-sized dim.
      allowZero = llvm::is_contained(type.getShape(), 0);
    }
    auto newOp = rewriter.replaceOpWithNewOp<ReshapeOp>(
        op, op.getType(), inner.getInput(), shape);
    newOp.setAllowZero(allowZero);
    return success();
  }
};
} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  results.add<ReshapeOfReshape>(context);
}

//===----------------------------------------------------------------------===//
// Folders of shape computations: exported models compute shapes with
// shape/gather/concat/cast chains on small constants. Folding them lets
// shape inference see static dims.
//===----------------------------------------------------------------------===//

/// A small dense constant of static type, or null.
static DenseElementsAttr getSmallDense(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.getType().hasStaticShape() ||
      dense.getNumElements() > kMaxFoldElements)
    return {};
  return dense;
}

/// Row-major strides of `shape`.
static SmallVector<int64_t> getStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// The static result type of `op`'s one result, or null.
static RankedTensorType getStaticResultType(Operation *op) {
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  return type && type.hasStaticShape() ? type : RankedTensorType();
}

/// Builds a constant of `type` whose element at each result index comes from
/// `source` at the flat index `map` gives.
static Attribute gatherElements(RankedTensorType type, DenseElementsAttr source,
                                function_ref<int64_t(ArrayRef<int64_t>)> map) {
  SmallVector<Attribute> values;
  auto all = llvm::to_vector(source.getValues<Attribute>());
  SmallVector<int64_t> index(type.getRank(), 0);
  SmallVector<int64_t> strides = getStrides(type.getShape());
  for (int64_t flat = 0, n = type.getNumElements(); flat < n; ++flat) {
    int64_t rest = flat;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      index[d] = rest / strides[d];
      rest %= strides[d];
    }
    int64_t from = map(index);
    if (from < 0 || from >= static_cast<int64_t>(all.size()))
      return {};
    values.push_back(all[from]);
  }
  return DenseElementsAttr::get(type, values);
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (getLhs().getType() == getType() && isSplatOf(adaptor.getRhs(), 0.0))
    return getLhs();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return a - b; },
      [](const APInt &a, const APInt &b) { return a - b; });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (getLhs().getType() == getType() && isSplatOf(adaptor.getRhs(), 1.0))
    return getLhs();
  Type elementType = getElementTypeOrSelf(getType());
  if (auto rhs = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getRhs()))
    if (llvm::any_of(rhs.getValues<APInt>(),
                     [](const APInt &v) { return v.isZero(); }))
      return {};
  bool isUnsigned = elementType.isUnsignedInteger();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APFloat &a, const APFloat &b) { return a / b; },
      [&](const APInt &a, const APInt &b) {
        return isUnsigned ? a.udiv(b) : a.sdiv(b);
      });
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto input = getSmallDense(adaptor.getInput());
  auto type = getStaticResultType(*this);
  if (!input || !type)
    return {};
  auto from = dyn_cast<IntegerType>(input.getElementType());
  auto to = dyn_cast<IntegerType>(type.getElementType());
  if (!from || !to)
    return {};
  // Integer to integer: extend by the source's signedness, or truncate;
  // anything to bool is `x != 0`.
  SmallVector<APInt> values;
  for (const APInt &v : input.getValues<APInt>()) {
    if (to.getWidth() == 1)
      values.push_back(APInt(1, !v.isZero()));
    else if (from.isUnsigned() || from.getWidth() == 1)
      values.push_back(v.zextOrTrunc(to.getWidth()));
    else
      values.push_back(v.sextOrTrunc(to.getWidth()));
  }
  return DenseElementsAttr::get(type, values);
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto input = dyn_cast<RankedTensorType>(getInput().getType());
  auto type = getStaticResultType(*this);
  if (!input || !type)
    return {};
  ArrayRef<int64_t> dims =
      input.getShape().slice(getStart(), type.getDimSize(0));
  if (llvm::any_of(dims, ShapedType::isDynamic))
    return {};
  return DenseIntElementsAttr::get(type, dims);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  auto data = getSmallDense(adaptor.getData());
  auto indices = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndices());
  auto type = getStaticResultType(*this);
  if (!data || !indices || !type)
    return {};
  ArrayRef<int64_t> dataShape = data.getType().getShape();
  int64_t axis = getAxis(), axisDim = dataShape[axis];
  auto idx = llvm::to_vector(
      llvm::map_range(indices.getValues<APInt>(),
                      [](const APInt &v) { return v.getSExtValue(); }));
  int64_t idxRank = indices.getType().getRank();
  SmallVector<int64_t> idxStrides = getStrides(indices.getType().getShape());
  SmallVector<int64_t> dataStrides = getStrides(dataShape);
  return gatherElements(type, data, [&](ArrayRef<int64_t> index) -> int64_t {
    int64_t flatIdx = 0;
    for (int64_t d = 0; d < idxRank; ++d)
      flatIdx += index[axis + d] * idxStrides[d];
    int64_t i = idx[flatIdx] < 0 ? idx[flatIdx] + axisDim : idx[flatIdx];
    if (i < 0 || i >= axisDim)
      return -1;
    int64_t from = i * dataStrides[axis];
    for (int64_t d = 0; d < axis; ++d)
      from += index[d] * dataStrides[d];
    for (int64_t d = axis + 1; d < static_cast<int64_t>(dataShape.size()); ++d)
      from += index[d - 1 + idxRank] * dataStrides[d];
    return from;
  });
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  auto type = getStaticResultType(*this);
  if (!type || type.getNumElements() > kMaxFoldElements)
    return {};
  SmallVector<DenseElementsAttr> inputs;
  for (Attribute attr : adaptor.getInputs()) {
    auto dense = getSmallDense(attr);
    if (!dense)
      return {};
    inputs.push_back(dense);
  }
  int64_t axis = getAxis();
  SmallVector<Attribute> values;
  SmallVector<SmallVector<Attribute>> all;
  for (DenseElementsAttr input : inputs)
    all.push_back(llvm::to_vector(input.getValues<Attribute>()));
  // Walk the result in order: for each outer index, take each input's run.
  int64_t outer = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= type.getDimSize(d);
  for (int64_t o = 0; o < outer; ++o)
    for (auto [input, elements] : llvm::zip_equal(inputs, all)) {
      int64_t run = input.getNumElements() / outer;
      values.append(elements.begin() + o * run,
                    elements.begin() + (o + 1) * run);
    }
  return DenseElementsAttr::get(type, values);
}

/// Squeeze, unsqueeze and identity transposes of constants only relabel them.
template <typename OpTy>
static OpFoldResult foldRelabel(OpTy op, Attribute input) {
  if (op.getInput().getType() == op.getType() &&
      cast<TensorType>(op.getType()).hasStaticShape())
    return op.getInput();
  auto dense = getSmallDense(input);
  auto type = getStaticResultType(op);
  if (!dense || !type)
    return {};
  return dense.reshape(type);
}

OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  return foldRelabel(*this, adaptor.getInput());
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  return foldRelabel(*this, adaptor.getInput());
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto pair) {
    return static_cast<int64_t>(pair.index()) == pair.value();
  });
  if (identity && getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto input = dyn_cast<RankedTensorType>(getInput().getType());
  if (input && input == getType() && input.hasStaticShape())
    return getInput();
  auto data = getSmallDense(adaptor.getInput());
  auto type = getStaticResultType(*this);
  if (!data || !type)
    return {};
  ArrayRef<int64_t> shape = data.getType().getShape();
  SmallVector<int64_t> strides = getStrides(shape);
  SmallVector<int64_t> starts;
  for (auto [dim, start, step] :
       llvm::zip_equal(shape, getStarts(), getSteps())) {
    int64_t s = start < 0 ? start + dim : start;
    starts.push_back(step > 0 ? std::clamp<int64_t>(s, 0, dim)
                              : std::clamp<int64_t>(s, 0, dim - 1));
  }
  ArrayRef<int64_t> steps = getSteps();
  return gatherElements(type, data, [&](ArrayRef<int64_t> index) {
    int64_t from = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      from += (starts[d] + index[d] * steps[d]) * strides[d];
    return from;
  });
}

namespace {
/// dynamic_slice whose bounds are constants is a graph.slice.
struct DynamicSliceOfConstants : public OpRewritePattern<DynamicSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicSliceOp op,
                                PatternRewriter &rewriter) const override {
    auto input = dyn_cast<RankedTensorType>(op.getInput().getType());
    auto starts = loom::graph::detail::getConstantInts(op.getStarts());
    auto ends = loom::graph::detail::getConstantInts(op.getEnds());
    auto axes = loom::graph::detail::getConstantInts(op.getAxes());
    auto steps = loom::graph::detail::getConstantInts(op.getSteps());
    if (!input || !starts || !ends || !axes || !steps)
      return rewriter.notifyMatchFailure(op, "bounds are not constants");
    size_t n = starts->size();
    if (ends->size() != n || axes->size() != n || steps->size() != n)
      return rewriter.notifyMatchFailure(op, "bounds differ in length");
    int64_t rank = input.getRank();
    SmallVector<int64_t> allStarts(rank, 0), allEnds(rank, INT64_MAX),
        allSteps(rank, 1);
    for (size_t i = 0; i < n; ++i) {
      int64_t axis = (*axes)[i] < 0 ? (*axes)[i] + rank : (*axes)[i];
      if (axis < 0 || axis >= rank || (*steps)[i] == 0)
        return rewriter.notifyMatchFailure(op, "invalid axis or step");
      allStarts[axis] = (*starts)[i];
      allEnds[axis] = (*ends)[i];
      allSteps[axis] = (*steps)[i];
    }
    rewriter.replaceOpWithNewOp<SliceOp>(op, op.getType(), op.getInput(),
                                         allStarts, allEnds, allSteps);
    return success();
  }
};
} // namespace

void DynamicSliceOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                                 MLIRContext *context) {
  results.add<DynamicSliceOfConstants>(context);
}

//===----------------------------------------------------------------------===//
// Comparisons, selection and filled tensors over constants: exported models
// build expand/reshape targets with ConstantOfShape/Equal/Where chains.
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOfShapeOp::fold(FoldAdaptor) {
  auto type = getStaticResultType(*this);
  auto value = dyn_cast<DenseElementsAttr>(getValue());
  if (!type || !value || type.getNumElements() > kMaxFoldElements)
    return {};
  return SplatElementsAttr::get(type, value.getSplatValue<Attribute>());
}

namespace {
/// How two elements compare: for floats, NaN is unordered.
enum class Ordering { Less, Equal, Greater, Unordered };
} // namespace

/// Whether the elementwise operands of a static `type` can be read by flat
/// index: splats broadcast, dense operands must already have `type`'s shape.
static bool isIndexable(DenseElementsAttr attr, RankedTensorType type) {
  return attr &&
         (attr.isSplat() || (attr.getType().getShape() == type.getShape() &&
                             attr.getNumElements() <= kMaxFoldElements));
}

/// Folds a comparison whose operands are constants into a bool constant.
static Attribute foldCompare(Attribute lhs, Attribute rhs, Type resultType,
                             function_ref<bool(Ordering)> holds) {
  auto type = dyn_cast<RankedTensorType>(resultType);
  auto l = dyn_cast_or_null<DenseElementsAttr>(lhs);
  auto r = dyn_cast_or_null<DenseElementsAttr>(rhs);
  if (!type || !type.hasStaticShape() || !isIndexable(l, type) ||
      !isIndexable(r, type))
    return {};
  Type elementType = l.getElementType();
  auto at = [](DenseElementsAttr attr, int64_t i) {
    return attr.isSplat() ? 0 : i;
  };
  SmallVector<bool> values;
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i) {
    Ordering ordering;
    if (isa<FloatType>(elementType)) {
      APFloat a = l.getValues<APFloat>()[at(l, i)];
      APFloat b = r.getValues<APFloat>()[at(r, i)];
      switch (a.compare(b)) {
      case APFloat::cmpLessThan:
        ordering = Ordering::Less;
        break;
      case APFloat::cmpEqual:
        ordering = Ordering::Equal;
        break;
      case APFloat::cmpGreaterThan:
        ordering = Ordering::Greater;
        break;
      case APFloat::cmpUnordered:
        ordering = Ordering::Unordered;
        break;
      }
    } else if (auto intType = dyn_cast<IntegerType>(elementType)) {
      APInt a = l.getValues<APInt>()[at(l, i)];
      APInt b = r.getValues<APInt>()[at(r, i)];
      bool isUnsigned = intType.isUnsigned() || intType.getWidth() == 1;
      ordering = a == b                               ? Ordering::Equal
                 : (isUnsigned ? a.ult(b) : a.slt(b)) ? Ordering::Less
                                                      : Ordering::Greater;
    } else {
      return {};
    }
    values.push_back(holds(ordering));
  }
  return DenseElementsAttr::get(type, values);
}

OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](Ordering o) { return o == Ordering::Equal; });
}
OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](Ordering o) { return o == Ordering::Less; });
}
OpFoldResult LessEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](Ordering o) { return o == Ordering::Less || o == Ordering::Equal; });
}
OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](Ordering o) { return o == Ordering::Greater; });
}
OpFoldResult GreaterEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(adaptor.getLhs(), adaptor.getRhs(), getType(),
                     [](Ordering o) {
                       return o == Ordering::Greater || o == Ordering::Equal;
                     });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  auto condition = dyn_cast_or_null<DenseElementsAttr>(adaptor.getCondition());
  if (!condition)
    return {};
  // A uniform condition selects one operand, when that operand needs no
  // broadcasting to the result.
  if (condition.isSplat()) {
    bool pick = condition.getSplatValue<bool>();
    Value chosen = pick ? getTrueValue() : getFalseValue();
    Attribute chosenAttr =
        pick ? adaptor.getTrueValue() : adaptor.getFalseValue();
    if (chosen.getType() == getType())
      return chosen;
    auto type = getStaticResultType(*this);
    auto dense = dyn_cast_or_null<DenseElementsAttr>(chosenAttr);
    if (type && dense && dense.isSplat())
      return SplatElementsAttr::get(type, dense.getSplatValue<Attribute>());
    return {};
  }
  auto type = getStaticResultType(*this);
  auto t = dyn_cast_or_null<DenseElementsAttr>(adaptor.getTrueValue());
  auto f = dyn_cast_or_null<DenseElementsAttr>(adaptor.getFalseValue());
  if (!type || !isIndexable(condition, type) || !isIndexable(t, type) ||
      !isIndexable(f, type))
    return {};
  SmallVector<Attribute> values;
  auto conditions = condition.getValues<bool>();
  auto trues = t.getValues<Attribute>();
  auto falses = f.getValues<Attribute>();
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i)
    values.push_back(conditions[i] ? trues[t.isSplat() ? 0 : i]
                                   : falses[f.isSplat() ? 0 : i]);
  return DenseElementsAttr::get(type, values);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

namespace {
/// A reduction whose computed axes are a constant takes them as its
/// attribute: negative axes count from the end, sorted; an empty list means
/// every axis, or none (the input itself) under noop_with_empty_axes.
template <typename OpTy>
struct ReduceWithConstantAxes : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    if (!op.getComputedAxes())
      return failure();
    auto values = loom::graph::detail::getConstantInts(op.getComputedAxes());
    auto input = dyn_cast<RankedTensorType>(op.getInput().getType());
    if (!values || !input)
      return rewriter.notifyMatchFailure(op, "axes or rank unknown");
    int64_t rank = input.getRank();
    if (values->empty() && op.getNoopWithEmptyAxes()) {
      if (op.getInput().getType() != op.getType())
        return failure();
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    SmallVector<int64_t> axes;
    if (values->empty())
      axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    for (int64_t axis : *values) {
      int64_t resolved = axis < 0 ? axis + rank : axis;
      if (resolved < 0 || resolved >= rank)
        return rewriter.notifyMatchFailure(op, "axis out of range");
      axes.push_back(resolved);
    }
    llvm::sort(axes);
    if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
      return rewriter.notifyMatchFailure(op, "repeated axis");
    rewriter.replaceOpWithNewOp<OpTy>(op, op.getType(), op.getInput(), Value(),
                                      axes, op.getKeepDims(), false);
    return success();
  }
};
} // namespace

#define LOOM_REDUCE_CANONICALIZER(OpTy)                                        \
  void OpTy::getCanonicalizationPatterns(RewritePatternSet &results,           \
                                         MLIRContext *context) {               \
    results.add<ReduceWithConstantAxes<OpTy>>(context);                        \
  }
LOOM_REDUCE_CANONICALIZER(ReduceSumOp)
LOOM_REDUCE_CANONICALIZER(ReduceMeanOp)
LOOM_REDUCE_CANONICALIZER(ReduceMaxOp)
LOOM_REDUCE_CANONICALIZER(ReduceMinOp)
LOOM_REDUCE_CANONICALIZER(ReduceProdOp)
LOOM_REDUCE_CANONICALIZER(ReduceL1Op)
LOOM_REDUCE_CANONICALIZER(ReduceL2Op)
LOOM_REDUCE_CANONICALIZER(ReduceLogSumOp)
LOOM_REDUCE_CANONICALIZER(ReduceLogSumExpOp)
LOOM_REDUCE_CANONICALIZER(ReduceSumSquareOp)
#undef LOOM_REDUCE_CANONICALIZER
