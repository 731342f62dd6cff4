//===- Loomc.cpp - The loomc compiler driver ------------------------------===//
//
// Part of Loom. Imports a model, runs Loom's pipeline up to a phase, and
// writes the result. Every failure is one message on stderr and exit code 1.
//
//===----------------------------------------------------------------------===//

#include "loom/Driver/Loomc.h"
#include "OpsReport.h"

#include "loom/Frontend/ONNX/ONNXImporter.h"
#include "loom/InitLoom.h"
#include "loom/Pipelines/Pipelines.h"
#include "loom/Version.h"

#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;
namespace cl = llvm::cl;

namespace loom {
namespace {

enum class Emit { Graph };
enum class ListOps { None, Text, Markdown };

/// loomc's command line. Built inside loomcMain so that the options exist
/// only while it runs.
struct Options {
  cl::OptionCategory category{"loomc options"};
  cl::opt<std::string> input{cl::Positional, cl::desc("<model.onnx | ->"),
                             cl::cat(category)};
  cl::opt<std::string> output{"o", cl::desc("Output file ('-': stdout)"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::cat(category)};
  cl::opt<Emit> emit{"emit", cl::desc("What to write"), cl::init(Emit::Graph),
                     cl::values(clEnumValN(Emit::Graph, "graph",
                                           "The graph-dialect module (MLIR)")),
                     cl::cat(category)};
  cl::opt<bool> emitBytecode{"emit-bytecode",
                             cl::desc("Write MLIR bytecode instead of text"),
                             cl::cat(category)};
  cl::opt<Phase> compileTo{
      "compile-to", cl::desc("The last phase to run"), cl::init(Phase::Input),
      cl::values(clEnumValN(Phase::Input, "input", "The model as imported"),
                 clEnumValN(Phase::Graph, "graph",
                            "Graph-level shape inference and cleanup")),
      cl::cat(category)};
  cl::list<std::string> inputShapes{
      "input-shape",
      cl::desc("Fix the dims of a graph input, e.g. x:1x3x224x224 ('?' "
               "keeps a dim dynamic); symbolic dims fixed this way are fixed "
               "everywhere they appear. Repeatable"),
      cl::value_desc("name:dims"), cl::cat(category)};
  cl::opt<bool> elideWeights{
      "elide-weights",
      cl::desc("Print weight blobs as __elided__ (the output cannot be "
               "compiled further)"),
      cl::cat(category)};
  cl::opt<bool> printLocations{
      "print-locations",
      cl::desc("Print each op's location (its ONNX node and op type)"),
      cl::cat(category)};
  cl::opt<int64_t> graphMaxRewrites{
      "graph-max-rewrites",
      cl::desc("Bound on graph-cleanup's rewrites (-1: none)"), cl::init(-1),
      cl::cat(category)};
  cl::opt<bool> graphRequireConvergence{
      "graph-require-convergence",
      cl::desc("Fail when graph-cleanup stops before a fixed point"),
      cl::cat(category)};
  cl::opt<bool> verbose{"v", cl::desc("Print the time each phase takes"),
                        cl::cat(category)};
  cl::opt<ListOps> listOps{
      "list-ops",
      cl::desc("Print the ONNX ops loomc imports, with their opsets, and "
               "exit"),
      cl::ValueOptional,
      cl::init(ListOps::None),
      cl::values(clEnumValN(ListOps::Text, "", "One op a line"),
                 clEnumValN(ListOps::Text, "text", "One op a line"),
                 clEnumValN(ListOps::Markdown, "markdown",
                            "The Markdown page docs/onnx-ops.md")),
      cl::cat(category)};
};

/// Prints phase timings for -v.
class PhaseTimer {
public:
  explicit PhaseTimer(bool enabled) : enabled(enabled) {}
  void done(llvm::StringRef phase) {
    auto now = std::chrono::steady_clock::now();
    if (enabled)
      llvm::errs() << llvm::formatv(
          "loomc: {0,-10} {1,8:f1} ms\n", phase,
          std::chrono::duration<double, std::milli>(now - last).count());
    last = now;
  }

private:
  bool enabled;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};

/// Parses `name:1x3x?x224` into the import options.
LogicalResult parseInputShape(llvm::StringRef spec,
                              onnx::ImportOptions &options) {
  size_t colon = spec.rfind(':');
  auto fail = [&] {
    llvm::errs() << "loomc: error: --input-shape '" << spec
                 << "': expected NAME:DIMS such as x:1x3x224x224\n";
    return failure();
  };
  if (colon == llvm::StringRef::npos || colon == 0)
    return fail();
  llvm::StringRef name = spec.take_front(colon);
  llvm::StringRef dimsText = spec.drop_front(colon + 1);
  llvm::SmallVector<int64_t> dims;
  if (!dimsText.empty()) {
    llvm::SmallVector<llvm::StringRef> parts;
    dimsText.split(parts, 'x');
    for (llvm::StringRef part : parts) {
      int64_t dim;
      if (part == "?")
        dim = ShapedType::kDynamic;
      else if (part.getAsInteger(10, dim) || dim < 0)
        return fail();
      dims.push_back(dim);
    }
  }
  if (!options.inputShapes.try_emplace(name, dims).second) {
    llvm::errs() << "loomc: error: --input-shape names '" << name
                 << "' twice\n";
    return failure();
  }
  return success();
}

/// Prints diagnostics as "loomc: error: <where>: <message>".
LogicalResult printDiagnostic(Diagnostic &diag) {
  llvm::raw_ostream &os = llvm::errs();
  os << "loomc: ";
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << "error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << "warning: ";
    break;
  case DiagnosticSeverity::Note:
    os << "note: ";
    break;
  case DiagnosticSeverity::Remark:
    os << "remark: ";
    break;
  }
  Location loc = diag.getLocation();
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    os << file.getFilename().getValue() << ": ";
  else if (!isa<UnknownLoc>(loc))
    os << loc << ": ";
  os << diag.str() << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
  return success();
}

/// Writes `module` (as it was before the failed pipeline) beside a command
/// that reproduces the failure.
void printReproducer(ModuleOp module, const PassManager &pm) {
  std::string pipeline;
  llvm::raw_string_ostream os(pipeline);
  pm.printAsTextualPipeline(os);
  llvm::SmallString<128> path;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("loomc-reproducer", "mlir", fd,
                                         path)) {
    llvm::errs() << "loomc: note: reproduce with: loom-opt -p '" << pipeline
                 << "' on the imported module (--compile-to=input)\n";
    return;
  }
  llvm::raw_fd_ostream file(fd, /*shouldClose=*/true);
  module.print(file, OpPrintingFlags().enableDebugInfo());
  llvm::errs() << "loomc: note: reproduce with: loom-opt -p '" << pipeline
               << "' " << path << "\n";
}

} // namespace

