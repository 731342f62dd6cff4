//===- MemRef.h - An f32 memref descriptor, as compiled code passes it ----===//
//
// Part of Loom's runtime: what MLIR's C interface hands the kernel
// functions (runtime/src/Kernels.cpp on the CPU, runtime/src/cuda/
// GpuLibraries.cpp on a GPU, where the pointers are device addresses).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_MEMREF_H
#define LOOM_RUNTIME_MEMREF_H

#include <cstdint>

namespace loom::runtime {

template <int Rank>
struct MemRef {
  float *allocated;
  float *aligned;
  int64_t offset;
  int64_t sizes[Rank];
  int64_t strides[Rank];

  float *data() const { return aligned + offset; }
};

} // namespace loom::runtime

#endif // LOOM_RUNTIME_MEMREF_H
