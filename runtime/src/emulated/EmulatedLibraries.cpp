//===- EmulatedLibraries.cpp - cuBLASLt and cuDNN on the emulated device --===//
//
// Part of Loom's emulated CUDA device. The entries of cuBLASLt and cuDNN
// that Loom's runtime calls (runtime/src/cuda/LibApi.h), with the
// libraries' documented semantics, computed on the CPU when the stream
// reaches them:
//   - cuBLASLt: column-major matrices of a leading dimension, D = alpha *
//     op(A) op(B) + beta * C, CUBLAS_COMPUTE_32F exact and _FAST_TF32 with
//     its inputs rounded to TF32;
//   - cuDNN: NCHW tensors and KCRS filters, grouped and dilated
//     cross-correlation (and convolution), the output size cuDNN computes,
//     FMA math exact and the tensor-op math types with TF32 inputs,
//     cudnnConvolutionBiasActivationForward's rule that an identity
//     activation needs IMPLICIT_PRECOMP_GEMM, cudnnAddTensor's broadcast.
// Every attribute, descriptor, pointer (device memory, live, large enough)
// and workspace is validated before anything is queued; a call that real
// libraries would reject fails here too, with a line on stderr saying why.
//
//===----------------------------------------------------------------------===//

#include "../cuda/LibApi.h"
#include "Emulator.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <vector>

using namespace loom::cuda;
using loom::emu::isLive;
using loom::emu::toHost;

// The libraries' opaque types, as LibApi.h declares them.
namespace loom::cuda {
struct cublasLtContext {};
struct cublasLtMatmulDescOpaque {
  int compute, scale;
  int32_t transA = CUBLAS_OP_N, transB = CUBLAS_OP_N;
  int32_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  const void *bias = nullptr; // BIAS_POINTER
};
struct cublasLtMatrixLayoutOpaque {
  uint64_t rows, cols;
  int64_t ld;
  int32_t batch = 1;       // CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT
  int64_t batchStride = 0; // CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET
};
struct cublasLtMatmulPreferenceOpaque {
  uint64_t maxWorkspace = 0;
};
struct cudnnContext {
  CUstream stream = nullptr;
};
struct cudnnTensorStruct {
  bool set = false;
  int n = 0, c = 0, h = 0, w = 0;
};
struct cudnnFilterStruct {
  bool set = false;
  int k = 0, c = 0, h = 0, w = 0;
};
struct cudnnConvolutionStruct {
  bool set = false;
  int padH = 0, padW = 0, u = 1, v = 1, dh = 1, dw = 1, mode = 0;
  int groups = 1, math = CUDNN_DEFAULT_MATH;
};
struct cudnnActivationStruct {
  bool set = false;
  int mode = 0;
};
} // namespace loom::cuda

namespace {

/// Handles the emulator gave out and has not taken back.
std::mutex handlesMutex;
std::set<const void *> handles;

template <typename T>
T *track(T *handle) {
  std::lock_guard<std::mutex> lock(handlesMutex);
  handles.insert(handle);
  return handle;
}
bool isHandle(const void *handle) {
  std::lock_guard<std::mutex> lock(handlesMutex);
  return handle && handles.count(handle);
}
template <typename T>
int untrack(T *handle, int success, int bad) {
  {
    std::lock_guard<std::mutex> lock(handlesMutex);
    if (!handle || !handles.erase(handle))
      return bad;
  }
  delete handle;
  return success;
}

/// Says why a call is refused, and returns `status`.
int refuse(int status, const char *library, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
int refuse(int status, const char *library, const char *format, ...) {
  char message[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  std::fprintf(stderr, "loom emulated device: %s: %s\n", library, message);
  return status;
}

/// `x` rounded to TF32 (10 mantissa bits, to nearest even), as tensor cores
/// read FP32 inputs.
float toTf32(float x) {
  if (!std::isfinite(x))
    return x;
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  bits += 0xFFF + ((bits >> 13) & 1);
  bits &= ~uint32_t(0x1FFF);
  std::memcpy(&x, &bits, 4);
  return x;
}

/// `x` rounded to bfloat16 (7 mantissa bits, to nearest even):
/// COMPUTE_32F_FAST_16BF may read inputs so (or as TF32; the emulator takes
/// the coarser).
float toBf16(float x) {
  if (!std::isfinite(x))
    return x;
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  bits += 0x7FFF + ((bits >> 16) & 1);
  bits &= ~uint32_t(0xFFFF);
  std::memcpy(&x, &bits, 4);
  return x;
}

/// Whether a host scalar pointer (alpha, beta) is one: cuBLASLt's and
/// cuDNN's default pointer mode reads them on the host, at the call.
bool isHostScalar(const void *p) { return p && !isLive(p, 1); }

constexpr uint64_t kAlgoMagic = 0x4c4f4f4d454d55ull; // "LOOMEMU"

} // namespace

//===----------------------------------------------------------------------===//
// cuBLASLt
//===----------------------------------------------------------------------===//

LOOM_EXPORT size_t cublasLtGetVersion() {
  // LOOM_EMU_CUBLASLT_VERSION: what an older library would say (tests).
  if (const char *v = std::getenv("LOOM_EMU_CUBLASLT_VERSION"))
    return std::strtoull(v, nullptr, 10);
  return 130100;
}

LOOM_EXPORT cublasStatus_t cublasLtCreate(cublasLtHandle_t *handle) {
  if (!handle)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (!loom::emu::isInitialised())
    return CUBLAS_STATUS_NOT_INITIALIZED;
  *handle = track(new cublasLtContext);
  return CUBLAS_STATUS_SUCCESS;
}

LOOM_EXPORT cublasStatus_t cublasLtMatmulDescCreate(cublasLtMatmulDesc_t *desc,
                                                    int compute, int scale) {
  if (!desc)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (compute != CUBLAS_COMPUTE_32F &&
      compute != CUBLAS_COMPUTE_32F_FAST_TF32 &&
      compute != CUBLAS_COMPUTE_32F_FAST_16BF)
    return refuse(CUBLAS_STATUS_NOT_SUPPORTED, "cuBLASLt",
                  "compute type %d is not emulated", compute);
  if (scale != CUDA_R_32F)
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "scale type %d with an fp32 compute type", scale);
  *desc = track(new cublasLtMatmulDescOpaque{compute, scale});
  return CUBLAS_STATUS_SUCCESS;
}

LOOM_EXPORT cublasStatus_t cublasLtMatmulDescSetAttribute(
    cublasLtMatmulDesc_t desc, int attribute, const void *value, size_t bytes) {
  if (!isHandle(desc) || !value)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (attribute == CUBLASLT_MATMUL_DESC_EPILOGUE) {
    int32_t epilogue;
    if (bytes != sizeof(epilogue))
      return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                    "EPILOGUE takes 4 bytes, not %zu", bytes);
    std::memcpy(&epilogue, value, bytes);
    if (epilogue != CUBLASLT_EPILOGUE_DEFAULT &&
        epilogue != CUBLASLT_EPILOGUE_BIAS &&
        epilogue != CUBLASLT_EPILOGUE_RELU &&
        epilogue != CUBLASLT_EPILOGUE_RELU_BIAS)
      return refuse(CUBLAS_STATUS_NOT_SUPPORTED, "cuBLASLt",
                    "epilogue %d is not emulated", epilogue);
    desc->epilogue = epilogue;
    return CUBLAS_STATUS_SUCCESS;
  }
  if (attribute == CUBLASLT_MATMUL_DESC_BIAS_POINTER) {
    if (bytes != sizeof(void *))
      return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                    "BIAS_POINTER takes 8 bytes, not %zu", bytes);
    std::memcpy(&desc->bias, value, bytes);
    return CUBLAS_STATUS_SUCCESS;
  }
  if (attribute != CUBLASLT_MATMUL_DESC_TRANSA &&
      attribute != CUBLASLT_MATMUL_DESC_TRANSB)
    return refuse(CUBLAS_STATUS_NOT_SUPPORTED, "cuBLASLt",
                  "matmul attribute %d is not emulated", attribute);
  int32_t op;
  if (bytes != sizeof(op))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "attribute %d takes 4 bytes, not %zu", attribute, bytes);
  std::memcpy(&op, value, sizeof(op));
  if (op != CUBLAS_OP_N && op != CUBLAS_OP_T)
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "operation %d is not N or T", op);
  (attribute == CUBLASLT_MATMUL_DESC_TRANSA ? desc->transA : desc->transB) = op;
  return CUBLAS_STATUS_SUCCESS;
}

