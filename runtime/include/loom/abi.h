/*===- loom/abi.h - The ABI between compiled models and the runtime -------===*
 *
 * Part of Loom. What a compiled model (loomc --emit=exe|lib|obj) exports and
 * takes, version 2 (docs/runtime-abi.md). Programs embedding a model use
 * loom/runtime.h, which includes this header; only the runtime calls the
 * entry point itself. Plain C99.
 *
 * A model exports
 *
 *   extern const char loom_model_signature[];   // "loom-model 2\n..."
 *   int32_t loom_model_entry(loom_run_context *context, void **inputs,
 *                            void **outputs);
 *
 * The entry returns LOOM_OK (0) or a loom_status. On failure it has written
 * `context->error`, freed every buffer it allocated (outputs included) and
 * left `outputs` unspecified; the model can be run again.
 *
 *===----------------------------------------------------------------------===*/

#ifndef LOOM_ABI_H
#define LOOM_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version this header describes. A signature's first line names the
 * version its model was compiled for; the runtime refuses any other. */
#define LOOM_ABI_VERSION 2

typedef enum loom_status {
  LOOM_OK = 0,
  LOOM_ERROR_INVALID_ARGUMENT = 1, /* bad input: count, dtype, shape, or a
                                      value the model refuses at run time */
  LOOM_ERROR_IO = 2,               /* unreadable or malformed file */
  LOOM_ERROR_RUNTIME = 3,          /* a failure while running a model (a
                                      peer rank gone, a kernel failing) */
  LOOM_ERROR_OUT_OF_MEMORY = 4,
  LOOM_ERROR_UNSUPPORTED = 5 /* an ABI version, device or option this
                                runtime or model does not have */
} loom_status;

/* What a failed run-time check found. */
typedef enum loom_check_kind {
  LOOM_CHECK_NONE = 0,
  LOOM_CHECK_INDEX = 1,  /* an index (Gather, Scatter...) out of range */
  LOOM_CHECK_SHAPE = 2,  /* run-time dims that disagree */
  LOOM_CHECK_SIZE = 3,   /* a size that is negative or overflows */
  LOOM_CHECK_VALUE = 4,  /* another value ONNX defines as an error
                            (integer division by zero) */
  LOOM_CHECK_MEMORY = 5, /* an allocation that failed */
  LOOM_CHECK_RUNTIME = 6 /* a failure in the runtime (collectives) */
} loom_check_kind;

/* Where and why a run failed. Every string is NUL-terminated and owned by
 * the record (no pointers into the model). */
typedef struct loom_error_record {
  int32_t status;  /* a loom_status */
  int32_t kind;    /* a loom_check_kind */
  char node[128];  /* the ONNX node ("" when not known) */
  char op[64];     /* its op type ("" when not known) */
  int32_t operand; /* the node's input at fault (-1: none or not known) */
  int32_t reserved0;
  int64_t value;      /* the offending value (an index, a dim, a size) */
  int64_t limit;      /* what it was checked against (a dim, a size) */
  char message[1024]; /* the whole message, naming all of the above */
} loom_error_record;

/* Where a model runs: a CPU model on LOOM_DEVICE_CPU, a CUDA model
 * (loomc --target=cuda) on LOOM_DEVICE_CUDA or its emulated device. */
typedef enum loom_device_kind {
  LOOM_DEVICE_CPU = 0,
  LOOM_DEVICE_CUDA = 1,
  LOOM_DEVICE_EMULATED = 2
} loom_device_kind;

/* What the caller passes to each run. Zero-fill it, then set abi_version
 * and struct_size; fields a later minor revision appends are zero in older
 * callers, and a model reads only the first struct_size bytes. */
typedef struct loom_run_context {
  uint32_t abi_version; /* LOOM_ABI_VERSION */
  uint32_t struct_size; /* sizeof(loom_run_context) */
  /* Written on failure; must not be NULL. */
  loom_error_record *error;
  /* Device placement: where inputs live and outputs are to be. */
  int32_t device_kind;    /* a loom_device_kind: the model's target's */
  int32_t device_ordinal; /* which device of that kind (0) */
  /* The caller's stream (a CUDA model: a CUstream / cudaStream_t of the
   * model's device) that the run is ordered on; NULL: the model's own.
   * Must be NULL for a CPU model. */
  void *stream;
  /* The memory plan's arena for this run's intermediates: NULL (the model
   * takes one from its pool, allocated once and reused) or at least the
   * signature's `workspace` bytes, 64-byte aligned, used by no other run
   * while this one lasts. */
  void *workspace;
  uint64_t workspace_bytes;
  /* Bits of LOOM_RUN_*. */
  uint64_t flags;
  /* The model's weights, which the runtime maps (loom_model_open):
   * resolve_weight(weights, index, error) is the address of the
   * signature's weight use `index`, valid while the weights stay loaded,
   * or NULL after writing `error`. May be NULL for a model whose
   * signature lists no weights. Called from any thread. */
  void *weights;
  void *(*resolve_weight)(void *weights, int64_t index,
                          loom_error_record *error);
  uint64_t reserved[6];
} loom_run_context;

/* A CUDA model's run returns once its work is queued on `stream` (it still
 * waits for the device where the host takes a decision); the failed checks
 * of its kernels are reported by the device interface's next wait for the
 * stream (loom_model_sync). Without it, a run returns when its work is done
 * and checked. */
#define LOOM_RUN_ASYNC 1u

/* Inputs and outputs are MLIR ranked memref descriptors, laid out as 64-bit
 * words: allocated, aligned, offset, sizes[rank], strides[rank]. The caller
 * fills the inputs' (the model only reads them) and gives room for each
 * output's, which the model fills on success: its sizes are known only
 * then (a dim written as '?' in the signature may take any value), and its
 * buffer is the caller's to free() (unless it is not the model's to give:
 * `allocated` == 0xdeadbeef marks a constant, to copy). */

#ifdef __cplusplus
}
#endif

#endif /* LOOM_ABI_H */
