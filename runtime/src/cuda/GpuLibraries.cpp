//===- GpuLibraries.cpp - Matrix products and convolutions on a GPU -------===//
//
// Part of Loom's runtime (library LoomCuda). `loom-lower-kernels-to-calls`
// with `gpu-libraries` turns a CUDA model's `kernel.matmul` into a call of
// loom_gpu_matmul_f32 (cuBLASLt) and its `kernel.conv2d` into
// loom_gpu_conv2d_f32 (cuDNN's classic convolution API, the epilogue of
// bias, residual and ReLU fused where cuDNN allows), through MLIR's C
// interface: memref descriptors of device memory, row-major.
//
// The libraries are loaded on first use: libcublasLt.so.13 (or .12) and
// libcudnn.so.9, or $LOOM_CUBLASLT_LIBRARY / $LOOM_CUDNN_LIBRARY; on the
// emulated device, the emulator itself, which provides the same entries.
// An absent or too old library ends the run with one error naming it and
// the node that needed it. Each call is queued on the run's stream, as
// kernels are, with a workspace of that stream's; LOOM_GPU_SYNC=1 waits
// after each, so that a failure names its node.
//
//===----------------------------------------------------------------------===//

#include "../MemRef.h"
#include "GpuDevice.h"
#include "LibApi.h"
#include "loom/abi.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <string>
#include <vector>

using namespace loom::cuda;

using loom::runtime::MemRef;

namespace {

struct BlasApi {
#define LOOM_FIELD(name, ret, params) ret(*name) params = nullptr;
  LOOM_CUBLASLT_ENTRIES(LOOM_FIELD)
};
struct DnnApi {
  LOOM_CUDNN_ENTRIES(LOOM_FIELD)
#undef LOOM_FIELD
};

std::string versionText(size_t v) {
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100);
}

struct MatmulPlan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
  size_t workspace = 0;
};
struct ConvPlan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnActivationDescriptor_t act = nullptr;
  int algo = 0;
  size_t workspace = 0;
  CUdeviceptr zeros = 0; // the bias of a fused ReLU without one
};
/// cuBLASLt's and cuDNN's state, shared by every model of the process
/// (one device): handles, the plans of the shapes seen, a workspace.
struct Libraries {
  std::mutex mutex;
  bool blasTried = false, dnnTried = false;
  std::string blasError, dnnError;
  BlasApi blas;
  DnnApi dnn;
  cublasLtHandle_t lt = nullptr;
  cudnnHandle_t dnnHandle = nullptr;
  /// Each stream's workspace: runs on two streams may overlap.
  struct Workspace {
    CUdeviceptr data = 0;
    size_t bytes = 0;
  };
  std::map<CUstream, Workspace> workspaces;
  CUstream dnnStream = nullptr; // what cudnnSetStream last set
  /// By shape; kept while the process runs (so are the libraries).
  std::map<std::array<int64_t, 11>, MatmulPlan> matmulPlans;
  std::map<std::array<int64_t, 20>, ConvPlan> convPlans;
};

Libraries &getLibraries() {
  static auto *libraries = new Libraries; // outlives static destructors
  return *libraries;
}

const char *blasStatus(cublasStatus_t s) {
  switch (s) {
  case CUBLAS_STATUS_NOT_INITIALIZED:
    return "CUBLAS_STATUS_NOT_INITIALIZED";
  case CUBLAS_STATUS_ALLOC_FAILED:
    return "CUBLAS_STATUS_ALLOC_FAILED";
  case CUBLAS_STATUS_INVALID_VALUE:
    return "CUBLAS_STATUS_INVALID_VALUE";
  case CUBLAS_STATUS_EXECUTION_FAILED:
    return "CUBLAS_STATUS_EXECUTION_FAILED";
  case CUBLAS_STATUS_NOT_SUPPORTED:
    return "CUBLAS_STATUS_NOT_SUPPORTED";
  default:
    return "a cuBLAS error";
  }
}

