//===- boxing-check-2d.cpp - Boxing between nd-SBPs on a 2x2 mesh ---------===//
//
// Part of Loom. Run as `loom-run -n 4 loom-boxing-check-2d`: ranks form a
// 2x2 mesh (rank = 2 * i + j; axis 0 groups {j, 2 + j}, axis 1 groups
// {2i, 2i + 1}). For every pair of nd-SBPs over {S(0), S(1), B, P(sum)} on
// each axis, and P(max) (625 pairs), and each dtype (f32, f64, i32, i64;
// integers without layouts mixing P(sum) and P(max)) it converts a rank's
// part of a known tensor one mesh axis at a time with loom_comm_box,
// as compiled code does, and checks the result (partial axes reduced
// first) and that the bytes sent (summed over the ranks) equal the cost
// model's prediction. Dims need not divide (`--rows R --cols C`, default
// 8x12): splits are balanced, an inner axis splitting the outer one's
// part. Rank 0 prints a summary.
//
//===----------------------------------------------------------------------===//

#include "ToC.h"
#include "dialects/sbp/Transforms/CostModel.h"
#include "loom/collectives.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
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
  if (sbp.isSplit() && (sbp.axis == 0 ? t.rows : t.cols) < size)
    return Part{{}, sbp.axis == 0 ? 0 : t.rows, sbp.axis == 0 ? t.cols : 0};
  if (sbp.isSplit()) {
    Part p{{}, t.rows, t.cols};
    int64_t r0 = 0, r1 = t.rows, c0 = 0, c1 = t.cols;
    if (sbp.axis == 0) {
      p.rows = loom_split_part(t.rows, size, member, &r0);
      r1 = r0 + p.rows;
    } else {
      p.cols = loom_split_part(t.cols, size, member, &c0);
      c1 = c0 + p.cols;
    }
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t c = c0; c < c1; ++c)
        p.values.push_back(t.values[r * t.cols + c]);
    return p;
  }
  Part p = t;
  if (sbp.isPartial() && sbp.reduction == loom::sbp::Reduction::Sum)
    for (double &v : p.values) // parts that sum to the value: 1 and v - 1
      v = member == 0 ? 1.0 : v - 1.0;
  else if (sbp.isPartial()) // parts whose maximum is the value
    for (double &v : p.values)
      v = member == 0 ? v : v - 3.0;
  return p;
}

/// The part rank (i, j) holds of `t` under `nd`.
Part partOf(const NdSbp &nd, const Part &t, int i, int j) {
  return apply(nd[1], apply(nd[0], t, i), j);
}

} // namespace

