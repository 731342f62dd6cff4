//===- InitLoom.cpp - Register every Loom dialect and pass ----------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "loom/InitLoom.h"

#include "dialects/graph/IR/GraphDialect.h"
#include "dialects/graph/Transforms/Passes.h"
#include "loom/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"

void loom::registerAllDialects(mlir::DialectRegistry &registry) {
  // Loom modules hold graph ops inside func.func.
  registry.insert<graph::GraphDialect, mlir::func::FuncDialect>();
}

void loom::registerAllPasses() {
  // MLIR's registry is global and rejects a pipeline registered twice.
  static const bool registered = [] {
    graph::registerGraphPasses();
    registerLoomPipelines();
    return true;
  }();
  (void)registered;
}
