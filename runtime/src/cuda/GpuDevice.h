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
#include <functional>
#include <mutex>
#include <string>
#include <vector>

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
  /// CUDA graphs' entries; those the driver lacks (graphs are then off).
  GraphApi graphApi;
  std::string graphsMissing;
  /// Conditional nodes' entries; why they cannot be used ("" if they can):
  /// decisions are then taken on the host.
  ConditionalApi conditionalApi;
  std::string conditionalMissing;
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

/// A library's handle: $env, else the emulated device (which provides every
/// library's entries), else the first of `names` that loads; on failure,
/// null and why in `error`. `opened` names what was tried.
LOOM_HIDDEN void *openLibrary(const Device &device, const char *env,
                              std::vector<const char *> names,
                              std::string &opened, std::string &error);
/// Fills `fields[i]` with `names[i]` of `library`; `error` lists those
/// missing.
LOOM_HIDDEN void resolve(void *library, const std::string &opened,
                         const char *const *names, void **fields, size_t count,
                         std::string &error);
/// Loads NCCL (for a model that boxes on a mesh); "" or why not.
LOOM_HIDDEN std::string loadNccl();
/// Waits for `stream`'s work. A stream with collectives queued is polled:
/// NCCL's asynchronous errors end the wait, and so does the job's timeout
/// (LOOM_TIMEOUT, as for Gloo), both after aborting the communicators;
/// `why` then says what happened (and the result is CUDA_ERROR_UNKNOWN).
LOOM_HIDDEN CUresult waitStream(Device &device, CUstream stream,
                                std::string &why);

//===----------------------------------------------------------------------===//
// CUDA graphs (GpuGraphs.cpp): how the device calls of the region of host
// code the calling thread is in go. Outside a region, or with graphs off,
// every hook answers false and the caller goes on as without graphs.
//===----------------------------------------------------------------------===//

enum class GraphMode {
  Off,     ///< calls run as they come
  Capture, ///< calls are captured into the region's graph
  Observe, ///< calls only say what they would do: the graph is replayed
};
LOOM_HIDDEN GraphMode graphMode();
/// The stream a capture records on (null outside one): what runStream()
/// gives inside it.
LOOM_HIDDEN CUstream graphCaptureStream();
/// Whether a graph was captured in this process: memory a graph may hold
/// (library workspaces, boxing scratch) is then retired, never freed.
LOOM_HIDDEN bool graphsUsed();
/// A kernel launch: true if the region took it.
LOOM_HIDDEN bool graphKernel(CUfunction function, const unsigned grid[3],
                             const unsigned block[3], unsigned sharedBytes,
                             CUstream stream, void **params);
/// A device pointer a library call uses, and the bytes it may reach.
struct GraphPointer {
  CUdeviceptr pointer;
  size_t bytes;
};
/// A library call (cuBLASLt, cuDNN; NCCL, whose nodes cannot be re-pointed:
/// `patchable` false) using `pointers`; `issue` queues it. True if the
/// region took it.
LOOM_HIDDEN bool graphLibraryCall(const char *what,
                                  const std::vector<GraphPointer> &pointers,
                                  bool patchable,
                                  const std::function<void()> &issue);
/// Device memory for the host code, and its free: true if the region took
/// them.
LOOM_HIDDEN bool graphAlloc(uint64_t bytes, void **pointer);
LOOM_HIDDEN bool graphFree(void *pointer);
/// A host read of device memory: a capture ends there (its work so far
/// launched) and the rest of the region runs call by call.
LOOM_HIDDEN void graphInterrupt();
/// The kernel that sets a conditional node's handle from a device flag
/// (`loom_set_condition(handle, flag)`, in the model's kernels).
LOOM_HIDDEN CUfunction setConditionKernel();
/// The run failed inside a region: a capture is dropped.
LOOM_HIDDEN void graphAbort();
/// GpuRun.cpp: the error words the region's functions stopped watching
/// have their copies queued (after the region's graph, when it has one).
LOOM_HIDDEN void flushRegionWords(Device &device, CUstream stream);

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
