//===- GpuRuntime.cpp - The device side of a CUDA model -------------------===//
//
// Part of Loom's runtime, linked into every artefact `loomc --target=cuda`
// emits (library LoomCuda). It
//   - loads the driver at run time: libcuda.so.1, or the emulated device
//     (LOOM_DEVICE=emulated: libLoomCudaEmulator.so), both through
//     cuGetProcAddress, so that the artefact needs no CUDA library to start;
//   - implements the mgpu* functions gpu-to-llvm's host code calls: the
//     kernels' module (Loom's container, loaded on first use), launches,
//     the stream;
//   - gives the run guard device memory (loom_gpu_device_alloc) and the
//     host code its reads of device memory (loom_gpu_read);
//   - gives the host side (Model.cpp) the device: loom_model_device_api.
// Failures inside a run end it through loom_rt_raise, naming the call and
// the driver's error.
//
//===----------------------------------------------------------------------===//

#include "../RuntimeInternal.h"
#include "GpuDevice.h"
#include "loom/abi.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using namespace loom::cuda;

extern "C" [[noreturn]] void loom_rt_raise(int32_t status, const char *message);

namespace loom::cuda {

Device &getDevice() {
  static Device *device = new Device; // outlives static destructors
  return *device;
}

std::string errorName(CUresult result) {
  const char *name = nullptr;
  Device &device = getDevice();
  if (device.api.cuGetErrorName &&
      device.api.cuGetErrorName(result, &name) == CUDA_SUCCESS && name)
    return name;
  return "CUDA error " + std::to_string(result);
}

/// The RaiseSafeLocks this thread holds, innermost last.
thread_local std::vector<std::mutex *> heldLocks;

RaiseSafeLock::RaiseSafeLock(std::mutex &mutex) : mutex(mutex) {
  mutex.lock();
  heldLocks.push_back(&mutex);
}

RaiseSafeLock::~RaiseSafeLock() {
  heldLocks.pop_back();
  mutex.unlock();
}

void raise(const char *format, ...) {
  char message[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(message, sizeof(message), format, args);
  va_end(args);
  while (!heldLocks.empty()) {
    heldLocks.back()->unlock();
    heldLocks.pop_back();
  }
  loom_rt_raise(LOOM_ERROR_RUNTIME, message);
}

void check(CUresult result, const char *call) {
  if (result != CUDA_SUCCESS)
    raise("%s failed on %s: %s", call, getDevice().description.c_str(),
          errorName(result).c_str());
}

Device &requireDevice() {
  Device &device = getDevice();
  if (!device.open)
    raise("the model's CUDA device is not open (run it through "
          "loom_model_run, which opens it)");
  // Every host thread that runs the model works in the device's context.
  thread_local CUcontext current = nullptr;
  if (current != device.context) {
    check(device.api.cuCtxSetCurrent(device.context), "cuCtxSetCurrent");
    current = device.context;
  }
  return device;
}

} // namespace loom::cuda

namespace {

void writeError(char *error, size_t capacity, const std::string &message) {
  if (error && capacity)
    std::snprintf(error, capacity, "%s", message.c_str());
}

/// Where the emulated device's library is: $LOOM_CUDA_EMULATOR, else
/// beside the Loom build that compiled the runtime.
std::string getEmulatorPath() {
  if (const char *path = std::getenv("LOOM_CUDA_EMULATOR"))
    if (*path)
      return path;
#ifdef LOOM_CUDA_EMULATOR_PATH
  return LOOM_CUDA_EMULATOR_PATH;
#else
  return "libLoomCudaEmulator.so";
#endif
}

int32_t openDevice(int32_t kind, int32_t ordinal, const char *archs,
                   char *error, size_t capacity) {
  Device &device = getDevice();
  std::lock_guard<std::mutex> lock(device.mutex);
  if (device.open) {
    if (device.kind == kind)
      return LOOM_OK;
    writeError(error, capacity,
               "a CUDA model in this process already runs on another device");
    return LOOM_ERROR_UNSUPPORTED;
  }
  std::string path =
      kind == LOOM_DEVICE_EMULATED ? getEmulatorPath() : "libcuda.so.1";
  // The emulated device's kernels call back into it: global symbols.
  void *library = dlopen(
      path.c_str(),
      RTLD_NOW | (kind == LOOM_DEVICE_EMULATED ? RTLD_GLOBAL : RTLD_LOCAL));
  if (!library) {
    writeError(error, capacity,
               kind == LOOM_DEVICE_EMULATED
                   ? "cannot load the emulated CUDA device " + path + ": " +
                         dlerror() + " (set LOOM_CUDA_EMULATOR)"
                   : std::string("no CUDA driver: cannot load libcuda.so.1 (") +
                         dlerror() +
                         "); this model runs on an NVIDIA GPU, or on the "
                         "emulated device with --device=emulated or "
                         "LOOM_DEVICE=emulated");
    return LOOM_ERROR_UNSUPPORTED;
  }
  auto getProc =
      reinterpret_cast<GetProcAddress>(dlsym(library, "cuGetProcAddress_v2"));
  if (!getProc) {
    writeError(error, capacity,
               path + " is too old: it has no cuGetProcAddress_v2 (CUDA 12 "
                      "or newer is needed)");
    dlclose(library);
    return LOOM_ERROR_UNSUPPORTED;
  }
  Api api;
  std::string missing;
#define LOOM_CUDA_RESOLVE(name, params)                                        \
  if (getProc(#name, reinterpret_cast<void **>(&api.name), kApiVersion, 0,     \
              nullptr) != CUDA_SUCCESS ||                                      \
      !api.name)                                                               \
    missing += (missing.empty() ? "" : ", ") + std::string(#name);
  LOOM_CUDA_ENTRIES(LOOM_CUDA_RESOLVE)
#undef LOOM_CUDA_RESOLVE
  if (!missing.empty()) {
    writeError(error, capacity,
               path + " lacks entries Loom needs (" + missing +
                   "): the driver is too old");
    dlclose(library);
    return LOOM_ERROR_UNSUPPORTED;
  }
  device.api = api;
  // CUDA graphs, where the driver has them (GpuGraphs.cpp).
  device.graphApi = GraphApi();
  device.graphsMissing.clear();
#define LOOM_CUDA_GRAPH_RESOLVE(name, version, params)                         \
  if (getProc(#name, reinterpret_cast<void **>(&device.graphApi.name),         \
              version, 0, nullptr) != CUDA_SUCCESS ||                          \
      !device.graphApi.name)                                                   \
    device.graphsMissing +=                                                    \
        (device.graphsMissing.empty() ? "" : ", ") + std::string(#name);
  LOOM_CUDA_GRAPH_ENTRIES(LOOM_CUDA_GRAPH_RESOLVE)
#undef LOOM_CUDA_GRAPH_RESOLVE
  device.conditionalApi = ConditionalApi();
  device.conditionalMissing.clear();
#define LOOM_CUDA_CONDITIONAL_RESOLVE(name, version, params)                   \
  if (getProc(#name, reinterpret_cast<void **>(&device.conditionalApi.name),   \
              version, 0, nullptr) != CUDA_SUCCESS ||                          \
      !device.conditionalApi.name)                                             \
    device.conditionalMissing +=                                               \
        (device.conditionalMissing.empty() ? "" : ", ") + std::string(#name);
  LOOM_CUDA_CONDITIONAL_ENTRIES(LOOM_CUDA_CONDITIONAL_RESOLVE)
#undef LOOM_CUDA_CONDITIONAL_RESOLVE
  auto fail = [&](CUresult result, const char *call) {
    writeError(error, capacity,
               std::string(call) + " failed: " + errorName(result) +
                   (kind == LOOM_DEVICE_EMULATED ? " (emulated device)" : ""));
    device.api = Api();
    dlclose(library);
    return LOOM_ERROR_UNSUPPORTED;
  };
  CUresult result = api.cuInit(0);
  if (result != CUDA_SUCCESS)
    return fail(result, "cuInit");
  // An IF node with an ELSE body needs CUDA 12.8's driver.
  int driver = 0;
  if (device.conditionalMissing.empty() &&
      (api.cuDriverGetVersion(&driver) != CUDA_SUCCESS || driver < 12080))
    device.conditionalMissing =
        "a driver before CUDA 12.8 (" + std::to_string(driver) + ")";
  int count = 0;
  if ((result = api.cuDeviceGetCount(&count)) != CUDA_SUCCESS)
    return fail(result, "cuDeviceGetCount");
  if (ordinal < 0 || ordinal >= count) {
    writeError(error, capacity,
               "there is no CUDA device " + std::to_string(ordinal) + " (" +
                   std::to_string(count) + " found)");
    device.api = Api();
    dlclose(library);
    return LOOM_ERROR_INVALID_ARGUMENT;
  }
  if ((result = api.cuDeviceGet(&device.device, ordinal)) != CUDA_SUCCESS)
    return fail(result, "cuDeviceGet");
  char name[256] = "";
  api.cuDeviceGetName(name, sizeof(name), device.device);
  api.cuDeviceGetAttribute(&device.major,
                           CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                           device.device);
  api.cuDeviceGetAttribute(&device.minor,
                           CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
                           device.device);
  device.description = std::string(name) + " (sm_" +
                       std::to_string(device.major * 10 + device.minor) + ")";
  if ((result = api.cuDevicePrimaryCtxRetain(&device.context, device.device)) !=
      CUDA_SUCCESS)
    return fail(result, "cuDevicePrimaryCtxRetain");
  if ((result = api.cuCtxSetCurrent(device.context)) != CUDA_SUCCESS)
    return fail(result, "cuCtxSetCurrent");
  if ((result = api.cuStreamCreate(&device.stream, 0)) != CUDA_SUCCESS ||
      (result = api.cuStreamCreate(&device.uploads, 0)) != CUDA_SUCCESS)
    return fail(result, "cuStreamCreate");
  if ((result = api.cuEventCreate(&device.uploaded, CU_EVENT_DISABLE_TIMING)) !=
      CUDA_SUCCESS)
    return fail(result, "cuEventCreate");
  // Stream-ordered allocation, its pool holding on to what runs free (by
  // default it gives memory back at every synchronisation).
  int pools = 0;
  CUmemoryPool pool = nullptr;
  uint64_t keep = ~uint64_t(0);
  device.pools =
      api.cuDeviceGetAttribute(&pools,
                               CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
                               device.device) == CUDA_SUCCESS &&
      pools &&
      api.cuDeviceGetDefaultMemPool(&pool, device.device) == CUDA_SUCCESS &&
      api.cuMemPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                                &keep) == CUDA_SUCCESS;
  // A GPU older than every architecture the model carries code for runs
  // none of it (a cubin runs on its own major version, PTX on newer GPUs):
  // said now, not at the first launch.
  unsigned sm = static_cast<unsigned>(device.major * 10 + device.minor);
  unsigned oldest = ~0u;
  for (const char *at = archs ? std::strstr(archs, "sm_") : nullptr; at;
       at = std::strstr(at + 3, "sm_"))
    oldest = std::min<unsigned>(oldest, std::strtoul(at + 3, nullptr, 10));
  if (oldest != ~0u && oldest > sm) {
    writeError(error, capacity,
               "this GPU is " + device.description +
                   ", but the model was compiled for " + archs +
                   ", with no code it can run: compile with --gpu-arch=sm_" +
                   std::to_string(sm));
    device.api = Api();
    dlclose(library);
    return LOOM_ERROR_UNSUPPORTED;
  }
  device.library = library;
  device.kind = kind;
  device.open = true;
  return LOOM_OK;
}

/// The kernels' module: Loom's container (loom/Conversion/GpuSerialization.h),
/// loaded on the first launch.
struct LazyModule {
  const char *image;
  size_t size;
  std::mutex mutex;
  CUmodule module = nullptr;
  std::unordered_map<const void *, CUfunction> functions;
};

struct Entry {
  uint32_t kind, arch;
  uint64_t offset, size;
};

/// The model's kernels (the runtime is linked into each model: one).
LazyModule *modelModule = nullptr;

std::vector<Entry> readEntries(const LazyModule &m) {
  std::vector<Entry> entries;
  if (m.size < 16 || std::memcmp(m.image, "LOOMGPU1", 8) != 0)
    return entries;
  uint32_t count;
  std::memcpy(&count, m.image + 8, 4);
  for (uint32_t i = 0; i < count && 16 + 24 * (i + 1) <= m.size; ++i) {
    Entry e;
    std::memcpy(&e, m.image + 16 + 24 * i, sizeof(e));
    if (e.offset + e.size <= m.size)
      entries.push_back(e);
  }
  return entries;
}

std::string describeArchs(const std::vector<Entry> &entries) {
  std::string text;
  for (const Entry &e : entries)
    if (e.kind == 2)
      text += (text.empty() ? "sm_" : ", sm_") + std::to_string(e.arch);
  return text.empty() ? "no architecture" : text;
}

void loadModule(Device &device, LazyModule &m) {
  std::vector<Entry> entries = readEntries(m);
  if (entries.empty())
    raise("the model's kernels are not a Loom kernels container");
  const void *image = nullptr;
  if (device.kind == LOOM_DEVICE_EMULATED) {
    image = m.image; // the emulator reads the container itself
  } else {
    for (const Entry &e : entries)
      if (e.kind == 1)
        image = m.image + e.offset;
    // Without a fatbin (compiled without the toolkit): the newest PTX the
    // GPU can compile (not newer than it), else the oldest.
    uint32_t sm = static_cast<uint32_t>(device.major * 10 + device.minor);
    uint32_t best = 0, oldest = ~0u;
    const void *oldestImage = nullptr;
    if (!image) {
      for (const Entry &e : entries) {
        if (e.kind != 2)
          continue;
        if (e.arch <= sm && e.arch >= best) {
          best = e.arch;
          image = m.image + e.offset;
        }
        if (e.arch < oldest) {
          oldest = e.arch;
          oldestImage = m.image + e.offset;
        }
      }
      if (!image)
        image = oldestImage;
    }
  }
  CUresult result = device.api.cuModuleLoadData(&m.module, image);
  if (result == CUDA_ERROR_NO_BINARY_FOR_GPU || result == 218 /*INVALID_PTX*/ ||
      result == 222 /*UNSUPPORTED_PTX_VERSION*/)
    raise("this GPU is %s, but the model was compiled for %s, with no code "
          "it can run (%s): compile with --gpu-arch=sm_%d",
          device.description.c_str(), describeArchs(entries).c_str(),
          errorName(result).c_str(), device.major * 10 + device.minor);
  check(result, "cuModuleLoadData");
}

/// The kernel this thread launched last, which a failed synchronisation
/// names.
thread_local const void *lastKernel = nullptr;
thread_local bool lastLaunched = false;

/// The name of each kernel loaded, for errors.
std::mutex kernelNamesMutex;
std::unordered_map<const void *, std::string> &kernelNames() {
  static auto *names = new std::unordered_map<const void *, std::string>();
  return *names;
}

std::string kernelName(const void *function) {
  std::lock_guard<std::mutex> names(kernelNamesMutex);
  auto it = kernelNames().find(function);
  return it != kernelNames().end() ? it->second : std::string("?");
}

std::string kernelName(const void *function);

} // namespace

std::string loom::cuda::lastKernelName() {
  return lastLaunched ? kernelName(lastKernel) : std::string("none");
}

extern "C" {

//===----------------------------------------------------------------------===//
// What gpu-to-llvm's host code calls (MLIR 22.1's mgpu* ABI).
//===----------------------------------------------------------------------===//

LOOM_HIDDEN void *mgpuModuleLoad(void *data, size_t size) {
  // From a global constructor: no driver call yet.
  auto *m = new LazyModule;
  m->image = static_cast<const char *>(data);
  m->size = size;
  modelModule = m;
  return m;
}

LOOM_HIDDEN void *mgpuModuleLoadJIT(void *data, int optLevel) {
  (void)optLevel;
  return mgpuModuleLoad(data, std::strlen(static_cast<const char *>(data)));
}

LOOM_HIDDEN void mgpuModuleUnload(void *module) {
  // At exit: the device may be gone; the process frees the rest.
  (void)module;
}

LOOM_HIDDEN void *mgpuModuleGetFunction(void *module, const char *name) {
  Device &device = requireDevice();
  auto *m = static_cast<LazyModule *>(module);
  RaiseSafeLock lock(m->mutex);
  auto it = m->functions.find(name);
  if (it != m->functions.end())
    return it->second;
  if (!m->module)
    loadModule(device, *m);
  CUfunction function = nullptr;
  CUresult result = device.api.cuModuleGetFunction(&function, m->module, name);
  if (result != CUDA_SUCCESS)
    raise("kernel %s is not in the model's module: %s", name,
          errorName(result).c_str());
  m->functions.emplace(name, function);
  {
    std::lock_guard<std::mutex> names(kernelNamesMutex);
    kernelNames()[function] = name;
  }
  return function;
}

} // extern "C"

CUfunction loom::cuda::setConditionKernel() {
  if (!modelModule)
    raise("the model has no kernels, so no kernel to set a conditional "
          "node's condition");
  return static_cast<CUfunction>(
      mgpuModuleGetFunction(modelModule, "loom_set_condition"));
}

extern "C" {

/// The run's stream (GpuRun.cpp): the caller's or the model's.
LOOM_HIDDEN void *mgpuStreamCreate() {
  requireDevice();
  return runStream();
}

/// The host code's synchronisation after each launch (MLIR's synchronous
/// gpu.launch_func): a run waits only where it must (GpuRun.cpp), unless
/// LOOM_GPU_SYNC=1 asks for this one, so that a failure names its kernel.
LOOM_HIDDEN void mgpuStreamSynchronize(void *stream) {
  (void)stream;
  if (syncEachCall())
    syncRun(nullptr);
}

LOOM_HIDDEN void mgpuStreamDestroy(void *stream) {
  // The model's stream lives as long as the device.
  (void)stream;
}

LOOM_HIDDEN void mgpuLaunchKernel(void *function, intptr_t gridX,
                                  intptr_t gridY, intptr_t gridZ,
                                  intptr_t blockX, intptr_t blockY,
                                  intptr_t blockZ, int32_t sharedBytes,
                                  void *stream, void **params, void **extra,
                                  size_t paramsCount) {
  (void)paramsCount;
  Device &device = requireDevice();
  // A grid of no block (an empty tensor) has nothing to do.
  if (gridX == 0 || gridY == 0 || gridZ == 0)
    return;
  if (gridX < 0 || gridX > 0x7fffffff || gridY < 0 || gridY > 65535 ||
      gridZ < 0 || gridZ > 65535 || blockX <= 0 || blockY <= 0 || blockZ <= 0 ||
      blockX * blockY * blockZ > 1024)
    raise("a kernel launch of grid (%ld, %ld, %ld) and blocks (%ld, %ld, "
          "%ld) is beyond CUDA's limits",
          static_cast<long>(gridX), static_cast<long>(gridY),
          static_cast<long>(gridZ), static_cast<long>(blockX),
          static_cast<long>(blockY), static_cast<long>(blockZ));
  lastKernel = function;
  lastLaunched = true;
  unsigned grid[3] = {unsigned(gridX), unsigned(gridY), unsigned(gridZ)};
  unsigned block[3] = {unsigned(blockX), unsigned(blockY), unsigned(blockZ)};
  if (graphKernel(static_cast<CUfunction>(function), grid, block,
                  static_cast<unsigned>(sharedBytes),
                  static_cast<CUstream>(stream), params))
    return;
  CUresult result = device.api.cuLaunchKernel(
      static_cast<CUfunction>(function), gridX, gridY, gridZ, blockX, blockY,
      blockZ, sharedBytes, static_cast<CUstream>(stream), params, extra);
  if (result != CUDA_SUCCESS)
    raise("kernel %s failed on %s: %s", kernelName(function).c_str(),
          device.description.c_str(), errorName(result).c_str());
}

//===----------------------------------------------------------------------===//
// Constants that kernels read.
//===----------------------------------------------------------------------===//

/// kernel.device_global: the device's copy of the constant at `host`
/// (`bytes` bytes), uploaded once and kept while the device is open.
LOOM_HIDDEN void *loom_rt_device_global(int64_t host, int64_t bytes) {
  Device &device = requireDevice();
  static std::mutex mutex;
  static auto *copies = new std::unordered_map<int64_t, void *>();
  RaiseSafeLock lock(mutex);
  auto it = copies->find(host);
  if (it != copies->end())
    return it->second;
  CUdeviceptr pointer = 0;
  check(device.api.cuMemAlloc(&pointer, bytes ? bytes : 1),
        "cuMemAlloc (a constant's device copy)");
  // On the upload stream, which no graph captures; the host waits for it.
  check(device.api.cuMemcpyHtoDAsync(pointer, reinterpret_cast<void *>(host),
                                     bytes, device.uploads),
        "cuMemcpyHtoDAsync (a constant's device copy)");
  check(device.api.cuStreamSynchronize(device.uploads),
        "cuStreamSynchronize (a constant's device copy)");
  void *copy = reinterpret_cast<void *>(pointer);
  copies->emplace(host, copy);
  return copy;
}

//===----------------------------------------------------------------------===//
// The host side's view (Model.cpp).
//===----------------------------------------------------------------------===//

} // extern "C"

namespace {

void *apiAlloc(uint64_t bytes) {
  Device &device = getDevice();
  CUdeviceptr pointer = 0;
  if (!device.open || device.api.cuCtxSetCurrent(device.context) ||
      device.api.cuMemAlloc(&pointer, bytes ? bytes : 1) != CUDA_SUCCESS)
    return nullptr;
  return reinterpret_cast<void *>(pointer);
}

void apiFree(void *pointer) {
  Device &device = getDevice();
  if (pointer && device.open && !device.api.cuCtxSetCurrent(device.context))
    device.api.cuMemFree(reinterpret_cast<CUdeviceptr>(pointer));
}

const char *apiDescribe() { return getDevice().description.c_str(); }

} // namespace

namespace loom::cuda {
// GpuRun.cpp.
int32_t uploadInput(void *dst, const void *src, uint64_t bytes, char *error,
                    size_t capacity);
int32_t downloadOutput(void *dst, const void *src, uint64_t bytes, char *error,
                       size_t capacity);
int32_t uploadWeight(void *dst, const void *src, uint64_t bytes, char *error,
                     size_t capacity);
int32_t orderWeights(char *error, size_t capacity);
int32_t finishAsync(loom_run_context *context);
// GpuLibraries.cpp.
int32_t loadLibraries(const char *list, char *error, size_t capacity);
} // namespace loom::cuda

extern "C" const loom_device_api *loom_model_device_api(void) {
  static const loom_device_api api = {
      kDeviceApiVersion, openDevice,     apiAlloc,     apiFree,
      uploadInput,       downloadOutput, apiDescribe,  uploadWeight,
      orderWeights,      finishAsync,    loadLibraries};
  return &api;
}
