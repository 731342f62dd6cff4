//===- SplitSubgraphs.cpp - The DyCL split --------------------------------===//
//
// Part of Loom. Outlines every maximal run of straight-line graph ops in a
// function with control flow into a private `func.func` (a subgraph), and
// leaves the host: the control-flow ops, constants and calls. Runs are
// taken in every block, the branches and loop bodies included, and since
// those regions are isolated from above a run's inputs and outputs are plain
// SSA values. Small constants are cloned into the subgraph (so its shapes
// still fold); larger ones (weights) are passed, so subgraphs equal up to
// their weights are one function, compiled once.
//
//===----------------------------------------------------------------------===//

#include "Captures.h"
#include "dialects/graph/IR/GraphOps.h"
#include "dialects/graph/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

namespace loom::graph {
#define GEN_PASS_DEF_GRAPHSPLITPASS
#include "dialects/graph/Transforms/Passes.h.inc"
} // namespace loom::graph

using namespace mlir;
using namespace loom::graph;

namespace {

/// The node name of `loc` (ONNX's node, as the importer records it).
std::string describeLoc(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return "'" + name.getName().str() + "'";
  return "";
}

/// Where a block sits, for the subgraphs' `loom.origins`.
std::string describeBlock(Block &block) {
  Operation *parent = block.getParentOp();
  if (auto func = dyn_cast<func::FuncOp>(parent))
    return "@" + func.getSymName().str();
  std::string what = "body";
  if (auto ifOp = dyn_cast<IfOp>(parent))
    what = block.getParent() == &ifOp.getThenBranch() ? "then branch"
                                                      : "else branch";
  std::string name = describeLoc(parent->getLoc());
  return what + " of " + parent->getName().getStringRef().str() +
         (name.empty() ? "" : " " + name) + " in " +
         describeBlock(*parent->getBlock());
}

/// Is `value` a constant, or a region's capture of one?
bool isConstant(Value value) {
  if (value.getDefiningOp<ConstantOp>())
    return true;
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg)
    return false;
  ValueRange captures = getCaptures(arg.getOwner()->getParentOp());
  unsigned lead = arg.getOwner()->getNumArguments() - captures.size();
  return arg.getArgNumber() >= lead &&
         isConstant(captures[arg.getArgNumber() - lead]);
}

bool hasControlFlow(func::FuncOp func) {
  return func
      .walk([](Operation *op) {
        return isa<IfOp, LoopOp, ScanOp>(op) ? WalkResult::interrupt()
                                             : WalkResult::advance();
      })
      .wasInterrupted();
}

/// Same rank and element type (tensors), or the same type.
bool sameUpToShape(Type a, Type b) {
  auto ra = dyn_cast<RankedTensorType>(a), rb = dyn_cast<RankedTensorType>(b);
  if (!ra || !rb)
    return a == b;
  return ra.getRank() == rb.getRank() &&
         ra.getElementType() == rb.getElementType() &&
         ra.getEncoding() == rb.getEncoding();
}

/// The tensor type both fit: dims that differ become dynamic.
Type joinShapes(Type a, Type b) {
  if (a == b)
    return a;
  auto ra = cast<RankedTensorType>(a), rb = cast<RankedTensorType>(b);
  SmallVector<int64_t> dims;
  for (auto [x, y] : llvm::zip(ra.getShape(), rb.getShape()))
    dims.push_back(x == y ? x : ShapedType::kDynamic);
  return ra.clone(dims);
}

