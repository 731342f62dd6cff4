//===- LowerKernelsToCalls.cpp - kernel ops to runtime calls --------------===//
//
// Part of Loom. The functions called here are defined by the runtime
// (runtime/src/Kernels.cpp); their MLIR declarations below must match.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"
#include "loom/Conversion/RuntimeSites.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace loom {
#define GEN_PASS_DEF_LOWERKERNELSTOCALLSPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;
using namespace loom::kernel;

namespace {

/// Does `buffer` always hold the same values at the same address: a global
/// (a constant after bufferization), or an argument that the DyCL split
/// marked `loom.constant` (every call passes a constant)?
bool isConstantBuffer(Value buffer) {
  // A weight mapped from the weights file stays at its address while the
  // model is loaded (the runtime drops the kernels' caches of a file it
  // unmaps).
  if (buffer.getDefiningOp<memref::GetGlobalOp>() ||
      buffer.getDefiningOp<WeightOp>())
    return true;
  // A rank's part of a weight (sbp-partition): a constant on every branch.
  if (auto select = buffer.getDefiningOp<scf::IndexSwitchOp>()) {
    unsigned index = cast<OpResult>(buffer).getResultNumber();
    return llvm::all_of(select->getRegions(), [&](Region &region) {
      auto yield = cast<scf::YieldOp>(region.front().getTerminator());
      return isConstantBuffer(yield.getOperand(index));
    });
  }
  auto arg = dyn_cast<BlockArgument>(buffer);
  auto func = arg ? dyn_cast<func::FuncOp>(arg.getOwner()->getParentOp())
                  : func::FuncOp();
  return func && arg.getOwner()->isEntryBlock() &&
         func.getArgAttr(arg.getArgNumber(), "loom.constant");
}

MemRefType getDynamicType(Type element, int64_t rank) {
  return MemRefType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic),
                         element);
}

/// `value` as a row-major memref of dynamic shape. A buffer with another
/// layout is copied into a new row-major one; for a destination (`copyBack`)
/// the copy is written back after the call, queued in `after`.
Value toCallOperand(OpBuilder &b, Location loc, Value value, bool isRead,
                    bool copyBack,
                    SmallVectorImpl<std::pair<Value, Value>> &after) {
  auto type = cast<MemRefType>(value.getType());
  Value rowMajor = value;
  if (!type.getLayout().isIdentity()) {
    SmallVector<Value> dynamicSizes;
    for (auto [i, dim] : llvm::enumerate(type.getShape()))
      if (ShapedType::isDynamic(dim))
        dynamicSizes.push_back(memref::DimOp::create(b, loc, value, i));
    auto plain = MemRefType::get(type.getShape(), type.getElementType());
    rowMajor = memref::AllocOp::create(b, loc, plain, dynamicSizes);
    if (isRead)
      memref::CopyOp::create(b, loc, value, rowMajor);
    if (copyBack)
      after.push_back({rowMajor, value});
    else
      after.push_back({rowMajor, Value()});
  }
  return memref::CastOp::create(
      b, loc, getDynamicType(type.getElementType(), type.getRank()), rowMajor);
}

/// The private declaration of `name`, with MLIR's C interface.
func::FuncOp getDeclaration(ModuleOp module, StringRef name,
                            FunctionType type) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto decl = func::FuncOp::create(b, module.getLoc(), name, type);
  decl.setPrivate();
  decl->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(), b.getUnitAttr());
  return decl;
}

/// The private declaration of `name` with plain (not memref) arguments,
/// created on first use; null after an error on `user` when a declaration
/// of that name has another type.
func::FuncOp getScalarDeclaration(ModuleOp module, Operation *user,
                                  StringRef name, FunctionType type) {
  auto decl = module.lookupSymbol<func::FuncOp>(name);
  if (!decl) {
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    decl = func::FuncOp::create(b, module.getLoc(), name, type);
    decl.setPrivate();
  }
  if (decl.getFunctionType() == type)
    return decl;
  user->emitOpError("clashes with an existing declaration of ") << name;
  return nullptr;
}

