//===- OffloadHost.cpp - What host code does to device memory -------------===//
//
// Part of Loom. See loom-gpu-offload-host in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "Origin.h"
#include "loom/Conversion/Passes.h"
#include "loom/Conversion/RuntimeSites.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <deque>

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

/// Bytes of one element of `type` in device memory.
int64_t getElementBytes(Type type) {
  if (type.isIndex())
    return 8;
  return std::max<int64_t>(1, (type.getIntOrFloatBitWidth() + 7) / 8);
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

/// Where `memref` lies: the allocation it is a view of (through casts,
/// reshapes and other views; null where that is not known) and, for a view
/// at a constant offset of an arena (the memory plan's memref.view), its
/// bytes there.
struct Place {
  Operation *allocation = nullptr;
  bool argument = false;       // or a function's argument
  int64_t begin = 0, end = -1; // end < 0: anywhere in it
};

Place getPlace(Value memref) {
  Place place;
  while (true) {
    Operation *def = memref.getDefiningOp();
    if (!def) {
      auto argument = dyn_cast<BlockArgument>(memref);
      Place outside;
      outside.argument = argument && argument.getOwner()->isEntryBlock() &&
                         isa<func::FuncOp>(argument.getOwner()->getParentOp());
      return outside;
    }
    // (The memory plan's arena: one per function.)
    if (isa<memref::AllocOp, memref::AllocaOp, loom::kernel::WorkspaceOp>(
            def)) {
      place.allocation = def;
      return place;
    }
    if (auto view = dyn_cast<memref::ViewOp>(def)) {
      auto type = view.getType();
      IntegerAttr offset;
      if (place.end < 0 && type.hasStaticShape() &&
          matchPattern(view.getByteShift(), m_Constant(&offset))) {
        place.begin = offset.getInt();
        place.end = place.begin + type.getNumElements() *
                                      getElementBytes(type.getElementType());
      }
      memref = view.getSource();
      continue;
    }
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      if (!isa<memref::CastOp>(def))
        place.end = -1; // somewhere in its source
      memref = view.getViewSource();
      continue;
    }
    if (isa<memref::CastOp, memref::ReshapeOp>(def)) {
      memref = def->getOperand(0);
      continue;
    }
    return {};
  }
}

/// Whether memrefs `a` and `b` may share memory.
bool mayAlias(Value a, Value b) {
  Place x = getPlace(a), y = getPlace(b);
  // What the function allocates is not what it was given.
  if ((x.allocation && y.argument) || (x.argument && y.allocation))
    return false;
  if (!x.allocation || !y.allocation)
    return true;
  if (x.allocation != y.allocation)
    return false;
  if (x.end < 0 || y.end < 0)
    return true;
  return x.begin < y.end && y.begin < x.end;
}

/// Whether `op` (a kernel, a call, or an op with regions holding them) may
/// read the memory of `memref`.
bool mayRead(Operation *op, Value memref) {
  bool found = false;
  op->walk([&](Operation *inner) {
    if (isa<memref::LoadOp>(inner) && inner != op)
      found |= mayAlias(inner->getOperand(0), memref);
    if (isa<func::CallOp, gpu::LaunchFuncOp, memref::CopyOp>(inner))
      for (Value operand : inner->getOperands())
        found |=
            isa<BaseMemRefType>(operand.getType()) && mayAlias(operand, memref);
  });
  return found;
}

/// Whether `op` may write the memory of `memref` (its kernels and calls
/// write at most the memrefs they take).
bool mayWrite(Operation *op, Value memref) {
  SmallVector<Value> reached;
  if (isa<func::CallOp, gpu::LaunchFuncOp>(op)) {
    reached.assign(op->getOperands().begin(), op->getOperands().end());
  } else if (isa<gpu::LaunchOp>(op)) {
    op->walk([&](Operation *inner) {
      for (Value operand : inner->getOperands())
        if (!op->isAncestor(operand.getParentRegion()->getParentOp()))
          reached.push_back(operand);
    });
  } else if (auto store = dyn_cast<memref::StoreOp>(op)) {
    reached.push_back(store.getMemRef());
  } else if (isMemoryEffectFree(op) ||
             isa<memref::AllocOp, memref::AllocaOp, memref::LoadOp,
                 loom::kernel::CheckOp>(op)) {
    // (A check writes its function's error word only.)
    return false;
  } else {
    return true;
  }
  return llvm::any_of(reached, [&](Value value) {
    return isa<BaseMemRefType>(value.getType()) && mayAlias(value, memref);
  });
}

