//===- RunGuard.cpp - Errors and buffers of one run of a compiled model ---===//
//
// Part of Loom's runtime, linked into every artefact loomc emits (library
// LoomKernels). The model's entry point (loom/abi.h) runs its body through
// loom_rt_invoke, which
//   - records every buffer the body allocates (memref.alloc lowers to
//     loom_rt_alloc, which names the node that allocates), so that
//   - a failed run-time check (kernel.check lowers to loom_rt_check_failed)
//     or a failure in the runtime (loom_rt_raise) can end the run: it
//     writes the caller's error record, frees the run's buffers and returns
//     to loom_rt_invoke, which returns the status.
// Generated code has no destructors or unwind tables: longjmp leaves its
// frames as a return would. Runtime functions called from it raise only
// once their own C++ objects are gone. Checks run on the thread that called
// the entry point (they are not placed in parallel loops).
//
// It also gives the body its buffers that are not allocations:
//   - loom_rt_workspace: the run's workspace, where the memory plan puts
//     the intermediates of static size (loom-plan-memory): the caller's
//     (loom_run_context.workspace) or an arena from this artefact's pool,
//     allocated on a first run and reused by every later one; one arena
//     per concurrent run;
//   - loom_rt_weight: a weight's address, which the caller's resolver
//     (loom_run_context.resolve_weight, runtime/src/Weights.cpp) maps.
//
// Every symbol here is hidden: each artefact has its own copy, so two
// models loaded into one process never share their runs' state.
//
//===----------------------------------------------------------------------===//

#include "loom/abi.h"

#include <algorithm>
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#define LOOM_HIDDEN __attribute__((visibility("hidden")))

// Device memory, defined by the CUDA runtime (runtime/src/cuda/) when the
// artefact is a CUDA model: then every buffer a run allocates is there.
extern "C" {
LOOM_HIDDEN void *loom_gpu_device_alloc(uint64_t bytes) __attribute__((weak));
/// What a run keeps past its CUDA graph regions (the workspace).
LOOM_HIDDEN void *loom_gpu_device_alloc_kept(uint64_t bytes)
    __attribute__((weak));
LOOM_HIDDEN void loom_gpu_device_free(void *pointer) __attribute__((weak));
// The run's stream and its synchronisation (runtime/src/cuda/GpuRun.cpp).
LOOM_HIDDEN void loom_gpu_run_begin(void *stream, uint64_t flags)
    __attribute__((weak));
LOOM_HIDDEN void loom_gpu_run_end(void) __attribute__((weak));
LOOM_HIDDEN void loom_gpu_run_abort(void) __attribute__((weak));
}

