//===- GpuRun.cpp - One run of a CUDA model, on the calling thread --------===//
//
// Part of Loom's runtime (library LoomCuda). What a run of a CUDA model holds
// on the thread that runs it, and the calls its host code and the run guard
// (RunGuard.cpp) make:
//   - its stream: the caller's (loom_model_run_async) or the model's. The
//     host code queues kernels, library calls and copies on it without
//     waiting; the run synchronises only to take a decision
//     (loom_gpu_read), at its end, and after every kernel with
//     LOOM_GPU_SYNC=1, which makes a failure name its kernel;
//   - pinned staging memory for what the host copies in and out (inputs,
//     outputs, decisions), reused from one synchronisation to the next;
//   - the error words its functions watch (loom-gpu-offload-host): each
//     synchronisation copies them to pinned slots and ends the run with the
//     first failed check's site and values, as the CPU's check would;
//   - device memory for the run guard, in the stream's order
//     (cuMemAllocAsync / cuMemFreeAsync), so that freeing a buffer does not
//     wait for the device;
//   - the weights' ordering: a run's stream waits for the upload stream's
//     event before its kernels use what was uploaded.
// An asynchronous run leaves its error words with its stream; loom_model_sync
// (the device interface's `finish`) waits for the stream and checks them.
//
//===----------------------------------------------------------------------===//

#include "../RuntimeInternal.h"
#include "GpuDevice.h"
#include "loom/abi.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

using namespace loom::cuda;

extern "C" {
[[noreturn]] void loom_rt_check_failed(const char *site, int64_t value,
                                       int64_t limit);
int32_t loom_rt_invoke(loom_run_context *context, void (*body)(void *),
                       void *closure);
}

