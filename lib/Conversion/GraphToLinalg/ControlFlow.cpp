//===- ControlFlow.cpp - graph.if, loop and scan to scf -------------------===//
//
// Part of Loom. The host side of the DyCL split: ONNX's control flow becomes
// structured control flow on tensors, reading each predicate once per
// decision. Region bodies are moved, not cloned; their block arguments (the
// loop state, then the captures) are replaced by the values that feed them.
// A loop body is wrapped in an `scf.execute_region` so that its graph.yield
// turns into an scf.yield like a branch's does; canonicalization inlines it.
//
// Scan outputs of Loop (whose trip count may be unknown until it ends) are
// stacked along a leading dim into a buffer that doubles when full, then
// trimmed. Scan knows its trip count, so its outputs are written in place;
// then they are moved to their axis and reversed as asked.
//
//===----------------------------------------------------------------------===//

#include "Lowering.h"
#include "loom/Support/Refusal.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::lowering {
namespace {

/// The one element of a condition tensor, as an i1.
Value readScalar(OpBuilder &b, Location loc, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  SmallVector<Value> zeros(type.getRank(), constantIndex(b, loc, 0));
  return tensor::ExtractOp::create(b, loc, tensor, zeros);
}

/// A rank-0 tensor holding `scalar`.
Value toTensor(OpBuilder &b, Location loc, Value scalar) {
  return tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({}, scalar.getType()), scalar);
}

/// `value` as `type` (which it refines or is refined by).
Value castTo(OpBuilder &b, Location loc, Value value, Type type) {
  if (value.getType() == type)
    return value;
  return tensor::CastOp::create(b, loc, type, value);
}

/// Converted, ranked types for `types`; fails (with an error on `op`) when
/// one has no rank, which compiled control flow needs to carry it.
FailureOr<SmallVector<Type>> convertRanked(Operation *op,
                                           const TypeConverter &converter,
                                           TypeRange types, StringRef what) {
  SmallVector<Type> converted;
  for (auto [index, type] : llvm::enumerate(types)) {
    auto ranked = dyn_cast<RankedTensorType>(converter.convertType(type));
    if (!ranked)
      return loom::emitOpRefusal(op)
             << what << " #" << index << " has type " << type
             << ": compiled control flow carries ranked "
                "tensors only";
    converted.push_back(ranked);
  }
  return converted;
}

/// Moves `region`'s only block to the end of `dest`, its arguments replaced
/// by `args`.
void inlineInto(ConversionPatternRewriter &rewriter, Region &region,
                Block *dest, ValueRange args) {
  rewriter.inlineBlockBefore(&region.front(), dest, dest->end(), args);
}

/// The converted types of what `body` (ending in graph.yield) yields.
FailureOr<SmallVector<Type>>
getYieldTypes(Operation *op, const TypeConverter &converter, Region &body) {
  auto yield = cast<g::YieldOp>(body.front().getTerminator());
  return convertRanked(op, converter, yield.getValues().getTypes(),
                       "body value");
}

/// The converted result types of a loop-like op and the types its body
/// yields; fails with an error on `op` when one has no rank.
struct LoopTypes {
  SmallVector<Type> results, body;
};
FailureOr<LoopTypes> getLoopTypes(Operation *op, const TypeConverter &converter,
                                  Region &body) {
  FailureOr<SmallVector<Type>> results =
      convertRanked(op, converter, op->getResultTypes(), "result");
  if (failed(results))
    return failure();
  FailureOr<SmallVector<Type>> yields = getYieldTypes(op, converter, body);
  if (failed(yields))
    return failure();
  return LoopTypes{std::move(*results), std::move(*yields)};
}

/// Runs `body` in an scf.execute_region yielding `types` at the builder's
/// point, and returns what it yields.
ValueRange runBody(ConversionPatternRewriter &rewriter, Location loc,
                   Region &body, TypeRange types, ValueRange args) {
  auto exec = scf::ExecuteRegionOp::create(rewriter, loc, types);
  Block *block = rewriter.createBlock(&exec.getRegion());
  inlineInto(rewriter, body, block, args);
  rewriter.setInsertionPointAfter(exec);
  return exec.getResults();
}