/// Whether two subgraphs are the same up to tensor dims: the same ops with
/// the same attributes on corresponding values. Fills `pairs` with the
/// corresponding values (arguments, then results in order).
bool equalUpToShapes(func::FuncOp a, func::FuncOp b,
                     SmallVectorImpl<std::pair<Value, Value>> &pairs) {
  Block &ba = a.getBody().front(), &bb = b.getBody().front();
  if (ba.getNumArguments() != bb.getNumArguments() ||
      ba.getOperations().size() != bb.getOperations().size())
    return false;
  llvm::DenseMap<Value, Value> map;
  for (auto [x, y] : llvm::zip(ba.getArguments(), bb.getArguments())) {
    if (!sameUpToShape(x.getType(), y.getType()))
      return false;
    map[x] = y;
    pairs.push_back({x, y});
  }
  for (auto [x, y] : llvm::zip(ba, bb)) {
    if (x.getName() != y.getName() || x.getNumRegions() || y.getNumRegions() ||
        x.getNumOperands() != y.getNumOperands() ||
        x.getNumResults() != y.getNumResults() ||
        x.getDiscardableAttrDictionary() != y.getDiscardableAttrDictionary() ||
        x.getPropertiesAsAttribute() != y.getPropertiesAsAttribute())
      return false;
    for (auto [u, v] : llvm::zip(x.getOperands(), y.getOperands()))
      if (map.lookup(u) != v)
        return false;
    for (auto [u, v] : llvm::zip(x.getResults(), y.getResults())) {
      if (!sameUpToShape(u.getType(), v.getType()))
        return false;
      map[u] = v;
      pairs.push_back({u, v});
    }
  }
  return true;
}

/// Whether every op of `func` lowers with dynamic dims (elementwise ops,
/// matrix products, reductions, softmax, transposes): the ones a merged,
/// shape-polymorphic subgraph may hold. Convolutions, pooling, gathers and
/// the like need static shapes on the CPU.
bool isShapePolymorphic(func::FuncOp func) {
  return llvm::all_of(func.getBody().front(), [](Operation &op) {
    return isa<func::ReturnOp, ConstantOp, AddOp, SubOp, MulOp, DivOp, MaxOp,
               MinOp, PowOp, NegOp, AbsOp, ReluOp, TanhOp, SigmoidOp, ExpOp,
               LogOp, SqrtOp, ErfOp, ReciprocalOp, CastOp, ClipOp, WhereOp,
               EqualOp, LessOp, LessEqualOp, GreaterOp, GreaterEqualOp,
               MatMulOp, GemmOp, ReduceSumOp, ReduceMeanOp, ReduceMaxOp,
               ReduceMinOp, SoftmaxOp, LogSoftmaxOp, TransposeOp>(op);
  });
}

/// A call of `callee` on `args`, casting what differs in type; returns
/// the results cast to `resultTypes`.
SmallVector<Value> castingCall(OpBuilder &b, Location loc, func::FuncOp callee,
                               ValueRange args, TypeRange resultTypes) {
  SmallVector<Value> operands;
  for (auto [arg, type] : llvm::zip(args, callee.getArgumentTypes()))
    operands.push_back(arg.getType() == type
                           ? arg
                           : tensor::CastOp::create(b, loc, type, arg));
  auto call = func::CallOp::create(b, loc, callee, operands);
  SmallVector<Value> results;
  for (auto [result, type] : llvm::zip(call.getResults(), resultTypes))
    results.push_back(result.getType() == type
                          ? Value(result)
                          : tensor::CastOp::create(b, loc, type, result));
  return results;
}

struct Splitter {
  ModuleOp module;
  SymbolTable symbols;
  int64_t maxInlineElements;
  SmallVector<func::FuncOp> subgraphs;
  llvm::StringMap<unsigned> numbered; // per host
  /// Subgraphs follow their host, in order.
  Operation *insertAfter = nullptr;

  bool mergeShapes = false;

  Splitter(ModuleOp module, int64_t maxInlineElements, bool mergeShapes)
      : module(module), symbols(module), maxInlineElements(maxInlineElements),
        mergeShapes(mergeShapes) {}