namespace {

/// Whether this artefact's buffers are device memory.
bool onDevice() { return loom_gpu_device_alloc != nullptr; }

void freeBuffer(void *buffer) {
  if (onDevice())
    loom_gpu_device_free(buffer);
  else
    std::free(buffer);
}

/// What a run holds of the pool: the workspace arena and the kernel
/// library's scratch buffers, page-aligned, each grown (rarely) to the
/// largest size asked for and then reused, so that their pages are
/// touched once.
struct RunMemory {
  struct Buffer {
    void *data = nullptr;
    uint64_t bytes = 0;
  };
  Buffer workspace;
  Buffer scratch[3];
  /// What the run allocated and has not freed (freed if it fails); its
  /// capacity stays, so that later runs track without allocating.
  std::vector<void *> tracked;
  ~RunMemory() {
    freeBuffer(workspace.data);
    for (Buffer &b : scratch)
      std::free(b.data);
  }
};

/// RunMemory no run holds. Freed when the artefact is unloaded.
struct MemoryPool {
  std::mutex mutex;
  std::vector<std::unique_ptr<RunMemory>> free;
};

MemoryPool &getPool() {
  static MemoryPool pool;
  return pool;
}

/// The run in progress on this thread.
struct Guard {
  std::jmp_buf jump;
  loom_run_context *context;
  Guard *outer;
  /// What this run holds of the pool (null until it needs any).
  RunMemory *memory = nullptr;
  /// An asynchronous run's own workspace (the pool's would be another
  /// run's while the device still works on this one), freed in the
  /// stream's order.
  void *asyncWorkspace = nullptr;
};

thread_local Guard *current = nullptr;

void freeAsyncWorkspace(Guard &guard) {
  if (guard.asyncWorkspace)
    freeBuffer(guard.asyncWorkspace);
  guard.asyncWorkspace = nullptr;
}

/// Gives the run's memory back to the pool.
void releaseMemory(Guard &guard) {
  if (!guard.memory)
    return;
  guard.memory->tracked.clear();
  MemoryPool &pool = getPool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  pool.free.emplace_back(guard.memory);
  guard.memory = nullptr;
}

/// The run's memory from the pool (a new one when every pooled one is
/// held by another run), or null when out of memory.
RunMemory *acquireMemory(Guard &guard) {
  if (guard.memory)
    return guard.memory;
  MemoryPool &pool = getPool();
  std::lock_guard<std::mutex> lock(pool.mutex);
  if (!pool.free.empty()) {
    guard.memory = pool.free.back().release();
    pool.free.pop_back();
  } else {
    guard.memory = new (std::nothrow) RunMemory();
  }
  return guard.memory;
}

/// `buffer` of at least `bytes`, regrown (contents lost) when smaller;
/// false when out of memory.
bool reserve(RunMemory::Buffer &buffer, uint64_t bytes) {
  if (buffer.data && buffer.bytes >= bytes)
    return true;
  uint64_t rounded = (std::max<uint64_t>(bytes, 1) + 4095) / 4096 * 4096;
  void *data = nullptr;
  if (posix_memalign(&data, 4096, rounded) != 0)
    return false;
  std::free(buffer.data);
  buffer = {data, rounded};
  return true;
}

/// The fields of a check site, as kernel.check's lowering writes them:
/// "kind\tnode\top\toperand\tmessage", where the message may name the
/// value as {0} and the limit as {1}. Plain arrays: nothing here has a
/// destructor for the jump to skip.
struct Site {
  int kind = LOOM_CHECK_NONE;
  char node[128] = "";
  char op[64] = "";
  int operand = -1;
  char message[512] = "";
};

/// Appends `text` (up to `length` bytes) to the NUL-terminated `field`.
void append(char *field, size_t capacity, const char *text, size_t length) {
  size_t used = std::strlen(field);
  size_t room = capacity - 1 - used;
  if (length > room)
    length = room;
  std::memcpy(field + used, text, length);
  field[used + length] = 0;
}

Site parseSite(const char *text) {
  Site site;
  if (!text)
    return site;
  const char *fields[5] = {text, "", "", "", ""};
  size_t lengths[5] = {std::strlen(text), 0, 0, 0, 0};
  int field = 0;
  for (const char *c = text; *c && field < 4; ++c) {
    if (*c != '\t')
      continue;
    lengths[field] = static_cast<size_t>(c - fields[field]);
    fields[++field] = c + 1;
    lengths[field] = std::strlen(c + 1);
  }
  site.kind = std::atoi(fields[0]);
  append(site.node, sizeof(site.node), fields[1], lengths[1]);
  append(site.op, sizeof(site.op), fields[2], lengths[2]);
  site.operand = lengths[3] ? std::atoi(fields[3]) : -1;
  append(site.message, sizeof(site.message), fields[4], lengths[4]);
  return site;
}

/// Writes the record, frees the run's buffers and returns to
/// loom_rt_invoke. `what` may name `value` as {0} and `limit` as {1}.
/// Without a run in progress (a check on another thread), prints the
/// message and aborts: there is nobody to return to.
[[noreturn]] void endRun(int32_t status, const Site &site, const char *what,
                         int64_t value, int64_t limit) {
  char message[sizeof(loom_error_record::message)] = "";
  if (site.node[0] || site.op[0]) {
    char where[256];
    std::snprintf(where, sizeof(where), "node '%s' (%s)", site.node, site.op);
    append(message, sizeof(message), where, std::strlen(where));
    if (site.operand >= 0) {
      std::snprintf(where, sizeof(where), ", input %d", site.operand);
      append(message, sizeof(message), where, std::strlen(where));
    }
    append(message, sizeof(message), ": ", 2);
  }
  for (const char *c = what; *c; ++c) {
    if (c[0] == '{' && (c[1] == '0' || c[1] == '1') && c[2] == '}') {
      char number[24];
      std::snprintf(number, sizeof(number), "%lld",
                    static_cast<long long>(c[1] == '0' ? value : limit));
      append(message, sizeof(message), number, std::strlen(number));
      c += 2;
    } else {
      append(message, sizeof(message), c, 1);
    }
  }
  Guard *guard = current;
  if (!guard) {
    std::fprintf(stderr, "loom: error: %s (outside a run: aborting)\n",
                 message);
    std::abort();
  }
  loom_error_record *record = guard->context->error;
  *record = loom_error_record{};
  record->status = status;
  record->kind = site.kind;
  std::memcpy(record->node, site.node, sizeof(site.node));
  std::memcpy(record->op, site.op, sizeof(site.op));
  record->operand = site.operand;
  record->value = value;
  record->limit = limit;
  std::memcpy(record->message, message, sizeof(message));
  std::longjmp(guard->jump, 1);
}

/// Forgets `buffer` in the run that allocated it (innermost first).
void untrack(void *buffer) {
  for (Guard *guard = current; guard; guard = guard->outer) {
    if (!guard->memory)
      continue;
    std::vector<void *> &tracked = guard->memory->tracked;
    for (size_t i = tracked.size(); i-- > 0;)
      if (tracked[i] == buffer) {
        tracked[i] = tracked.back();
        tracked.pop_back();
        return;
      }
  }
}

void *allocate(uint64_t alignment, uint64_t size, const char *siteText) {
  void *buffer = nullptr;
  size_t bytes = size ? size : 1;
  if (onDevice()) {
    // cuMemAlloc aligns to 256 bytes.
    buffer = loom_gpu_device_alloc(bytes);
  } else if (alignment <= alignof(std::max_align_t)) {
    buffer = std::malloc(bytes);
  } else if (posix_memalign(&buffer, alignment, bytes) != 0) {
    buffer = nullptr;
  }
  bool tracked = buffer != nullptr;
  if (buffer && current) {
    RunMemory *memory = acquireMemory(*current);
    try {
      if (!memory)
        throw std::bad_alloc();
      memory->tracked.push_back(buffer);
    } catch (const std::bad_alloc &) {
      freeBuffer(buffer);
      buffer = nullptr;
      tracked = false;
    }
  }
  if (!tracked) {
    Site site = parseSite(siteText);
    site.kind = LOOM_CHECK_MEMORY;
    site.operand = -1;
    endRun(LOOM_ERROR_OUT_OF_MEMORY, site, "out of memory: {0} bytes",
           static_cast<int64_t>(size), 0);
  }
  return buffer;
}

} // namespace

