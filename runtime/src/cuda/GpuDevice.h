//===- GpuDevice.h - The open CUDA device, inside the runtime --*- C++ -*-===//
//
// Part of Loom's runtime: what GpuRuntime.cpp (the driver, launches) and
// GpuLibraries.cpp (cuBLASLt, cuDNN) share.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CUDA_GPUDEVICE_H
#define LOOM_RUNTIME_CUDA_GPUDEVICE_H

#include "CudaApi.h"

#include <cstdint>
#include <mutex>
#include <string>

#define LOOM_HIDDEN __attribute__((visibility("hidden")))

namespace loom::cuda {

struct Device {
  std::mutex mutex;
  bool open = false;
  int32_t kind = 0;
  /// The driver, or the emulated device (which also provides the
  /// libraries' entries).
  void *library = nullptr;
  Api api;
  CUdevice device = 0;
  CUcontext context = nullptr;
  /// The model's stream: runs without a caller's stream are ordered on it.
  CUstream stream = nullptr;
  /// Weights are uploaded on a stream of their own; `uploaded` is recorded
  /// after each upload, and a run waits for it (once per upload
  /// generation) before its kernels use a weight.
  CUstream uploads = nullptr;
  CUevent uploaded = nullptr;
  uint64_t uploadGeneration = 0;
  /// Stream-ordered allocation (cuMemAllocAsync), where the GPU has it.
  bool pools = false;
  int major = 0, minor = 0;
  std::string description;
};

LOOM_HIDDEN Device &getDevice();
/// The open device, current on this thread; ends the run when none is.
LOOM_HIDDEN Device &requireDevice();
LOOM_HIDDEN std::string errorName(CUresult result);
/// The stream the calling thread's run is ordered on: its caller's, or the
/// model's (also outside a run).
LOOM_HIDDEN CUstream runStream();
/// Whether every kernel and library call is followed by a synchronisation
/// that names it on failure (LOOM_GPU_SYNC=1).
LOOM_HIDDEN bool syncEachCall();
/// Waits for the run's stream, then checks the run's error words: ends the
/// run naming `what` if the stream failed, or with the first failed check.
LOOM_HIDDEN void syncRun(const char *what);
/// The name of the kernel this thread launched last ("?" if none).
LOOM_HIDDEN std::string lastKernelName();

/// Ends the run (loom_rt_raise) with the formatted message.
[[noreturn]] LOOM_HIDDEN void raise(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
/// Ends the run unless `result` is success, naming `call` and the device.
LOOM_HIDDEN void check(CUresult result, const char *call);

/// A lock that raise() releases before it ends the run: loom_rt_raise
/// longjmps past destructors, so a std::lock_guard would stay locked and
/// the process's next run would wait for it forever.
class LOOM_HIDDEN RaiseSafeLock {
public:
  explicit RaiseSafeLock(std::mutex &mutex);
  ~RaiseSafeLock();
  RaiseSafeLock(const RaiseSafeLock &) = delete;
  RaiseSafeLock &operator=(const RaiseSafeLock &) = delete;

private:
  std::mutex &mutex;
};

} // namespace loom::cuda

#endif // LOOM_RUNTIME_CUDA_GPUDEVICE_H
