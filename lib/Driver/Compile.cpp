//===- Compile.cpp - loomc's phases and artefacts -------------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Compile.h"
#include "loom/Support/Refusal.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace loom {

/// Saves `module` and prints the command that reruns `pm` on it.
static void printReproducer(ModuleOp module, const PassManager &pm) {
  std::string pipeline;
  llvm::raw_string_ostream os(pipeline);
  pm.printAsTextualPipeline(os);
  llvm::SmallString<128> path;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("loomc-reproducer", "mlir", fd,
                                         path)) {
    llvm::errs() << "loomc: note: reproduce with: loom-opt -p '" << pipeline
                 << "' on the module before the phase (--dump-dir)\n";
    return;
  }
  llvm::raw_fd_ostream file(fd, /*shouldClose=*/true);
  module.print(file, OpPrintingFlags().enableDebugInfo());
  llvm::errs() << "loomc: note: reproduce with: loom-opt -p '" << pipeline
               << "' " << path << "\n";
}

LogicalResult runPhases(ModuleOp module, const PipelineOptions &options,
                        llvm::StringRef dumpDir,
                        llvm::function_ref<void(llvm::StringRef)> onPhase) {
  if (!dumpDir.empty()) {
    if (std::error_code ec = llvm::sys::fs::create_directories(dumpDir)) {
      module.emitError("cannot create --dump-dir ")
          << dumpDir << ": " << ec.message();
      return failure();
    }
  }
  auto dump = [&](unsigned index, llvm::StringRef phase) -> LogicalResult {
    if (dumpDir.empty())
      return success();
    llvm::SmallString<256> path(dumpDir);
    llvm::sys::path::append(path, std::to_string(index) + "-" + phase.str() +
                                      ".mlir");
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    if (ec)
      return module.emitError("cannot write ") << path << ": " << ec.message();
    module.print(os, OpPrintingFlags().elideLargeResourceString(64));
    return success();
  };
  if (failed(dump(0, "input")))
    return failure();
  unsigned index = 0;
  for (Phase phase : getPhases()) {
    if (options.compileTo < phase)
      break;
    PassManager pm = PassManager::on<ModuleOp>(module.getContext());
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    buildPhasePipeline(pm, phase, options);
    OwningOpRef<ModuleOp> before = module.clone();
    unsigned refusals = getRefusalCount();
    if (failed(pm.run(module))) {
      // A model refused (an op with no lowering yet...) is explained by
      // its message; a reproducer is for the compiler's own failures.
      if (getRefusalCount() == refusals)
        printReproducer(*before, pm);
      return failure();
    }
    onPhase(getPhaseName(phase));
    if (failed(dump(++index, getPhaseName(phase))))
      return failure();
  }
  return success();
}

void printSubgraphs(ModuleOp module, llvm::raw_ostream &os) {
  llvm::DenseMap<StringAttr, unsigned> calls;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func->hasAttr("loom.host"))
      continue;
    llvm::StringMap<unsigned> control;
    func.walk([&](Operation *op) {
      if (auto call = dyn_cast<func::CallOp>(op))
        ++calls[call.getCalleeAttr().getAttr()];
      else if (op->getNumRegions() && op != func.getOperation())
        ++control[op->getName().getStringRef()];
    });
    os << "split: host @" << func.getSymName() << ":";
    for (const auto &entry : control)
      os << " " << entry.getValue() << " " << entry.getKey();
    os << "\n";
  }
  unsigned count = 0;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func->hasAttr("loom.subgraph"))
      continue;
    ++count;
    unsigned ops = 0;
    func.walk(
        [&](Operation *op) { ops += !isa<func::FuncOp, func::ReturnOp>(op); });
    os << llvm::formatv("split: @{0}: {1} ops, {2} call(s), from ",
                        func.getSymName(), ops,
                        calls.lookup(func.getSymNameAttr()));
    if (auto origins = func->getAttrOfType<ArrayAttr>("loom.origins"))
      llvm::interleave(origins.getAsValueRange<StringAttr>(), os, "; ");
    os << "\n";
  }
  os << "split: " << count << " subgraph(s)\n";
}