namespace {

/// Pinned host memory for copies, taken in order and given back all at
/// once when no copy uses it (after a synchronisation of the stream).
class Staging {
public:
  /// `bytes` of pinned memory (64-byte aligned), or null.
  char *take(Device &device, size_t bytes) {
    size_t rounded = (bytes + 63) & ~size_t(63);
    if (blocks.empty() || used + rounded > blocks.back().bytes) {
      size_t size = std::max<size_t>(
          rounded, blocks.empty() ? size_t(1) << 20 : 2 * blocks.back().bytes);
      void *pointer = nullptr;
      if (device.api.cuMemHostAlloc(&pointer, size, 0) != CUDA_SUCCESS)
        return nullptr;
      blocks.push_back({static_cast<char *>(pointer), size});
      used = 0;
    }
    char *pointer = blocks.back().data + used;
    used += rounded;
    return pointer;
  }
  /// Everything taken is free again; the largest block stays.
  void reset(Device &device) {
    while (blocks.size() > 1) {
      device.api.cuMemFreeHost(blocks.front().data);
      blocks.erase(blocks.begin());
    }
    used = 0;
  }

private:
  struct Block {
    char *data;
    size_t bytes;
  };
  std::vector<Block> blocks;
  size_t used = 0;
};

/// An error word a function of the run watches, and its pinned copy.
struct Watched {
  CUdeviceptr word;
  const char *sites;     // the function's checks' sites, separated by \x1f
  int64_t *slot;         // where synchronisations copy the word
  bool live;             // its function has not returned yet
  bool deferred = false; // returned inside a graph region: copied after it
};

/// Pinned slots of three words, shared by every thread's runs.
std::mutex slotsMutex;
std::vector<int64_t *> &freeSlots() {
  static auto *slots = new std::vector<int64_t *>();
  return *slots;
}

int64_t *takeSlot(Device &device) {
  std::lock_guard<std::mutex> lock(slotsMutex);
  std::vector<int64_t *> &slots = freeSlots();
  if (slots.empty()) {
    void *chunk = nullptr;
    if (device.api.cuMemHostAlloc(&chunk, 4096, 0) != CUDA_SUCCESS)
      return nullptr;
    for (size_t i = 0; i + 3 * sizeof(int64_t) <= 4096; i += 32)
      slots.push_back(
          reinterpret_cast<int64_t *>(static_cast<char *>(chunk) + i));
  }
  int64_t *slot = slots.back();
  slots.pop_back();
  return slot;
}

void releaseWords(std::vector<Watched> &words) {
  std::lock_guard<std::mutex> lock(slotsMutex);
  for (Watched &w : words)
    freeSlots().push_back(w.slot);
  words.clear();
}

/// The asynchronous runs' words, by stream, until loom_model_sync.
std::mutex pendingMutex;
std::unordered_map<CUstream, std::vector<Watched>> &pendingWords() {
  static auto *pending = new std::unordered_map<CUstream, std::vector<Watched>>;
  return *pending;
}

struct RunState {
  CUstream stream = nullptr;
  bool active = false;
  bool async = false;
  uint64_t waitedGeneration = 0;
  std::vector<Watched> words;
  Staging staging;
};
thread_local RunState run;

/// What a failed check's site is while its run ends (outlives the longjmp).
thread_local std::string failedSite;

bool findSite(const char *sites, int64_t id) {
  const char *at = sites;
  for (int64_t i = 1; i < id && at; ++i) {
    at = std::strchr(at, '\x1f');
    if (at)
      ++at;
  }
  if (!at || id < 1)
    return false;
  const char *end = std::strchr(at, '\x1f');
  failedSite.assign(at, end ? end : at + std::strlen(at));
  return true;
}

/// Ends the run with the first failed check among `words` (all of them
/// copied to their slots and synchronised), if any.
void checkWords(std::vector<Watched> &words) {
  for (const Watched &w : words) {
    int64_t id = w.slot[0], value = w.slot[1], limit = w.slot[2];
    if (!id)
      continue;
    bool found = findSite(w.sites, id);
    releaseWords(words);
    if (!found)
      raise("the device's error word holds %lld, which names none of the "
            "function's checks (a read of device memory that did not wait "
            "for its copy?)",
            static_cast<long long>(id));
    loom_rt_check_failed(failedSite.c_str(), value, limit);
  }
}

void queueWordCopy(Device &device, CUstream stream, Watched &w) {
  check(
      device.api.cuMemcpyDtoHAsync(w.slot, w.word, 3 * sizeof(int64_t), stream),
      "cuMemcpyDtoHAsync (an error word)");
}

/// What a failed synchronisation names.
thread_local std::string failedWork;

const char *describeQueued() {
  if (syncEachCall())
    failedWork = "kernel " + lastKernelName();
  else
    failedWork = "a kernel or library call queued since the last "
                 "synchronisation (the last kernel launched: " +
                 lastKernelName() +
                 "; LOOM_GPU_SYNC=1 synchronises after each to name it)";
  return failedWork.c_str();
}

bool seededBug(const char *name) {
  const char *bug = std::getenv("LOOM_GPU_SEED_BUG");
  return bug && std::strcmp(bug, name) == 0;
}

} // namespace

namespace loom::cuda {

CUstream runStream() {
  if (CUstream capture = graphCaptureStream())
    return capture;
  return run.active ? run.stream : getDevice().stream;
}

void flushRegionWords(Device &device, CUstream stream) {
  for (Watched &w : run.words)
    if (w.live && w.deferred) {
      queueWordCopy(device, stream, w);
      w.live = false;
      w.deferred = false;
    }
}

bool syncEachCall() {
  static const bool each = [] {
    const char *sync = std::getenv("LOOM_GPU_SYNC");
    return sync && *sync && std::strcmp(sync, "0") != 0;
  }();
  return each;
}

void syncRun(const char *what) {
  Device &device = requireDevice();
  RunState &r = run;
  for (Watched &w : r.words)
    if (w.live)
      queueWordCopy(device, r.stream, w);
  std::string why;
  CUresult result = waitStream(device, r.stream, why);
  if (result != CUDA_SUCCESS) {
    releaseWords(r.words);
    if (!why.empty())
      raise("%s on %s", why.c_str(), device.description.c_str());
    raise("%s failed on %s: %s", what ? what : describeQueued(),
          device.description.c_str(), errorName(result).c_str());
  }
  r.staging.reset(device);
  checkWords(r.words);
  // The words of returned functions are checked for good.
  std::vector<Watched> done;
  auto returned = [](const Watched &w) { return !w.live; };
  std::copy_if(r.words.begin(), r.words.end(), std::back_inserter(done),
               returned);
  r.words.erase(std::remove_if(r.words.begin(), r.words.end(), returned),
                r.words.end());
  releaseWords(done);
}

} // namespace loom::cuda

