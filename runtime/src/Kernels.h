//===- Kernels.h - The CPU kernel library's entry points --------*- C++ -*-===//
//
// Part of Loom's runtime: what `loom-lower-kernels-to-calls` calls on the
// CPU (Kernels.cpp, library LoomKernels), through MLIR's C interface, and
// what the runtime, loom-calibrate and the tests call directly. Declared
// once here, so that a caller with another signature does not compile.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_KERNELS_H
#define LOOM_RUNTIME_KERNELS_H

#include "MemRef.h"

#include <cstddef>
#include <cstdint>

extern "C" {

/// Forgets what the kernels derived from weights in [begin, begin + bytes).
void loom_kernels_forget(const void *begin, size_t bytes);
/// The OpenMP threads oneDNN uses, for the calling thread's next runs.
void loom_kernels_set_num_threads(int32_t threads);

/// init = relu?(alpha * op(lhs) * op(rhs) + bias (+ init)); flags: 1
/// transposes lhs, 2 transposes rhs, 4 accumulates, 64 applies ReLU; `bias`
/// (one element per column) has no elements when there is none.
void _mlir_ciface_loom_kernel_matmul_f32(loom::runtime::MemRef<2> *lhs,
                                         loom::runtime::MemRef<2> *rhs,
                                         loom::runtime::MemRef<1> *bias,
                                         loom::runtime::MemRef<2> *init,
                                         int64_t flags, float alpha);
/// A batch (dim 0) of the above, the bias every product's.
void _mlir_ciface_loom_kernel_batch_matmul_f32(loom::runtime::MemRef<3> *lhs,
                                               loom::runtime::MemRef<3> *rhs,
                                               loom::runtime::MemRef<1> *bias,
                                               loom::runtime::MemRef<3> *init,
                                               int64_t flags, float alpha);
/// init = relu?(conv(input, weight) + bias (+ init)): see Kernels.cpp.
void _mlir_ciface_loom_kernel_conv2d_f32(
    loom::runtime::MemRef<4> *input, loom::runtime::MemRef<4> *weight,
    loom::runtime::MemRef<1> *bias, loom::runtime::MemRef<4> *init, int64_t sh,
    int64_t sw, int64_t pt, int64_t pl, int64_t pb, int64_t pr, int64_t dh,
    int64_t dw, int64_t groups, int64_t flags);

} // extern "C"

#endif // LOOM_RUNTIME_KERNELS_H