/// Replaces `op` by a call of `name` with its buffer operands (converted)
/// followed by `scalars`.
LogicalResult replaceWithCall(RewriterBase &rewriter, ModuleOp module,
                              Operation *op, StringRef name,
                              ArrayRef<Value> buffers, unsigned initIndex,
                              bool readsInit, ArrayRef<Value> scalars,
                              bool unranked = false) {
  Location loc = op->getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<std::pair<Value, Value>> after;
  SmallVector<Value> args;
  for (auto [i, buffer] : llvm::enumerate(buffers)) {
    bool isInit = i == initIndex;
    args.push_back(toCallOperand(rewriter, loc, buffer, !isInit || readsInit,
                                 isInit, after));
    // Functions for tensors of any rank take unranked descriptors.
    if (unranked)
      args.back() = memref::CastOp::create(
          rewriter, loc,
          UnrankedMemRefType::get(
              cast<MemRefType>(args.back().getType()).getElementType(), 0),
          args.back());
  }
  llvm::append_range(args, scalars);
  auto type = rewriter.getFunctionType(ValueRange(args).getTypes(), {});
  func::FuncOp decl = getDeclaration(module, name, type);
  if (decl.getFunctionType() != type)
    return op->emitOpError("clashes with an existing declaration of ") << name;
  func::CallOp::create(rewriter, loc, decl, args);
  for (auto [temp, target] : after) {
    if (target)
      memref::CopyOp::create(rewriter, loc, temp, target);
    memref::DeallocOp::create(rewriter, loc, temp);
  }
  rewriter.eraseOp(op);
  return success();
}

/// kernel.check: unless the condition holds, call
/// loom_rt_check_failed(site, value, limit) (runtime/src/RunGuard.cpp),
/// which does not return.
WalkResult lowerCheck(IRRewriter &rewriter, ModuleOp module, CheckOp check) {
  MLIRContext *ctx = module.getContext();
  Location loc = check.getLoc();
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = rewriter.getI64Type();
  func::FuncOp decl =
      getScalarDeclaration(module, check, "loom_rt_check_failed",
                           rewriter.getFunctionType({ptr, i64, i64}, {}));
  if (!decl)
    return WalkResult::interrupt();
  rewriter.setInsertionPoint(check);
  Value failed =
      arith::XOrIOp::create(rewriter, loc, check.getCondition(),
                            arith::ConstantIntOp::create(rewriter, loc, 1, 1));
  auto ifOp = scf::IfOp::create(rewriter, loc, failed, /*withElse=*/false);
  rewriter.setInsertionPointToStart(&ifOp.getThenRegion().front());
  SmallVector<Value> args = {loom::getConstantString(
      rewriter, loc, module,
      loom::formatRuntimeSite(loc, check.getKindCode(), check.getOperand(),
                              check.getMessage()))};
  for (unsigned i = 0; i < 2; ++i)
    args.push_back(
        i < check.getValues().size()
            ? check.getValues()[i]
            : arith::ConstantIntOp::create(rewriter, loc, 0, 64).getResult());
  func::CallOp::create(rewriter, loc, decl, args);
  rewriter.eraseOp(check);
  return WalkResult::skip();
}

/// A memref of static shape and identity layout over `aligned`, as the
/// descriptor the LLVM lowering expects, cast back to `type` (the cast
/// meets finalize-memref-to-llvm's and reconcile-unrealized-casts removes
/// both). `allocated` is what the descriptor's first word holds.
Value buildStaticMemRef(OpBuilder &b, Location loc, MemRefType type,
                        Value allocated, Value aligned) {
  MLIRContext *ctx = b.getContext();
  auto i64 = IntegerType::get(ctx, 64);
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  int64_t rank = type.getRank();
  SmallVector<Type> fields = {ptr, ptr, i64};
  if (rank > 0) {
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
  }
  auto descType = LLVM::LLVMStructType::getLiteral(ctx, fields);
  Value desc = LLVM::PoisonOp::create(b, loc, descType);
  auto constant = [&](int64_t v) -> Value {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
  };
  desc = LLVM::InsertValueOp::create(b, loc, desc, allocated,
                                     ArrayRef<int64_t>{0});
  desc =
      LLVM::InsertValueOp::create(b, loc, desc, aligned, ArrayRef<int64_t>{1});
  desc = LLVM::InsertValueOp::create(b, loc, desc, constant(0),
                                     ArrayRef<int64_t>{2});
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    desc = LLVM::InsertValueOp::create(
        b, loc, desc, constant(type.getDimSize(d)), ArrayRef<int64_t>{3, d});
    desc = LLVM::InsertValueOp::create(b, loc, desc, constant(stride),
                                       ArrayRef<int64_t>{4, d});
    stride *= type.getDimSize(d);
  }
  return UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0);
}

