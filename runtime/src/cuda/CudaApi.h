//===- CudaApi.h - The driver entries Loom's CUDA runtime calls -*- C++ -*-===//
//
// Part of Loom's runtime. The CUDA driver API as far as Loom uses it,
// declared here so that the runtime builds without CUDA's headers and links
// without libcuda: the table is filled from cuGetProcAddress of the driver
// (libcuda.so.1) or of the emulated device (libLoomCudaEmulator.so), which
// implements the same entries (runtime/src/emulated/).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CUDA_CUDAAPI_H
#define LOOM_RUNTIME_CUDA_CUDAAPI_H

#include <cstddef>
#include <cstdint>

namespace loom::cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;
using CUmemoryPool = struct CUmemPoolHandle_st *;
using CUgraph = struct CUgraph_st *;
using CUgraphExec = struct CUgraphExec_st *;
using CUgraphNode = struct CUgraphNode_st *;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_INVALID_VALUE = 1;
constexpr CUresult CUDA_ERROR_OUT_OF_MEMORY = 2;
constexpr CUresult CUDA_ERROR_NOT_INITIALIZED = 3;
constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;
constexpr CUresult CUDA_ERROR_INVALID_DEVICE = 101;
constexpr CUresult CUDA_ERROR_INVALID_IMAGE = 200;
constexpr CUresult CUDA_ERROR_NO_BINARY_FOR_GPU = 209;
constexpr CUresult CUDA_ERROR_INVALID_HANDLE = 400;
constexpr CUresult CUDA_ERROR_ILLEGAL_STATE = 401;
constexpr CUresult CUDA_ERROR_NOT_FOUND = 500;
constexpr CUresult CUDA_ERROR_NOT_READY = 600;
constexpr CUresult CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED = 900;
constexpr CUresult CUDA_ERROR_STREAM_CAPTURE_ISOLATION = 905;
constexpr CUresult CUDA_ERROR_ILLEGAL_ADDRESS = 700;
constexpr CUresult CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701;
constexpr CUresult CUDA_ERROR_LAUNCH_TIMEOUT = 702;
constexpr CUresult CUDA_ERROR_LAUNCH_FAILED = 719;
constexpr CUresult CUDA_ERROR_INVALID_CONFIGURATION = 9;
constexpr CUresult CUDA_ERROR_NOT_SUPPORTED = 801;
constexpr CUresult CUDA_ERROR_UNKNOWN = 999;

constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115;
constexpr int CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4;
constexpr unsigned CU_EVENT_DISABLE_TIMING = 0x2;

/// A 2-D copy (cuda.h's CUDA_MEMCPY2D_v2): `Height` rows of `WidthInBytes`,
/// `srcPitch` and `dstPitch` bytes apart.
constexpr unsigned CU_MEMORYTYPE_HOST = 1, CU_MEMORYTYPE_DEVICE = 2;
struct CUDA_MEMCPY2D {
  size_t srcXInBytes, srcY;
  unsigned srcMemoryType;
  const void *srcHost;
  CUdeviceptr srcDevice;
  void *srcArray;
  size_t srcPitch;
  size_t dstXInBytes, dstY;
  unsigned dstMemoryType;
  void *dstHost;
  CUdeviceptr dstDevice;
  void *dstArray;
  size_t dstPitch;
  size_t WidthInBytes, Height;
};

/// A kernel node's parameters (cuda.h's CUDA_KERNEL_NODE_PARAMS_v2).
struct CUDA_KERNEL_NODE_PARAMS {
  CUfunction func;
  unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ;
  unsigned sharedMemBytes;
  void **kernelParams;
  void **extra;
  void *kern;
  CUcontext ctx;
};
constexpr int CU_GRAPH_NODE_TYPE_KERNEL = 0;
constexpr int CU_GRAPH_NODE_TYPE_CONDITIONAL = 13;

/// Conditional nodes (CUDA 12.3; an IF with an ELSE body from 12.8).
using CUgraphConditionalHandle = unsigned long long;
constexpr unsigned CU_GRAPH_COND_ASSIGN_DEFAULT = 1;
constexpr int CU_GRAPH_COND_TYPE_IF = 0, CU_GRAPH_COND_TYPE_WHILE = 1;
constexpr unsigned CU_STREAM_ADD_CAPTURE_DEPENDENCIES = 0,
                   CU_STREAM_SET_CAPTURE_DEPENDENCIES = 1;
