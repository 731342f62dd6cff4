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
  CUstream stream = nullptr;
  int major = 0, minor = 0;
  std::string description;
};

LOOM_HIDDEN Device &getDevice();
/// The open device, current on this thread; ends the run when none is.
LOOM_HIDDEN Device &requireDevice();
LOOM_HIDDEN std::string errorName(CUresult result);
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
