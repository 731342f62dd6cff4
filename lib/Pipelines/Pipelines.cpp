//===- Pipelines.cpp - Loom's compilation pipelines -----------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "dialects/graph/Transforms/Passes.h"
#include "dialects/kernel/Transforms/Passes.h"
#include "dialects/sbp/Transforms/Passes.h"
#include "loom/Conversion/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace loom {

std::optional<Phase> parsePhase(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Phase>>(name)
      .Case("input", Phase::Input)
      .Case("graph", Phase::Graph)
      .Case("split", Phase::Split)
      .Case("sbp", Phase::Sbp)
      .Case("linalg", Phase::Linalg)
      .Case("bufferize", Phase::Bufferize)
      .Case("llvm", Phase::LLVM)
      .Case("end", Phase::End)
      .Default(std::nullopt);
}

std::optional<Target> parseTarget(llvm::StringRef name) {
  return llvm::StringSwitch<std::optional<Target>>(name)
      .Case("cpu", Target::CPU)
      .Case("cuda", Target::CUDA)
      .Default(std::nullopt);
}

llvm::StringRef getPhaseName(Phase phase) {
  switch (phase) {
  case Phase::Input:
    return "input";
  case Phase::Graph:
    return "graph";
  case Phase::Split:
    return "split";
  case Phase::Sbp:
    return "sbp";
  case Phase::Linalg:
    return "linalg";
  case Phase::Bufferize:
    return "bufferize";
  case Phase::LLVM:
    return "llvm";
  case Phase::End:
    return "end";
  }
  llvm_unreachable("unknown phase");
}

void buildGraphOptimizationPipeline(OpPassManager &pm,
                                    const GraphOptimizationOptions &options) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  if (!options.specialize.empty()) {
    graph::GraphSpecializePassOptions specialize;
    specialize.variants.assign(options.specialize.begin(),
                               options.specialize.end());
    funcPm.addPass(graph::createGraphSpecializePass(specialize));
  }
  funcPm.addPass(graph::createGraphInferShapesPass());
  graph::GraphCleanupPassOptions cleanup;
  cleanup.maxRewrites = options.maxRewrites;
  cleanup.requireConvergence = options.requireConvergence;
  funcPm.addPass(graph::createGraphCleanupPass(cleanup));
  funcPm.addPass(createCSEPass());
}

void buildSplitPipeline(OpPassManager &pm, const SplitOptions &options) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  graph::GraphSimplifyControlFlowPassOptions simplify;
  simplify.unrollMaxTrips = options.unrollMaxTrips;
  funcPm.addPass(graph::createGraphSimplifyControlFlowPass(simplify));
  funcPm.addPass(graph::createGraphInferShapesPass());
  funcPm.addPass(graph::createGraphCleanupPass());
  funcPm.addPass(createCSEPass());
  graph::GraphSplitPassOptions split;
  split.inlineConstantElements = options.inlineConstantElements;
  split.mergeShapes = options.mergeShapes;
  pm.addPass(graph::createGraphSplitPass(split));
}

void buildSbpPipeline(OpPassManager &pm, const SbpOptions &options) {
  if (options.mesh.empty())
    return;
  sbp::SbpDerivePassOptions derive;
  derive.mesh = options.mesh;
  derive.fix.assign(options.fix.begin(), options.fix.end());
  derive.memoryCostPerByte = options.memoryCostPerByte;
  derive.memoryLimit = options.memoryLimit;
  if (options.flopsPerSecond > 0)
    derive.flopsPerSecond = options.flopsPerSecond;
  if (options.linkBytesPerSecond > 0)
    derive.linkBytesPerSecond = options.linkBytesPerSecond;
  if (options.collectiveLatency > 0)
    derive.collectiveLatency = options.collectiveLatency;
  if (!options.constantsSource.empty())
    derive.constantsSource = options.constantsSource;
  derive.explainDot = options.explainDot;
  derive.printPlan = options.printPlan;
  pm.addPass(sbp::createSbpDerivePass(derive));
  pm.addPass(sbp::createSbpPartitionPass());
}

llvm::ArrayRef<Phase> getPhases() {
  static constexpr Phase phases[] = {Phase::Graph,     Phase::Split,
                                     Phase::Sbp,       Phase::Linalg,
                                     Phase::Bufferize, Phase::LLVM};
  return phases;
}