struct CUDA_CONDITIONAL_NODE_PARAMS {
  CUgraphConditionalHandle handle;
  int type;
  unsigned size;
  CUgraph *phGraph_out; // filled by the driver: the node's bodies
  CUcontext ctx;
};
/// cuGraphAddNode's parameters (cuda.h's CUgraphNodeParams): the type,
/// then one of the node kinds' parameters, in 232 bytes.
struct CUgraphNodeParams {
  int type;
  int reserved0[3];
  union {
    long long reserved1[29];
    CUDA_CONDITIONAL_NODE_PARAMS conditional;
  };
  long long reserved2;
};
static_assert(sizeof(CUgraphNodeParams) == 256, "cuda.h's layout");
constexpr int CU_STREAM_CAPTURE_MODE_RELAXED = 2;
constexpr int CU_STREAM_CAPTURE_STATUS_ACTIVE = 1;

/// The version of the entries Loom asks cuGetProcAddress for: CUDA 12.0
/// (the _v2 memory entries, the per-thread-default-stream-free ones).
constexpr int kApiVersion = 12000;

// X(name, return, parameters): every entry the runtime uses.
#define LOOM_CUDA_ENTRIES(X)                                                   \
  X(cuInit, (unsigned flags))                                                  \
  X(cuDriverGetVersion, (int *version))                                        \
  X(cuGetErrorName, (CUresult error, const char **name))                       \
  X(cuDeviceGetCount, (int *count))                                            \
  X(cuDeviceGet, (CUdevice * device, int ordinal))                             \
  X(cuDeviceGetName, (char *name, int length, CUdevice device))                \
  X(cuDeviceGetAttribute, (int *value, int attribute, CUdevice device))        \
  X(cuDevicePrimaryCtxRetain, (CUcontext * context, CUdevice device))          \
  X(cuCtxSetCurrent, (CUcontext context))                                      \
  X(cuMemAlloc, (CUdeviceptr * pointer, size_t bytes))                         \
  X(cuMemFree, (CUdeviceptr pointer))                                          \
  X(cuMemAllocAsync, (CUdeviceptr * pointer, size_t bytes, CUstream stream))   \
  X(cuMemFreeAsync, (CUdeviceptr pointer, CUstream stream))                    \
  X(cuDeviceGetDefaultMemPool, (CUmemoryPool * pool, CUdevice device))         \
  X(cuMemPoolSetAttribute, (CUmemoryPool pool, int attribute, void *value))    \
  X(cuMemHostAlloc, (void **pointer, size_t bytes, unsigned flags))            \
  X(cuMemFreeHost, (void *pointer))                                            \
  X(cuMemcpyHtoDAsync,                                                         \
    (CUdeviceptr dst, const void *src, size_t bytes, CUstream stream))         \
  X(cuMemcpyDtoHAsync,                                                         \
    (void *dst, CUdeviceptr src, size_t bytes, CUstream stream))               \
  X(cuMemcpyDtoDAsync,                                                         \
    (CUdeviceptr dst, CUdeviceptr src, size_t bytes, CUstream stream))         \
  X(cuMemsetD8Async,                                                           \
    (CUdeviceptr dst, unsigned char value, size_t bytes, CUstream stream))     \
  X(cuMemsetD16Async,                                                          \
    (CUdeviceptr dst, unsigned short value, size_t count, CUstream stream))    \
  X(cuMemsetD32Async,                                                          \
    (CUdeviceptr dst, unsigned value, size_t count, CUstream stream))          \
  X(cuMemsetD2D32Async, (CUdeviceptr dst, size_t pitch, unsigned value,        \
                         size_t width, size_t height, CUstream stream))        \
  X(cuMemcpy2DAsync, (const CUDA_MEMCPY2D *copy, CUstream stream))             \
  X(cuStreamQuery, (CUstream stream))                                          \
  X(cuStreamCreate, (CUstream * stream, unsigned flags))                       \
  X(cuStreamSynchronize, (CUstream stream))                                    \
  X(cuStreamDestroy, (CUstream stream))                                        \
  X(cuStreamWaitEvent, (CUstream stream, CUevent event, unsigned flags))       \
  X(cuEventCreate, (CUevent * event, unsigned flags))                          \
  X(cuEventRecord, (CUevent event, CUstream stream))                           \
  X(cuEventSynchronize, (CUevent event))                                       \
  X(cuEventDestroy, (CUevent event))                                           \
  X(cuModuleLoadData, (CUmodule * module, const void *image))                  \
  X(cuModuleUnload, (CUmodule module))                                         \
  X(cuModuleGetFunction,                                                       \
    (CUfunction * function, CUmodule module, const char *name))                \
  X(cuLaunchKernel,                                                            \
    (CUfunction function, unsigned gridX, unsigned gridY, unsigned gridZ,      \
     unsigned blockX, unsigned blockY, unsigned blockZ, unsigned sharedBytes,  \
     CUstream stream, void **params, void **extra))

