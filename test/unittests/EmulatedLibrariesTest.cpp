//===- EmulatedLibrariesTest.cpp - cuBLASLt and cuDNN on the emulator -----===//
//
// Part of Loom. The emulated device's cuBLASLt and cuDNN entries compute
// what the libraries document and refuse what they refuse: every attribute,
// descriptor, pointer and workspace the runtime passes is validated.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/cuda/LibApi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

using namespace loom::cuda;

extern "C" {
CUresult cuGetProcAddress_v2(const char *symbol, void **function, int version,
                             uint64_t flags, int *status);
#define LOOM_DECLARE(name, ret, params) ret name params;
LOOM_CUBLASLT_ENTRIES(LOOM_DECLARE)
LOOM_CUDNN_ENTRIES(LOOM_DECLARE)
#undef LOOM_DECLARE
}

namespace {

struct Driver {
  Api api;
  CUstream stream = nullptr;
  Driver() {
#define LOOM_RESOLVE(name, params)                                             \
  cuGetProcAddress_v2(#name, reinterpret_cast<void **>(&api.name),             \
                      kApiVersion, 0, nullptr);
    LOOM_CUDA_ENTRIES(LOOM_RESOLVE)
#undef LOOM_RESOLVE
    api.cuInit(0);
    api.cuStreamCreate(&stream, 0);
  }
  /// Device memory holding `values`.
  void *upload(const std::vector<float> &values) {
    CUdeviceptr p = 0;
    api.cuMemAlloc(&p, values.size() * sizeof(float));
    api.cuMemcpyHtoDAsync(p, values.data(), values.size() * sizeof(float),
                          stream);
    api.cuStreamSynchronize(stream);
    return reinterpret_cast<void *>(p);
  }
  std::vector<float> download(const void *p, size_t count) {
    std::vector<float> values(count);
    api.cuMemcpyDtoHAsync(values.data(), reinterpret_cast<CUdeviceptr>(p),
                          count * sizeof(float), stream);
    EXPECT_EQ(api.cuStreamSynchronize(stream), CUDA_SUCCESS);
    return values;
  }
};

Driver &driver() {
  static Driver d;
  return d;
}

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = scale * (static_cast<float>((i * 7) % 13) - 6.0f) + 1e-4f * i;
  return v;
}

struct Product {
  cublasLtHandle_t handle = nullptr;
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
  size_t workspace = 0;
};

/// D (m x n, ld ldc) = alpha op(A) op(B) + beta C, column-major, with A
/// stored m x k (transA: k x m) and B k x n (transB: n x k).
Product plan(int m, int n, int k, bool ta, bool tb, int64_t lda, int64_t ldb,
             int64_t ldc, int compute = CUBLAS_COMPUTE_32F) {
  driver();
  Product p;
  EXPECT_EQ(cublasLtCreate(&p.handle), CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(cublasLtMatmulDescCreate(&p.desc, compute, CUDA_R_32F), 0);
  int32_t opA = ta, opB = tb;
  EXPECT_EQ(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                           &opA, 4),
            0);
  EXPECT_EQ(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_TRANSB,
                                           &opB, 4),
            0);
  EXPECT_EQ(
      cublasLtMatrixLayoutCreate(&p.a, CUDA_R_32F, ta ? k : m, ta ? m : k, lda),
      0);
  EXPECT_EQ(
      cublasLtMatrixLayoutCreate(&p.b, CUDA_R_32F, tb ? n : k, tb ? k : n, ldb),
      0);
  EXPECT_EQ(cublasLtMatrixLayoutCreate(&p.c, CUDA_R_32F, m, n, ldc), 0);
  cublasLtMatmulPreference_t pref;
  EXPECT_EQ(cublasLtMatmulPreferenceCreate(&pref), 0);
  uint64_t max = 1 << 20;
  EXPECT_EQ(cublasLtMatmulPreferenceSetAttribute(
                pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max, 8),
            0);
  cublasLtMatmulHeuristicResult_t result;
  int returned = 0;
  EXPECT_EQ(cublasLtMatmulAlgoGetHeuristic(p.handle, p.desc, p.a, p.b, p.c, p.c,
                                           pref, 1, &result, &returned),
            0);
  EXPECT_EQ(returned, 1);
  p.algo = result.algo;
  p.workspace = result.workspaceSize;
  return p;
}

