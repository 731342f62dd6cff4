//===- InitLoom.h - Register every Loom dialect and pass --------*- C++ -*-===//
//
// Part of Loom. The one place that lists Loom's dialects and passes; every
// tool (loom-opt, loomc, the mlir-opt plugin) registers through it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_INITLOOM_H
#define LOOM_INITLOOM_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace loom {

/// Inserts every Loom dialect into `registry`.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers every Loom pass and pass pipeline with MLIR's global registry.
/// Calling it again is harmless.
void registerAllPasses();

} // namespace loom

#endif // LOOM_INITLOOM_H
