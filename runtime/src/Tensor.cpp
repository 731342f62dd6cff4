//===- Tensor.cpp - loom_tensor and errors --------------------------------===//
//
// Part of Loom's runtime.
//
//===----------------------------------------------------------------------===//

#include "RuntimeInternal.h"

#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace {
thread_local std::string lastError;
thread_local loom_error_record lastRecord;
} // namespace

namespace loom::rt {

loom_status fail(loom_status status, const char *format, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  lastError = buffer;
  lastRecord = loom_error_record{};
  lastRecord.status = status;
  lastRecord.operand = -1;
  std::snprintf(lastRecord.message, sizeof(lastRecord.message), "%s", buffer);
  return status;
}

loom_dtype dtypeFromCode(int64_t code) {
  switch (code) {
  case LOOM_DTYPE_F32:
  case LOOM_DTYPE_U8:
  case LOOM_DTYPE_I8:
  case LOOM_DTYPE_U16:
  case LOOM_DTYPE_I16:
  case LOOM_DTYPE_I32:
  case LOOM_DTYPE_I64:
  case LOOM_DTYPE_BOOL:
  case LOOM_DTYPE_F16:
  case LOOM_DTYPE_F64:
  case LOOM_DTYPE_U32:
  case LOOM_DTYPE_U64:
  case LOOM_DTYPE_BF16:
    return static_cast<loom_dtype>(code);
  default:
    return LOOM_DTYPE_INVALID;
  }
}

loom_status failWithRecord(const loom_error_record &record) {
  lastRecord = record;
  // The model writes the strings; terminate them whatever it wrote.
  lastRecord.node[sizeof(lastRecord.node) - 1] = 0;
  lastRecord.op[sizeof(lastRecord.op) - 1] = 0;
  lastRecord.message[sizeof(lastRecord.message) - 1] = 0;
  lastError = lastRecord.message;
  return static_cast<loom_status>(record.status);
}

} // namespace loom::rt

using namespace loom::rt;

struct loom_tensor {
  loom_dtype dtype;
  std::vector<int64_t> shape;
  void *data;
  void (*release)(void *);
  void *releaseCtx;
  int32_t deviceKind = LOOM_DEVICE_CPU; // where `data` is
  int32_t deviceOrdinal = 0;
};

extern "C" {

const char *loom_last_error(void) { return lastError.c_str(); }

const loom_error_record *loom_last_error_record(void) { return &lastRecord; }

size_t loom_dtype_size(loom_dtype dtype) {
  switch (dtype) {
  case LOOM_DTYPE_U8:
  case LOOM_DTYPE_I8:
  case LOOM_DTYPE_BOOL:
    return 1;
  case LOOM_DTYPE_U16:
  case LOOM_DTYPE_I16:
  case LOOM_DTYPE_F16:
  case LOOM_DTYPE_BF16:
    return 2;
  case LOOM_DTYPE_F32:
  case LOOM_DTYPE_I32:
  case LOOM_DTYPE_U32:
    return 4;
  case LOOM_DTYPE_I64:
  case LOOM_DTYPE_F64:
  case LOOM_DTYPE_U64:
    return 8;
  default:
    return 0;
  }
}

const char *loom_dtype_name(loom_dtype dtype) {
  switch (dtype) {
  case LOOM_DTYPE_F32:
    return "f32";
  case LOOM_DTYPE_U8:
    return "u8";
  case LOOM_DTYPE_I8:
    return "i8";
  case LOOM_DTYPE_U16:
    return "u16";
  case LOOM_DTYPE_I16:
    return "i16";
  case LOOM_DTYPE_I32:
    return "i32";
  case LOOM_DTYPE_I64:
    return "i64";
  case LOOM_DTYPE_BOOL:
    return "bool";
  case LOOM_DTYPE_F16:
    return "f16";
  case LOOM_DTYPE_F64:
    return "f64";
  case LOOM_DTYPE_U32:
    return "u32";
  case LOOM_DTYPE_U64:
    return "u64";
  case LOOM_DTYPE_BF16:
    return "bf16";
  default:
    return "invalid";
  }
}

static bool checkShape(loom_dtype dtype, int32_t rank, const int64_t *shape,
                       size_t *bytes) {
  if (loom_dtype_size(dtype) == 0) {
    fail(LOOM_ERROR_INVALID_ARGUMENT, "invalid dtype %d", (int)dtype);
    return false;
  }
  if (rank < 0 || (rank > 0 && !shape)) {
    fail(LOOM_ERROR_INVALID_ARGUMENT, "invalid rank %d", (int)rank);
    return false;
  }
  size_t count = 1;
  for (int32_t i = 0; i < rank; ++i) {
    if (shape[i] < 0 ||
        (shape[i] > 0 && count > (SIZE_MAX / 2) / (size_t)shape[i])) {
      fail(LOOM_ERROR_INVALID_ARGUMENT, "invalid dim %lld",
           (long long)shape[i]);
      return false;
    }
    count *= (size_t)shape[i];
  }
  if (count > (SIZE_MAX / 2) / loom_dtype_size(dtype)) {
    fail(LOOM_ERROR_INVALID_ARGUMENT, "tensor too large");
    return false;
  }
  *bytes = count * loom_dtype_size(dtype);
  return true;
}

static void freeAligned(void *data) { std::free(data); }

loom_tensor *loom_tensor_create(loom_dtype dtype, int32_t rank,
                                const int64_t *shape) {
  size_t bytes;
  if (!checkShape(dtype, rank, shape, &bytes))
    return nullptr;
  // aligned_alloc needs a multiple of the alignment.
  size_t rounded = (bytes + 63) / 64 * 64;
  void *data = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!data) {
    fail(LOOM_ERROR_OUT_OF_MEMORY, "cannot allocate %zu bytes", bytes);
    return nullptr;
  }
  std::memset(data, 0, rounded ? rounded : 64);
  loom_tensor *tensor = new (std::nothrow)
      loom_tensor{dtype, std::vector<int64_t>(shape, shape + rank), data,
                  freeAligned, data};
  if (!tensor)
    std::free(data);
  return tensor;
}

