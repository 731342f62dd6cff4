//===- boxing-check.cpp - The boxing conformance matrix, on every rank ----===//
//
// Part of Loom. Run as `loom-run -n N loom-boxing-check`: for every pair of
// layouts in {S(0), S(1), B, P(sum), P(max)} and every dtype (f32, f64,
// i32, i64) it
// builds a rank's part of a known 2-D tensor under the first layout, boxes
// it with loom_comm_box, and compares the result with the part the second
// layout gives (bit-exact: the values are small integers, so sums are
// exact). Dims need not divide by the ranks (uneven splits are balanced:
// loom_split_part). It also checks that the bytes the ranks sent equal the
// bytes the cost model predicts (sbp::getBoxing, ring volumes; a mean over
// the ranks, exact summed over them). Rank 0 prints one line
// per pair and a summary; the exit code is non-zero on any failure.
//
//   loom-boxing-check [--rows R] [--cols C] [--die RANK] [--hang RANK]
//                     [--device cuda|emulated]
//
// --die makes that rank exit (code 3) before any collective, --hang makes
// it sleep instead: the others must then fail with a clear error.
// --device boxes device memory through NCCL instead (what a CUDA model's
// kernel.box calls, runtime/src/cuda/GpuBox.cpp), each rank on the device
// of its local rank, inside a run of the run guard; the bytes are those
// the NCCL transport counts (the ring volumes the cost model predicts).
//
//===----------------------------------------------------------------------===//

#include "ToC.h"
#include "dialects/sbp/Transforms/CostModel.h"
#include "loom/collectives.h"
#include "runtime/src/Boxing.h"
#include "runtime/src/RuntimeInternal.h"
#include "runtime/src/cuda/GpuDevice.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

/// The logical tensor: small integers, different per element.
double valueAt(int64_t i) { return static_cast<double>((i * 7) % 23 - 11); }

/// This rank's part of the logical tensor under `sbp`, as doubles.
std::vector<double> partOf(const loom::sbp::Sbp &sbp, int64_t rows,
                           int64_t cols, int rank, int size) {
  std::vector<double> part;
  if (sbp.isSplit()) {
    int64_t r0 = 0, r1 = rows, c0 = 0, c1 = cols;
    if (sbp.axis == 0) {
      int64_t n = loom_split_part(rows, size, rank, &r0);
      r1 = r0 + n;
    } else {
      int64_t n = loom_split_part(cols, size, rank, &c0);
      c1 = c0 + n;
    }
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t c = c0; c < c1; ++c)
        part.push_back(valueAt(r * cols + c));
    return part;
  }
  // Partial sums: ranks but the last hold rank % 3, the last the rest.
  // Partial maxima: rank i % size holds the value, the others less.
  double others = 0;
  for (int r = 0; r < size - 1; ++r)
    others += r % 3;
  for (int64_t i = 0; i < rows * cols; ++i) {
    double v = valueAt(i);
    if (sbp.isPartial() && sbp.reduction == loom::sbp::Reduction::Sum)
      v = rank == size - 1 ? v - others : rank % 3;
    else if (sbp.isPartial())
      v = rank == static_cast<int>(i % size) ? v : v - 1 - rank;
    part.push_back(v);
  }
  return part;
}

/// Whether `got` is this rank's part under `to`: exact for B and S; for P,
/// whether reducing every rank's part gives the tensor (checked through an
/// all-reduce of the result).
bool matches(loom_comm *comm, const std::vector<double> &got,
             const loom::sbp::Sbp &to, int64_t rows, int64_t cols) {
  int rank = loom_comm_rank(comm), size = loom_comm_size(comm);
  if (!to.isPartial())
    return got == partOf(to, rows, cols, rank, size);
  std::vector<double> reduced(got);
  if (loom_comm_all_reduce(comm, nullptr, 0, reduced.data(), reduced.size(),
                           LOOM_DTYPE_F64,
                           static_cast<loom_reduction>(to.reduction)))
    return false;
  for (int64_t i = 0; i < rows * cols; ++i)
    if (reduced[i] != valueAt(i))
      return false;
  return true;
}

} // namespace

extern "C" {
int32_t loom_rt_invoke(loom_run_context *context, void (*body)(void *),
                       void *closure);
#define LOOM_GPU_BOX(SUFFIX)                                                   \
  void _mlir_ciface_loom_gpu_box_##SUFFIX(                                     \
      loom::comm::UnrankedMemRef *, loom::comm::UnrankedMemRef *, int64_t,     \
      int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);
