//===- Captures.h - The captures of graph.if, loop and scan -----*- C++ -*-===//
//
// Part of Loom. Private to dialects/graph/Transforms. The three control-flow
// ops share one shape: captures are their trailing operands and the
// trailing arguments of every region's entry block.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_TRANSFORMS_CAPTURES_H
#define LOOM_DIALECTS_GRAPH_TRANSFORMS_CAPTURES_H

#include "dialects/graph/IR/GraphOps.h"

namespace loom::graph {

/// The captures of `op` when it is a graph.if, loop or scan; else nothing.
inline mlir::ValueRange getCaptures(mlir::Operation *op) {
  if (auto ifOp = llvm::dyn_cast<IfOp>(op))
    return ifOp.getCaptures();
  if (auto loop = llvm::dyn_cast<LoopOp>(op))
    return loop.getCaptures();
  if (auto scan = llvm::dyn_cast<ScanOp>(op))
    return scan.getCaptures();
  return {};
}

/// The block argument that `region` of `op` takes for capture `index`.
inline mlir::BlockArgument getCaptureArg(mlir::Operation *op,
                                         mlir::Region &region, unsigned index) {
  mlir::Block &block = region.front();
  return block.getArgument(block.getNumArguments() - getCaptures(op).size() +
                           index);
}

/// Gives the regions' capture arguments of `op` the types of the values it
/// captures (after those were refined), as the verifier wants them.
inline void syncCaptureArgs(mlir::Operation *op) {
  mlir::ValueRange captures = getCaptures(op);
  if (captures.empty())
    return;
  for (mlir::Region &region : op->getRegions())
    for (auto [index, value] : llvm::enumerate(captures))
      getCaptureArg(op, region, index).setType(value.getType());
}

} // namespace loom::graph

#endif // LOOM_DIALECTS_GRAPH_TRANSFORMS_CAPTURES_H