/// Loads and initialises cuBLASLt once (under the mutex); its error, if any.
const std::string &loadBlas(Device &device, Libraries &l) {
  if (!l.blasTried) {
    l.blasTried = true;
    std::string opened, error;
    void *library =
        openLibrary(device, "LOOM_CUBLASLT_LIBRARY",
                    {"libcublasLt.so.13", "libcublasLt.so.12"}, opened, error);
    static const char *const names[] = {
#define LOOM_NAME(name, ret, params) #name,
        LOOM_CUBLASLT_ENTRIES(LOOM_NAME)};
    if (library)
      resolve(library, opened, names, reinterpret_cast<void **>(&l.blas),
              sizeof(names) / sizeof(names[0]), error);
    if (error.empty() && l.blas.cublasLtGetVersion() < kMinCublasLtVersion)
      error = "cuBLASLt " + versionText(l.blas.cublasLtGetVersion()) +
              " is too old (Loom needs " + versionText(kMinCublasLtVersion) +
              " or newer)";
    if (error.empty())
      if (cublasStatus_t s = l.blas.cublasLtCreate(&l.lt))
        error = std::string("cublasLtCreate failed: ") + blasStatus(s);
    l.blasError = error;
  }
  return l.blasError;
}

/// cuBLASLt for a call of node `site`, or the end of the run.
BlasApi &requireBlas(Device &device, Libraries &l, const char *site) {
  if (!loadBlas(device, l).empty())
    raise("%s needs cuBLASLt: %s", site, l.blasError.c_str());
  return l.blas;
}

/// Loads and initialises cuDNN once (under the mutex); its error, if any.
const std::string &loadDnn(Device &device, Libraries &l) {
  if (!l.dnnTried) {
    l.dnnTried = true;
    std::string opened, error;
    void *library = openLibrary(device, "LOOM_CUDNN_LIBRARY", {"libcudnn.so.9"},
                                opened, error);
    static const char *const names[] = {LOOM_CUDNN_ENTRIES(LOOM_NAME)};
#undef LOOM_NAME
    if (library)
      resolve(library, opened, names, reinterpret_cast<void **>(&l.dnn),
              sizeof(names) / sizeof(names[0]), error);
    if (error.empty() && l.dnn.cudnnGetVersion() < kMinCudnnVersion)
      error = "cuDNN " + versionText(l.dnn.cudnnGetVersion()) +
              " is too old (Loom needs " + versionText(kMinCudnnVersion) +
              " or newer)";
    if (error.empty()) {
      if (cudnnStatus_t s = l.dnn.cudnnCreate(&l.dnnHandle))
        error =
            std::string("cudnnCreate failed: ") + l.dnn.cudnnGetErrorString(s);
      else if ((s = l.dnn.cudnnSetStream(l.dnnHandle, device.stream)))
        error = std::string("cudnnSetStream failed: ") +
                l.dnn.cudnnGetErrorString(s);
      else
        l.dnnStream = device.stream;
    }
    l.dnnError = error;
  }
  return l.dnnError;
}

/// cuDNN for a call of node `site`, or the end of the run.
DnnApi &requireDnn(Device &device, Libraries &l, const char *site) {
  if (!loadDnn(device, l).empty())
    raise("%s needs cuDNN: %s", site, l.dnnError.c_str());
  return l.dnn;
}

/// A device workspace of at least `bytes` for the run's stream; a smaller
/// one is freed in the stream's order (or, without memory pools, once the
/// stream is done with it).
void *getWorkspace(Device &device, Libraries &l, size_t bytes) {
  CUstream stream = runStream();
  Libraries::Workspace &w = l.workspaces[stream];
  if (bytes <= w.bytes)
    return reinterpret_cast<void *>(w.data);
  if (w.data && graphsUsed()) {
    // A graph may hold the old one: it stays (retired), and the new one is
    // allocated outside any capture.
    w = {};
    check(device.api.cuMemAlloc(&w.data, bytes),
          "cuMemAlloc (a library workspace)");
    w.bytes = bytes;
    return reinterpret_cast<void *>(w.data);
  }
  if (w.data) {
    if (device.pools) {
      device.api.cuMemFreeAsync(w.data, stream);
    } else {
      check(device.api.cuStreamSynchronize(stream),
            "cuStreamSynchronize (a library workspace)");
      device.api.cuMemFree(w.data);
    }
    w = {};
  }
  check(device.pools && !graphsUsed()
            ? device.api.cuMemAllocAsync(&w.data, bytes, stream)
            : device.api.cuMemAlloc(&w.data, bytes),
        "cuMemAlloc (a library workspace)");
  w.bytes = bytes;
  return reinterpret_cast<void *>(w.data);
}