LOOM_EXPORT cublasStatus_t cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t d) {
  return untrack(d, CUBLAS_STATUS_SUCCESS, CUBLAS_STATUS_INVALID_VALUE);
}

LOOM_EXPORT cublasStatus_t
cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t *layout, int type,
                           uint64_t rows, uint64_t cols, int64_t ld) {
  if (!layout)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (type != CUDA_R_32F)
    return refuse(CUBLAS_STATUS_NOT_SUPPORTED, "cuBLASLt",
                  "matrix type %d is not emulated", type);
  // Column-major: a column is `ld` elements apart from the next.
  if (ld < 1 || static_cast<uint64_t>(ld) < rows)
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "a %llu x %llu matrix with leading dimension %lld",
                  static_cast<unsigned long long>(rows),
                  static_cast<unsigned long long>(cols),
                  static_cast<long long>(ld));
  *layout = track(new cublasLtMatrixLayoutOpaque{rows, cols, ld});
  return CUBLAS_STATUS_SUCCESS;
}

LOOM_EXPORT cublasStatus_t
cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t layout, int attribute,
                                 const void *value, size_t bytes) {
  if (!isHandle(layout) || !value)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (attribute == CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT) {
    int32_t count;
    if (bytes != sizeof(count))
      return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                    "BATCH_COUNT takes 4 bytes, not %zu", bytes);
    std::memcpy(&count, value, bytes);
    if (count < 1)
      return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                    "a batch of %d matrices", count);
    layout->batch = count;
    return CUBLAS_STATUS_SUCCESS;
  }
  if (attribute == CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET) {
    int64_t stride;
    if (bytes != sizeof(stride))
      return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                    "STRIDED_BATCH_OFFSET takes 8 bytes, not %zu", bytes);
    std::memcpy(&stride, value, bytes);
    if (stride < 0)
      return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                    "a batch stride of %lld elements",
                    static_cast<long long>(stride));
    layout->batchStride = stride;
    return CUBLAS_STATUS_SUCCESS;
  }
  return refuse(CUBLAS_STATUS_NOT_SUPPORTED, "cuBLASLt",
                "layout attribute %d is not emulated", attribute);
}

LOOM_EXPORT cublasStatus_t
cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t layout) {
  return untrack(layout, CUBLAS_STATUS_SUCCESS, CUBLAS_STATUS_INVALID_VALUE);
}

LOOM_EXPORT cublasStatus_t
cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t *pref) {
  if (!pref)
    return CUBLAS_STATUS_INVALID_VALUE;
  *pref = track(new cublasLtMatmulPreferenceOpaque);
  return CUBLAS_STATUS_SUCCESS;
}

