//===- LowerToHost.cpp - Kernels for the emulated device ------------------===//
//
// Part of Loom. See loom-gpu-lower-to-host in Passes.td. The emulated
// device runs the same gpu.module as the GPU: this lowering only replaces
// what is the GPU's (ids, barriers) by calls into the emulator, then lowers
// the kernels as the CPU backend lowers its loops.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/GpuSerialization.h"
#include "loom/Conversion/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace loom {
#define GEN_PASS_DEF_GPULOWERTOHOSTPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace loom {

/// The code loom_emu_id reads: kind * 3 + dimension, kinds thread id,
/// block id, block size, grid size (runtime/src/emulated/Emulator.cpp).
static int32_t getIdCode(Operation *op) {
  auto code = [](int kind, gpu::Dimension dim) {
    return kind * 3 + static_cast<int32_t>(dim);
  };
  if (auto id = dyn_cast<gpu::ThreadIdOp>(op))
    return code(0, id.getDimension());
  if (auto id = dyn_cast<gpu::BlockIdOp>(op))
    return code(1, id.getDimension());
  if (auto id = dyn_cast<gpu::BlockDimOp>(op))
    return code(2, id.getDimension());
  if (auto id = dyn_cast<gpu::GridDimOp>(op))
    return code(3, id.getDimension());
  return -1;
}

/// Guards every load and store of `func` with a bounds check against its
/// memref's dims: an access out of bounds calls `oob` (the emulator fails
/// the launch naming it) instead of touching memory, a load then giving 0.
static void addBoundsChecks(func::FuncOp func, func::FuncOp oob) {
  SmallVector<Operation *> accesses;
  func.walk([&](Operation *op) {
    if (isa<memref::LoadOp, memref::StoreOp>(op))
      accesses.push_back(op);
  });
  for (Operation *op : accesses) {
    auto load = dyn_cast<memref::LoadOp>(op);
    auto store = dyn_cast<memref::StoreOp>(op);
    Value memref = load ? load.getMemRef() : store.getMemRef();
    ValueRange indices = load ? load.getIndices() : store.getIndices();
    if (indices.empty())
      continue;
    OpBuilder b(op);
    Location loc = op->getLoc();
    Value ok = arith::ConstantIntOp::create(b, loc, 1, 1);
    Value firstBad, firstSize, firstDim;
    for (auto [d, index] : llvm::enumerate(indices)) {
      Value size = memref::DimOp::create(b, loc, memref, d);
      Value inside =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, index, size);
      ok = arith::AndIOp::create(b, loc, ok, inside);
    }
    auto report = [&](OpBuilder &eb, Location el) {
      // The first dim out of bounds, its index and size.
      Value dim = arith::ConstantIntOp::create(eb, el, -1, 32);
      Value value = arith::ConstantIndexOp::create(eb, el, 0);
      Value size = arith::ConstantIndexOp::create(eb, el, 0);
      for (size_t d = indices.size(); d-- > 0;) {
        Value n = memref::DimOp::create(eb, el, memref, d);
        Value bad = arith::CmpIOp::create(eb, el, arith::CmpIPredicate::uge,
                                          indices[d], n);
        dim = arith::SelectOp::create(
            eb, el, bad, arith::ConstantIntOp::create(eb, el, d, 32), dim);
        value = arith::SelectOp::create(eb, el, bad, indices[d], value);
        size = arith::SelectOp::create(eb, el, bad, n, size);
      }
      func::CallOp::create(eb, el, oob, ValueRange{dim, value, size});
    };
    if (store) {
      auto guard = scf::IfOp::create(b, loc, ok, /*withElseRegion=*/true);
      OpBuilder then = guard.getThenBodyBuilder();
      then.clone(*op);
      OpBuilder otherwise = guard.getElseBodyBuilder();
      report(otherwise, loc);
      op->erase();
      continue;
    }
    Type type = load.getType();
    auto guard = scf::IfOp::create(
        b, loc, ok,
        [&](OpBuilder &tb, Location tl) {
          scf::YieldOp::create(tb, tl, tb.clone(*op)->getResult(0));
        },
        [&](OpBuilder &eb, Location el) {
          report(eb, el);
          Value zero =
              arith::ConstantOp::create(eb, el, type, eb.getZeroAttr(type));
          scf::YieldOp::create(eb, el, zero);
        });
    load.getResult().replaceAllUsesWith(guard.getResult(0));
    op->erase();
  }
}

