//===- RuntimeInternal.h - Shared by the runtime's sources ------*- C++ -*-===//
//
// Part of Loom's runtime. Not installed.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_SRC_RUNTIMEINTERNAL_H
#define LOOM_RUNTIME_SRC_RUNTIMEINTERNAL_H

#include "loom/runtime.h"

#include <string>
#include <vector>

namespace loom::rt {

/// Records a printf-style message as the thread's last error; returns status.
loom_status fail(loom_status status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/// The dtype whose ONNX code is `code`, or LOOM_DTYPE_INVALID (a cast of
/// an unknown code to the enum would be undefined).
loom_dtype dtypeFromCode(int64_t code);

/// Records a failed run's error record as the thread's last error.
loom_status failWithRecord(const loom_error_record &record);

} // namespace loom::rt

/// What a CUDA model's runtime (runtime/src/cuda/, linked into the
/// artefact) gives the host side (Model.cpp): the device the model runs on,
/// and its memory. Every function returns LOOM_OK or a status after
/// recording the last error (loom_last_error in the artefact's copy, so
/// `error` gets the message too).
/// The layout below; a model whose runtime has another one is refused.
constexpr uint32_t kDeviceApiVersion = 2;

struct loom_device_api {
  uint32_t version; // kDeviceApiVersion
  /// Opens the device: `kind` LOOM_DEVICE_CUDA or LOOM_DEVICE_EMULATED,
  /// device `ordinal`; `archs` is what the model was compiled for. Writes
  /// up to `capacity` bytes of a message on failure.
  int32_t (*open)(int32_t kind, int32_t ordinal, const char *archs, char *error,
                  size_t capacity);
  /// Device memory outside a run (synchronous).
  void *(*alloc)(uint64_t bytes);
  void (*free)(void *pointer);
  /// An input's copy before its run, through pinned staging on the model's
  /// stream; the run's synchronisation waits for it.
  int32_t (*upload)(void *device, const void *host, uint64_t bytes, char *error,
                    size_t capacity);
  /// An output's copy after its run (waits for it).
  int32_t (*download)(void *host, const void *device, uint64_t bytes,
                      char *error, size_t capacity);
  /// "NAME (sm_XY)" of the open device.
  const char *(*describe)(void);
  /// A weight's upload (on the upload stream), and, before a run uses a
  /// weight, its stream's wait for the uploads so far.
  int32_t (*upload_weight)(void *device, const void *host, uint64_t bytes,
                           char *error, size_t capacity);
  int32_t (*order_weights)(char *error, size_t capacity);
  /// Waits for `context->stream` and reports the first failed check of the
  /// asynchronous runs on it, as a run's failure (loom_model_sync).
  int32_t (*finish)(loom_run_context *context);
  /// Loads the libraries the signature's `gpu-libraries` line names
  /// (comma-separated: cublaslt, cudnn), so that the open fails when one
  /// is absent or too old.
  int32_t (*load_libraries)(const char *names, char *error, size_t capacity);
};

/// The symbols a compiled model defines (see docs/runtime-abi.md).
extern "C" {
/// Defined by a CUDA model (runtime/src/cuda/GpuRuntime.cpp).
const loom_device_api *loom_model_device_api(void) __attribute__((weak));
/// The model's interface as text (ModelSignature.cpp parses it).
extern const char loom_model_signature[] __attribute__((weak));
/// Runs the model (loom/abi.h): `inputs[i]` points to a ranked MLIR memref
/// descriptor of input i; `outputs[i]` to room for output i's descriptor,
/// which it fills. Returns a loom_status; on failure `context->error` says
/// why.
int32_t loom_model_entry(loom_run_context *context, void **inputs,
                         void **outputs) __attribute__((weak));
/// Defined by the kernel library (Kernels.cpp) when the model calls it:
/// the threads its kernels use from the calling thread on.
void loom_kernels_set_num_threads(int32_t threads) __attribute__((weak));
/// Defined by the kernel library: forgets what it derived from weights in
/// [begin, begin + bytes), before they are unmapped.
void loom_kernels_forget(const void *begin, size_t bytes) __attribute__((weak));
}

#endif // LOOM_RUNTIME_SRC_RUNTIMEINTERNAL_H
