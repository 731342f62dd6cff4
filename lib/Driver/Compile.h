//===- Compile.h - loomc's phases and artefacts -----------------*- C++ -*-===//
//
// Part of Loom. Private to lib/Driver.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_DRIVER_COMPILE_H
#define LOOM_LIB_DRIVER_COMPILE_H

#include "loom/Pipelines/Pipelines.h"
#include "loom/Target/CPU.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace loom {

/// Runs every phase up to `options.compileTo`, one pass manager per phase.
/// With `dumpDir`, writes the module after each phase there. On failure,
/// prints the loom-opt command that reproduces the failing phase, with the
/// module it started from saved to a file.
mlir::LogicalResult
runPhases(mlir::ModuleOp module, const PipelineOptions &options,
          llvm::StringRef dumpDir,
          llvm::function_ref<void(llvm::StringRef)> onPhase);

/// With --target=cuda, prints what loom-gpu-serialize counted: the
/// kernels, and those that run a loop on one thread.
void printGpuKernels(mlir::ModuleOp module, llvm::raw_ostream &os);

/// Prints the subgraphs the DyCL split made: per host, its control-flow ops;
/// per subgraph, its op count, its calls and where its runs came from.
void printSubgraphs(mlir::ModuleOp module, llvm::raw_ostream &os);

enum class ArtefactEmit { LLVMIR, Object, Library, Executable };

/// Turns `module` (in the LLVM dialect) into `output`: LLVM IR text, an
/// object file, a shared library (and its header, `output` with `.h`), or an
/// executable.
mlir::LogicalResult emitArtefact(mlir::ModuleOp module, ArtefactEmit emit,
                                 llvm::StringRef output,
                                 const CPUTargetOptions &target);

} // namespace loom

#endif // LOOM_LIB_DRIVER_COMPILE_H