/// `N what (a, b, ...)` for the strings of `list` (none: `0 what`).
static void printList(llvm::raw_ostream &os, ArrayAttr list,
                      llvm::StringRef what, llvm::StringRef separator) {
  os << (list ? list.size() : 0);
  if (!what.empty())
    os << " " << what;
  if (!list || list.empty())
    return;
  os << " (";
  llvm::interleave(list.getAsValueRange<StringAttr>(), os, separator);
  os << ")";
}

void printGpuKernels(ModuleOp module, llvm::raw_ostream &os) {
  auto census = module->getAttrOfType<DictionaryAttr>("loom.gpu_kernels");
  if (!census)
    return;
  auto count = census.getAs<IntegerAttr>("count");
  auto serial = census.getAs<ArrayAttr>("serial");
  os << "cuda: " << (count ? count.getInt() : 0) << " kernel(s), "
     << (serial ? serial.size() : 0)
     << " serial (one thread, more than a warp's work)";
  if (serial && !serial.empty()) {
    os << ":";
    llvm::interleave(serial.getAsValueRange<StringAttr>(), os, ";");
  }
  auto products = census.getAs<IntegerAttr>("cublaslt");
  auto convolutions = census.getAs<IntegerAttr>("cudnn");
  os << "; library calls: " << (products ? products.getInt() : 0)
     << " cuBLASLt, " << (convolutions ? convolutions.getInt() : 0)
     << " cuDNN\n";
  if (auto graphs = module->getAttrOfType<DictionaryAttr>("loom.gpu_graphs")) {
    os << "cuda graphs: ";
    printList(os, graphs.getAs<ArrayAttr>("regions"),
              "static region(s), each captured once per shape", ", ");
    os << "; host-driven: ";
    printList(os, graphs.getAs<ArrayAttr>("host_driven"), "", "; ");
    os << "\n";
  }
  if (auto decisions =
          module->getAttrOfType<DictionaryAttr>("loom.device_decisions")) {
    os << "cuda decisions on the device: ";
    printList(os, decisions.getAs<ArrayAttr>("conditional"), "host function(s)",
              "; ");
    os << "; on the host: ";
    printList(os, decisions.getAs<ArrayAttr>("host_driven"), "", "; ");
    os << "\n";
  }
}

LogicalResult emitArtefact(ModuleOp module, ArtefactEmit emit,
                           llvm::StringRef output,
                           const CPUTargetOptions &target) {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::Module> llvmModule =
      translateToLLVMIR(module, context, target);
  if (!llvmModule)
    return failure();
  std::error_code ec;
  if (emit == ArtefactEmit::LLVMIR) {
    llvm::ToolOutputFile file(output, ec, llvm::sys::fs::OF_Text);
    if (ec)
      return module.emitError("cannot write ")
             << output << ": " << ec.message();
    llvmModule->print(file.os(), nullptr);
    file.keep();
    return success();
  }
  // The object goes to `output` itself or, for linked artefacts, to a
  // temporary file removed afterwards.
  llvm::SmallString<128> objectPath(output);
  if (emit != ArtefactEmit::Object) {
    int fd;
    if (llvm::sys::fs::createTemporaryFile("loomc-model", "o", fd, objectPath))
      return module.emitError("cannot create a temporary object file");
    llvm::sys::Process::SafelyCloseFileDescriptor(fd);
  }
  std::string error;
  {
    llvm::ToolOutputFile object(objectPath, ec, llvm::sys::fs::OF_None);
    if (ec)
      return module.emitError("cannot write ")
             << objectPath << ": " << ec.message();
    if (failed(emitObjectFile(*llvmModule, target, object.os(), error)))
      return module.emitError(error);
    object.keep();
  }
  if (emit == ArtefactEmit::Object)
    return success();
  llvm::scope_exit removeObject([&] { llvm::sys::fs::remove(objectPath); });
  ArtefactKind kind = emit == ArtefactEmit::Library
                          ? ArtefactKind::SharedLibrary
                          : ArtefactKind::Executable;
  if (failed(linkArtefact(objectPath, output, kind, target, error)))
    return module.emitError(error);
  if (emit == ArtefactEmit::Library) {
    llvm::SmallString<128> header(output);
    llvm::sys::path::replace_extension(header, "h");
    auto signature = module->getAttrOfType<StringAttr>("loom.signature");
    if (failed(writeLibraryHeader(header, llvm::sys::path::filename(output),
                                  signature ? signature.getValue() : "",
                                  error)))
      return module.emitError(error);
  }
  return success();
}

} // namespace loom