TEST(EmulatedCublasLt, ProductsAreColumnMajorWithTransposesAndScalars) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      int m = 5, n = 3, k = 7;
      int64_t lda = (ta ? k : m) + 2, ldb = (tb ? n : k) + 1, ldc = m + 3;
      std::vector<float> A = ramp(lda * (ta ? m : k), 0.5f),
                         B = ramp(ldb * (tb ? k : n), 0.25f),
                         C = ramp(ldc * n, 1.0f);
      Product p = plan(m, n, k, ta, tb, lda, ldb, ldc);
      Driver &d = driver();
      void *a = d.upload(A), *b = d.upload(B), *c = d.upload(C);
      void *ws = d.upload(std::vector<float>(p.workspace / 4 + 1));
      float alpha = 0.5f, beta = 2.0f;
      ASSERT_EQ(cublasLtMatmul(p.handle, p.desc, &alpha, a, p.a, b, p.b, &beta,
                               c, p.c, c, p.c, &p.algo, ws, p.workspace,
                               d.stream),
                CUBLAS_STATUS_SUCCESS);
      std::vector<float> D = d.download(c, C.size());
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < m; ++i) {
          double sum = 0;
          for (int q = 0; q < k; ++q)
            sum += double(ta ? A[q + i * lda] : A[i + q * lda]) *
                   (tb ? B[j + q * ldb] : B[q + j * ldb]);
          double expected = alpha * sum + beta * C[i + j * ldc];
          EXPECT_NEAR(D[i + j * ldc], expected,
                      1e-4 + 1e-5 * std::abs(expected))
              << "ta " << ta << " tb " << tb << " at " << i << ", " << j;
        }
      // The padding between columns is not written.
      EXPECT_EQ(D[m], C[m]);
    }
}

/// Sets a layout's strided batch: `count` matrices `stride` elements apart.
void batch(cublasLtMatrixLayout_t l, int32_t count, int64_t stride) {
  EXPECT_EQ(cublasLtMatrixLayoutSetAttribute(
                l, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
            CUBLAS_STATUS_SUCCESS);
  EXPECT_EQ(cublasLtMatrixLayoutSetAttribute(
                l, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                sizeof(stride)),
            CUBLAS_STATUS_SUCCESS);
}

TEST(EmulatedCublasLt, StridedBatchesAreProductsApart) {
  int m = 3, n = 4, k = 5, count = 3;
  // Padded batches: each matrix a few elements past the last one's end.
  int64_t sa = m * k + 2, sb = k * n + 1, sc = m * n + 3;
  std::vector<float> A = ramp(sa * count, 0.5f), B = ramp(sb * count, 0.25f),
                     C = ramp(sc * count, 1.0f);
  Product p = plan(m, n, k, false, false, m, k, m);
  batch(p.a, count, sa);
  batch(p.b, count, sb);
  batch(p.c, count, sc);
  Driver &d = driver();
  void *a = d.upload(A), *b = d.upload(B), *c = d.upload(C);
  void *ws = d.upload(std::vector<float>(p.workspace / 4 + 1));
  float alpha = 1.0f, beta = 0.0f;
  ASSERT_EQ(cublasLtMatmul(p.handle, p.desc, &alpha, a, p.a, b, p.b, &beta, c,
                           p.c, c, p.c, &p.algo, ws, p.workspace, d.stream),
            CUBLAS_STATUS_SUCCESS);
  std::vector<float> D = d.download(c, C.size());
  for (int q = 0; q < count; ++q) {
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < m; ++i) {
        double sum = 0;
        for (int r = 0; r < k; ++r)
          sum += double(A[q * sa + i + r * m]) * B[q * sb + r + j * k];
        EXPECT_NEAR(D[q * sc + i + j * m], sum, 1e-4 + 1e-5 * std::abs(sum))
            << "batch " << q << " at " << i << ", " << j;
      }
    // What lies between two matrices of D is not written.
    EXPECT_EQ(D[q * sc + m * n], C[q * sc + m * n]);
  }
  // The batches must agree, and D's matrices may not overlap.
  batch(p.b, count - 1, sb);
  EXPECT_EQ(cublasLtMatmul(p.handle, p.desc, &alpha, a, p.a, b, p.b, &beta, c,
                           p.c, c, p.c, &p.algo, ws, p.workspace, d.stream),
            CUBLAS_STATUS_INVALID_VALUE);
  batch(p.b, count, sb);
  batch(p.c, count, m * n - 1);
  EXPECT_EQ(cublasLtMatmul(p.handle, p.desc, &alpha, a, p.a, b, p.b, &beta, c,
                           p.c, c, p.c, &p.algo, ws, p.workspace, d.stream),
            CUBLAS_STATUS_INVALID_VALUE);
  int32_t none = 0;
  EXPECT_EQ(cublasLtMatrixLayoutSetAttribute(
                p.a, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &none, sizeof(none)),
            CUBLAS_STATUS_INVALID_VALUE);
}

