//===- SimplifyControlFlow.cpp - Less control flow before the split -------===//
//
// Part of Loom. Rewrites on graph.if, loop and scan that leave less work to
// the host and more in straight-line subgraphs: constant conditions, dead
// and duplicate captures, loop-invariant hoisting, sinking into the one
// branch that uses a value, and unrolling tiny constant-trip-count loops.
// The three ops share one shape: captures are their trailing operands and
// the trailing arguments of every region's entry block.
//
//===----------------------------------------------------------------------===//

#include "Captures.h"
#include "dialects/graph/IR/GraphOps.h"
#include "dialects/graph/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom::graph {
#define GEN_PASS_DEF_GRAPHSIMPLIFYCONTROLFLOWPASS
#include "dialects/graph/Transforms/Passes.h.inc"
} // namespace loom::graph

using namespace mlir;
using namespace loom::graph;

namespace {

/// `op` rebuilt with `captures` and its regions moved over; the blocks'
/// capture arguments are the caller's to fix.
Operation *rebuildWithCaptures(RewriterBase &rewriter, Operation *op,
                               ValueRange captures) {
  Location loc = op->getLoc();
  TypeRange types = op->getResultTypes();
  Operation *rebuilt;
  if (auto ifOp = dyn_cast<IfOp>(op))
    rebuilt = IfOp::create(rewriter, loc, types, ifOp.getCondition(), captures);
  else if (auto loop = dyn_cast<LoopOp>(op))
    rebuilt = LoopOp::create(rewriter, loc, types, loop.getMaxTripCount(),
                             loop.getCondition(), loop.getInitial(), captures);
  else {
    auto scan = cast<ScanOp>(op);
    rebuilt = ScanOp::create(
        rewriter, loc, types, scan.getInitialStates(), scan.getScanInputs(),
        captures, scan.getScanInputAxesAttr(), scan.getScanInputReverseAttr(),
        scan.getScanOutputAxesAttr(), scan.getScanOutputReverseAttr());
  }
  rebuilt->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  for (auto [from, to] : llvm::zip(op->getRegions(), rebuilt->getRegions()))
    to.takeBody(from);
  return rebuilt;
}

/// Drops captures no region uses, and captures of a value already captured.
template <typename OpTy>
struct DropCaptures : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    ValueRange captures = op.getCaptures();
    size_t n = captures.size();
    // A capture of a value captured earlier reads through the first one;
    // that one is used when either is.
    SmallVector<int> first(n);
    SmallVector<bool> used(n, false);
    for (auto [index, value] : llvm::enumerate(captures)) {
      first[index] = llvm::find(captures, value) - captures.begin();
      for (Region &region : op->getRegions())
        if (!getCaptureArg(op, region, index).use_empty())
          used[first[index]] = true;
    }
    SmallVector<Value> kept;
    for (size_t index = 0; index < n; ++index)
      if (first[index] == static_cast<int>(index) && used[index])
        kept.push_back(captures[index]);
    if (kept.size() == n)
      return failure();
    SmallVector<unsigned> leads;
    for (Region &region : op->getRegions()) {
      leads.push_back(region.front().getNumArguments() - n);
      for (size_t index = 0; index < n; ++index)
        if (first[index] != static_cast<int>(index))
          rewriter.replaceAllUsesWith(getCaptureArg(op, region, index),
                                      getCaptureArg(op, region, first[index]));
    }
    Operation *rebuilt = rebuildWithCaptures(rewriter, op, kept);
    for (auto [region, lead] : llvm::zip(rebuilt->getRegions(), leads)) {
      llvm::BitVector erase(region.front().getNumArguments());
      for (size_t index = 0; index < n; ++index)
        if (first[index] != static_cast<int>(index) || !used[index])
          erase.set(lead + index);
      region.front().eraseArguments(erase);
    }
    rewriter.replaceOp(op, rebuilt->getResults());
    return success();
  }
};

/// Regions read small captured integer constants (axes, shapes, indices)
/// and splats as constants of their own, so that shape inference and
/// folding see them; the capture then drops. Weights stay captured.
template <typename OpTy>
struct InlineConstantCaptures : OpRewritePattern<OpTy> {
  InlineConstantCaptures(MLIRContext *context, int64_t maxElements)
      : OpRewritePattern<OpTy>(context), maxElements(maxElements) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    bool changed = false;
    for (auto [index, value] : llvm::enumerate(op.getCaptures())) {
      auto constant = value.template getDefiningOp<ConstantOp>();
      auto dense =
          constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
      // Float vectors are weights (biases): left captured, so that blocks
      // equal up to their weights still outline to one subgraph.
      if (!dense ||
          (!dense.isSplat() && (dense.getNumElements() > maxElements ||
                                isa<FloatType>(dense.getElementType()))))
        continue;
      for (Region &region : op->getRegions()) {
        BlockArgument arg = getCaptureArg(op, region, index);
        if (arg.use_empty())
          continue;
        rewriter.setInsertionPointToStart(&region.front());
        rewriter.replaceAllUsesWith(arg,
                                    rewriter.clone(*constant)->getResult(0));
        changed = true;
      }
    }
    return success(changed);
  }
  int64_t maxElements;
};

