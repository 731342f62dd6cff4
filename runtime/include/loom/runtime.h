/*===- loom/runtime.h - Loom's C runtime ABI ------------------------------===*
 *
 * Part of Loom. The C interface of compiled Loom models: tensors, files of
 * tensors, loading and running models. Plain C99; every function is safe to
 * call from C++.
 *
 * Ownership, in one place:
 *   - A `loom_tensor *` is owned by whoever created it (loom_tensor_create,
 *     loom_tensor_wrap, loom_tensor_read_file) or received it as an output
 *     (loom_model_run). The owner frees it with loom_tensor_free exactly once;
 *     loom_tensor_free(NULL) does nothing.
 *   - A tensor owns its data unless it was made by loom_tensor_wrap, in which
 *     case `release` (if not NULL) is called with `release_ctx` when the tensor
 *     is freed, and the caller keeps the data alive until then.
 *   - Borrowed pointers (loom_tensor_data, loom_tensor_shape, names returned
 *     by loom_model_*) stay valid while the object they came from lives.
 *   - loom_model_run never takes ownership of its inputs; it writes newly
 *     created tensors, owned by the caller, into `outputs`. On failure it
 *     writes nothing (every `outputs[i]` is left NULL).
 *   - Device placement: a tensor lives in host memory unless it was made by
 *     loom_tensor_wrap_device or is an output of loom_model_run_async; then
 *     its data is device memory of the device it names, which the host
 *     must not dereference. A device output owns its device memory, which
 *     loom_tensor_free frees (synchronously) through the model that made
 *     it: free device outputs before closing their model, and only once
 *     the work that uses them is done.
 *
 * Errors: functions that can fail return a loom_status (LOOM_OK is 0); the
 * message of the calling thread's last failure is loom_last_error().
 *
 *===----------------------------------------------------------------------===*/

#ifndef LOOM_RUNTIME_H
#define LOOM_RUNTIME_H

#include "loom/abi.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum loom_dtype {
  LOOM_DTYPE_INVALID = 0,
  LOOM_DTYPE_F32 = 1,
  LOOM_DTYPE_U8 = 2,
  LOOM_DTYPE_I8 = 3,
  LOOM_DTYPE_U16 = 4,
  LOOM_DTYPE_I16 = 5,
  LOOM_DTYPE_I32 = 6,
  LOOM_DTYPE_I64 = 7,
  LOOM_DTYPE_BOOL = 9, /* one byte per element, 0 or 1 */
  LOOM_DTYPE_F16 = 10,
  LOOM_DTYPE_F64 = 11,
  LOOM_DTYPE_U32 = 12,
  LOOM_DTYPE_U64 = 13,
  LOOM_DTYPE_BF16 = 16
} loom_dtype;

/* loom_status, and the error record of a failed run: loom/abi.h. */

/* The message of the calling thread's last failure ("" if none). */
const char *loom_last_error(void);

/* The calling thread's last failure as a record: for a run that a model's
 * run-time check stopped, its node, op, operand and offending value; for
 * other failures only status and message are set. Valid until the thread's
 * next call into the runtime. */
const loom_error_record *loom_last_error_record(void);

/* Size in bytes of one element, or 0 for an invalid dtype. */
size_t loom_dtype_size(loom_dtype dtype);
/* "f32", "i64", "bool"...; "invalid" for an unknown dtype. */
const char *loom_dtype_name(loom_dtype dtype);

/*===--- Tensors
 * -----------------------------------------------------------===*/

typedef struct loom_tensor loom_tensor;

/* A new tensor of `dtype` and `shape` (rank `rank`, dims >= 0) owning
 * zero-filled, 64-byte aligned data. NULL on failure. */
loom_tensor *loom_tensor_create(loom_dtype dtype, int32_t rank,
                                const int64_t *shape);
/* A new tensor over caller-owned `data`; see the ownership rules above. */
loom_tensor *loom_tensor_wrap(loom_dtype dtype, int32_t rank,
                              const int64_t *shape, void *data,
                              void (*release)(void *ctx), void *release_ctx);
/* A new tensor over caller-owned device memory (a framework's GPU tensor):
 * `device_kind` LOOM_DEVICE_CUDA (or LOOM_DEVICE_EMULATED), `device_ordinal`
 * its device, `data` a device pointer (a CUdeviceptr) to dense row-major
 * elements. Passed to a CUDA model on that device, the model reads it in
 * place (zero copy). Ownership as loom_tensor_wrap's. */
loom_tensor *loom_tensor_wrap_device(loom_dtype dtype, int32_t rank,
                                     const int64_t *shape, int32_t device_kind,
                                     int32_t device_ordinal, void *data,
                                     void (*release)(void *ctx),
                                     void *release_ctx);
void loom_tensor_free(loom_tensor *tensor);
/* Where the tensor's data is: LOOM_DEVICE_CPU (host memory), or a device
 * kind and ordinal. */
int32_t loom_tensor_device_kind(const loom_tensor *tensor);
int32_t loom_tensor_device_ordinal(const loom_tensor *tensor);

loom_dtype loom_tensor_dtype(const loom_tensor *tensor);
int32_t loom_tensor_rank(const loom_tensor *tensor);
const int64_t *loom_tensor_shape(const loom_tensor *tensor);
int64_t loom_tensor_numel(const loom_tensor *tensor);
size_t loom_tensor_nbytes(const loom_tensor *tensor);
/* Row-major, densely packed elements: a host pointer, or for a device
 * tensor its device pointer. */
void *loom_tensor_data(loom_tensor *tensor);

/* Reads a `.npy` file (NumPy format 1.0-3.0, little-endian, C order) or an
 * ONNX TensorProto `.pb` file, chosen by the extension. */
