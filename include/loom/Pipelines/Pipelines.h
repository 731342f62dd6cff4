//===- Pipelines.h - Loom's compilation pipelines ---------------*- C++ -*-===//
//
// Part of Loom. The pass pipelines of the compiler as library functions built
// from plain options structs. `loomc` calls them directly; `loom-opt` and the
// mlir-opt plugin run the same functions through the registered pipelines
// `loom-graph-optimize` and `loom-compile`.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PIPELINES_PIPELINES_H
#define LOOM_PIPELINES_PIPELINES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace loom {

/// The phases of a compilation, in order. A pipeline built with
/// `compileTo = P` stops after phase P (`loomc --compile-to=P`). Later phases
/// (DyCL split, SBP, overlap, lowering, LLVM) are inserted before `End` as
/// they land.
enum class Phase {
  Input,     ///< The module as the frontend produced it: no passes.
  Graph,     ///< Graph-level cleanup and optimisation.
  Split,     ///< Control flow simplified; straight-line runs outlined into
             ///< subgraph functions, called from the host (DyCL).
  Sbp,       ///< With a mesh: an SBP signature chosen for every op, and
             ///< the program every rank runs (local shapes, boxing).
  Linalg,    ///< Graph ops lowered to linalg/tensor/arith/math, fused.
  Bufferize, ///< Tensors turned into buffers, with deallocation.
  LLVM,      ///< The LLVM dialect, with the model's C entry point.
  End,       ///< Everything.
};

/// Every phase after Input, in order.
llvm::ArrayRef<Phase> getPhases();

/// The phase called `name` ("input", "graph", "end"), if there is one.
std::optional<Phase> parsePhase(llvm::StringRef name);
/// The name of `phase`, as `parsePhase` reads it.
llvm::StringRef getPhaseName(Phase phase);

/// Options of the graph-level optimisation phase.
struct GraphOptimizationOptions {
  /// Bound on graph-cleanup's rewrites; -1 for none.
  int64_t maxRewrites = -1;
  /// Fail the pipeline when graph-cleanup stops before a fixed point.
  bool requireConvergence = false;
  /// Static variants compiled beside the shape-polymorphic program, each
  /// `NAME:DIMS` (inputs joined by '+'), chosen at run time by a guard
  /// (graph-specialize).
  std::vector<std::string> specialize;
};

/// Options of the DyCL split.
struct SplitOptions {
  /// Unroll constant-trip-count loops with at most this many trips.
  int64_t unrollMaxTrips = 4;
  /// Constants with at most this many elements are copied into subgraphs.
  int64_t inlineConstantElements = 64;
  /// Merge subgraphs equal up to tensor dims into shape-polymorphic ones.
  bool mergeShapes = false;
};

/// Options of the SBP phase (sbp-derive); it runs only with a mesh.
struct SbpOptions {
  /// The device mesh ("4", "2x2"); empty: a single device, no SBP phase.
  std::string mesh;
  /// Layouts to honour, NAME=SBP.
  std::vector<std::string> fix;
  /// Cost per byte a device holds (weights, activations).
  double memoryCostPerByte = 0;
  /// Bytes a device may hold; 0: no limit.
  double memoryLimit = 0;
  /// Compute rate (flop/s), link bandwidth (bytes/s) and per-collective
  /// latency (s) of the cost model (loom-calibrate measures them); 0 keeps
  /// sbp-derive's defaults.
  double flopsPerSecond = 0;
  double linkBytesPerSecond = 0;
  double collectiveLatency = 0;
  /// Where they come from, printed with the plan; empty: sbp-derive's.
  std::string constantsSource;
  /// Write the plan as Graphviz here; print a table of its costs.
  std::string explainDot;
  bool printPlan = false;
};

/// What the compiled model runs on.
enum class Target {
  CPU,  ///< The host CPU (generated loops, oneDNN).
  CUDA, ///< An NVIDIA GPU or the emulated device, driven by the host module.
};

/// The target called `name` ("cpu", "cuda"), if there is one.
std::optional<Target> parseTarget(llvm::StringRef name);

/// Options of the CUDA target's phases.
struct GpuOptions {
  /// Architectures the kernels are compiled for; the newest also as PTX,
  /// which the driver compiles for newer GPUs.
  std::vector<std::string> archs = {"sm_80", "sm_90"};
  /// fp32, tf32 or bf16: what matrix products may round to.
  std::string precision = "fp32";
  /// The CUDA toolkit (ptxas, fatbinary); empty: $CUDA_ROOT, else
  /// /usr/local/cuda. Without it the artefact carries PTX only.
  std::string toolkit;
  /// Embed the kernels compiled for the emulated device too.
  bool emulation = true;
  /// Capture static regions into CUDA graphs (loom-gpu-graph-regions).
  bool graphs = true;
  /// With graphs: DyCL decisions taken in the graph, by conditional nodes
  /// (loom-gpu-device-decisions).
  bool deviceDecisions = true;
  /// Threads per block of the generated kernels.
  int64_t blockSize = 256;
  /// For the emulated device's tests only: a known bug to generate
  /// (loom-gpu-map-loops seed-bug).
  std::string seedBug;
};

/// Options of a whole compilation.
struct PipelineOptions {
  /// The last phase to run.
  Phase compileTo = Phase::End;
  GraphOptimizationOptions graph;
  SplitOptions split;
  SbpOptions sbp;
  /// Compute f32 convolutions and matrix products with the runtime's kernel
  /// library (oneDNN) rather than generated loops.
  bool kernelLibrary = true;
  /// Check indices, run-time dims, sizes and divisors as the model runs
  /// (kernel.check); off only to measure what they cost.
  bool runtimeChecks = true;
  /// Where loom-externalize-weights writes the weights file (loomc: beside
  /// the artefact); empty: the weights leave the code all the same, but no
  /// file is written.
  std::string weightsFile;
  /// Place statically sized intermediates in the run's workspace
  /// (loom-plan-memory); off: every buffer through the runtime's allocator.
  bool memoryPlan = true;
  /// What the model runs on, and the GPU phases' options.
  Target target = Target::CPU;
  GpuOptions gpu;
};

/// Adds graph-level optimisation to `pm`, which must be anchored on
/// `builtin.module`: on every `func.func`, in parallel, the static variants
/// asked for (graph-specialize), shape inference (graph-infer-shapes),
/// graph-cleanup, then CSE.
void buildGraphOptimizationPipeline(mlir::OpPassManager &pm,
                                    const GraphOptimizationOptions &options);

/// Adds the DyCL split to `pm` (anchored on `builtin.module`): on every
/// `func.func` graph-simplify-control-flow, then shape inference and
/// cleanup again; then graph-split on the module.
void buildSplitPipeline(mlir::OpPassManager &pm, const SplitOptions &options);

/// Adds sbp-derive and sbp-partition to `pm` (anchored on
/// `builtin.module`) when `options.mesh` is set.
void buildSbpPipeline(mlir::OpPassManager &pm, const SbpOptions &options);

/// The passes of one phase (Input and End have none).
void buildPhasePipeline(mlir::OpPassManager &pm, Phase phase,
                        const PipelineOptions &options);

/// Adds every phase up to `options.compileTo` to `pm`, anchored on
/// `builtin.module`.
void buildLoomPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);

/// Registers `loom-graph-optimize`, `loom-split` and `loom-compile` as named
/// pipelines.
void registerLoomPipelines();

} // namespace loom

#endif // LOOM_PIPELINES_PIPELINES_H
