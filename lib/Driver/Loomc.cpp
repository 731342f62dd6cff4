//===- Loomc.cpp - The loomc compiler driver ------------------------------===//
//
// Part of Loom. Imports a model, runs Loom's pipeline up to a phase, and
// writes the result. Every failure is one message on stderr and exit code 1.
//
//===----------------------------------------------------------------------===//

#include "loom/Driver/Loomc.h"
#include "Compile.h"
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
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cmath>

using namespace mlir;
namespace cl = llvm::cl;

namespace loom {
namespace {

enum class Emit { Graph, MLIR, LLVM, Obj, Lib, Exe };
enum class ListOps { None, Text, Markdown };
enum class Toggle { On, Off };
enum class Graphs { On, Static, Off };

/// loomc's command line. Built inside loomcMain so that the options exist
/// only while it runs.
struct Options {
  cl::OptionCategory category{"loomc options"};
  cl::opt<std::string> input{cl::Positional, cl::desc("<model.onnx | ->"),
                             cl::cat(category)};
  cl::opt<std::string> output{
      "o",
      cl::desc("Output file ('-': stdout; default: stdout for text, the "
               "model's name for exe, with .so for lib and .o for obj)"),
      cl::value_desc("file"), cl::cat(category)};
  cl::opt<Emit> emit{
      "emit", cl::desc("What to write"), cl::init(Emit::Exe),
      cl::values(
          clEnumValN(Emit::Graph, "graph",
                     "The imported graph-dialect module (MLIR text; "
                     "--compile-to picks a later phase)"),
          clEnumValN(Emit::MLIR, "mlir",
                     "The module after --compile-to (default: llvm)"),
          clEnumValN(Emit::LLVM, "llvm", "Optimised LLVM IR"),
          clEnumValN(Emit::Obj, "obj", "An object file"),
          clEnumValN(Emit::Lib, "lib",
                     "A shared library and a C header beside it"),
          clEnumValN(Emit::Exe, "exe",
                     "An executable taking --input/--output files (default)")),
      cl::cat(category)};
  cl::opt<std::string> weightsFile{
      "weights-file",
      cl::desc("Where to write the weights (default: the artefact's name "
               "with .safetensors; none for text on stdout)"),
      cl::value_desc("file"), cl::cat(category)};
  cl::opt<bool> memoryPlan{
      "memory-plan",
      cl::desc("Place statically sized intermediates in one workspace per "
               "run (default: on)"),
      cl::init(true), cl::cat(category)};
  cl::opt<Target> target{
      "target", cl::desc("What the model runs on (default: cpu)"),
      cl::init(Target::CPU),
      cl::values(clEnumValN(Target::CPU, "cpu", "This host's CPU"),
                 clEnumValN(Target::CUDA, "cuda",
                            "An NVIDIA GPU, or the emulated device "
                            "(LOOM_DEVICE=emulated)")),
      cl::cat(category)};
  cl::list<std::string> gpuArch{
      "gpu-arch",
      cl::desc("GPU architectures to compile for (default: sm_80,sm_90)"),
      cl::CommaSeparated, cl::value_desc("sm_XY,..."), cl::cat(category)};
  cl::opt<std::string> precision{
      "precision",
      cl::desc("What GPU matrix products may round to: fp32 (default), tf32 "
               "or bf16"),
      cl::init("fp32"), cl::cat(category)};
  cl::opt<Graphs> cudaGraphs{
      "cuda-graphs",
      cl::desc("With --target=cuda: replay each static region (a DyCL "
               "subgraph, a model without control flow) as a CUDA graph, "
               "captured once per shape"),
      cl::values(
          clEnumValN(Graphs::On, "on",
                     "Graphs, a DyCL host's decisions in them as conditional "
                     "nodes where its control flow fits (the default)"),
          clEnumValN(Graphs::Static, "static",
                     "Graphs of the static regions only: decisions on the "
                     "host"),
          clEnumValN(Graphs::Off, "off",
                     "Launch kernel by kernel, as without graphs")),
      cl::init(Graphs::On), cl::cat(category)};
  cl::opt<std::string> cudaToolkit{
      "cuda-toolkit",
      cl::desc("The CUDA toolkit for ptxas and fatbinary (default: "
               "$CUDA_ROOT, else /usr/local/cuda; without it: PTX only)"),
      cl::value_desc("dir"), cl::cat(category)};
  cl::opt<std::string> gpuSeedBug{
      "gpu-seed-bug", cl::Hidden,
      cl::desc("For the emulated device's tests: generate a known kernel "
               "bug (missing-barrier, shuffle-offset, no-bounds-check)"),
      cl::cat(category)};
  cl::opt<std::string> dumpDir{
      "dump-dir", cl::desc("Write the module after every phase into DIR"),
      cl::value_desc("DIR"), cl::cat(category)};
  cl::opt<std::string> cpu{
      "cpu", cl::desc("The CPU to generate code for (default: this host's)"),
      cl::cat(category)};
  cl::opt<std::string> targetTriple{
      "target-triple", cl::desc("The target triple (default: this host's)"),
      cl::cat(category)};
  cl::opt<unsigned> optLevel{"O", cl::desc("LLVM optimisation level (0-3)"),
                             cl::init(3), cl::Prefix, cl::cat(category)};
  cl::opt<bool> kernelLibrary{
      "kernel-library",
      cl::desc("Compute f32 convolutions and matrix products with oneDNN "
               "(default; =false generates loops for them)"),
      cl::init(true), cl::cat(category)};
  cl::opt<Toggle> runtimeChecks{
      "runtime-checks",
      cl::desc("Check indices, run-time dims, sizes and integer divisors as "
               "the model runs, ending a run with one message that names the "
               "ONNX node, op, input and value (on, the default; off only to "
               "measure what the checks cost)"),
      cl::values(clEnumValN(Toggle::On, "on", "Check (the default)"),
                 clEnumValN(Toggle::Off, "off", "Do not check")),
      cl::init(Toggle::On), cl::cat(category)};
  cl::list<std::string> sanitize{
      "sanitize",
      cl::desc("Instrument the generated code and link the sanitizers' "
               "runtimes: address (AddressSanitizer), undefined (bounds "
               "checks on the accesses LLVM can size, trapping). A shared "
               "library needs the sanitizer runtime loaded by its host "
               "program (an instrumented one, or LD_PRELOAD)"),
      cl::CommaSeparated, cl::value_desc("address,undefined"),
      cl::cat(category)};
  cl::opt<bool> emitBytecode{"emit-bytecode",
                             cl::desc("Write MLIR bytecode instead of text"),
                             cl::cat(category)};
  cl::opt<Phase> compileTo{
      "compile-to",
      cl::desc("The last phase to run (with --emit=graph or mlir)"),
      cl::values(
          clEnumValN(Phase::Input, "input", "The model as imported"),
          clEnumValN(Phase::Graph, "graph",
                     "Graph-level shape inference and cleanup"),
          clEnumValN(Phase::Split, "split",
                     "Control flow simplified, straight-line runs outlined "
                     "into subgraphs called from the host (DyCL)"),
          clEnumValN(Phase::Sbp, "sbp",
                     "An SBP signature chosen for every op (with --mesh)"),
          clEnumValN(Phase::Linalg, "linalg", "Lowered to linalg and fused"),
          clEnumValN(Phase::Bufferize, "bufferize", "Bufferized"),
          clEnumValN(Phase::LLVM, "llvm", "The LLVM dialect")),
      cl::cat(category)};
  cl::list<std::string> inputShapes{
      "input-shape",
      cl::desc("Fix the dims of a graph input, e.g. x:1x3x224x224 ('?' "
               "keeps a dim dynamic); symbolic dims fixed this way are fixed "
               "everywhere they appear. Repeatable"),
      cl::value_desc("name:dims"), cl::cat(category)};
  cl::list<std::string> specialize{
      "specialize",
      cl::desc("Also compile a static variant for these input dims, e.g. "
               "x:1x3x224x224 (several inputs joined by '+'), chosen at run "
               "time when the inputs have them; other shapes run the "
               "shape-polymorphic program. Repeatable"),
      cl::value_desc("name:dims"), cl::cat(category)};
  cl::opt<bool> mergeShapes{
      "merge-shapes",
      cl::desc("DyCL split: compile subgraphs that differ only in tensor dims "
               "once, shape-polymorphic (fewer subgraphs; static ones run "
               "faster)"),
      cl::cat(category)};
  cl::opt<std::string> mesh{
      "mesh",
      cl::desc("Plan the model for a mesh of devices, e.g. 4 or 2x2: choose "
               "a split/broadcast/partial layout for every op (phase 'sbp')"),
      cl::value_desc("shape"), cl::cat(category)};
  cl::list<std::string> sbpFix{
      "sbp",
      cl::desc("With --mesh, a layout to honour: NAME=S(0), or NAME=[S(0),B] "
               "on a 2-D mesh; NAME is an input or an ONNX node. Repeatable"),
      cl::value_desc("name=sbp"), cl::cat(category)};
  cl::opt<std::string> explainSbp{
      "explain-sbp",
      cl::desc("With --mesh, also write the plan as Graphviz to this file "
               "and print a table of its predicted costs on stderr (the "
               "artefact is still written)"),
      cl::value_desc("plan.dot"), cl::cat(category)};
  cl::opt<double> sbpMemoryCost{
      "sbp-memory-cost",
      cl::desc("With --mesh, the cost of a byte a device holds (weights, "
               "activations), in seconds (0: memory is free)"),
      cl::init(0), cl::cat(category)};
  cl::opt<double> sbpFlops{
      "sbp-flops",
      cl::desc("With --mesh, the compute rate of one device the cost model "
               "assumes, in flop/s (default 1.7e11; loom-calibrate measures "
               "it)"),
      cl::init(0), cl::cat(category)};
  cl::opt<double> sbpLinkBandwidth{
      "sbp-link-bandwidth",
      cl::desc("With --mesh, the link bandwidth the cost model assumes, in "
               "bytes/s (default 1.8e9, loom-calibrate's figure for ranks on "
               "one machine)"),
      cl::init(0), cl::cat(category)};
  cl::opt<std::string> sbpLink{
      "sbp-link",
      cl::desc("With --mesh, plan for a published link bandwidth between "
               "GPUs, per direction (not measured here; --explain-sbp says "
               "so): nvlink3 (A100 SXM, 300 GB/s), nvlink4 (H100/H200 SXM, "
               "450 GB/s), nvlink5 (B200, 900 GB/s), pcie4 (x16, 32 GB/s), "
               "pcie5 (x16, 64 GB/s)"),
      cl::value_desc("link"), cl::cat(category)};
  cl::opt<double> sbpLatency{
      "sbp-collective-latency",
      cl::desc("With --mesh, the fixed cost of one collective the cost model "
               "assumes, in seconds (default 8e-5, loom-calibrate's figure "
               "for ranks on one machine)"),
      cl::init(0), cl::cat(category)};
  cl::opt<double> sbpMemoryLimit{
      "sbp-memory-limit",
      cl::desc("With --mesh, the bytes a device may hold: the plan trades "
               "communication for memory until it fits"),
      cl::init(0), cl::cat(category)};
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
  cl::opt<std::string> cpuResults{
      "cpu-results",
      cl::desc("With --list-ops=markdown: per-op node-test results "
               "(test/conformance/node-results.txt) for the CPU column"),
      cl::value_desc("file"), cl::cat(category)};
  cl::opt<bool> verbose{"v",
                        cl::desc("Print the time each phase takes, and the "
                                 "subgraphs the DyCL split made"),
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
      "  loomc model.onnx -o model                  (an executable)\n"
      "  loomc model.onnx --emit=lib -o model.so    (a library and model.h)\n"
      "  loomc model.onnx --emit=graph -o model.mlir\n");