  /// Generalizes `existing` to the types it shares with `candidate` (dims
  /// that differ become dynamic) and makes its calls cast.
  void generalize(func::FuncOp existing,
                  ArrayRef<std::pair<Value, Value>> pairs) {
    for (auto [x, y] : pairs)
      x.setType(joinShapes(x.getType(), y.getType()));
    auto ret = cast<func::ReturnOp>(existing.getBody().front().getTerminator());
    FunctionType old = existing.getFunctionType();
    existing.setFunctionType(FunctionType::get(
        existing.getContext(), existing.getBody().front().getArgumentTypes(),
        ret.getOperandTypes()));
    if (old == existing.getFunctionType())
      return;
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      if (call.getCallee() == existing.getSymName())
        calls.push_back(call);
    });
    for (func::CallOp call : calls) {
      OpBuilder b(call);
      SmallVector<Value> results =
          castingCall(b, call.getLoc(), existing, call.getOperands(),
                      call.getResultTypes());
      call.replaceAllUsesWith(results);
      call.erase();
    }
  }

  /// A constant that subgraphs copy rather than take as an argument.
  bool isInlinedConstant(Value value) const {
    auto constant = value.getDefiningOp<ConstantOp>();
    if (!constant)
      return false;
    auto type = dyn_cast<ShapedType>(constant.getType());
    return type && type.hasStaticShape() &&
           type.getNumElements() <= maxInlineElements;
  }

  /// Ops a run holds: anything without regions that is not a terminator or
  /// a constant. Constants stay in place and do not end a run.
  static bool isRunOp(Operation &op) {
    return op.getNumRegions() == 0 && !op.hasTrait<OpTrait::IsTerminator>() &&
           !isa<ConstantOp>(op);
  }

  /// Moves each effect-free run op right after the last op of `block` that
  /// defines one of its operands: work that does not depend on a
  /// control-flow op's results moves before it, joining an earlier run
  /// (the same block runs either way, so no path does more work). Per-block
  /// predicates read from one tensor (BlockDrop's keep mask) thus come from
  /// one subgraph rather than one each.
  static void scheduleEarly(Block &block) {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (!isRunOp(op) || !isMemoryEffectFree(&op))
        continue;
      Operation *last = nullptr;
      for (Value operand : op.getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (def && def->getBlock() == &block &&
            (!last || last->isBeforeInBlock(def)))
          last = def;
      }
      Operation *target = last ? last->getNextNode() : &block.front();
      if (target != &op)
        op.moveBefore(target);
    }
  }

  /// Outlines the runs of `block` in order, and those of the regions of
  /// its control-flow ops as they come, so subgraphs are numbered in
  /// program order.
  void splitBlock(Block &block, StringRef prefix) {
    scheduleEarly(block);
    std::string origin = describeBlock(block);
    SmallVector<Operation *> run;
    auto flush = [&] {
      if (!run.empty())
        outline(run, prefix, origin);
      run.clear();
    };
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (isRunOp(op)) {
        run.push_back(&op);
        continue;
      }
      if (isa<ConstantOp>(op))
        continue;
      flush();
      for (Region &region : op.getRegions())
        for (Block &inner : region)
          splitBlock(inner, prefix);
    }
    flush();
  }

  /// The existing subgraph `candidate` is the same function as, or else
  /// `candidate`, named and added to the subgraphs.
  func::FuncOp dedupe(func::FuncOp candidate, StringRef prefix) {
    for (func::FuncOp existing : subgraphs)
      if (existing.getFunctionType() == candidate.getFunctionType() &&
          OperationEquivalence::isRegionEquivalentTo(
              &existing.getBody(), &candidate.getBody(),
              OperationEquivalence::IgnoreLocations)) {
        candidate.erase();
        return existing;
      }
    // Equal up to shapes: one shape-polymorphic function for both.
    if (mergeShapes && isShapePolymorphic(candidate))
      for (func::FuncOp existing : subgraphs) {
        SmallVector<std::pair<Value, Value>> pairs;
        if (!equalUpToShapes(existing, candidate, pairs))
          continue;
        generalize(existing, pairs);
        candidate.erase();
        return existing;
      }
    candidate.setSymName((prefix + "_sg" + Twine(numbered[prefix]++)).str());
    symbols.insert(candidate, std::next(Block::iterator(insertAfter)));
    insertAfter = candidate;
    subgraphs.push_back(candidate);
    return candidate;
  }

  void outline(ArrayRef<Operation *> run, StringRef prefix, StringRef origin) {
    llvm::SmallPtrSet<Operation *, 16> inRun(run.begin(), run.end());
    llvm::SetVector<Value> inputs, copied;
    SmallVector<Value> outputs;
    for (Operation *op : run) {
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        if (def && inRun.contains(def))
          continue;
        (isInlinedConstant(operand) ? copied : inputs).insert(operand);
      }
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(), [&](Operation *user) {
              return !inRun.contains(user);
            }))
          outputs.push_back(result);
    }

    // The subgraph, built detached and then compared with the others.
    MLIRContext *context = module.getContext();
    OpBuilder builder(context);
    Location loc = run.front()->getLoc();
    auto type =
        builder.getFunctionType(ValueRange(inputs.getArrayRef()).getTypes(),
                                ValueRange(outputs).getTypes());
    auto func = func::FuncOp::create(loc, prefix, type);
    func.setPrivate();
    func->setAttr("loom.subgraph", builder.getUnitAttr());
    Block *body = func.addEntryBlock();
    builder.setInsertionPointToStart(body);
    IRMapping mapping;
    mapping.map(inputs.getArrayRef(), body->getArguments());
    for (Value constant : copied)
      mapping.map(constant,
                  builder.clone(*constant.getDefiningOp())->getResult(0));
    for (Operation *op : run)
      builder.clone(*op, mapping);
    SmallVector<Value> returned;
    for (Value output : outputs)
      returned.push_back(mapping.lookup(output));
    func::ReturnOp::create(builder, loc, returned);
    func = dedupe(func, prefix);

    // Arguments every call passes a constant for hold weights: the same
    // address always holds the same values (the kernels cache on that).
    bool first = !func->hasAttr("loom.origins");
    for (auto [index, input] : llvm::enumerate(inputs)) {
      bool constant = isConstant(input);
      if (first && constant)
        func.setArgAttr(index, "loom.constant", builder.getUnitAttr());
      else if (!constant)
        func.removeArgAttr(index, "loom.constant");
    }
    SmallVector<Attribute> origins;
    if (auto old = func->getAttrOfType<ArrayAttr>("loom.origins"))
      llvm::append_range(origins, old);
    origins.push_back(builder.getStringAttr(origin));
    func->setAttr("loom.origins", builder.getArrayAttr(origins));

    // The call goes after the run's last op: every input is defined by then
    // (only constants sit between the run's ops), and no output is used
    // before it.
    builder.setInsertionPointAfter(run.back());
    SmallVector<Value> results =
        castingCall(builder, loc, func, inputs.getArrayRef(),
                    ValueRange(outputs).getTypes());
    for (auto [output, result] : llvm::zip(outputs, results))
      output.replaceUsesWithIf(result, [&](OpOperand &use) {
        return !inRun.contains(use.getOwner());
      });
    for (Operation *op : llvm::reverse(run))
      op->erase();
  }
};

struct GraphSplitPass
    : public loom::graph::impl::GraphSplitPassBase<GraphSplitPass> {
  using GraphSplitPassBase::GraphSplitPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Splitter splitter(module, inlineConstantElements, mergeShapes);
    SmallVector<func::FuncOp> hosts;
    for (auto func : module.getOps<func::FuncOp>())
      if (!func.isDeclaration() && !func->hasAttr("loom.subgraph") &&
          hasControlFlow(func))
        hosts.push_back(func);
    for (func::FuncOp host : hosts) {
      host->setAttr("loom.host", UnitAttr::get(&getContext()));
      splitter.insertAfter = host;
      splitter.splitBlock(host.getBody().front(), host.getSymName());
      // Small constants only the subgraphs needed are dead in the host now.
      host.walk([](ConstantOp constant) {
        if (constant->use_empty())
          constant.erase();
      });
    }
  }
};

} // namespace
