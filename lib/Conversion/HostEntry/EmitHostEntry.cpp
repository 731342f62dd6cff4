//===- EmitHostEntry.cpp - The C entry point of a lowered model -----------===//
//
// Part of Loom. After lowering to the LLVM dialect, `loom_kernel` takes each
// memref as its expanded descriptor (allocated, aligned, offset, sizes,
// strides) and returns its results' descriptors in a struct. This pass wraps
// it in ABI v2's entry point (runtime/include/loom/abi.h):
//
//   int32_t loom_model_entry(loom_run_context *, void **inputs,
//                            void **outputs)
//
// where each pointer points to a descriptor laid out as MLIR's
// StridedMemRefType. The entry runs the body (`loom_model_body`: unpack,
// call, store) through the runtime's loom_rt_invoke, which ends the run
// with a status when a check fails, and exports the signature text as
// `loom_model_signature`. It also names the node of every allocation:
// calls of MLIR's generic allocation functions become loom_rt_alloc calls
// that pass their op's site (the ONNX node), for out-of-memory messages.
//
//===----------------------------------------------------------------------===//

#include "loom/Conversion/Passes.h"
#include "loom/Conversion/RuntimeSites.h"

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

    if (failed(loom::nameAllocations(module)))
      return signalPassFailure();

    // void loom_model_body(void **closure): closure = {inputs, outputs}.
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    auto i32 = IntegerType::get(ctx, 32);
    auto body = LLVM::LLVMFuncOp::create(
        b, loc, "loom_model_body", LLVM::LLVMFunctionType::get(voidType, {ptr}),
        LLVM::Linkage::Internal);
    Block *block = body.addEntryBlock(b);
    b.setInsertionPointToStart(block);
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
    Value closure = block->getArgument(0);
    Value inputs = slot(closure, 0), outputs = slot(closure, 1);
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

    // int32_t loom_model_entry(ctx, inputs, outputs): the body, guarded.
    b.setInsertionPointToEnd(module.getBody());
    auto invokeType = LLVM::LLVMFunctionType::get(i32, {ptr, ptr, ptr});
    auto invoke = module.lookupSymbol<LLVM::LLVMFuncOp>("loom_rt_invoke");
    if (!invoke)
      invoke = LLVM::LLVMFuncOp::create(b, loc, "loom_rt_invoke", invokeType);
    if (invoke.getFunctionType() != invokeType) {
      invoke.emitError("clashes with the runtime's loom_rt_invoke");
      return signalPassFailure();
    }
    auto entry = LLVM::LLVMFuncOp::create(
        b, loc, "loom_model_entry",
        LLVM::LLVMFunctionType::get(i32, {ptr, ptr, ptr}));
    Block *entryBlock = entry.addEntryBlock(b);
    b.setInsertionPointToStart(entryBlock);
    Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
    auto pair = LLVM::LLVMArrayType::get(ptr, 2);
    Value frame = LLVM::AllocaOp::create(b, loc, ptr, pair, one);
    LLVM::StoreOp::create(b, loc, entryBlock->getArgument(1), frame);
    LLVM::StoreOp::create(b, loc, entryBlock->getArgument(2),
                          LLVM::GEPOp::create(b, loc, ptr, ptr, frame,
                                              ArrayRef<LLVM::GEPArg>{1}));
    Value bodyAddress = LLVM::AddressOfOp::create(b, loc, body);
    auto status = LLVM::CallOp::create(
        b, loc, invoke,
        ValueRange{entryBlock->getArgument(0), bodyAddress, frame});
    LLVM::ReturnOp::create(b, loc, status.getResult());
    // The kernel is only called from here: let LLVM inline it.
    kernel.setLinkage(LLVM::Linkage::Internal);
  }
};

} // namespace
