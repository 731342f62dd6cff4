//===- Origin.h - Which ONNX node GPU code came from -----------*- C++ -*-===//
//
// Part of Loom. The GPU passes name kernels, and what loomc -v reports,
// after the ONNX node whose op they lower, and size a thread's work.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_GPU_ORIGIN_H
#define LOOM_LIB_CONVERSION_GPU_ORIGIN_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

#include <cstdint>

#include <string>

namespace loom {

/// The node `loc` names (the first location of a fused one), if any: the
/// frontend's `NameLoc("node"(NameLoc("op")))`.
mlir::NameLoc getNodeLoc(mlir::Location loc);

/// "node (op)" for `loc`, else `loc` printed.
std::string describeOrigin(mlir::Location loc);

/// The iterations of the scf.for loops nested in `root` (1 for none) when
/// all their trip counts are static, else -1: a thread's work, for the
/// census of serial kernels.
int64_t getStaticLoopWork(mlir::Operation *root);

} // namespace loom

#endif // LOOM_LIB_CONVERSION_GPU_ORIGIN_H