/// A graph.if on a constant condition is the branch it takes.
struct FoldConstantIf : OpRewritePattern<IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IfOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr condition;
    if (!matchPattern(op.getCondition(), m_Constant(&condition)) ||
        condition.getNumElements() != 1)
      return failure();
    Region &taken = *condition.getValues<bool>().begin() ? op.getThenBranch()
                                                         : op.getElseBranch();
    Block &block = taken.front();
    auto yield = cast<YieldOp>(block.getTerminator());
    SmallVector<Value> values(yield.getValues());
    rewriter.inlineBlockBefore(&block, op, op.getCaptures());
    rewriter.eraseOp(yield);
    rewriter.replaceOp(op, values);
    return success();
  }
};

/// Is `op` one that may move between regions: no regions, no effects?
bool isMovable(Operation *op) {
  return op->getNumRegions() == 0 && !op->hasTrait<OpTrait::IsTerminator>() &&
         isMemoryEffectFree(op);
}

/// Moves ops of a loop body that depend only on captures and constants
/// before the loop; what the body still uses of them is captured.
template <typename OpTy>
struct HoistInvariants : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Region &body = op.getBody();
    Block &block = body.front();
    llvm::SmallPtrSet<Operation *, 8> invariant;
    auto isInvariant = [&](Value value) {
      if (auto arg = dyn_cast<BlockArgument>(value))
        return arg.getOwner() == &block &&
               arg.getArgNumber() >=
                   block.getNumArguments() - op.getCaptures().size();
      return invariant.contains(value.getDefiningOp());
    };
    SmallVector<Operation *> hoisted;
    for (Operation &inner : block.without_terminator()) {
      if (!isMovable(&inner) || !llvm::all_of(inner.getOperands(), isInvariant))
        continue;
      invariant.insert(&inner);
      hoisted.push_back(&inner);
    }
    if (llvm::all_of(hoisted,
                     [](Operation *op) { return isa<ConstantOp>(op); }))
      return failure();

    // Clone them before the loop, captures read as the values captured.
    IRMapping mapping;
    for (auto [index, value] : llvm::enumerate(op.getCaptures()))
      mapping.map(getCaptureArg(op, body, index), value);
    rewriter.setInsertionPoint(op);
    for (Operation *inner : hoisted)
      rewriter.clone(*inner, mapping);
    // Results the body still needs (outside the hoisted set) become
    // captures; constants stay in the body.
    SmallVector<Value> captures(op.getCaptures());
    SmallVector<std::pair<Value, Value>> newArgs; // (inner value, outer)
    for (Operation *inner : hoisted) {
      if (isa<ConstantOp>(inner))
        continue;
      for (Value result : inner->getResults())
        if (llvm::any_of(result.getUsers(), [&](Operation *user) {
              return !invariant.contains(user);
            })) {
          captures.push_back(mapping.lookup(result));
          newArgs.push_back({result, mapping.lookup(result)});
        }
    }
    Operation *rebuilt = rebuildWithCaptures(rewriter, op, captures);
    Block &newBlock = rebuilt->getRegion(0).front();
    for (auto [inner, outer] : newArgs) {
      BlockArgument arg = newBlock.addArgument(outer.getType(), op.getLoc());
      rewriter.replaceAllUsesWith(inner, arg);
    }
    for (Operation *inner : llvm::reverse(hoisted))
      if (inner->use_empty())
        rewriter.eraseOp(inner);
    rewriter.replaceOp(op, rebuilt->getResults());
    return success();
  }
};

