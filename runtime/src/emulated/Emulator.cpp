//===- Emulator.cpp - The emulated CUDA device ----------------------------===//
//
// Part of Loom's runtime: libLoomCudaEmulator.so, which a CUDA model's
// runtime dlopens instead of libcuda.so.1 when LOOM_DEVICE=emulated. It
// provides the same driver entries through cuGetProcAddress_v2, so the host
// module and the runtime are the ones that drive a GPU; only the device is
// this library (docs/cuda.md says what that proves and what not):
//   - device memory is a heap the host cannot dereference: its addresses
//     lie in a reserved window with no access, and a host access there is
//     reported (SIGSEGV handler) as the bug it is; kernels see it through
//     loom_emu_translate, which the emulated kernels' entries call on every
//     pointer parameter, and a parameter that is not a device address fails
//     the launch (CUDA_ERROR_ILLEGAL_ADDRESS);
//   - modules are Loom's kernels containers: the emulated kernels' shared
//     object is loaded from it, each kernel `void K(void **params)`;
//   - a launch runs every block, in an order shuffled by LOOM_EMU_SEED
//     (default 1), and every thread of a block in turn, with CUDA's limits
//     checked first; a kernel that needs a barrier with more than one
//     thread per block is refused (barriers need fibers, the next step);
//   - streams run their work when it is enqueued (in order, on the
//     caller's thread).
//
//===----------------------------------------------------------------------===//

#include "../cuda/CudaApi.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace loom::cuda;

#define LOOM_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

/// Device memory: a window of addresses the host cannot touch, and the
/// heap behind it, at `delta` bytes from it.
struct Memory {
  static constexpr size_t kWindow = size_t(64) << 30;
  char *window = nullptr;
  char *heap = nullptr;
  std::mutex mutex;
  std::map<size_t, size_t> used; // offset -> bytes
  size_t top = 0;
  std::vector<std::pair<size_t, size_t>> holes; // freed (offset, bytes)

  bool init() {
    void *w = mmap(nullptr, kWindow, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    void *h = mmap(nullptr, kWindow, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (w == MAP_FAILED || h == MAP_FAILED)
      return false;
    window = static_cast<char *>(w);
    heap = static_cast<char *>(h);
    return true;
  }
  bool contains(const void *p, size_t bytes = 1) const {
    auto *c = static_cast<const char *>(p);
    return window && c >= window && c + bytes <= window + kWindow;
  }
  void *toHost(CUdeviceptr p) {
    return heap + (reinterpret_cast<char *>(p) - window);
  }
  CUdeviceptr alloc(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex);
    bytes = (bytes + 255) & ~size_t(255);
    for (size_t i = 0; i < holes.size(); ++i)
      if (holes[i].second >= bytes) {
        size_t offset = holes[i].first;
        if (holes[i].second > bytes)
          holes[i] = {offset + bytes, holes[i].second - bytes};
        else
          holes.erase(holes.begin() + i);
        used[offset] = bytes;
        return reinterpret_cast<CUdeviceptr>(window + offset);
      }
    if (top + bytes > kWindow)
      return 0;
    size_t offset = top;
    top += bytes;
    used[offset] = bytes;
    return reinterpret_cast<CUdeviceptr>(window + offset);
  }
  bool free(CUdeviceptr p) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = used.find(reinterpret_cast<char *>(p) - window);
    if (!contains(reinterpret_cast<void *>(p)) || it == used.end())
      return false;
    // Freed memory reads as garbage, as on a GPU.
    std::memset(heap + it->first, 0xA5, it->second);
    holes.emplace_back(it->first, it->second);
    used.erase(it);
    return true;
  }
  /// Whether [p, p + bytes) lies in one live allocation.
  bool isLive(CUdeviceptr p, size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex);
    size_t offset = reinterpret_cast<char *>(p) - window;
    if (!contains(reinterpret_cast<void *>(p)))
      return false;
    auto it = used.upper_bound(offset);
    if (it == used.begin())
      return false;
    --it;
    return offset + bytes <= it->first + it->second;
  }
};

Memory memory;
std::atomic<bool> initialised{false};

/// What a kernel's thread reads through loom_emu_id.
struct ThreadState {
  unsigned id[4][3]; // thread, block, block size, grid size
  bool badPointer = false;
  bool barrier = false;
};
thread_local ThreadState thread;

struct Module {
  void *library = nullptr;
  std::string path;
};

void onSegv(int, siginfo_t *info, void *) {
  if (memory.contains(info->si_addr)) {
    static const char message[] =
        "loom emulated device: host code dereferenced device memory (a "
        "missing copy to the host)\n";
    (void)!write(2, message, sizeof(message) - 1);
    _exit(134);
  }
  signal(SIGSEGV, SIG_DFL);
  raise(SIGSEGV);
}

CUresult cuInit(unsigned flags) {
  if (flags)
    return CUDA_ERROR_INVALID_VALUE;
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    ok = memory.init();
    struct sigaction action {};
    action.sa_sigaction = onSegv;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &action, nullptr);
  });
  initialised = ok;
  return ok ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

