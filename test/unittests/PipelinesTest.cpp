//===- PipelinesTest.cpp - The pipeline library ---------------------------===//
//
// Part of Loom. The pipelines loomc builds from options structs: their phase
// names, the passes each phase adds, and that they run.
//
//===----------------------------------------------------------------------===//

#include "loom/Pipelines/Pipelines.h"
#include "dialects/graph/IR/GraphOps.h"
#include "loom/InitLoom.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

std::string textualPipeline(const loom::PipelineOptions &options) {
  PassManager pm = PassManager::on<ModuleOp>(nullptr);
  loom::buildLoomPipeline(pm, options);
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  return text;
}

TEST(PipelinesTest, PhaseNamesRoundTrip) {
  for (loom::Phase phase :
       {loom::Phase::Input, loom::Phase::Graph, loom::Phase::End})
    EXPECT_EQ(loom::parsePhase(loom::getPhaseName(phase)), phase);
  EXPECT_EQ(loom::parsePhase("no-such-phase"), std::nullopt);
}

TEST(PipelinesTest, CompileToStopsAfterThePhase) {
  loom::PipelineOptions options;
  options.compileTo = loom::Phase::Input;
  EXPECT_EQ(textualPipeline(options), "builtin.module()");
  options.compileTo = loom::Phase::Graph;
  EXPECT_EQ(textualPipeline(options),
            "builtin.module(func.func(graph-infer-shapes{max-iterations=8},"
            "graph-cleanup{max-rewrites=-1 require-convergence=false},cse))");
  options.compileTo = loom::Phase::End;
  options.graph.maxRewrites = 7;
  EXPECT_NE(textualPipeline(options).find("max-rewrites=7"), std::string::npos);
}

TEST(PipelinesTest, GraphPhaseFoldsAndErases) {
  DialectRegistry registry;
  loom::registerAllDialects(registry);
  MLIRContext context(registry);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"mlir(
    func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %one = graph.constant dense<1.0> : tensor<2x3xf32>
      %dead = graph.relu %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
      %y = graph.mul %x, %one : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
      return %y : tensor<2x3xf32>
    })mlir",
                                                             &context);
  ASSERT_TRUE(module);
  PassManager pm(&context);
  loom::buildLoomPipeline(pm, {});
  ASSERT_TRUE(succeeded(pm.run(*module)));
  // x * 1 folded away, and with it every graph op.
  int graphOps = 0;
  module->walk([&](Operation *op) {
    graphOps += op->getDialect()->getNamespace() == "graph";
  });
  EXPECT_EQ(graphOps, 0);
}

} // namespace
