//===- DeviceDecisions.cpp - DyCL branches a CUDA graph decides -----------===//
//
// Part of Loom. See loom-gpu-device-decisions in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "dialects/graph/IR/GraphOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace loom {
#define GEN_PASS_DEF_GPUDEVICEDECISIONSPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;
namespace g = loom::graph;

namespace {

bool isStatic(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape();
}

/// Why the branches of host function `func` cannot all be decided on the
/// device ("" if they can); `ifs` gets its branches, innermost first.
std::string whyNot(func::FuncOp func, SmallVectorImpl<g::IfOp> &ifs) {
  std::string why;
  func.walk<WalkOrder::PostOrder>([&](Operation *op) {
    if (isa<g::LoopOp, g::ScanOp, g::SequenceMapOp>(op)) {
      why = "a loop ('" + op->getName().getStringRef().str() +
            "'; WHILE nodes for loops are not built yet)";
      return WalkResult::interrupt();
    }
    auto branch = dyn_cast<g::IfOp>(op);
    if (!branch)
      return WalkResult::advance();
    auto condition =
        dyn_cast<RankedTensorType>(branch.getCondition().getType());
    if (!condition || !condition.hasStaticShape() ||
        condition.getNumElements() != 1) {
      why = "a condition of unknown shape";
      return WalkResult::interrupt();
    }
    for (Type type : branch.getResultTypes())
      if (!isStatic(type)) {
        why = "a branch result of dynamic shape";
        return WalkResult::interrupt();
      }
    for (Region *region : {&branch.getThenBranch(), &branch.getElseBranch()}) {
      Block &block = region->front();
      auto yield = cast<g::YieldOp>(block.getTerminator());
      if (yield.getOperandTypes() != branch.getResultTypes()) {
        why = "a branch yielding another shape than its result's";
        return WalkResult::interrupt();
      }
      for (Operation &inner : block.without_terminator()) {
        if (isa<g::IfOp>(inner))
          continue;
        if (auto call = dyn_cast<func::CallOp>(inner)) {
          auto callee =
              func->getParentOfType<ModuleOp>().lookupSymbol<func::FuncOp>(
                  call.getCallee());
          if (callee && !callee.isExternal())
            continue;
        }
        if (inner.getNumRegions() == 0 && isMemoryEffectFree(&inner))
          continue;
        why = "'" + inner.getName().getStringRef().str() + "' in a branch";
        return WalkResult::interrupt();
      }
    }
    ifs.push_back(branch);
    return WalkResult::advance();
  });
  return why;
}

func::FuncOp declare(OpBuilder &b, ModuleOp module, StringRef name,
                     TypeRange inputs) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), name,
                                b.getFunctionType(inputs, {}));
  f.setPrivate();
  // (A memref argument: passed as its descriptor.)
  if (!inputs.empty())
    f->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  return f;
}

/// Moves a branch's ops before `at`, its arguments the captures; what it
/// yields.
SmallVector<Value> inlineBefore(Block &block, ValueRange captures,
                                Operation *at) {
  for (auto [argument, capture] : llvm::zip(block.getArguments(), captures))
    argument.replaceAllUsesWith(capture);
  auto yield = cast<g::YieldOp>(block.getTerminator());
  SmallVector<Value> yielded(yield.getOperands());
  yield.erase();
  at->getBlock()->getOperations().splice(at->getIterator(),
                                         block.getOperations());
  return yielded;
}

/// The branch as its two parts in turn between the runtime's markers, its
/// results selected on the device by its condition.
void convert(g::IfOp branch, func::FuncOp then, func::FuncOp otherwise,
             func::FuncOp end) {
  OpBuilder b(branch);
  Location loc = branch.getLoc();
  Value condition = branch.getCondition();
  auto type = cast<RankedTensorType>(condition.getType());
  if (type.getRank() > 0)
    condition = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get({}, type.getElementType()), condition,
        ArrayRef<ReassociationIndices>{});
  Value flag = bufferization::ToBufferOp::create(
      b, loc, MemRefType::get({}, type.getElementType()), condition,
      /*readOnly=*/true);
  func::CallOp::create(b, loc, then, ValueRange{flag});
  SmallVector<Value> thenValues = inlineBefore(branch.getThenBranch().front(),
                                               branch.getCaptures(), branch);
  func::CallOp::create(b, loc, otherwise, ValueRange{});
  SmallVector<Value> elseValues = inlineBefore(branch.getElseBranch().front(),
                                               branch.getCaptures(), branch);
  func::CallOp::create(b, loc, end, ValueRange{});
  SmallVector<Value> results;
  for (auto [result, t, e] :
       llvm::zip(branch.getResults(), thenValues, elseValues))
    results.push_back(
        t == e ? t
               : g::WhereOp::create(b, loc, result.getType(), condition, t, e)
                     .getResult());
  branch.replaceAllUsesWith(results);
  branch.erase();
}

struct GpuDeviceDecisionsPass
    : public loom::impl::GpuDeviceDecisionsPassBase<GpuDeviceDecisionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(&getContext());
    SmallVector<Attribute> decided, driven;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || !func->hasAttr("loom.host"))
        continue;
      SmallVector<g::IfOp> ifs;
      std::string why = whyNot(func, ifs);
      std::string name = "@" + func.getSymName().str();
      if (!why.empty()) {
        driven.push_back(b.getStringAttr(name + " (" + why + ")"));
        continue;
      }
      if (ifs.empty())
        continue;
      Type flag = MemRefType::get({}, b.getI1Type());
      func::FuncOp then =
          declare(b, module, "loom_gpu_cond_then", TypeRange{flag});
      func::FuncOp otherwise = declare(b, module, "loom_gpu_cond_else", {});
      func::FuncOp end = declare(b, module, "loom_gpu_cond_end", {});
      for (g::IfOp branch : ifs)
        convert(branch, then, otherwise, end);
      decided.push_back(b.getStringAttr(
          name + " (" + std::to_string(ifs.size()) + " IF node(s))"));
    }
    if (decided.empty() && driven.empty())
      return;
    module->setAttr(
        "loom.device_decisions",
        b.getDictionaryAttr(
            {b.getNamedAttr("conditional", b.getArrayAttr(decided)),
             b.getNamedAttr("host_driven", b.getArrayAttr(driven))}));
  }
};

} // namespace