/// Graph ops to upstream tensor-level ops, then elementwise fusion.
static void buildLinalgPipeline(OpPassManager &pm,
                                const PipelineOptions &options) {
  pm.addPass(createExportSignaturePass());
  // A partitioned module's shard collectives become kernel.box.
  if (!options.sbp.mesh.empty())
    pm.addPass(sbp::createSbpLowerCollectivesPass());
  // DyCL decisions a CUDA graph takes (not on a mesh: boxing through NCCL
  // stays out of conditional bodies).
  if (options.target == Target::CUDA && options.gpu.graphs &&
      options.gpu.deviceDecisions && options.sbp.mesh.empty())
    pm.addPass(createGpuDeviceDecisionsPass());
  // The kernel ops run on oneDNN for the CPU, on cuBLASLt and cuDNN for
  // CUDA (whose convolutions take symmetric pads only, and whose products
  // come in batches).
  bool kernelLibrary = options.kernelLibrary;
  ConvertGraphToLinalgPassOptions lowering;
  lowering.kernelLibrary = kernelLibrary;
  lowering.runtimeChecks = options.runtimeChecks;
  lowering.symmetricConvPads = options.target == Target::CUDA;
  lowering.batchedMatmul = options.target == Target::CUDA;
  pm.addPass(createConvertGraphToLinalgPass(lowering));
  if (kernelLibrary)
    pm.addPass(kernel::createKernelFuseEpiloguesPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createLinalgElementwiseOpFusionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// One-shot bufferization across function boundaries (identity layouts, so
/// the entry point's descriptors are contiguous), then ownership-based
/// deallocation: intermediates are freed, results are owned by the caller.
static void buildBufferizePipeline(OpPassManager &pm) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // Loop-carried tensors may be new tensors each iteration (state that
  // changes shape, a stack that grows).
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createCanonicalizerPass());
}

/// The CUDA target's part of the LLVM phase: loops to kernels, what the
/// host still does to device memory, outlining, then the kernels compiled
/// for the GPU and the emulated device.
static void buildGpuKernelsPipeline(OpPassManager &pm,
                                    const GpuOptions &options) {
  GpuMapLoopsPassOptions map;
  map.blockSize = options.blockSize;
  map.seedBug = options.seedBug;
  pm.addPass(createGpuMapLoopsPass(map));
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createGpuOffloadHostPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  GpuSerializePassOptions serialize;
  serialize.archs.assign(options.archs.begin(), options.archs.end());
  serialize.toolkit = options.toolkit;
  serialize.emulation = options.emulation;
  serialize.precision = options.precision;
  pm.addPass(createGpuSerializePass(serialize));
  if (options.graphs)
    pm.addPass(createGpuGraphRegionsPass());
}

/// Weights out to their file, intermediates into the memory plan, loops,
/// then every dialect to LLVM, then the C entry point.
static void buildLLVMPipeline(OpPassManager &pm,
                              const PipelineOptions &options) {
  pm.addPass(createConvertBufferizationToMemRefPass());
  ExternalizeWeightsPassOptions weights;
  weights.file = options.weightsFile;
  pm.addPass(createExternalizeWeightsPass(weights));
  if (options.target == Target::CUDA)
    pm.addPass(createGpuHostBuffersPass());
  if (options.memoryPlan)
    pm.addPass(createPlanMemoryPass());
  if (options.target == Target::CUDA) {
    // Library calls first, so that their operands' re-layout copies become
    // kernels too.
    LowerKernelsToCallsPassOptions libraries;
    libraries.gpuLibraries = true;
    libraries.tf32 = options.gpu.precision == "tf32";
    libraries.bf16 = options.gpu.precision == "bf16";
    pm.addPass(createLowerKernelsToCallsPass(libraries));
    buildGpuKernelsPipeline(pm, options.gpu);
  }
  pm.addPass(createLowerKernelsToCallsPass());
  pm.addPass(createLowerStridedCopiesPass());
  pm.addPass(createInterchangeReductionsPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createApproximateMathPass());
  pm.addPass(arith::createArithExpandOpsPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  // Allocations go through the runtime (loom_rt_alloc, after
  // loom-emit-host-entry names their nodes), which frees a failed run's.
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  if (options.target == Target::CUDA) {
    // Launches and the embedded kernels: the runtime implements the mgpu*
    // functions gpu-to-llvm calls (runtime/src/cuda/).
    pm.addPass(createGpuToLLVMConversionPass());
  }
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createEmitHostEntryPass());
  pm.addPass(createCanonicalizerPass());
}

