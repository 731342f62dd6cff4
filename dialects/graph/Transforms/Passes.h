//===- Passes.h - Passes of the graph dialect -------------------*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_H
#define LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_H

#include "dialects/graph/IR/GraphDialect.h"

#include "mlir/Pass/Pass.h"

namespace loom::graph {

#define GEN_PASS_DECL
#include "dialects/graph/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/graph/Transforms/Passes.h.inc"

} // namespace loom::graph

#endif // LOOM_DIALECTS_GRAPH_TRANSFORMS_PASSES_H
