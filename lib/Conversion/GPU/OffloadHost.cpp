//===- OffloadHost.cpp - What host code does to device memory -------------===//
//
// Part of Loom. See loom-gpu-offload-host in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Origin.h"
#include "loom/Conversion/Passes.h"
#include "loom/Conversion/RuntimeSites.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"

namespace loom {
#define GEN_PASS_DEF_GPUOFFLOADHOSTPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace loom {
/// HostBuffers.cpp.
bool isDeallocHelper(func::FuncOp func);
} // namespace loom

namespace {

/// Whether `memref` is host memory: a buffer on the host's stack, or a
/// global the host reads.
bool isHostBuffer(Value memref) {
  return isa_and_nonnull<memref::AllocaOp, memref::GetGlobalOp>(
      memref.getDefiningOp());
}

/// The private declaration of `name` in `module`, created if missing.
func::FuncOp getOrDeclare(OpBuilder &b, ModuleOp module, StringRef name,
                          FunctionType type) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(module.getBody());
  auto decl = func::FuncOp::create(b, module.getLoc(), name, type);
  decl.setPrivate();
  return decl;
}

bool isOnDevice(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() ||
         op->getParentOfType<gpu::GPUModuleOp>();
}

/// Wraps `op` into a `gpu.launch` of one block of one thread, in its place.
gpu::LaunchOp wrapInSingleThreadKernel(OpBuilder &b, Operation *op) {
  b.setInsertionPoint(op);
  Location loc = op->getLoc();
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto launch = gpu::LaunchOp::create(b, loc, one, one, one, one, one, one);
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  auto terminator = gpu::TerminatorOp::create(b, loc);
  op->moveBefore(terminator);
  return launch;
}

/// Whether the host loop `loop` is a computation on buffers (no call, no
/// allocation, no kernel launch): then it runs as a kernel.
bool isBufferLoop(Operation *loop) {
  bool memory = false;
  WalkResult result = loop->walk([&](Operation *op) {
    if (isa<func::CallOp, gpu::LaunchOp, memref::AllocOp, memref::DeallocOp,
            memref::AllocaOp>(op))
      return WalkResult::interrupt();
    if (op->getDialect() && op->getDialect()->getNamespace() == "kernel" &&
        !isa<loom::kernel::CheckOp>(op))
      return WalkResult::interrupt();
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      if (isHostBuffer(load.getMemRef()))
        return WalkResult::interrupt();
      memory = true;
    }
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      if (isHostBuffer(store.getMemRef()))
        return WalkResult::interrupt();
      memory = true;
    }
    return WalkResult::advance();
  });
  return memory && !result.wasInterrupted();
}

/// Bytes of one element of `type` in device memory.
int64_t getElementBytes(Type type) {
  if (type.isIndex())
    return 8;
  return std::max<int64_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
}

/// Copies the whole of `buffer` (static shape, identity layout) to a host
/// buffer: what memref.reshape reads its shape from.
Value copyToHost(OpBuilder &b, Location loc, Value buffer, func::FuncOp read) {
  auto type = cast<MemRefType>(buffer.getType());
  auto hostType = MemRefType::get(type.getShape(), type.getElementType());
  Value host = memref::AllocaOp::create(b, loc, hostType);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value bytes = arith::ConstantIndexOp::create(
      b, loc, type.getNumElements() * getElementBytes(type.getElementType()));
  Value device = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, buffer);
  Value hostAddress =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, host);
  func::CallOp::create(b, loc, read,
                       ValueRange{hostAddress, device, zero, bytes});
  return host;
}

/// Replaces the host load `load` of device memory by a copy of the element
/// to a host buffer (loom_gpu_read) and a load of it.
void readToHost(OpBuilder &b, memref::LoadOp load, func::FuncOp read) {
  b.setInsertionPoint(load);
  Location loc = load.getLoc();
  MemRefType type = load.getMemRefType();
  Type element = type.getElementType();
  auto hostType = MemRefType::get({1}, element);
  Value host = memref::AllocaOp::create(b, loc, hostType);
  auto metadata =
      memref::ExtractStridedMetadataOp::create(b, loc, load.getMemRef());
  Value linear = metadata.getOffset();
  for (auto [index, stride] :
       llvm::zip(load.getIndices(), metadata.getStrides())) {
    Value term = arith::MulIOp::create(b, loc, index, stride);
    linear = arith::AddIOp::create(b, loc, linear, term);
  }
  Value bytes =
      arith::ConstantIndexOp::create(b, loc, getElementBytes(element));
  Value offset = arith::MulIOp::create(b, loc, linear, bytes);
  Value device =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, load.getMemRef());
  Value hostAddress =
      memref::ExtractAlignedPointerAsIndexOp::create(b, loc, host);
  func::CallOp::create(b, loc, read,
                       ValueRange{hostAddress, device, offset, bytes});
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  auto hostLoad = memref::LoadOp::create(b, loc, host, ValueRange{zero});
  load.replaceAllUsesWith(hostLoad.getResult());
  load.erase();
}

