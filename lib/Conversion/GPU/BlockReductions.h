//===- BlockReductions.h - Reductions with a block per result ---*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_GPU_BLOCKREDUCTIONS_H
#define LOOM_LIB_CONVERSION_GPU_BLOCKREDUCTIONS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace loom {

/// Replaces `op`, a reduction on buffers over one long dimension whose
/// body combines with one arith op (add, mul, max, min, and, or, xor) on
/// f32, f64, i32 or i64, by a gpu.launch with one block of up to
/// `maxBlock` threads per result (see BlockReductions.cpp). Fails, leaving
/// `op` as it is, for any other op or when one thread per result is the
/// better fit (a short reduced dimension, many results).
/// `seedBug` ("missing-barrier", "shuffle-offset"; empty for none) makes
/// the kernel wrong on purpose: the emulated device's tests check that it
/// catches each.
mlir::LogicalResult lowerToBlockReduction(mlir::RewriterBase &rewriter,
                                          mlir::linalg::GenericOp op,
                                          int64_t maxBlock,
                                          llvm::StringRef seedBug = "");

/// ArgMax / ArgMin (a generic marked `loom.arg_reduce`) with a block per
/// result, combining (value, index) pairs.
mlir::LogicalResult lowerToBlockArgReduction(mlir::RewriterBase &rewriter,
                                             mlir::linalg::GenericOp op,
                                             int64_t maxBlock);

} // namespace loom

#endif // LOOM_LIB_CONVERSION_GPU_BLOCKREDUCTIONS_H