LOOM_EXPORT cublasStatus_t cublasLtMatmulPreferenceSetAttribute(
    cublasLtMatmulPreference_t pref, int attribute, const void *value,
    size_t bytes) {
  if (!isHandle(pref) || !value)
    return CUBLAS_STATUS_INVALID_VALUE;
  if (attribute != CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES)
    return refuse(CUBLAS_STATUS_NOT_SUPPORTED, "cuBLASLt",
                  "preference attribute %d is not emulated", attribute);
  if (bytes != sizeof(uint64_t))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "MAX_WORKSPACE_BYTES takes 8 bytes, not %zu", bytes);
  std::memcpy(&pref->maxWorkspace, value, bytes);
  return CUBLAS_STATUS_SUCCESS;
}

LOOM_EXPORT cublasStatus_t
cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref) {
  return untrack(pref, CUBLAS_STATUS_SUCCESS, CUBLAS_STATUS_INVALID_VALUE);
}

namespace {

struct Shape {
  uint64_t m, n, k;
  int32_t batch;
};

/// op(A) is m x k, op(B) k x n, C and D m x n: the shapes agree.
cublasStatus_t checkShapes(cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t a,
                           cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t c,
                           cublasLtMatrixLayout_t d, Shape &shape) {
  for (const void *h :
       {static_cast<const void *>(desc), static_cast<const void *>(a),
        static_cast<const void *>(b), static_cast<const void *>(c),
        static_cast<const void *>(d)})
    if (!isHandle(h))
      return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                    "a descriptor that is not live");
  bool ta = desc->transA == CUBLAS_OP_T, tb = desc->transB == CUBLAS_OP_T;
  uint64_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols;
  uint64_t kb = tb ? b->cols : b->rows, n = tb ? b->rows : b->cols;
  if (k != kb || c->rows != m || c->cols != n || d->rows != m || d->cols != n ||
      d->ld != c->ld)
    return refuse(
        CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
        "op(A) is %llux%llu, op(B) %llux%llu, C %llux%llu, D "
        "%llux%llu: they do not make a product",
        static_cast<unsigned long long>(m), static_cast<unsigned long long>(k),
        static_cast<unsigned long long>(kb), static_cast<unsigned long long>(n),
        static_cast<unsigned long long>(c->rows),
        static_cast<unsigned long long>(c->cols),
        static_cast<unsigned long long>(d->rows),
        static_cast<unsigned long long>(d->cols));
  if (a->batch != d->batch || b->batch != d->batch || c->batch != d->batch)
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "batches of %d, %d, %d and %d matrices (A, B, C, D) differ",
                  a->batch, b->batch, c->batch, d->batch);
  if (d->batch > 1 && d->batchStride < static_cast<int64_t>(n) * d->ld &&
      d->batchStride != 0)
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "D's batch stride %lld overlaps its %llu x %llu matrices",
                  static_cast<long long>(d->batchStride),
                  static_cast<unsigned long long>(m),
                  static_cast<unsigned long long>(n));
  shape = {m, n, k, d->batch};
  return CUBLAS_STATUS_SUCCESS;
}

/// The bytes a layout's matrices span, every batch included.
size_t matrixBytes(cublasLtMatrixLayout_t l) {
  if (!l->rows || !l->cols)
    return 0;
  return ((l->batch - 1) * l->batchStride + (l->cols - 1) * l->ld + l->rows) *
         sizeof(float);
}

} // namespace

LOOM_EXPORT cublasStatus_t cublasLtMatmulAlgoGetHeuristic(
    cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
    cublasLtMatrixLayout_t a, cublasLtMatrixLayout_t b,
    cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
    cublasLtMatmulPreference_t pref, int requested,
    cublasLtMatmulHeuristicResult_t *results, int *returned) {
  if (!isHandle(handle) || !isHandle(pref) || requested < 1 || !results ||
      !returned)
    return CUBLAS_STATUS_INVALID_VALUE;
  Shape shape;
  if (cublasStatus_t s = checkShapes(desc, a, b, c, d, shape))
    return s;
  std::memset(results, 0, sizeof(*results) * requested);
  results[0].algo.data[0] = kAlgoMagic;
  // The emulated algorithm asks for a small workspace when the preference
  // allows one, so that the caller's workspace is exercised.
  results[0].workspaceSize = pref->maxWorkspace >= 4096 ? 4096 : 0;
  results[0].algo.data[1] = results[0].workspaceSize;
  results[0].state = CUBLAS_STATUS_SUCCESS;
  results[0].wavesCount = 1.0f;
  *returned = 1;
  return CUBLAS_STATUS_SUCCESS;
}