//===----------------------------------------------------------------------===//
// Stacking slices
//===----------------------------------------------------------------------===//

/// The type of a stack of `slice`s along a new leading dim of unknown size.
RankedTensorType stackType(Type slice) {
  auto type = cast<RankedTensorType>(slice);
  SmallVector<int64_t> dims = {ShapedType::kDynamic};
  llvm::append_range(dims, type.getShape());
  return RankedTensorType::get(dims, type.getElementType());
}

/// A placeholder for an empty stack, replaced on the first push (which
/// learns the slices' dynamic dims): room for one slice, dynamic dims 1.
/// (Sizes of 0 would let canonicalization prove the slices it copies out
/// of bounds.)
Value emptyStack(OpBuilder &b, Location loc, RankedTensorType type) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t dim : type.getShape())
    sizes.push_back(b.getIndexAttr(ShapedType::isDynamic(dim) ? 1 : dim));
  return castTo(b, loc, createEmpty(b, loc, type, sizes), type);
}

/// The sizes of `count` slices shaped like `like`'s dims 1.. (or, with
/// `fromSlice`, like `like` itself).
SmallVector<OpFoldResult> stackSizes(OpBuilder &b, Location loc, Value like,
                                     OpFoldResult count, bool fromSlice) {
  auto type = cast<RankedTensorType>(like.getType());
  SmallVector<OpFoldResult> sizes = {count};
  for (int64_t d = fromSlice ? 0 : 1; d < type.getRank(); ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, like, d));
  return sizes;
}

/// Writes `slice` at position `count` of `stack` (holding `count` slices),
/// first moving them into a buffer twice as large when it is full, or into
/// a first real buffer on the first push.
Value pushSlice(OpBuilder &b, Location loc, Value stack, Value slice,
                Value count) {
  auto type = cast<RankedTensorType>(stack.getType());
  Value capacity = tensor::DimOp::create(b, loc, stack, 0);
  Value full = arith::OrIOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, count, capacity),
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, count,
                            constantIndex(b, loc, 0)));
  auto grow = scf::IfOp::create(
      b, loc, full,
      [&](OpBuilder &tb, Location tl) {
        Value doubled =
            arith::MulIOp::create(tb, tl, capacity, constantIndex(tb, tl, 2));
        Value newCapacity =
            arith::MaxUIOp::create(tb, tl, doubled, constantIndex(tb, tl, 4));
        Value bigger = createEmpty(
            tb, tl, type, stackSizes(tb, tl, slice, newCapacity, true));
        SmallVector<OpFoldResult> zeros(type.getRank(), tb.getIndexAttr(0));
        SmallVector<OpFoldResult> ones(type.getRank(), tb.getIndexAttr(1));
        SmallVector<OpFoldResult> held = stackSizes(tb, tl, slice, count, true);
        Value old =
            tensor::ExtractSliceOp::create(tb, tl, stack, zeros, held, ones);
        Value moved = tensor::InsertSliceOp::create(tb, tl, old, bigger, zeros,
                                                    held, ones);
        scf::YieldOp::create(tb, tl, castTo(tb, tl, moved, type));
      },
      [&](OpBuilder &eb, Location el) { scf::YieldOp::create(eb, el, stack); });
  SmallVector<OpFoldResult> offsets(type.getRank(), b.getIndexAttr(0));
  offsets[0] = count;
  SmallVector<OpFoldResult> ones(type.getRank(), b.getIndexAttr(1));
  return tensor::InsertSliceOp::create(
      b, loc, slice, grow.getResult(0), offsets,
      stackSizes(b, loc, slice, b.getIndexAttr(1), true), ones);
}