TEST(EmulatedCublasLt, TheBiasEpilogueAddsARowOfDToEveryColumn) {
  int m = 3, n = 2, k = 4;
  std::vector<float> A = ramp(m * k, 0.5f), B = ramp(k * n, 0.25f),
                     C(m * n, 7.0f), bias = {1.0f, -2.0f, 0.5f};
  Product p = plan(m, n, k, false, false, m, k, m);
  Driver &d = driver();
  void *a = d.upload(A), *b = d.upload(B), *c = d.upload(C),
       *bv = d.upload(bias);
  void *ws = d.upload(std::vector<float>(p.workspace / 4 + 1));
  int32_t epilogue = CUBLASLT_EPILOGUE_BIAS;
  ASSERT_EQ(cublasLtMatmulDescSetAttribute(
                p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, 4),
            CUBLAS_STATUS_SUCCESS);
  float one = 1, zero = 0;
  // No bias pointer yet: refused.
  EXPECT_EQ(cublasLtMatmul(p.handle, p.desc, &one, a, p.a, b, p.b, &zero, c,
                           p.c, c, p.c, &p.algo, ws, p.workspace, d.stream),
            CUBLAS_STATUS_INVALID_VALUE);
  ASSERT_EQ(cublasLtMatmulDescSetAttribute(
                p.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bv, sizeof(bv)),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasLtMatmul(p.handle, p.desc, &one, a, p.a, b, p.b, &zero, c,
                           p.c, c, p.c, &p.algo, ws, p.workspace, d.stream),
            CUBLAS_STATUS_SUCCESS);
  std::vector<float> D = d.download(c, C.size());
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < m; ++i) {
      double sum = bias[i];
      for (int q = 0; q < k; ++q)
        sum += double(A[i + q * m]) * B[q + j * k];
      EXPECT_NEAR(D[i + j * m], sum, 1e-4 + 1e-5 * std::abs(sum));
    }
  // RELU_BIAS: the same, then negatives (and NaNs) to 0.
  epilogue = CUBLASLT_EPILOGUE_RELU_BIAS;
  ASSERT_EQ(cublasLtMatmulDescSetAttribute(
                p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, 4),
            CUBLAS_STATUS_SUCCESS);
  ASSERT_EQ(cublasLtMatmul(p.handle, p.desc, &one, a, p.a, b, p.b, &zero, c,
                           p.c, c, p.c, &p.algo, ws, p.workspace, d.stream),
            CUBLAS_STATUS_SUCCESS);
  std::vector<float> R = d.download(c, C.size());
  int negatives = 0;
  for (size_t i = 0; i < R.size(); ++i) {
    negatives += D[i] < 0;
    EXPECT_EQ(R[i], D[i] < 0 ? 0.0f : D[i]) << "at " << i;
  }
  EXPECT_GT(negatives, 0); // the ReLU had something to do
  // Only the epilogues Loom sets are emulated.
  epilogue = 32; // GELU
  EXPECT_EQ(cublasLtMatmulDescSetAttribute(
                p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, 4),
            CUBLAS_STATUS_NOT_SUPPORTED);
}