LOOM_EXPORT cublasStatus_t
cublasLtMatmul(cublasLtHandle_t handle, cublasLtMatmulDesc_t desc,
               const void *alpha, const void *a, cublasLtMatrixLayout_t aLayout,
               const void *b, cublasLtMatrixLayout_t bLayout, const void *beta,
               const void *c, cublasLtMatrixLayout_t cLayout, void *d,
               cublasLtMatrixLayout_t dLayout, const cublasLtMatmulAlgo_t *algo,
               void *workspace, size_t workspaceBytes, CUstream stream) {
  if (!isHandle(handle))
    return refuse(CUBLAS_STATUS_NOT_INITIALIZED, "cuBLASLt",
                  "cublasLtMatmul with a handle that is not live");
  Shape shape;
  if (cublasStatus_t s =
          checkShapes(desc, aLayout, bLayout, cLayout, dLayout, shape))
    return s;
  if (!isHostScalar(alpha) || !isHostScalar(beta))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "alpha and beta are read on the host (pointer mode HOST)");
  if (algo && (algo->data[0] != kAlgoMagic || algo->data[1] > workspaceBytes))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "an algorithm that needs %llu bytes of workspace, given %zu",
                  static_cast<unsigned long long>(algo->data[1]),
                  workspaceBytes);
  if (workspaceBytes && !isLive(workspace, workspaceBytes))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "a workspace of %zu bytes that is not device memory",
                  workspaceBytes);
  float alphaValue = *static_cast<const float *>(alpha);
  float betaValue = *static_cast<const float *>(beta);
  struct Operand {
    const void *p;
    cublasLtMatrixLayout_t l;
    const char *name;
  };
  for (const Operand &o : {Operand{a, aLayout, "A"}, Operand{b, bLayout, "B"},
                           Operand{c, cLayout, "C"}, Operand{d, dLayout, "D"}})
    if (matrixBytes(o.l) && !isLive(o.p, matrixBytes(o.l)))
      return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                    "matrix %s (%zu bytes) is not in one device allocation",
                    o.name, matrixBytes(o.l));
  bool ta = desc->transA == CUBLAS_OP_T, tb = desc->transB == CUBLAS_OP_T;
  bool tf32 = desc->compute == CUBLAS_COMPUTE_32F_FAST_TF32;
  bool bf16 = desc->compute == CUBLAS_COMPUTE_32F_FAST_16BF;
  int64_t lda = aLayout->ld, ldb = bLayout->ld, ldc = cLayout->ld;
  // The BIAS epilogue: a vector of D's rows, in device memory, added to
  // every column (of every matrix of a batch).
  bool withBias = desc->epilogue == CUBLASLT_EPILOGUE_BIAS ||
                  desc->epilogue == CUBLASLT_EPILOGUE_RELU_BIAS;
  bool relu = desc->epilogue == CUBLASLT_EPILOGUE_RELU ||
              desc->epilogue == CUBLASLT_EPILOGUE_RELU_BIAS;
  const void *bias = withBias ? desc->bias : nullptr;
  if (withBias && !isLive(bias, shape.m * sizeof(float)))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, "cuBLASLt",
                  "the BIAS epilogue's bias (%llu floats) is not in one "
                  "device allocation",
                  static_cast<unsigned long long>(shape.m));
  int64_t sa = aLayout->batchStride, sb = bLayout->batchStride,
          sc = cLayout->batchStride, sd = dLayout->batchStride;
  if (sc != sd)
    return refuse(CUBLAS_STATUS_NOT_SUPPORTED, "cuBLASLt",
                  "C and D with batch strides %lld and %lld",
                  static_cast<long long>(sc), static_cast<long long>(sd));
  CUresult queued = loom::emu::enqueueLibrary(
      stream,
      [=](const std::vector<const void *> &p) {
        // The pointers as the node holds them (a graph may re-point it).
        const void *a = p[0], *b = p[1], *c = p[2], *bias = p[5];
        void *d = const_cast<void *>(p[3]);
        for (int32_t batch = 0; batch < shape.batch; ++batch) {
          auto *A = static_cast<const float *>(toHost(a)) + batch * sa;
          auto *B = static_cast<const float *>(toHost(b)) + batch * sb;
          auto *C = static_cast<const float *>(toHost(c)) + batch * sc;
          auto *D = static_cast<float *>(toHost(d)) + batch * sd;
          auto in = [&](float x) {
            return tf32 ? toTf32(x) : bf16 ? toBf16(x) : x;
          };
          std::vector<float> column(shape.m);
          for (uint64_t j = 0; j < shape.n; ++j) {
            std::fill(column.begin(), column.end(), 0.0f);
            for (uint64_t p = 0; p < shape.k; ++p) {
              float bv = in(tb ? B[j + p * ldb] : B[p + j * ldb]);
              for (uint64_t i = 0; i < shape.m; ++i)
                column[i] += in(ta ? A[p + i * lda] : A[i + p * lda]) * bv;
            }
            for (uint64_t i = 0; i < shape.m; ++i) {
              // beta == 0: C is not read (it may hold anything, NaN included).
              float old = betaValue == 0.0f ? 0.0f : betaValue * C[i + j * ldc];
              float v =
                  alphaValue * column[i] + old +
                  (bias ? static_cast<const float *>(toHost(bias))[i] : 0.0f);
              // ReLU as ONNX's (NaN to 0; what cuBLASLt's RELU does with a
              // NaN is not documented).
              D[i + j * ldc] = relu && !(v >= 0.0f) ? 0.0f : v;
            }
          }
        }
        return CUDA_SUCCESS;
      },
      "cublasLtMatmul", {a, b, c, d, workspace, bias});
  return queued == CUDA_SUCCESS ? CUBLAS_STATUS_SUCCESS
                                : CUBLAS_STATUS_EXECUTION_FAILED;
}

//===----------------------------------------------------------------------===//
// cuDNN
//===----------------------------------------------------------------------===//

LOOM_EXPORT size_t cudnnGetVersion() {
  if (const char *v = std::getenv("LOOM_EMU_CUDNN_VERSION"))
    return std::strtoull(v, nullptr, 10);
  return 91900;
}

LOOM_EXPORT const char *cudnnGetErrorString(cudnnStatus_t status) {
  switch (status) {
  case CUDNN_STATUS_SUCCESS:
    return "CUDNN_STATUS_SUCCESS";
  case CUDNN_STATUS_NOT_INITIALIZED:
    return "CUDNN_STATUS_NOT_INITIALIZED";
  case CUDNN_STATUS_BAD_PARAM:
    return "CUDNN_STATUS_BAD_PARAM";
  case CUDNN_STATUS_NOT_SUPPORTED:
    return "CUDNN_STATUS_NOT_SUPPORTED";
  case CUDNN_STATUS_EXECUTION_FAILED:
    return "CUDNN_STATUS_EXECUTION_FAILED";
  default:
    return "CUDNN_STATUS_UNKNOWN";
  }
}

