//===- GraphRegions.cpp - The static regions CUDA graphs replay -----------===//
//
// Part of Loom. See loom-gpu-graph-regions in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseSet.h"

namespace loom {
#define GEN_PASS_DEF_GPUGRAPHREGIONSPASS
#include "loom/Conversion/Passes.h.inc"
bool isDeallocHelper(mlir::func::FuncOp func);
} // namespace loom

using namespace mlir;

namespace {

/// Calls that queue device work (the CUDA runtime's library functions).
bool isDeviceCall(StringRef callee) {
  return callee.starts_with("loom_gpu_matmul") ||
         callee.starts_with("loom_gpu_batch_matmul") ||
         callee.starts_with("loom_gpu_conv2d") ||
         callee.starts_with("loom_gpu_box");
}

/// Why `func` is not a static region ("" if it is one); calls of the
/// functions in `regions` are part of it (the runtime makes their regions
/// its own).
std::string whyNot(func::FuncOp func, ModuleOp module,
                   const llvm::DenseSet<StringRef> &regions) {
  bool device = false;
  std::string why;
  func.walk([&](Operation *op) {
    if (isa<gpu::LaunchFuncOp>(op))
      device = true;
    auto call = dyn_cast<func::CallOp>(op);
    if (!call)
      return WalkResult::advance();
    StringRef callee = call.getCallee();
    if (callee == "loom_gpu_read") {
      why = "a decision on the host";
      return WalkResult::interrupt();
    }
    device |= isDeviceCall(callee) || regions.contains(callee);
    auto target = module.lookupSymbol<func::FuncOp>(callee);
    if (target && !target.isDeclaration() && !loom::isDeallocHelper(target) &&
        !regions.contains(callee)) {
      why = "it calls @" + callee.str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (!why.empty())
    return why;
  if (!device)
    return "no device work";
  for (Type type : func.getArgumentTypes())
    if (!isa<MemRefType, IntegerType, IndexType, FloatType>(type))
      return "an argument of another type";
  if (!func.getBody().hasOneBlock())
    return "control flow across blocks";
  return "";
}

func::FuncOp declare(OpBuilder &b, ModuleOp module, StringRef name,
                     FunctionType type) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), name, type);
  f.setPrivate();
  return f;
}

/// The region's key: each memref argument's dynamic dims, each scalar.
SmallVector<Value> keyOf(OpBuilder &b, Location loc, func::FuncOp func) {
  SmallVector<Value> key;
  Type i64 = b.getI64Type();
  for (BlockArgument arg : func.getArguments()) {
    Type type = arg.getType();
    if (auto memref = dyn_cast<MemRefType>(type)) {
      for (int64_t d = 0; d < memref.getRank(); ++d)
        if (memref.isDynamicDim(d)) {
          Value dim = memref::DimOp::create(b, loc, arg, d);
          key.push_back(arith::IndexCastOp::create(b, loc, i64, dim));
        }
    } else if (isa<IndexType>(type)) {
      key.push_back(arith::IndexCastOp::create(b, loc, i64, arg));
    } else if (auto integer = dyn_cast<IntegerType>(type)) {
      if (integer.getWidth() == 64)
        key.push_back(arg);
      else if (integer.getWidth() < 64)
        key.push_back(arith::ExtUIOp::create(b, loc, i64, arg));
    } else if (auto f = dyn_cast<FloatType>(type)) {
      unsigned width = f.getWidth();
      if (width > 64)
        continue;
      Value bits =
          arith::BitcastOp::create(b, loc, b.getIntegerType(width), arg);
      key.push_back(width == 64 ? bits
                                : arith::ExtUIOp::create(b, loc, i64, bits));
    }
  }
  return key;
}

struct GpuGraphRegionsPass
    : public loom::impl::GpuGraphRegionsPassBase<GpuGraphRegionsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    OpBuilder b(&getContext());
    Type i64 = b.getI64Type();
    SmallVector<func::FuncOp> regions;
    SmallVector<Attribute> driven;
    // The regions, callers after their callees (a DyCL host whose decisions
    // the device takes calls its subgraphs' regions).
    llvm::DenseSet<StringRef> static_;
    for (bool grew = true; grew;) {
      grew = false;
      for (auto func : module.getOps<func::FuncOp>())
        if (!func.isDeclaration() && !loom::isDeallocHelper(func) &&
            !static_.contains(func.getSymName()) &&
            whyNot(func, module, static_).empty()) {
          static_.insert(func.getSymName());
          grew = true;
        }
    }
    for (auto func :
         llvm::make_early_inc_range(module.getOps<func::FuncOp>())) {
      if (func.isDeclaration() || loom::isDeallocHelper(func))
        continue;
      std::string why = whyNot(func, module, static_);
      if (why.empty()) {
        regions.push_back(func);
        continue;
      }
      if (why != "no device work")
        driven.push_back(
            b.getStringAttr("@" + func.getSymName().str() + " (" + why + ")"));
    }
    func::FuncOp begin = declare(b, module, "loom_gpu_region_begin",
                                 b.getFunctionType({i64, i64, i64}, {}));
    func::FuncOp end = declare(b, module, "loom_gpu_region_end",
                               b.getFunctionType({i64}, {b.getI32Type()}));
    SmallVector<Attribute> names;
    int64_t site = 0;
    for (func::FuncOp func : regions) {
      ++site;
      names.push_back(b.getStringAttr("@" + func.getSymName().str()));
      Location loc = func.getLoc();
      // The body, as it was, in a function of its own.
      b.setInsertionPointAfter(func);
      auto body = func::FuncOp::create(
          b, loc, (func.getSymName() + ".graph_body").str(),
          func.getFunctionType());
      body.setPrivate();
      body.getBody().takeBody(func.getBody());
      Block *entry = func.addEntryBlock();
      b.setInsertionPointToStart(entry);
      SmallVector<Value> key = keyOf(b, loc, func);
      int64_t count = static_cast<int64_t>(key.size());
      auto keyType = MemRefType::get({std::max<int64_t>(count, 1)}, i64);
      Value keyBuffer = memref::AllocaOp::create(b, loc, keyType);
      for (auto [i, value] : llvm::enumerate(key)) {
        Value at = arith::ConstantIndexOp::create(b, loc, i);
        memref::StoreOp::create(b, loc, value, keyBuffer, at);
      }
      Value address = arith::IndexCastOp::create(
          b, loc, i64,
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, keyBuffer));
      auto constant = [&](int64_t v) {
        return arith::ConstantIntOp::create(b, loc, i64, v).getResult();
      };
      Value siteValue = constant(site);
      func::CallOp::create(b, loc, begin,
                           ValueRange{siteValue, address, constant(count)});
      auto first = func::CallOp::create(b, loc, body, entry->getArguments());
      Value again =
          func::CallOp::create(b, loc, end, ValueRange{siteValue}).getResult(0);
      Value zero = arith::ConstantIntOp::create(b, loc, b.getI32Type(), 0);
      Value twice =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, again, zero);
      auto branch = scf::IfOp::create(b, loc, func.getResultTypes(), twice,
                                      /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&branch.getThenRegion().front());
        auto second = func::CallOp::create(b, loc, body, entry->getArguments());
        func::CallOp::create(b, loc, end, ValueRange{siteValue});
        // (Without results the blocks have their yields already.)
        if (!func.getResultTypes().empty()) {
          scf::YieldOp::create(b, loc, second.getResults());
          b.setInsertionPointToStart(&branch.getElseRegion().front());
          scf::YieldOp::create(b, loc, first.getResults());
        }
      }
      func::ReturnOp::create(b, loc, branch.getResults());
    }
    module->setAttr(
        "loom.gpu_graphs",
        b.getDictionaryAttr(
            {b.getNamedAttr("regions", b.getArrayAttr(names)),
             b.getNamedAttr("host_driven", b.getArrayAttr(driven))}));
  }
};

} // namespace