TEST(EmulatedCublasLt, Fast16BfRoundsInputsToBfloat16) {
  Driver &d = driver();
  // 1 + 2^-9 is a TF32 value but no bfloat16 one (7 mantissa bits): it
  // rounds to 1 there.
  std::vector<float> A = {1.0f + std::ldexp(1.0f, -9)}, B = {1.0f}, C = {0};
  void *a = d.upload(A), *b = d.upload(B), *c = d.upload(C);
  float one = 1, zero = 0;
  for (int compute :
       {CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_COMPUTE_32F_FAST_16BF}) {
    Product p = plan(1, 1, 1, false, false, 1, 1, 1, compute);
    void *ws = d.upload(std::vector<float>(p.workspace / 4 + 1));
    ASSERT_EQ(cublasLtMatmul(p.handle, p.desc, &one, a, p.a, b, p.b, &zero, c,
                             p.c, c, p.c, &p.algo, ws, p.workspace, d.stream),
              0);
    EXPECT_EQ(d.download(c, 1)[0],
              compute == CUBLAS_COMPUTE_32F_FAST_TF32 ? A[0] : 1.0f);
  }
}

TEST(EmulatedCublasLt, Tf32RoundsInputs) {
  Driver &d = driver();
  // 1 + 2^-12 has no TF32 form: it rounds to 1 (10 mantissa bits).
  std::vector<float> A = {1.0f + std::ldexp(1.0f, -12)}, B = {1.0f}, C = {0};
  void *a = d.upload(A), *b = d.upload(B), *c = d.upload(C);
  float one = 1, zero = 0;
  for (int compute : {CUBLAS_COMPUTE_32F, CUBLAS_COMPUTE_32F_FAST_TF32}) {
    Product p = plan(1, 1, 1, false, false, 1, 1, 1, compute);
    void *ws = d.upload(std::vector<float>(p.workspace / 4 + 1));
    ASSERT_EQ(cublasLtMatmul(p.handle, p.desc, &one, a, p.a, b, p.b, &zero, c,
                             p.c, c, p.c, &p.algo, ws, p.workspace, d.stream),
              0);
    EXPECT_EQ(d.download(c, 1)[0], compute == CUBLAS_COMPUTE_32F ? A[0] : 1.0f);
  }
}