LOOM_EXPORT cudnnStatus_t cudnnCreate(cudnnHandle_t *handle) {
  if (!handle)
    return CUDNN_STATUS_BAD_PARAM;
  if (!loom::emu::isInitialised())
    return CUDNN_STATUS_NOT_INITIALIZED;
  *handle = track(new cudnnContext);
  return CUDNN_STATUS_SUCCESS;
}

LOOM_EXPORT cudnnStatus_t cudnnSetStream(cudnnHandle_t handle,
                                         CUstream stream) {
  if (!isHandle(handle))
    return CUDNN_STATUS_BAD_PARAM;
  handle->stream = stream;
  return CUDNN_STATUS_SUCCESS;
}

#define LOOM_EMU_CUDNN_DESCRIPTOR(Kind, Struct)                                \
  LOOM_EXPORT cudnnStatus_t cudnnCreate##Kind##Descriptor(Struct **desc) {     \
    if (!desc)                                                                 \
      return CUDNN_STATUS_BAD_PARAM;                                           \
    *desc = track(new Struct);                                                 \
    return CUDNN_STATUS_SUCCESS;                                               \
  }                                                                            \
  LOOM_EXPORT cudnnStatus_t cudnnDestroy##Kind##Descriptor(Struct *desc) {     \
    return untrack(desc, CUDNN_STATUS_SUCCESS, CUDNN_STATUS_BAD_PARAM);        \
  }
LOOM_EMU_CUDNN_DESCRIPTOR(Tensor, cudnnTensorStruct)
LOOM_EMU_CUDNN_DESCRIPTOR(Filter, cudnnFilterStruct)
LOOM_EMU_CUDNN_DESCRIPTOR(Convolution, cudnnConvolutionStruct)
LOOM_EMU_CUDNN_DESCRIPTOR(Activation, cudnnActivationStruct)
#undef LOOM_EMU_CUDNN_DESCRIPTOR

LOOM_EXPORT cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t d,
                                                     int format, int type,
                                                     int n, int c, int h,
                                                     int w) {
  if (!isHandle(d) || n <= 0 || c <= 0 || h <= 0 || w <= 0)
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "a %dx%dx%dx%d tensor descriptor", n, c, h, w);
  if (format != CUDNN_TENSOR_NCHW || type != CUDNN_DATA_FLOAT)
    return refuse(CUDNN_STATUS_NOT_SUPPORTED, "cuDNN",
                  "tensor format %d of type %d is not emulated (NCHW float "
                  "only)",
                  format, type);
  *d = {true, n, c, h, w};
  return CUDNN_STATUS_SUCCESS;
}

LOOM_EXPORT cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t d,
                                                     int type, int format,
                                                     int k, int c, int h,
                                                     int w) {
  if (!isHandle(d) || k <= 0 || c <= 0 || h <= 0 || w <= 0)
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "a %dx%dx%dx%d filter descriptor", k, c, h, w);
  if (format != CUDNN_TENSOR_NCHW || type != CUDNN_DATA_FLOAT)
    return refuse(CUDNN_STATUS_NOT_SUPPORTED, "cuDNN",
                  "filter format %d of type %d is not emulated (KCRS float "
                  "only)",
                  format, type);
  *d = {true, k, c, h, w};
  return CUDNN_STATUS_SUCCESS;
}

LOOM_EXPORT cudnnStatus_t cudnnSetConvolution2dDescriptor(
    cudnnConvolutionDescriptor_t d, int padH, int padW, int u, int v, int dh,
    int dw, int mode, int computeType) {
  if (!isHandle(d) || padH < 0 || padW < 0 || u <= 0 || v <= 0 || dh <= 0 ||
      dw <= 0 || (mode != 0 && mode != CUDNN_CROSS_CORRELATION))
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "a convolution of pads %d, %d, strides %d, %d, dilations "
                  "%d, %d, mode %d",
                  padH, padW, u, v, dh, dw, mode);
  if (computeType != CUDNN_DATA_FLOAT)
    return refuse(CUDNN_STATUS_NOT_SUPPORTED, "cuDNN",
                  "compute type %d is not emulated", computeType);
  int groups = d->groups, math = d->math;
  *d = {true, padH, padW, u, v, dh, dw, mode, groups, math};
  return CUDNN_STATUS_SUCCESS;
}

LOOM_EXPORT cudnnStatus_t
cudnnSetConvolutionGroupCount(cudnnConvolutionDescriptor_t d, int groups) {
  if (!isHandle(d) || groups < 1)
    return CUDNN_STATUS_BAD_PARAM;
  d->groups = groups;
  return CUDNN_STATUS_SUCCESS;
}

LOOM_EXPORT cudnnStatus_t
cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t d, int math) {
  if (!isHandle(d) || math < CUDNN_DEFAULT_MATH || math > CUDNN_FMA_MATH)
    return CUDNN_STATUS_BAD_PARAM;
  d->math = math;
  return CUDNN_STATUS_SUCCESS;
}

LOOM_EXPORT cudnnStatus_t cudnnSetActivationDescriptor(
    cudnnActivationDescriptor_t d, int mode, int nan, double coef) {
  (void)coef;
  if (!isHandle(d) || (nan != 0 && nan != CUDNN_PROPAGATE_NAN))
    return CUDNN_STATUS_BAD_PARAM;
  if (mode != CUDNN_ACTIVATION_RELU && mode != CUDNN_ACTIVATION_IDENTITY)
    return refuse(CUDNN_STATUS_NOT_SUPPORTED, "cuDNN",
                  "activation mode %d is not emulated", mode);
  *d = {true, mode};
  return CUDNN_STATUS_SUCCESS;
}

