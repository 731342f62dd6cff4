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
#include <ucontext.h>
#include <map>
#include <memory>
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
};

/// A thread of a block that meets the others (barriers, shuffles): a
/// fiber on the launching thread's stack of fibers.
struct Fiber {
  enum State { Ready, AtBarrier, AtShuffle, Done };
  ucontext_t context;
  ThreadState ids;
  State state = Ready;
  int32_t site = 0; // the barrier or shuffle it waits at
  // A shuffle's operands and result.
  uint64_t value = 0;
  int32_t offset = 0, width = 0, mode = 0;
  uint64_t result = 0;
  bool valid = false;
};

/// The launch in progress on this thread.
struct Launch {
  ThreadState ids;          // without fibers: the one thread running
  std::vector<Fiber> fibers; // with fibers: the block's threads
  Fiber *current = nullptr;
  ucontext_t scheduler;
  void (*kernel)(void **) = nullptr;
  void **params = nullptr;
  bool badPointer = false;
  bool collectiveWithoutFibers = false;
  std::string error; // a divergence, a deadlock: fails the launch
};
thread_local Launch *launch = nullptr;

ThreadState &currentIds() {
  return launch->current ? launch->current->ids : launch->ids;
}

struct Function {
  void (*entry)(void **) = nullptr;
  bool collective = false; // threads meet: run as fibers
};

