//===- InferShapes.cpp - Refine the result types of graph ops -------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Captures.h"
#include "dialects/graph/IR/GraphOps.h"
#include "dialects/graph/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom::graph {
#define GEN_PASS_DEF_GRAPHINFERSHAPESPASS
#include "dialects/graph/Transforms/Passes.h.inc"
} // namespace loom::graph

using namespace mlir;
using namespace loom::graph;

namespace {

/// The types `op`'s results may be refined to, or an empty list.
SmallVector<Type> inferResultTypes(Operation *op) {
  SmallVector<Type> types;
  if (auto infer = dyn_cast<InferTypeOpInterface>(op)) {
    // Invalid IR is the verifier's to report; here it just refines nothing.
    ScopedDiagnosticHandler quiet(op->getContext(),
                                  [](Diagnostic &) { return success(); });
    if (failed(infer.inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), types)))
      types.clear();
    return types;
  }
  auto yields = [](Region &region) {
    return cast<YieldOp>(region.front().getTerminator()).getValues();
  };
  if (auto ifOp = dyn_cast<IfOp>(op)) {
    for (auto [a, b] : llvm::zip_equal(yields(ifOp.getThenBranch()),
                                       yields(ifOp.getElseBranch())))
      types.push_back(joinTypes(a.getType(), b.getType()));
    return types;
  }
  // Loops: carried values keep their types; scan outputs stack the slices.
  auto stack = [](Type slice, int64_t axis, int64_t size) -> Type {
    auto ranked = dyn_cast<RankedTensorType>(slice);
    if (!ranked)
      return slice;
    SmallVector<int64_t> dims(ranked.getShape());
    dims.insert(dims.begin() + axis, size);
    return RankedTensorType::get(dims, ranked.getElementType());
  };
  if (auto loop = dyn_cast<LoopOp>(op)) {
    size_t carried = loop.getInitial().size();
    llvm::append_range(types,
                       TypeRange(loop.getResultTypes()).take_front(carried));
    for (Value slice : yields(loop.getBody()).drop_front(1 + carried))
      types.push_back(stack(slice.getType(), 0, ShapedType::kDynamic));
    return types;
  }
  if (auto scan = dyn_cast<ScanOp>(op)) {
    size_t states = scan.getInitialStates().size();
    llvm::append_range(types,
                       TypeRange(scan.getResultTypes()).take_front(states));
    int64_t trips = ShapedType::kDynamic;
    for (auto [input, axis] :
         llvm::zip_equal(scan.getScanInputs(), scan.getScanInputAxes()))
      if (auto type = dyn_cast<RankedTensorType>(input.getType()))
        if (!type.isDynamicDim(axis))
          trips = type.getDimSize(axis);
    for (auto [slice, axis] :
         llvm::zip_equal(yields(scan.getBody()).drop_front(states),
                         scan.getScanOutputAxes()))
      types.push_back(stack(slice.getType(), axis, trips));
  }
  return types;
}

/// Refines every graph op's results, producers first; whether any changed.
bool refineAll(Operation *root) {
  bool changed = false;
  root->walk([&](Operation *op, const WalkStage &stage) {
    if (op == root || !isa_and_nonnull<GraphDialect>(op->getDialect()))
      return;
    if (stage.isBeforeAllRegions())
      syncCaptureArgs(op);
    if (!stage.isAfterAllRegions())
      return;
    SmallVector<Type> inferred = inferResultTypes(op);
    if (inferred.size() != op->getNumResults())
      return;
    for (auto [result, type] : llvm::zip_equal(op->getResults(), inferred)) {
      Type meet = type ? meetTypes(result.getType(), type) : Type();
      if (meet && meet != result.getType()) {
        result.setType(meet);
        changed = true;
      }
    }
  });
  return changed;
}

/// Function results follow the values returned.
void updateSignatures(Operation *root) {
  auto update = [](func::FuncOp func) {
    if (func.isExternal())
      return;
    auto ret = dyn_cast<func::ReturnOp>(func.getBody().back().getTerminator());
    if (!ret)
      return;
    func.setFunctionType(FunctionType::get(
        func.getContext(), func.getArgumentTypes(), ret.getOperandTypes()));
  };
  if (auto func = dyn_cast<func::FuncOp>(root))
    update(func);
  else
    root->walk(update);
}

struct GraphInferShapesPass
    : public loom::graph::impl::GraphInferShapesPassBase<GraphInferShapesPass> {
  using GraphInferShapesPassBase::GraphInferShapesPassBase;

  LogicalResult initialize(MLIRContext *context) override {
    RewritePatternSet set(context);
    populateGraphCanonicalizationPatterns(set, context);
    patterns = FrozenRewritePatternSet(std::move(set));
    return success();
  }

  void runOnOperation() override {
    Operation *root = getOperation();
    bool changed = false;
    for (int64_t round = 0; round < maxIterations; ++round) {
      SmallVector<Operation *> graphOps;
      root->walk([&](Operation *op) {
        if (op != root && isa_and_nonnull<GraphDialect>(op->getDialect()))
          graphOps.push_back(op);
      });
      bool folded = false;
      GreedyRewriteConfig config;
      config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
      (void)applyOpPatternsGreedily(graphOps, patterns, config, &folded);
      bool refined = refineAll(root);
      changed |= folded || refined;
      if (!folded && !refined)
        break;
    }
    if (!changed)
      return markAllAnalysesPreserved();
    updateSignatures(root);
  }

  FrozenRewritePatternSet patterns;
};
} // namespace