/// The host's scalar computation of `roots` in the block of `consumer`:
/// pure ops and loads of device memory that nothing between them and
/// `consumer` may overwrite. Copied into a kernel at `consumer`, they read
/// the device memory there, instead of the host reading it back (a host
/// round trip, which would end a CUDA graph's capture).
SmallVector<Operation *>
getSinkableSlice(Operation *consumer, ArrayRef<Value> roots,
                 SmallVectorImpl<memref::LoadOp> *overwrittenLoads = nullptr) {
  Block *block = consumer->getBlock();
  llvm::SetVector<Operation *> slice;
  SmallVector<Value> work(roots.begin(), roots.end());
  while (!work.empty()) {
    Value value = work.pop_back_val();
    Operation *def = value.getDefiningOp();
    if (!def || def->getBlock() != block || slice.contains(def) ||
        def->getNumRegions() != 0 || !def->isBeforeInBlock(consumer))
      continue;
    if (auto load = dyn_cast<memref::LoadOp>(def)) {
      if (isHostBuffer(load.getMemRef()))
        continue;
      bool overwritten = false;
      for (Operation *at = load->getNextNode(); at && at != consumer;
           at = at->getNextNode())
        overwritten |= mayWrite(at, load.getMemRef());
      if (overwritten) {
        if (overwrittenLoads)
          overwrittenLoads->push_back(load);
        continue;
      }
      slice.insert(def);
      for (Value index : load.getIndices())
        work.push_back(index);
      continue;
    }
    if (!isMemoryEffectFree(def) ||
        llvm::any_of(def->getResultTypes(),
                     [](Type t) { return !t.isIntOrIndexOrFloat(); }))
      continue;
    slice.insert(def);
    for (Value operand : def->getOperands())
      work.push_back(operand);
  }
  SmallVector<Operation *> ordered(slice.begin(), slice.end());
  llvm::sort(ordered,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return ordered;
}

/// Makes the host load `load` of device memory read a copy of its element
/// that a one-thread kernel takes where the load is (a buffer of its own,
/// freed at the function's returns), which nothing else writes.
void snapshot(OpBuilder &b, memref::LoadOp load) {
  Location loc = load.getLoc();
  b.setInsertionPoint(load);
  Type element = load.getType();
  Value copy = memref::AllocOp::create(b, loc, MemRefType::get({}, element));
  auto taken = memref::StoreOp::create(
      b, loc,
      memref::LoadOp::create(b, loc, load.getMemRef(), load.getIndices()), copy,
      ValueRange{});
  wrapInSingleThreadKernel(b, taken);
  taken.getValue().getDefiningOp()->moveBefore(taken);
  b.setInsertionPoint(load);
  load.getMemrefMutable().assign(copy);
  load.getIndicesMutable().clear();
  auto func = load->getParentOfType<func::FuncOp>();
  func.walk([&](func::ReturnOp ret) {
    b.setInsertionPoint(ret);
    memref::DeallocOp::create(b, loc, copy);
  });
}

/// A check of values the host would read from device memory, moved into a
/// kernel of its own: kernels that take those values must not use them
/// unchecked (an index out of range would reach memory before the check's
/// error word ends the run), so they compute its condition too and take 0
/// where it fails.
struct Guard {
  loom::kernel::CheckOp check;
  gpu::LaunchOp launch; // the check's own kernel
};
using Guards = llvm::DenseMap<Operation *, SmallVector<Guard *>>;

/// The scalars a kernel takes from the host that the host computes from
/// device memory: computed in the kernel instead (the host's copy goes
/// when unused); a value a guard checks is taken as 0 where it fails.
void sinkScalarComputations(OpBuilder &b, gpu::LaunchOp launch,
                            const Guards &guards, bool isCheck) {
  llvm::SetVector<Value> captured;
  launch.getBody().walk([&](Operation *inner) {
    for (Value operand : inner->getOperands())
      if (operand.getType().isIntOrIndexOrFloat() &&
          !launch->isAncestor(operand.getParentRegion()->getParentOp()))
        captured.insert(operand);
  });
  SmallVector<memref::LoadOp> overwritten;
  SmallVector<Operation *> slice =
      getSinkableSlice(launch, captured.getArrayRef(), &overwritten);
  if (!overwritten.empty()) {
    // What may change before the kernel is taken where the host read it.
    for (memref::LoadOp load : overwritten)
      snapshot(b, load);
    slice = getSinkableSlice(launch, captured.getArrayRef());
  }
  if (llvm::none_of(slice,
                    [](Operation *op) { return isa<memref::LoadOp>(op); }))
    return;
  IRMapping map;
  b.setInsertionPointToStart(&launch.getBody().front());
  for (Operation *op : slice) {
    Operation *copy = b.clone(*op, map);
    // (A check only compares: it needs no guard, and its guards' host
    // conditions may be in kernels by now.)
    auto found = guards.find(op);
    if (isCheck || found == guards.end())
      continue;
    // The guards' conditions on the value as loaded, then the value or 0.
    Value loaded = copy->getResult(0);
    Value passes;
    for (Guard *guard : found->second) {
      Value condition = guard->check.getCondition();
      IRMapping checked;
      checked.map(op->getResult(0), loaded);
      for (Operation *inner : getSinkableSlice(launch, condition))
        if (!checked.contains(inner->getResult(0)))
          b.clone(*inner, checked);
      Value holds = checked.lookupOrDefault(condition);
      passes = passes ? arith::AndIOp::create(b, op->getLoc(), passes, holds)
                      : holds;
    }
    if (!passes)
      continue;
    Type type = loaded.getType();
    Value zero =
        arith::ConstantOp::create(b, op->getLoc(), type, b.getZeroAttr(type));
    map.map(op->getResult(0),
            arith::SelectOp::create(b, op->getLoc(), passes, loaded, zero));
  }
  for (Operation *op : slice)
    for (Value result : op->getResults())
      result.replaceUsesWithIf(map.lookup(result), [&](OpOperand &use) {
        return launch->isProperAncestor(use.getOwner());
      });
  for (Operation *op : llvm::reverse(slice))
    if (op->use_empty())
      op->erase();
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
      // Host checks of values in device memory check them in kernels; the
      // kernels that take those values are guarded (see Guard).
      std::deque<Guard> checks;
      Guards guards;
      SmallVector<loom::kernel::CheckOp> hostChecks;
      func.walk([&](loom::kernel::CheckOp check) {
        if (!isOnDevice(check))
          hostChecks.push_back(check);
      });
      for (loom::kernel::CheckOp check : hostChecks) {
        SmallVector<Operation *> slice =
            getSinkableSlice(check, SmallVector<Value>(check->getOperands()));
        if (llvm::none_of(
                slice, [](Operation *op) { return isa<memref::LoadOp>(op); }))
          continue;
        // Only a check of values the host takes on can be guarded: one of
        // a summary (a Gather's smallest and largest index) guards kernels
        // that read other memory, and so do kernels and calls after it that
        // read the checked memory themselves. Those checks stay on the
        // host, before the kernels they guard.
        llvm::SmallPtrSet<Operation *, 8> within(slice.begin(), slice.end());
        within.insert(check);
        bool unguardable = false;
        for (Operation *op : slice) {
          auto load = dyn_cast<memref::LoadOp>(op);
          if (!load)
            continue;
          unguardable |= llvm::all_of(load->getUsers(), [&](Operation *user) {
            return within.contains(user);
          });
          for (Operation *at = check->getNextNode(); at && !unguardable;
               at = at->getNextNode())
            unguardable =
                !isa<memref::LoadOp>(at) && mayRead(at, load.getMemRef());
        }
        if (unguardable)
          continue;
        checks.push_back({check, wrapInSingleThreadKernel(b, check)});
        for (Operation *op : slice)
          if (isa<memref::LoadOp>(op))
            guards[op].push_back(&checks.back());
      }
      // The checks' own kernels last: their host values live until then.
      SmallVector<gpu::LaunchOp> launches;
      func.walk<WalkOrder::PreOrder>([&](gpu::LaunchOp launch) {
        if (llvm::none_of(checks,
                          [&](const Guard &g) { return g.launch == launch; }))
          launches.push_back(launch);
        return WalkResult::skip();
      });
      size_t unchecked = launches.size();
      for (const Guard &g : checks)
        launches.push_back(g.launch);
      for (auto [i, launch] : llvm::enumerate(launches))
        sinkScalarComputations(b, launch, guards, i >= unchecked);
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
      // 2. Host loads of device memory become copies to the host (those
      // whose value is unused go).
      SmallVector<memref::LoadOp> loads;
      func.walk([&](memref::LoadOp load) {
        Operation *source = load.getMemRef().getDefiningOp();
        if (!isOnDevice(load) &&
            !isa_and_nonnull<memref::AllocaOp, memref::GetGlobalOp>(source))
          loads.push_back(load);
      });
      llvm::erase_if(loads, [](memref::LoadOp load) {
        if (!load->use_empty())
          return false;
        load.erase();
        return true;
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
