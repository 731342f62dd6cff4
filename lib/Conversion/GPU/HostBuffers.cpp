//===- HostBuffers.cpp - Buffers only host code touches -------------------===//
//
// Part of Loom. See loom-gpu-host-buffers in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

namespace loom {
#define GEN_PASS_DEF_GPUHOSTBUFFERSPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace loom {
/// Functions bufferization's deallocation lowering creates: host code on
/// host arrays of pointers and flags.
bool isDeallocHelper(func::FuncOp func) {
  return func.getSymName().starts_with("dealloc_helper");
}
} // namespace loom

namespace {

/// Whether every use of `value` (through casts) is a host load or store, a
/// call of the deallocation helper, or a dealloc; `deallocs` gets those.
bool onlyHostUses(Value value, SmallVectorImpl<Operation *> &deallocs) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (isa<memref::LoadOp, memref::StoreOp>(user))
      continue;
    if (isa<memref::DeallocOp>(user)) {
      deallocs.push_back(user);
      continue;
    }
    if (auto cast = dyn_cast<memref::CastOp>(user)) {
      if (!onlyHostUses(cast.getResult(), deallocs))
        return false;
      continue;
    }
    auto call = dyn_cast<func::CallOp>(user);
    if (!call || !call.getCallee().starts_with("dealloc_helper"))
      return false;
  }
  return true;
}

struct GpuHostBuffersPass
    : public loom::impl::GpuHostBuffersPassBase<GpuHostBuffersPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      SmallVector<memref::AllocOp> allocs;
      func.walk([&](memref::AllocOp alloc) {
        if (alloc.getType().hasStaticShape() &&
            alloc.getType().getLayout().isIdentity())
          allocs.push_back(alloc);
      });
      Block &entry = func.getBody().front();
      for (memref::AllocOp alloc : allocs) {
        SmallVector<Operation *> deallocs;
        if (!onlyHostUses(alloc.getResult(), deallocs))
          continue;
        // At the entry: one buffer for every iteration of a loop around it
        // (each fills it before use), and a stack that does not grow.
        OpBuilder b(&entry, entry.begin());
        auto alloca =
            memref::AllocaOp::create(b, alloc.getLoc(), alloc.getType());
        alloc.replaceAllUsesWith(alloca.getResult());
        for (Operation *dealloc : deallocs)
          dealloc->erase();
        alloc.erase();
      }
    }
  }
};

} // namespace
