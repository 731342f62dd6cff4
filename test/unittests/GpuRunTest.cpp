//===- GpuRunTest.cpp - A CUDA run's error words, on the emulated device
//---===//
//
// Part of Loom. What runtime/src/cuda/GpuRun.cpp does with the error words
// that loom-gpu-offload-host's functions watch, driven as compiled host code
// drives it, inside the run guard (RunGuard.cpp), on the emulated device: a
// word a kernel wrote (here: a copy of what a failed check writes) ends a
// synchronous run with its check's site and values at the run's end; an
// asynchronous run returns, and the device interface's `finish` (what
// loom_model_sync calls) reports it once. A word that names no check is an
// error too.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/RuntimeInternal.h"
#include "runtime/src/cuda/GpuDevice.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace loom::cuda;

extern "C" {
int32_t loom_rt_invoke(loom_run_context *context, void (*body)(void *),
                       void *closure);
void loom_gpu_watch_errors(int64_t word, const char *sites);
void loom_gpu_unwatch_errors(int64_t word);
void *loom_gpu_device_alloc(uint64_t bytes);
void loom_gpu_device_free(void *pointer);
}

namespace {

const char *kSites = "1\tpick\tGather\t1\tindex {0} is out of range for a "
                     "dim of size {1}\x1f"
                     "2\tgrow\tExpand\t1\tthe shape has {0} dims, not {1}";

const loom_device_api &device() {
  static const loom_device_api *api = [] {
    const loom_device_api *a = loom_model_device_api();
    char error[512] = "";
    EXPECT_EQ(a->open(LOOM_DEVICE_EMULATED, 0, "sm_80", error, sizeof(error)),
              LOOM_OK)
        << error;
    return a;
  }();
  return *api;
}

/// What the host code of one function does: watch a word, let "a kernel"
/// write `word` into it (the values a failed check stores), return.
struct Body {
  int64_t word[3];
  static void run(void *closure) {
    auto *self = static_cast<Body *>(closure);
    void *word = loom_gpu_device_alloc(3 * sizeof(int64_t));
    auto address = static_cast<int64_t>(reinterpret_cast<uintptr_t>(word));
    loom_gpu_watch_errors(address, kSites);
    Device &d = getDevice();
    // Queued after the watch's clearing memset, as a kernel would be.
    ASSERT_EQ(d.api.cuMemcpyHtoDAsync(reinterpret_cast<CUdeviceptr>(word),
                                      self->word, sizeof(self->word),
                                      runStream()),
              CUDA_SUCCESS);
    loom_gpu_unwatch_errors(address);
    loom_gpu_device_free(word);
  }
};

loom_run_context context(loom_error_record &record, uint64_t flags = 0,
                         void *stream = nullptr) {
  loom_run_context c{};
  c.abi_version = LOOM_ABI_VERSION;
  c.struct_size = sizeof(c);
  c.error = &record;
  c.device_kind = LOOM_DEVICE_EMULATED;
  c.flags = flags;
  c.stream = stream;
  return c;
}

TEST(GpuRun, AFailedCheckEndsTheRunWithItsSite) {
  device();
  {
    loom_error_record record{};
    loom_run_context c = context(record);
    Body body{{2, 5, 3}};
    EXPECT_EQ(loom_rt_invoke(&c, Body::run, &body),
              LOOM_ERROR_INVALID_ARGUMENT);
    EXPECT_STREQ(record.node, "grow");
    EXPECT_STREQ(record.op, "Expand");
    EXPECT_EQ(record.operand, 1);
    EXPECT_EQ(record.value, 5);
    EXPECT_NE(std::string(record.message).find("the shape has 5 dims, not 3"),
              std::string::npos)
        << record.message;
    // A clean word: the next run succeeds.
    Body clean{{0, 0, 0}};
    EXPECT_EQ(loom_rt_invoke(&c, Body::run, &clean), LOOM_OK);
  }
}

TEST(GpuRun, AWordThatNamesNoCheckIsAnError) {
  device();
  loom_error_record record{};
  loom_run_context c = context(record);
  Body body{{7, 0, 0}};
  EXPECT_EQ(loom_rt_invoke(&c, Body::run, &body), LOOM_ERROR_RUNTIME);
  EXPECT_NE(std::string(record.message).find("holds 7, which names none"),
            std::string::npos)
      << record.message;
}

TEST(GpuRun, AnAsynchronousRunReportsAtItsStreamsFinish) {
  device();
  CUstream stream = nullptr;
  ASSERT_EQ(getDevice().api.cuStreamCreate(&stream, 0), CUDA_SUCCESS);
  loom_error_record record{};
  loom_run_context c = context(record, LOOM_RUN_ASYNC, stream);
  Body body{{1, 1099511627776, 4}};
  // Queued: nothing is known yet.
  EXPECT_EQ(loom_rt_invoke(&c, Body::run, &body), LOOM_OK);
  loom_run_context f = context(record, 0, stream);
  EXPECT_EQ(device().finish(&f), LOOM_ERROR_INVALID_ARGUMENT);
  EXPECT_STREQ(record.node, "pick");
  EXPECT_EQ(record.value, 1099511627776);
  EXPECT_EQ(record.limit, 4);
  // Reported once: the stream's words are gone.
  record = loom_error_record{};
  EXPECT_EQ(device().finish(&f), LOOM_OK);
  // Another stream's failure is not this one's.
  loom_run_context other = context(record, LOOM_RUN_ASYNC, nullptr);
  EXPECT_EQ(loom_rt_invoke(&other, Body::run, &body), LOOM_OK);
  EXPECT_EQ(device().finish(&f), LOOM_OK);
  loom_run_context mine = context(record, 0, nullptr);
  EXPECT_EQ(device().finish(&mine), LOOM_ERROR_INVALID_ARGUMENT);
  getDevice().api.cuStreamDestroy(stream);
}

} // namespace
