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
//     checked first; the threads of a kernel with barriers or shuffles run
//     as fibers (x86-64), which meet there; shared memory is race-checked
//     and every kernel access bounds-checked;
//   - streams queue their work and run it when the host synchronises.
//
//===----------------------------------------------------------------------===//

#include "Emulator.h"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <dlfcn.h>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <sys/mman.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

using namespace loom::cuda;

// Switching between a block's fibers: saves the callee-saved registers on
// the current stack, stores its pointer in *from, and resumes the stack at
// `to` (x86-64 System V). swapcontext would cost a signal-mask system call
// per switch, which dominated emulated block reductions.
#if !defined(__x86_64__)
#error "the emulated device's fibers switch stacks on x86-64 only"
#endif
extern "C" void loom_emu_switch(void **from, void *to);
asm(R"(
  .text
  .p2align 4
  .type loom_emu_switch, @function
loom_emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .size loom_emu_switch, .-loom_emu_switch
)");

namespace {

/// Device memory: a window of addresses the host cannot touch, and the
/// heap behind it at the same offsets. Every allocation has pages of its
/// own between two guard pages, and ends where its last page ends (its
/// start 256-byte aligned, as cuMemAlloc's): a kernel that reads or writes
/// past either end faults, and the fault handler names the allocation.
struct Memory {
  static constexpr size_t kWindow = size_t(64) << 30;
  static constexpr size_t kPage = 4096;
  char *window = nullptr;
  char *heap = nullptr;
  std::mutex mutex;
  struct Block {
    size_t bytes;     // what was asked for
    size_t pageStart; // its first data page (offset)
    size_t pages;     // data pages
  };
  std::map<size_t, Block> used;        // start offset -> block
  size_t top = kPage;                  // a guard page first
  std::multimap<size_t, size_t> holes; // freed: pages -> first data page

  bool init() {
    void *w = mmap(nullptr, kWindow, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    void *h = mmap(nullptr, kWindow, PROT_NONE,
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
  bool inHeap(const void *p) const {
    auto *c = static_cast<const char *>(p);
    return heap && c >= heap && c < heap + kWindow;
  }
  void *toHost(CUdeviceptr p) {
    return heap + (reinterpret_cast<char *>(p) - window);
  }
  CUdeviceptr alloc(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex);
    size_t rounded = (bytes + 255) & ~size_t(255);
    size_t pages = (rounded + kPage - 1) / kPage;
    size_t pageStart;
    auto hole = holes.lower_bound(pages);
    if (hole != holes.end() && hole->first == pages) {
      pageStart = hole->second;
      holes.erase(hole);
    } else {
      if (top + (pages + 1) * kPage > kWindow)
        return 0;
      pageStart = top;
      top += (pages + 1) * kPage; // and the guard after it
    }
    if (mprotect(heap + pageStart, pages * kPage, PROT_READ | PROT_WRITE))
      return 0;
    size_t start = pageStart + pages * kPage - rounded;
    used[start] = {bytes, pageStart, pages};
    return reinterpret_cast<CUdeviceptr>(window + start);
  }
  bool free(CUdeviceptr p) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!contains(reinterpret_cast<void *>(p)))
      return false;
    auto it = used.find(reinterpret_cast<char *>(p) - window);
    if (it == used.end())
      return false;
    // Freed memory is gone: a later access faults.
    Block block = it->second;
    mprotect(heap + block.pageStart, block.pages * kPage, PROT_NONE);
    madvise(heap + block.pageStart, block.pages * kPage, MADV_DONTNEED);
    holes.emplace(block.pages, block.pageStart);
    used.erase(it);
    return true;
  }
  static constexpr size_t npos = ~size_t(0);
  /// The start (offset) of the live allocation holding `p` and its size in
  /// `bytes`, or npos.
  size_t allocationOf(CUdeviceptr p, size_t *bytes) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!contains(reinterpret_cast<void *>(p)))
      return npos;
    size_t offset = reinterpret_cast<char *>(p) - window;
    auto it = used.upper_bound(offset);
    if (it == used.begin())
      return npos;
    --it;
    if (offset >= it->first + std::max<size_t>(it->second.bytes, 1))
      return npos;
    *bytes = it->second.bytes;
    return it->first;
  }
  /// Whether [p, p + bytes) lies in one live allocation.
  bool isLive(CUdeviceptr p, size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!contains(reinterpret_cast<void *>(p)))
      return false;
    size_t offset = reinterpret_cast<char *>(p) - window;
    auto it = used.upper_bound(offset);
    if (it == used.begin())
      return false;
    --it;
    return offset + bytes <= it->first + it->second.bytes;
  }
  /// The allocation nearest the heap address `address` (a fault), written
  /// as text; no locking (a signal handler).
  void describeNear(const char *address, char *out, size_t capacity) {
    size_t offset = address - heap;
    const Block *best = nullptr;
    size_t bestStart = 0, bestDistance = ~size_t(0);
    for (const auto &[start, block] : used) {
      size_t end = block.pageStart + block.pages * kPage;
      size_t lo = block.pageStart - kPage, hi = end + kPage;
      if (offset < lo || offset >= hi)
        continue;
      size_t distance = offset < start ? start - offset : offset - end;
      if (distance < bestDistance) {
        best = &block;
        bestStart = start;
        bestDistance = distance;
      }
    }
    if (!best) {
      std::snprintf(out, capacity, "memory that is not allocated (freed?)");
      return;
    }
    if (offset < bestStart)
      std::snprintf(out, capacity,
                    "%zu bytes before an allocation of %zu bytes at %p",
                    bestStart - offset, best->bytes,
                    static_cast<void *>(window + bestStart));
    else
      std::snprintf(out, capacity,
                    "%zu bytes past the end of an allocation of %zu bytes at "
                    "%p",
                    offset - (bestStart + best->bytes), best->bytes,
                    static_cast<void *>(window + bestStart));
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
  void *stack = nullptr; // its saved stack pointer while it is parked
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
  ThreadState ids;           // without fibers: the one thread running
  std::vector<Fiber> fibers; // with fibers: the block's threads
  Fiber *current = nullptr;
  void *scheduler = nullptr; // the scheduler's saved stack pointer
  void (*kernel)(void **) = nullptr;
  void **params = nullptr;
  bool badPointer = false;
  bool collectiveWithoutFibers = false;
  bool outOfBounds = false;
  std::string error; // a divergence, a deadlock, a race: fails the launch
  // The race detector's view of the block's shared memory: per address,
  // who last wrote and read it since the last barrier.
  struct Access {
    uint32_t epoch = 0;
    int32_t writer = -1, reader = -1;
    bool readers = false; // more than one thread read it
  };
  std::unordered_map<uintptr_t, Access> shared;
  uint32_t epoch = 1; // barriers the block passed, plus one
  const char *name = "";
};
thread_local Launch *launch = nullptr;

