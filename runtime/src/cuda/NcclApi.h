//===- NcclApi.h - The NCCL entries Loom calls -----------------*- C++ -*-===//
//
// Part of Loom's runtime. NCCL as far as Loom's boxing uses it, declared
// here (values as in NCCL 2.28's nccl.h) so that the runtime builds and
// links without it: the table is filled by dlsym from libnccl.so.2 (or
// $LOOM_NCCL_LIBRARY), or from the emulated device, which implements the
// same entries between processes (runtime/src/emulated/EmulatedNccl.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CUDA_NCCLAPI_H
#define LOOM_RUNTIME_CUDA_NCCLAPI_H

#include "CudaApi.h"

#include <cstddef>

namespace loom::cuda {

using ncclResult_t = int;
using ncclComm_t = struct ncclComm *;
struct ncclUniqueId {
  char internal[128];
};

constexpr ncclResult_t ncclSuccess = 0, ncclUnhandledCudaError = 1,
                       ncclSystemError = 2, ncclInternalError = 3,
                       ncclInvalidArgument = 4, ncclInvalidUsage = 5,
                       ncclRemoteError = 6, ncclInProgress = 7;
constexpr int ncclSum = 0, ncclMax = 2, ncclMin = 3;
constexpr int ncclInt8 = 0, ncclUint8 = 1, ncclInt32 = 2, ncclUint32 = 3,
              ncclInt64 = 4, ncclUint64 = 5, ncclFloat16 = 6, ncclFloat32 = 7,
              ncclFloat64 = 8, ncclBfloat16 = 9;
/// The oldest NCCL Loom accepts (ncclGetVersion's form, 2.18: graphs
/// capture every collective and point-to-point call).
constexpr int kMinNcclVersion = 21800;

// X(name, return, parameters)
#define LOOM_NCCL_ENTRIES(X)                                                   \
  X(ncclGetVersion, ncclResult_t, (int *version))                              \
  X(ncclGetUniqueId, ncclResult_t, (ncclUniqueId * id))                        \
  X(ncclCommInitRank, ncclResult_t,                                            \
    (ncclComm_t * comm, int nranks, ncclUniqueId id, int rank))                \
  X(ncclCommDestroy, ncclResult_t, (ncclComm_t comm))                          \
  X(ncclCommAbort, ncclResult_t, (ncclComm_t comm))                            \
  X(ncclCommGetAsyncError, ncclResult_t,                                       \
    (ncclComm_t comm, ncclResult_t * error))                                   \
  X(ncclGetErrorString, const char *, (ncclResult_t result))                   \
  X(ncclGetLastError, const char *, (ncclComm_t comm))                         \
  X(ncclAllReduce, ncclResult_t,                                               \
    (const void *send, void *recv, size_t count, int type, int op,             \
     ncclComm_t comm, CUstream stream))                                        \
  X(ncclReduce, ncclResult_t,                                                  \
    (const void *send, void *recv, size_t count, int type, int op, int root,   \
     ncclComm_t comm, CUstream stream))                                        \
  X(ncclBroadcast, ncclResult_t,                                               \
    (const void *send, void *recv, size_t count, int type, int root,           \
     ncclComm_t comm, CUstream stream))                                        \
  X(ncclReduceScatter, ncclResult_t,                                           \
    (const void *send, void *recv, size_t count, int type, int op,             \
     ncclComm_t comm, CUstream stream))                                        \
  X(ncclAllGather, ncclResult_t,                                               \
    (const void *send, void *recv, size_t count, int type, ncclComm_t comm,    \
     CUstream stream))                                                         \
  X(ncclSend, ncclResult_t,                                                    \
    (const void *send, size_t count, int type, int peer, ncclComm_t comm,      \
     CUstream stream))                                                         \
  X(ncclRecv, ncclResult_t,                                                    \
    (void *recv, size_t count, int type, int peer, ncclComm_t comm,            \
     CUstream stream))                                                         \
  X(ncclGroupStart, ncclResult_t, ())                                          \
  X(ncclGroupEnd, ncclResult_t, ())

} // namespace loom::cuda

#endif // LOOM_RUNTIME_CUDA_NCCLAPI_H
