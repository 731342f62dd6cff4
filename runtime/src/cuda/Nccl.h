//===- Nccl.h - NCCL inside the CUDA runtime -------------------*- C++ -*-===//
//
// Part of Loom's runtime (library LoomCuda): NCCL's entries, loaded once,
// its communicators and the streams with collectives queued, shared by
// the boxing (GpuBox.cpp) and every wait (Nccl.cpp: waitStream), which
// must not pull the job's rendezvous into a model that does not box.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CUDA_NCCL_H
#define LOOM_RUNTIME_CUDA_NCCL_H

#include "GpuDevice.h"
#include "NcclApi.h"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace loom::cuda {

struct NcclTable {
#define LOOM_FIELD(name, ret, params) ret(*name) params = nullptr;
  LOOM_NCCL_ENTRIES(LOOM_FIELD)
#undef LOOM_FIELD
};

/// NCCL, its communicators (one per group of ranks) and the streams with
/// collectives queued since their last wait.
struct Nccl {
  std::mutex mutex;
  bool tried = false;
  std::string error;
  NcclTable api;
  std::map<std::vector<int>, ncclComm_t> comms;
  std::set<CUstream> pending;
  /// Working memory per stream (two slots), device memory.
  struct Scratch {
    CUdeviceptr data[2] = {0, 0};
    size_t bytes[2] = {0, 0};
  };
  std::map<CUstream, Scratch> scratch;
};

LOOM_HIDDEN Nccl &getNccl();
/// Loads NCCL once; "" or why not. Called with the mutex held.
LOOM_HIDDEN std::string loadNcclLocked(Device &device, Nccl &n);

} // namespace loom::cuda

#endif // LOOM_RUNTIME_CUDA_NCCL_H
