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