/// The first `count` slices of `stack`, reversed when asked and with the
/// stacking dim moved to `axis`, as `resultType`.
Value finishStack(OpBuilder &b, Location loc, Value stack, Value count,
                  int64_t axis, bool reverse, Type resultType) {
  auto type = cast<RankedTensorType>(stack.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> zeros(rank, b.getIndexAttr(0));
  SmallVector<OpFoldResult> ones(rank, b.getIndexAttr(1));
  Value result = tensor::ExtractSliceOp::create(
      b, loc, stack, zeros, stackSizes(b, loc, stack, count, false), ones);
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < rank; ++d)
    sizes.push_back(tensor::getMixedSize(b, loc, result, d));
  if (reverse) {
    Value last = arith::SubIOp::create(b, loc, count, constantIndex(b, loc, 1));
    Value source = result;
    result = buildFromIndices(
        b, loc, type, sizes,
        [&](OpBuilder &nb, Location nl, ValueRange indices) -> Value {
          SmallVector<Value> at(indices);
          at[0] = arith::SubIOp::create(nb, nl, last, indices[0]);
          return tensor::ExtractOp::create(nb, nl, source, at);
        });
  }
  if (axis != 0) {
    SmallVector<int64_t> perm;
    for (int64_t d = 1; d <= axis; ++d)
      perm.push_back(d);
    perm.push_back(0);
    for (int64_t d = axis + 1; d < rank; ++d)
      perm.push_back(d);
    SmallVector<OpFoldResult> permuted;
    for (int64_t d : perm)
      permuted.push_back(sizes[d]);
    Value init =
        tensor::EmptyOp::create(b, loc, permuted, type.getElementType());
    result = linalg::TransposeOp::create(b, loc, result, init, perm)
                 .getResult()
                 .front();
  }
  return castTo(b, loc, result, resultType);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// graph.yield ends a branch or a body wrapped in scf.execute_region.
struct YieldPattern : OpConversionPattern<g::YieldOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::YieldOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Operation *parent = op->getParentOp();
    if (!isa<scf::IfOp, scf::ExecuteRegionOp>(parent))
      return rewriter.notifyMatchFailure(op, "not in lowered control flow");
    SmallVector<Value> values;
    for (auto [value, type] :
         llvm::zip(adaptor.getValues(), parent->getResultTypes()))
      values.push_back(castTo(rewriter, op.getLoc(), value, type));
    rewriter.replaceOpWithNewOp<scf::YieldOp>(op, values);
    return success();
  }
};

struct IfPattern : OpConversionPattern<g::IfOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::IfOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<RankedTensorType>(adaptor.getCondition().getType()))
      return op.emitOpError("needs a ranked condition");
    FailureOr<SmallVector<Type>> types =
        convertRanked(op, *getTypeConverter(), op.getResultTypes(), "result");
    if (failed(types))
      return failure();
    Location loc = op.getLoc();
    Value condition = readScalar(rewriter, loc, adaptor.getCondition());
    auto ifOp = scf::IfOp::create(rewriter, loc, *types, condition,
                                  /*addThenBlock=*/false,
                                  /*addElseBlock=*/false);
    for (auto [from, to] :
         {std::make_pair(&op.getThenBranch(), &ifOp.getThenRegion()),
          std::make_pair(&op.getElseBranch(), &ifOp.getElseRegion())}) {
      Block *block = rewriter.createBlock(to);
      inlineInto(rewriter, *from, block, adaptor.getCaptures());
    }
    rewriter.replaceOp(op, ifOp.getResults());
    return success();
  }
};