void buildPhasePipeline(OpPassManager &pm, Phase phase,
                        const PipelineOptions &options) {
  switch (phase) {
  case Phase::Graph:
    return buildGraphOptimizationPipeline(pm, options.graph);
  case Phase::Split:
    return buildSplitPipeline(pm, options.split);
  case Phase::Sbp:
    return buildSbpPipeline(pm, options.sbp);
  case Phase::Linalg:
    return buildLinalgPipeline(pm, options);
  case Phase::Bufferize:
    return buildBufferizePipeline(pm);
  case Phase::LLVM:
    return buildLLVMPipeline(pm, options);
  case Phase::Input:
  case Phase::End:
    return;
  }
}

void buildLoomPipeline(OpPassManager &pm, const PipelineOptions &options) {
  // Each phase runs when the compilation goes at least that far.
  for (Phase phase : getPhases())
    if (options.compileTo >= phase)
      buildPhasePipeline(pm, phase, options);
}

//===----------------------------------------------------------------------===//
// Registration: textual options mapped onto the plain structs.
//===----------------------------------------------------------------------===//

namespace {
struct GraphOptimizationCLOptions
    : public PassPipelineOptions<GraphOptimizationCLOptions> {
  Option<int64_t> maxRewrites{
      *this, "max-rewrites",
      llvm::cl::desc("Bound on graph-cleanup's rewrites (-1: none)"),
      llvm::cl::init(-1)};
  Option<bool> requireConvergence{
      *this, "require-convergence",
      llvm::cl::desc("Fail when graph-cleanup stops before a fixed point"),
      llvm::cl::init(false)};
  ListOption<std::string> specialize{
      *this, "specialize",
      llvm::cl::desc("Static variants, each NAME:DIMS (inputs joined by '+'), "
                     "chosen at run time by a shape guard")};

  GraphOptimizationOptions get() const {
    return {maxRewrites, requireConvergence,
            std::vector<std::string>(specialize.begin(), specialize.end())};
  }
};

struct LoomCompileCLOptions : public PassPipelineOptions<LoomCompileCLOptions> {
  Option<Phase> compileTo{
      *this, "compile-to", llvm::cl::desc("The last phase to run"),
      llvm::cl::init(Phase::End),
      llvm::cl::values(
          clEnumValN(Phase::Input, "input", "The module as imported"),
          clEnumValN(Phase::Graph, "graph", "Graph-level optimisation"),
          clEnumValN(Phase::Split, "split",
                     "Control flow simplified, subgraphs outlined"),
          clEnumValN(Phase::Sbp, "sbp", "SBP signatures chosen (with a mesh)"),
          clEnumValN(Phase::Linalg, "linalg", "Lowered to linalg"),
          clEnumValN(Phase::Bufferize, "bufferize", "Bufferized"),
          clEnumValN(Phase::LLVM, "llvm", "The LLVM dialect"),
          clEnumValN(Phase::End, "end", "Every phase"))};
  Option<int64_t> maxRewrites{
      *this, "max-rewrites",
      llvm::cl::desc("Bound on graph-cleanup's rewrites (-1: none)"),
      llvm::cl::init(-1)};
  Option<bool> requireConvergence{
      *this, "require-convergence",
      llvm::cl::desc("Fail when graph-cleanup stops before a fixed point"),
      llvm::cl::init(false)};
  ListOption<std::string> specialize{
      *this, "specialize",
      llvm::cl::desc("Static variants, each NAME:DIMS (inputs joined by '+'), "
                     "chosen at run time by a shape guard")};

