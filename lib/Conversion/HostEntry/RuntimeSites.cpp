//===- RuntimeSites.cpp - What compiled code tells the runtime about an op ===//
//
// Part of Loom. See include/loom/Conversion/RuntimeSites.h.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/RuntimeSites.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/xxhash.h"

using namespace mlir;

namespace loom {

std::pair<std::string, std::string> getNodeAndOpType(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (auto op = dyn_cast<NameLoc>(name.getChildLoc()))
      return {name.getName().str(), op.getName().str()};
    return getNodeAndOpType(name.getChildLoc());
  }
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location part : fused.getLocations()) {
      auto found = getNodeAndOpType(part);
      if (!found.second.empty())
        return found;
    }
    return {};
  }
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return getNodeAndOpType(call.getCallee());
  return {};
}

static std::string clean(llvm::StringRef text) {
  std::string out = text.str();
  for (char &c : out)
    if (c == '\t' || c == '\n' || c == '\0')
      c = ' ';
  return out;
}

std::string formatRuntimeSite(Location loc, int kind, int64_t operand,
                              llvm::StringRef message) {
  auto [node, op] = getNodeAndOpType(loc);
  return std::to_string(kind) + "\t" + clean(node) + "\t" + clean(op) + "\t" +
         (operand >= 0 ? std::to_string(operand) : std::string()) + "\t" +
         clean(message);
}

Value getConstantString(OpBuilder &b, Location loc, ModuleOp module,
                        llvm::StringRef text) {
  std::string name =
      "__loom_site_" + llvm::utohexstr(llvm::xxh3_64bits(text), true);
  auto global = module.lookupSymbol<LLVM::GlobalOp>(name);
  if (!global) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    std::string data = text.str();
    data.push_back('\0');
    global = LLVM::GlobalOp::create(
        b, loc,
        LLVM::LLVMArrayType::get(IntegerType::get(b.getContext(), 8),
                                 data.size()),
        /*isConstant=*/true, LLVM::Linkage::Private, name,
        b.getStringAttr(data));
  }
  return LLVM::AddressOfOp::create(b, loc, global);
}

LogicalResult nameAllocations(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  auto ptr = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  auto voidType = LLVM::LLVMVoidType::get(ctx);
  // MLIR's function, the runtime's, and the runtime's type.
  struct Rename {
    llvm::StringRef from, to;
    LLVM::LLVMFunctionType type;
  };
  Rename renames[] = {{"_mlir_memref_to_llvm_alloc", "loom_rt_alloc",
                       LLVM::LLVMFunctionType::get(ptr, {i64, ptr})},
                      {"_mlir_memref_to_llvm_aligned_alloc",
                       "loom_rt_aligned_alloc",
                       LLVM::LLVMFunctionType::get(ptr, {i64, i64, ptr})},
                      {"_mlir_memref_to_llvm_free", "loom_rt_free",
                       LLVM::LLVMFunctionType::get(voidType, {ptr})}};
  for (const Rename &rename : renames) {
    auto from = module.lookupSymbol<LLVM::LLVMFuncOp>(rename.from);
    if (!from)
      continue;
    auto to = module.lookupSymbol<LLVM::LLVMFuncOp>(rename.to);
    if (!to) {
      b.setInsertionPoint(from);
      to = LLVM::LLVMFuncOp::create(b, from.getLoc(), rename.to, rename.type);
    }
    if (to.getFunctionType() != rename.type)
      return to.emitError("clashes with the runtime's ") << rename.to;
    bool passesSite =
        rename.type.getNumParams() > 1 && rename.type.getParams().back() == ptr;
    SmallVector<LLVM::CallOp> calls;
    module.walk([&](LLVM::CallOp call) {
      if (call.getCallee() == rename.from)
        calls.push_back(call);
    });
    for (LLVM::CallOp call : calls) {
      b.setInsertionPoint(call);
      SmallVector<Value> args(call.getArgOperands());
      if (passesSite)
        args.push_back(getConstantString(
            b, call.getLoc(), module,
            formatRuntimeSite(call.getLoc(), /*LOOM_CHECK_MEMORY=*/5, -1, "")));
      auto replacement = LLVM::CallOp::create(b, call.getLoc(), to, args);
      call.replaceAllUsesWith(replacement.getResults());
      call.erase();
    }
    from.erase();
  }
  return success();
}

int getDTypeCode(Type type) {
  if (type.isF32())
    return 1;
  if (type.isF64())
    return 11;
  if (type.isF16())
    return 10;
  if (type.isBF16())
    return 16;
  auto integer = dyn_cast<IntegerType>(type);
  if (!integer)
    return 0;
  bool isUnsigned = integer.isUnsigned();
  switch (integer.getWidth()) {
  case 1:
    return 9;
  case 8:
    return isUnsigned ? 2 : 3;
  case 16:
    return isUnsigned ? 4 : 5;
  case 32:
    return isUnsigned ? 12 : 6;
  case 64:
    return isUnsigned ? 13 : 7;
  default:
    return 0;
  }
}

std::string escapeSignatureName(StringRef name) {
  std::string out;
  for (char c : name) {
    if (llvm::isAlnum(c) || StringRef("_.:/-[]").contains(c))
      out += c;
    else
      out += "%" + llvm::utohexstr(static_cast<unsigned char>(c), false, 2);
  }
  return out.empty() ? "%00" : out;
}

} // namespace loom