namespace {

/// The output cuDNN computes for x, w and conv, after validating them.
cudnnStatus_t getOutput(cudnnConvolutionDescriptor_t conv,
                        cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
                        int out[4]) {
  if (!isHandle(conv) || !isHandle(x) || !isHandle(w) || !conv->set ||
      !x->set || !w->set)
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "a descriptor that is not live or not set");
  if (x->c != w->c * conv->groups || w->k % conv->groups)
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "%d input channels, %d filters of %d channels, %d groups",
                  x->c, w->k, w->c, conv->groups);
  int sizes[2];
  int in[2] = {x->h, x->w}, k[2] = {w->h, w->w},
      pad[2] = {conv->padH, conv->padW};
  int stride[2] = {conv->u, conv->v}, dil[2] = {conv->dh, conv->dw};
  for (int i = 0; i < 2; ++i) {
    int span = (k[i] - 1) * dil[i] + 1;
    if (in[i] + 2 * pad[i] < span)
      return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                    "a filter of %d spans more than the padded input (%d)",
                    span, in[i] + 2 * pad[i]);
    sizes[i] = (in[i] + 2 * pad[i] - span) / stride[i] + 1;
  }
  out[0] = x->n;
  out[1] = w->k;
  out[2] = sizes[0];
  out[3] = sizes[1];
  return CUDNN_STATUS_SUCCESS;
}

/// The emulated algorithms: IMPLICIT_GEMM needs no workspace, and
/// IMPLICIT_PRECOMP_GEMM its precomputed indices.
size_t workspaceFor(int algo, const int out[4], cudnnFilterDescriptor_t w) {
  return algo == CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM
             ? size_t(out[2]) * out[3] * w->h * w->w * sizeof(int32_t)
             : 0;
}

cudnnStatus_t checkYDesc(cudnnTensorDescriptor_t y, const int out[4],
                         const char *name) {
  if (!isHandle(y) || !y->set)
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "the %s descriptor is not live or not set", name);
  if (y->n != out[0] || y->c != out[1] || y->h != out[2] || y->w != out[3])
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "the %s descriptor is %dx%dx%dx%d, but the convolution "
                  "computes %dx%dx%dx%d",
                  name, y->n, y->c, y->h, y->w, out[0], out[1], out[2], out[3]);
  return CUDNN_STATUS_SUCCESS;
}

size_t tensorBytes(const cudnnTensorStruct *t) {
  return size_t(t->n) * t->c * t->h * t->w * sizeof(float);
}

struct Conv {
  cudnnTensorStruct x, y;
  cudnnFilterStruct w;
  cudnnConvolutionStruct conv;
};

/// The convolution's result, on the host side of the device's memory.
std::vector<float> convolve(const Conv &c, const float *x, const float *w) {
  bool tf32 = c.conv.math != CUDNN_FMA_MATH;
  int cpg = c.w.c, kpg = c.w.k / c.conv.groups;
  int oh = c.y.h, ow = c.y.w;
  std::vector<float> y(size_t(c.y.n) * c.y.c * oh * ow, 0.0f);
  std::vector<float> xr, wr;
  if (tf32) {
    xr.assign(x, x + size_t(c.x.n) * c.x.c * c.x.h * c.x.w);
    wr.assign(w, w + size_t(c.w.k) * c.w.c * c.w.h * c.w.w);
    for (float &v : xr)
      v = toTf32(v);
    for (float &v : wr)
      v = toTf32(v);
    x = xr.data();
    w = wr.data();
  }
  for (int n = 0; n < c.y.n; ++n)
    for (int k = 0; k < c.y.c; ++k) {
      int g = k / kpg;
      for (int r = 0; r < oh; ++r) {
        float *row = &y[((size_t(n) * c.y.c + k) * oh + r) * ow];
        for (int ch = 0; ch < cpg; ++ch)
          for (int i = 0; i < c.w.h; ++i) {
            int ih = r * c.conv.u - c.conv.padH + i * c.conv.dh;
            if (ih < 0 || ih >= c.x.h)
              continue;
            const float *in =
                &x[((size_t(n) * c.x.c + g * cpg + ch) * c.x.h + ih) * c.x.w];
            for (int j = 0; j < c.w.w; ++j) {
              // CUDNN_CONVOLUTION flips the filter; cross-correlation not.
              int fi = c.conv.mode == 0 ? c.w.h - 1 - i : i;
              int fj = c.conv.mode == 0 ? c.w.w - 1 - j : j;
              float wv = w[((size_t(k) * cpg + ch) * c.w.h + fi) * c.w.w + fj];
              int offset = j * c.conv.dw - c.conv.padW;
              for (int q = 0; q < ow; ++q) {
                int iw = q * c.conv.v + offset;
                if (iw >= 0 && iw < c.x.w)
                  row[q] += in[iw] * wv;
              }
            }
          }
      }
    }
  return y;
}