LOOM_GPU_BOX(f32)
LOOM_GPU_BOX(f64)
LOOM_GPU_BOX(i32)
LOOM_GPU_BOX(i64)
#undef LOOM_GPU_BOX
}

namespace {

/// A box call of compiled code on the device, in a run.
struct DeviceBox {
  std::vector<char> *in, *out;
  int64_t rows, cols, local[2], size;
  loom_dtype dtype;
  loom_sbp from, to;

  static void run(void *closure) {
    auto *b = static_cast<DeviceBox *>(closure);
    loom::cuda::Device &d = loom::cuda::getDevice();
    loom::cuda::CUstream stream = loom::cuda::runStream();
    auto upload = [&](const std::vector<char> &bytes) {
      loom::cuda::CUdeviceptr p = 0;
      d.api.cuMemAlloc(&p, std::max<size_t>(bytes.size(), 1));
      d.api.cuMemcpyHtoDAsync(p, bytes.data(), bytes.size(), stream);
      return p;
    };
    loom::cuda::CUdeviceptr in = upload(*b->in), out = upload(*b->out);
    // Descriptors: allocated, aligned, offset, sizes, strides.
    int64_t inSizes[2] = {b->rows, b->cols};
    loom_sbp_local_shape(b->from, inSizes, 2, b->size,
                         loom_comm_rank(loom_box_comm(b->size)), inSizes);
    int64_t inDesc[7] = {int64_t(in), int64_t(in), 0, inSizes[0],
                         inSizes[1],  inSizes[1],  1};
    int64_t outDesc[7] = {int64_t(out), int64_t(out), 0, b->local[0],
                          b->local[1],  b->local[1],  1};
    loom::comm::UnrankedMemRef input{2, inDesc}, init{2, outDesc};
    int64_t scalars[6] = {b->from.kind, b->from.axis, b->from.reduction,
                          b->to.kind,   b->to.axis,   b->to.reduction};
    auto call = b->dtype == LOOM_DTYPE_F32   ? _mlir_ciface_loom_gpu_box_f32
                : b->dtype == LOOM_DTYPE_F64 ? _mlir_ciface_loom_gpu_box_f64
                : b->dtype == LOOM_DTYPE_I32 ? _mlir_ciface_loom_gpu_box_i32
                                             : _mlir_ciface_loom_gpu_box_i64;
    call(&input, &init, 0, b->size, 1, scalars[0], scalars[1], scalars[2],
         scalars[3], scalars[4], scalars[5]);
    d.api.cuMemcpyDtoHAsync(b->out->data(), out, b->out->size(), stream);
    std::string why;
    loom::cuda::waitStream(d, stream, why);
    d.api.cuMemFree(in);
    d.api.cuMemFree(out);
  }
};

/// Boxes on the device; 0, or 1 with the run's error on stderr.
int boxOnDevice(DeviceBox &box, int32_t kind, int ordinal) {
  loom_error_record record{};
  loom_run_context c{};
  c.abi_version = LOOM_ABI_VERSION;
  c.struct_size = sizeof(c);
  c.error = &record;
  c.device_kind = kind;
  c.device_ordinal = ordinal;
  if (loom_rt_invoke(&c, DeviceBox::run, &box) == LOOM_OK)
    return 0;
  std::fprintf(stderr, "loom-boxing-check: %s\n", record.message);
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  int64_t rows = 8, cols = 12;
  int die = -1, hang = -1;
  int32_t device = LOOM_DEVICE_CPU;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows"))
      rows = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--cols"))
      cols = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--die"))
      die = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--hang"))
      hang = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--device"))
      device = !std::strcmp(argv[i + 1], "cuda") ? LOOM_DEVICE_CUDA
                                                 : LOOM_DEVICE_EMULATED;
  }
  char error[512];
  // On a device, the job compiled code joins (one communicator a process).
  loom_comm *comm = nullptr;
  const char *world = std::getenv("LOOM_WORLD_SIZE");
  if (device != LOOM_DEVICE_CPU && world)
    comm = loom_box_comm(std::atoi(world));
  else
    comm = loom_comm_join(error, sizeof(error));
  if (!comm) {
    std::fprintf(stderr, "loom-boxing-check: %s\n", error);
    return 1;
  }
  const char *local = std::getenv("LOOM_LOCAL_RANK");
  int ordinal = local ? std::atoi(local) : 0;
  if (device != LOOM_DEVICE_CPU &&
      loom_model_device_api()->open(device, ordinal, "sm_80", error,
                                    sizeof(error)) != LOOM_OK) {
    std::fprintf(stderr, "loom-boxing-check: %s\n", error);
    return 1;
  }
  int rank = loom_comm_rank(comm), size = loom_comm_size(comm);
  if (rank == die)
    return 3;
  if (rank == hang)
    std::this_thread::sleep_for(std::chrono::hours(1));
  using loom::sbp::Sbp;
  const Sbp layouts[] = {Sbp::split(0), Sbp::split(1), Sbp::broadcast(),
                         Sbp::partial(loom::sbp::Reduction::Sum),
                         Sbp::partial(loom::sbp::Reduction::Max)};
  int failures = 0, pairs = 0;
  for (loom_dtype dtype :
       {LOOM_DTYPE_F32, LOOM_DTYPE_F64, LOOM_DTYPE_I32, LOOM_DTYPE_I64})
    for (const Sbp &from : layouts)
      for (const Sbp &to : layouts) {
        std::vector<double> part = partOf(from, rows, cols, rank, size);
        std::vector<char> in = encode(part, dtype);
        int64_t shape[2] = {rows, cols}, local[2];
        loom_sbp_local_shape(toC(to), shape, 2, size, rank, local);
        std::vector<char> out(local[0] * local[1] * loom_dtype_size(dtype));
        loom_comm_reset_bytes(comm);
        uint64_t before = loom_box_bytes_sent();
        if (device != LOOM_DEVICE_CPU) {
          DeviceBox box{&in,  &out,  rows,      cols,   {local[0], local[1]},
                        size, dtype, toC(from), toC(to)};
          if (boxOnDevice(box, device, ordinal))
            return 1;
        } else if (loom_comm_box(comm, nullptr, 0, in.data(), out.data(), shape,
                                 2, dtype, toC(from), toC(to))) {
          std::fprintf(stderr, "loom-boxing-check: %s\n",
                       loom_comm_error(comm));
          return 1;
        }
        // The mean over the ranks (uneven parts make them differ).
        double sent = static_cast<double>(device != LOOM_DEVICE_CPU
                                              ? loom_box_bytes_sent() - before
                                              : loom_comm_bytes_sent(comm));
        if (loom_comm_all_reduce(comm, nullptr, 0, &sent, 1, LOOM_DTYPE_F64,
                                 LOOM_REDUCE_SUM)) {
          std::fprintf(stderr, "loom-boxing-check: %s\n",
                       loom_comm_error(comm));
          return 1;
        }
        sent /= size;
        double predicted = 0;
        for (const loom::sbp::Collective &c : loom::sbp::getBoxing(
                 {from}, {to}, {rows, cols},
                 static_cast<int64_t>(loom_dtype_size(dtype)), {size}))
          predicted += c.bytes;
        std::vector<double> got = decode(out, dtype);
        bool ok = matches(comm, got, to, rows, cols);
        bool bytesOk = std::fabs(sent - predicted) * size < 0.5;
        ++pairs;
        failures += !ok || !bytesOk;
        if (rank == 0)
          std::printf("%s %s -> %s: %s, %g bytes sent, %g predicted%s\n",
                      loom_dtype_name(dtype), toString(from).c_str(),
                      toString(to).c_str(), ok ? "ok" : "WRONG", sent,
                      predicted, bytesOk ? "" : " (MISMATCH)");
      }
  // Every rank's verdict: the worst one decides.
  double worst = failures;
  if (loom_comm_all_reduce(comm, nullptr, 0, &worst, 1, LOOM_DTYPE_F64,
                           LOOM_REDUCE_MAX)) {
    std::fprintf(stderr, "loom-boxing-check: %s\n", loom_comm_error(comm));
    return 1;
  }
  // Nobody leaves (tearing down connections) before everybody is done.
  if (loom_comm_barrier(comm, nullptr, 0)) {
    std::fprintf(stderr, "loom-boxing-check: %s\n", loom_comm_error(comm));
    return 1;
  }
  if (rank == 0)
    std::printf("boxing on %d ranks: %d pairs, %s\n", size, pairs,
                worst == 0 ? "all correct, bytes as predicted" : "FAILURES");
  if (device == LOOM_DEVICE_CPU)
    loom_comm_destroy(comm);
  return worst == 0 ? 0 : 1;
}