/// Moves an op whose results only one branch of a graph.if reads into that
/// branch; its operands are captured instead (constants are copied).
struct SinkIntoBranch : OpRewritePattern<IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IfOp op,
                                PatternRewriter &rewriter) const override {
    for (Value capture : op.getCaptures()) {
      Operation *def = capture.getDefiningOp();
      if (!def || isa<ConstantOp>(def) || def->getBlock() != op->getBlock() ||
          !isMovable(def))
        continue;
      // Every use of its results is a capture of `op`, read in one branch.
      Region *target = nullptr;
      bool sinkable = true;
      for (OpOperand &use : def->getUses()) {
        if (use.getOwner() != op.getOperation() ||
            use.getOperandNumber() == 0) {
          sinkable = false;
          break;
        }
        unsigned index = use.getOperandNumber() - 1;
        for (Region *region : {&op.getThenBranch(), &op.getElseBranch()}) {
          if (getCaptureArg(op, *region, index).use_empty())
            continue;
          if (target && target != region)
            sinkable = false;
          target = region;
        }
      }
      if (!sinkable || !target)
        continue;

      SmallVector<Value> captures(op.getCaptures());
      SmallVector<Value> operands;
      for (Value operand : def->getOperands())
        if (!operand.getDefiningOp<ConstantOp>()) {
          captures.push_back(operand);
          operands.push_back(operand);
        }
      bool inThen = target == &op.getThenBranch();
      Operation *rebuilt = rebuildWithCaptures(rewriter, op, captures);
      auto newIf = cast<IfOp>(rebuilt);
      IRMapping mapping;
      for (Region *region : {&newIf.getThenBranch(), &newIf.getElseBranch()})
        for (Value operand : operands) {
          BlockArgument arg =
              region->front().addArgument(operand.getType(), def->getLoc());
          if (region ==
              (inThen ? &newIf.getThenBranch() : &newIf.getElseBranch()))
            mapping.map(operand, arg);
        }
      Region &into = inThen ? newIf.getThenBranch() : newIf.getElseBranch();
      rewriter.setInsertionPointToStart(&into.front());
      for (Value operand : def->getOperands())
        if (auto constant = operand.getDefiningOp<ConstantOp>())
          mapping.map(operand, rewriter.clone(*constant)->getResult(0));
      Operation *sunk = rewriter.clone(*def, mapping);
      for (OpOperand &use : def->getUses()) {
        unsigned index = use.getOperandNumber() - 1;
        rewriter.replaceAllUsesWith(
            getCaptureArg(newIf, into, index),
            sunk->getResult(cast<OpResult>(use.get()).getResultNumber()));
      }
      rewriter.replaceOp(op, rebuilt->getResults());
      return success();
    }
    return failure();
  }
};

/// Moves an op that both branches of a graph.if compute alike (same op on
/// the same captures or equal constants) before the graph.if; both branches
/// then read its results as captures. Either path computed it anyway.
struct HoistCommonFromBranches : OpRewritePattern<IfOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IfOp op,
                                PatternRewriter &rewriter) const override {
    Block &thenBlock = op.getThenBranch().front();
    Block &elseBlock = op.getElseBranch().front();
    unsigned lead = thenBlock.getNumArguments() - op.getCaptures().size();
    // The capture index `value` reads in `block`, if it is a capture.
    auto captureIndex = [&](Value value,
                            Block &block) -> std::optional<unsigned> {
      auto arg = dyn_cast<BlockArgument>(value);
      if (!arg || arg.getOwner() != &block || arg.getArgNumber() < lead)
        return std::nullopt;
      return arg.getArgNumber() - lead;
    };
    auto sameOperand = [&](Value a, Value b) {
      std::optional<unsigned> i = captureIndex(a, thenBlock);
      std::optional<unsigned> j = captureIndex(b, elseBlock);
      if (i || j)
        return success(i && j && *i == *j);
      auto ca = a.getDefiningOp<ConstantOp>();
      auto cb = b.getDefiningOp<ConstantOp>();
      return success(ca && cb && ca.getValue() == cb.getValue() &&
                     ca.getType() == cb.getType());
    };
    for (Operation &thenOp : thenBlock.without_terminator()) {
      if (!isMovable(&thenOp) || isa<ConstantOp>(thenOp))
        continue;
      Operation *match = nullptr;
      for (Operation &elseOp : elseBlock.without_terminator())
        if (OperationEquivalence::isEquivalentTo(
                &thenOp, &elseOp, sameOperand, /*markEquivalent=*/nullptr,
                OperationEquivalence::IgnoreLocations)) {
          match = &elseOp;
          break;
        }
      if (!match)
        continue;

      // Clone it before the graph.if, reading what the branches captured.
      IRMapping mapping;
      rewriter.setInsertionPoint(op);
      for (Value operand : thenOp.getOperands()) {
        if (std::optional<unsigned> i = captureIndex(operand, thenBlock))
          mapping.map(operand, op.getCaptures()[*i]);
        else
          mapping.map(operand,
                      rewriter.clone(*operand.getDefiningOp())->getResult(0));
      }
      Operation *hoisted = rewriter.clone(thenOp, mapping);
      SmallVector<Value> captures(op.getCaptures());
      llvm::append_range(captures, hoisted->getResults());
      Operation *rebuilt = rebuildWithCaptures(rewriter, op, captures);
      auto newIf = cast<IfOp>(rebuilt);
      for (auto [region, inner] :
           {std::make_pair(&newIf.getThenBranch(), &thenOp),
            std::make_pair(&newIf.getElseBranch(), match)}) {
        for (Value result : hoisted->getResults()) {
          BlockArgument arg =
              region->front().addArgument(result.getType(), op.getLoc());
          rewriter.replaceAllUsesWith(
              inner->getResult(cast<OpResult>(result).getResultNumber()), arg);
        }
        rewriter.eraseOp(inner);
      }
      rewriter.replaceOp(op, rebuilt->getResults());
      return success();
    }
    return failure();
  }
};

