//===- EmitHostEntry.cpp - The C entry point of a lowered model -----------===//
//
// Part of Loom. After lowering to the LLVM dialect, `loom_kernel` takes each
// memref as its expanded descriptor (allocated, aligned, offset, sizes,
// strides) and returns its results' descriptors in a struct. This pass wraps
// it in `void loom_model_entry(void **inputs, void **outputs)`, where each
// pointer points to a descriptor laid out as MLIR's StridedMemRefType, and
// exports the signature text as `loom_model_signature`.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace loom {
#define GEN_PASS_DEF_EMITHOSTENTRYPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

struct EmitHostEntryPass
    : loom::impl::EmitHostEntryPassBase<EmitHostEntryPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto signature = module->getAttrOfType<StringAttr>("loom.signature");
    auto inputRanks =
        module->getAttrOfType<DenseI64ArrayAttr>("loom.input_ranks");
    auto outputRanks =
        module->getAttrOfType<DenseI64ArrayAttr>("loom.output_ranks");
    auto kernel = module.lookupSymbol<LLVM::LLVMFuncOp>("loom_kernel");
    if (!signature || !inputRanks || !outputRanks || !kernel) {
      module.emitError("needs loom-export-signature's attributes and an "
                       "llvm.func @loom_kernel");
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    Location loc = kernel.getLoc();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);

    // The signature, NUL-terminated, as an exported constant.
    std::string text = signature.str();
    text.push_back('\0');
    LLVM::GlobalOp::create(
        b, loc, LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), text.size()),
        /*isConstant=*/true, LLVM::Linkage::External, "loom_model_signature",
        b.getStringAttr(text));

    auto entry = LLVM::LLVMFuncOp::create(
        b, loc, "loom_model_entry",
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr, ptr}));
    Block *block = entry.addEntryBlock(b);
    b.setInsertionPointToStart(block);
    Value inputs = block->getArgument(0), outputs = block->getArgument(1);
    // Word `index` (8 bytes each) of the descriptor at `base`.
    auto word = [&](Value base, int64_t index) -> Value {
      return LLVM::GEPOp::create(b, loc, ptr, i64, base,
                                 ArrayRef<LLVM::GEPArg>{index});
    };
    auto slot = [&](Value array, int64_t index) -> Value {
      Value at = LLVM::GEPOp::create(b, loc, ptr, ptr, array,
                                     ArrayRef<LLVM::GEPArg>{index});
      return LLVM::LoadOp::create(b, loc, ptr, at);
    };
    SmallVector<Value> args;
    for (auto [i, rank] : llvm::enumerate(inputRanks.asArrayRef())) {
      Value desc = slot(inputs, i);
      args.push_back(LLVM::LoadOp::create(b, loc, ptr, word(desc, 0)));
      args.push_back(LLVM::LoadOp::create(b, loc, ptr, word(desc, 1)));
      for (int64_t w = 2; w < 3 + 2 * rank; ++w)
        args.push_back(LLVM::LoadOp::create(b, loc, i64, word(desc, w)));
    }
    if (args.size() != kernel.getNumArguments()) {
      kernel.emitError("takes ") << kernel.getNumArguments()
                                 << " arguments, but its inputs' descriptors "
                                    "give "
                                 << args.size();
      return signalPassFailure();
    }
    auto call = LLVM::CallOp::create(b, loc, kernel, args);
    ArrayRef<int64_t> ranks = outputRanks.asArrayRef();
    for (auto [i, rank] : llvm::enumerate(ranks)) {
      Value result = call.getResult();
      if (ranks.size() > 1)
        result = LLVM::ExtractValueOp::create(b, loc, result,
                                              ArrayRef<int64_t>{(int64_t)i});
      Value desc = slot(outputs, i);
      auto store = [&](ArrayRef<int64_t> position, int64_t w) {
        Value v = LLVM::ExtractValueOp::create(b, loc, result, position);
        LLVM::StoreOp::create(b, loc, v, word(desc, w));
      };
      store({0}, 0);
      store({1}, 1);
      store({2}, 2);
      for (int64_t d = 0; d < rank; ++d) {
        store({3, d}, 3 + d);
        store({4, d}, 3 + rank + d);
      }
    }
    LLVM::ReturnOp::create(b, loc, ValueRange{});
    // The kernel is only called from here: let LLVM inline it.
    kernel.setLinkage(LLVM::Linkage::Internal);
  }
};

} // namespace