#define REQUIRE_INIT()                                                         \
  if (!initialised)                                                            \
  return CUDA_ERROR_NOT_INITIALIZED

CUresult cuDriverGetVersion(int *version) {
  if (!version)
    return CUDA_ERROR_INVALID_VALUE;
  *version = 13000;
  return CUDA_SUCCESS;
}

CUresult cuGetErrorName(CUresult error, const char **name) {
  switch (error) {
#define NAME(code, text)                                                       \
  case code:                                                                   \
    *name = text;                                                              \
    return CUDA_SUCCESS;
    NAME(CUDA_SUCCESS, "CUDA_SUCCESS")
    NAME(CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE")
    NAME(CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY")
    NAME(CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED")
    NAME(CUDA_ERROR_INVALID_CONFIGURATION, "CUDA_ERROR_INVALID_CONFIGURATION")
    NAME(CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE")
    NAME(CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE")
    NAME(CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE")
    NAME(CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND")
    NAME(CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS")
    NAME(CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED")
#undef NAME
  default:
    *name = "CUDA_ERROR_UNKNOWN";
    return CUDA_ERROR_INVALID_VALUE;
  }
}

CUresult cuDeviceGetCount(int *count) {
  REQUIRE_INIT();
  *count = 1;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  REQUIRE_INIT();
  if (ordinal != 0)
    return CUDA_ERROR_INVALID_DEVICE;
  *device = 0;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetName(char *name, int length, CUdevice) {
  std::snprintf(name, length, "Loom emulated device");
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice) {
  // Reports an sm_80 part: what every container carries code for.
  if (attribute == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
    *value = 8;
  else if (attribute == CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)
    *value = 0;
  else
    return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice) {
  REQUIRE_INIT();
  static char token;
  *context = reinterpret_cast<CUcontext>(&token);
  return CUDA_SUCCESS;
}
CUresult cuCtxSetCurrent(CUcontext) { return CUDA_SUCCESS; }

CUresult cuMemAlloc(CUdeviceptr *pointer, size_t bytes) {
  REQUIRE_INIT();
  if (!pointer || !bytes)
    return CUDA_ERROR_INVALID_VALUE;
  *pointer = memory.alloc(bytes);
  return *pointer ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
CUresult cuMemFree(CUdeviceptr pointer) {
  REQUIRE_INIT();
  return memory.free(pointer) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
CUresult cuMemcpyHtoDAsync(CUdeviceptr dst, const void *src, size_t bytes,
                           CUstream) {
  REQUIRE_INIT();
  if (!memory.isLive(dst, bytes) || memory.contains(src))
    return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(memory.toHost(dst), src, bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoHAsync(void *dst, CUdeviceptr src, size_t bytes,
                           CUstream) {
  REQUIRE_INIT();
  if (!memory.isLive(src, bytes) || memory.contains(dst))
    return CUDA_ERROR_INVALID_VALUE;
  std::memcpy(dst, memory.toHost(src), bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                           CUstream) {
  REQUIRE_INIT();
  if (!memory.isLive(dst, bytes) || !memory.isLive(src, bytes))
    return CUDA_ERROR_INVALID_VALUE;
  std::memmove(memory.toHost(dst), memory.toHost(src), bytes);
  return CUDA_SUCCESS;
}

struct Stream {};
CUresult cuStreamCreate(CUstream *stream, unsigned) {
  REQUIRE_INIT();
  *stream = reinterpret_cast<CUstream>(new Stream);
  return CUDA_SUCCESS;
}
CUresult cuStreamSynchronize(CUstream) { return CUDA_SUCCESS; }
CUresult cuStreamDestroy(CUstream stream) {
  delete reinterpret_cast<Stream *>(stream);
  return CUDA_SUCCESS;
}

CUresult cuModuleLoadData(CUmodule *out, const void *image) {
  REQUIRE_INIT();
  auto *bytes = static_cast<const char *>(image);
  if (!bytes || std::memcmp(bytes, "LOOMGPU1", 8) != 0)
    return CUDA_ERROR_INVALID_IMAGE; // not Loom's: PTX or a fatbin alone
  uint32_t count;
  std::memcpy(&count, bytes + 8, 4);
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t kind;
    uint64_t offset, size;
    std::memcpy(&kind, bytes + 16 + 24 * i, 4);
    std::memcpy(&offset, bytes + 16 + 24 * i + 8, 8);
    std::memcpy(&size, bytes + 16 + 24 * i + 16, 8);
    if (kind != 3)
      continue;
    char path[] = "/tmp/loom-emu-kernels-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
      return CUDA_ERROR_UNKNOWN;
    bool written =
        write(fd, bytes + offset, size) == static_cast<ssize_t>(size);
    close(fd);
    void *library = written ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : nullptr;
    if (!library)
      std::fprintf(stderr, "loom emulated device: cannot load kernels: %s\n",
                   dlerror());
    unlink(path);
    if (!library)
      return CUDA_ERROR_INVALID_IMAGE;
    auto *module = new Module;
    module->library = library;
    *out = reinterpret_cast<CUmodule>(module);
    return CUDA_SUCCESS;
  }
  // A container without emulated kernels: compiled with emulation off.
  return CUDA_ERROR_NO_BINARY_FOR_GPU;
}
CUresult cuModuleUnload(CUmodule module) {
  auto *m = reinterpret_cast<Module *>(module);
  if (!m)
    return CUDA_ERROR_INVALID_HANDLE;
  dlclose(m->library);
  delete m;
  return CUDA_SUCCESS;
}
CUresult cuModuleGetFunction(CUfunction *function, CUmodule module,
                             const char *name) {
  auto *m = reinterpret_cast<Module *>(module);
  if (!m || !function || !name)
    return CUDA_ERROR_INVALID_VALUE;
  void *symbol = dlsym(m->library, name);
  if (!symbol)
    return CUDA_ERROR_NOT_FOUND;
  *function = reinterpret_cast<CUfunction>(symbol);
  return CUDA_SUCCESS;
}

unsigned getSeed() {
  const char *seed = std::getenv("LOOM_EMU_SEED");
  return seed && *seed ? static_cast<unsigned>(std::strtoul(seed, nullptr, 0))
                       : 1u;
}

CUresult cuLaunchKernel(CUfunction function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, CUstream,
                        void **params, void **extra) {
  REQUIRE_INIT();
  if (!function || extra)
    return CUDA_ERROR_INVALID_VALUE;
  // CUDA's limits (compute capability 8.0).
  if (!gridX || !gridY || !gridZ || !blockX || !blockY || !blockZ ||
      gridY > 65535 || gridZ > 65535 || blockX > 1024 || blockY > 1024 ||
      blockZ > 64 || uint64_t(blockX) * blockY * blockZ > 1024)
    return CUDA_ERROR_INVALID_CONFIGURATION;
  if (sharedBytes > 48 * 1024)
    return CUDA_ERROR_INVALID_VALUE;
  auto kernel = reinterpret_cast<void (*)(void **)>(function);
  uint64_t blocks = uint64_t(gridX) * gridY * gridZ;
  std::vector<uint64_t> order(blocks);
  for (uint64_t i = 0; i < blocks; ++i)
    order[i] = i;
  std::mt19937_64 random(getSeed());
  std::shuffle(order.begin(), order.end(), random);
  unsigned threads = blockX * blockY * blockZ;
  thread = ThreadState();
  unsigned sizes[2][3] = {{blockX, blockY, blockZ}, {gridX, gridY, gridZ}};
  std::memcpy(thread.id[2], sizes[0], sizeof(sizes[0]));
  std::memcpy(thread.id[3], sizes[1], sizeof(sizes[1]));
  for (uint64_t b : order) {
    thread.id[1][0] = b % gridX;
    thread.id[1][1] = (b / gridX) % gridY;
    thread.id[1][2] = b / (uint64_t(gridX) * gridY);
    for (unsigned t = 0; t < threads; ++t) {
      thread.id[0][0] = t % blockX;
      thread.id[0][1] = (t / blockX) % blockY;
      thread.id[0][2] = t / (blockX * blockY);
      kernel(params);
      if (thread.badPointer)
        return CUDA_ERROR_ILLEGAL_ADDRESS;
      if (thread.barrier && threads > 1)
        return CUDA_ERROR_NOT_SUPPORTED;
    }
  }
  return CUDA_SUCCESS;
}

struct EntryName {
  const char *name;
  void *function;
};

} // namespace

// What the emulated kernels call.
LOOM_EXPORT intptr_t loom_emu_id(int32_t code) {
  return thread.id[code / 3][code % 3];
}
LOOM_EXPORT void loom_emu_barrier() { thread.barrier = true; }
LOOM_EXPORT void *loom_emu_translate(void *pointer) {
  // 0xdeadbeef: the `allocated` field of a weight's or constant's
  // descriptor (loom/abi.h), which no kernel dereferences.
  if (!pointer || pointer == reinterpret_cast<void *>(0xdeadbeef))
    return pointer;
  if (!memory.contains(pointer)) {
    if (!thread.badPointer)
      std::fprintf(stderr,
                   "loom emulated device: a kernel got %p, which is not a "
                   "device address\n",
                   pointer);
    thread.badPointer = true;
    // Reads and writes through it fault, in the window's guard.
    return memory.window;
  }
  return memory.toHost(reinterpret_cast<CUdeviceptr>(pointer));
}

LOOM_EXPORT CUresult cuGetProcAddress_v2(const char *symbol, void **function,
                                         int version, uint64_t flags,
                                         int *status) {
  (void)version;
  (void)flags;
  static const EntryName entries[] = {
#define LOOM_EMU_ENTRY(name, params)                                           \
  {#name, reinterpret_cast<void *>(&name)},
      LOOM_CUDA_ENTRIES(LOOM_EMU_ENTRY)
#undef LOOM_EMU_ENTRY
  };
  for (const EntryName &entry : entries)
    if (std::strcmp(entry.name, symbol) == 0) {
      *function = entry.function;
      if (status)
        *status = 0;
      return CUDA_SUCCESS;
    }
  *function = nullptr;
  if (status)
    *status = 1;
  return CUDA_ERROR_NOT_FOUND;
}