struct Module {
  void *library = nullptr;
  std::vector<std::unique_ptr<Function>> functions;
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
    NAME(CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED")
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
  auto f = std::make_unique<Function>();
  f->entry = reinterpret_cast<void (*)(void **)>(symbol);
  f->collective =
      dlsym(m->library, (std::string(name) + ".loom_collective").c_str());
  *function = reinterpret_cast<CUfunction>(f.get());
  m->functions.push_back(std::move(f));
  return CUDA_SUCCESS;
}

unsigned getSeed() {
  const char *seed = std::getenv("LOOM_EMU_SEED");
  return seed && *seed ? static_cast<unsigned>(std::strtoul(seed, nullptr, 0))
                       : 1u;
}

/// Runs `launch`'s fiber `index` to its end.
void fiberMain(unsigned index) {
  Fiber &fiber = launch->fibers[index];
  launch->kernel(launch->params);
  fiber.state = Fiber::Done;
  swapcontext(&fiber.context, &launch->scheduler);
}

/// Fibers' stacks, kept for the next launch.
thread_local std::vector<std::unique_ptr<char[]>> stacks;
constexpr size_t kStackBytes = 256 * 1024;

/// Releases what the threads of one warp wait for at a shuffle, when they
/// all are there; false when they wait at different ones (divergence).
bool releaseShuffle(Launch &l, unsigned warp, unsigned threads) {
  unsigned first = warp * 32, last = std::min(first + 32, threads);
  int32_t site = 0;
  for (unsigned t = first; t < last; ++t) {
    Fiber &f = l.fibers[t];
    if (f.state == Fiber::Ready)
      return true; // not there yet
    if (f.state == Fiber::AtBarrier) {
      bool shuffling = false;
      for (unsigned u = first; u < last; ++u)
        shuffling |= l.fibers[u].state == Fiber::AtShuffle;
      if (!shuffling)
        return true; // the warp waits at the block's barrier
      l.error = "threads of a warp diverged: some wait at a barrier, others "
                "at a shuffle";
      return false;
    }
    if (f.state == Fiber::AtShuffle) {
      if (site && site != f.site) {
        l.error = "threads of a warp wait at different shuffles (divergent "
                  "shuffles)";
        return false;
      }
      site = f.site;
    }
  }
  if (!site)
    return true;
  for (unsigned t = first; t < last; ++t) {
    Fiber &f = l.fibers[t];
    if (f.state != Fiber::AtShuffle)
      continue;
    unsigned lane = t - first;
    int32_t width = f.width;
    if (width <= 0 || width > 32 || (width & (width - 1))) {
      l.error = "a shuffle of width " + std::to_string(width) +
                " (a power of two up to 32)";
      return false;
    }
    unsigned segment = lane / width * width;
    int64_t source;
    switch (f.mode) {
    case 0: source = lane ^ f.offset; break;         // xor
    case 1: source = lane + f.offset; break;         // up? see below
    case 2: source = lane - f.offset; break;
    default: source = segment + f.offset; break;     // idx
    }
    // gpu::ShuffleMode: XOR = 0, UP = 1, DOWN = 2, IDX = 3.
    if (f.mode == 1)
      source = lane - f.offset;
    else if (f.mode == 2)
      source = lane + f.offset;
    bool inside = source >= segment && source < segment + width;
    f.valid = inside;
    f.result = f.value;
    if (inside) {
      Fiber &from = l.fibers[first + source];
      if (from.state != Fiber::AtShuffle) {
        l.error = "a shuffle reads lane " + std::to_string(source) +
                  ", which has exited (absent lanes)";
        return false;
      }
      f.result = from.value;
    }
  }
  for (unsigned t = first; t < last; ++t)
    if (l.fibers[t].state == Fiber::AtShuffle)
      l.fibers[t].state = Fiber::Ready;
  return true;
}

/// Runs one block's `threads` threads as fibers, in `order`.
bool runBlockAsFibers(Launch &l, unsigned threads,
                      const std::vector<unsigned> &order) {
  while (true) {
    bool progressed = false;
    for (unsigned t : order) {
      Fiber &f = l.fibers[t];
      if (f.state != Fiber::Ready)
        continue;
      l.current = &f;
      swapcontext(&l.scheduler, &f.context);
      l.current = nullptr;
      progressed = true;
      if (l.badPointer)
        return false;
    }
    // Shuffles: each warp whose lanes all arrived.
    for (unsigned w = 0; w * 32 < threads; ++w)
      if (!releaseShuffle(l, w, threads))
        return false;
    unsigned done = 0, waiting = 0, ready = 0;
    int32_t site = 0;
    bool sameSite = true;
    for (unsigned t = 0; t < threads; ++t) {
      Fiber &f = l.fibers[t];
      done += f.state == Fiber::Done;
      ready += f.state == Fiber::Ready;
      if (f.state == Fiber::AtBarrier) {
        ++waiting;
        sameSite &= !site || site == f.site;
        site = f.site;
      }
    }
    if (done == threads)
      return true;
    if (ready)
      continue;
    if (waiting && waiting + done == threads) {
      if (!sameSite) {
        l.error = "threads of a block wait at different barriers (a "
                  "divergent barrier)";
        return false;
      }
      // Exited threads do not hold a barrier up (sm_70 and newer).
      for (Fiber &f : l.fibers)
        if (f.state == Fiber::AtBarrier)
          f.state = Fiber::Ready;
      continue;
    }
    if (!progressed) {
      l.error = "the block's threads wait for each other forever (a barrier "
                "or shuffle some threads never reach)";
      return false;
    }
  }
}

/// One launch at a time in the process: blocks see shared memory as
/// theirs alone (it is a global of the emulated program).
std::mutex launchMutex;

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
  auto *f = reinterpret_cast<Function *>(function);
  std::lock_guard<std::mutex> lock(launchMutex);
  Launch l;
  l.kernel = f->entry;
  l.params = params;
  Launch *outer = launch;
  launch = &l;
  struct Restore {
    Launch *outer;
    ~Restore() { launch = outer; }
  } restore{outer};
  uint64_t blocks = uint64_t(gridX) * gridY * gridZ;
  std::vector<uint64_t> blockOrder(blocks);
  for (uint64_t i = 0; i < blocks; ++i)
    blockOrder[i] = i;
  std::mt19937_64 random(getSeed());
  std::shuffle(blockOrder.begin(), blockOrder.end(), random);
  unsigned threads = blockX * blockY * blockZ;
  std::vector<unsigned> threadOrder(threads);
  for (unsigned t = 0; t < threads; ++t)
    threadOrder[t] = t;
  std::shuffle(threadOrder.begin(), threadOrder.end(), random);
  ThreadState base{};
  unsigned sizes[2][3] = {{blockX, blockY, blockZ}, {gridX, gridY, gridZ}};
  std::memcpy(base.id[2], sizes[0], sizeof(sizes[0]));
  std::memcpy(base.id[3], sizes[1], sizeof(sizes[1]));
  if (f->collective) {
    l.fibers.resize(threads);
    while (stacks.size() < threads)
      stacks.emplace_back(new char[kStackBytes]);
  }
  for (uint64_t b : blockOrder) {
    base.id[1][0] = b % gridX;
    base.id[1][1] = (b / gridX) % gridY;
    base.id[1][2] = b / (uint64_t(gridX) * gridY);
    auto setThread = [&](ThreadState &ids, unsigned t) {
      ids = base;
      ids.id[0][0] = t % blockX;
      ids.id[0][1] = (t / blockX) % blockY;
      ids.id[0][2] = t / (blockX * blockY);
    };
    if (!f->collective) {
      for (unsigned t = 0; t < threads; ++t) {
        setThread(l.ids, t);
        l.kernel(params);
        if (l.badPointer)
          return CUDA_ERROR_ILLEGAL_ADDRESS;
        if (l.collectiveWithoutFibers)
          return CUDA_ERROR_NOT_SUPPORTED;
      }
      continue;
    }
    for (unsigned t = 0; t < threads; ++t) {
      Fiber &fiber = l.fibers[t];
      fiber = Fiber();
      setThread(fiber.ids, t);
      getcontext(&fiber.context);
      fiber.context.uc_stack.ss_sp = stacks[t].get();
      fiber.context.uc_stack.ss_size = kStackBytes;
      fiber.context.uc_link = nullptr;
      makecontext(&fiber.context, reinterpret_cast<void (*)()>(fiberMain), 1,
                  t);
    }
    if (!runBlockAsFibers(l, threads, threadOrder)) {
      if (l.badPointer)
        return CUDA_ERROR_ILLEGAL_ADDRESS;
      std::fprintf(stderr, "loom emulated device: block (%u, %u, %u): %s\n",
                   base.id[1][0], base.id[1][1], base.id[1][2],
                   l.error.c_str());
      return CUDA_ERROR_LAUNCH_FAILED;
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
  return currentIds().id[code / 3][code % 3];
}

namespace {
/// Parks the running fiber in `state` at `site` until the scheduler
/// releases it.
void park(Fiber::State state, int32_t site) {
  Fiber *fiber = launch->current;
  fiber->state = state;
  fiber->site = site;
  swapcontext(&fiber->context, &launch->scheduler);
}

template <typename T> T shuffle(T value, int32_t offset, int32_t width,
                                int32_t mode, int32_t site) {
  Fiber *fiber = launch ? launch->current : nullptr;
  if (!fiber) {
    // Without fibers (a kernel not marked collective): one thread alone.
    if (launch)
      launch->collectiveWithoutFibers = true;
    return value;
  }
  std::memcpy(&fiber->value, &value, sizeof(T));
  fiber->offset = offset;
  fiber->width = width;
  fiber->mode = mode;
  park(Fiber::AtShuffle, site);
  T result;
  std::memcpy(&result, &fiber->result, sizeof(T));
  return result;
}
} // namespace

LOOM_EXPORT void loom_emu_barrier(int32_t site) {
  if (!launch || !launch->current) {
    if (launch)
      launch->collectiveWithoutFibers = true;
    return;
  }
  park(Fiber::AtBarrier, site);
}
LOOM_EXPORT float loom_emu_shuffle_f32(float v, int32_t o, int32_t w,
                                       int32_t m, int32_t s) {
  return shuffle(v, o, w, m, s);
}
LOOM_EXPORT double loom_emu_shuffle_f64(double v, int32_t o, int32_t w,
                                        int32_t m, int32_t s) {
  return shuffle(v, o, w, m, s);
}
LOOM_EXPORT int32_t loom_emu_shuffle_i32(int32_t v, int32_t o, int32_t w,
                                         int32_t m, int32_t s) {
  return shuffle(v, o, w, m, s);
}
LOOM_EXPORT int64_t loom_emu_shuffle_i64(int64_t v, int32_t o, int32_t w,
                                         int32_t m, int32_t s) {
  return shuffle(v, o, w, m, s);
}
LOOM_EXPORT bool loom_emu_shuffle_valid() {
  return launch && launch->current && launch->current->valid;
}

LOOM_EXPORT void *loom_emu_translate(void *pointer) {
  // 0xdeadbeef: the `allocated` field of a weight's or constant's
  // descriptor (loom/abi.h), which no kernel dereferences.
  if (!pointer || pointer == reinterpret_cast<void *>(0xdeadbeef))
    return pointer;
  if (!memory.contains(pointer)) {
    if (launch && !launch->badPointer)
      std::fprintf(stderr,
                   "loom emulated device: a kernel got %p, which is not a "
                   "device address\n",
                   pointer);
    if (launch)
      launch->badPointer = true;
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