/// Moves the functions of `gpuModule` into `module` as func.funcs, the
/// kernels marked `loom.emu_kernel`.
static LogicalResult moveToHost(ModuleOp module, gpu::GPUModuleOp gpuModule) {
  OpBuilder b(module.getContext());
  b.setInsertionPointToEnd(module.getBody());
  auto getFunc = [&](StringRef name, FunctionType type) {
    if (auto func = module.lookupSymbol<func::FuncOp>(name))
      return func;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto func = func::FuncOp::create(b, module.getLoc(), name, type);
    func.setPrivate();
    return func;
  };
  Type index = b.getIndexType();
  func::FuncOp idFunc =
      getFunc("loom_emu_id", b.getFunctionType({b.getI32Type()}, {index}));
  func::FuncOp barrierFunc =
      getFunc("loom_emu_barrier", b.getFunctionType({b.getI32Type()}, {}));
  int32_t barrierSites = 0;
  func::FuncOp oobFunc =
      getFunc("loom_emu_out_of_bounds",
              b.getFunctionType({b.getI32Type(), index, index}, {}));
  func::FuncOp accessFunc =
      getFunc("loom_emu_shared_access",
              b.getFunctionType({index, index, b.getI1Type()}, {}));
  // What sets a conditional node's value on the GPU is the emulator's.
  if (auto set =
          gpuModule.lookupSymbol<LLVM::LLVMFuncOp>("cudaGraphSetConditional")) {
    if (failed(SymbolTable::replaceAllSymbolUses(
            set, b.getStringAttr("loom_emu_set_condition"), gpuModule)))
      return set.emitError("cannot rename cudaGraphSetConditional");
    set.setSymName("loom_emu_set_condition");
  }
  for (Operation &op :
       llvm::make_early_inc_range(gpuModule.getBody()->getOperations())) {
    auto gpuFunc = dyn_cast<gpu::GPUFuncOp>(op);
    if (!gpuFunc) {
      // Globals and declarations the kernels use.
      op.moveBefore(module.getBody(), module.getBody()->end());
      continue;
    }
    if (!gpuFunc.getPrivateAttributions().empty())
      return gpuFunc.emitError("not emulated: a kernel with private memory "
                               "attributions");
    // Shared memory: a global of the emulated program, which every thread
    // of the block in flight sees (the emulator runs one block at a time).
    Block &entry = gpuFunc.getBody().front();
    SmallVector<BlockArgument> attributions(gpuFunc.getWorkgroupAttributions());
    for (auto [i, attribution] : llvm::enumerate(attributions)) {
      auto type = cast<MemRefType>(attribution.getType());
      auto hostType = MemRefType::get(type.getShape(), type.getElementType(),
                                      type.getLayout());
      for (Operation *user : attribution.getUsers())
        if (!isa<memref::LoadOp, memref::StoreOp>(user))
          return user->emitError("not emulated: shared memory used by ")
                 << user->getName();
      if (!hostType.hasStaticShape() || !hostType.getLayout().isIdentity())
        return gpuFunc.emitError("not emulated: shared memory of type ")
               << type;
      std::string name = (gpuFunc.getName() + ".shared" + Twine(i)).str();
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(module.getBody());
        auto global = memref::GlobalOp::create(
            b, gpuFunc.getLoc(), name, b.getStringAttr("private"), hostType,
            Attribute(), /*constant=*/false, IntegerAttr());
        (void)global;
      }
      OpBuilder at = OpBuilder::atBlockBegin(&entry);
      Value shared =
          memref::GetGlobalOp::create(at, gpuFunc.getLoc(), hostType, name);
      attribution.replaceAllUsesWith(shared);
      // Every access tells the emulator's race detector where and what.
      SmallVector<Operation *> accesses(shared.getUsers());
      for (Operation *access : accesses) {
        auto load = dyn_cast<memref::LoadOp>(access);
        auto store = dyn_cast<memref::StoreOp>(access);
        if (!load && !store)
          continue;
        OpBuilder ab(access);
        Location loc = access->getLoc();
        ValueRange indices = load ? load.getIndices() : store.getIndices();
        Value linear = arith::ConstantIndexOp::create(ab, loc, 0);
        int64_t stride = 1;
        ArrayRef<int64_t> shape = hostType.getShape();
        for (size_t d = shape.size(); d-- > 0;) {
          Value scaled = arith::MulIOp::create(
              ab, loc, indices[d],
              arith::ConstantIndexOp::create(ab, loc, stride));
          linear = arith::AddIOp::create(ab, loc, linear, scaled);
          stride *= shape[d];
        }
        int64_t bytes =
            std::max<int64_t>(1, hostType.getElementTypeBitWidth() / 8);
        Value base =
            memref::ExtractAlignedPointerAsIndexOp::create(ab, loc, shared);
        Value address = arith::AddIOp::create(
            ab, loc, base,
            arith::MulIOp::create(
                ab, loc, linear,
                arith::ConstantIndexOp::create(ab, loc, bytes)));
        Value isWrite = arith::ConstantIntOp::create(ab, loc, store ? 1 : 0, 1);
        func::CallOp::create(
            ab, loc, accessFunc,
            ValueRange{address, arith::ConstantIndexOp::create(ab, loc, bytes),
                       isWrite});
      }
    }
    unsigned inputs = gpuFunc.getFunctionType().getNumInputs();
    while (entry.getNumArguments() > inputs)
      entry.eraseArgument(inputs);
    bool collective = false;
    auto func = func::FuncOp::create(b, gpuFunc.getLoc(), gpuFunc.getName(),
                                     gpuFunc.getFunctionType());
    if (gpuFunc.isKernel())
      func->setAttr("loom.emu_kernel", b.getUnitAttr());
    func.getBody().takeBody(gpuFunc.getBody());
    gpuFunc.erase();
    WalkResult result = func.walk([&](Operation *inner) -> WalkResult {
      b.setInsertionPoint(inner);
      int32_t code = getIdCode(inner);
      if (code >= 0) {
        Value c = arith::ConstantIntOp::create(b, inner->getLoc(), code, 32);
        auto call = func::CallOp::create(b, inner->getLoc(), idFunc, c);
        inner->replaceAllUsesWith(call);
        inner->erase();
        return WalkResult::advance();
      }
      if (isa<gpu::BarrierOp>(inner)) {
        // The site names the barrier: threads waiting at different ones
        // have diverged.
        Value site = arith::ConstantIntOp::create(b, inner->getLoc(),
                                                  ++barrierSites, 32);
        func::CallOp::create(b, inner->getLoc(), barrierFunc, site);
        inner->erase();
        collective = true;
        return WalkResult::advance();
      }
      if (auto shuffle = dyn_cast<gpu::ShuffleOp>(inner)) {
        Type type = shuffle.getValue().getType();
        std::string suffix = type.isF32()         ? "f32"
                             : type.isF64()       ? "f64"
                             : type.isInteger(32) ? "i32"
                             : type.isInteger(64) ? "i64"
                                                  : "";
        if (suffix.empty()) {
          inner->emitError("not emulated: a shuffle of ") << type;
          return WalkResult::interrupt();
        }
        Type i32 = b.getI32Type();
        func::FuncOp shuffleFunc =
            getFunc("loom_emu_shuffle_" + suffix,
                    b.getFunctionType({type, i32, i32, i32, i32}, {type}));
        func::FuncOp validFunc = getFunc(
            "loom_emu_shuffle_valid", b.getFunctionType({}, {b.getI1Type()}));
        Location loc = inner->getLoc();
        Value mode = arith::ConstantIntOp::create(
            b, loc, static_cast<int64_t>(shuffle.getMode()), 32);
        Value site = arith::ConstantIntOp::create(b, loc, ++barrierSites, 32);
        auto call = func::CallOp::create(
            b, loc, shuffleFunc,
            ValueRange{shuffle.getValue(), shuffle.getOffset(),
                       shuffle.getWidth(), mode, site});
        auto valid = func::CallOp::create(b, loc, validFunc, ValueRange{});
        shuffle.getShuffleResult().replaceAllUsesWith(call.getResult(0));
        shuffle.getValid().replaceAllUsesWith(valid.getResult(0));
        inner->erase();
        collective = true;
        return WalkResult::advance();
      }
      if (isa<gpu::ReturnOp>(inner)) {
        func::ReturnOp::create(b, inner->getLoc(), inner->getOperands());
        inner->erase();
        return WalkResult::advance();
      }
      Dialect *dialect = inner->getDialect();
      StringRef ns = dialect ? dialect->getNamespace() : "";
      if (ns == "gpu" || ns == "nvvm" || ns == "nvgpu" ||
          (ns == "llvm" && isa<LLVM::InlineAsmOp>(inner))) {
        inner->emitError("not emulated: ") << inner->getName();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return failure();
    if (collective)
      func->setAttr("loom.emu_collective", b.getUnitAttr());
    addBoundsChecks(func, oobFunc);
  }
  gpuModule.erase();
  return success();
}

/// Gives each lowered kernel `K` the emulator's entry `void K(void **)`,
/// which unpacks the parameters as cuLaunchKernel passes them (each a
/// pointer to its value) and translates device addresses.
LogicalResult addKernelEntries(ModuleOp module) {
  OpBuilder b(module.getContext());
  auto ptr = LLVM::LLVMPointerType::get(module.getContext());
  auto voidType = LLVM::LLVMVoidType::get(module.getContext());
  LLVM::LLVMFuncOp translate =
      module.lookupSymbol<LLVM::LLVMFuncOp>("loom_emu_translate");
  if (!translate) {
    b.setInsertionPointToStart(module.getBody());
    translate =
        LLVM::LLVMFuncOp::create(b, module.getLoc(), "loom_emu_translate",
                                 LLVM::LLVMFunctionType::get(ptr, {ptr}));
  }
  SmallVector<LLVM::LLVMFuncOp> kernels;
  for (auto func : module.getOps<LLVM::LLVMFuncOp>())
    if (func->hasAttr("loom.emu_kernel"))
      kernels.push_back(func);
  for (LLVM::LLVMFuncOp kernel : kernels) {
    std::string name = kernel.getName().str();
    // Kernels whose threads meet (barriers, shuffles) run as fibers: the
    // emulator looks for `K.loom_collective`.
    if (kernel->hasAttr("loom.emu_collective")) {
      kernel->removeAttr("loom.emu_collective");
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(kernel);
      auto i8 = IntegerType::get(module.getContext(), 8);
      LLVM::GlobalOp::create(b, kernel.getLoc(), i8, /*isConstant=*/true,
                             LLVM::Linkage::External, name + ".loom_collective",
                             b.getIntegerAttr(i8, 1));
    }
    kernel.setName(name + ".impl");
    kernel.setLinkage(LLVM::Linkage::Internal);
    kernel->removeAttr("loom.emu_kernel");
    Location loc = kernel.getLoc();
    {
      // `K.loom_params`: the count, then each parameter's bytes, so that a
      // launch copies its parameters as cuLaunchKernel does.
      SmallVector<int64_t> sizes = {
          static_cast<int64_t>(kernel.getFunctionType().getNumParams())};
      for (Type type : kernel.getFunctionType().getParams()) {
        int64_t bytes = 8;
        if (auto integer = dyn_cast<IntegerType>(type))
          bytes = std::max<int64_t>(1, (integer.getWidth() + 7) / 8);
        else if (auto floatType = dyn_cast<FloatType>(type))
          bytes = floatType.getWidth() / 8;
        sizes.push_back(bytes);
      }
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(kernel);
      auto i64 = IntegerType::get(module.getContext(), 64);
      auto arrayType = LLVM::LLVMArrayType::get(i64, sizes.size());
      LLVM::GlobalOp::create(
          b, loc, arrayType, /*isConstant=*/true, LLVM::Linkage::External,
          name + ".loom_params",
          DenseElementsAttr::get(
              RankedTensorType::get({static_cast<int64_t>(sizes.size())}, i64),
              ArrayRef<int64_t>(sizes)));
    }
    b.setInsertionPointAfter(kernel);
    auto entry = LLVM::LLVMFuncOp::create(
        b, loc, name, LLVM::LLVMFunctionType::get(voidType, {ptr}));
    Block *body = entry.addEntryBlock(b);
    b.setInsertionPointToStart(body);
    Value params = body->getArgument(0);
    SmallVector<Value> args;
    for (auto [i, type] :
         llvm::enumerate(kernel.getFunctionType().getParams())) {
      Value slot = LLVM::GEPOp::create(b, loc, ptr, ptr, params,
                                       ArrayRef<LLVM::GEPArg>{int32_t(i)});
      Value address = LLVM::LoadOp::create(b, loc, ptr, slot);
      Value value = LLVM::LoadOp::create(b, loc, type, address);
      if (isa<LLVM::LLVMPointerType>(type))
        value = LLVM::CallOp::create(b, loc, translate, value).getResult();
      args.push_back(value);
    }
    LLVM::CallOp::create(b, loc, kernel, args);
    LLVM::ReturnOp::create(b, loc, ValueRange{});
  }
  return success();
}

LogicalResult moveKernelsToHost(ModuleOp module) {
  SmallVector<gpu::GPUModuleOp> gpuModules(module.getOps<gpu::GPUModuleOp>());
  for (gpu::GPUModuleOp gpuModule : gpuModules)
    if (failed(moveToHost(module, gpuModule)))
      return failure();
  module->removeAttr("gpu.container_module");
  return success();
}

void buildHostKernelPipeline(OpPassManager &pm) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  ApproximateMathPassOptions math;
  math.ops = getKernelMathApproximations();
  pm.addPass(createApproximateMathPass(math));
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

} // namespace loom

namespace {
struct GpuLowerToHostPass
    : public loom::impl::GpuLowerToHostPassBase<GpuLowerToHostPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpPassManager pm(ModuleOp::getOperationName());
    loom::buildHostKernelPipeline(pm);
    if (failed(loom::moveKernelsToHost(module)) ||
        failed(runPipeline(pm, module)) ||
        failed(loom::addKernelEntries(module)))
      signalPassFailure();
  }
};
} // namespace
