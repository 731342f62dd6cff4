//===- DeviceRates.cpp - loom-calibrate --device: a GPU's constants -------===//
//
// Part of Loom. What loom-calibrate --device=cuda measures, through the
// calls a CUDA model makes, inside a run of the run guard: the rate of f32
// products on cuBLASLt (the median of products of n^3, each waited for),
// and the latency of one collective on NCCL (a boxing P -> B of one float:
// an all-reduce, waited for), which with one rank is NCCL's launch
// latency; with several ranks, the bandwidth of an all-gather of 4 MiB per
// rank (S(0) -> B), the bytes the ring sends over its time less the
// latency. On the emulated device the figures mean nothing (it computes on
// the CPU); the calls are the GPU's.
//
//===----------------------------------------------------------------------===//

#include "DeviceRates.h"

#include "runtime/src/Boxing.h"
#include "runtime/src/MemRef.h"
#include "runtime/src/RuntimeInternal.h"
#include "runtime/src/cuda/GpuDevice.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace loom::cuda;
using loom::runtime::MemRef;

extern "C" {
int32_t loom_rt_invoke(loom_run_context *context, void (*body)(void *),
                       void *closure);
void _mlir_ciface_loom_gpu_matmul_f32(MemRef<2> *lhs, MemRef<2> *rhs,
                                      MemRef<1> *bias, MemRef<2> *init,
                                      int64_t flags, float alpha,
                                      const char *site);
void _mlir_ciface_loom_gpu_box_f32(loom::comm::UnrankedMemRef *input,
                                   loom::comm::UnrankedMemRef *init,
                                   int64_t meshAxis, int64_t mesh0,
                                   int64_t mesh1, int64_t fromKind,
                                   int64_t fromAxis, int64_t fromReduction,
                                   int64_t toKind, int64_t toAxis,
                                   int64_t toReduction);
}

namespace {

struct Measure {
  const DeviceRateOptions *options;
  DeviceRates *rates;
};

/// The median seconds of `runs` calls of `fn`, each waited for.
template <typename Fn>
double median(int runs, Fn fn) {
  Device &device = getDevice();
  std::vector<double> times;
  for (int i = 0; i <= runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    fn();
    std::string why;
    check(waitStream(device, runStream(), why), "a measured call");
    if (i > 0) // the first warms up
      times.push_back(std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2,
                   times.end());
  return times[times.size() / 2];
}

float *deviceFloats(int64_t count, float value) {
  Device &device = getDevice();
  CUdeviceptr p = 0;
  check(device.api.cuMemAlloc(&p, count * sizeof(float)), "cuMemAlloc");
  std::vector<float> host(count, value);
  check(device.api.cuMemcpyHtoDAsync(p, host.data(), count * sizeof(float),
                                     runStream()),
        "cuMemcpyHtoDAsync");
  std::string why;
  check(waitStream(device, runStream(), why), "an upload");
  return reinterpret_cast<float *>(p);
}

/// A box call of compiled code on one float, or `count` per rank.
double boxSeconds(int runs, int size, int64_t count, bool gather) {
  float *in = deviceFloats(count, 1.0f);
  float *out = deviceFloats(gather ? count * size : count, 0.0f);
  int64_t inDesc[5] = {int64_t(in), int64_t(in), 0, count, 1};
  int64_t outDesc[5] = {int64_t(out), int64_t(out), 0,
                        gather ? count * size : count, 1};
  loom::comm::UnrankedMemRef input{1, inDesc}, init{1, outDesc};
  // P(sum) -> B (an all-reduce), or S(0) -> B (an all-gather).
  int64_t fromKind = gather ? LOOM_SBP_SPLIT : LOOM_SBP_PARTIAL;
  double seconds = median(runs, [&] {
    _mlir_ciface_loom_gpu_box_f32(&input, &init, 0, size, 1, fromKind, 0,
                                  LOOM_REDUCE_SUM, LOOM_SBP_BROADCAST, 0,
                                  LOOM_REDUCE_SUM);
  });
  getDevice().api.cuMemFree(reinterpret_cast<CUdeviceptr>(in));
  getDevice().api.cuMemFree(reinterpret_cast<CUdeviceptr>(out));
  return seconds;
}

void measure(void *closure) {
  auto *m = static_cast<Measure *>(closure);
  const DeviceRateOptions &o = *m->options;
  int64_t n = o.matrix;
  float *a = deviceFloats(n * n, 0.5f), *b = deviceFloats(n * n, 0.25f),
        *c = deviceFloats(n * n, 0.0f);
  MemRef<2> da = {a, a, 0, {n, n}, {n, 1}}, db = {b, b, 0, {n, n}, {n, 1}},
            dc = {c, c, 0, {n, n}, {n, 1}};
  MemRef<1> noBias = {nullptr, nullptr, 0, {0}, {1}};
  double seconds = median(o.runs, [&] {
    _mlir_ciface_loom_gpu_matmul_f32(&da, &db, &noBias, &dc, 0, 1.0f,
                                     "loom-calibrate's product");
  });
  m->rates->flops = 2.0 * n * n * n / seconds;
  for (float *p : {a, b, c})
    getDevice().api.cuMemFree(reinterpret_cast<CUdeviceptr>(p));
  if (o.ranks < 1)
    return;
  m->rates->latency = boxSeconds(o.runs * 4, o.ranks, 1, false);
  if (o.ranks > 1) {
    int64_t count = o.gatherFloats;
    uint64_t before = loom_box_bytes_sent();
    double gather = boxSeconds(o.runs, o.ranks, count, true);
    double sent =
        static_cast<double>(loom_box_bytes_sent() - before) / (o.runs + 1);
    m->rates->bandwidth = sent / std::max(gather - m->rates->latency, 1e-9);
  }
}

} // namespace

bool measureDevice(const DeviceRateOptions &options, DeviceRates &rates,
                   std::string &error) {
  const loom_device_api *api = loom_model_device_api();
  char message[1024] = "";
  // cuBLASLt, and NCCL when the collectives are measured.
  if (api->open(options.kind, options.ordinal, "sm_70", message,
                sizeof(message)) != LOOM_OK ||
      api->load_libraries(options.ranks > 0 ? "cublaslt,nccl" : "cublaslt",
                          message, sizeof(message)) != LOOM_OK) {
    error = message;
    return false;
  }
  rates.name = getDevice().description;
  loom_error_record record{};
  loom_run_context c{};
  c.abi_version = LOOM_ABI_VERSION;
  c.struct_size = sizeof(c);
  c.error = &record;
  c.device_kind = options.kind;
  c.device_ordinal = options.ordinal;
  Measure m{&options, &rates};
  if (loom_rt_invoke(&c, measure, &m) != LOOM_OK) {
    error = record.message;
    return false;
  }
  return true;
}