struct GpuOffloadHostPass
    : public loom::impl::GpuOffloadHostPassBase<GpuOffloadHostPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(&getContext());
    Type index = b.getIndexType();
    func::FuncOp read = module.lookupSymbol<func::FuncOp>("loom_gpu_read");
    if (!read) {
      b.setInsertionPointToEnd(module.getBody());
      read = func::FuncOp::create(
          b, module.getLoc(), "loom_gpu_read",
          b.getFunctionType({index, index, index, index}, {}));
      read.setPrivate();
    }
    SmallVector<Attribute> serial;
    if (auto mapped = module->getAttrOfType<ArrayAttr>("loom.gpu_serial"))
      serial.assign(mapped.begin(), mapped.end());
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal() || loom::isDeallocHelper(func))
        continue;
      // 1. Host loops over buffers, then host stores, as one-thread kernels.
      SmallVector<Operation *> loops;
      func.walk<WalkOrder::PreOrder>([&](Operation *op) {
        if (isa<gpu::LaunchOp>(op))
          return WalkResult::skip();
        if (isa<scf::ForOp, scf::WhileOp>(op) && isBufferLoop(op)) {
          loops.push_back(op);
          return WalkResult::skip();
        }
        return WalkResult::advance();
      });
      for (Operation *loop : loops) {
        // One thread doing more than a warp's work: recorded for loomc -v
        // (and the tests that keep benchmark models free of them).
        int64_t work = loom::getStaticLoopWork(loop);
        if (work < 0 || work > 32)
          serial.push_back(b.getStringAttr(
              loom::describeOrigin(loop->getLoc()) + " [one thread]"));
        wrapInSingleThreadKernel(b, loop);
      }
      SmallVector<memref::StoreOp> stores;
      func.walk([&](memref::StoreOp store) {
        if (!isOnDevice(store) && !isa_and_nonnull<memref::AllocaOp>(
                                      store.getMemRef().getDefiningOp()))
          stores.push_back(store);
      });
      for (memref::StoreOp store : stores)
        wrapInSingleThreadKernel(b, store);
      if (failed(lowerKernelChecks(b, func)))
        return signalPassFailure();
      // Shapes that memref.reshape reads on the host.
      SmallVector<memref::ReshapeOp> reshapes;
      func.walk([&](memref::ReshapeOp reshape) {
        if (!isOnDevice(reshape) &&
            !isa_and_nonnull<memref::AllocaOp, memref::GetGlobalOp>(
                reshape.getShape().getDefiningOp()))
          reshapes.push_back(reshape);
      });
      for (memref::ReshapeOp reshape : reshapes) {
        auto shapeType = cast<MemRefType>(reshape.getShape().getType());
        if (!shapeType.hasStaticShape() ||
            !shapeType.getLayout().isIdentity()) {
          reshape.emitOpError("reads a shape of dynamic size or strided "
                              "layout from device memory");
          return signalPassFailure();
        }
        b.setInsertionPoint(reshape);
        reshape.getShapeMutable().assign(
            copyToHost(b, reshape.getLoc(), reshape.getShape(), read));
      }
      // Constants that kernels read go into the kernels' module (outlining
      // copies the globals they name).
      func.walk([&](gpu::LaunchOp launch) {
        Block &body = launch.getBody().front();
        llvm::SetVector<Value> used;
        launch.getBody().walk([&](Operation *inner) {
          for (Value operand : inner->getOperands())
            if (auto global = operand.getDefiningOp<memref::GetGlobalOp>())
              if (!launch->isProperAncestor(global))
                used.insert(operand);
        });
        b.setInsertionPointToStart(&body);
        for (Value value : used) {
          Operation *copy = b.clone(*value.getDefiningOp());
          value.replaceUsesWithIf(copy->getResult(0), [&](OpOperand &use) {
            return launch->isProperAncestor(use.getOwner());
          });
        }
      });
      // Constants that reach device code otherwise (through host control
      // flow, a call, a view): their device copies.
      SmallVector<memref::GetGlobalOp> globals;
      func.walk([&](memref::GetGlobalOp global) {
        if (!isOnDevice(global))
          globals.push_back(global);
      });
      for (memref::GetGlobalOp global : globals) {
        auto type = cast<MemRefType>(global.getType());
        auto isHostRead = [&](OpOperand &use) {
          Operation *user = use.getOwner();
          if (isOnDevice(user))
            return true; // sunk above: the kernel's own copy
          if (isa<memref::LoadOp>(user))
            return true;
          if (auto reshape = dyn_cast<memref::ReshapeOp>(user))
            return use.get() == reshape.getShape();
          return false;
        };
        if (llvm::all_of(global->getUses(), isHostRead))
          continue;
        if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
          global.emitOpError("reaches device code, but its type is not "
                             "static and row-major");
          return signalPassFailure();
        }
        b.setInsertionPointAfter(global);
        Value device = loom::kernel::DeviceGlobalOp::create(
            b, global.getLoc(), type, global.getNameAttr());
        global.getResult().replaceUsesWithIf(
            device, [&](OpOperand &use) { return !isHostRead(use); });
      }
      // 2. Host loads of device memory become copies to the host.
      SmallVector<memref::LoadOp> loads;
      func.walk([&](memref::LoadOp load) {
        Operation *source = load.getMemRef().getDefiningOp();
        if (!isOnDevice(load) &&
            !isa_and_nonnull<memref::AllocaOp, memref::GetGlobalOp>(source))
          loads.push_back(load);
      });
      for (memref::LoadOp load : loads)
        readToHost(b, load, read);
    }
    module->setAttr("loom.gpu_serial", b.getArrayAttr(serial));
  }

  /// Checks inside the kernels of `func` write the function's error word
  /// (device memory, three words: which check failed, counted from 1, and
  /// its two values) unless an earlier check did. The host does not wait
  /// for it: the function hands the word and the checks' sites (one string,
  /// separated by \x1f) to the runtime at its entry
  /// (loom_gpu_watch_errors), and back at its returns
  /// (loom_gpu_unwatch_errors); the runtime reads the word at every
  /// synchronisation (a decision, the end of the run), ends the run with the
  /// first check's message, node and values, and so no decision and no
  /// output is taken from a run whose check failed.
  LogicalResult lowerKernelChecks(OpBuilder &b, func::FuncOp func) {
    SmallVector<loom::kernel::CheckOp> checks;
    func.walk([&](loom::kernel::CheckOp check) {
      if (check->getParentOfType<gpu::LaunchOp>())
        checks.push_back(check);
    });
    if (checks.empty())
      return success();
    auto module = func->getParentOfType<ModuleOp>();
    Location loc = func.getLoc();
    Type i64 = b.getI64Type();
    auto ptr = LLVM::LLVMPointerType::get(b.getContext());
    func::FuncOp watch = getOrDeclare(b, module, "loom_gpu_watch_errors",
                                      b.getFunctionType({i64, ptr}, {}));
    func::FuncOp unwatch = getOrDeclare(b, module, "loom_gpu_unwatch_errors",
                                        b.getFunctionType({i64}, {}));
    std::string sites;
    for (auto [i, check] : llvm::enumerate(checks)) {
      if (check.getValues().size() > 2)
        return check.emitOpError("in a kernel has more than two values");
      if (i)
        sites += '\x1f';
      sites += loom::formatRuntimeSite(check.getLoc(), check.getKindCode(),
                                       check.getOperand(), check.getMessage());
    }
    Block &entry = func.getBody().front();
    b.setInsertionPointToStart(&entry);
    Value word =
        memref::AllocOp::create(b, loc, MemRefType::get({3}, i64)).getResult();
    Value address = arith::IndexCastOp::create(
        b, loc, i64,
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, word));
    func::CallOp::create(
        b, loc, watch,
        ValueRange{address, loom::getConstantString(b, loc, module, sites)});
    func.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      func::CallOp::create(b, ret.getLoc(), unwatch, ValueRange{address});
      memref::DeallocOp::create(b, ret.getLoc(), word);
    });
    for (auto [i, check] : llvm::enumerate(checks)) {
      b.setInsertionPoint(check);
      Location at = check.getLoc();
      Value trueValue = arith::ConstantIntOp::create(b, at, 1, 1);
      Value failed =
          arith::XOrIOp::create(b, at, check.getCondition(), trueValue);
      SmallVector<Value> values = {
          arith::ConstantIntOp::create(b, at, static_cast<int64_t>(i) + 1, 64)};
      for (Value v : check.getValues())
        values.push_back(v);
      scf::IfOp::create(b, at, failed, [&](OpBuilder &then, Location l) {
        // The first failure is the one to report: later kernels may run
        // on what it left.
        Value zero = arith::ConstantIndexOp::create(then, l, 0);
        Value held = memref::LoadOp::create(then, l, word, zero);
        Value none =
            arith::CmpIOp::create(then, l, arith::CmpIPredicate::eq, held,
                                  arith::ConstantIntOp::create(then, l, 0, 64));
        scf::IfOp::create(then, l, none, [&](OpBuilder &store, Location sl) {
          for (size_t k = 0; k < values.size() && k < 3; ++k) {
            Value pos = arith::ConstantIndexOp::create(store, sl, k);
            memref::StoreOp::create(store, sl, values[k], word, pos);
          }
          scf::YieldOp::create(store, sl);
        });
        scf::YieldOp::create(then, l);
      });
      check.erase();
    }
    return success();
  }
};

} // namespace
