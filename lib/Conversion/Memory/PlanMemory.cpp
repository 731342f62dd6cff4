//===- PlanMemory.cpp - Statically sized buffers in one arena -------------===//
//
// Part of Loom. See loom-plan-memory in Passes.td. The placement itself is
// loom::planMemory (lib/Support/MemoryPlanner.cpp); this pass finds the
// buffers and their lifetimes, and rewrites them as views of the run's
// workspace.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"
#include "loom/Support/MemoryPlanner.h"

#include "mlir/Interfaces/DataLayoutInterfaces.h"

namespace loom {
#define GEN_PASS_DEF_PLANMEMORYPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

/// A buffer the plan places: its alloc, the dealloc that ends it, and
/// where it starts in the workspace.
struct Placed {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  uint64_t offset = 0;
};

/// Whether iterations of a loop around `block` may run at once.
bool isInParallelLoop(Block *block) {
  for (Operation *op = block->getParentOp(); op; op = op->getParentOp()) {
    if (isa<scf::ParallelOp, scf::ForallOp>(op))
      return true;
    StringRef dialect = op->getName().getDialectNamespace();
    if (dialect == "omp" || dialect == "async")
      return true;
    if (isa<FunctionOpInterface>(op))
      return false;
  }
  return false;
}

/// The dealloc in `block` that frees `alloc`, if it is the only one.
memref::DeallocOp getOwnDealloc(memref::AllocOp alloc, Block *block) {
  memref::DeallocOp found;
  for (Operation *user : alloc->getUsers()) {
    auto dealloc = dyn_cast<memref::DeallocOp>(user);
    if (!dealloc)
      continue;
    if (found || dealloc->getBlock() != block ||
        dealloc->isBeforeInBlock(alloc))
      return {};
    found = dealloc;
  }
  return found;
}

struct PlanMemoryPass : loom::impl::PlanMemoryPassBase<PlanMemoryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    DataLayout layout(module);
    uint64_t total = 0;
    std::vector<std::pair<func::FuncOp, std::vector<Placed>>> plans;
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isDeclaration())
        continue;
      std::vector<Placed> placed;
      func.walk([&](Block *block) {
        if (isInParallelLoop(block))
          return;
        std::vector<Placed> here;
        std::vector<loom::PlannedBuffer> buffers;
        llvm::DenseMap<Operation *, int64_t> position;
        int64_t step = 0;
        for (Operation &op : *block)
          position[&op] = step++;
        for (Operation &op : *block) {
          auto alloc = dyn_cast<memref::AllocOp>(op);
          if (!alloc)
            continue;
          MemRefType type = alloc.getType();
          if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
              !alloc.getDynamicSizes().empty() ||
              !alloc.getSymbolOperands().empty() ||
              (alloc.getAlignment() && *alloc.getAlignment() > 64) ||
              type.getMemorySpace())
            continue;
          memref::DeallocOp dealloc = getOwnDealloc(alloc, block);
          if (!dealloc)
            continue;
          loom::PlannedBuffer buffer;
          buffer.size =
              type.getNumElements() * layout.getTypeSize(type.getElementType());
          buffer.begin = position[alloc];
          buffer.end = position[dealloc];
          buffers.push_back(buffer);
          here.push_back({alloc, dealloc});
        }
        if (buffers.empty())
          return;
        uint64_t size = loom::planMemory(buffers, 64);
        for (auto [p, buffer] : llvm::zip(here, buffers)) {
          p.offset = total + buffer.offset;
          placed.push_back(p);
        }
        total += size;
      });
      if (!placed.empty())
        plans.push_back({func, std::move(placed)});
    }
    if (plans.empty())
      return;

    OpBuilder b(&getContext());
    auto workspaceType =
        MemRefType::get({static_cast<int64_t>(total)}, b.getIntegerType(8));
    for (auto &[func, placed] : plans) {
      b.setInsertionPointToStart(&func.getBody().front());
      Value workspace =
          loom::kernel::WorkspaceOp::create(b, func.getLoc(), workspaceType);
      for (Placed &p : placed) {
        b.setInsertionPoint(p.alloc);
        Value offset = arith::ConstantIndexOp::create(
            b, p.alloc.getLoc(), static_cast<int64_t>(p.offset));
        Value view =
            memref::ViewOp::create(b, p.alloc.getLoc(), p.alloc.getType(),
                                   workspace, offset, ValueRange{});
        p.alloc.replaceAllUsesWith(view);
        p.dealloc.erase();
        p.alloc.erase();
      }
    }
    if (auto signature = module->getAttrOfType<StringAttr>("loom.signature"))
      module->setAttr("loom.signature",
                      b.getStringAttr(signature.str() + "workspace " +
                                      std::to_string(total) + "\n"));
  }
};

} // namespace