/// What every forward call validates: handle, descriptors, algorithm,
/// workspace, scalars and buffers.
cudnnStatus_t checkForward(cudnnHandle_t handle, cudnnTensorDescriptor_t xDesc,
                           const void *x, cudnnFilterDescriptor_t wDesc,
                           const void *w, cudnnConvolutionDescriptor_t conv,
                           int algo, const void *workspace, size_t bytes,
                           cudnnTensorDescriptor_t yDesc, const void *y,
                           const void *alpha, const void *beta, Conv &out) {
  if (!isHandle(handle))
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN", "a handle that is not live");
  int dims[4];
  if (cudnnStatus_t s = getOutput(conv, xDesc, wDesc, dims))
    return s;
  if (cudnnStatus_t s = checkYDesc(yDesc, dims, "output"))
    return s;
  if (algo != 0 && algo != CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM)
    return refuse(CUDNN_STATUS_NOT_SUPPORTED, "cuDNN",
                  "forward algorithm %d is not emulated", algo);
  size_t needed = workspaceFor(algo, dims, wDesc);
  if (bytes < needed || (bytes && !isLive(workspace, bytes)))
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "algorithm %d needs %zu bytes of device workspace, given %zu"
                  "%s",
                  algo, needed, bytes,
                  bytes && !isLive(workspace, bytes) ? " not on the device"
                                                     : "");
  if (!isHostScalar(alpha) || !isHostScalar(beta))
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "alpha and beta are host pointers");
  size_t wBytes =
      size_t(wDesc->k) * wDesc->c * wDesc->h * wDesc->w * sizeof(float);
  if (!isLive(x, tensorBytes(xDesc)) || !isLive(w, wBytes) ||
      !isLive(y, tensorBytes(yDesc)))
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "x, w or y is not in one device allocation of its size");
  out = {*xDesc, *yDesc, *wDesc, *conv};
  return CUDNN_STATUS_SUCCESS;
}

} // namespace

LOOM_EXPORT cudnnStatus_t cudnnGetConvolution2dForwardOutputDim(
    cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t x,
    cudnnFilterDescriptor_t w, int *n, int *c, int *h, int *wOut) {
  int out[4] = {};
  if (!n || !c || !h || !wOut)
    return CUDNN_STATUS_BAD_PARAM;
  if (cudnnStatus_t s = getOutput(conv, x, w, out))
    return s;
  *n = out[0];
  *c = out[1];
  *h = out[2];
  *wOut = out[3];
  return CUDNN_STATUS_SUCCESS;
}

LOOM_EXPORT cudnnStatus_t cudnnGetConvolutionForwardAlgorithm_v7(
    cudnnHandle_t handle, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
    cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y, int requested,
    int *returned, cudnnConvolutionFwdAlgoPerf_t *results) {
  int out[4];
  if (!isHandle(handle) || requested < 1 || !returned || !results)
    return CUDNN_STATUS_BAD_PARAM;
  if (cudnnStatus_t s = getOutput(conv, x, w, out))
    return s;
  if (cudnnStatus_t s = checkYDesc(y, out, "output"))
    return s;
  // The precomputed-index algorithm first (it needs a workspace), as
  // cuDNN's heuristics rank it for most shapes.
  int algos[] = {CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM, 0};
  *returned = std::min(requested, 2);
  for (int i = 0; i < *returned; ++i) {
    results[i] = {};
    results[i].algo = algos[i];
    results[i].status = CUDNN_STATUS_SUCCESS;
    results[i].memory = workspaceFor(algos[i], out, w);
    results[i].mathType = conv->math;
  }
  return CUDNN_STATUS_SUCCESS;
}

LOOM_EXPORT cudnnStatus_t cudnnGetConvolutionForwardWorkspaceSize(
    cudnnHandle_t handle, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
    cudnnConvolutionDescriptor_t conv, cudnnTensorDescriptor_t y, int algo,
    size_t *bytes) {
  int out[4];
  if (!isHandle(handle) || !bytes)
    return CUDNN_STATUS_BAD_PARAM;
  if (cudnnStatus_t s = getOutput(conv, x, w, out))
    return s;
  if (cudnnStatus_t s = checkYDesc(y, out, "output"))
    return s;
  if (algo != 0 && algo != CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM)
    return refuse(CUDNN_STATUS_NOT_SUPPORTED, "cuDNN",
                  "forward algorithm %d is not emulated", algo);
  *bytes = workspaceFor(algo, out, w);
  return CUDNN_STATUS_SUCCESS;
}

LOOM_EXPORT cudnnStatus_t cudnnConvolutionForward(
    cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t xDesc,
    const void *x, cudnnFilterDescriptor_t wDesc, const void *w,
    cudnnConvolutionDescriptor_t conv, int algo, void *workspace,
    size_t workspaceBytes, const void *beta, cudnnTensorDescriptor_t yDesc,
    void *y) {
  Conv c;
  if (cudnnStatus_t s =
          checkForward(handle, xDesc, x, wDesc, w, conv, algo, workspace,
                       workspaceBytes, yDesc, y, alpha, beta, c))
    return s;
  float a = *static_cast<const float *>(alpha);
  float b = *static_cast<const float *>(beta);
  CUresult queued = loom::emu::enqueueLibrary(
      handle->stream,
      [=](const std::vector<const void *> &p) {
        const void *x = p[0], *w = p[1], *y = p[2];
        std::vector<float> result =
            convolve(c, static_cast<const float *>(toHost(x)),
                     static_cast<const float *>(toHost(w)));
        auto *out = static_cast<float *>(toHost(y));
        for (size_t i = 0; i < result.size(); ++i)
          out[i] = a * result[i] + (b == 0.0f ? 0.0f : b * out[i]);
        return CUDA_SUCCESS;
      },
      "cudnnConvolutionForward", {x, w, y, workspace});
  return queued == CUDA_SUCCESS ? CUDNN_STATUS_SUCCESS
                                : CUDNN_STATUS_EXECUTION_FAILED;
}

