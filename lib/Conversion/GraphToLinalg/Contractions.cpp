//===- Contractions.cpp - MatMul and Gemm to linalg -----------------------===//
//
// Part of Loom. Both become one linalg.generic contraction (broadcasting
// batch dims and promoting 1-D operands as ONNX MatMul does), which later
// phases tile, vectorize or hand to a kernel library.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {

/// acc + l * r, in the element type's arithmetic.
static Value multiplyAdd(OpBuilder &b, Location loc, Value l, Value r,
                         Value acc) {
  if (isa<FloatType>(acc.getType())) {
    Value m = arith::MulFOp::create(b, loc, l, r);
    return arith::AddFOp::create(b, loc, acc, m);
  }
  Value m = arith::MulIOp::create(b, loc, l, r);
  return arith::AddIOp::create(b, loc, acc, m);
}

/// A contraction over loop dims [results..., k] with the given maps.
static Value buildContraction(OpBuilder &b, Location loc, RankedTensorType type,
                              ArrayRef<OpFoldResult> sizes, Value lhs,
                              Value rhs, AffineMap lhsMap, AffineMap rhsMap) {
  unsigned loops = type.getRank() + 1;
  Value init =
      createFilled(b, loc, type, sizes, b.getZeroAttr(type.getElementType()));
  SmallVector<utils::IteratorType> iterators(loops,
                                             utils::IteratorType::parallel);
  iterators.back() = utils::IteratorType::reduction;
  AffineMap outMap = AffineMap::getMultiDimIdentityMap(loops, b.getContext())
                         .getMajorSubMap(type.getRank());
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, ValueRange{lhs, rhs}, ValueRange{init},
      ArrayRef<AffineMap>{lhsMap, rhsMap, outMap}, iterators,
      [](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl,
                                multiplyAdd(nb, nl, args[0], args[1], args[2]));
      });
  return generic.getResult(0);
}

namespace {

struct MatMulPattern : OpConversionPattern<g::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    auto lt = dyn_cast<RankedTensorType>(adaptor.getLhs().getType());
    auto rt = dyn_cast<RankedTensorType>(adaptor.getRhs().getType());
    if (failed(type) || !lt || !rt)
      return rewriter.notifyMatchFailure(op, "unranked operands");
    Location loc = op.getLoc();
    int64_t a = lt.getRank(), b = rt.getRank(), r = type->getRank();
    MLIRContext *ctx = getContext();
    unsigned loops = r + 1;
    AffineExpr k = getAffineDimExpr(r, ctx);
    int64_t batch = r - (a >= 2) - (b >= 2);
    int64_t mDim = batch, nDim = r - 1;
    // Batch dims align right; static 1s broadcast.
    auto batchExprs = [&](RankedTensorType t, int64_t count) {
      SmallVector<AffineExpr> exprs;
      for (int64_t j = 0; j < count; ++j) {
        int64_t out = batch - count + j;
        if (t.getDimSize(j) == 1 && type->getDimSize(out) != 1)
          exprs.push_back(getAffineConstantExpr(0, ctx));
        else
          exprs.push_back(getAffineDimExpr(out, ctx));
      }
      return exprs;
    };
    SmallVector<AffineExpr> le, re;
    if (a == 1) {
      le = {k};
    } else {
      le = batchExprs(lt, a - 2);
      le.append({getAffineDimExpr(mDim, ctx), k});
    }
    if (b == 1) {
      re = {k};
    } else {
      re = batchExprs(rt, b - 2);
      re.append({k, getAffineDimExpr(nDim, ctx)});
    }
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    emitInnerDimCheck(rewriter, loc, lhs, a - 1, rhs, b == 1 ? 0 : b - 2);
    auto sizes = getMixedSizes(rewriter, loc, *type, [&](unsigned i) -> Value {
      if (b >= 2 && i == nDim)
        return tensor::DimOp::create(rewriter, loc, rhs, b - 1);
      if (a >= 2 && i == mDim)
        return tensor::DimOp::create(rewriter, loc, lhs, a - 2);
      // A batch dim: from whichever operand has it and it is not 1.
      for (auto [v, t, rank] :
           {std::make_tuple(lhs, lt, a - 2), std::make_tuple(rhs, rt, b - 2)}) {
        int64_t j = i - (batch - rank);
        if (rank > 0 && j >= 0 && t.getDimSize(j) != 1)
          return tensor::DimOp::create(rewriter, loc, v, j);
      }
      return arith::ConstantIndexOp::create(rewriter, loc, 1);
    });
    // Batch dims known only at run time must be the result's.
    for (auto [index, v, t, rank] : {std::make_tuple(0, lhs, lt, a - 2),
                                     std::make_tuple(1, rhs, rt, b - 2)})
      for (int64_t j = 0; j < rank; ++j)
        if (t.isDynamicDim(j))
          emitDimsEqualCheck(rewriter, loc,
                             tensor::DimOp::create(rewriter, loc, v, j),
                             getValueOrCreateConstantIndexOp(
                                 rewriter, loc, sizes[batch - rank + j]),
                             "batch dim " + std::to_string(j) +
                                 " is {0} at run time, but the result's is {1}",
                             index);
    Value result = buildContraction(rewriter, loc, *type, sizes, lhs, rhs,
                                    AffineMap::get(loops, 0, le, ctx),
                                    AffineMap::get(loops, 0, re, ctx));
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GemmPattern : OpConversionPattern<g::GemmOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::GemmOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getRankedResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    Value a = adaptor.getA(), b = adaptor.getB();
    emitInnerDimCheck(rewriter, loc, a, op.getTransA() ? 0 : 1, b,
                      op.getTransB() ? 1 : 0);
    auto sizes = getGemmSizes(rewriter, loc, *type, a, b, op.getTransA(),
                              op.getTransB());
    Value product = buildContraction(
        rewriter, loc, *type, sizes, a, b,
        AffineMap::get(3, 0,
                       op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                      : ArrayRef<AffineExpr>{m, k},
                       ctx),
        AffineMap::get(3, 0,
                       op.getTransB() ? ArrayRef<AffineExpr>{n, k}
                                      : ArrayRef<AffineExpr>{k, n},
                       ctx));
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    if (alpha == 1 && !adaptor.getC()) {
      rewriter.replaceOp(op, product);
      return success();
    }
    SmallVector<Value> operands = {product};
    if (adaptor.getC())
      operands.push_back(adaptor.getC());
    FailureOr<Value> result = buildElementwise(
        rewriter, loc, *type, operands,
        [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          Type t = args[0].getType();
          bool isFloat = isa<FloatType>(t);
          auto mul = [&](Value x, double s) -> Value {
            if (s == 1)
              return x;
            Value c = scalarConstant(nb, nl, t, s);
            return isFloat ? Value(arith::MulFOp::create(nb, nl, x, c))
                           : Value(arith::MulIOp::create(nb, nl, x, c));
          };
          Value y = mul(args[0], alpha);
          if (args.size() < 2)
            return y;
          Value c = mul(args[1], beta);
          return isFloat ? Value(arith::AddFOp::create(nb, nl, y, c))
                         : Value(arith::AddIOp::create(nb, nl, y, c));
        });
    if (failed(result))
      return failure();
    rewriter.replaceOp(op, *result);
    return success();
  }
};

} // namespace

void populateContractionPatterns(GraphTypeConverter &converter,
                                 RewritePatternSet &patterns) {
  patterns.add<MatMulPattern, GemmPattern>(converter, patterns.getContext());
}

} // namespace loom::lowering
