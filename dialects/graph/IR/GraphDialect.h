//===- GraphDialect.h - The graph dialect -----------------------*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHDIALECT_H
#define LOOM_DIALECTS_GRAPH_IR_GRAPHDIALECT_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "dialects/graph/IR/GraphDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/graph/IR/GraphTypes.h.inc"

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHDIALECT_H
