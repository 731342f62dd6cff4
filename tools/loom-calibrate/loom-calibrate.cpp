//===- loom-calibrate.cpp - Measure the SBP cost model's constants --------===//
//
// Part of Loom. The cost model sbp-derive plans with has three constants:
// the flop rate of compute, the fixed cost of a collective and the
// bandwidth a rank sends at. This tool measures them on the machine it runs
// on and prints the loomc flags that plan with them:
//
//   loom-calibrate [--threads T] [--quick]           compute only
//   loom-run -n N loom-calibrate [--threads T]       and the collectives
//   [loom-run -n N] loom-calibrate --device=cuda     a GPU's (DeviceRates.cpp)
//
// Compute: the median time of f32 matrix products (the kernel library's
// kernel.matmul, as compiled models call it) of 256^3 and 512^3, on T
// threads (default 1, as each rank of loom-run -n runs). Collectives, on
// every rank of the job: the median time of an all-reduce of one float
// (the latency: no bytes to speak of) and of an all-gather of 4 MiB per
// rank (bytes sent per rank over that time less the latency: the
// bandwidth). Rank 0 prints; every rank takes part.
//
//===----------------------------------------------------------------------===//

#include "DeviceRates.h"
#include "loom/abi.h"
#include "loom/collectives.h"
#include "runtime/src/Kernels.h"

#include <string>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

namespace {

using MemRef2 = loom::runtime::MemRef<2>;

MemRef2 describe(std::vector<float> &data, int64_t rows, int64_t cols) {
  return {data.data(), data.data(), 0, {rows, cols}, {cols, 1}};
}

} // namespace

namespace {

/// The median seconds of `runs` calls of `fn` (after one warm-up call).
double medianSeconds(int runs, const std::function<void()> &fn) {
  fn();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    fn();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2,
                   times.end());
  return times[times.size() / 2];
}

/// Flop/s of an n x n x n f32 product.
double matmulRate(int64_t n, int runs) {
  std::vector<float> a(n * n, 0.5f), b(n * n, 0.25f), c(n * n);
  MemRef2 da = describe(a, n, n), db = describe(b, n, n),
          dc = describe(c, n, n);
  loom::runtime::MemRef<1> noBias = {nullptr, nullptr, 0, {0}, {1}};
  double seconds = medianSeconds(runs, [&] {
    _mlir_ciface_loom_kernel_matmul_f32(&da, &db, &noBias, &dc, 0, 1.0f);
  });
  return 2.0 * n * n * n / seconds;
}

int fail(loom_comm *comm) {
  std::fprintf(stderr, "loom-calibrate: %s\n", loom_comm_error(comm));
  return 1;
}

} // namespace

/// "cuda", "cuda:N", "emulated" or "emulated:N" into `o`.
bool parseDevice(const std::string &text, DeviceRateOptions &o) {
  size_t colon = text.find(':');
  std::string kind = text.substr(0, colon);
  if (kind != "cuda" && kind != "emulated")
    return false;
  o.kind = kind == "cuda" ? LOOM_DEVICE_CUDA : LOOM_DEVICE_EMULATED;
  if (colon == std::string::npos) {
    // A rank of a job takes its local rank's device.
    const char *local = std::getenv("LOOM_LOCAL_RANK");
    o.ordinal = local ? std::atoi(local) : 0;
    return true;
  }
  std::string n = text.substr(colon + 1);
  if (n.empty() || n.size() > 4 ||
      n.find_first_not_of("0123456789") != std::string::npos)
    return false;
  o.ordinal = std::atoi(n.c_str());
  return true;
}

/// loom-calibrate --device: the GPU's constants, rank 0 prints.
int calibrateDevice(DeviceRateOptions &o, bool quick) {
  if (quick) {
    o.matrix = 64;
    o.runs = 3;
    o.gatherFloats = 1 << 12;
  }
  const char *world = std::getenv("LOOM_WORLD_SIZE");
  if (!world)
    world = std::getenv("OMPI_COMM_WORLD_SIZE");
  o.ranks = world ? std::atoi(world) : 0;
  DeviceRates rates;
  std::string error;
  if (!measureDevice(o, rates, error)) {
    std::fprintf(stderr, "loom-calibrate: %s\n", error.c_str());
    return 1;
  }
  const char *rank = std::getenv("LOOM_RANK");
  if (rank && std::atoi(rank) != 0)
    return 0;
  std::printf("device: %s%s\n", rates.name.c_str(),
              o.kind == LOOM_DEVICE_EMULATED
                  ? " (its figures are not a GPU's: it computes on the CPU)"
                  : "");
  std::printf("compute: %.3e flop/s (cuBLASLt f32 products of %lld^3)\n",
              rates.flops, static_cast<long long>(o.matrix));
  if (o.ranks < 1) {
    std::printf("loomc flags: --sbp-flops=%.3e (run under loom-run -n N to "
                "measure NCCL too)\n",
                rates.flops);
    return 0;
  }
  std::printf("collective latency: %.3e s (NCCL all-reduce of one float on "
              "%d rank(s)%s)\n",
              rates.latency, o.ranks,
              o.ranks == 1 ? ": NCCL's launch latency" : "");
  if (o.ranks == 1) {
    std::printf("loomc flags: --sbp-flops=%.3e --sbp-collective-latency=%.3e "
                "(one rank: no link to measure; --sbp-link=nvlink4 and the "
                "like give published figures)\n",
                rates.flops, rates.latency);
    return 0;
  }
  std::printf("link bandwidth: %.3e bytes/s (NCCL all-gather, per rank)\n",
              rates.bandwidth);
  std::printf("loomc flags: --sbp-flops=%.3e --sbp-link-bandwidth=%.3e "
              "--sbp-collective-latency=%.3e\n",
              rates.flops, rates.bandwidth, rates.latency);
  return 0;
}