/// After a call: with LOOM_GPU_SYNC=1, waits for it, naming its node.
void finish(Device &device, const char *library, const char *site) {
  (void)device;
  if (!syncEachCall())
    return;
  std::string what = std::string(library) + " of " + site;
  syncRun(what.c_str());
}

/// One operand of a product: a row-major matrix (rows may be padded to
/// `ld`), or a batch of them `batchStride` elements apart.
struct Matrix {
  float *data;
  int64_t rows, cols, ld, batchStride;
};

Matrix toMatrix(const MemRef<2> &m, const char *site) {
  if (m.sizes[1] > 1 && m.strides[1] != 1)
    raise("%s: a matrix product's operand is not row-major", site);
  return {m.data(), m.sizes[0], m.sizes[1],
          std::max<int64_t>({m.sizes[0] > 1 ? m.strides[0] : 0, m.sizes[1], 1}),
          0};
}

Matrix toMatrix(const MemRef<3> &m, const char *site) {
  if (m.sizes[2] > 1 && m.strides[2] != 1)
    raise("%s: a batched product's operand is not row-major", site);
  int64_t ld =
      std::max<int64_t>({m.sizes[1] > 1 ? m.strides[1] : 0, m.sizes[2], 1});
  int64_t stride = m.sizes[0] > 1 ? m.strides[0] : m.sizes[1] * ld;
  if (stride < m.sizes[1] * ld)
    raise("%s: a batched product's matrices overlap", site);
  return {m.data(), m.sizes[1], m.sizes[2], ld, stride};
}

/// The bytes a matrix (of `batch`) may reach from its data.
size_t extent(const Matrix &m, int64_t batch) {
  return ((batch - 1) * m.batchStride + (m.rows - 1) * m.ld + m.cols) *
         sizeof(float);
}

GraphPointer graphPointer(const void *data, size_t bytes) {
  return {reinterpret_cast<CUdeviceptr>(data), bytes};
}

constexpr size_t kMatmulWorkspace = size_t(32) << 20;