TEST(EmulatedCublasLt, RefusesWhatCublasLtRefuses) {
  Product p = plan(4, 4, 4, false, false, 4, 4, 4);
  int32_t value = 0;
  // An attribute Loom does not set is not emulated (so not validated).
  EXPECT_EQ(
      cublasLtMatmulDescSetAttribute(p.desc, /*BIAS_DATA_TYPE*/ 26, &value, 4),
      CUBLAS_STATUS_NOT_SUPPORTED);
  EXPECT_EQ(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                           &value, 8),
            CUBLAS_STATUS_INVALID_VALUE);
  value = 2; // CUBLAS_OP_C
  EXPECT_EQ(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_TRANSA,
                                           &value, 4),
            CUBLAS_STATUS_INVALID_VALUE);
  cublasLtMatrixLayout_t bad;
  EXPECT_EQ(cublasLtMatrixLayoutCreate(&bad, CUDA_R_32F, 8, 2, 4),
            CUBLAS_STATUS_INVALID_VALUE); // ld < rows
  cublasLtMatmulDesc_t desc;
  EXPECT_EQ(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, /*16F*/ 2),
            CUBLAS_STATUS_INVALID_VALUE);

  Driver &d = driver();
  std::vector<float> host(16, 1.0f);
  void *m = d.upload(host), *small = d.upload(std::vector<float>(8));
  void *ws = d.upload(std::vector<float>(p.workspace / 4 + 1));
  float one = 1, zero = 0;
  auto run = [&](const void *a, const void *b, void *c,
                 cublasLtMatrixLayout_t cl, size_t wsBytes) {
    return cublasLtMatmul(p.handle, p.desc, &one, a, p.a, b, p.b, &zero, c, cl,
                          c, cl, &p.algo, ws, wsBytes, d.stream);
  };
  EXPECT_EQ(run(m, m, m, p.c, p.workspace), CUBLAS_STATUS_SUCCESS);
  // Host memory, a buffer too small, a shape that is no product, a
  // workspace smaller than the algorithm's.
  EXPECT_EQ(run(host.data(), m, m, p.c, p.workspace),
            CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_EQ(run(m, small, m, p.c, p.workspace), CUBLAS_STATUS_INVALID_VALUE);
  cublasLtMatrixLayout_t wide;
  ASSERT_EQ(cublasLtMatrixLayoutCreate(&wide, CUDA_R_32F, 4, 3, 4), 0);
  EXPECT_EQ(run(m, m, m, wide, p.workspace), CUBLAS_STATUS_INVALID_VALUE);
  if (p.workspace) {
    EXPECT_EQ(run(m, m, m, p.c, p.workspace - 1), CUBLAS_STATUS_INVALID_VALUE);
  }
  // A destroyed descriptor is gone.
  cublasLtMatrixLayoutDestroy(wide);
  EXPECT_EQ(run(m, m, m, wide, p.workspace), CUBLAS_STATUS_INVALID_VALUE);
}

struct ConvSetup {
  cudnnHandle_t handle;
  cudnnTensorDescriptor_t x, y, bias;
  cudnnFilterDescriptor_t w;
  cudnnConvolutionDescriptor_t conv;
  cudnnActivationDescriptor_t act;
};

ConvSetup setupConv(int n, int c, int h, int wd, int k, int r, int s, int pad,
                    int stride, int dil, int groups, int y[4]) {
  Driver &d = driver();
  ConvSetup cs;
  EXPECT_EQ(cudnnCreate(&cs.handle), 0);
  EXPECT_EQ(cudnnSetStream(cs.handle, d.stream), 0);
  cudnnCreateTensorDescriptor(&cs.x);
  cudnnCreateTensorDescriptor(&cs.y);
  cudnnCreateTensorDescriptor(&cs.bias);
  cudnnCreateFilterDescriptor(&cs.w);
  cudnnCreateConvolutionDescriptor(&cs.conv);
  cudnnCreateActivationDescriptor(&cs.act);
  EXPECT_EQ(cudnnSetTensor4dDescriptor(cs.x, CUDNN_TENSOR_NCHW,
                                       CUDNN_DATA_FLOAT, n, c, h, wd),
            0);
  EXPECT_EQ(cudnnSetFilter4dDescriptor(cs.w, CUDNN_DATA_FLOAT,
                                       CUDNN_TENSOR_NCHW, k, c / groups, r, s),
            0);
  EXPECT_EQ(cudnnSetConvolution2dDescriptor(cs.conv, pad, pad, stride, stride,
                                            dil, dil, CUDNN_CROSS_CORRELATION,
                                            CUDNN_DATA_FLOAT),
            0);
  EXPECT_EQ(cudnnSetConvolutionGroupCount(cs.conv, groups), 0);
  EXPECT_EQ(cudnnSetConvolutionMathType(cs.conv, CUDNN_FMA_MATH), 0);
  EXPECT_EQ(cudnnGetConvolution2dForwardOutputDim(cs.conv, cs.x, cs.w, &y[0],
                                                  &y[1], &y[2], &y[3]),
            0);
  EXPECT_EQ(cudnnSetTensor4dDescriptor(cs.y, CUDNN_TENSOR_NCHW,
                                       CUDNN_DATA_FLOAT, y[0], y[1], y[2],
                                       y[3]),
            0);
  EXPECT_EQ(cudnnSetTensor4dDescriptor(cs.bias, CUDNN_TENSOR_NCHW,
                                       CUDNN_DATA_FLOAT, 1, k, 1, 1),
            0);
  return cs;
}

