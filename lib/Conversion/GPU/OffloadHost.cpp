//===- OffloadHost.cpp - What host code does to device memory -------------===//
//
// Part of Loom. See loom-gpu-offload-host in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Origin.h"
#include "loom/Conversion/Passes.h"

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
      if (failed(lowerKernelChecks(b, func, read)))
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

  /// Checks inside the kernels of `func` write an error word that the host
  /// reads after the kernel and checks again.
  LogicalResult lowerKernelChecks(OpBuilder &b, func::FuncOp func,
                                  func::FuncOp read) {
    SmallVector<gpu::LaunchOp> launches;
    func.walk([&](gpu::LaunchOp launch) {
      if (!launch.getBody()
               .walk([](loom::kernel::CheckOp) {
                 return WalkResult::interrupt();
               })
               .wasInterrupted())
        return;
      launches.push_back(launch);
    });
    if (launches.empty())
      return success();
    Location loc = func.getLoc();
    Block &entry = func.getBody().front();
    b.setInsertionPointToStart(&entry);
    auto wordType = MemRefType::get({3}, b.getI64Type());
    Value word = memref::AllocOp::create(b, loc, wordType);
    {
      // Cleared by one thread before anything else runs.
      Value one = arith::ConstantIndexOp::create(b, loc, 1);
      auto clear = gpu::LaunchOp::create(b, loc, one, one, one, one, one, one);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&clear.getBody().front());
      Value zero = arith::ConstantIntOp::create(b, loc, 0, 64);
      for (int64_t i = 0; i < 3; ++i) {
        Value at = arith::ConstantIndexOp::create(b, loc, i);
        memref::StoreOp::create(b, loc, zero, word, at);
      }
      gpu::TerminatorOp::create(b, loc);
    }
    func.walk([&](func::ReturnOp ret) {
      b.setInsertionPoint(ret);
      memref::DeallocOp::create(b, ret.getLoc(), word);
    });
    int64_t number = 0;
    for (gpu::LaunchOp launch : launches) {
      SmallVector<loom::kernel::CheckOp> checks;
      launch.getBody().walk(
          [&](loom::kernel::CheckOp check) { checks.push_back(check); });
      // After the kernel: what it wrote, then each check on the host.
      b.setInsertionPointAfter(launch);
      Location after = launch.getLoc();
      // One copy of the word to the host (it synchronises), then loads.
      Value host = copyToHost(b, after, word, read);
      SmallVector<Value> words;
      for (int64_t i = 0; i < 3; ++i) {
        Value at = arith::ConstantIndexOp::create(b, after, i);
        words.push_back(memref::LoadOp::create(b, after, host, at));
      }
      for (loom::kernel::CheckOp check : checks) {
        int64_t id = ++number;
        Value mine = arith::ConstantIntOp::create(b, after, id, 64);
        Value passed = arith::CmpIOp::create(
            b, check.getLoc(), arith::CmpIPredicate::ne, words[0], mine);
        size_t count = std::min<size_t>(check.getValues().size(), 2);
        SmallVector<Value> values(words.begin() + 1, words.begin() + 1 + count);
        if (check.getValues().size() > 2) {
          check.emitOpError("in a kernel has more than two values");
          return failure();
        }
        auto host = cast<loom::kernel::CheckOp>(b.clone(*check));
        host->setLoc(check.getLoc());
        host.getConditionMutable().assign(passed);
        host.getValuesMutable().assign(values);
        // In the kernel: write the word where the condition fails.
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(check);
        Location at = check.getLoc();
        Value trueValue = arith::ConstantIntOp::create(b, at, 1, 1);
        Value failed =
            arith::XOrIOp::create(b, at, check.getCondition(), trueValue);
        SmallVector<Value> word3 = {
            arith::ConstantIntOp::create(b, at, id, 64)};
        for (Value v : check.getValues())
          word3.push_back(v);
        scf::IfOp::create(b, at, failed, [&](OpBuilder &then, Location l) {
          for (size_t i = 0; i < word3.size() && i < 3; ++i) {
            Value pos = arith::ConstantIndexOp::create(then, l, i);
            memref::StoreOp::create(then, l, word3[i], word, pos);
          }
          scf::YieldOp::create(then, l);
        });
        check.erase();
      }
      // A word that names no check is corrupt (a read that did not wait for
      // its copy): an error too, not a silent pass.
      Value none = arith::ConstantIntOp::create(b, after, 0, 64);
      Value clean = arith::CmpIOp::create(b, after, arith::CmpIPredicate::eq,
                                          words[0], none);
      loom::kernel::CheckOp::create(
          b, after, clean,
          ValueRange{words[0],
                     arith::ConstantIntOp::create(b, after, number, 64)},
          "the device's error word holds {0}, which names none of the {1} "
          "checks of this kernel (a read of device memory that did not wait "
          "for its copy?)",
          "value", -1);
    }
    return success();
  }
};

} // namespace