/// init = alpha * op(lhs) * op(rhs) + bias (+ init) for each of `batch`
/// products, row-major: cuBLASLt computes the column-major transpose,
/// init^T = op(rhs)^T op(lhs)^T, so that no operand moves, and the bias
/// (one element per column of init: a row of init^T) is its BIAS epilogue.
/// flags: 1 transpose lhs, 2 transpose rhs, 4 accumulate, 8 TF32, 32 BF16
/// (cuBLASLt's COMPUTE_32F_FAST_16BF), 64 ReLU (its RELU epilogue).
void product(const Matrix &lhs, const Matrix &rhs, const float *bias,
             const Matrix &init, int64_t batch, int64_t flags, float alpha,
             const char *site) {
  Device &device = requireDevice();
  Libraries &l = getLibraries();
  RaiseSafeLock lock(l.mutex);
  bool transA = flags & 1, accumulate = flags & 4;
  int64_t m = init.rows, n = init.cols;
  int64_t k = transA ? lhs.rows : lhs.cols;
  if (m == 0 || n == 0 || batch == 0)
    return;
  // (convert-graph-to-linalg gives a bias only to products of a static,
  // non-empty inner dim.)
  if (k == 0 && bias)
    raise("%s: a product over an empty inner dim with a bias", site);
  if (k == 0) {
    // An empty sum: zero, or the destination as it is.
    auto zero = [&] {
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t row = 0; row < m; ++row)
          check(device.api.cuMemsetD8Async(
                    reinterpret_cast<CUdeviceptr>(init.data) +
                        (b * init.batchStride + row * init.ld) * sizeof(float),
                    0, n * sizeof(float), runStream()),
                "cuMemsetD8Async (an empty matrix product)");
    };
    // (A memset node cannot be re-pointed.)
    if (!accumulate &&
        !graphLibraryCall("an empty product's memset",
                          {graphPointer(init.data, extent(init, batch))}, false,
                          zero))
      zero();
    return finish(device, "a matrix product", site);
  }
  BlasApi &blas = requireBlas(device, l, site);
  std::array<int64_t, 11> key = {batch,
                                 m,
                                 n,
                                 k,
                                 lhs.ld,
                                 rhs.ld,
                                 init.ld,
                                 lhs.batchStride,
                                 rhs.batchStride,
                                 init.batchStride,
                                 (flags & 107) | (bias ? 16 : 0)};
  auto it = l.matmulPlans.find(key);
  if (it == l.matmulPlans.end()) {
    MatmulPlan plan;
    auto ok = [&](cublasStatus_t s, const char *call) {
      if (s != CUBLAS_STATUS_SUCCESS)
        raise("%s: %s failed for %ld [%ld x %ld] x [%ld x %ld] product(s): %s",
              site, call, static_cast<long>(batch), static_cast<long>(m),
              static_cast<long>(k), static_cast<long>(k), static_cast<long>(n),
              blasStatus(s));
    };
    ok(blas.cublasLtMatmulDescCreate(&plan.desc,
                                     (flags & 8) ? CUBLAS_COMPUTE_32F_FAST_TF32
                                     : (flags & 32)
                                         ? CUBLAS_COMPUTE_32F_FAST_16BF
                                         : CUBLAS_COMPUTE_32F,
                                     CUDA_R_32F),
       "cublasLtMatmulDescCreate");
    int32_t opA = (flags & 2) ? CUBLAS_OP_T : CUBLAS_OP_N;
    int32_t opB = transA ? CUBLAS_OP_T : CUBLAS_OP_N;
    ok(blas.cublasLtMatmulDescSetAttribute(
           plan.desc, CUBLASLT_MATMUL_DESC_TRANSA, &opA, sizeof(opA)),
       "cublasLtMatmulDescSetAttribute(TRANSA)");
    ok(blas.cublasLtMatmulDescSetAttribute(
           plan.desc, CUBLASLT_MATMUL_DESC_TRANSB, &opB, sizeof(opB)),
       "cublasLtMatmulDescSetAttribute(TRANSB)");
    bool relu = flags & 64;
    if (bias || relu) {
      int32_t epilogue = bias && relu ? CUBLASLT_EPILOGUE_RELU_BIAS
                         : bias       ? CUBLASLT_EPILOGUE_BIAS
                                      : CUBLASLT_EPILOGUE_RELU;
      ok(blas.cublasLtMatmulDescSetAttribute(plan.desc,
                                             CUBLASLT_MATMUL_DESC_EPILOGUE,
                                             &epilogue, sizeof(epilogue)),
         "cublasLtMatmulDescSetAttribute(EPILOGUE)");
    }
    if (bias) {
      // A pointer for the heuristic; each call sets its own.
      ok(blas.cublasLtMatmulDescSetAttribute(
             plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)),
         "cublasLtMatmulDescSetAttribute(BIAS_POINTER)");
    }
    // Column-major views of the row-major buffers: A is rhs, B is lhs.
    auto layout = [&](cublasLtMatrixLayout_t &out, const Matrix &x) {
      ok(blas.cublasLtMatrixLayoutCreate(&out, CUDA_R_32F, x.cols, x.rows,
                                         x.ld),
         "cublasLtMatrixLayoutCreate");
      if (batch == 1)
        return;
      int32_t count = static_cast<int32_t>(batch);
      ok(blas.cublasLtMatrixLayoutSetAttribute(
             out, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
         "cublasLtMatrixLayoutSetAttribute(BATCH_COUNT)");
      ok(blas.cublasLtMatrixLayoutSetAttribute(
             out, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &x.batchStride,
             sizeof(x.batchStride)),
         "cublasLtMatrixLayoutSetAttribute(STRIDED_BATCH_OFFSET)");
    };
    if (batch > INT32_MAX)
      ok(CUBLAS_STATUS_NOT_SUPPORTED, "a batch count beyond 2^31");
    layout(plan.a, rhs);
    layout(plan.b, lhs);
    layout(plan.c, init);
    cublasLtMatmulPreference_t pref = nullptr;
    ok(blas.cublasLtMatmulPreferenceCreate(&pref),
       "cublasLtMatmulPreferenceCreate");
    uint64_t maxWorkspace = kMatmulWorkspace;
    ok(blas.cublasLtMatmulPreferenceSetAttribute(
           pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &maxWorkspace,
           sizeof(maxWorkspace)),
       "cublasLtMatmulPreferenceSetAttribute");
    cublasLtMatmulHeuristicResult_t result{};
    int returned = 0;
    ok(blas.cublasLtMatmulAlgoGetHeuristic(l.lt, plan.desc, plan.a, plan.b,
                                           plan.c, plan.c, pref, 1, &result,
                                           &returned),
       "cublasLtMatmulAlgoGetHeuristic");
    blas.cublasLtMatmulPreferenceDestroy(pref);
    if (returned < 1)
      ok(CUBLAS_STATUS_NOT_SUPPORTED, "cublasLtMatmulAlgoGetHeuristic");
    plan.algo = result.algo;
    plan.workspace = result.workspaceSize;
    it = l.matmulPlans.emplace(key, plan).first;
  }
  const MatmulPlan &plan = it->second;
  float beta = accumulate ? 1.0f : 0.0f;
  void *workspace = getWorkspace(device, l, plan.workspace);
  if (bias &&
      blas.cublasLtMatmulDescSetAttribute(
          plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)))
    raise("%s: cublasLtMatmulDescSetAttribute(BIAS_POINTER) failed", site);
  cublasStatus_t s = CUBLAS_STATUS_SUCCESS;
  auto issue = [&] {
    s = blas.cublasLtMatmul(l.lt, plan.desc, &alpha, rhs.data, plan.a, lhs.data,
                            plan.b, &beta, init.data, plan.c, init.data, plan.c,
                            &plan.algo, workspace, plan.workspace, runStream());
  };
  if (!graphLibraryCall(
          "cublasLtMatmul",
          {graphPointer(rhs.data, extent(rhs, batch)),
           graphPointer(lhs.data, extent(lhs, batch)),
           graphPointer(init.data, extent(init, batch)),
           graphPointer(bias, bias ? init.cols * sizeof(float) : 0),
           graphPointer(workspace, plan.workspace)},
          true, issue))
    issue();
  if (s != CUBLAS_STATUS_SUCCESS)
    raise("%s: cublasLtMatmul failed: %s", site, blasStatus(s));
  finish(device, "the cuBLASLt product", site);
}

} // namespace

