//===- GpuSerialization.h - Loom's kernels container ------------*- C++ -*-===//
//
// Part of Loom. The CUDA target compiles its one gpu.module twice, for NVIDIA
// GPUs and for the emulated device, and embeds both in one container, the
// gpu.binary's object (docs/cuda.md). The runtime's reader is
// runtime/src/cuda/Container.h; both follow this layout:
//
//   char     magic[8]  "LOOMGPU1"
//   uint32_t count     entries that follow
//   uint32_t reserved  0
//   count x { uint32_t kind; uint32_t arch; uint64_t offset; uint64_t size; }
//   payloads, each at `offset` bytes from the start
//
// kind 1: a fatbin (cubins and PTX, what cuModuleLoadData takes);
// kind 2: PTX text for `arch` (80 for sm_80), NUL-terminated;
// kind 3: the emulated device's shared object (loom-gpu-lower-to-host).
// `arch` is the architecture of a cubin or PTX entry, 0 otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONVERSION_GPUSERIALIZATION_H
#define LOOM_CONVERSION_GPUSERIALIZATION_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// One payload of the container.
struct GpuContainerEntry {
  enum Kind : uint32_t { Fatbin = 1, PTX = 2, EmulatorObject = 3 };
  Kind kind;
  uint32_t arch = 0;
  std::string bytes;
};

/// The container's bytes.
std::string writeGpuContainer(llvm::ArrayRef<GpuContainerEntry> entries);

/// loom-gpu-lower-to-host, in three steps: the gpu.modules' functions
/// become func.funcs (ids and barriers calls into the emulator), the CPU's
/// lowering runs, then each kernel gets its `void K(void **)` entry.
mlir::LogicalResult moveKernelsToHost(mlir::ModuleOp module);
void buildHostKernelPipeline(mlir::OpPassManager &pm);
mlir::LogicalResult addKernelEntries(mlir::ModuleOp module);

/// The math ops kernels compute with polynomial approximations, on the GPU
/// and on the emulated device alike (no libdevice: PTX without the toolkit).
llvm::SmallVector<std::string> getKernelMathApproximations();

/// The architecture number of "sm_80" (80), or 0 when it is not one.
unsigned parseGpuArch(llvm::StringRef arch);

} // namespace loom

#endif // LOOM_CONVERSION_GPUSERIALIZATION_H