loom_status loom_tensor_read_file(const char *path, loom_tensor **out);
/* Writes `tensor` as `.npy` or `.pb`, by the extension. */
loom_status loom_tensor_write_file(const char *path, const loom_tensor *tensor);

/*===--- Models
 * ------------------------------------------------------------===*/

typedef struct loom_model loom_model;

/* Opens a model compiled with `loomc --emit=lib` (dlopen), and maps its
 * weights from the file loomc wrote beside it (docs/weights.md). */
loom_status loom_model_open(const char *path, loom_model **out);
/* The model linked into this executable (`loomc --emit=exe`/`--emit=obj`);
 * its weights file is beside the executable. */
loom_status loom_model_open_linked(loom_model **out);
/* As the two above, with the weights from `weights` (NULL: the default
 * file): a safetensors file holding exactly the tensors the model was
 * compiled with, by name, dtype and shape (fine-tuned weights, say); a
 * missing, extra or mismatched tensor fails with an error naming it. */
loom_status loom_model_open_with_weights(const char *path, const char *weights,
                                         loom_model **out);
loom_status loom_model_open_linked_with_weights(const char *weights,
                                                loom_model **out);
/* Unmaps the weights and unloads the model; no run may be in progress. */
void loom_model_close(loom_model *model);

/* The weights file the model maps (NULL: it has none), borrowed. */
const char *loom_model_weights_path(const loom_model *model);
/* Bytes of weights this process holds for the model so far: the parts its
 * runs have used, mapped from the file or copied once (a rank of a
 * partitioned model holds only its parts). */
uint64_t loom_model_weight_bytes(const loom_model *model);
/* Bytes of the memory plan's workspace one run uses (0: none); a run
 * takes it from the model's pool unless the caller gives one. */
uint64_t loom_model_workspace_bytes(const loom_model *model);

size_t loom_model_num_inputs(const loom_model *model);
size_t loom_model_num_outputs(const loom_model *model);
/* Name, dtype and declared shape of input or output `index`; dims that are
 * unknown until run time are -1 (their names, if any, by dim_name). */
const char *loom_model_input_name(const loom_model *model, size_t index);
loom_dtype loom_model_input_dtype(const loom_model *model, size_t index);
int32_t loom_model_input_rank(const loom_model *model, size_t index);
const int64_t *loom_model_input_shape(const loom_model *model, size_t index);
const char *loom_model_output_name(const loom_model *model, size_t index);
loom_dtype loom_model_output_dtype(const loom_model *model, size_t index);
int32_t loom_model_output_rank(const loom_model *model, size_t index);
const int64_t *loom_model_output_shape(const loom_model *model, size_t index);

/* Runs the model. Checks the input count, dtypes, ranks, static dims and that
 * dims sharing a symbolic name agree, before running anything. The model
 * checks the rest as it runs (indices in range, run-time dims that agree,
 * sizes, integer division by zero): a failed check stops the run with
 * LOOM_ERROR_INVALID_ARGUMENT and a message naming the ONNX node, its op,
 * the input and the value (loom_last_error, loom_last_error_record); every
 * buffer of the run is freed, no output is written and the model can be
 * run again. */
loom_status loom_model_run(loom_model *model, loom_tensor *const *inputs,
                           size_t num_inputs, loom_tensor **outputs,
                           size_t num_outputs);

/* The device the next loom_model_open* opens a CUDA model on: "cuda" (GPU
 * 0), "cuda:N" or "emulated" (the emulated device, docs/cuda.md); NULL or
 * "": the LOOM_DEVICE environment variable's, else "cuda". A CPU model
 * ignores it. LOOM_ERROR_INVALID_ARGUMENT for any other text. */
loom_status loom_set_device(const char *device);

/* The device a CUDA model runs on (LOOM_DEVICE_CUDA or LOOM_DEVICE_EMULATED,
 * and its ordinal: LOOM_DEVICE=cuda:N), or LOOM_DEVICE_CPU. Inputs of
 * loom_model_run may be host tensors or device tensors on that device. */
int32_t loom_model_device_kind(const loom_model *model);
int32_t loom_model_device_ordinal(const loom_model *model);

/* Runs a CUDA model ordered on the caller's `stream` (a CUstream /
 * cudaStream_t of the model's device; NULL: the model's own), returning
 * once its work is queued: it waits for the device only where the model
 * takes a decision on the host (a DyCL branch or loop). Every input is a
 * device tensor on the model's device, read in place; it must stay as it
 * is until the stream's work is done. Every output is a new device tensor
 * (owned by the caller, see above), written when the stream's work is done.
 * Errors found before queueing are returned as loom_model_run's; a check
 * that fails on the device is reported by loom_model_sync. An output that
 * is a constant or a strided view of another buffer is refused
 * (LOOM_ERROR_UNSUPPORTED: run it with loom_model_run). */
loom_status loom_model_run_async(loom_model *model, void *stream,
                                 loom_tensor *const *inputs, size_t num_inputs,
                                 loom_tensor **outputs, size_t num_outputs);
/* Waits for `stream`'s work and reports the first failed run-time check of
 * the asynchronous runs on it since the last loom_model_sync, as a run's
 * failure (loom_last_error_record); their outputs are then not to be used. */
loom_status loom_model_sync(loom_model *model, void *stream);

/*===--- Threads and time
 * --------------------------------------------------===*/

/* Threads the kernels may use (0: all cores). Applies to runs started
 * afterwards: loom_model_run passes it to the model's kernel library
 * (oneDNN's OpenMP threads) on the calling thread before each run. */
void loom_set_num_threads(int32_t threads);
int32_t loom_get_num_threads(void);
/* A monotonic clock, in nanoseconds. */
uint64_t loom_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_RUNTIME_H */
