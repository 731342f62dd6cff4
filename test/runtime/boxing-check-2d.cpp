//===- boxing-check-2d.cpp - Boxing between nd-SBPs on a 2x2 mesh ---------===//
//
// Part of Loom. Run as `loom-run -n 4 loom-boxing-check-2d`: ranks form a
// 2x2 mesh (rank = 2 * i + j; axis 0 groups {j, 2 + j}, axis 1 groups
// {2i, 2i + 1}). For every pair of nd-SBPs over {S(0), S(1), B, P(sum)} on
// each axis (256 pairs) it converts a rank's part of a known f32 tensor
// one mesh axis at a time with loom_comm_box, as compiled code does, and
// checks the result (partial axes reduced first) and that the bytes sent
// equal the cost model's prediction. Rank 0 prints a summary.
//
//===----------------------------------------------------------------------===//

#include "ToC.h"
#include "dialects/sbp/Transforms/CostModel.h"
#include "loom/collectives.h"

#include <cstdio>
#include <cstring>
#include <vector>

using loom::sbp::NdSbp;
using loom::sbp::Sbp;

namespace {

/// A dense row-major matrix.
struct Part {
  std::vector<double> values;
  int64_t rows, cols;
};

/// `t` as member `member` of a group of 2 holds it under `sbp`.
Part apply(const Sbp &sbp, const Part &t, int member) {
  const int size = 2;
  if (sbp.isSplit()) {
    Part p{{}, t.rows, t.cols};
    int64_t r0 = 0, r1 = t.rows, c0 = 0, c1 = t.cols;
    if (sbp.axis == 0)
      p.rows /= size, r0 = member * p.rows, r1 = r0 + p.rows;
    else
      p.cols /= size, c0 = member * p.cols, c1 = c0 + p.cols;
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t c = c0; c < c1; ++c)
        p.values.push_back(t.values[r * t.cols + c]);
    return p;
  }
  Part p = t;
  if (sbp.isPartial()) // parts that sum to the value: 1 and v - 1
    for (double &v : p.values)
      v = member == 0 ? 1.0 : v - 1.0;
  return p;
}

/// The part rank (i, j) holds of `t` under `nd`.
Part partOf(const NdSbp &nd, const Part &t, int i, int j) {
  return apply(nd[1], apply(nd[0], t, i), j);
}

std::vector<float> toFloats(const std::vector<double> &v) {
  return std::vector<float>(v.begin(), v.end());
}

} // namespace

int main() {
  char error[512];
  loom_comm *comm = loom_comm_join(error, sizeof(error));
  if (!comm) {
    std::fprintf(stderr, "loom-boxing-check-2d: %s\n", error);
    return 1;
  }
  if (loom_comm_size(comm) != 4) {
    std::fprintf(stderr, "loom-boxing-check-2d: needs 4 ranks (a 2x2 mesh)\n");
    return 1;
  }
  int rank = loom_comm_rank(comm), i = rank / 2, j = rank % 2;
  int groups[2][2] = {{j, 2 + j}, {2 * i, 2 * i + 1}};
  Part tensor{{}, 8, 12};
  for (int64_t k = 0; k < 96; ++k)
    tensor.values.push_back(static_cast<double>((k * 7) % 23 - 11));
  const Sbp axisLayouts[] = {Sbp::split(0), Sbp::split(1), Sbp::broadcast(),
                             Sbp::partial()};
  std::vector<NdSbp> layouts;
  for (const Sbp &a : axisLayouts)
    for (const Sbp &b : axisLayouts)
      layouts.push_back({a, b});
  int pairs = 0, wrong = 0, mismatched = 0;
  for (const NdSbp &from : layouts)
    for (const NdSbp &to : layouts) {
      Part part = partOf(from, tensor, i, j);
      std::vector<float> data = toFloats(part.values);
      NdSbp current = from;
      loom_comm_reset_bytes(comm);
      for (const loom::sbp::BoxingStep &step :
           loom::sbp::planBoxing(from, to)) {
        int axis = static_cast<int>(step.axis);
        // The tensor as this axis sees it: the part, unsplit on the axis.
        int64_t shape[2] = {part.rows, part.cols};
        if (step.from.isSplit())
          shape[step.from.axis] *= 2;
        int64_t local[2];
        loom_sbp_local_shape(toC(step.to), shape, 2, 2, local);
        std::vector<float> out(local[0] * local[1]);
        if (loom_comm_box(comm, groups[axis], 2, data.data(), out.data(), shape,
                          2, LOOM_DTYPE_F32, toC(step.from), toC(step.to))) {
          std::fprintf(stderr, "loom-boxing-check-2d: %s\n",
                       loom_comm_error(comm));
          return 1;
        }
        data = std::move(out);
        part.rows = local[0];
        part.cols = local[1];
        current[axis] = step.to;
      }
      double sent = static_cast<double>(loom_comm_bytes_sent(comm));
      double predicted = 0;
      for (const loom::sbp::Collective &c :
           loom::sbp::getBoxing(from, to, {8, 12}, 4, {2, 2}))
        predicted += c.bytes;
      // Reduce partial axes, then compare with the broadcast there.
      NdSbp expected = to;
      for (int axis = 0; axis < 2; ++axis)
        if (to[axis].isPartial()) {
          if (loom_comm_all_reduce(comm, groups[axis], 2, data.data(),
                                   data.size(), LOOM_DTYPE_F32,
                                   LOOM_REDUCE_SUM)) {
            std::fprintf(stderr, "loom-boxing-check-2d: %s\n",
                         loom_comm_error(comm));
            return 1;
          }
          expected[axis] = Sbp::broadcast();
        }
      bool ok = data == toFloats(partOf(expected, tensor, i, j).values);
      bool bytesOk = sent == predicted;
      ++pairs;
      wrong += !ok;
      mismatched += !bytesOk;
      if (rank == 0 && (!ok || !bytesOk))
        std::printf("%s -> %s: %s, %.0f bytes sent, %.0f predicted\n",
                    toString(from).c_str(), toString(to).c_str(),
                    ok ? "ok" : "WRONG", sent, predicted);
    }
  double worst[2] = {static_cast<double>(wrong),
                     static_cast<double>(mismatched)};
  if (loom_comm_all_reduce(comm, nullptr, 0, worst, 2, LOOM_DTYPE_F64,
                           LOOM_REDUCE_MAX)) {
    std::fprintf(stderr, "loom-boxing-check-2d: %s\n", loom_comm_error(comm));
    return 1;
  }
  if (rank == 0)
    std::printf("boxing on a 2x2 mesh: %d pairs, %.0f wrong, %.0f with bytes "
                "other than predicted\n",
                pairs, worst[0], worst[1]);
  loom_comm_destroy(comm);
  return worst[0] == 0 && worst[1] == 0 ? 0 : 1;
}
