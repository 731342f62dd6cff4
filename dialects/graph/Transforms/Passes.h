//===- Passes.h - Passes of the graph dialect -------------------*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_H
#define LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_H

#include "dialects/graph/IR/GraphDialect.h"

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace loom::graph {

/// Adds the canonicalization patterns of every registered graph op, so that
/// passes pick up new ops' patterns without naming them.
void populateGraphCanonicalizationPatterns(mlir::RewritePatternSet &patterns,
                                           mlir::MLIRContext *context);

#define GEN_PASS_DECL
#include "dialects/graph/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/graph/Transforms/Passes.h.inc"

} // namespace loom::graph

#endif // LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_H