  Option<int64_t> unrollMaxTrips{
      *this, "unroll-max-trips",
      llvm::cl::desc("Unroll constant-trip-count loops up to this many trips"),
      llvm::cl::init(4)};
  Option<int64_t> inlineConstantElements{
      *this, "inline-constant-elements",
      llvm::cl::desc("Copy constants up to this many elements into subgraphs"),
      llvm::cl::init(64)};
  Option<std::string> mesh{
      *this, "mesh",
      llvm::cl::desc("Device mesh for the SBP phase (4, 2x2; empty: none)"),
      llvm::cl::init("")};
  ListOption<std::string> sbpFix{*this, "sbp",
                                 llvm::cl::desc("Layouts to honour, NAME=SBP")};
  Option<bool> mergeShapes{
      *this, "merge-shapes",
      llvm::cl::desc("Merge subgraphs equal up to tensor dims"),
      llvm::cl::init(false)};
  Option<bool> kernelLibrary{
      *this, "kernel-library",
      llvm::cl::desc("Hand convolutions and matrix products to oneDNN"),
      llvm::cl::init(true)};
  Option<bool> runtimeChecks{
      *this, "runtime-checks",
      llvm::cl::desc("Check indices, run-time dims, sizes and divisors as "
                     "the model runs"),
      llvm::cl::init(true)};
  Option<std::string> weightsFile{
      *this, "weights-file",
      llvm::cl::desc("Write the weights file here (default: do not write it)"),
      llvm::cl::init("")};
  Option<bool> memoryPlan{
      *this, "memory-plan",
      llvm::cl::desc("Place statically sized intermediates in the run's "
                     "workspace"),
      llvm::cl::init(true)};

  Option<Target> target{
      *this, "target", llvm::cl::desc("What the model runs on"),
      llvm::cl::init(Target::CPU),
      llvm::cl::values(clEnumValN(Target::CPU, "cpu", "The host CPU"),
                       clEnumValN(Target::CUDA, "cuda",
                                  "An NVIDIA GPU or the emulated device"))};
  ListOption<std::string> gpuArch{
      *this, "gpu-arch",
      llvm::cl::desc("GPU architectures (default sm_80,sm_90)")};
  Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("What GPU matrix products may round to: fp32, tf32 or "
                     "bf16"),
      llvm::cl::init("fp32")};
  Option<bool> emulation{
      *this, "emulation",
      llvm::cl::desc("Embed the kernels for the emulated device"),
      llvm::cl::init(true)};
  Option<bool> cudaGraphs{
      *this, "cuda-graphs",
      llvm::cl::desc("Replay static regions as CUDA graphs"),
      llvm::cl::init(true)};
  Option<bool> cudaDeviceDecisions{
      *this, "cuda-device-decisions",
      llvm::cl::desc("With CUDA graphs: DyCL decisions as conditional nodes"),
      llvm::cl::init(true)};

  PipelineOptions get() const {
    PipelineOptions options;
    options.target = target;
    if (!gpuArch.empty())
      options.gpu.archs.assign(gpuArch.begin(), gpuArch.end());
    options.gpu.precision = precision;
    options.gpu.emulation = emulation;
    options.gpu.graphs = cudaGraphs;
    options.gpu.deviceDecisions = cudaDeviceDecisions;
    options.compileTo = compileTo;
    options.graph = {
        maxRewrites, requireConvergence,
        std::vector<std::string>(specialize.begin(), specialize.end())};
    options.split = {unrollMaxTrips, inlineConstantElements, mergeShapes};
    options.sbp.mesh = mesh;
    options.sbp.fix.assign(sbpFix.begin(), sbpFix.end());
    options.kernelLibrary = kernelLibrary;
    options.runtimeChecks = runtimeChecks;
    options.weightsFile = weightsFile;
    options.memoryPlan = memoryPlan;
    return options;
  }
};
} // namespace

void registerLoomPipelines() {
  PassPipelineRegistration<GraphOptimizationCLOptions>(
      "loom-graph-optimize",
      "Graph-level optimisation: graph-cleanup and CSE on every func.func",
      [](OpPassManager &pm, const GraphOptimizationCLOptions &options) {
        buildGraphOptimizationPipeline(pm, options.get());
      });
  PassPipelineRegistration<>(
      "loom-split",
      "The DyCL split with default options: simplify control flow, then "
      "outline straight-line runs into subgraphs",
      [](OpPassManager &pm) { buildSplitPipeline(pm, SplitOptions()); });
  PassPipelineRegistration<LoomCompileCLOptions>(
      "loom-compile", "Loom's compilation flow, up to the phase compile-to",
      [](OpPassManager &pm, const LoomCompileCLOptions &options) {
        buildLoomPipeline(pm, options.get());
      });
}

} // namespace loom
