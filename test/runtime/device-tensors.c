/* device-tensors.c: a library caller that keeps its tensors on the GPU (as a
 * framework does), on the emulated device. It runs a CUDA model
 *   1. with loom_model_run on host tensors (the reference),
 *   2. with loom_model_run on device tensors (read in place),
 *   3. with loom_model_run_async on its own stream, device tensors in and
 *      out, then loom_model_sync,
 * and prints whether each matches the reference; then the errors: a host
 * tensor given to loom_model_run_async, a device tensor given to a model
 * of another device kind. With --expect-check, the inputs make a check
 * fail, and it prints what loom_model_run_async and then loom_model_sync
 * report.
 *
 *   device-tensors MODEL.so EMULATOR.so [--expect-check] INPUT...
 *
 * Device memory comes from the emulator's own driver entries (dlopen of the
 * library the model's runtime loaded: LOOM_CUDA_EMULATOR).
 */
#include <loom/runtime.h>

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*GetProc)(const char *, void **, int, uint64_t, int *);
typedef unsigned long long DevPtr;
static int (*memAlloc)(DevPtr *, size_t);
static int (*memFree)(DevPtr);
static int (*toDevice)(DevPtr, const void *, size_t, void *);
static int (*toHost)(void *, DevPtr, size_t, void *);
static int (*streamCreate)(void **, unsigned);
static int (*streamSync)(void *);
static int (*streamDestroy)(void *);

static int resolve(void *library) {
  GetProc getProc = (GetProc)dlsym(library, "cuGetProcAddress_v2");
  if (!getProc)
    return 0;
  struct {
    const char *name;
    void **slot;
  } entries[] = {{"cuMemAlloc", (void **)&memAlloc},
                 {"cuMemFree", (void **)&memFree},
                 {"cuMemcpyHtoDAsync", (void **)&toDevice},
                 {"cuMemcpyDtoHAsync", (void **)&toHost},
                 {"cuStreamCreate", (void **)&streamCreate},
                 {"cuStreamSynchronize", (void **)&streamSync},
                 {"cuStreamDestroy", (void **)&streamDestroy}};
  for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); ++i)
    if (getProc(entries[i].name, entries[i].slot, 12000, 0, NULL) != 0)
      return 0;
  return 1;
}

static void freeDevice(void *ctx) { memFree((DevPtr)(uintptr_t)ctx); }

/* A device copy of the host tensor `t`, owning its device memory. */
static loom_tensor *onDevice(loom_model *model, loom_tensor *t, void *stream) {
  DevPtr p = 0;
  size_t bytes = loom_tensor_nbytes(t);
  if (memAlloc(&p, bytes ? bytes : 1) != 0 ||
      toDevice(p, loom_tensor_data(t), bytes, stream) != 0)
    return NULL;
  return loom_tensor_wrap_device(
      loom_tensor_dtype(t), loom_tensor_rank(t), loom_tensor_shape(t),
      loom_model_device_kind(model), loom_model_device_ordinal(model),
      (void *)(uintptr_t)p, freeDevice, (void *)(uintptr_t)p);
}

/* Whether `device` (a device tensor) holds what `host` holds, within
 * 1e-5 + 1e-4 * |host| per element of an f32 tensor, exactly otherwise. */
static int same(loom_tensor *device, loom_tensor *host, void *stream) {
  size_t bytes = loom_tensor_nbytes(host);
  if (loom_tensor_nbytes(device) != bytes)
    return 0;
  char *copy = malloc(bytes ? bytes : 1);
  /* To pageable memory: returns when the copy is done. */
  int ok = toHost(copy, (DevPtr)(uintptr_t)loom_tensor_data(device), bytes,
                  stream) == 0;
  if (ok && loom_tensor_dtype(host) == LOOM_DTYPE_F32) {
    const float *a = (const float *)copy, *b = loom_tensor_data(host);
    for (int64_t i = 0; ok && i < loom_tensor_numel(host); ++i)
      ok = fabsf(a[i] - b[i]) <= 1e-5f + 1e-4f * fabsf(b[i]);
  } else if (ok) {
    ok = memcmp(copy, loom_tensor_data(host), bytes) == 0;
  }
  free(copy);
  return ok;
}