/// A graph.loop with a small constant trip count, no run-time condition and
/// no scan outputs, as that many copies of its body.
struct UnrollSmallLoop : OpRewritePattern<LoopOp> {
  UnrollSmallLoop(MLIRContext *context, int64_t maxTrips)
      : OpRewritePattern(context), maxTrips(maxTrips) {}
  LogicalResult matchAndRewrite(LoopOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr trips;
    if (!op.getMaxTripCount() ||
        !matchPattern(op.getMaxTripCount(), m_Constant(&trips)))
      return failure();
    int64_t count = (*trips.getValues<APInt>().begin()).getSExtValue();
    if (count < 0 || count > maxTrips ||
        op.getNumResults() != op.getInitial().size())
      return failure();
    DenseElementsAttr condition;
    if (op.getCondition() &&
        (!matchPattern(op.getCondition(), m_Constant(&condition)) ||
         !*condition.getValues<bool>().begin()))
      return failure();
    Block &body = op.getBody().front();
    auto yield = cast<YieldOp>(body.getTerminator());
    // With a condition, the body must keep it true: pass it through or
    // yield a true constant.
    if (op.getCondition()) {
      Value next = yield.getValues().front();
      DenseElementsAttr value;
      if (next != body.getArgument(1) &&
          (!matchPattern(next, m_Constant(&value)) ||
           !*value.getValues<bool>().begin()))
        return failure();
    }
    Location loc = op.getLoc();
    auto i64 = RankedTensorType::get({}, rewriter.getI64Type());
    auto i1 = RankedTensorType::get({}, rewriter.getI1Type());
    Value alwaysTrue = ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(i1, rewriter.getBoolAttr(true)));
    SmallVector<Value> carried(op.getInitial());
    for (int64_t trip = 0; trip < count; ++trip) {
      IRMapping mapping;
      mapping.map(
          body.getArgument(0),
          ConstantOp::create(
              rewriter, loc,
              DenseElementsAttr::get(i64, rewriter.getI64IntegerAttr(trip))));
      mapping.map(body.getArgument(1), alwaysTrue);
      mapping.map(body.getArguments().slice(2, carried.size()), carried);
      mapping.map(body.getArguments().drop_front(2 + carried.size()),
                  op.getCaptures());
      for (Operation &inner : body.without_terminator())
        rewriter.clone(inner, mapping);
      for (auto [index, value] :
           llvm::enumerate(yield.getValues().drop_front(1)))
        carried[index] = mapping.lookupOrDefault(value);
    }
    rewriter.replaceOp(op, carried);
    return success();
  }
  int64_t maxTrips;
};

struct GraphSimplifyControlFlowPass
    : public loom::graph::impl::GraphSimplifyControlFlowPassBase<
          GraphSimplifyControlFlowPass> {
  using GraphSimplifyControlFlowPassBase::GraphSimplifyControlFlowPassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns
        .add<DropCaptures<IfOp>, DropCaptures<LoopOp>, DropCaptures<ScanOp>,
             FoldConstantIf, HoistInvariants<LoopOp>, HoistInvariants<ScanOp>,
             SinkIntoBranch, HoistCommonFromBranches>(context);
    patterns.add<InlineConstantCaptures<IfOp>, InlineConstantCaptures<LoopOp>,
                 InlineConstantCaptures<ScanOp>>(context,
                                                 inlineConstantElements);
    if (unrollMaxTrips > 0)
      patterns.add<UnrollSmallLoop>(context, unrollMaxTrips);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Values that replaced results may be more precise; functions return
    // what they now return.
    getOperation()->walk([](func::FuncOp func) {
      if (func.isDeclaration())
        return;
      auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
      func.setFunctionType(FunctionType::get(
          func.getContext(), func.getArgumentTypes(), ret.getOperandTypes()));
    });
  }
};

} // namespace
