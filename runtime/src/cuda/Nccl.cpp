//===- Nccl.cpp - Loading NCCL, and waiting for streams that use it -------===//
//
// Part of Loom's runtime (library LoomCuda). See Nccl.h and GpuDevice.h
// (waitStream).
//
//===----------------------------------------------------------------------===//

#include "Nccl.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

using namespace loom::cuda;

namespace {

std::string versionText(int v) {
  return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." +
         std::to_string(v % 100);
}

} // namespace

Nccl &loom::cuda::getNccl() {
  static auto *nccl = new Nccl; // outlives static destructors
  return *nccl;
}

/// Loads NCCL once; "" or why not. Called with the mutex held.
std::string loom::cuda::loadNcclLocked(Device &device, Nccl &n) {
  if (n.tried)
    return n.error;
  n.tried = true;
  std::string opened;
  void *library = openLibrary(device, "LOOM_NCCL_LIBRARY", {"libnccl.so.2"},
                              opened, n.error);
  if (!library)
    return n.error;
  static const char *const names[] = {
#define LOOM_NAME(name, ret, params) #name,
      LOOM_NCCL_ENTRIES(LOOM_NAME)
#undef LOOM_NAME
  };
  resolve(library, opened, names, reinterpret_cast<void **>(&n.api),
          sizeof(names) / sizeof(names[0]), n.error);
  if (!n.error.empty())
    return n.error;
  int version = 0;
  if (n.api.ncclGetVersion(&version) != ncclSuccess ||
      version < kMinNcclVersion)
    n.error = opened + " is NCCL " + versionText(version) + "; Loom needs " +
              versionText(kMinNcclVersion) + " or newer";
  return n.error;
}

namespace loom::cuda {

std::string loadNccl() {
  Nccl &n = getNccl();
  std::lock_guard<std::mutex> lock(n.mutex);
  return loadNcclLocked(getDevice(), n);
}

CUresult waitStream(Device &device, CUstream stream, std::string &why) {
  Nccl &n = getNccl();
  bool polled;
  std::vector<ncclComm_t> comms;
  {
    std::lock_guard<std::mutex> lock(n.mutex);
    // Any communicator: a graph may hold its collectives (queued on the
    // stream it was captured on, launched on this one).
    polled = n.pending.count(stream) != 0 || !n.comms.empty();
    for (auto &[group, comm] : n.comms)
      comms.push_back(comm);
  }
  if (!polled)
    return device.api.cuStreamSynchronize(stream);
  auto failed = [&]() -> bool {
    for (ncclComm_t comm : comms) {
      ncclResult_t error = ncclSuccess;
      if (n.api.ncclCommGetAsyncError(comm, &error) == ncclSuccess &&
          error != ncclSuccess && error != ncclInProgress) {
        why = std::string("a collective failed: ") +
              n.api.ncclGetErrorString(error);
        if (const char *last = n.api.ncclGetLastError(comm); last && *last)
          why += std::string(" (") + last + ")";
        return true;
      }
    }
    return false;
  };
  double seconds = 60;
  if (const char *env = std::getenv("LOOM_TIMEOUT"))
    seconds = std::max(0.001, std::atof(env));
  auto begin = std::chrono::steady_clock::now();
  auto deadline = begin + std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::duration<double>(seconds));
  auto pause = std::chrono::microseconds(2);
  while (true) {
    CUresult result = device.api.cuStreamQuery(stream);
    bool bad = failed();
    if (!bad && result == CUDA_SUCCESS) {
      std::lock_guard<std::mutex> lock(n.mutex);
      n.pending.erase(stream);
      return CUDA_SUCCESS;
    }
    if (!bad && result != CUDA_ERROR_NOT_READY)
      return result;
    if (!bad && std::chrono::steady_clock::now() > deadline) {
      why = "a collective did not finish within " +
            std::to_string(static_cast<int>(seconds + 0.5)) +
            " s (LOOM_TIMEOUT): a peer rank died or hung";
      bad = true;
    }
    if (bad) {
      // Aborting unblocks NCCL's kernels; the communicators stay failed.
      for (ncclComm_t comm : comms)
        n.api.ncclCommAbort(comm);
      std::lock_guard<std::mutex> lock(n.mutex);
      n.comms.clear();
      n.pending.clear();
      return CUDA_ERROR_UNKNOWN;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(1000));
  }
}

} // namespace loom::cuda