// CUDA graphs (GpuGraphs.cpp): X(name, version, parameters), each asked
// for in the version whose form is declared here. Optional: without them
// (a driver before CUDA 12.4), runs launch kernel by kernel.
#define LOOM_CUDA_GRAPH_ENTRIES(X)                                             \
  X(cuStreamBeginCapture, 12000, (CUstream stream, int mode))                  \
  X(cuStreamEndCapture, 12000, (CUstream stream, CUgraph * graph))             \
  X(cuStreamGetCaptureInfo, 12000,                                             \
    (CUstream stream, int *status, uint64_t *id, CUgraph *graph,               \
     const CUgraphNode **dependencies, size_t *count))                         \
  X(cuGraphGetNodes, 12000,                                                    \
    (CUgraph graph, CUgraphNode * nodes, size_t * count))                      \
  X(cuGraphNodeGetType, 12000, (CUgraphNode node, int *type))                  \
  X(cuGraphKernelNodeGetParams, 12000,                                         \
    (CUgraphNode node, CUDA_KERNEL_NODE_PARAMS * params))                      \
  X(cuGraphInstantiateWithFlags, 12000,                                        \
    (CUgraphExec * exec, CUgraph graph, unsigned long long flags))             \
  X(cuGraphExecKernelNodeSetParams, 12000,                                     \
    (CUgraphExec exec, CUgraphNode node,                                       \
     const CUDA_KERNEL_NODE_PARAMS *params))                                   \
  X(cuGraphLaunch, 12000, (CUgraphExec exec, CUstream stream))                 \
  X(cuGraphExecDestroy, 12000, (CUgraphExec exec))                             \
  X(cuGraphDestroy, 12000, (CUgraph graph))                                    \
  X(cuFuncGetParamInfo, 12040,                                                 \
    (CUfunction function, size_t index, size_t * offset, size_t * size))

// Conditional nodes (the decisions a graph takes on the device): optional
// too, in the versions whose forms are declared here.
#define LOOM_CUDA_CONDITIONAL_ENTRIES(X)                                       \
  X(cuGraphConditionalHandleCreate, 12030,                                     \
    (CUgraphConditionalHandle * handle, CUgraph graph, CUcontext context,      \
     unsigned defaultValue, unsigned flags))                                   \
  X(cuGraphAddNode, 12030,                                                     \
    (CUgraphNode * node, CUgraph graph, const CUgraphNode *dependencies,       \
     const void *edges, size_t count, CUgraphNodeParams *params))              \
  X(cuStreamUpdateCaptureDependencies, 12000,                                  \
    (CUstream stream, CUgraphNode * dependencies, size_t count,                \
     unsigned flags))                                                          \
  X(cuStreamBeginCaptureToGraph, 12030,                                        \
    (CUstream stream, CUgraph graph, const CUgraphNode *dependencies,          \
     const void *edges, size_t count, int mode))

struct GraphApi {
#define LOOM_CUDA_GRAPH_FIELD(name, version, params)                           \
  CUresult(*name) params = nullptr;
  LOOM_CUDA_GRAPH_ENTRIES(LOOM_CUDA_GRAPH_FIELD)
#undef LOOM_CUDA_GRAPH_FIELD
};

struct ConditionalApi {
#define LOOM_CUDA_CONDITIONAL_FIELD(name, version, params)                     \
  CUresult(*name) params = nullptr;
  LOOM_CUDA_CONDITIONAL_ENTRIES(LOOM_CUDA_CONDITIONAL_FIELD)
#undef LOOM_CUDA_CONDITIONAL_FIELD
};

/// The driver's entries, as cuGetProcAddress gives them.
struct Api {
#define LOOM_CUDA_FIELD(name, params) CUresult(*name) params = nullptr;
  LOOM_CUDA_ENTRIES(LOOM_CUDA_FIELD)
#undef LOOM_CUDA_FIELD
};

/// cuGetProcAddress (CUDA 12's _v2 form).
using GetProcAddress = CUresult (*)(const char *symbol, void **function,
                                    int version, uint64_t flags, int *status);

} // namespace loom::cuda

#endif // LOOM_RUNTIME_CUDA_CUDAAPI_H
