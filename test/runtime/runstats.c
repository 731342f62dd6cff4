/* runstats.c: runs a model library several times with the runtime's C API
 * and prints what each run cost, or runs it from several threads at once.
 *
 *   runstats MODEL.so RUNS 1 INPUT...
 *       per run: the calls to malloc (and calloc, realloc, memalign...)
 *       made while loom_model_run ran, with the model's outputs among them,
 *       split into Loom's (the compiled code and the runtime) and the
 *       kernel library's (the first caller outside libc, libstdc++ and
 *       libgcc is in libdnnl), and the minor page faults (getrusage).
 *       Built with -DCOUNT_MALLOC, which interposes glibc's allocator (not
 *       under sanitizers, which interpose it themselves).
 *   runstats MODEL.so RUNS THREADS INPUT...
 *       THREADS threads each run the model RUNS times at once; every output
 *       must match a run made alone (within 1e-5 + 1e-4 * |expected|).
 */
#define _GNU_SOURCE
#include <loom/runtime.h>

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#ifdef COUNT_MALLOC
#include <dlfcn.h>
#include <execinfo.h>

static atomic_long allocations, libraryAllocations;
static _Thread_local int inHook;

static void *programBase;

/* Whether the allocation comes from the kernel library (oneDNN): the first
 * frame outside this program and the C and C++ runtimes is in libdnnl. */
static int fromKernelLibrary(void) {
  void *frames[16];
  inHook = 1;
  int n = backtrace(frames, 16);
  int found = 0;
  for (int i = 0; i < n; ++i) {
    Dl_info info;
    if (!dladdr(frames[i], &info) || !info.dli_fname ||
        info.dli_fbase == programBase)
      continue;
    const char *name = strrchr(info.dli_fname, '/');
    name = name ? name + 1 : info.dli_fname;
    if (!strncmp(name, "libc.so", 7) || !strncmp(name, "libstdc++", 9) ||
        !strncmp(name, "libgcc", 6))
      continue;
    found = !strncmp(name, "libdnnl", 7);
    break;
  }
  inHook = 0;
  return found;
}

static void count(void) {
  if (inHook)
    return;
  atomic_fetch_add(&allocations, 1);
  if (fromKernelLibrary())
    atomic_fetch_add(&libraryAllocations, 1);
}
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);
void *malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void *calloc(size_t n, size_t m) {
  count();
  return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
void *memalign(size_t a, size_t n) {
  count();
  return __libc_memalign(a, n);
}
void *aligned_alloc(size_t a, size_t n) { return memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
  void *p = memalign(a, n);
  if (!p)
    return 12; /* ENOMEM */
  *out = p;
  return 0;
}
void free(void *p) { __libc_free(p); }
#endif

static loom_model *model;
static loom_tensor **inputs;
static size_t numInputs, numOutputs;
static loom_tensor **reference;
static int runs;
static atomic_int mismatches;

static int sameValues(loom_tensor *a, loom_tensor *b) {
  if (loom_tensor_nbytes(a) != loom_tensor_nbytes(b))
    return 0;
  if (loom_tensor_dtype(a) != LOOM_DTYPE_F32)
    return memcmp(loom_tensor_data(a), loom_tensor_data(b),
                  loom_tensor_nbytes(a)) == 0;
  const float *x = loom_tensor_data(a), *y = loom_tensor_data(b);
  for (int64_t i = 0; i < loom_tensor_numel(a); ++i)
    if (!(fabsf(x[i] - y[i]) <= 1e-5f + 1e-4f * fabsf(y[i])))
      return 0;
  return 1;
}

static void *worker(void *unused) {
  (void)unused;
  loom_tensor **outputs = calloc(numOutputs, sizeof(*outputs));
  for (int r = 0; r < runs; ++r) {
    if (loom_model_run(model, inputs, numInputs, outputs, numOutputs) !=
        LOOM_OK) {
      fprintf(stderr, "error: %s\n", loom_last_error());
      atomic_fetch_add(&mismatches, 1);
      break;
    }
    for (size_t i = 0; i < numOutputs; ++i) {
      if (!sameValues(outputs[i], reference[i]))
        atomic_fetch_add(&mismatches, 1);
      loom_tensor_free(outputs[i]);
      outputs[i] = NULL;
    }
  }
  free(outputs);
  return NULL;
}

static long minorFaults(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: runstats MODEL.so RUNS THREADS INPUT...\n");
    return 2;
  }
  runs = atoi(argv[2]);
  int threads = atoi(argv[3]);
  if (loom_model_open(argv[1], &model) != LOOM_OK) {
    fprintf(stderr, "error: %s\n", loom_last_error());
    return 1;
  }
  loom_set_num_threads(1);
#ifdef COUNT_MALLOC
  /* backtrace loads libgcc on its first call: not during a counted run. */
  {
    void *frame[1];
    backtrace(frame, 1);
    Dl_info self;
    if (dladdr((void *)&sameValues, &self))
      programBase = self.dli_fbase;
  }
#endif
  numInputs = (size_t)(argc - 4);
  numOutputs = loom_model_num_outputs(model);
  inputs = calloc(numInputs + 1, sizeof(*inputs));
  for (size_t i = 0; i < numInputs; ++i)
    if (loom_tensor_read_file(argv[4 + i], &inputs[i]) != LOOM_OK) {
      fprintf(stderr, "error: %s\n", loom_last_error());
      return 2;
    }
  reference = calloc(numOutputs + 1, sizeof(*reference));
  if (threads <= 1) {
    for (int r = 1; r <= runs; ++r) {
#ifdef COUNT_MALLOC
      long before = atomic_load(&allocations);
      long libraryBefore = atomic_load(&libraryAllocations);
#else
      long before = 0, libraryBefore = 0;
#endif
      long faults = minorFaults();
      loom_status status =
          loom_model_run(model, inputs, numInputs, reference, numOutputs);
      faults = minorFaults() - faults;
#ifdef COUNT_MALLOC
      long made = atomic_load(&allocations) - before;
      long library = atomic_load(&libraryAllocations) - libraryBefore;
#else
      long made = -1 - before, library = -1 - libraryBefore;
#endif
      if (status != LOOM_OK) {
        fprintf(stderr, "error: %s\n", loom_last_error());
        return 1;
      }
      printf("run %d: %ld mallocs (%ld by Loom, %ld in the kernel library), "
             "%ld minor faults, %zu outputs\n",
             r, made, made - library, library, faults, numOutputs);
      for (size_t i = 0; i < numOutputs; ++i) {
        loom_tensor_free(reference[i]);
        reference[i] = NULL;
      }
    }
    loom_model_close(model);
    return 0;
  }
  if (loom_model_run(model, inputs, numInputs, reference, numOutputs) !=
      LOOM_OK) {
    fprintf(stderr, "error: %s\n", loom_last_error());
    return 1;
  }
  pthread_t *pool = calloc((size_t)threads, sizeof(*pool));
  for (int t = 0; t < threads; ++t)
    pthread_create(&pool[t], NULL, worker, NULL);
  for (int t = 0; t < threads; ++t)
    pthread_join(pool[t], NULL);
  printf("%d threads x %d runs: %d mismatched outputs\n", threads, runs,
         atomic_load(&mismatches));
  for (size_t i = 0; i < numOutputs; ++i)
    loom_tensor_free(reference[i]);
  for (size_t i = 0; i < numInputs; ++i)
    loom_tensor_free(inputs[i]);
  free(pool);
  free(reference);
  free(inputs);
  loom_model_close(model);
  return atomic_load(&mismatches) ? 1 : 0;
}