/// The library's handle: $env, else the emulated device, else the first of
/// `names` that loads; an empty `error` on success.
void *loom::cuda::openLibrary(const Device &device, const char *env,
                              std::vector<const char *> names,
                              std::string &opened, std::string &error) {
  if (const char *path = std::getenv(env); path && *path) {
    opened = path;
    if (void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL))
      return h;
    error =
        std::string("cannot load ") + path + " ($" + env + "): " + dlerror();
    return nullptr;
  }
  if (device.kind == LOOM_DEVICE_EMULATED) {
    opened = "the emulated device";
    return device.library;
  }
  std::string tried;
  for (const char *name : names) {
    opened = name;
    if (void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL))
      return h;
    tried += (tried.empty() ? "" : "; ") + std::string(dlerror());
  }
  error = "cannot load " + std::string(names.front()) + " (" + tried +
          "): install it beside the CUDA driver, or set $" + env;
  return nullptr;
}

void loom::cuda::resolve(void *library, const std::string &opened,
                         const char *const *names, void **fields, size_t count,
                         std::string &error) {
  std::string missing;
  for (size_t i = 0; i < count; ++i)
    if (!(fields[i] = dlsym(library, names[i])))
      missing += (missing.empty() ? "" : ", ") + std::string(names[i]);
  if (!missing.empty())
    error = opened + " lacks " + missing;
}

namespace loom::cuda {

/// When the model opens: loads the libraries its signature names
/// ("cublaslt", "cudnn", "nccl", comma-separated), so that an absent or
/// too old one fails the open, not a run.
int32_t loadLibraries(const char *list, char *error, size_t capacity) {
  Device &device = getDevice();
  Libraries &l = getLibraries();
  std::lock_guard<std::mutex> lock(l.mutex);
  std::string names = list ? list : "";
  std::string message;
  if (names.find("cublaslt") != std::string::npos &&
      !loadBlas(device, l).empty())
    message = "needs cuBLASLt: " + l.blasError;
  else if (names.find("cudnn") != std::string::npos &&
           !loadDnn(device, l).empty())
    message = "needs cuDNN: " + l.dnnError;
  else if (names.find("nccl") != std::string::npos)
    if (std::string why = loadNccl(); !why.empty())
      message = "needs NCCL (it boxes between ranks): " + why;
  if (message.empty())
    return LOOM_OK;
  if (error && capacity)
    std::snprintf(error, capacity, "%s", message.c_str());
  return LOOM_ERROR_UNSUPPORTED;
}

} // namespace loom::cuda