ThreadState &currentIds() {
  return launch->current ? launch->current->ids : launch->ids;
}

struct Function {
  std::string name;
  void (*entry)(void **) = nullptr;
  const int64_t *params = nullptr; // count, then each one's bytes
  bool collective = false;         // threads meet: run as fibers
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
  if (memory.inHeap(info->si_addr)) {
    char where[256], message[512];
    memory.describeNear(static_cast<const char *>(info->si_addr), where,
                        sizeof(where));
    int n = std::snprintf(message, sizeof(message),
                          "loom emulated device: a kernel accessed device "
                          "memory out of bounds: %s\n",
                          where);
    (void)!write(2, message, n > 0 ? n : 0);
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
  // For the tests: an older driver (LOOM_EMU_DRIVER_VERSION, e.g. 12040:
  // conditional nodes without ELSE bodies, which the runtime does not use).
  const char *older = std::getenv("LOOM_EMU_DRIVER_VERSION");
  *version = older && *older ? std::atoi(older) : 13000;
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
    NAME(CUDA_ERROR_ILLEGAL_STATE, "CUDA_ERROR_ILLEGAL_STATE")
    NAME(CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND")
    NAME(CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY")
    NAME(CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS")
    NAME(CUDA_ERROR_NOT_SUPPORTED, "CUDA_ERROR_NOT_SUPPORTED")
    NAME(CUDA_ERROR_LAUNCH_TIMEOUT, "CUDA_ERROR_LAUNCH_TIMEOUT")
    NAME(CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED")
#undef NAME
  default:
    *name = "CUDA_ERROR_UNKNOWN";
    return CUDA_ERROR_INVALID_VALUE;
  }
}

/// As many devices as a DGX node has, so that the ranks of a job started
/// with loom-run -n N each take their own (cuda:LOCAL_RANK); they share
/// this process's emulated memory, and each rank is a process of its own.
constexpr int kEmulatedDevices = 8;

CUresult cuDeviceGetCount(int *count) {
  REQUIRE_INIT();
  *count = kEmulatedDevices;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  REQUIRE_INIT();
  if (ordinal < 0 || ordinal >= kEmulatedDevices)
    return CUDA_ERROR_INVALID_DEVICE;
  *device = ordinal;
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
  else if (attribute == CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED)
    *value = 1;
  else
    return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}
/// The device the process's context is on (a process opens one).
std::atomic<int> openedDevice{0};

CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice device) {
  REQUIRE_INIT();
  if (device < 0 || device >= kEmulatedDevices)
    return CUDA_ERROR_INVALID_DEVICE;
  openedDevice = device;
  static char token;
  *context = reinterpret_cast<CUcontext>(&token);
  return CUDA_SUCCESS;
}
CUresult cuCtxSetCurrent(CUcontext) { return CUDA_SUCCESS; }

CUresult drainAll();

CUresult cuMemAlloc(CUdeviceptr *pointer, size_t bytes) {
  REQUIRE_INIT();
  if (!pointer || !bytes)
    return CUDA_ERROR_INVALID_VALUE;
  *pointer = memory.alloc(bytes);
  return *pointer ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

/// A stream: work queued in order and run when the host synchronises
/// (cuStreamSynchronize, cuEventSynchronize, a copy to pageable host memory,
/// or a cuMemFree, which waits for all work), as if the device were
/// arbitrarily slow. Host code that reads what a copy to pinned memory or a
/// kernel writes without synchronising reads the poison the copy leaves, or
/// stale data: a missing synchronisation is always wrong, never lucky (0xA5
/// bytes: integers far out of any range, flags true, floats a tiny
/// negative). A launch's error is the stream's, returned by its next
/// synchronisation (as CUDA's are).
///
/// While one stream runs its work, other streams' work runs in between at
/// random (seeded by LOOM_EMU_SEED): the streams' relative timing is not
/// one a program can count on. What it can count on is checked instead:
/// every stream keeps a vector clock of the work it is ordered after (its
/// own, the events it waited for, and every stream's work that the host
/// had waited for when it queued), and each allocation remembers the last
/// work that touched it. Work that touches an allocation that another
/// stream's work touched, with no order between the two, is a cross-stream
/// hazard (a missing cuStreamWaitEvent): reported, and refused with
/// CUDA_ERROR_ILLEGAL_STATE. Every touch counts as a write (the emulator
/// does not tell a kernel's reads from its writes), which is stricter than
/// CUDA for two streams that only read a buffer; Loom's runtime never does.
using Clock = std::vector<uint64_t>;

void join(Clock &into, const Clock &from) {
  if (into.size() < from.size())
    into.resize(from.size(), 0);
  for (size_t i = 0; i < from.size(); ++i)
    into[i] = std::max(into[i], from[i]);
}
uint64_t at(const Clock &clock, size_t i) {
  return i < clock.size() ? clock[i] : 0;
}

struct Stream {
  std::mutex mutex;             // the queue
  std::recursive_mutex running; // held while its work runs, in order
  std::atomic<int> draining{0}; // drainTo frames on it (any thread)
  std::deque<std::function<CUresult()>> work;
  uint64_t queued = 0, done = 0;
  CUresult error = CUDA_SUCCESS;
  uint32_t id = 0;
  Clock clock; // what its next work is ordered after (under orderMutex)
  void *capture = nullptr; // the graph it captures into (EmulatedGraphs.cpp)
};

/// Whether `stream` captures (its work goes to a graph, not its queue).
bool capturing(CUstream stream) {
  return stream && reinterpret_cast<Stream *>(stream)->capture;
}

struct Event {
  Stream *stream = nullptr; // where it was last recorded (null: never)
  uint64_t position = 0;    // the stream's work it completes after
  Clock clock;
};

std::mutex streamsMutex;
std::vector<Stream *> &allStreams() {
  static auto *streams = new std::vector<Stream *>();
  return *streams;
}

/// The ordering state: the host's clock and each allocation's last touch.
struct Order {
  std::mutex mutex;
  Clock host;
  uint32_t streams = 0;
  struct Touch {
    uint32_t stream;
    uint64_t time;
    std::string what;
  };
  std::unordered_map<size_t, Touch> touched; // allocation start -> touch
};
Order &order() {
  static auto *state = new Order;
  return *state;
}

/// Work for the random interleaving of streams.
std::mutex delayMutex;
std::mt19937 &delays() {
  static std::mt19937 random(static_cast<unsigned>(std::strtoul(
      std::getenv("LOOM_EMU_SEED") ? std::getenv("LOOM_EMU_SEED") : "1",
      nullptr, 0)));
  return random;
}

/// Runs `stream`'s work until `position` items of it are done.
CUresult drainTo(Stream *stream, uint64_t position);

/// Maybe runs one piece of another stream's work (a random delay of the
/// stream that synchronises).
void delayOthers(Stream *self) {
  Stream *other = nullptr;
  {
    std::lock_guard<std::mutex> lock(streamsMutex);
    auto &streams = allStreams();
    if (streams.size() < 2)
      return;
    std::lock_guard<std::mutex> random(delayMutex);
    if (delays()() % 2)
      return;
    other = streams[delays()() % streams.size()];
    // Not a stream whose work is already running (this thread may be
    // inside one of its items, waiting for an event).
    if (other == self || other->draining.load() > 0)
      return;
    std::unique_lock<std::recursive_mutex> busy(other->running,
                                                std::try_to_lock);
    if (!busy.owns_lock())
      return;
    busy.release();
  }
  uint64_t next;
  {
    std::lock_guard<std::mutex> lock(other->mutex);
    next = other->done + (other->work.empty() ? 0 : 1);
  }
  drainTo(other, next);
  other->running.unlock();
}

CUresult drainTo(Stream *stream, uint64_t position) {
  std::lock_guard<std::recursive_mutex> running(stream->running);
  struct Count {
    std::atomic<int> &n;
    explicit Count(std::atomic<int> &n) : n(n) { ++n; }
    ~Count() { --n; }
  } count(stream->draining);
  while (true) {
    std::function<CUresult()> item;
    {
      std::lock_guard<std::mutex> lock(stream->mutex);
      if (stream->done >= position || stream->work.empty())
        return stream->error;
      item = std::move(stream->work.front());
      stream->work.pop_front();
    }
    delayOthers(stream);
    CUresult result = item();
    std::lock_guard<std::mutex> lock(stream->mutex);
    ++stream->done;
    if (result != CUDA_SUCCESS && stream->error == CUDA_SUCCESS)
      stream->error = result;
  }
}

/// Runs all of `stream`'s work; the host is then ordered after it.
CUresult drain(Stream *stream) {
  CUresult result = drainTo(stream, ~uint64_t(0));
  Order &o = order();
  std::lock_guard<std::mutex> lock(o.mutex);
  join(o.host, stream->clock);
  return result;
}

CUresult drainAll() {
  std::vector<Stream *> streams;
  {
    std::lock_guard<std::mutex> lock(streamsMutex);
    streams = allStreams();
  }
  CUresult result = CUDA_SUCCESS;
  for (Stream *stream : streams) {
    CUresult r = drain(stream);
    if (r != CUDA_SUCCESS && result == CUDA_SUCCESS)
      result = r;
  }
  return result;
}

/// Orders new work of `stream` that touches `pointers` (device addresses;
/// others are ignored): CUDA_ERROR_ILLEGAL_STATE on a hazard.
CUresult orderWork(Stream *stream, const char *what,
                   const std::vector<const void *> &pointers) {
  Order &o = order();
  std::lock_guard<std::mutex> lock(o.mutex);
  join(stream->clock, o.host);
  if (stream->clock.size() <= stream->id)
    stream->clock.resize(stream->id + 1, 0);
  uint64_t now = ++stream->clock[stream->id];
  for (const void *pointer : pointers) {
    size_t bytes = 0;
    size_t start =
        memory.allocationOf(reinterpret_cast<CUdeviceptr>(pointer), &bytes);
    if (start == Memory::npos)
      continue;
    auto it = o.touched.find(start);
    if (it != o.touched.end() && it->second.stream != stream->id &&
        at(stream->clock, it->second.stream) < it->second.time) {
      std::fprintf(stderr,
                   "loom emulated device: a cross-stream hazard: %s on stream "
                   "%u uses the allocation of %zu bytes at %p, which %s on "
                   "stream %u also uses, with no event between them (a "
                   "missing cuStreamWaitEvent)\n",
                   what, stream->id, bytes,
                   static_cast<void *>(memory.window + start),
                   it->second.what.c_str(), it->second.stream);
      return CUDA_ERROR_ILLEGAL_STATE;
    }
    o.touched[start] = {stream->id, now, what};
  }
  return CUDA_SUCCESS;
}

/// Forgets the touches of the allocation at `pointer` (freed).
void forgetTouches(CUdeviceptr pointer) {
  Order &o = order();
  std::lock_guard<std::mutex> lock(o.mutex);
  o.touched.erase(reinterpret_cast<char *>(pointer) - memory.window);
}

/// Queues `work` on `handle` after ordering it (see orderWork), or runs it
/// now on the legacy default stream (null), which synchronises with the
/// host and every stream.
CUresult enqueue(CUstream handle, std::function<CUresult()> work,
                 const char *what = "work",
                 const std::vector<const void *> &touches = {}) {
  auto *stream = reinterpret_cast<Stream *>(handle);
  if (!stream) {
    drainAll();
    return work();
  }
  if (stream->capture)
    return loom::emu::captureWork(stream->capture, std::move(work), what,
                                  touches);
  {
    std::lock_guard<std::mutex> lock(stream->mutex);
    if (stream->error != CUDA_SUCCESS)
      return stream->error; // sticky, as CUDA's launch failures
  }
  if (CUresult hazard = orderWork(stream, what, touches))
    return hazard;
  std::lock_guard<std::mutex> lock(stream->mutex);
  stream->work.push_back(std::move(work));
  ++stream->queued;
  return CUDA_SUCCESS;
}

CUresult cuMemFree(CUdeviceptr pointer) {
  REQUIRE_INIT();
  drainAll(); // as CUDA's: after the work that may use it
  if (!memory.free(pointer))
    return CUDA_ERROR_INVALID_VALUE;
  forgetTouches(pointer);
  return CUDA_SUCCESS;
}

// Stream-ordered allocation: the memory is the stream's from now on (its
// other users must be ordered after it), and a free runs in the stream's
// order, after the work queued before it.
CUresult cuMemAllocAsync(CUdeviceptr *pointer, size_t bytes, CUstream stream) {
  REQUIRE_INIT();
  // A graph's memory nodes are not emulated (Loom's runtime allocates
  // outside its captures).
  if (capturing(stream))
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  if (CUresult result = cuMemAlloc(pointer, bytes))
    return result;
  if (stream) {
    if (CUresult hazard =
            orderWork(reinterpret_cast<Stream *>(stream), "cuMemAllocAsync",
                      {reinterpret_cast<void *>(*pointer)})) {
      memory.free(*pointer);
      return hazard;
    }
  }
  return CUDA_SUCCESS;
}
CUresult cuMemFreeAsync(CUdeviceptr pointer, CUstream stream) {
  REQUIRE_INIT();
  if (capturing(stream))
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  if (!memory.isLive(pointer, 1))
    return CUDA_ERROR_INVALID_VALUE;
  return enqueue(stream,
                 [=] {
                   forgetTouches(pointer);
                   return memory.free(pointer) ? CUDA_SUCCESS
                                               : CUDA_ERROR_INVALID_VALUE;
                 },
                 "cuMemFreeAsync", {reinterpret_cast<void *>(pointer)});
}
CUresult cuDeviceGetDefaultMemPool(CUmemoryPool *pool, CUdevice) {
  REQUIRE_INIT();
  static char token;
  *pool = reinterpret_cast<CUmemoryPool>(&token);
  return CUDA_SUCCESS;
}
CUresult cuMemPoolSetAttribute(CUmemoryPool pool, int attribute, void *value) {
  if (!pool || !value || attribute < 1 || attribute > 8)
    return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}

/// Pinned host memory: what asynchronous copies read and write when they
/// run (pageable memory is staged when the copy is queued, as CUDA does).
std::mutex pinnedMutex;
std::map<uintptr_t, size_t> &pinned() {
  static auto *ranges = new std::map<uintptr_t, size_t>();
  return *ranges;
}
bool isPinned(const void *pointer, size_t bytes) {
  auto p = reinterpret_cast<uintptr_t>(pointer);
  std::lock_guard<std::mutex> lock(pinnedMutex);
  auto it = pinned().upper_bound(p);
  if (it == pinned().begin())
    return false;
  --it;
  return p + bytes <= it->first + it->second;
}
CUresult cuMemHostAlloc(void **pointer, size_t bytes, unsigned flags) {
  REQUIRE_INIT();
  if (!pointer || !bytes || flags > 0xf)
    return CUDA_ERROR_INVALID_VALUE;
  void *p = nullptr;
  if (posix_memalign(&p, 4096, bytes))
    return CUDA_ERROR_OUT_OF_MEMORY;
  std::lock_guard<std::mutex> lock(pinnedMutex);
  pinned()[reinterpret_cast<uintptr_t>(p)] = bytes;
  *pointer = p;
  return CUDA_SUCCESS;
}
CUresult cuMemFreeHost(void *pointer) {
  REQUIRE_INIT();
  drainAll(); // no copy may still use it
  std::lock_guard<std::mutex> lock(pinnedMutex);
  if (!pinned().erase(reinterpret_cast<uintptr_t>(pointer)))
    return CUDA_ERROR_INVALID_VALUE;
  std::free(pointer);
  return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync(CUdeviceptr dst, const void *src, size_t bytes,
                           CUstream stream) {
  REQUIRE_INIT();
  if (!memory.isLive(dst, bytes) || memory.contains(src))
    return CUDA_ERROR_INVALID_VALUE;
  void *to = reinterpret_cast<void *>(dst);
  // Pinned memory is read when the copy runs: it must stay as it is.
  if (isPinned(src, bytes))
    return enqueue(stream,
                   [=] {
                     std::memcpy(memory.toHost(dst), src, bytes);
                     return CUDA_SUCCESS;
                   },
                   "a copy to the device", {to});
  auto staged = std::make_shared<std::vector<char>>(
      static_cast<const char *>(src), static_cast<const char *>(src) + bytes);
  return enqueue(stream,
                 [=] {
                   std::memcpy(memory.toHost(dst), staged->data(), bytes);
                   return CUDA_SUCCESS;
                 },
                 "a copy to the device", {to});
}
CUresult cuMemcpyDtoHAsync(void *dst, CUdeviceptr src, size_t bytes,
                           CUstream stream) {
  REQUIRE_INIT();
  if (!memory.isLive(src, bytes) || memory.contains(dst))
    return CUDA_ERROR_INVALID_VALUE;
  bool toPinned = isPinned(dst, bytes);
  if (stream && toPinned)
    std::memset(dst, 0xA5, bytes); // poison until the copy runs
  CUresult queued =
      enqueue(stream,
              [=] {
                std::memcpy(dst, memory.toHost(src), bytes);
                return CUDA_SUCCESS;
              },
              "a copy to the host", {reinterpret_cast<void *>(src)});
  if (queued != CUDA_SUCCESS || !stream || toPinned)
    return queued;
  // To pageable memory, CUDA's copy returns when it is done.
  auto *s = reinterpret_cast<Stream *>(stream);
  uint64_t position;
  {
    std::lock_guard<std::mutex> lock(s->mutex);
    position = s->queued;
  }
  return drainTo(s, position);
}
CUresult cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                           CUstream stream) {
  REQUIRE_INIT();
  if (!memory.isLive(dst, bytes) || !memory.isLive(src, bytes))
    return CUDA_ERROR_INVALID_VALUE;
  return enqueue(
      stream,
      [=] {
        std::memmove(memory.toHost(dst), memory.toHost(src), bytes);
        return CUDA_SUCCESS;
      },
      "a copy on the device",
      {reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src)});
}

CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char value, size_t bytes,
                         CUstream stream) {
  REQUIRE_INIT();
  if (!memory.isLive(dst, bytes))
    return CUDA_ERROR_INVALID_VALUE;
  return enqueue(stream,
                 [=] {
                   std::memset(memory.toHost(dst), value, bytes);
                   return CUDA_SUCCESS;
                 },
                 "a memset", {reinterpret_cast<void *>(dst)});
}

CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value, size_t count,
                          CUstream stream) {
  REQUIRE_INIT();
  if (!memory.isLive(dst, count * 2) || dst % 2)
    return CUDA_ERROR_INVALID_VALUE;
  return enqueue(stream,
                 [=] {
                   std::fill_n(static_cast<uint16_t *>(memory.toHost(dst)),
                               count, value);
                   return CUDA_SUCCESS;
                 },
                 "a memset", {reinterpret_cast<void *>(dst)});
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t count,
                          CUstream stream) {
  REQUIRE_INIT();
  if (!memory.isLive(dst, count * 4) || dst % 4)
    return CUDA_ERROR_INVALID_VALUE;
  return enqueue(stream,
                 [=] {
                   std::fill_n(static_cast<uint32_t *>(memory.toHost(dst)),
                               count, value);
                   return CUDA_SUCCESS;
                 },
                 "a memset", {reinterpret_cast<void *>(dst)});
}

/// `height` rows of `width` 32-bit words, `pitch` bytes apart.
CUresult cuMemsetD2D32Async(CUdeviceptr dst, size_t pitch, unsigned value,
                            size_t width, size_t height, CUstream stream) {
  REQUIRE_INIT();
  if (!height || !width)
    return CUDA_SUCCESS;
  if (dst % 4 || pitch % 4 || pitch < width * 4 ||
      !memory.isLive(dst, (height - 1) * pitch + width * 4))
    return CUDA_ERROR_INVALID_VALUE;
  return enqueue(stream,
                 [=] {
                   char *base = static_cast<char *>(memory.toHost(dst));
                   for (size_t row = 0; row < height; ++row)
                     std::fill_n(
                         reinterpret_cast<uint32_t *>(base + row * pitch),
                         width, value);
                   return CUDA_SUCCESS;
                 },
                 "a memset", {reinterpret_cast<void *>(dst)});
}

/// Device-to-device 2-D copies (all Loom's runtime makes).
CUresult cuMemcpy2DAsync(const CUDA_MEMCPY2D *c, CUstream stream) {
  REQUIRE_INIT();
  if (!c || c->srcMemoryType != CU_MEMORYTYPE_DEVICE ||
      c->dstMemoryType != CU_MEMORYTYPE_DEVICE)
    return CUDA_ERROR_INVALID_VALUE;
  if (!c->Height || !c->WidthInBytes)
    return CUDA_SUCCESS;
  if (c->srcPitch < c->WidthInBytes + c->srcXInBytes ||
      c->dstPitch < c->WidthInBytes + c->dstXInBytes)
    return CUDA_ERROR_INVALID_VALUE;
  CUdeviceptr src = c->srcDevice + c->srcY * c->srcPitch + c->srcXInBytes;
  CUdeviceptr dst = c->dstDevice + c->dstY * c->dstPitch + c->dstXInBytes;
  size_t width = c->WidthInBytes, height = c->Height;
  size_t srcPitch = c->srcPitch, dstPitch = c->dstPitch;
  if (!memory.isLive(src, (height - 1) * srcPitch + width) ||
      !memory.isLive(dst, (height - 1) * dstPitch + width))
    return CUDA_ERROR_INVALID_VALUE;
  return enqueue(
      stream,
      [=] {
        const char *from = static_cast<const char *>(memory.toHost(src));
        char *to = static_cast<char *>(memory.toHost(dst));
        for (size_t row = 0; row < height; ++row)
          std::memmove(to + row * dstPitch, from + row * srcPitch, width);
        return CUDA_SUCCESS;
      },
      "a 2-D copy on the device",
      {reinterpret_cast<void *>(dst), reinterpret_cast<void *>(src)});
}

/// The emulated device runs a stream's work when the host asks about it:
/// a query completes it (as if the device had been fast), then answers.
CUresult cuStreamQuery(CUstream stream) {
  REQUIRE_INIT();
  if (capturing(stream))
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  if (!stream)
    return drainAll();
  return drain(reinterpret_cast<Stream *>(stream));
}

CUresult cuStreamCreate(CUstream *stream, unsigned) {
  REQUIRE_INIT();
  auto *created = new Stream;
  {
    Order &o = order();
    std::lock_guard<std::mutex> lock(o.mutex);
    created->id = o.streams++;
  }
  {
    std::lock_guard<std::mutex> lock(streamsMutex);
    allStreams().push_back(created);
  }
  *stream = reinterpret_cast<CUstream>(created);
  return CUDA_SUCCESS;
}
CUresult cuStreamSynchronize(CUstream stream) {
  REQUIRE_INIT();
  if (capturing(stream))
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  if (!stream)
    return drainAll();
  return drain(reinterpret_cast<Stream *>(stream));
}
CUresult cuStreamDestroy(CUstream handle) {
  auto *stream = reinterpret_cast<Stream *>(handle);
  drain(stream);
  {
    std::lock_guard<std::mutex> lock(streamsMutex);
    auto &streams = allStreams();
    streams.erase(std::remove(streams.begin(), streams.end(), stream),
                  streams.end());
  }
  // Its work is done and the host is ordered after it; it can go.
  std::lock_guard<std::recursive_mutex> running(stream->running);
  delete stream;
  return CUDA_SUCCESS;
}

CUresult cuEventCreate(CUevent *event, unsigned flags) {
  REQUIRE_INIT();
  if (!event || flags > 0xf)
    return CUDA_ERROR_INVALID_VALUE;
  *event = reinterpret_cast<CUevent>(new Event);
  return CUDA_SUCCESS;
}
CUresult cuEventRecord(CUevent handle, CUstream stream) {
  REQUIRE_INIT();
  auto *event = reinterpret_cast<Event *>(handle);
  if (!event)
    return CUDA_ERROR_INVALID_HANDLE;
  if (!stream) {
    drainAll();
    *event = Event();
    return CUDA_SUCCESS;
  }
  auto *s = reinterpret_cast<Stream *>(stream);
  if (s->capture) // an event node: not emulated, and Loom records none
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  Order &o = order();
  std::lock_guard<std::mutex> order(o.mutex);
  std::lock_guard<std::mutex> lock(s->mutex);
  event->stream = s;
  event->position = s->queued;
  event->clock = s->clock;
  return CUDA_SUCCESS;
}
CUresult cuStreamWaitEvent(CUstream stream, CUevent handle, unsigned flags) {
  REQUIRE_INIT();
  auto *event = reinterpret_cast<Event *>(handle);
  if (!event || flags > 1)
    return CUDA_ERROR_INVALID_HANDLE;
  if (!event->stream) // never recorded: nothing to wait for
    return CUDA_SUCCESS;
  if (!stream)
    return drainTo(event->stream, event->position);
  auto *s = reinterpret_cast<Stream *>(stream);
  // CUDA refuses a capture's wait for an event recorded outside it.
  if (s->capture)
    return CUDA_ERROR_STREAM_CAPTURE_ISOLATION;
  {
    Order &o = order();
    std::lock_guard<std::mutex> lock(o.mutex);
    join(s->clock, event->clock);
  }
  Stream *other = event->stream;
  uint64_t position = event->position;
  return enqueue(
      stream, [=] { return drainTo(other, position); }, "an event wait");
}
CUresult cuEventSynchronize(CUevent handle) {
  REQUIRE_INIT();
  auto *event = reinterpret_cast<Event *>(handle);
  if (!event)
    return CUDA_ERROR_INVALID_HANDLE;
  if (!event->stream)
    return CUDA_SUCCESS;
  CUresult result = drainTo(event->stream, event->position);
  Order &o = order();
  std::lock_guard<std::mutex> lock(o.mutex);
  join(o.host, event->clock);
  return result;
}
CUresult cuEventDestroy(CUevent handle) {
  delete reinterpret_cast<Event *>(handle);
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
  f->name = name;
  f->params = static_cast<const int64_t *>(
      dlsym(m->library, (std::string(name) + ".loom_params").c_str()));
  if (!f->params)
    return CUDA_ERROR_NOT_FOUND;
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

/// A fiber's first frame: runs the kernel as the current fiber, then
/// returns to the scheduler for good.
[[noreturn]] void fiberMain() {
  Fiber &fiber = *launch->current;
  launch->kernel(launch->params);
  fiber.state = Fiber::Done;
  loom_emu_switch(&fiber.stack, launch->scheduler);
  __builtin_unreachable();
}

/// A new fiber's stack in `memory` (`bytes`): what loom_emu_switch pops
/// (six registers, then fiberMain as the return address) under a frame
/// aligned as a call's.
void *startStack(char *memory, size_t bytes) {
  auto top = reinterpret_cast<uintptr_t>(memory + bytes) & ~uintptr_t(15);
  auto *words = reinterpret_cast<void **>(top);
  words[-1] = nullptr; // fiberMain's own return address: never used
  words[-2] = reinterpret_cast<void *>(&fiberMain);
  for (int i = 3; i <= 8; ++i)
    words[-i] = nullptr; // rbp, rbx, r12-r15
  return &words[-8];
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
    // gpu::ShuffleMode: XOR = 0, UP = 1 (from a lower lane), DOWN = 2
    // (from a higher lane), IDX = 3.
    int64_t source = f.mode == 0   ? lane ^ f.offset
                     : f.mode == 1 ? int64_t(lane) - f.offset
                     : f.mode == 2 ? int64_t(lane) + f.offset
                                   : int64_t(segment) + f.offset;
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
      loom_emu_switch(&l.scheduler, f.stack);
      l.current = nullptr;
      progressed = true;
      if (l.badPointer || !l.error.empty())
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
      ++l.epoch;
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

/// Runs a launch that a stream queued (its parameters copied).
CUresult runKernel(Function *f, unsigned gridX, unsigned gridY, unsigned gridZ,
                   unsigned blockX, unsigned blockY, unsigned blockZ,
                   void **params) {
  std::lock_guard<std::mutex> lock(launchMutex);
  Launch l;
  l.kernel = f->entry;
  l.name = f->name.c_str();
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
    l.shared.clear();
    l.epoch = 1;
    if (!f->collective) {
      for (unsigned t = 0; t < threads; ++t) {
        setThread(l.ids, t);
        l.kernel(params);
        if (l.badPointer)
          return CUDA_ERROR_ILLEGAL_ADDRESS;
        if (l.collectiveWithoutFibers)
          return CUDA_ERROR_NOT_SUPPORTED;
        if (!l.error.empty()) {
          std::fprintf(stderr,
                       "loom emulated device: kernel %s, block (%u, "
                       "%u, %u): %s\n",
                       l.name, base.id[1][0], base.id[1][1], base.id[1][2],
                       l.error.c_str());
          return l.outOfBounds ? CUDA_ERROR_ILLEGAL_ADDRESS
                               : CUDA_ERROR_LAUNCH_FAILED;
        }
      }
      continue;
    }
    for (unsigned t = 0; t < threads; ++t) {
      Fiber &fiber = l.fibers[t];
      fiber = Fiber();
      setThread(fiber.ids, t);
      fiber.stack = startStack(stacks[t].get(), kStackBytes);
    }
    if (!runBlockAsFibers(l, threads, threadOrder)) {
      if (l.badPointer)
        return CUDA_ERROR_ILLEGAL_ADDRESS;
      std::fprintf(
          stderr, "loom emulated device: kernel %s, block (%u, %u, %u): %s\n",
          l.name, base.id[1][0], base.id[1][1], base.id[1][2], l.error.c_str());
      return l.outOfBounds ? CUDA_ERROR_ILLEGAL_ADDRESS
                           : CUDA_ERROR_LAUNCH_FAILED;
    }
  }
  return CUDA_SUCCESS;
}

CUresult cuLaunchKernel(CUfunction function, unsigned gridX, unsigned gridY,
                        unsigned gridZ, unsigned blockX, unsigned blockY,
                        unsigned blockZ, unsigned sharedBytes, CUstream stream,
                        void **params, void **extra) {
  REQUIRE_INIT();
  if (!function || extra || !params)
    return CUDA_ERROR_INVALID_VALUE;
  // CUDA's limits (compute capability 8.0).
  if (!gridX || !gridY || !gridZ || !blockX || !blockY || !blockZ ||
      gridY > 65535 || gridZ > 65535 || blockX > 1024 || blockY > 1024 ||
      blockZ > 64 || uint64_t(blockX) * blockY * blockZ > 1024)
    return CUDA_ERROR_INVALID_CONFIGURATION;
  if (sharedBytes > 48 * 1024)
    return CUDA_ERROR_INVALID_VALUE;
  auto *f = reinterpret_cast<Function *>(function);
  // The parameters' values now, as cuLaunchKernel takes them.
  int64_t count = f->params[0];
  std::vector<uint64_t> words(count, 0);
  for (int64_t i = 0; i < count; ++i)
    std::memcpy(&words[i], params[i], std::min<int64_t>(f->params[1 + i], 8));
  unsigned grid[3] = {gridX, gridY, gridZ}, block[3] = {blockX, blockY, blockZ};
  if (capturing(stream))
    return loom::emu::captureKernel(reinterpret_cast<Stream *>(stream)->capture,
                                    function, grid, block, sharedBytes, words);
  return loom::emu::launchKernel(function, grid, block, sharedBytes, stream,
                                 words);
}

} // namespace

namespace loom::emu {

std::function<CUresult()> kernelWork(CUfunction function,
                                     const unsigned grid[3],
                                     const unsigned block[3],
                                     const std::vector<uint64_t> &words,
                                     std::vector<const void *> *touches) {
  auto *f = reinterpret_cast<Function *>(function);
  int64_t count = f->params[0];
  auto storage = std::make_shared<std::vector<uint64_t>>(words);
  auto pointers = std::make_shared<std::vector<void *>>(count);
  for (int64_t i = 0; i < count; ++i)
    (*pointers)[i] = &(*storage)[i];
  if (touches)
    for (int64_t i = 0; i < count; ++i) {
      auto *value = reinterpret_cast<const void *>((*storage)[i]);
      if (f->params[1 + i] == 8 && memory.contains(value))
        touches->push_back(value);
    }
  unsigned gx = grid[0], gy = grid[1], gz = grid[2];
  unsigned bx = block[0], by = block[1], bz = block[2];
  return [=] {
    (void)storage;
    return runKernel(f, gx, gy, gz, bx, by, bz, pointers->data());
  };
}

std::string kernelName(CUfunction function) {
  return reinterpret_cast<Function *>(function)->name;
}

CUresult launchKernel(CUfunction function, const unsigned grid[3],
                      const unsigned block[3], unsigned sharedBytes,
                      CUstream stream, const std::vector<uint64_t> &words) {
  (void)sharedBytes;
  std::vector<const void *> touches;
  std::function<CUresult()> work =
      kernelWork(function, grid, block, words, &touches);
  std::string what = "kernel " + kernelName(function);
  return enqueue(stream, std::move(work), what.c_str(), touches);
}

std::vector<int64_t> kernelParamSizes(CUfunction function) {
  auto *f = reinterpret_cast<Function *>(function);
  return std::vector<int64_t>(f->params + 1, f->params + 1 + f->params[0]);
}

CUresult
enqueueLibrary(CUstream stream,
               std::function<CUresult(const std::vector<const void *> &)> work,
               const char *what, const std::vector<const void *> &pointers) {
  if (capturing(stream))
    return captureLibrary(reinterpret_cast<Stream *>(stream)->capture,
                          std::move(work), what, pointers);
  return ::enqueue(
      stream, [work = std::move(work), pointers] { return work(pointers); },
      what, pointers);
}

void *captureOf(CUstream stream) {
  return stream ? reinterpret_cast<Stream *>(stream)->capture : nullptr;
}
void setCaptureOf(CUstream stream, void *graph) {
  reinterpret_cast<Stream *>(stream)->capture = graph;
}

} // namespace loom::emu

namespace {

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
  loom_emu_switch(&fiber->stack, launch->scheduler);
}

template <typename T>
T shuffle(T value, int32_t offset, int32_t width, int32_t mode, int32_t site) {
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

LOOM_EXPORT void loom_emu_out_of_bounds(int32_t dim, intptr_t index,
                                        intptr_t size) {
  if (!launch || !launch->error.empty())
    return;
  const ThreadState &ids = currentIds();
  char text[256];
  std::snprintf(text, sizeof(text),
                "thread (%u, %u, %u) accessed index %ld of dim %d, which has "
                "size %ld (out of bounds)",
                ids.id[0][0], ids.id[0][1], ids.id[0][2],
                static_cast<long>(index), dim, static_cast<long>(size));
  launch->error = text;
  launch->outOfBounds = true;
}

LOOM_EXPORT void loom_emu_shared_access(uintptr_t address, intptr_t bytes,
                                        bool write) {
  if (!launch || !launch->error.empty())
    return;
  const ThreadState &ids = currentIds();
  int32_t me = static_cast<int32_t>(
      ids.id[0][0] +
      ids.id[2][0] * (ids.id[0][1] + ids.id[2][1] * ids.id[0][2]));
  (void)bytes;
  Launch::Access &access = launch->shared[address];
  if (access.epoch != launch->epoch)
    access = Launch::Access{launch->epoch, -1, -1, false};
  auto race = [&](const char *what, int32_t other) {
    char text[256];
    std::snprintf(text, sizeof(text),
                  "a shared-memory race at %#lx: thread %d %s thread %d with "
                  "no barrier between",
                  static_cast<unsigned long>(address), me, what, other);
    launch->error = text;
  };
  if (write) {
    if (access.writer >= 0 && access.writer != me)
      return race("writes what was written by", access.writer);
    if (access.reader >= 0 && (access.reader != me || access.readers))
      return race("writes what was read by", access.reader);
    access.writer = me;
  } else {
    if (access.writer >= 0 && access.writer != me)
      return race("reads what was written by", access.writer);
    if (access.reader >= 0 && access.reader != me)
      access.readers = true;
    access.reader = me;
  }
}

LOOM_EXPORT void loom_emu_barrier(int32_t site) {
  if (!launch || !launch->current) {
    if (launch)
      launch->collectiveWithoutFibers = true;
    return;
  }
  park(Fiber::AtBarrier, site);
}
LOOM_EXPORT float loom_emu_shuffle_f32(float v, int32_t o, int32_t w, int32_t m,
                                       int32_t s) {
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

namespace loom::emu {
bool isInitialised() { return initialised; }
int currentDevice() { return openedDevice; }
bool isLive(const void *pointer, size_t bytes) {
  return memory.isLive(reinterpret_cast<CUdeviceptr>(pointer), bytes);
}
void *toHost(const void *pointer) {
  return memory.toHost(reinterpret_cast<CUdeviceptr>(pointer));
}
CUresult enqueue(CUstream stream, std::function<CUresult()> work,
                 const char *what, const std::vector<const void *> &touches) {
  return ::enqueue(stream, std::move(work), what, touches);
}
} // namespace loom::emu

using namespace loom::emu::entries;

LOOM_EXPORT CUresult cuGetProcAddress_v2(const char *symbol, void **function,
                                         int version, uint64_t flags,
                                         int *status) {
  (void)version;
  (void)flags;
  static const EntryName entries[] = {
#define LOOM_EMU_ENTRY(name, params) {#name, reinterpret_cast<void *>(&name)},
      LOOM_CUDA_ENTRIES(LOOM_EMU_ENTRY)
#undef LOOM_EMU_ENTRY
#define LOOM_EMU_GRAPH_ENTRY(name, version, params)                            \
  {#name, reinterpret_cast<void *>(&name)},
          LOOM_CUDA_GRAPH_ENTRIES(LOOM_EMU_GRAPH_ENTRY)
              LOOM_CUDA_CONDITIONAL_ENTRIES(LOOM_EMU_GRAPH_ENTRY)
#undef LOOM_EMU_GRAPH_ENTRY
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