int main(int argc, char **argv) {
  int64_t rows = 8, cols = 12;
  for (int a = 1; a + 1 < argc; a += 2) {
    if (!std::strcmp(argv[a], "--rows"))
      rows = std::atoll(argv[a + 1]);
    else if (!std::strcmp(argv[a], "--cols"))
      cols = std::atoll(argv[a + 1]);
  }
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
  auto failed = [&] {
    std::fprintf(stderr, "loom-boxing-check-2d: %s\n", loom_comm_error(comm));
    return 1;
  };
  int rank = loom_comm_rank(comm), i = rank / 2, j = rank % 2;
  int groups[2][2] = {{j, 2 + j}, {2 * i, 2 * i + 1}};
  Part tensor{{}, rows, cols};
  for (int64_t k = 0; k < rows * cols; ++k)
    tensor.values.push_back(static_cast<double>((k * 7) % 23 - 11));
  const Sbp axisLayouts[] = {Sbp::split(0), Sbp::split(1), Sbp::broadcast(),
                             Sbp::partial(),
                             Sbp::partial(loom::sbp::Reduction::Max)};
  std::vector<NdSbp> layouts;
  for (const Sbp &a : axisLayouts)
    for (const Sbp &b : axisLayouts)
      layouts.push_back({a, b});
  // Layouts that leave some rank no rows (a dim smaller than its devices)
  // are not plans sbp-derive makes, and boxing refuses them.
  auto legal = [&](const NdSbp &nd) {
    for (int a = 0; a < 2; ++a)
      for (int b = 0; b < 2; ++b) {
        Part p = partOf(nd, tensor, a, b);
        if (p.rows == 0 || p.cols == 0)
          return false;
      }
    return true;
  };
  llvm::erase_if(layouts, [&](const NdSbp &nd) { return !legal(nd); });
  // Integers have no infinity: the identity of P(max) (the lowest value)
  // summed over the other axis's P(sum) overflows. Conversions through a
  // layout that mixes them are not checked on integers (sbp-partition
  // refuses them).
  auto mixes = [](const NdSbp &from, const NdSbp &to) {
    NdSbp current = from;
    auto mixed = [](const NdSbp &nd) {
      return nd[0].isPartial() && nd[1].isPartial() &&
             nd[0].reduction != nd[1].reduction;
    };
    bool any = mixed(current);
    for (const loom::sbp::BoxingStep &step : loom::sbp::planBoxing(from, to)) {
      current[step.axis] = step.to;
      any |= mixed(current);
    }
    return any;
  };
  int pairs = 0, wrong = 0, mismatched = 0;
  for (loom_dtype dtype :
       {LOOM_DTYPE_F32, LOOM_DTYPE_F64, LOOM_DTYPE_I32, LOOM_DTYPE_I64})
    for (const NdSbp &from : layouts)
      for (const NdSbp &to : layouts) {
        bool integer = dtype == LOOM_DTYPE_I32 || dtype == LOOM_DTYPE_I64;
        if (integer && mixes(from, to))
          continue;
        Part part = partOf(from, tensor, i, j);
        std::vector<char> data = encode(part.values, dtype);
        NdSbp current = from;
        loom_comm_reset_bytes(comm);
        for (const loom::sbp::BoxingStep &step :
             loom::sbp::planBoxing(from, to)) {
          int axis = static_cast<int>(step.axis);
          // The tensor as this axis sees it: the part with the axis whole.
          NdSbp whole = current;
          whole[axis] = Sbp::broadcast();
          Part view = partOf(whole, tensor, i, j);
          int64_t shape[2] = {view.rows, view.cols}, local[2];
          loom_sbp_local_shape(toC(step.to), shape, 2, 2, axis == 0 ? i : j,
                               local);
          std::vector<char> out(local[0] * local[1] * loom_dtype_size(dtype));
          if (loom_comm_box(comm, groups[axis], 2, data.data(), out.data(),
                            shape, 2, dtype, toC(step.from), toC(step.to)))
            return failed();
          data = std::move(out);
          current[axis] = step.to;
        }
        double sent = static_cast<double>(loom_comm_bytes_sent(comm));
        if (loom_comm_all_reduce(comm, nullptr, 0, &sent, 1, LOOM_DTYPE_F64,
                                 LOOM_REDUCE_SUM))
          return failed();
        double predicted = 0;
        for (const loom::sbp::Collective &c : loom::sbp::getBoxing(
                 from, to, {rows, cols},
                 static_cast<int64_t>(loom_dtype_size(dtype)), {2, 2}))
          predicted += c.bytes;
        // Reduce partial axes, then compare with the broadcast there.
        NdSbp expected = to;
        for (int axis = 0; axis < 2; ++axis)
          if (to[axis].isPartial()) {
            if (loom_comm_all_reduce(
                    comm, groups[axis], 2, data.data(),
                    data.size() / loom_dtype_size(dtype), dtype,
                    static_cast<loom_reduction>(to[axis].reduction)))
              return failed();
            expected[axis] = Sbp::broadcast();
          }
        bool ok = data == encode(partOf(expected, tensor, i, j).values, dtype);
        bool bytesOk = std::fabs(sent - 4 * predicted) < 0.5;
        ++pairs;
        wrong += !ok;
        mismatched += !bytesOk;
        if (rank == 0 && (!ok || !bytesOk))
          std::printf("%s %s -> %s: %s, %g bytes sent by all ranks, %g "
                      "predicted\n",
                      loom_dtype_name(dtype), toString(from).c_str(),
                      toString(to).c_str(), ok ? "ok" : "WRONG", sent,
                      4 * predicted);
      }
  double worst[2] = {static_cast<double>(wrong),
                     static_cast<double>(mismatched)};
  if (loom_comm_all_reduce(comm, nullptr, 0, worst, 2, LOOM_DTYPE_F64,
                           LOOM_REDUCE_MAX))
    return failed();
  if (loom_comm_barrier(comm, nullptr, 0))
    return failed();
  if (rank == 0)
    std::printf("boxing on a 2x2 mesh (%lldx%lld): %d pairs, %.0f wrong, %.0f "
                "with bytes other than predicted\n",
                static_cast<long long>(rows), static_cast<long long>(cols),
                pairs, worst[0], worst[1]);
  loom_comm_destroy(comm);
  return worst[0] == 0 && worst[1] == 0 ? 0 : 1;
}