TEST(EmulatedCudnn, GroupedStridedDilatedConvolutionWithBiasAndRelu) {
  Driver &d = driver();
  int n = 2, c = 4, h = 9, wd = 8, k = 6, r = 3, s = 3, pad = 2, stride = 2,
      dil = 2, groups = 2;
  int y[4];
  ConvSetup cs = setupConv(n, c, h, wd, k, r, s, pad, stride, dil, groups, y);
  EXPECT_EQ(y[0], n);
  EXPECT_EQ(y[1], k);
  EXPECT_EQ(y[2], (h + 2 * pad - ((r - 1) * dil + 1)) / stride + 1);
  EXPECT_EQ(y[3], (wd + 2 * pad - ((s - 1) * dil + 1)) / stride + 1);
  std::vector<float> X = ramp(n * c * h * wd, 0.5f),
                     W = ramp(k * (c / groups) * r * s, 0.25f),
                     B = ramp(k, 1.0f), Z = ramp(y[0] * y[1] * y[2] * y[3], 2);
  void *x = d.upload(X), *w = d.upload(W), *b = d.upload(B), *out = d.upload(Z);
  cudnnConvolutionFwdAlgoPerf_t perf[8];
  int returned = 0;
  ASSERT_EQ(cudnnGetConvolutionForwardAlgorithm_v7(
                cs.handle, cs.x, cs.w, cs.conv, cs.y, 8, &returned, perf),
            0);
  ASSERT_GE(returned, 1);
  size_t bytes = 0;
  ASSERT_EQ(cudnnGetConvolutionForwardWorkspaceSize(
                cs.handle, cs.x, cs.w, cs.conv, cs.y, perf[0].algo, &bytes),
            0);
  void *ws = d.upload(std::vector<float>(bytes / 4 + 1));
  ASSERT_EQ(cudnnSetActivationDescriptor(cs.act, CUDNN_ACTIVATION_RELU,
                                         CUDNN_PROPAGATE_NAN, 0),
            0);
  float one = 1, half = 0.5f;
  ASSERT_EQ(cudnnConvolutionBiasActivationForward(
                cs.handle, &one, cs.x, x, cs.w, w, cs.conv, perf[0].algo, ws,
                bytes, &half, cs.y, out, cs.bias, b, cs.act, cs.y, out),
            0);
  std::vector<float> got = d.download(out, Z.size());
  int cpg = c / groups, kpg = k / groups;
  size_t index = 0;
  for (int in = 0; in < y[0]; ++in)
    for (int ik = 0; ik < y[1]; ++ik)
      for (int p = 0; p < y[2]; ++p)
        for (int q = 0; q < y[3]; ++q, ++index) {
          double sum = 0;
          int g = ik / kpg;
          for (int ch = 0; ch < cpg; ++ch)
            for (int i = 0; i < r; ++i)
              for (int j = 0; j < s; ++j) {
                int ih = p * stride - pad + i * dil,
                    iw = q * stride - pad + j * dil;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd)
                  continue;
                sum += double(X[((in * c + g * cpg + ch) * h + ih) * wd + iw]) *
                       W[((ik * cpg + ch) * r + i) * s + j];
              }
          double expected = std::max(0.0, sum + 0.5 * Z[index] + B[ik]);
          EXPECT_NEAR(got[index], expected, 1e-4 + 1e-5 * std::abs(expected));
        }
}