extern "C" {

/// Runs `body(closure)` as one run of the model: returns LOOM_OK, or the
/// status of the failure that ended it (the context's record says why).
LOOM_HIDDEN int32_t loom_rt_invoke(loom_run_context *context,
                                   void (*body)(void *), void *closure) {
  if (!context || !context->error)
    return LOOM_ERROR_INVALID_ARGUMENT;
  Guard guard;
  guard.context = context;
  guard.outer = current;
  if (context->abi_version != LOOM_ABI_VERSION ||
      context->struct_size < offsetof(loom_run_context, reserved) ||
      (context->device_kind != LOOM_DEVICE_CPU) != onDevice() ||
      (context->stream && !onDevice()) ||
      (context->flags & ~uint64_t(onDevice() ? LOOM_RUN_ASYNC : 0)) ||
      (context->workspace &&
       reinterpret_cast<uintptr_t>(context->workspace) % 64 != 0)) {
    *context->error = loom_error_record{};
    context->error->status = LOOM_ERROR_UNSUPPORTED;
    context->error->operand = -1;
    std::snprintf(context->error->message, sizeof(context->error->message),
                  "this model runs ABI %d on %s (a stream and "
                  "LOOM_RUN_ASYNC for a CUDA model only), with a 64-byte "
                  "aligned workspace if any (got ABI %u, device kind %d)",
                  LOOM_ABI_VERSION, onDevice() ? "a CUDA device" : "the CPU",
                  context->abi_version, static_cast<int>(context->device_kind));
    return LOOM_ERROR_UNSUPPORTED;
  }
  current = &guard;
  bool outermost = !guard.outer && onDevice();
  if (setjmp(guard.jump) == 0) {
    if (outermost)
      loom_gpu_run_begin(context->stream, context->flags);
    body(closure);
    freeAsyncWorkspace(guard); // in the stream's order, after the run
    // The device's work done and checked (or, asynchronous, queued).
    if (outermost)
      loom_gpu_run_end();
    // What is still allocated now is the outputs': the caller's.
    current = guard.outer;
    releaseMemory(guard);
    return LOOM_OK;
  }
  current = guard.outer;
  if (guard.memory)
    for (void *buffer : guard.memory->tracked)
      freeBuffer(buffer);
  freeAsyncWorkspace(guard);
  if (outermost)
    loom_gpu_run_abort();
  releaseMemory(guard);
  return context->error->status;
}

/// kernel.check failed: `site` is its text (see Site), `value` and `limit`
/// what its message names.
[[noreturn]] LOOM_HIDDEN void
loom_rt_check_failed(const char *siteText, int64_t value, int64_t limit) {
  Site site = parseSite(siteText);
  endRun(LOOM_ERROR_INVALID_ARGUMENT, site, site.message, value, limit);
}

/// A failure inside the runtime, called from compiled code (collectives):
/// ends the run with `status` and `message`.
[[noreturn]] LOOM_HIDDEN void loom_rt_raise(int32_t status,
                                            const char *message) {
  Site site;
  site.kind = LOOM_CHECK_RUNTIME;
  char text[sizeof(loom_error_record::message)];
  // A message with braces is not a template.
  size_t n = 0;
  for (const char *c = message; *c && n + 1 < sizeof(text); ++c)
    text[n++] = *c == '{' ? '(' : *c == '}' ? ')' : *c;
  text[n] = 0;
  endRun(status, site, text, 0, 0);
}

/// kernel.workspace: the run's workspace of at least `bytes` bytes.
LOOM_HIDDEN void *loom_rt_workspace(uint64_t bytes) {
  Guard *guard = current;
  Site site;
  site.kind = LOOM_CHECK_MEMORY;
  if (!guard)
    endRun(LOOM_ERROR_RUNTIME, site, "the workspace is asked for outside a run",
           0, 0);
  loom_run_context *context = guard->context;
  if (context->workspace) {
    if (context->workspace_bytes < bytes)
      endRun(LOOM_ERROR_INVALID_ARGUMENT, site,
             "the caller's workspace has {1} bytes, the model needs {0}",
             static_cast<int64_t>(bytes),
             static_cast<int64_t>(context->workspace_bytes));
    return context->workspace;
  }
  if (onDevice() && (context->flags & LOOM_RUN_ASYNC)) {
    if (!guard->asyncWorkspace)
      guard->asyncWorkspace = loom_gpu_device_alloc_kept(bytes);
    if (!guard->asyncWorkspace)
      endRun(LOOM_ERROR_OUT_OF_MEMORY, site,
             "out of memory: the workspace of {0} bytes",
             static_cast<int64_t>(bytes), 0);
    return guard->asyncWorkspace;
  }
  RunMemory *memory = acquireMemory(*guard);
  if (memory && onDevice() && memory->workspace.bytes < bytes) {
    freeBuffer(memory->workspace.data);
    memory->workspace = {loom_gpu_device_alloc_kept(bytes), bytes};
    if (!memory->workspace.data)
      memory->workspace.bytes = 0;
  }
  if (!memory || (onDevice() ? !memory->workspace.data
                             : !reserve(memory->workspace, bytes)))
    endRun(LOOM_ERROR_OUT_OF_MEMORY, site,
           "out of memory: the workspace of {0} bytes",
           static_cast<int64_t>(bytes), 0);
  return memory->workspace.data;
}

/// The kernel library's scratch buffer `slot` (0 to 2) of at least `bytes`
/// for the run in progress; without a run (a kernel called directly), a
/// buffer of the calling thread. Null when out of memory.
LOOM_HIDDEN void *loom_rt_scratch(int slot, uint64_t bytes) {
  if (slot < 0 || slot > 2)
    return nullptr;
  Guard *guard = current;
  if (!guard) {
    thread_local RunMemory own;
    return reserve(own.scratch[slot], bytes) ? own.scratch[slot].data : nullptr;
  }
  RunMemory *memory = acquireMemory(*guard);
  if (!memory || !reserve(memory->scratch[slot], bytes))
    return nullptr;
  return memory->scratch[slot].data;
}

/// kernel.weight: the address of the signature's weight use `index`.
LOOM_HIDDEN void *loom_rt_weight(int64_t index) {
  Guard *guard = current;
  Site site;
  site.kind = LOOM_CHECK_RUNTIME;
  if (!guard || !guard->context->resolve_weight) {
    if (guard)
      endRun(LOOM_ERROR_UNSUPPORTED, site,
             "the model's weights are not loaded (the caller gave no weights "
             "resolver)",
             index, 0);
    endRun(LOOM_ERROR_RUNTIME, site, "a weight is asked for outside a run",
           index, 0);
  }
  loom_run_context *context = guard->context;
  loom_error_record record{};
  void *address = context->resolve_weight(context->weights, index, &record);
  if (address)
    return address;
  loom_error_record *out = context->error;
  *out = record;
  if (!out->status)
    out->status = LOOM_ERROR_RUNTIME;
  out->kind = LOOM_CHECK_RUNTIME;
  out->operand = -1;
  if (!out->message[0])
    std::snprintf(out->message, sizeof(out->message),
                  "weight use %lld cannot be mapped",
                  static_cast<long long>(index));
  std::longjmp(guard->jump, 1);
}

/// memref.alloc, naming the node that allocates (`site`, as for checks).
LOOM_HIDDEN void *loom_rt_alloc(uint64_t size, const char *site) {
  return allocate(0, size, site);
}
LOOM_HIDDEN void *loom_rt_aligned_alloc(uint64_t alignment, uint64_t size,
                                        const char *site) {
  return allocate(alignment, size, site);
}
LOOM_HIDDEN void loom_rt_free(void *buffer) {
  if (!buffer)
    return;
  untrack(buffer);
  freeBuffer(buffer);
}

// MLIR's generic allocation functions (finalize-memref-to-llvm
// use-generic-functions), for calls loom-name-allocations did not rename.
LOOM_HIDDEN void *_mlir_memref_to_llvm_alloc(uint64_t size) {
  return allocate(0, size, nullptr);
}
LOOM_HIDDEN void *_mlir_memref_to_llvm_aligned_alloc(uint64_t alignment,
                                                     uint64_t size) {
  return allocate(alignment, size, nullptr);
}
LOOM_HIDDEN void _mlir_memref_to_llvm_free(void *buffer) {
  loom_rt_free(buffer);
}

} // extern "C"