loom_tensor *loom_tensor_wrap(loom_dtype dtype, int32_t rank,
                              const int64_t *shape, void *data,
                              void (*release)(void *), void *releaseCtx) {
  size_t bytes;
  if (!checkShape(dtype, rank, shape, &bytes))
    return nullptr;
  if (!data && bytes) {
    fail(LOOM_ERROR_INVALID_ARGUMENT, "no data for %zu bytes", bytes);
    return nullptr;
  }
  return new (std::nothrow)
      loom_tensor{dtype, std::vector<int64_t>(shape, shape + rank), data,
                  release, releaseCtx};
}

loom_tensor *loom_tensor_wrap_device(loom_dtype dtype, int32_t rank,
                                     const int64_t *shape, int32_t deviceKind,
                                     int32_t deviceOrdinal, void *data,
                                     void (*release)(void *),
                                     void *releaseCtx) {
  if (deviceKind != LOOM_DEVICE_CUDA && deviceKind != LOOM_DEVICE_EMULATED) {
    fail(LOOM_ERROR_INVALID_ARGUMENT,
         "device kind %d is not a device (LOOM_DEVICE_CUDA or "
         "LOOM_DEVICE_EMULATED)",
         static_cast<int>(deviceKind));
    return nullptr;
  }
  if (deviceOrdinal < 0) {
    fail(LOOM_ERROR_INVALID_ARGUMENT, "device ordinal %d",
         static_cast<int>(deviceOrdinal));
    return nullptr;
  }
  loom_tensor *tensor =
      loom_tensor_wrap(dtype, rank, shape, data, release, releaseCtx);
  if (tensor) {
    tensor->deviceKind = deviceKind;
    tensor->deviceOrdinal = deviceOrdinal;
  }
  return tensor;
}

int32_t loom_tensor_device_kind(const loom_tensor *t) { return t->deviceKind; }
int32_t loom_tensor_device_ordinal(const loom_tensor *t) {
  return t->deviceOrdinal;
}

void loom_tensor_free(loom_tensor *tensor) {
  if (!tensor)
    return;
  if (tensor->release)
    tensor->release(tensor->releaseCtx);
  delete tensor;
}

loom_dtype loom_tensor_dtype(const loom_tensor *t) { return t->dtype; }
int32_t loom_tensor_rank(const loom_tensor *t) {
  return static_cast<int32_t>(t->shape.size());
}
const int64_t *loom_tensor_shape(const loom_tensor *t) {
  return t->shape.data();
}
int64_t loom_tensor_numel(const loom_tensor *t) {
  int64_t count = 1;
  for (int64_t d : t->shape)
    count *= d;
  return count;
}
size_t loom_tensor_nbytes(const loom_tensor *t) {
  return static_cast<size_t>(loom_tensor_numel(t)) * loom_dtype_size(t->dtype);
}
void *loom_tensor_data(loom_tensor *t) { return t->data; }

uint64_t loom_now_ns(void) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // extern "C"