int main(int argc, char **argv) {
  int threads = 1;
  bool quick = false;
  DeviceRateOptions device;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--device=", 0) == 0 || (arg == "--device" && i + 1 < argc)) {
      std::string value = arg == "--device" ? argv[++i] : arg.substr(9);
      if (!parseDevice(value, device)) {
        std::fprintf(stderr,
                     "loom-calibrate: error: --device %s: expected cuda, "
                     "cuda:N, emulated or emulated:N\n",
                     value.c_str());
        return 2;
      }
    } else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      std::printf(
          "usage: loom-calibrate [--threads T] [--quick]\n"
          "       loom-run -n N loom-calibrate [--threads T] [--quick]\n"
          "       [loom-run -n N] loom-calibrate --device=D [--quick]\n"
          "\n"
          "Measures the SBP cost model's constants on this machine and prints\n"
          "the loomc flags that use them: the kernels' matrix-product rate\n"
          "(--sbp-flops) and, under loom-run -n N (or mpirun), the latency of\n"
          "one collective (--sbp-collective-latency) and the ring "
          "all-gather's\n"
          "bandwidth (--sbp-link-bandwidth).\n"
          "  --device D   a GPU's constants instead (cuda, cuda:N, emulated,\n"
          "               emulated:N): cuBLASLt's f32 product rate and,\n"
          "               under loom-run -n N, NCCL's latency (with one rank,\n"
          "               its launch latency) and bandwidth\n"
          "  --threads T  kernel threads per rank (default 1)\n"
          "  --quick      fewer and smaller repetitions (for tests)\n"
          "  --help       print this and exit\n");
      return 0;
    } else {
      std::fprintf(stderr,
                   "loom-calibrate: error: unexpected argument '%s' (usage: "
                   "loom-calibrate [--threads T] [--quick]; see --help)\n",
                   argv[i]);
      return 2;
    }
  }
  if (threads < 1) {
    std::fprintf(stderr, "loom-calibrate: error: --threads must be positive\n");
    return 2;
  }
  if (device.kind != 0)
    return calibrateDevice(device, quick);
  loom_kernels_set_num_threads(threads);
  int runs = quick ? 3 : 15;
  // The better of two sizes: small products underuse the kernels.
  double flops = std::max(matmulRate(256, runs),
                          matmulRate(quick ? 256 : 512, quick ? 3 : 7));

  double latency = 0, bandwidth = 0;
  int size = 1, rank = 0;
  if (std::getenv("LOOM_RANK") || std::getenv("OMPI_COMM_WORLD_RANK")) {
    char error[512];
    loom_comm *comm = loom_comm_join(error, sizeof(error));
    if (!comm) {
      std::fprintf(stderr, "loom-calibrate: %s\n", error);
      return 1;
    }
    size = loom_comm_size(comm);
    rank = loom_comm_rank(comm);
    if (size > 1) {
      int status = 0;
      float one = 1;
      // Every rank runs the same calls: the medians agree up to noise, and
      // rank 0's are reported.
      latency = medianSeconds(quick ? 20 : 200, [&] {
        status |= loom_comm_all_reduce(comm, nullptr, 0, &one, 1,
                                       LOOM_DTYPE_F32, LOOM_REDUCE_SUM);
      });
      int64_t count = (quick ? 1 : 4) << 18; // floats per rank: 1 or 4 MiB
      std::vector<float> in(count, 1.0f), out(count * size);
      loom_comm_reset_bytes(comm);
      double seconds = medianSeconds(quick ? 3 : 9, [&] {
        status |= loom_comm_all_gather(comm, nullptr, 0, in.data(), out.data(),
                                       count, LOOM_DTYPE_F32);
      });
      double sent = static_cast<double>(loom_comm_bytes_sent(comm)) /
                    ((quick ? 3 : 9) + 1);
      bandwidth = sent / std::max(seconds - latency, 1e-9);
      status |= loom_comm_barrier(comm, nullptr, 0);
      if (status)
        return fail(comm);
    }
    loom_comm_destroy(comm);
  }
  if (rank != 0)
    return 0;
  std::printf("compute: %.3e flop/s (f32 matrix products, %d thread(s))\n",
              flops, threads);
  if (size > 1) {
    std::printf("collective latency: %.3e s (all-reduce of one float on %d "
                "ranks)\n",
                latency, size);
    std::printf("link bandwidth: %.3e bytes/s (ring all-gather, per rank)\n",
                bandwidth);
    std::printf("loomc flags: --sbp-flops=%.3e --sbp-link-bandwidth=%.3e "
                "--sbp-collective-latency=%.3e\n",
                flops, bandwidth, latency);
  } else {
    std::printf("loomc flags: --sbp-flops=%.3e (run under loom-run -n N to "
                "measure the collectives too)\n",
                flops);
  }
  return 0;
}
