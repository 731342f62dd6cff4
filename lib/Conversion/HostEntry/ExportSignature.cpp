//===- ExportSignature.cpp - Record a model's interface before lowering ---===//
//
// Part of Loom. The text format is documented in docs/runtime-abi.md and
// parsed by runtime/src/Model.cpp:
//
//   loom-model 2
//   input <name> <dtype> <rank> <dim>...
//   output <name> <dtype> <rank> <dim>...
//
// Names are %XX-escaped; a dim is a size, `?` or `?<name>`.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphDialect.h"
#include "loom/Conversion/Passes.h"
#include "loom/Conversion/RuntimeSites.h"
#include "loom/Support/Refusal.h"

#include "llvm/ADT/StringExtras.h"

namespace loom {
#define GEN_PASS_DEF_EXPORTSIGNATUREPASS
#include "loom/Conversion/Passes.h.inc"
} // namespace loom

using namespace mlir;

namespace {

struct ExportSignaturePass
    : loom::impl::ExportSignaturePassBase<ExportSignaturePass> {
  using ExportSignaturePassBase::ExportSignaturePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    func::FuncOp entryFunc;
    for (auto func : module.getOps<func::FuncOp>()) {
      bool matches = entry.empty() ? func.isPublic() && !func.isDeclaration()
                                   : func.getSymName() == entry;
      if (!matches)
        continue;
      if (entryFunc) {
        module.emitError("has more than one public function; name the entry "
                         "with entry=");
        return signalPassFailure();
      }
      entryFunc = func;
    }
    if (!entryFunc) {
      module.emitError("has no entry function")
          << (entry.empty() ? std::string() : " named '" + entry + "'");
      return signalPassFailure();
    }
    std::string text = "loom-model 2\n";
    SmallVector<int64_t> inputRanks, outputRanks;
    auto describe = [&](StringRef kind, unsigned index, Type type,
                        DictionaryAttr attrs,
                        SmallVectorImpl<int64_t> &ranks) -> LogicalResult {
      auto nameAttr =
          attrs ? attrs.getAs<StringAttr>("graph.name") : StringAttr();
      std::string name =
          nameAttr ? nameAttr.str() : (kind + std::to_string(index)).str();
      auto tensor = dyn_cast<RankedTensorType>(type);
      int code = tensor ? loom::getDTypeCode(tensor.getElementType()) : 0;
      if (!code)
        return loom::emitRefusal(entryFunc.getLoc())
               << kind << " '" << name << "' has type " << type
               << ": compiled models take and give ranked tensors of numbers "
                  "or bools";
      auto dimNames =
          attrs ? attrs.getAs<ArrayAttr>("graph.dim_names") : ArrayAttr();
      text += (kind + " " + loom::escapeSignatureName(name) + " " +
               std::to_string(code) + " " + std::to_string(tensor.getRank()))
                  .str();
      for (auto [d, size] : llvm::enumerate(tensor.getShape())) {
        if (!ShapedType::isDynamic(size)) {
          text += " " + std::to_string(size);
          continue;
        }
        StringRef dimName;
        if (dimNames && d < dimNames.size())
          if (auto s = dyn_cast<StringAttr>(dimNames[d]))
            dimName = s.getValue();
        text += " ?" + (dimName.empty() ? std::string()
                                        : loom::escapeSignatureName(dimName));
      }
      text += "\n";
      ranks.push_back(tensor.getRank());
      return success();
    };
    FunctionType type = entryFunc.getFunctionType();
    for (auto [i, input] : llvm::enumerate(type.getInputs()))
      if (failed(describe("input", i, input, entryFunc.getArgAttrDict(i),
                          inputRanks)))
        return signalPassFailure();
    for (auto [i, result] : llvm::enumerate(type.getResults()))
      if (failed(describe("output", i, result, entryFunc.getResultAttrDict(i),
                          outputRanks)))
        return signalPassFailure();
    // The names now live in the signature; LLVM would not know the
    // attributes.
    // The caller's input buffers are read-only (docs/runtime-abi.md): an op
    // that would write in place into one (a convolution accumulating into
    // a residual input) gets a copy from bufferization instead.
    Builder b(module.getContext());
    for (unsigned i = 0; i < entryFunc.getNumArguments(); ++i)
      entryFunc.setArgAttrs(
          i, ArrayRef<NamedAttribute>{b.getNamedAttr("bufferization.writable",
                                                     b.getBoolAttr(false))});
    for (unsigned i = 0; i < entryFunc.getNumResults(); ++i)
      entryFunc.setResultAttrs(i, ArrayRef<NamedAttribute>{});
    module->setAttr("loom.signature", b.getStringAttr(text));
    module->setAttr("loom.input_ranks", b.getDenseI64ArrayAttr(inputRanks));
    module->setAttr("loom.output_ranks", b.getDenseI64ArrayAttr(outputRanks));
    if (failed(SymbolTable::replaceAllSymbolUses(entryFunc.getSymNameAttr(),
                                                 b.getStringAttr("loom_kernel"),
                                                 module)))
      return signalPassFailure();
    SymbolTable::setSymbolName(entryFunc, "loom_kernel");
    entryFunc.setPrivate();
  }
};

} // namespace