extern "C" {

/// The bias of a product (one element per column), or null.
static const float *toBias(const MemRef<1> &bias, int64_t columns,
                           const char *site) {
  if (bias.sizes[0] == 0)
    return nullptr;
  if (bias.sizes[0] != columns || (columns > 1 && bias.strides[0] != 1))
    raise("%s: a product's bias is not one contiguous element per column",
          site);
  return bias.data();
}

/// loom-lower-kernels-to-calls{gpu-libraries}: a kernel.matmul of rank 2.
LOOM_HIDDEN void
_mlir_ciface_loom_gpu_matmul_f32(MemRef<2> *lhs, MemRef<2> *rhs,
                                 MemRef<1> *bias, MemRef<2> *init,
                                 int64_t flags, float alpha, const char *site) {
  product(toMatrix(*lhs, site), toMatrix(*rhs, site),
          toBias(*bias, init->sizes[1], site), toMatrix(*init, site), 1, flags,
          alpha, site);
}

/// A kernel.matmul of rank 3: a strided batch of products.
LOOM_HIDDEN void _mlir_ciface_loom_gpu_batch_matmul_f32(
    MemRef<3> *lhs, MemRef<3> *rhs, MemRef<1> *bias, MemRef<3> *init,
    int64_t flags, float alpha, const char *site) {
  if (lhs->sizes[0] != init->sizes[0] || rhs->sizes[0] != init->sizes[0])
    raise("%s: batches of %ld, %ld and %ld products", site,
          static_cast<long>(lhs->sizes[0]), static_cast<long>(rhs->sizes[0]),
          static_cast<long>(init->sizes[0]));
  product(toMatrix(*lhs, site), toMatrix(*rhs, site),
          toBias(*bias, init->sizes[2], site), toMatrix(*init, site),
          init->sizes[0], flags, alpha, site);
}

} // extern "C"

namespace {

void checkContiguous(const MemRef<4> &m, const char *site) {
  int64_t expected = 1;
  for (int i = 3; i >= 0; --i) {
    if (m.sizes[i] > 1 && m.strides[i] != expected)
      raise("%s: a convolution's operand is not row-major", site);
    expected *= m.sizes[i];
  }
  for (int i = 0; i < 4; ++i)
    if (m.sizes[i] > INT_MAX)
      raise("%s: a convolution's dim %ld is beyond cuDNN's int dims", site,
            static_cast<long>(m.sizes[i]));
}

} // namespace