extern "C" {

//===----------------------------------------------------------------------===//
// The run guard's hooks (RunGuard.cpp), on the outermost run of a thread.
//===----------------------------------------------------------------------===//

LOOM_HIDDEN void loom_gpu_run_begin(void *stream, uint64_t flags) {
  Device &device = requireDevice();
  RunState &r = run;
  r.stream = stream ? static_cast<CUstream>(stream) : device.stream;
  r.async = (flags & LOOM_RUN_ASYNC) != 0;
  r.active = true;
  r.waitedGeneration = 0;
  releaseWords(r.words);
}

/// The run's body returned: a synchronous run waits for its work and checks
/// its words; an asynchronous one leaves them with its stream.
LOOM_HIDDEN void loom_gpu_run_end(void) {
  RunState &r = run;
  if (!r.async) {
    syncRun(nullptr);
    r.active = false;
    return;
  }
  Device &device = requireDevice();
  for (Watched &w : r.words)
    if (w.live) {
      queueWordCopy(device, r.stream, w);
      w.live = false;
    }
  {
    std::lock_guard<std::mutex> lock(pendingMutex);
    std::vector<Watched> &pending = pendingWords()[r.stream];
    pending.insert(pending.end(), r.words.begin(), r.words.end());
  }
  r.words.clear();
  r.active = false;
}

/// The run failed: its queued work ends before its memory is reused.
LOOM_HIDDEN void loom_gpu_run_abort(void) {
  RunState &r = run;
  if (!r.active)
    return;
  graphAbort();
  Device &device = getDevice();
  if (device.open) {
    std::string why; // the run already failed: its first error stands
    waitStream(device, r.stream, why);
    r.staging.reset(device);
  }
  releaseWords(r.words);
  r.active = false;
}

//===----------------------------------------------------------------------===//
// What the host code calls.
//===----------------------------------------------------------------------===//

/// loom-gpu-offload-host, at a function's entry: watch the error word at
/// `word` (three words, cleared here) of the checks in `sites`.
LOOM_HIDDEN void loom_gpu_watch_errors(int64_t word, const char *sites) {
  Device &device = requireDevice();
  RunState &r = run;
  int64_t *slot = takeSlot(device);
  if (!slot)
    raise("out of pinned host memory for an error word");
  // (A replayed graph clears it with the memset its capture recorded.)
  if (graphMode() != GraphMode::Observe)
    check(device.api.cuMemsetD8Async(static_cast<CUdeviceptr>(word), 0,
                                     3 * sizeof(int64_t), runStream()),
          "cuMemsetD8Async (an error word)");
  r.words.push_back({static_cast<CUdeviceptr>(word), sites, slot, true});
}

/// At the function's return, before the word is freed: its last copy is
/// queued, and the next synchronisation checks it.
LOOM_HIDDEN void loom_gpu_unwatch_errors(int64_t word) {
  Device &device = requireDevice();
  RunState &r = run;
  for (size_t i = r.words.size(); i-- > 0;)
    if (r.words[i].live && !r.words[i].deferred &&
        r.words[i].word == static_cast<CUdeviceptr>(word)) {
      // In a graph region, the copy follows the region's graph.
      if (graphMode() != GraphMode::Off) {
        r.words[i].deferred = true;
        return;
      }
      queueWordCopy(device, r.stream, r.words[i]);
      r.words[i].live = false;
      return;
    }
}

/// loom-gpu-offload-host: `bytes` at `device` + `offset` to `host`, on the
/// run's stream after everything before it, through pinned memory; the
/// run's checks so far are checked before the host uses the value.
LOOM_HIDDEN void loom_gpu_read(intptr_t host, intptr_t device, intptr_t offset,
                               intptr_t bytes) {
  Device &d = requireDevice();
  RunState &r = run;
  // A host decision: a graph region being captured ends here.
  graphInterrupt();
  char *staged = r.staging.take(d, bytes);
  if (!staged)
    raise("out of pinned host memory for a read of device memory");
  check(d.api.cuMemcpyDtoHAsync(
            staged, static_cast<CUdeviceptr>(device + offset), bytes, r.stream),
        "a read of device memory (cuMemcpyDtoHAsync)");
  // For the emulated device's tests only: the bug of a read that does not
  // wait for its copy (LOOM_GPU_SEED_BUG=skip-read-sync).
  static const bool skipSync = seededBug("skip-read-sync");
  if (!skipSync)
    syncRun(nullptr);
  std::memcpy(reinterpret_cast<void *>(host), staged, bytes);
}

/// Device memory for the run guard: in the run's stream order where the GPU
/// has memory pools, so that a free does not wait for the device.
LOOM_HIDDEN void *loom_gpu_device_alloc_kept(uint64_t bytes);

LOOM_HIDDEN void *loom_gpu_device_alloc(uint64_t bytes) {
  void *taken = nullptr;
  if (run.active && graphAlloc(bytes ? bytes : 1, &taken))
    return taken; // a graph region's buffer
  return loom_gpu_device_alloc_kept(bytes);
}

/// Memory a run keeps past its graph regions (the workspace).
LOOM_HIDDEN void *loom_gpu_device_alloc_kept(uint64_t bytes) {
  Device &device = requireDevice();
  CUdeviceptr pointer = 0;
  // (Not in the stream's order inside a graph region: a capture cannot.)
  CUresult result =
      run.active && device.pools && graphMode() == GraphMode::Off
          ? device.api.cuMemAllocAsync(&pointer, bytes ? bytes : 1, run.stream)
          : device.api.cuMemAlloc(&pointer, bytes ? bytes : 1);
  return result == CUDA_SUCCESS ? reinterpret_cast<void *>(pointer) : nullptr;
}

LOOM_HIDDEN void loom_gpu_device_free(void *pointer) {
  if (!pointer)
    return;
  Device &device = getDevice();
  if (!device.open)
    return;
  if (graphFree(pointer))
    return; // a graph's buffer, or freed after its region's work
  auto p = reinterpret_cast<CUdeviceptr>(pointer);
  if (run.active && device.pools)
    device.api.cuMemFreeAsync(p, run.stream);
  else
    device.api.cuMemFree(p);
}

} // extern "C"

