//===- Pipelines.cpp - Loom's compilation pipelines -----------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"

#include "dialects/graph/Transforms/Passes.h"

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
      .Case("end", Phase::End)
      .Default(std::nullopt);
}

llvm::StringRef getPhaseName(Phase phase) {
  switch (phase) {
  case Phase::Input:
    return "input";
  case Phase::Graph:
    return "graph";
  case Phase::End:
    return "end";
  }
  llvm_unreachable("unknown phase");
}

void buildGraphOptimizationPipeline(OpPassManager &pm,
                                    const GraphOptimizationOptions &options) {
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(graph::createGraphInferShapesPass());
  graph::GraphCleanupPassOptions cleanup;
  cleanup.maxRewrites = options.maxRewrites;
  cleanup.requireConvergence = options.requireConvergence;
  funcPm.addPass(graph::createGraphCleanupPass(cleanup));
  funcPm.addPass(createCSEPass());
}

void buildLoomPipeline(OpPassManager &pm, const PipelineOptions &options) {
  // Each phase runs when the compilation goes at least that far.
  auto reaches = [&](Phase phase) { return options.compileTo >= phase; };
  if (reaches(Phase::Graph))
    buildGraphOptimizationPipeline(pm, options.graph);
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

  GraphOptimizationOptions get() const {
    return {maxRewrites, requireConvergence};
  }
};

struct LoomCompileCLOptions : public PassPipelineOptions<LoomCompileCLOptions> {
  Option<Phase> compileTo{
      *this, "compile-to", llvm::cl::desc("The last phase to run"),
      llvm::cl::init(Phase::End),
      llvm::cl::values(
          clEnumValN(Phase::Input, "input", "The module as imported"),
          clEnumValN(Phase::Graph, "graph", "Graph-level optimisation"),
          clEnumValN(Phase::End, "end", "Every phase"))};
  Option<int64_t> maxRewrites{
      *this, "max-rewrites",
      llvm::cl::desc("Bound on graph-cleanup's rewrites (-1: none)"),
      llvm::cl::init(-1)};
  Option<bool> requireConvergence{
      *this, "require-convergence",
      llvm::cl::desc("Fail when graph-cleanup stops before a fixed point"),
      llvm::cl::init(false)};

  PipelineOptions get() const {
    return {compileTo, {maxRewrites, requireConvergence}};
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
  PassPipelineRegistration<LoomCompileCLOptions>(
      "loom-compile", "Loom's compilation flow, up to the phase compile-to",
      [](OpPassManager &pm, const LoomCompileCLOptions &options) {
        buildLoomPipeline(pm, options.get());
      });
}

} // namespace loom