LOOM_EXPORT cudnnStatus_t cudnnConvolutionBiasActivationForward(
    cudnnHandle_t handle, const void *alpha1, cudnnTensorDescriptor_t xDesc,
    const void *x, cudnnFilterDescriptor_t wDesc, const void *w,
    cudnnConvolutionDescriptor_t conv, int algo, void *workspace,
    size_t workspaceBytes, const void *alpha2, cudnnTensorDescriptor_t zDesc,
    const void *z, cudnnTensorDescriptor_t biasDesc, const void *bias,
    cudnnActivationDescriptor_t act, cudnnTensorDescriptor_t yDesc, void *y) {
  Conv c;
  if (cudnnStatus_t s =
          checkForward(handle, xDesc, x, wDesc, w, conv, algo, workspace,
                       workspaceBytes, yDesc, y, alpha1, alpha2, c))
    return s;
  int out[4] = {c.y.n, c.y.c, c.y.h, c.y.w};
  if (cudnnStatus_t s = checkYDesc(zDesc, out, "z"))
    return s;
  if (!isHandle(biasDesc) || !biasDesc->set || biasDesc->n != 1 ||
      biasDesc->c != c.y.c || biasDesc->h != 1 || biasDesc->w != 1)
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "the bias descriptor is not 1x%dx1x1", c.y.c);
  if (!isHandle(act) || !act->set)
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "the activation descriptor is not live or not set");
  // Documented: an identity activation only with IMPLICIT_PRECOMP_GEMM.
  if (act->mode == CUDNN_ACTIVATION_IDENTITY &&
      algo != CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM)
    return refuse(CUDNN_STATUS_NOT_SUPPORTED, "cuDNN",
                  "an identity activation needs IMPLICIT_PRECOMP_GEMM, not "
                  "algorithm %d",
                  algo);
  if (!isLive(z, tensorBytes(zDesc)) || !isLive(bias, c.y.c * sizeof(float)))
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "z or the bias is not in one device allocation of its size");
  float a1 = *static_cast<const float *>(alpha1);
  float a2 = *static_cast<const float *>(alpha2);
  bool relu = act->mode == CUDNN_ACTIVATION_RELU;
  CUresult queued = loom::emu::enqueueLibrary(
      handle->stream,
      [=](const std::vector<const void *> &p) {
        const void *x = p[0], *w = p[1], *z = p[2], *bias = p[3], *y = p[4];
        std::vector<float> result =
            convolve(c, static_cast<const float *>(toHost(x)),
                     static_cast<const float *>(toHost(w)));
        auto *zv = static_cast<const float *>(toHost(z));
        auto *bv = static_cast<const float *>(toHost(bias));
        auto *yv = static_cast<float *>(toHost(y));
        size_t plane = size_t(c.y.h) * c.y.w;
        for (size_t i = 0; i < result.size(); ++i) {
          float v = a1 * result[i] + (a2 == 0.0f ? 0.0f : a2 * zv[i]) +
                    bv[(i / plane) % c.y.c];
          yv[i] = relu ? std::max(v, 0.0f) : v;
        }
        return CUDA_SUCCESS;
      },
      "cudnnConvolutionBiasActivationForward", {x, w, z, bias, y, workspace});
  return queued == CUDA_SUCCESS ? CUDNN_STATUS_SUCCESS
                                : CUDNN_STATUS_EXECUTION_FAILED;
}

LOOM_EXPORT cudnnStatus_t cudnnAddTensor(
    cudnnHandle_t handle, const void *alpha, cudnnTensorDescriptor_t aDesc,
    const void *a, const void *beta, cudnnTensorDescriptor_t cDesc, void *c) {
  if (!isHandle(handle) || !isHandle(aDesc) || !isHandle(cDesc) ||
      !aDesc->set || !cDesc->set)
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "cudnnAddTensor with a handle or descriptor not live");
  // Each of A's dims is C's or 1 (a broadcast).
  int ad[4] = {aDesc->n, aDesc->c, aDesc->h, aDesc->w};
  int cd[4] = {cDesc->n, cDesc->c, cDesc->h, cDesc->w};
  for (int i = 0; i < 4; ++i)
    if (ad[i] != cd[i] && ad[i] != 1)
      return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                    "cudnnAddTensor of %dx%dx%dx%d into %dx%dx%dx%d", ad[0],
                    ad[1], ad[2], ad[3], cd[0], cd[1], cd[2], cd[3]);
  if (!isHostScalar(alpha) || !isHostScalar(beta) ||
      !isLive(a, tensorBytes(aDesc)) || !isLive(c, tensorBytes(cDesc)))
    return refuse(CUDNN_STATUS_BAD_PARAM, "cuDNN",
                  "cudnnAddTensor's scalars or tensors are not where they "
                  "must be");
  float al = *static_cast<const float *>(alpha);
  float be = *static_cast<const float *>(beta);
  cudnnTensorStruct as = *aDesc, cs = *cDesc;
  CUresult queued = loom::emu::enqueueLibrary(
      handle->stream,
      [=](const std::vector<const void *> &p) {
        const void *a = p[0], *c = p[1];
        auto *av = static_cast<const float *>(toHost(a));
        auto *cv = static_cast<float *>(toHost(c));
        size_t i = 0;
        for (int n = 0; n < cs.n; ++n)
          for (int ch = 0; ch < cs.c; ++ch)
            for (int h = 0; h < cs.h; ++h)
              for (int w = 0; w < cs.w; ++w, ++i) {
                size_t j =
                    ((size_t(as.n > 1 ? n : 0) * as.c + (as.c > 1 ? ch : 0)) *
                         as.h +
                     (as.h > 1 ? h : 0)) *
                        as.w +
                    (as.w > 1 ? w : 0);
                cv[i] = al * av[j] + (be == 0.0f ? 0.0f : be * cv[i]);
              }
        return CUDA_SUCCESS;
      },
      "cudnnAddTensor", {a, c});
  return queued == CUDA_SUCCESS ? CUDNN_STATUS_SUCCESS
                                : CUDNN_STATUS_EXECUTION_FAILED;
}
