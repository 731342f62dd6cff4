//===- Gathers.cpp - Run-time slices, transposed convolution, einsum ------===//
//
// Part of Loom. Ops whose operands choose, at run time, which input
// elements each result element reads: each result element is computed from
// its index with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

Value ci64(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, v, 64);
}
Value asI64(OpBuilder &b, Location loc, Value v) {
  if (v.getType().isIndex())
    return arith::IndexCastOp::create(b, loc, b.getI64Type(), v);
  if (v.getType().isInteger(64))
    return v;
  return arith::ExtSIOp::create(b, loc, b.getI64Type(), v);
}

/// Slice with run-time starts/ends/axes/steps into a statically shaped
/// result: result[j] = input[start_d + j_d * step_d] along every dim.
struct DynamicSlicePattern : OpConversionPattern<g::DynamicSliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::DynamicSliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    auto inputType = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto listType = dyn_cast<RankedTensorType>(adaptor.getStarts().getType());
    if (failed(type) || !inputType || !inputType.hasStaticShape() ||
        !listType || !listType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    int64_t rank = type->getRank(), count = listType.getDimSize(0);
    Value x = adaptor.getInput();
    // Per dim, the start and step, resolved once outside the loops.
    SmallVector<Value> starts, steps;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = inputType.getDimSize(d);
      Value start = ci64(rewriter, loc, 0), step = ci64(rewriter, loc, 1);
      Value end = ci64(rewriter, loc, INT64_MAX);
      for (int64_t k = 0; k < count; ++k) {
        auto read = [&](Value list) {
          return asI64(rewriter, loc,
                       tensor::ExtractOp::create(
                           rewriter, loc, list,
                           ValueRange{constantIndex(rewriter, loc, k)}));
        };
        Value axis = read(adaptor.getAxes());
        Value neg =
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt,
                                  axis, ci64(rewriter, loc, 0));
        axis = arith::SelectOp::create(
            rewriter, loc, neg,
            arith::AddIOp::create(rewriter, loc, axis,
                                  ci64(rewriter, loc, rank)),
            axis);
        Value here =
            arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq, axis,
                                  ci64(rewriter, loc, d));
        start = arith::SelectOp::create(rewriter, loc, here,
                                        read(adaptor.getStarts()), start);
        step = arith::SelectOp::create(rewriter, loc, here,
                                       read(adaptor.getSteps()), step);
        end = arith::SelectOp::create(rewriter, loc, here,
                                      read(adaptor.getEnds()), end);
      }
      // ONNX: negative starts count from the end; then clamp to [0, size]
      // (positive steps) or [0, size - 1] (negative ones).
      Value negStart =
          arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt, start,
                                ci64(rewriter, loc, 0));
      start = arith::SelectOp::create(
          rewriter, loc, negStart,
          arith::AddIOp::create(rewriter, loc, start,
                                ci64(rewriter, loc, size)),
          start);
      Value negStep =
          arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt, step,
                                ci64(rewriter, loc, 0));
      Value hi = arith::SelectOp::create(rewriter, loc, negStep,
                                         ci64(rewriter, loc, size - 1),
                                         ci64(rewriter, loc, size));
      start =
          arith::MaxSIOp::create(rewriter, loc, start, ci64(rewriter, loc, 0));
      start = arith::MinSIOp::create(rewriter, loc, start, hi);
      // The run-time length of the slice must be the compiled one, or the
      // reads leave the input: ends clamp to [0, size] (positive steps) or
      // [-1, size - 1] (negative ones); a step of 0 is an error.
      Value zero = ci64(rewriter, loc, 0), one = ci64(rewriter, loc, 1);
      Value sizeValue = ci64(rewriter, loc, size);
      Value stepOk = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::ne, step, zero);
      emitCheck(rewriter, loc, stepOk, "value",
                "the step of dim " + std::to_string(d) + " is 0", {}, 4);
      Value negEnd = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::slt, end, zero);
      // end + size for a negative end (it cannot overflow: end < 0).
      end = arith::SelectOp::create(
          rewriter, loc, negEnd,
          arith::AddIOp::create(rewriter, loc, end, sizeValue), end);
      Value endLo = arith::SelectOp::create(rewriter, loc, negStep,
                                            ci64(rewriter, loc, -1), zero);
      Value endHi = arith::SelectOp::create(
          rewriter, loc, negStep, ci64(rewriter, loc, size - 1), sizeValue);
      end = arith::MaxSIOp::create(rewriter, loc, end, endLo);
      end = arith::MinSIOp::create(rewriter, loc, end, endHi);
      Value safeStep =
          arith::SelectOp::create(rewriter, loc, stepOk, step, one);
      Value span = arith::SubIOp::create(rewriter, loc, end, start);
      Value length = arith::CeilDivSIOp::create(rewriter, loc, span, safeStep);
      length = arith::MaxSIOp::create(rewriter, loc, length, zero);
      Value compiled = ci64(rewriter, loc, type->getDimSize(d));
      emitCheck(rewriter, loc,
                arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::eq,
                                      length, compiled),
                "shape",
                "the slice of dim " + std::to_string(d) +
                    " takes {0} elements at run time, but the output was "
                    "compiled for {1}",
                {length, compiled}, 1);
      starts.push_back(start);
      steps.push_back(safeStep);
    }
    Value result = buildFromIndices(
        rewriter, loc, *type,
        getAsIndexOpFoldResult(getContext(), type->getShape()),
        [&](OpBuilder &b, Location l, ValueRange idx) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < rank; ++d) {
            Value j = asI64(b, l, idx[d]);
            Value i = arith::AddIOp::create(
                b, l, starts[d], arith::MulIOp::create(b, l, j, steps[d]));
            at.push_back(arith::IndexCastOp::create(b, l, b.getIndexType(), i));
          }
          return tensor::ExtractOp::create(b, l, x, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// out[n, m, o] = bias[m] + sum over the group's c and the kernel k of
/// x[n, c, i] * w[c, m, k], where o = i * stride - pad + k * dilation.
struct ConvTransposePattern : OpConversionPattern<g::ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    auto xt = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
    auto wt = dyn_cast<RankedTensorType>(adaptor.getWeight().getType());
    if (failed(type) || !xt || !xt.hasStaticShape() || !wt ||
        !wt.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "needs static shapes");
    Location loc = op.getLoc();
    MLIRContext *ctx = getContext();
    int64_t s = type->getRank() - 2, groups = op.getGroup();
    int64_t cg = xt.getDimSize(1) / groups, mg = wt.getDimSize(1);
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      pads = op.getPads();
    Type t = type->getElementType();
    Value x = adaptor.getInput();
    auto sizes = getAsIndexOpFoldResult(ctx, type->getShape());
    Value init;
    int64_t r = type->getRank();
    if (adaptor.getBias()) {
      Value empty = createEmpty(rewriter, loc, *type, sizes);
      auto fill = linalg::GenericOp::create(
          rewriter, loc, TypeRange{*type}, ValueRange{adaptor.getBias()},
          ValueRange{empty},
          ArrayRef<AffineMap>{
              AffineMap::get(r, 0, {getAffineDimExpr(1, ctx)}, ctx),
              rewriter.getMultiDimIdentityMap(r)},
          SmallVector<utils::IteratorType>(r, utils::IteratorType::parallel),
          [](OpBuilder &b, Location l, ValueRange a) {
            linalg::YieldOp::create(b, l, a[0]);
          });
      init = fill.getResult(0);
    } else {
      init = createFilled(rewriter, loc, *type, sizes, rewriter.getZeroAttr(t));
    }
    // Loops: n, m, o... (parallel), c, k... (reduction). A [Cg, K...]
    // placeholder gives the reduction loops their bounds; the weight and the
    // input are read at computed indices.
    unsigned loops = 3 + 2 * s;
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<int64_t> windowShape = {cg};
    SmallVector<AffineExpr> windowExprs = {d(2 + s)};
    for (int64_t i = 0; i < s; ++i) {
      windowShape.push_back(wt.getDimSize(2 + i));
      windowExprs.push_back(d(3 + s + i));
    }
    Value window = tensor::EmptyOp::create(rewriter, loc, windowShape, t);
    Value weight = adaptor.getWeight();
    SmallVector<utils::IteratorType> iterators(2 + s,
                                               utils::IteratorType::parallel);
    iterators.append(1 + s, utils::IteratorType::reduction);
    AffineMap outMap =
        AffineMap::getMultiDimIdentityMap(loops, ctx).getMajorSubMap(r);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, ValueRange{window}, ValueRange{init},
        ArrayRef<AffineMap>{AffineMap::get(loops, 0, windowExprs, ctx), outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange a) {
          Value m = linalg::IndexOp::create(b, l, 1);
          Value c = linalg::IndexOp::create(b, l, 2 + s);
          Value channel = arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(
                  b, l,
                  arith::DivUIOp::create(b, l, m, constantIndex(b, l, mg)),
                  constantIndex(b, l, cg)),
              c);
          SmallVector<Value> at = {linalg::IndexOp::create(b, l, 0), channel};
          Value valid = arith::ConstantIntOp::create(b, l, 1, 1);
          for (int64_t i = 0; i < s; ++i) {
            Value o = asI64(b, l, linalg::IndexOp::create(b, l, 2 + i));
            Value k = asI64(b, l, linalg::IndexOp::create(b, l, 3 + s + i));
            // i * stride = o + pad - k * dilation
            Value num = arith::SubIOp::create(
                b, l, arith::AddIOp::create(b, l, o, ci64(b, l, pads[i])),
                arith::MulIOp::create(b, l, k, ci64(b, l, dilations[i])));
            Value rem =
                arith::RemSIOp::create(b, l, num, ci64(b, l, strides[i]));
            Value q = arith::DivSIOp::create(b, l, num, ci64(b, l, strides[i]));
            Value ok = arith::AndIOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, rem,
                                      ci64(b, l, 0)),
                arith::AndIOp::create(
                    b, l,
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, num,
                                          ci64(b, l, 0)),
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, q,
                                          ci64(b, l, xt.getDimSize(2 + i)))));
            valid = arith::AndIOp::create(b, l, valid, ok);
            q = arith::SelectOp::create(b, l, ok, q, ci64(b, l, 0));
            at.push_back(arith::IndexCastOp::create(b, l, b.getIndexType(), q));
          }
          SmallVector<Value> wAt = {
              channel,
              arith::RemUIOp::create(b, l, m, constantIndex(b, l, mg))};
          for (int64_t i = 0; i < s; ++i)
            wAt.push_back(linalg::IndexOp::create(b, l, 3 + s + i));
          Value wv = tensor::ExtractOp::create(b, l, weight, wAt);
          Value v = tensor::ExtractOp::create(b, l, x, at);
          Value p = arith::MulFOp::create(b, l, v, wv);
          p = arith::SelectOp::create(b, l, valid, p,
                                      scalarConstant(b, l, t, 0));
          linalg::YieldOp::create(b, l,
                                  Value(arith::AddFOp::create(b, l, a[1], p)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Einsum as one linalg.generic: output letters are parallel loops, the
/// others reductions; "..." stands for the dims an input has beyond its
/// letters (aligned right, equal in number across inputs).
struct EinsumPattern : OpConversionPattern<g::EinsumOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::EinsumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    FailureOr<RankedTensorType> type =
        getStaticResultType(rewriter, *getTypeConverter(), op);
    if (failed(type))
      return failure();
    Location loc = op.getLoc();
    std::string spec = op.getEquation().str();
    llvm::erase(spec, ' ');
    auto [lhs, rhs] = StringRef(spec).split("->");
    bool explicitOutput = StringRef(spec).contains("->");
    SmallVector<StringRef> terms;
    lhs.split(terms, ',');
    ValueRange inputs = adaptor.getInputs();
    if (terms.size() != inputs.size())
      return failure();
    // Replace "..." with upper-case letters for the broadcast dims.
    int64_t ellipsisDims = 0;
    SmallVector<std::string> expanded;
    for (auto [term, input] : llvm::zip(terms, inputs)) {
      auto ranked = dyn_cast<RankedTensorType>(input.getType());
      if (!ranked)
        return failure();
      std::string text = term.str();
      size_t at = text.find("...");
      if (at != std::string::npos) {
        int64_t extra = ranked.getRank() - (int64_t)(text.size() - 3);
        ellipsisDims = std::max(ellipsisDims, extra);
        std::string letters;
        for (int64_t i = 0; i < extra; ++i)
          letters += static_cast<char>('A' + (ellipsisDims - extra) + i);
        text.replace(at, 3, letters);
      }
      expanded.push_back(text);
    }
    std::string output;
    if (explicitOutput) {
      output = rhs.str();
    } else {
      output = "...";
      std::map<char, int> uses;
      for (const std::string &e : expanded)
        for (char c : e)
          ++uses[c];
      for (auto [c, n] : uses)
        if (n == 1 && llvm::isLower(c))
          output += c;
    }
    std::string ellipsis;
    for (int64_t i = 0; i < ellipsisDims; ++i)
      ellipsis += static_cast<char>('A' + i);
    if (size_t at = output.find("..."); at != std::string::npos)
      output.replace(at, 3, ellipsis);
    // Loop order: output letters, then the rest.
    std::string loops = output;
    for (const std::string &e : expanded)
      for (char c : e)
        if (loops.find(c) == std::string::npos)
          loops += c;
    if ((int64_t)output.size() != type->getRank())
      return rewriter.notifyMatchFailure(op, "output does not match the type");
    MLIRContext *ctx = getContext();
    auto mapOf = [&](StringRef letters) {
      SmallVector<AffineExpr> exprs;
      for (char c : letters)
        exprs.push_back(getAffineDimExpr(loops.find(c), ctx));
      return AffineMap::get(loops.size(), 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps;
    for (const std::string &e : expanded)
      maps.push_back(mapOf(e));
    maps.push_back(mapOf(output));
    SmallVector<utils::IteratorType> iterators;
    for (size_t i = 0; i < loops.size(); ++i)
      iterators.push_back(i < output.size() ? utils::IteratorType::parallel
                                            : utils::IteratorType::reduction);
    Type t = type->getElementType();
    Value init = createFilled(rewriter, loc, *type,
                              getAsIndexOpFoldResult(ctx, type->getShape()),
                              rewriter.getZeroAttr(t));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{*type}, inputs, ValueRange{init}, maps,
        iterators, [&](OpBuilder &b, Location l, ValueRange a) {
          bool isFloat = isa<FloatType>(t);
          Value p = a[0];
          for (Value v : a.drop_front().drop_back())
            p = isFloat ? Value(arith::MulFOp::create(b, l, p, v))
                        : Value(arith::MulIOp::create(b, l, p, v));
          Value sum = isFloat ? Value(arith::AddFOp::create(b, l, a.back(), p))
                              : Value(arith::AddIOp::create(b, l, a.back(), p));
          linalg::YieldOp::create(b, l, sum);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void populateGatherPatterns(GraphTypeConverter &converter,
                            RewritePatternSet &patterns) {
  patterns.add<DynamicSlicePattern, ConvTransposePattern, EinsumPattern>(
      converter, patterns.getContext());
}

} // namespace loom::lowering
