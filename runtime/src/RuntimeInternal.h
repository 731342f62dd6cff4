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

/// The symbols a compiled model defines (see docs/runtime-abi.md).
extern "C" {
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
