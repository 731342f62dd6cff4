//===- EmulatedStreamsTest.cpp - Streams and events on the emulator
//--------===//
//
// Part of Loom. The emulated device's streams run their work in order, only
// when the host waits (or a copy to pageable memory returns); events order
// one stream after another; work of two streams that touches one
// allocation with no event between them is a hazard, refused with
// CUDA_ERROR_ILLEGAL_STATE; stream-ordered frees and pinned copies happen
// in the stream's order.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/cuda/CudaApi.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

using namespace loom::cuda;

extern "C" CUresult cuGetProcAddress_v2(const char *symbol, void **function,
                                        int version, uint64_t flags,
                                        int *status);

namespace {

struct Emulator {
  Api api;
  Emulator() {
#define LOOM_RESOLVE(name, params)                                             \
  cuGetProcAddress_v2(#name, reinterpret_cast<void **>(&api.name),             \
                      kApiVersion, 0, nullptr);
    LOOM_CUDA_ENTRIES(LOOM_RESOLVE)
#undef LOOM_RESOLVE
    api.cuInit(0);
  }
  CUstream stream() {
    CUstream s = nullptr;
    EXPECT_EQ(api.cuStreamCreate(&s, 0), CUDA_SUCCESS);
    return s;
  }
  CUdeviceptr alloc(size_t bytes) {
    CUdeviceptr p = 0;
    EXPECT_EQ(api.cuMemAlloc(&p, bytes), CUDA_SUCCESS);
    return p;
  }
  int32_t *pinned(size_t count) {
    void *p = nullptr;
    EXPECT_EQ(api.cuMemHostAlloc(&p, count * sizeof(int32_t), 0), CUDA_SUCCESS);
    return static_cast<int32_t *>(p);
  }
};

Emulator &emu() {
  static Emulator e;
  return e;
}

TEST(EmulatedStreams, PinnedCopiesRunWhenTheHostWaits) {
  Api &api = emu().api;
  CUstream s = emu().stream();
  CUdeviceptr d = emu().alloc(16);
  int32_t *host = emu().pinned(4);
  for (int i = 0; i < 4; ++i)
    host[i] = i + 1;
  ASSERT_EQ(api.cuMemcpyHtoDAsync(d, host, 16, s), CUDA_SUCCESS);
  // Pinned memory is read when the copy runs: what the host writes before
  // it waits is what the device gets.
  host[0] = 42;
  int32_t *back = emu().pinned(4);
  ASSERT_EQ(api.cuMemcpyDtoHAsync(back, d, 16, s), CUDA_SUCCESS);
  // Not copied yet: the poison a missing wait would read.
  EXPECT_EQ(static_cast<uint32_t>(back[1]), 0xA5A5A5A5u);
  ASSERT_EQ(api.cuStreamSynchronize(s), CUDA_SUCCESS);
  EXPECT_EQ(back[0], 42);
  EXPECT_EQ(back[3], 4);
  api.cuMemFreeHost(host);
  api.cuMemFreeHost(back);
  api.cuMemFree(d);
  api.cuStreamDestroy(s);
}

TEST(EmulatedStreams, PageableCopiesAreStagedAndWaitedFor) {
  Api &api = emu().api;
  CUstream s = emu().stream();
  CUdeviceptr d = emu().alloc(16);
  std::vector<int32_t> host = {1, 2, 3, 4}, back(4, 0);
  ASSERT_EQ(api.cuMemcpyHtoDAsync(d, host.data(), 16, s), CUDA_SUCCESS);
  host[0] = 42; // staged when queued, as CUDA does: the device gets 1
  // To pageable memory the copy returns when it is done.
  ASSERT_EQ(api.cuMemcpyDtoHAsync(back.data(), d, 16, s), CUDA_SUCCESS);
  EXPECT_EQ(back, (std::vector<int32_t>{1, 2, 3, 4}));
  api.cuMemFree(d);
  api.cuStreamDestroy(s);
}

TEST(EmulatedStreams, AnEventOrdersOneStreamAfterAnother) {
  Api &api = emu().api;
  CUstream producer = emu().stream(), consumer = emu().stream();
  CUevent done = nullptr;
  ASSERT_EQ(api.cuEventCreate(&done, CU_EVENT_DISABLE_TIMING), CUDA_SUCCESS);
  CUdeviceptr a = emu().alloc(16), b = emu().alloc(16);
  std::vector<int32_t> values = {5, 6, 7, 8}, back(4, 0);
  ASSERT_EQ(api.cuMemcpyHtoDAsync(a, values.data(), 16, producer),
            CUDA_SUCCESS);
  ASSERT_EQ(api.cuEventRecord(done, producer), CUDA_SUCCESS);
  ASSERT_EQ(api.cuStreamWaitEvent(consumer, done, 0), CUDA_SUCCESS);
  // Ordered after the upload: no hazard, and the copy sees its data even
  // though the host never waited for the producer.
  ASSERT_EQ(api.cuMemcpyDtoDAsync(b, a, 16, consumer), CUDA_SUCCESS);
  ASSERT_EQ(api.cuMemcpyDtoHAsync(back.data(), b, 16, consumer), CUDA_SUCCESS);
  EXPECT_EQ(back, values);
  EXPECT_EQ(api.cuEventSynchronize(done), CUDA_SUCCESS);
  api.cuEventDestroy(done);
  api.cuMemFree(a);
  api.cuMemFree(b);
  api.cuStreamDestroy(producer);
  api.cuStreamDestroy(consumer);
}

TEST(EmulatedStreams, AMissingEventWaitIsAHazard) {
  Api &api = emu().api;
  CUstream producer = emu().stream(), consumer = emu().stream();
  CUdeviceptr a = emu().alloc(16), b = emu().alloc(16);
  std::vector<int32_t> values = {5, 6, 7, 8};
  ASSERT_EQ(api.cuMemcpyHtoDAsync(a, values.data(), 16, producer),
            CUDA_SUCCESS);
  // The consumer reads `a` with nothing ordering it after the upload.
  EXPECT_EQ(api.cuMemcpyDtoDAsync(b, a, 16, consumer),
            CUDA_ERROR_ILLEGAL_STATE);
  // Once the host has waited for the producer, the same copy is ordered.
  ASSERT_EQ(api.cuStreamSynchronize(producer), CUDA_SUCCESS);
  EXPECT_EQ(api.cuMemcpyDtoDAsync(b, a, 16, consumer), CUDA_SUCCESS);
  EXPECT_EQ(api.cuStreamSynchronize(consumer), CUDA_SUCCESS);
  api.cuMemFree(a);
  api.cuMemFree(b);
  api.cuStreamDestroy(producer);
  api.cuStreamDestroy(consumer);
}

TEST(EmulatedStreams, StreamOrderedMemoryBelongsToItsStream) {
  Api &api = emu().api;
  CUstream s = emu().stream(), other = emu().stream();
  CUdeviceptr p = 0, q = emu().alloc(16);
  ASSERT_EQ(api.cuMemAllocAsync(&p, 16, s), CUDA_SUCCESS);
  ASSERT_EQ(api.cuMemsetD8Async(p, 7, 16, s), CUDA_SUCCESS);
  // Another stream may not use it unordered...
  EXPECT_EQ(api.cuMemcpyDtoDAsync(q, p, 16, other), CUDA_ERROR_ILLEGAL_STATE);
  // ...and its free runs in its stream's order, after the memset.
  ASSERT_EQ(api.cuMemFreeAsync(p, s), CUDA_SUCCESS);
  EXPECT_EQ(api.cuStreamSynchronize(s), CUDA_SUCCESS);
  // Freed: no longer device memory anything may copy.
  std::vector<char> back(16);
  EXPECT_EQ(api.cuMemcpyDtoHAsync(back.data(), p, 16, s),
            CUDA_ERROR_INVALID_VALUE);
  api.cuMemFree(q);
  api.cuStreamDestroy(s);
  api.cuStreamDestroy(other);
}

} // namespace
