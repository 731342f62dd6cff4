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
//
// --die makes that rank exit (code 3) before any collective, --hang makes
// it sleep instead: the others must then fail with a clear error.
//
//===----------------------------------------------------------------------===//

#include "ToC.h"
#include "dialects/sbp/Transforms/CostModel.h"
#include "loom/collectives.h"

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

int main(int argc, char **argv) {
  int64_t rows = 8, cols = 12;
  int die = -1, hang = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows"))
      rows = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--cols"))
      cols = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--die"))
      die = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--hang"))
      hang = std::atoi(argv[i + 1]);
  }
  char error[512];
  loom_comm *comm = loom_comm_join(error, sizeof(error));
  if (!comm) {
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
        if (loom_comm_box(comm, nullptr, 0, in.data(), out.data(), shape, 2,
                          dtype, toC(from), toC(to))) {
          std::fprintf(stderr, "loom-boxing-check: %s\n",
                       loom_comm_error(comm));
          return 1;
        }
        // The mean over the ranks (uneven parts make them differ).
        double sent = static_cast<double>(loom_comm_bytes_sent(comm));
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
  loom_comm_destroy(comm);
  return worst == 0 ? 0 : 1;
}
