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
// Every symbol here is hidden: each artefact has its own copy, so two
// models loaded into one process never share their runs' state.
//
//===----------------------------------------------------------------------===//

#include "loom/abi.h"

#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <unordered_set>

#define LOOM_HIDDEN __attribute__((visibility("hidden")))

namespace {

/// The run in progress on this thread.
struct Guard {
  std::jmp_buf jump;
  loom_run_context *context;
  std::unordered_set<void *> buffers;
  Guard *outer;
};

thread_local Guard *current = nullptr;

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
  for (Guard *guard = current; guard; guard = guard->outer)
    if (guard->buffers.erase(buffer))
      return;
}

void *allocate(uint64_t alignment, uint64_t size, const char *siteText) {
  void *buffer = nullptr;
  size_t bytes = size ? size : 1;
  if (alignment <= alignof(std::max_align_t)) {
    buffer = std::malloc(bytes);
  } else if (posix_memalign(&buffer, alignment, bytes) != 0) {
    buffer = nullptr;
  }
  bool tracked = buffer != nullptr;
  if (buffer && current) {
    try {
      current->buffers.insert(buffer);
    } catch (const std::bad_alloc &) {
      std::free(buffer);
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
      context->device_kind != LOOM_DEVICE_CPU || context->stream ||
      context->workspace || context->flags) {
    *context->error = loom_error_record{};
    context->error->status = LOOM_ERROR_UNSUPPORTED;
    context->error->operand = -1;
    std::snprintf(context->error->message, sizeof(context->error->message),
                  "this model runs ABI %d on the CPU, without a stream, a "
                  "workspace or flags (got ABI %u, device kind %d)",
                  LOOM_ABI_VERSION, context->abi_version,
                  static_cast<int>(context->device_kind));
    return LOOM_ERROR_UNSUPPORTED;
  }
  current = &guard;
  if (setjmp(guard.jump) == 0) {
    body(closure);
    // What is still allocated now is the outputs': the caller's.
    current = guard.outer;
    return LOOM_OK;
  }
  current = guard.outer;
  for (void *buffer : guard.buffers)
    std::free(buffer);
  guard.buffers.clear();
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
  std::free(buffer);
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
