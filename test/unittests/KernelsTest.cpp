//===- KernelsTest.cpp - The CPU kernel library's functions
//----------------===//
//
// Part of Loom. The functions `loom-lower-kernels-to-calls` calls on the CPU
// (runtime/src/Kernels.cpp), called as compiled code calls them: MLIR memref
// descriptors, strided.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using loom::runtime::MemRef;

extern "C" void
_mlir_ciface_loom_kernel_batch_matmul_f32(MemRef<3> *lhs, MemRef<3> *rhs,
                                          MemRef<1> *bias, MemRef<3> *init,
                                          int64_t flags, float alpha);

namespace {

/// A bias of `data` (empty: none).
MemRef<1> vector(std::vector<float> &data) {
  MemRef<1> v;
  v.allocated = v.aligned = data.data();
  v.offset = 0;
  v.sizes[0] = static_cast<int64_t>(data.size());
  v.strides[0] = 1;
  return v;
}

MemRef<3> view(std::vector<float> &data, int64_t b, int64_t r, int64_t c,
               int64_t batchStride) {
  MemRef<3> m;
  m.allocated = m.aligned = data.data();
  m.offset = 0;
  m.sizes[0] = b;
  m.sizes[1] = r;
  m.sizes[2] = c;
  m.strides[0] = batchStride;
  m.strides[1] = c;
  m.strides[2] = 1;
  return m;
}

TEST(CpuKernels, BatchedProductsAreEachProductPlusTheBias) {
  const int64_t count = 3, m = 4, k = 5, n = 2;
  // Batches with gaps between them (a strided view), an accumulating
  // destination and a transposed right operand.
  std::vector<float> a(count * (m * k + 3)), b(count * (n * k + 1)),
      c(count * (m * n + 2));
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = 0.25f * static_cast<float>((i * 7) % 11) - 1.0f;
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = 0.5f * static_cast<float>((i * 5) % 9) - 2.0f;
  for (size_t i = 0; i < c.size(); ++i)
    c[i] = static_cast<float>(i % 4);
  std::vector<float> before = c;
  MemRef<3> lhs = view(a, count, m, k, m * k + 3);
  MemRef<3> rhs = view(b, count, n, k, n * k + 1); // transposed: n x k
  MemRef<3> init = view(c, count, m, n, m * n + 2);
  float alpha = 0.5f;
  std::vector<float> biasData = {0.25f, -1.5f};
  MemRef<1> bias = vector(biasData);
  _mlir_ciface_loom_kernel_batch_matmul_f32(&lhs, &rhs, &bias, &init,
                                            /*transpose rhs, accumulate*/ 6,
                                            alpha);
  for (int64_t q = 0; q < count; ++q) {
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t r = 0; r < k; ++r)
          sum += double(a[q * (m * k + 3) + i * k + r]) *
                 b[q * (n * k + 1) + j * k + r];
        size_t at = q * (m * n + 2) + i * n + j;
        double expected = alpha * sum + before[at] + biasData[j];
        EXPECT_NEAR(c[at], expected, 1e-5 + 1e-5 * std::abs(expected))
            << "batch " << q << " at " << i << ", " << j;
      }
    // The gap after each matrix is not written.
    EXPECT_EQ(c[q * (m * n + 2) + m * n], before[q * (m * n + 2) + m * n]);
  }
}

TEST(CpuKernels, TheReluEpilogueIsOnnxRelu) {
  // [1 x 2] x [2 x 3] + bias, then ReLU: negatives and NaNs to 0, -0 kept.
  std::vector<float> a = {1.0f, -1.0f},
                     b = {1.0f, 2.0f, 0.0f, 3.0f, 1.0f, 0.0f},
                     bias = {0.0f, 5.0f, std::nanf("")}, c(3, 9.0f);
  MemRef<3> lhs = view(a, 1, 1, 2, 2), rhs = view(b, 1, 2, 3, 6),
            init = view(c, 1, 1, 3, 3);
  MemRef<1> v = vector(bias);
  _mlir_ciface_loom_kernel_batch_matmul_f32(&lhs, &rhs, &v, &init,
                                            /*relu*/ 64, 1.0f);
  EXPECT_EQ(c[0], 0.0f); // 1 - 3 + 0 < 0
  EXPECT_EQ(c[1], 6.0f); // 2 - 1 + 5
  EXPECT_EQ(c[2], 0.0f); // NaN
}

} // namespace