static void freeAll(loom_tensor **tensors, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    loom_tensor_free(tensors[i]);
    tensors[i] = NULL;
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr,
            "usage: %s MODEL.so EMULATOR.so [--expect-check] INPUT...\n",
            argv[0]);
    return 2;
  }
  int expectCheck = argc > 3 && strcmp(argv[3], "--expect-check") == 0;
  int first = expectCheck ? 4 : 3;
  loom_model *model = NULL;
  if (loom_model_open(argv[1], &model) != LOOM_OK) {
    fprintf(stderr, "error: %s\n", loom_last_error());
    return 1;
  }
  void *library = dlopen(argv[2], RTLD_NOW | RTLD_GLOBAL);
  if (!library || !resolve(library)) {
    fprintf(stderr, "error: cannot use %s\n", argv[2]);
    return 1;
  }
  size_t numInputs = (size_t)(argc - first);
  size_t numOutputs = loom_model_num_outputs(model);
  loom_tensor **inputs = calloc(numInputs + 1, sizeof(*inputs));
  loom_tensor **devInputs = calloc(numInputs + 1, sizeof(*inputs));
  loom_tensor **reference = calloc(numOutputs + 1, sizeof(*inputs));
  loom_tensor **outputs = calloc(numOutputs + 1, sizeof(*inputs));
  void *stream = NULL;
  if (streamCreate(&stream, 0) != 0)
    return 1;
  for (size_t i = 0; i < numInputs; ++i)
    if (loom_tensor_read_file(argv[first + i], &inputs[i]) != LOOM_OK ||
        !(devInputs[i] = onDevice(model, inputs[i], stream))) {
      fprintf(stderr, "error: input %zu: %s\n", i, loom_last_error());
      return 1;
    }
  streamSync(stream); /* the inputs are on the device */

  if (expectCheck) {
    loom_status queued = loom_model_run_async(model, stream, devInputs,
                                              numInputs, outputs, numOutputs);
    const loom_error_record *r = loom_last_error_record();
    if (queued == LOOM_OK)
      printf("async run with a failing check: queued\n");
    else
      printf("async run with a failing check: status %d kind %d node '%s' "
             "op '%s' operand %d value %lld: %s\n",
             (int)queued, (int)r->kind, r->node, r->op, (int)r->operand,
             (long long)r->value, loom_last_error());
    freeAll(outputs, numOutputs);
    loom_status synced = loom_model_sync(model, stream);
    if (synced == LOOM_OK)
      printf("sync: status 0\n");
    else
      printf("sync: status %d kind %d node '%s' op '%s' operand %d value "
             "%lld: %s\n",
             (int)synced, (int)r->kind, r->node, r->op, (int)r->operand,
             (long long)r->value, loom_last_error());
  } else {
    if (loom_model_run(model, inputs, numInputs, reference, numOutputs) !=
        LOOM_OK) {
      fprintf(stderr, "error: %s\n", loom_last_error());
      return 1;
    }
    loom_status status =
        loom_model_run(model, devInputs, numInputs, outputs, numOutputs);
    int match = status == LOOM_OK;
    for (size_t i = 0; match && i < numOutputs; ++i)
      match =
          loom_tensor_device_kind(outputs[i]) == LOOM_DEVICE_CPU &&
          memcmp(loom_tensor_data(outputs[i]), loom_tensor_data(reference[i]),
                 loom_tensor_nbytes(reference[i])) == 0;
    printf("run, device inputs: status %d, %s\n", (int)status,
           match ? "host outputs match" : loom_last_error());
    freeAll(outputs, numOutputs);

    for (int repeat = 0; repeat < 3; ++repeat) {
      status = loom_model_run_async(model, stream, devInputs, numInputs,
                                    outputs, numOutputs);
      loom_status synced = loom_model_sync(model, stream);
      match = status == LOOM_OK && synced == LOOM_OK;
      for (size_t i = 0; match && i < numOutputs; ++i)
        match = loom_tensor_device_kind(outputs[i]) ==
                    loom_model_device_kind(model) &&
                same(outputs[i], reference[i], stream);
      printf("async run %d: status %d, sync %d, %s\n", repeat, (int)status,
             (int)synced, match ? "device outputs match" : loom_last_error());
      freeAll(outputs, numOutputs);
    }

    status = loom_model_run_async(model, stream, inputs, numInputs, outputs,
                                  numOutputs);
    printf("async run, host inputs: status %d: %s\n", (int)status,
           loom_last_error());

    /* A device tensor of another kind of device. */
    int other = loom_model_device_kind(model) == LOOM_DEVICE_EMULATED
                    ? LOOM_DEVICE_CUDA
                    : LOOM_DEVICE_EMULATED;
    loom_tensor *mine = devInputs[0];
    devInputs[0] = loom_tensor_wrap_device(
        loom_tensor_dtype(mine), loom_tensor_rank(mine),
        loom_tensor_shape(mine), other, 0, loom_tensor_data(mine), NULL, NULL);
    status = loom_model_run(model, devInputs, numInputs, outputs, numOutputs);
    printf("run, another device's tensor: status %d: %s\n", (int)status,
           loom_last_error());
    loom_tensor_free(devInputs[0]);
    devInputs[0] = mine;
  }
  freeAll(reference, numOutputs);
  freeAll(inputs, numInputs);
  freeAll(devInputs, numInputs);
  streamDestroy(stream);
  loom_model_close(model);
  free(inputs);
  free(devInputs);
  free(reference);
  free(outputs);
  return 0;
}