/// kernel.weight: `loom_rt_weight(index)` (runtime/src/RunGuard.cpp), the
/// address the runtime mapped the use at; the descriptor's allocated
/// pointer is 0xdeadbeef, as for a global: not the model's to free.
/// kernel.workspace: `loom_rt_workspace(bytes)`, the run's arena.
LogicalResult lowerBufferSources(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = b.getI64Type();
  SmallVector<Operation *> ops;
  module.walk([&](Operation *op) {
    if (isa<WeightOp, WorkspaceOp, DeviceGlobalOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops) {
    if (auto device = dyn_cast<DeviceGlobalOp>(op)) {
      // loom_rt_device_global(host address, bytes): the device's copy.
      func::FuncOp decl =
          getScalarDeclaration(module, op, "loom_rt_device_global",
                               b.getFunctionType({i64, i64}, {ptr}));
      if (!decl)
        return failure();
      Location loc = op->getLoc();
      b.setInsertionPoint(op);
      auto type = cast<MemRefType>(device.getType());
      Value host =
          memref::GetGlobalOp::create(b, loc, type, device.getGlobal());
      Value address = arith::IndexCastOp::create(
          b, loc, i64,
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, host));
      int64_t bytes =
          type.getNumElements() *
          std::max<int64_t>(1, (type.getElementTypeBitWidth() + 7) / 8);
      Value copy =
          func::CallOp::create(b, loc, decl,
                               ValueRange{address, arith::ConstantIntOp::create(
                                                       b, loc, bytes, 64)})
              .getResult(0);
      Value marker = LLVM::ConstantOp::create(b, loc, i64,
                                              b.getI64IntegerAttr(0xdeadbeef));
      Value allocated = LLVM::IntToPtrOp::create(b, loc, ptr, marker);
      op->getResult(0).replaceAllUsesWith(
          buildStaticMemRef(b, loc, type, allocated, copy));
      op->erase();
      continue;
    }
    bool isWeight = isa<WeightOp>(op);
    StringRef name = isWeight ? "loom_rt_weight" : "loom_rt_workspace";
    func::FuncOp decl =
        getScalarDeclaration(module, op, name, b.getFunctionType({i64}, {ptr}));
    if (!decl)
      return failure();
    Location loc = op->getLoc();
    b.setInsertionPoint(op);
    auto type = cast<MemRefType>(op->getResult(0).getType());
    int64_t argument = isWeight
                           ? static_cast<int64_t>(cast<WeightOp>(op).getIndex())
                           : type.getNumElements();
    Value address =
        func::CallOp::create(
            b, loc, decl,
            ValueRange{arith::ConstantIntOp::create(b, loc, argument, 64)})
            .getResult(0);
    Value allocated = address;
    if (isWeight) {
      Value marker = LLVM::ConstantOp::create(b, loc, i64,
                                              b.getI64IntegerAttr(0xdeadbeef));
      allocated = LLVM::IntToPtrOp::create(b, loc, ptr, marker);
    }
    op->getResult(0).replaceAllUsesWith(
        buildStaticMemRef(b, loc, type, allocated, address));
    op->erase();
  }
  return success();
}

/// The GPU runtime's last argument: "node 'NAME' (OP)", for its errors.
Value getSiteString(OpBuilder &b, ModuleOp module, Location loc) {
  auto [node, opType] = loom::getNodeAndOpType(loc);
  std::string site = node.empty() ? std::string("a kernel op")
                                  : "node '" + node + "' (" + opType + ")";
  return loom::getConstantString(b, loc, module, site);
}

struct LowerKernelsToCallsPass
    : loom::impl::LowerKernelsToCallsPassBase<LowerKernelsToCallsPass> {
  using LowerKernelsToCallsPassBase::LowerKernelsToCallsPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    IRRewriter rewriter(&getContext());
    auto i64 = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(rewriter, module.getLoc(), v, 64);
    };
    // The CUDA runtime's functions take TF32 as flag 8 and end with the
    // node's name.
    StringRef matmulName =
        gpuLibraries ? "loom_gpu_matmul_f32" : "loom_kernel_matmul_f32";
    StringRef batchName = gpuLibraries ? "loom_gpu_batch_matmul_f32"
                                       : "loom_kernel_batch_matmul_f32";
    StringRef convName =
        gpuLibraries ? "loom_gpu_conv2d_f32" : "loom_kernel_conv2d_f32";
    // A product rounds to TF32 or bf16; a convolution to TF32 (cuDNN has
    // no bf16 compute for fp32 tensors).
    int64_t productFlag = !gpuLibraries ? 0 : tf32 ? 8 : bf16 ? 32 : 0;
    int64_t tf32Flag = gpuLibraries && (tf32 || bf16) ? 8 : 0;
    auto gpuSite = [&](Operation *op) {
      SmallVector<Value> extra;
      if (gpuLibraries)
        extra.push_back(getSiteString(rewriter, module, op->getLoc()));
      return extra;
    };
    WalkResult result = module.walk([&](Operation *op) -> WalkResult {
      if (isa<MatmulOp, Conv2DOp>(op) &&
          isa<RankedTensorType>(op->getOperand(0).getType()))
        return op->emitOpError("must be bufferized before "
                               "loom-lower-kernels-to-calls");
      if (auto mm = dyn_cast<MatmulOp>(op)) {
        rewriter.setInsertionPoint(op);
        Value flags =
            i64(mm.getTransposeA() | mm.getTransposeB() << 1 |
                mm.getAccumulate() << 2 | productFlag | mm.getRelu() << 6);
        Value alpha = arith::ConstantOp::create(rewriter, op->getLoc(),
                                                mm.getAlphaAttr());
        SmallVector<Value> scalars = {flags, alpha};
        llvm::append_range(scalars, gpuSite(op));
        bool batch = cast<MemRefType>(mm.getInit().getType()).getRank() == 3;
        // No bias: an empty one.
        Value bias = mm.getBias();
        if (!bias)
          bias = memref::AllocaOp::create(
              rewriter, op->getLoc(),
              MemRefType::get({0}, rewriter.getF32Type()));
        return replaceWithCall(rewriter, module, op,
                               batch ? batchName : matmulName,
                               {mm.getLhs(), mm.getRhs(), bias, mm.getInit()},
                               3, mm.getAccumulate(), scalars);
      }
      // Everything else waits for the second run, after the GPU passes.
      if (gpuLibraries && !isa<Conv2DOp, BoxOp>(op))
        return WalkResult::advance();
      if (auto check = dyn_cast<CheckOp>(op))
        return lowerCheck(rewriter, module, check);
      if (auto meshRank = dyn_cast<MeshRankOp>(op)) {
        // int64_t loom_kernel_mesh_rank(int64_t mesh_size): plain scalars.
        rewriter.setInsertionPoint(op);
        int64_t size = 1;
        for (int64_t n : meshRank.getMesh())
          size *= n;
        func::FuncOp decl = getScalarDeclaration(
            module, op, "loom_kernel_mesh_rank",
            rewriter.getFunctionType({rewriter.getI64Type()},
                                     {rewriter.getI64Type()}));
        if (!decl)
          return WalkResult::interrupt();
        rewriter.replaceOp(op, func::CallOp::create(rewriter, op->getLoc(),
                                                    decl, ValueRange{i64(size)})
                                   .getResults());
        return WalkResult::advance();
      }
      if (auto box = dyn_cast<BoxOp>(op)) {
        if (isa<RankedTensorType>(box.getInput().getType()))
          return op->emitOpError("must be bufferized before "
                                 "loom-lower-kernels-to-calls");
        rewriter.setInsertionPoint(op);
        ArrayRef<int64_t> mesh = box.getMesh();
        // One function per element type (unranked descriptors of different
        // element types are different MLIR types).
        Type element =
            cast<ShapedType>(box.getInput().getType()).getElementType();
        // On CUDA, device memory boxed through NCCL on the run's stream.
        std::string name;
        llvm::raw_string_ostream os(name);
        os << (gpuLibraries ? "loom_gpu_box_" : "loom_kernel_box_") << element;
        SmallVector<Value> scalars = {i64(box.getMeshAxis()), i64(mesh[0]),
                                      i64(mesh.size() > 1 ? mesh[1] : 1)};
        for (ArrayRef<int64_t> layout : {box.getFrom(), box.getTo()})
          for (int64_t v : layout)
            scalars.push_back(i64(v));
        return replaceWithCall(rewriter, module, op, name,
                               {box.getInput(), box.getInit()}, 1, false,
                               scalars, /*unranked=*/true);
      }
      auto conv = dyn_cast<Conv2DOp>(op);
      if (!conv)
        return WalkResult::advance();
      rewriter.setInsertionPoint(op);
      Value bias = conv.getBias();
      if (!bias)
        bias = memref::AllocaOp::create(
            rewriter, op->getLoc(),
            MemRefType::get({0}, rewriter.getF32Type()));
      SmallVector<Value> scalars;
      for (ArrayRef<int64_t> attr :
           {conv.getStrides(), conv.getPads(), conv.getDilations()})
        for (int64_t v : attr)
          scalars.push_back(i64(v));
      scalars.push_back(i64(conv.getGroups()));
      // Constant weights (a global after bufferization) may be reordered
      // once and cached by the runtime.
      bool constantWeights = isConstantBuffer(conv.getWeight());
      scalars.push_back(i64(conv.getAccumulate() | conv.getRelu() << 1 |
                            constantWeights << 2 | tf32Flag));
      llvm::append_range(scalars, gpuSite(op));
      return replaceWithCall(
          rewriter, module, op, convName,
          {conv.getInput(), conv.getWeight(), bias, conv.getInit()}, 3,
          conv.getAccumulate(), scalars);
    });
    if (result.wasInterrupted() ||
        (!gpuLibraries && failed(lowerBufferSources(module))))
      signalPassFailure();
  }
};

} // namespace
