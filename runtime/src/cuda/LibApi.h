//===- LibApi.h - The cuBLASLt and cuDNN entries Loom calls ----*- C++ -*-===//
//
// Part of Loom's runtime. cuBLASLt (matrix products) and cuDNN's classic
// convolution API as far as Loom uses them, declared here (values as in
// CUDA 13.0's cublasLt.h/cublas_api.h and cuDNN 9's cudnn_*_v9.h) so that
// the runtime builds without their headers and links without them: the
// tables are filled by dlsym from libcublasLt.so.13 and libcudnn.so.9, or
// from the emulated device, which implements the same entries with the
// libraries' documented semantics (runtime/src/emulated/).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CUDA_LIBAPI_H
#define LOOM_RUNTIME_CUDA_LIBAPI_H

#include "CudaApi.h"

#include <cstddef>
#include <cstdint>

namespace loom::cuda {

//===----------------------------------------------------------------------===//
// cuBLASLt
//===----------------------------------------------------------------------===//

using cublasStatus_t = int;
using cublasLtHandle_t = struct cublasLtContext *;
using cublasLtMatmulDesc_t = struct cublasLtMatmulDescOpaque *;
using cublasLtMatrixLayout_t = struct cublasLtMatrixLayoutOpaque *;
using cublasLtMatmulPreference_t = struct cublasLtMatmulPreferenceOpaque *;
struct cublasLtMatmulAlgo_t {
  uint64_t data[8];
};
struct cublasLtMatmulHeuristicResult_t {
  cublasLtMatmulAlgo_t algo;
  size_t workspaceSize;
  cublasStatus_t state;
  float wavesCount;
  int reserved[4];
};

constexpr cublasStatus_t CUBLAS_STATUS_SUCCESS = 0;
constexpr cublasStatus_t CUBLAS_STATUS_NOT_INITIALIZED = 1;
constexpr cublasStatus_t CUBLAS_STATUS_ALLOC_FAILED = 3;
constexpr cublasStatus_t CUBLAS_STATUS_INVALID_VALUE = 7;
constexpr cublasStatus_t CUBLAS_STATUS_EXECUTION_FAILED = 13;
constexpr cublasStatus_t CUBLAS_STATUS_NOT_SUPPORTED = 15;
constexpr int CUBLAS_OP_N = 0, CUBLAS_OP_T = 1;
constexpr int CUBLAS_COMPUTE_32F = 68, CUBLAS_COMPUTE_32F_FAST_TF32 = 77,
              CUBLAS_COMPUTE_32F_FAST_16BF = 75;
constexpr int CUDA_R_32F = 0;
constexpr int CUBLASLT_MATMUL_DESC_TRANSA = 3, CUBLASLT_MATMUL_DESC_TRANSB = 4;
constexpr int CUBLASLT_MATMUL_DESC_EPILOGUE = 7;     // int32_t
constexpr int CUBLASLT_MATMUL_DESC_BIAS_POINTER = 8; // a device pointer
constexpr int32_t CUBLASLT_EPILOGUE_DEFAULT = 1, CUBLASLT_EPILOGUE_RELU = 2,
                  CUBLASLT_EPILOGUE_BIAS = 4, CUBLASLT_EPILOGUE_RELU_BIAS = 6;
constexpr int CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES = 1;
constexpr int CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT = 5;          // int32_t
constexpr int CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET = 6; // int64_t
/// The oldest cuBLASLt Loom accepts (cublasLtGetVersion's form).
constexpr size_t kMinCublasLtVersion = 120000;

// X(name, return, parameters)
#define LOOM_CUBLASLT_ENTRIES(X)                                               \
  X(cublasLtGetVersion, size_t, ())                                            \
  X(cublasLtCreate, cublasStatus_t, (cublasLtHandle_t * handle))               \
  X(cublasLtMatmulDescCreate, cublasStatus_t,                                  \
    (cublasLtMatmulDesc_t * desc, int computeType, int scaleType))             \
  X(cublasLtMatmulDescSetAttribute, cublasStatus_t,                            \
    (cublasLtMatmulDesc_t desc, int attribute, const void *value,              \
     size_t bytes))                                                            \
  X(cublasLtMatmulDescDestroy, cublasStatus_t, (cublasLtMatmulDesc_t desc))    \
  X(cublasLtMatrixLayoutCreate, cublasStatus_t,                                \
    (cublasLtMatrixLayout_t * layout, int type, uint64_t rows, uint64_t cols,  \
     int64_t ld))                                                              \
  X(cublasLtMatrixLayoutDestroy, cublasStatus_t,                               \
    (cublasLtMatrixLayout_t layout))                                           \
  X(cublasLtMatrixLayoutSetAttribute, cublasStatus_t,                          \
    (cublasLtMatrixLayout_t layout, int attribute, const void *value,          \
     size_t bytes))                                                            \
  X(cublasLtMatmulPreferenceCreate, cublasStatus_t,                            \
    (cublasLtMatmulPreference_t * pref))                                       \
  X(cublasLtMatmulPreferenceSetAttribute, cublasStatus_t,                      \
    (cublasLtMatmulPreference_t pref, int attribute, const void *value,        \
     size_t bytes))                                                            \
  X(cublasLtMatmulPreferenceDestroy, cublasStatus_t,                           \
    (cublasLtMatmulPreference_t pref))                                         \
  X(cublasLtMatmulAlgoGetHeuristic, cublasStatus_t,                            \
    (cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,                       \
     cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,                       \
     cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,                       \
     cublasLtMatmulPreference_t pref, int requested,                           \
     cublasLtMatmulHeuristicResult_t *results, int *returned))                 \
  X(cublasLtMatmul, cublasStatus_t,                                            \
    (cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, const void *alpha,    \
     const void *a, cublasLtMatrixLayout_t aLayout, const void *b,             \
     cublasLtMatrixLayout_t bLayout, const void *beta, const void *c,          \
     cublasLtMatrixLayout_t cLayout, void *d, cublasLtMatrixLayout_t dLayout,  \
     const cublasLtMatmulAlgo_t *algo, void *workspace, size_t workspaceBytes, \
     CUstream stream))

//===----------------------------------------------------------------------===//
// cuDNN (the classic convolution API)
//===----------------------------------------------------------------------===//

using cudnnStatus_t = int;
using cudnnHandle_t = struct cudnnContext *;
using cudnnTensorDescriptor_t = struct cudnnTensorStruct *;
using cudnnFilterDescriptor_t = struct cudnnFilterStruct *;
using cudnnConvolutionDescriptor_t = struct cudnnConvolutionStruct *;
using cudnnActivationDescriptor_t = struct cudnnActivationStruct *;
struct cudnnConvolutionFwdAlgoPerf_t {
  int algo;
  cudnnStatus_t status;
  float time;
  size_t memory;
  int determinism;
  int mathType;
  int reserved[3];
};

constexpr cudnnStatus_t CUDNN_STATUS_SUCCESS = 0;
constexpr cudnnStatus_t CUDNN_STATUS_NOT_INITIALIZED = 1001;
constexpr cudnnStatus_t CUDNN_STATUS_BAD_PARAM = 2000;
constexpr cudnnStatus_t CUDNN_STATUS_NOT_SUPPORTED = 3000;
constexpr cudnnStatus_t CUDNN_STATUS_EXECUTION_FAILED = 5000;
constexpr int CUDNN_DATA_FLOAT = 0;
constexpr int CUDNN_TENSOR_NCHW = 0;
constexpr int CUDNN_CROSS_CORRELATION = 1;
constexpr int CUDNN_ACTIVATION_RELU = 1, CUDNN_ACTIVATION_IDENTITY = 5;
constexpr int CUDNN_PROPAGATE_NAN = 1;
constexpr int CUDNN_DEFAULT_MATH = 0, CUDNN_TENSOR_OP_MATH = 1,
              CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION = 2, CUDNN_FMA_MATH = 3;
constexpr int CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM = 1;
constexpr int CUDNN_CONVOLUTION_FWD_ALGO_COUNT = 8;
/// The oldest cuDNN Loom accepts (cudnnGetVersion's form).
constexpr size_t kMinCudnnVersion = 90000;

#define LOOM_CUDNN_ENTRIES(X)                                                  \
  X(cudnnGetVersion, size_t, ())                                               \
  X(cudnnGetErrorString, const char *, (cudnnStatus_t status))                 \
  X(cudnnCreate, cudnnStatus_t, (cudnnHandle_t * handle))                      \
  X(cudnnSetStream, cudnnStatus_t, (cudnnHandle_t handle, CUstream stream))    \
  X(cudnnCreateTensorDescriptor, cudnnStatus_t,                                \
    (cudnnTensorDescriptor_t * desc))                                          \
  X(cudnnSetTensor4dDescriptor, cudnnStatus_t,                                 \
    (cudnnTensorDescriptor_t desc, int format, int type, int n, int c, int h,  \
     int w))                                                                   \
  X(cudnnDestroyTensorDescriptor, cudnnStatus_t,                               \
    (cudnnTensorDescriptor_t desc))                                            \
  X(cudnnCreateFilterDescriptor, cudnnStatus_t,                                \
    (cudnnFilterDescriptor_t * desc))                                          \
  X(cudnnSetFilter4dDescriptor, cudnnStatus_t,                                 \
    (cudnnFilterDescriptor_t desc, int type, int format, int k, int c, int h,  \
     int w))                                                                   \
  X(cudnnDestroyFilterDescriptor, cudnnStatus_t,                               \
    (cudnnFilterDescriptor_t desc))                                            \
  X(cudnnCreateConvolutionDescriptor, cudnnStatus_t,                           \
    (cudnnConvolutionDescriptor_t * desc))                                     \
  X(cudnnSetConvolution2dDescriptor, cudnnStatus_t,                            \
    (cudnnConvolutionDescriptor_t desc, int padH, int padW, int strideH,       \
     int strideW, int dilationH, int dilationW, int mode, int computeType))    \
  X(cudnnSetConvolutionGroupCount, cudnnStatus_t,                              \
    (cudnnConvolutionDescriptor_t desc, int groups))                           \
  X(cudnnSetConvolutionMathType, cudnnStatus_t,                                \
    (cudnnConvolutionDescriptor_t desc, int mathType))                         \
  X(cudnnDestroyConvolutionDescriptor, cudnnStatus_t,                          \
    (cudnnConvolutionDescriptor_t desc))                                       \
  X(cudnnCreateActivationDescriptor, cudnnStatus_t,                            \
    (cudnnActivationDescriptor_t * desc))                                      \
  X(cudnnSetActivationDescriptor, cudnnStatus_t,                               \
    (cudnnActivationDescriptor_t desc, int mode, int nan, double coef))        \
  X(cudnnDestroyActivationDescriptor, cudnnStatus_t,                           \
    (cudnnActivationDescriptor_t desc))                                        \
  X(cudnnGetConvolution2dForwardOutputDim, cudnnStatus_t,                      \
    (cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t x,             \
     cudnnFilterDescriptor_t w, int *n, int *c, int *h, int *wOut))            \
  X(cudnnGetConvolutionForwardAlgorithm_v7, cudnnStatus_t,                     \
    (cudnnHandle_t handle, cudnnTensorDescriptor_t x,                          \
     cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv,             \
     cudnnTensorDescriptor_t y, int requested, int *returned,                  \
     cudnnConvolutionFwdAlgoPerf_t *results))                                  \
  X(cudnnGetConvolutionForwardWorkspaceSize, cudnnStatus_t,                    \
    (cudnnHandle_t handle, cudnnTensorDescriptor_t x,                          \
     cudnnFilterDescriptor_t w, cudnnConvolutionDescriptor_t conv,             \
     cudnnTensorDescriptor_t y, int algo, size_t *bytes))                      \
  X(cudnnConvolutionForward, cudnnStatus_t,                                    \
    (cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t xDesc,   \
     const void *x, cudnnFilterDescriptor_t wDesc, const void *w,              \
     cudnnConvolutionDescriptor_t conv, int algo, void *workspace,             \
     size_t workspaceBytes, const void *beta, cudnnTensorDescriptor_t yDesc,   \
     void *y))                                                                 \
  X(cudnnConvolutionBiasActivationForward, cudnnStatus_t,                      \
    (cudnnHandle_t handle, const void *alpha1, cudnnTensorDescriptor_t xDesc,  \
     const void *x, cudnnFilterDescriptor_t wDesc, const void *w,              \
     cudnnConvolutionDescriptor_t conv, int algo, void *workspace,             \
     size_t workspaceBytes, const void *alpha2, cudnnTensorDescriptor_t zDesc, \
     const void *z, cudnnTensorDescriptor_t biasDesc, const void *bias,        \
     cudnnActivationDescriptor_t act, cudnnTensorDescriptor_t yDesc, void *y)) \
  X(cudnnAddTensor, cudnnStatus_t,                                             \
    (cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t aDesc,   \
     const void *a, const void *beta, cudnnTensorDescriptor_t cDesc, void *c))

} // namespace loom::cuda

#endif // LOOM_RUNTIME_CUDA_LIBAPI_H