int loomcMain(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  Options options;
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "Loom version " << LOOM_VERSION_STRING << " (LLVM/MLIR "
       << LOOM_LLVM_VERSION_STRING << ")\n";
  });
  cl::HideUnrelatedOptions(options.category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "loomc: the Loom compiler\n\n"
      "  loomc model.onnx --emit=graph -o model.mlir\n");

  if (options.listOps != ListOps::None) {
    printOpsReport(llvm::outs(), options.listOps == ListOps::Markdown);
    return 0;
  }
  if (options.input.empty()) {
    llvm::errs() << "loomc: error: no input model (see loomc --help)\n";
    return 1;
  }
  onnx::ImportOptions importOptions;
  for (const std::string &spec : options.inputShapes)
    if (failed(parseInputShape(spec, importOptions)))
      return 1;

  DialectRegistry registry;
  registerAllDialects(registry);
  onnx::registerImportDialects(registry);
  MLIRContext context(registry);
  // Diagnostics name the ONNX node; a dump of the op would bury that.
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler diagnostics(&context, printDiagnostic);
  PhaseTimer timer(options.verbose);

  OwningOpRef<ModuleOp> module =
      onnx::importONNXFile(options.input, &context, importOptions);
  if (!module)
    return 1;
  timer.done("import");

  PassManager pm = PassManager::on<ModuleOp>(&context);
  if (failed(applyPassManagerCLOptions(pm)))
    return 1;
  PipelineOptions pipelineOptions;
  pipelineOptions.compileTo = options.compileTo;
  pipelineOptions.graph.maxRewrites = options.graphMaxRewrites;
  pipelineOptions.graph.requireConvergence = options.graphRequireConvergence;
  buildLoomPipeline(pm, pipelineOptions);
  // Keep the module as it was, for a reproducer; resources are shared.
  OwningOpRef<ModuleOp> original = module->clone();
  if (failed(pm.run(*module))) {
    printReproducer(*original, pm);
    return 1;
  }
  timer.done(getPhaseName(options.compileTo));

  std::string errorMessage;
  auto output = openOutputFile(options.output, &errorMessage);
  if (!output) {
    llvm::errs() << "loomc: error: " << errorMessage << "\n";
    return 1;
  }
  if (options.emitBytecode) {
    if (failed(writeBytecodeToFile(*module, output->os()))) {
      llvm::errs() << "loomc: error: cannot write bytecode\n";
      return 1;
    }
  } else {
    OpPrintingFlags flags;
    if (options.elideWeights)
      flags.elideLargeResourceString(16);
    if (options.printLocations)
      flags.enableDebugInfo();
    module->print(output->os(), flags);
  }
  output->keep();
  timer.done("write");
  return 0;
}

} // namespace loom