TEST(EmulatedCudnn, RefusesWhatCudnnRefuses) {
  Driver &d = driver();
  int y[4];
  ConvSetup cs = setupConv(1, 2, 6, 6, 2, 3, 3, 1, 1, 1, 1, y);
  std::vector<float> zeros(72, 0.0f);
  void *x = d.upload(zeros), *w = d.upload(zeros), *out = d.upload(zeros),
       *b = d.upload(zeros);
  size_t bytes = 0;
  ASSERT_EQ(cudnnGetConvolutionForwardWorkspaceSize(
                cs.handle, cs.x, cs.w, cs.conv, cs.y,
                CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, &bytes),
            0);
  ASSERT_GT(bytes, 0u);
  void *ws = d.upload(std::vector<float>(bytes / 4 + 1));
  float one = 1, zero = 0;
  auto forward = [&](int algo, size_t wsBytes, cudnnTensorDescriptor_t yd,
                     const void *xp) {
    return cudnnConvolutionForward(cs.handle, &one, cs.x, xp, cs.w, w, cs.conv,
                                   algo, ws, wsBytes, &zero, yd, out);
  };
  const int precomp = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
  EXPECT_EQ(forward(precomp, bytes, cs.y, x), CUDNN_STATUS_SUCCESS);
  EXPECT_EQ(forward(precomp, bytes - 1, cs.y, x), CUDNN_STATUS_BAD_PARAM);
  EXPECT_EQ(forward(precomp, bytes, cs.y, zeros.data()),
            CUDNN_STATUS_BAD_PARAM); // host memory
  EXPECT_EQ(forward(/*FFT*/ 4, bytes, cs.y, x), CUDNN_STATUS_NOT_SUPPORTED);
  // An output descriptor of another size than the convolution's.
  cudnnTensorDescriptor_t wrong;
  cudnnCreateTensorDescriptor(&wrong);
  cudnnSetTensor4dDescriptor(wrong, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, 2,
                             5, 6);
  EXPECT_EQ(forward(precomp, bytes, wrong, x), CUDNN_STATUS_BAD_PARAM);
  // Channels that do not match the filters.
  cudnnFilterDescriptor_t filter;
  cudnnCreateFilterDescriptor(&filter);
  cudnnSetFilter4dDescriptor(filter, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, 2, 3,
                             3, 3);
  int dims[4];
  EXPECT_EQ(cudnnGetConvolution2dForwardOutputDim(
                cs.conv, cs.x, filter, &dims[0], &dims[1], &dims[2], &dims[3]),
            CUDNN_STATUS_BAD_PARAM);
  // An identity activation fuses with IMPLICIT_PRECOMP_GEMM only.
  ASSERT_EQ(cudnnSetActivationDescriptor(cs.act, CUDNN_ACTIVATION_IDENTITY,
                                         CUDNN_PROPAGATE_NAN, 0),
            0);
  EXPECT_EQ(cudnnConvolutionBiasActivationForward(
                cs.handle, &one, cs.x, x, cs.w, w, cs.conv, 0, ws, bytes, &zero,
                cs.y, out, cs.bias, b, cs.act, cs.y, out),
            CUDNN_STATUS_NOT_SUPPORTED);
  EXPECT_EQ(cudnnConvolutionBiasActivationForward(
                cs.handle, &one, cs.x, x, cs.w, w, cs.conv, precomp, ws, bytes,
                &zero, cs.y, out, cs.bias, b, cs.act, cs.y, out),
            CUDNN_STATUS_SUCCESS);
  // NHWC is not emulated.
  EXPECT_EQ(cudnnSetTensor4dDescriptor(wrong, /*NHWC*/ 1, CUDNN_DATA_FLOAT, 1,
                                       2, 6, 6),
            CUDNN_STATUS_NOT_SUPPORTED);
  EXPECT_EQ(d.api.cuStreamSynchronize(d.stream), CUDA_SUCCESS);
}

TEST(EmulatedCudnn, AddTensorBroadcasts) {
  Driver &d = driver();
  int y[4];
  ConvSetup cs = setupConv(1, 2, 3, 3, 2, 1, 1, 0, 1, 1, 1, y);
  std::vector<float> C(18, 1.0f), B = {10.0f, 20.0f};
  void *c = d.upload(C), *b = d.upload(B);
  float one = 1, two = 2;
  ASSERT_EQ(cudnnAddTensor(cs.handle, &one, cs.bias, b, &two, cs.y, c), 0);
  std::vector<float> got = d.download(c, 18);
  EXPECT_EQ(got[0], 12.0f);
  EXPECT_EQ(got[17], 22.0f);
}

} // namespace