/// ONNX Loop as scf.while over (iteration, condition, carried..., stacks...).
struct LoopPattern : OpConversionPattern<g::LoopOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::LoopOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    size_t carried = op.getInitial().size();
    FailureOr<LoopTypes> types =
        getLoopTypes(op, *getTypeConverter(), op.getBody());
    if (failed(types))
      return failure();
    ArrayRef<Type> resultTypes = types->results;
    ArrayRef<Type> bodyTypes = types->body;
    ArrayRef<Type> sliceTypes = bodyTypes.drop_front(1 + carried);

    Type i64 = rewriter.getI64Type(), i1 = rewriter.getI1Type();
    Value maxTrip =
        adaptor.getMaxTripCount()
            ? readScalar(rewriter, loc, adaptor.getMaxTripCount())
            : Value(arith::ConstantIntOp::create(
                  rewriter, loc, i64, std::numeric_limits<int64_t>::max()));
    bool hasCondition = static_cast<bool>(adaptor.getCondition());
    Value always = arith::ConstantIntOp::create(rewriter, loc, i1, 1);
    SmallVector<Value> inits = {
        arith::ConstantIntOp::create(rewriter, loc, i64, 0),
        hasCondition ? readScalar(rewriter, loc, adaptor.getCondition())
                     : always};
    for (auto [value, type] : llvm::zip(adaptor.getInitial(), resultTypes))
      inits.push_back(castTo(rewriter, loc, value, type));
    for (Type slice : sliceTypes)
      inits.push_back(emptyStack(rewriter, loc, stackType(slice)));
    SmallVector<Type> iterTypes = llvm::to_vector(ValueRange(inits).getTypes());
    SmallVector<Location> locs(iterTypes.size(), loc);

    auto loop = scf::WhileOp::create(rewriter, loc, iterTypes, inits);
    Block *before =
        rewriter.createBlock(&loop.getBefore(), {}, iterTypes, locs);
    Value below =
        arith::CmpIOp::create(rewriter, loc, arith::CmpIPredicate::slt,
                              before->getArgument(0), maxTrip);
    Value go =
        arith::AndIOp::create(rewriter, loc, below, before->getArgument(1));
    scf::ConditionOp::create(rewriter, loc, go, before->getArguments());

    Block *after = rewriter.createBlock(&loop.getAfter(), {}, iterTypes, locs);
    ValueRange state = after->getArguments();
    SmallVector<Value> args = {toTensor(rewriter, loc, state[0]),
                               toTensor(rewriter, loc, state[1])};
    llvm::append_range(args, state.slice(2, carried));
    llvm::append_range(args, adaptor.getCaptures());
    ValueRange yielded = runBody(rewriter, loc, op.getBody(), bodyTypes, args);
    Value iteration = state[0];
    SmallVector<Value> next = {
        arith::AddIOp::create(
            rewriter, loc, iteration,
            arith::ConstantIntOp::create(rewriter, loc, i64, 1)),
        hasCondition ? readScalar(rewriter, loc, yielded[0]) : always};
    for (auto [value, type] : llvm::zip(yielded.slice(1, carried), resultTypes))
      next.push_back(castTo(rewriter, loc, value, type));
    Value count = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getIndexType(), iteration);
    for (auto [stack, slice] : llvm::zip(state.drop_front(2 + carried),
                                         yielded.drop_front(1 + carried)))
      next.push_back(pushSlice(rewriter, loc, stack, slice, count));
    scf::YieldOp::create(rewriter, loc, next);

    rewriter.setInsertionPointAfter(loop);
    SmallVector<Value> results(loop.getResults().slice(2, carried));
    Value trips = arith::IndexCastOp::create(
        rewriter, loc, rewriter.getIndexType(), loop.getResult(0));
    for (auto [stack, type] :
         llvm::zip(loop.getResults().drop_front(2 + carried),
                   resultTypes.drop_front(carried)))
      results.push_back(
          finishStack(rewriter, loc, stack, trips, 0, false, type));
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// ONNX Scan as scf.for over the scan inputs' slices.
struct ScanPattern : OpConversionPattern<g::ScanOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(g::ScanOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    size_t states = op.getInitialStates().size();
    if (adaptor.getScanInputs().empty())
      return op.emitOpError("needs at least one scan input");
    FailureOr<LoopTypes> types =
        getLoopTypes(op, *getTypeConverter(), op.getBody());
    if (failed(types))
      return failure();
    ArrayRef<Type> resultTypes = types->results;
    ArrayRef<Type> bodyTypes = types->body;
    for (Value input : adaptor.getScanInputs())
      if (!isa<RankedTensorType>(input.getType()))
        return op.emitOpError("needs ranked scan inputs");
    for (Type slice : bodyTypes.drop_front(states))
      if (!cast<RankedTensorType>(slice).hasStaticShape())
        return loom::emitOpRefusal(op)
               << "needs scan outputs of static shape, got " << slice;

    ArrayRef<int64_t> inputAxes = op.getScanInputAxes();
    ArrayRef<bool> inputReverse = op.getScanInputReverse();
    Value trips = tensor::DimOp::create(
        rewriter, loc, adaptor.getScanInputs().front(), inputAxes.front());
    SmallVector<Value> inits;
    for (auto [value, type] :
         llvm::zip(adaptor.getInitialStates(), resultTypes))
      inits.push_back(castTo(rewriter, loc, value, type));
    // The trip count is known up front: each output's slices go straight
    // into a tensor of that many. (A stack that grows would need a loop
    // whose carried type changes, which scf.for's canonicalization does
    // not allow for.)
    for (Type slice : bodyTypes.drop_front(states)) {
      auto type = cast<RankedTensorType>(slice);
      SmallVector<OpFoldResult> sizes = {OpFoldResult(trips)};
      for (int64_t dim : type.getShape())
        sizes.push_back(rewriter.getIndexAttr(dim));
      inits.push_back(createEmpty(rewriter, loc, stackType(type), sizes));
    }

    Value zero = constantIndex(rewriter, loc, 0);
    Value one = constantIndex(rewriter, loc, 1);
    auto loop = scf::ForOp::create(rewriter, loc, zero, trips, one, inits);
    rewriter.setInsertionPointToStart(loop.getBody());
    Value i = loop.getInductionVar();
    Value last = arith::SubIOp::create(rewriter, loc, trips, one);
    Value backwards = arith::SubIOp::create(rewriter, loc, last, i);
    ValueRange carried = loop.getRegionIterArgs();
    SmallVector<Value> args(carried.take_front(states));
    for (auto [input, axis, reverse] :
         llvm::zip(adaptor.getScanInputs(), inputAxes, inputReverse)) {
      auto type = cast<RankedTensorType>(input.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[axis] = reverse ? backwards : i;
      SmallVector<OpFoldResult> sizes;
      SmallVector<int64_t> sliceDims;
      for (int64_t d = 0; d < type.getRank(); ++d) {
        sizes.push_back(d == axis
                            ? rewriter.getIndexAttr(1)
                            : tensor::getMixedSize(rewriter, loc, input, d));
        if (d != axis)
          sliceDims.push_back(type.getDimSize(d));
      }
      SmallVector<OpFoldResult> ones(type.getRank(), rewriter.getIndexAttr(1));
      args.push_back(tensor::ExtractSliceOp::create(
          rewriter, loc,
          RankedTensorType::get(sliceDims, type.getElementType()), input,
          offsets, sizes, ones));
    }
    llvm::append_range(args, adaptor.getCaptures());
    ValueRange yielded = runBody(rewriter, loc, op.getBody(), bodyTypes, args);
    SmallVector<Value> next;
    for (auto [value, type] :
         llvm::zip(yielded.take_front(states), resultTypes))
      next.push_back(castTo(rewriter, loc, value, type));
    for (auto [stack, slice] :
         llvm::zip(carried.drop_front(states), yielded.drop_front(states))) {
      auto type = cast<RankedTensorType>(stack.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[0] = i;
      SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1)};
      for (int64_t dim : type.getShape().drop_front())
        sizes.push_back(rewriter.getIndexAttr(dim));
      SmallVector<OpFoldResult> ones(type.getRank(), rewriter.getIndexAttr(1));
      next.push_back(tensor::InsertSliceOp::create(rewriter, loc, slice, stack,
                                                   offsets, sizes, ones));
    }
    scf::YieldOp::create(rewriter, loc, next);

    rewriter.setInsertionPointAfter(loop);
    SmallVector<Value> results(loop.getResults().take_front(states));
    for (auto [stack, type, axis, reverse] :
         llvm::zip(loop.getResults().drop_front(states),
                   resultTypes.drop_front(states), op.getScanOutputAxes(),
                   op.getScanOutputReverse()))
      results.push_back(
          finishStack(rewriter, loc, stack, trips, axis, reverse, type));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void populateControlFlowPatterns(GraphTypeConverter &converter,
                                 RewritePatternSet &patterns) {
  patterns.add<YieldPattern, IfPattern, LoopPattern, ScanPattern>(
      converter, patterns.getContext());
}

} // namespace loom::lowering