  if (options.listOps != ListOps::None) {
    std::string results;
    if (!options.cpuResults.empty()) {
      auto buffer = llvm::MemoryBuffer::getFile(options.cpuResults);
      if (!buffer) {
        llvm::errs() << "loomc: error: cannot read " << options.cpuResults
                     << ": " << buffer.getError().message() << "\n";
        return 1;
      }
      results = (*buffer)->getBuffer().str();
    }
    printOpsReport(llvm::outs(), options.listOps == ListOps::Markdown, results);
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
  registerCPUTranslations(registry);
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

  // --emit-bytecode writes MLIR: the graph module unless --emit says more.
  if (options.emitBytecode && !options.emit.getNumOccurrences())
    options.emit = Emit::Graph;
  bool textOut = options.emit == Emit::Graph || options.emit == Emit::MLIR;
  if (options.emitBytecode && !textOut) {
    llvm::errs() << "loomc: error: --emit-bytecode needs --emit=graph or "
                    "--emit=mlir\n";
    return 1;
  }
  if (options.compileTo.getNumOccurrences() && !textOut) {
    llvm::errs() << "loomc: error: --compile-to needs --emit=graph or "
                    "--emit=mlir\n";
    return 1;
  }
  // Checked before compiling, whatever --emit says.
  bool sanitizeAddress = false, sanitizeUndefined = false;
  for (const std::string &name : options.sanitize) {
    if (name == "address") {
      sanitizeAddress = true;
    } else if (name == "undefined") {
      sanitizeUndefined = true;
    } else {
      llvm::errs() << "loomc: error: --sanitize takes address and "
                      "undefined, not '"
                   << name << "'\n";
      return 1;
    }
  }
  bool meshed = !options.mesh.empty();
  if (!meshed && (!options.sbpFix.empty() || !options.explainSbp.empty() ||
                  !options.sbpLink.empty())) {
    llvm::errs()
        << "loomc: error: --sbp, --sbp-link and --explain-sbp need --mesh\n";
    return 1;
  }
  for (auto *flag :
       {&options.sbpFlops, &options.sbpLinkBandwidth, &options.sbpLatency,
        &options.sbpMemoryCost, &options.sbpMemoryLimit})
    if (*flag < 0 || std::isnan(*flag)) {
      llvm::errs() << "loomc: error: --" << flag->ArgStr
                   << " must not be negative\n";
      return 1;
    }
  // --explain-sbp is a side output: the plan is written (and its table
  // printed on stderr) on the way to whatever --emit asks for.
  PipelineOptions pipelineOptions;
  pipelineOptions.compileTo = options.compileTo.getNumOccurrences()
                                  ? options.compileTo.getValue()
                              : options.emit == Emit::Graph ? Phase::Input
                                                            : Phase::LLVM;
  pipelineOptions.split.mergeShapes = options.mergeShapes;
  pipelineOptions.sbp.mesh = options.mesh;
  pipelineOptions.sbp.fix.assign(options.sbpFix.begin(), options.sbpFix.end());
  pipelineOptions.sbp.explainDot = options.explainSbp;
  pipelineOptions.sbp.printPlan = !options.explainSbp.empty();
  pipelineOptions.sbp.memoryCostPerByte = options.sbpMemoryCost;
  pipelineOptions.sbp.memoryLimit = options.sbpMemoryLimit;
  pipelineOptions.sbp.flopsPerSecond = options.sbpFlops;
  pipelineOptions.sbp.linkBytesPerSecond = options.sbpLinkBandwidth;
  pipelineOptions.sbp.collectiveLatency = options.sbpLatency;
  // Where the constants come from, as the plan prints them.
  std::string source;
  auto given = [&](const char *what, double value) {
    if (value > 0)
      source += std::string(source.empty() ? "" : "; ") + what +
                " given on the command line";
  };
  given("compute", options.sbpFlops);
  given("link", options.sbpLinkBandwidth);
  given("latency", options.sbpLatency);
  if (!options.sbpLink.empty()) {
    struct Link {
      const char *name;
      double bytes;
      const char *what;
    };
    static const Link links[] = {
        {"nvlink3", 3.0e11, "NVLink 3, A100 SXM: 600 GB/s, 300 each way"},
        {"nvlink4", 4.5e11, "NVLink 4, H100/H200 SXM: 900 GB/s, 450 each way"},
        {"nvlink5", 9.0e11, "NVLink 5, B200: 1.8 TB/s, 900 each way"},
        {"pcie4", 3.2e10, "PCIe 4.0 x16: 32 GB/s each way"},
        {"pcie5", 6.4e10, "PCIe 5.0 x16: 64 GB/s each way"}};
    const Link *link = nullptr;
    for (const Link &l : links)
      if (options.sbpLink == l.name)
        link = &l;
    if (!link || options.sbpLinkBandwidth > 0) {
      llvm::errs() << "loomc: error: "
                   << (link ? "--sbp-link and --sbp-link-bandwidth both "
                              "give the link's bandwidth"
                            : "--sbp-link takes nvlink3, nvlink4, nvlink5, "
                              "pcie4 or pcie5, not '" +
                                  options.sbpLink + "'")
                   << "\n";
      return 1;
    }
    pipelineOptions.sbp.linkBytesPerSecond = link->bytes;
    source += std::string(source.empty() ? "" : "; ") +
              "link: the published figure for " + link->what + ", not measured";
  }
  bool all = options.sbpFlops > 0 && options.sbpLatency > 0 &&
             pipelineOptions.sbp.linkBytesPerSecond > 0;
  if (!source.empty())
    pipelineOptions.sbp.constantsSource =
        all ? source : source + "; the rest: sbp-derive's defaults";
  pipelineOptions.kernelLibrary = options.kernelLibrary;
  pipelineOptions.runtimeChecks = options.runtimeChecks == Toggle::On;
  pipelineOptions.graph.maxRewrites = options.graphMaxRewrites;
  pipelineOptions.graph.requireConvergence = options.graphRequireConvergence;
  pipelineOptions.graph.specialize.assign(options.specialize.begin(),
                                          options.specialize.end());
  // The artefact's path, and the weights file beside it.
  std::string outputPath = options.output;
  if (outputPath.empty()) {
    if (textOut || options.emit == Emit::LLVM) {
      outputPath = "-";
    } else {
      llvm::SmallString<128> base(llvm::sys::path::filename(options.input));
      if (base == "-")
        base = "model";
      llvm::sys::path::replace_extension(base, options.emit == Emit::Obj ? "o"
                                               : options.emit == Emit::Lib
                                                   ? "so"
                                                   : "");
      outputPath = std::string(base);
    }
  }
  pipelineOptions.weightsFile = options.weightsFile;
  if (options.weightsFile.empty() && outputPath != "-") {
    llvm::SmallString<128> weights(outputPath);
    llvm::sys::path::replace_extension(weights, "safetensors");
    pipelineOptions.weightsFile = std::string(weights);
  }
  pipelineOptions.memoryPlan = options.memoryPlan;
  pipelineOptions.target = options.target;
  if (!options.gpuArch.empty())
    pipelineOptions.gpu.archs.assign(options.gpuArch.begin(),
                                     options.gpuArch.end());
  pipelineOptions.gpu.precision = options.precision;
  pipelineOptions.gpu.toolkit = options.cudaToolkit;
  pipelineOptions.gpu.seedBug = options.gpuSeedBug;
  pipelineOptions.gpu.graphs = options.cudaGraphs != Graphs::Off;
  pipelineOptions.gpu.deviceDecisions = options.cudaGraphs == Graphs::On;
  if (failed(runPhases(*module, pipelineOptions, options.dumpDir,
                       [&](llvm::StringRef phase) {
                         timer.done(phase);
                         if (options.verbose && phase == "split")
                           printSubgraphs(*module, llvm::errs());
                         if (options.verbose && phase == "llvm")
                           printGpuKernels(*module, llvm::errs());
                       })))
    return 1;

  if (!textOut) {
    CPUTargetOptions target;
    target.cpu = options.cpu;
    target.triple = options.targetTriple;
    target.optLevel = std::min(options.optLevel.getValue(), 3u);
    target.sanitizeAddress = sanitizeAddress;
    target.sanitizeUndefined = sanitizeUndefined;
    target.gpu = options.target == Target::CUDA;
    ArtefactEmit emit = options.emit == Emit::LLVM  ? ArtefactEmit::LLVMIR
                        : options.emit == Emit::Obj ? ArtefactEmit::Object
                        : options.emit == Emit::Lib ? ArtefactEmit::Library
                                                    : ArtefactEmit::Executable;
    if (failed(emitArtefact(*module, emit, outputPath, target)))
      return 1;
    timer.done("codegen");
    return 0;
  }

  std::string errorMessage;
  auto output = openOutputFile(outputPath, &errorMessage);
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