//===----------------------------------------------------------------------===//
// The host side's (Model.cpp) copies, weights and asynchronous runs.
//===----------------------------------------------------------------------===//

namespace loom::cuda {

namespace {
void writeError(char *error, size_t capacity, const std::string &message) {
  if (error && capacity)
    std::snprintf(error, capacity, "%s", message.c_str());
}

/// The open device, current on the calling thread (outside a run), or null
/// after writing `error`.
Device *hostDevice(char *error, size_t capacity) {
  Device &device = getDevice();
  if (!device.open) {
    writeError(error, capacity, "the CUDA device is not open");
    return nullptr;
  }
  device.api.cuCtxSetCurrent(device.context);
  return &device;
}
} // namespace

/// An input's copy to the device before its run, through pinned staging on
/// the model's stream (the run's synchronisation waits for it).
int32_t uploadInput(void *dst, const void *src, uint64_t bytes, char *error,
                    size_t capacity) {
  Device *open = hostDevice(error, capacity);
  if (!open)
    return LOOM_ERROR_RUNTIME;
  Device &device = *open;
  if (!bytes)
    return LOOM_OK;
  char *staged = run.staging.take(device, bytes);
  if (!staged) {
    writeError(error, capacity, "out of pinned host memory for an input");
    return LOOM_ERROR_OUT_OF_MEMORY;
  }
  std::memcpy(staged, src, bytes);
  CUresult result = device.api.cuMemcpyHtoDAsync(
      reinterpret_cast<CUdeviceptr>(dst), staged, bytes, device.stream);
  if (result != CUDA_SUCCESS) {
    writeError(error, capacity,
               "a copy to " + device.description +
                   " failed: " + errorName(result));
    return LOOM_ERROR_RUNTIME;
  }
  return LOOM_OK;
}

/// An output's copy to the host after its run, through pinned staging.
int32_t downloadOutput(void *dst, const void *src, uint64_t bytes, char *error,
                       size_t capacity) {
  Device *open = hostDevice(error, capacity);
  if (!open)
    return LOOM_ERROR_RUNTIME;
  Device &device = *open;
  if (!bytes)
    return LOOM_OK;
  char *staged = run.staging.take(device, bytes);
  CUresult result = !staged ? CUDA_ERROR_OUT_OF_MEMORY
                            : device.api.cuMemcpyDtoHAsync(
                                  staged, reinterpret_cast<CUdeviceptr>(src),
                                  bytes, device.stream);
  if (result == CUDA_SUCCESS)
    result = device.api.cuStreamSynchronize(device.stream);
  if (result == CUDA_SUCCESS)
    std::memcpy(dst, staged, bytes);
  run.staging.reset(device);
  if (result != CUDA_SUCCESS) {
    writeError(error, capacity,
               "a copy from " + device.description +
                   " failed: " + errorName(result));
    return LOOM_ERROR_RUNTIME;
  }
  return LOOM_OK;
}

/// A weight's upload, once, on the upload stream; runs wait for it through
/// the `uploaded` event (orderWeights).
std::mutex uploadMutex;

int32_t uploadWeight(void *dst, const void *src, uint64_t bytes, char *error,
                     size_t capacity) {
  Device *open = hostDevice(error, capacity);
  if (!open)
    return LOOM_ERROR_RUNTIME;
  Device &device = *open;
  std::lock_guard<std::mutex> lock(uploadMutex);
  CUresult result = device.api.cuMemcpyHtoDAsync(
      reinterpret_cast<CUdeviceptr>(dst), src, bytes, device.uploads);
  if (result == CUDA_SUCCESS)
    result = device.api.cuEventRecord(device.uploaded, device.uploads);
  if (result != CUDA_SUCCESS) {
    writeError(error, capacity,
               "a weight's copy to " + device.description +
                   " failed: " + errorName(result));
    return LOOM_ERROR_RUNTIME;
  }
  ++device.uploadGeneration;
  return LOOM_OK;
}

/// Before the calling thread's run uses a weight: its stream waits for the
/// uploads so far (once per upload generation).
int32_t orderWeights(char *error, size_t capacity) {
  // For the emulated device's tests only: the bug of a kernel that reads a
  // weight without waiting for its upload.
  static const bool skipWait = seededBug("skip-weight-wait");
  // A capture cannot wait for an event recorded outside it: the host waits.
  if (graphMode() == GraphMode::Capture && !skipWait) {
    Device &device = getDevice();
    RunState &r = run;
    std::lock_guard<std::mutex> lock(uploadMutex);
    if (r.waitedGeneration != device.uploadGeneration) {
      CUresult result = device.api.cuEventSynchronize(device.uploaded);
      if (result != CUDA_SUCCESS) {
        writeError(error, capacity,
                   "cuEventSynchronize (the weights' uploads) failed: " +
                       errorName(result));
        return LOOM_ERROR_RUNTIME;
      }
      r.waitedGeneration = device.uploadGeneration;
    }
    return LOOM_OK;
  }
  Device &device = getDevice();
  RunState &r = run;
  std::lock_guard<std::mutex> lock(uploadMutex);
  if (!r.active || r.waitedGeneration == device.uploadGeneration)
    return LOOM_OK;
  r.waitedGeneration = device.uploadGeneration;
  if (skipWait)
    return LOOM_OK;
  CUresult result = device.api.cuStreamWaitEvent(r.stream, device.uploaded, 0);
  if (result != CUDA_SUCCESS) {
    writeError(error, capacity,
               "cuStreamWaitEvent (the weights' uploads) failed: " +
                   errorName(result));
    return LOOM_ERROR_RUNTIME;
  }
  return LOOM_OK;
}

namespace {
/// loom_model_sync's run: waits for the stream, then checks the words the
/// asynchronous runs on it left.
void finishBody(void *closure) {
  auto stream = static_cast<CUstream>(closure);
  {
    std::lock_guard<std::mutex> lock(pendingMutex);
    auto it = pendingWords().find(stream);
    if (it != pendingWords().end()) {
      run.words.insert(run.words.end(), it->second.begin(), it->second.end());
      pendingWords().erase(it);
    }
  }
  syncRun("an asynchronous run's work");
}
} // namespace

int32_t finishAsync(loom_run_context *context) {
  void *stream = context->stream;
  return loom_rt_invoke(context, finishBody,
                        stream ? stream : getDevice().stream);
}

} // namespace loom::cuda