extern "C" {

/// init = relu?(conv(input, weight) + bias (+ init)), NCHW and OIHW, with
/// symmetric pads (the compiler keeps the others in generated kernels).
/// flags: 1 accumulate, 2 relu, 4 constant weights, 8 TF32 (tensor cores).
LOOM_HIDDEN void _mlir_ciface_loom_gpu_conv2d_f32(
    MemRef<4> *input, MemRef<4> *weight, MemRef<1> *bias, MemRef<4> *init,
    int64_t sh, int64_t sw, int64_t pt, int64_t pl, int64_t pb, int64_t pr,
    int64_t dh, int64_t dw, int64_t groups, int64_t flags, const char *site) {
  Device &device = requireDevice();
  Libraries &l = getLibraries();
  RaiseSafeLock lock(l.mutex);
  if (pt != pb || pl != pr)
    raise("%s: cuDNN takes symmetric pads only (got %ld, %ld, %ld, %ld)", site,
          static_cast<long>(pt), static_cast<long>(pl), static_cast<long>(pb),
          static_cast<long>(pr));
  for (MemRef<4> *m : {input, weight, init})
    checkContiguous(*m, site);
  for (int i = 0; i < 4; ++i)
    if (init->sizes[i] == 0)
      return;
  bool accumulate = flags & 1, relu = flags & 2;
  bool hasBias = bias->sizes[0] > 0;
  DnnApi &dnn = requireDnn(device, l, site);
  const int64_t *x = input->sizes, *w = weight->sizes;
  std::array<int64_t, 20> key = {
      x[0], x[1], x[2], x[3], w[0],   w[1],    w[2],       w[3], sh, sw,
      pt,   pl,   dh,   dw,   groups, hasBias, flags & 11, 0,    0,  0};
  auto it = l.convPlans.find(key);
  if (it == l.convPlans.end()) {
    ConvPlan plan;
    auto ok = [&](cudnnStatus_t s, const char *call) {
      if (s != CUDNN_STATUS_SUCCESS)
        raise("%s: %s failed for a %ldx%ldx%ldx%ld input and %ldx%ldx%ldx%ld "
              "weights: %s",
              site, call, static_cast<long>(x[0]), static_cast<long>(x[1]),
              static_cast<long>(x[2]), static_cast<long>(x[3]),
              static_cast<long>(w[0]), static_cast<long>(w[1]),
              static_cast<long>(w[2]), static_cast<long>(w[3]),
              dnn.cudnnGetErrorString(s));
    };
    auto tensor = [&](cudnnTensorDescriptor_t &d, int64_t n, int64_t c,
                      int64_t h, int64_t wd) {
      ok(dnn.cudnnCreateTensorDescriptor(&d), "cudnnCreateTensorDescriptor");
      ok(dnn.cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT,
                                        n, c, h, wd),
         "cudnnSetTensor4dDescriptor");
    };
    tensor(plan.x, x[0], x[1], x[2], x[3]);
    const int64_t *y = init->sizes;
    tensor(plan.y, y[0], y[1], y[2], y[3]);
    tensor(plan.bias, 1, y[1], 1, 1);
    ok(dnn.cudnnCreateFilterDescriptor(&plan.w), "cudnnCreateFilterDescriptor");
    ok(dnn.cudnnSetFilter4dDescriptor(
           plan.w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, w[0], w[1], w[2], w[3]),
       "cudnnSetFilter4dDescriptor");
    ok(dnn.cudnnCreateConvolutionDescriptor(&plan.conv),
       "cudnnCreateConvolutionDescriptor");
    // ONNX counts dilation from 1, as cuDNN does.
    ok(dnn.cudnnSetConvolution2dDescriptor(plan.conv, pt, pl, sh, sw, dh, dw,
                                           CUDNN_CROSS_CORRELATION,
                                           CUDNN_DATA_FLOAT),
       "cudnnSetConvolution2dDescriptor");
    ok(dnn.cudnnSetConvolutionGroupCount(plan.conv, groups),
       "cudnnSetConvolutionGroupCount");
    // fp32 is FMA math: cuDNN's default lets Ampere and newer round the
    // inputs to TF32, which only --precision=tf32 allows.
    ok(dnn.cudnnSetConvolutionMathType(
           plan.conv, (flags & 8) ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH),
       "cudnnSetConvolutionMathType");
    int on = 0, oc = 0, oh = 0, ow = 0;
    ok(dnn.cudnnGetConvolution2dForwardOutputDim(plan.conv, plan.x, plan.w, &on,
                                                 &oc, &oh, &ow),
       "cudnnGetConvolution2dForwardOutputDim");
    if (on != y[0] || oc != y[1] || oh != y[2] || ow != y[3])
      raise("%s: cuDNN computes a %dx%dx%dx%d output, but the model's is "
            "%ldx%ldx%ldx%ld",
            site, on, oc, oh, ow, static_cast<long>(y[0]),
            static_cast<long>(y[1]), static_cast<long>(y[2]),
            static_cast<long>(y[3]));
    if (relu) {
      ok(dnn.cudnnCreateActivationDescriptor(&plan.act),
         "cudnnCreateActivationDescriptor");
      ok(dnn.cudnnSetActivationDescriptor(plan.act, CUDNN_ACTIVATION_RELU,
                                          CUDNN_PROPAGATE_NAN, 0.0),
         "cudnnSetActivationDescriptor");
      if (!hasBias) {
        size_t bytes = y[1] * sizeof(float);
        check(device.api.cuMemAlloc(&plan.zeros, bytes),
              "cuMemAlloc (a zero bias)");
        // Once, for every stream's later runs: the host waits for it.
        // (On the upload stream, which no graph captures.)
        check(device.api.cuMemsetD8Async(plan.zeros, 0, bytes, device.uploads),
              "cuMemsetD8Async (a zero bias)");
        check(device.api.cuStreamSynchronize(device.uploads),
              "cuStreamSynchronize (a zero bias)");
      }
    }
    cudnnConvolutionFwdAlgoPerf_t results[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int returned = 0;
    ok(dnn.cudnnGetConvolutionForwardAlgorithm_v7(
           l.dnnHandle, plan.x, plan.w, plan.conv, plan.y,
           CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, results),
       "cudnnGetConvolutionForwardAlgorithm_v7");
    int chosen = -1;
    for (int i = 0; i < returned && chosen < 0; ++i)
      if (results[i].status == CUDNN_STATUS_SUCCESS)
        chosen = i;
    if (chosen < 0)
      ok(CUDNN_STATUS_NOT_SUPPORTED, "cudnnGetConvolutionForwardAlgorithm_v7");
    plan.algo = results[chosen].algo;
    ok(dnn.cudnnGetConvolutionForwardWorkspaceSize(l.dnnHandle, plan.x, plan.w,
                                                   plan.conv, plan.y, plan.algo,
                                                   &plan.workspace),
       "cudnnGetConvolutionForwardWorkspaceSize");
    it = l.convPlans.emplace(key, plan).first;
  }
  const ConvPlan &plan = it->second;
  void *workspace = getWorkspace(device, l, plan.workspace);
  if (l.dnnStream != runStream()) {
    if (cudnnStatus_t s = dnn.cudnnSetStream(l.dnnHandle, runStream()))
      raise("%s: cudnnSetStream failed: %s", site, dnn.cudnnGetErrorString(s));
    l.dnnStream = runStream();
  }
  float one = 1.0f, keep = accumulate ? 1.0f : 0.0f;
  cudnnStatus_t s = CUDNN_STATUS_SUCCESS;
  auto bytesOf = [](const MemRef<4> *m) {
    return size_t(m->sizes[0] * m->sizes[1] * m->sizes[2] * m->sizes[3]) *
           sizeof(float);
  };
  const void *b =
      hasBias ? bias->data() : reinterpret_cast<const void *>(plan.zeros);
  auto issue = [&] {
    if (relu) {
      // y = relu(conv(x) + keep * y + bias): one call.
      s = dnn.cudnnConvolutionBiasActivationForward(
          l.dnnHandle, &one, plan.x, input->data(), plan.w, weight->data(),
          plan.conv, plan.algo, workspace, plan.workspace, &keep, plan.y,
          init->data(), plan.bias, b, plan.act, plan.y, init->data());
    } else {
      // cuDNN fuses an identity activation with one algorithm only: the
      // convolution (its beta the residual), then the bias.
      s = dnn.cudnnConvolutionForward(l.dnnHandle, &one, plan.x, input->data(),
                                      plan.w, weight->data(), plan.conv,
                                      plan.algo, workspace, plan.workspace,
                                      &keep, plan.y, init->data());
      if (s == CUDNN_STATUS_SUCCESS && hasBias)
        s = dnn.cudnnAddTensor(l.dnnHandle, &one, plan.bias, bias->data(), &one,
                               plan.y, init->data());
    }
  };
  if (!graphLibraryCall(
          relu ? "cudnnConvolutionBiasActivationForward"
               : "cudnnConvolutionForward",
          {graphPointer(input->data(), bytesOf(input)),
           graphPointer(weight->data(), bytesOf(weight)),
           graphPointer(init->data(), bytesOf(init)),
           graphPointer(b, b ? init->sizes[1] * sizeof(float) : 0),
           graphPointer(workspace, plan.workspace)},
          true, issue))
    issue();
  if (s != CUDNN_STATUS_SUCCESS)
    raise("%s: the cuDNN convolution failed: %s", site,
          dnn.cudnnGetErrorString(s));
  finish(device, "the cuDNN convolution", site);
}

} // extern "C"
