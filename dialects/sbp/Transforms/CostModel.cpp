//===- CostModel.cpp - What compute and boxing cost on a mesh -------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/sbp/Transforms/CostModel.h"

using namespace loom::sbp;
using llvm::ArrayRef;
using llvm::SmallVector;

llvm::StringRef loom::sbp::toString(CollectiveKind kind) {
  switch (kind) {
  case CollectiveKind::AllReduce:
    return "all-reduce";
  case CollectiveKind::ReduceScatter:
    return "reduce-scatter";
  case CollectiveKind::AllGather:
    return "all-gather";
  case CollectiveKind::AllToAll:
    return "all-to-all";
  case CollectiveKind::Local:
    return "local";
  }
  return "?";
}

/// The bytes of the largest part of a tensor of `shape` laid out as
/// `layout` (what the busiest device holds: uneven splits are balanced,
/// an inner axis splitting the outer one's part).
static double largestBytes(ArrayRef<Sbp> layout, ArrayRef<int64_t> shape,
                           int64_t elementBytes, ArrayRef<int64_t> meshShape) {
  SmallVector<int64_t> local(shape);
  for (auto [axis, sbp] : llvm::enumerate(layout))
    if (sbp.isSplit() && sbp.axis < static_cast<int32_t>(local.size()))
      local[sbp.axis] =
          (local[sbp.axis] + meshShape[axis] - 1) / meshShape[axis];
  double bytes = static_cast<double>(elementBytes);
  for (int64_t size : local)
    bytes *= static_cast<double>(size);
  return bytes;
}

/// The dims of the tensor as the group of mesh axis `skip` through the
/// rank at `coords` sees it: every other axis's split applied.
static SmallVector<int64_t> getView(ArrayRef<Sbp> layout, unsigned skip,
                                    ArrayRef<int64_t> shape,
                                    ArrayRef<int64_t> meshShape,
                                    ArrayRef<int64_t> coords) {
  SmallVector<int64_t> view(shape);
  for (auto [axis, sbp] : llvm::enumerate(layout))
    if (axis != skip && sbp.isSplit() &&
        sbp.axis < static_cast<int32_t>(view.size()))
      view[sbp.axis] =
          getSplitPart(view[sbp.axis], meshShape[axis], coords[axis]);
  return view;
}

/// The bytes one member of a group of `p` sends, as a mean over the
/// members (exact summed over them), for a collective from `a` to `b` on a
/// tensor the group sees as `view`.
static double getStepBytes(CollectiveKind kind, ArrayRef<int64_t> view,
                           int64_t elementBytes, const Sbp &a, const Sbp &b,
                           int64_t p) {
  double v = static_cast<double>(elementBytes);
  for (int64_t size : view)
    v *= static_cast<double>(size);
  double pp = static_cast<double>(p);
  switch (kind) {
  case CollectiveKind::AllGather:
  case CollectiveKind::ReduceScatter:
    return v * (pp - 1) / pp; // ring: all chunks but one
  case CollectiveKind::AllReduce:
    return 2 * v * (pp - 1) / pp;
  case CollectiveKind::AllToAll: {
    // Member m sends its i-rows of every other member's j-rows: summed
    // over the members, everything but the diagonal pieces.
    int64_t di = view[a.axis], dj = view[b.axis];
    if (di <= 0 || dj <= 0)
      return 0;
    double diagonal = 0;
    for (int64_t m = 0; m < p; ++m)
      diagonal += static_cast<double>(getSplitPart(di, p, m)) *
                  static_cast<double>(getSplitPart(dj, p, m));
    return v * (1 - diagonal / static_cast<double>(di * dj)) / pp;
  }
  case CollectiveKind::Local:
    return 0;
  }
  return 0;
}

/// getStepBytes's mean over every group of mesh axis `axis` (their views
/// differ where another axis splits a dim unevenly).
static double getMeanStepBytes(CollectiveKind kind, ArrayRef<Sbp> current,
                               unsigned axis, ArrayRef<int64_t> shape,
                               int64_t elementBytes, const Sbp &a, const Sbp &b,
                               ArrayRef<int64_t> meshShape) {
  if (kind == CollectiveKind::Local)
    return 0;
  SmallVector<int64_t> coords(meshShape.size(), 0);
  bool uneven = false;
  SmallVector<int64_t> view(shape);
  for (auto [other, sbp] : llvm::enumerate(current))
    if (other != axis && sbp.isSplit() &&
        sbp.axis < static_cast<int32_t>(view.size())) {
      uneven |= view[sbp.axis] % meshShape[other] != 0;
      view[sbp.axis] /= meshShape[other];
    }
  if (!uneven)
    return getStepBytes(kind, getView(current, axis, shape, meshShape, coords),
                        elementBytes, a, b, meshShape[axis]);
  // Every combination of the other axes' coordinates (this axis's stays 0).
  double sum = 0, groups = 0;
  while (true) {
    sum += getStepBytes(kind, getView(current, axis, shape, meshShape, coords),
                        elementBytes, a, b, meshShape[axis]);
    ++groups;
    unsigned i = 0;
    for (; i < coords.size(); ++i) {
      if (i == axis)
        continue;
      if (++coords[i] < meshShape[i])
        break;
      coords[i] = 0;
    }
    if (i == coords.size())
      break;
  }
  return sum / groups;
}

double loom::sbp::getLocalBytes(ArrayRef<Sbp> layout, ArrayRef<int64_t> shape,
                                int64_t elementBytes,
                                ArrayRef<int64_t> meshShape) {
  return largestBytes(layout, shape, elementBytes, meshShape);
}

/// Whether a step on `axis` from `a` to `b` touches a dim that a later
/// axis of `current` splits.
static bool crossesInnerSplit(ArrayRef<Sbp> current, unsigned axis,
                              const Sbp &a, const Sbp &b) {
  for (unsigned inner = axis + 1; inner < current.size(); ++inner)
    if (current[inner].isSplit() &&
        ((a.isSplit() && a.axis == current[inner].axis) ||
         (b.isSplit() && b.axis == current[inner].axis)))
      return true;
  return false;
}

/// The steps of converting each differing axis in `order`, or nothing when
/// one would cross an inner split.
static std::optional<SmallVector<BoxingStep>>
tryOrder(ArrayRef<Sbp> from, ArrayRef<Sbp> to, ArrayRef<unsigned> order) {
  NdSbp current(from.begin(), from.end());
  SmallVector<BoxingStep> steps;
  for (unsigned axis : order) {
    if (current[axis] == to[axis])
      continue;
    if (crossesInnerSplit(current, axis, current[axis], to[axis]))
      return std::nullopt;
    steps.push_back({axis, current[axis], to[axis]});
    current[axis] = to[axis];
  }
  return steps;
}

SmallVector<BoxingStep> loom::sbp::planBoxing(ArrayRef<Sbp> from,
                                              ArrayRef<Sbp> to) {
  SmallVector<unsigned> forward, backward;
  for (unsigned axis = 0; axis < from.size(); ++axis)
    forward.push_back(axis);
  backward.assign(forward.rbegin(), forward.rend());
  if (auto steps = tryOrder(from, to, forward))
    return *steps;
  if (auto steps = tryOrder(from, to, backward))
    return *steps;
  // A middle node: the inner axes gather first (innermost first), the
  // outer axes convert, then the inner axes take their targets.
  SmallVector<BoxingStep> steps;
  NdSbp current(from.begin(), from.end());
  for (unsigned axis : backward)
    if (axis > 0 && current[axis].isSplit()) {
      steps.push_back({axis, current[axis], Sbp::broadcast()});
      current[axis] = Sbp::broadcast();
    }
  for (unsigned axis : forward)
    if (current[axis] != to[axis]) {
      steps.push_back({axis, current[axis], to[axis]});
      current[axis] = to[axis];
    }
  return steps;
}

SmallVector<Collective> loom::sbp::getBoxing(ArrayRef<Sbp> from,
                                             ArrayRef<Sbp> to,
                                             ArrayRef<int64_t> shape,
                                             int64_t elementBytes,
                                             ArrayRef<int64_t> meshShape) {
  SmallVector<Collective> collectives;
  NdSbp current(from.begin(), from.end());
  for (const BoxingStep &step : planBoxing(from, to)) {
    unsigned axis = step.axis;
    const Sbp &a = step.from, &b = step.to;
    auto add = [&](CollectiveKind kind) {
      collectives.push_back({kind, axis, a.reduction,
                             getMeanStepBytes(kind, current, axis, shape,
                                              elementBytes, a, b, meshShape)});
    };
    if (a.isBroadcast() || (a.isSplit() && b.isPartial())) {
      add(CollectiveKind::Local);
    } else if (a.isSplit() && b.isSplit()) {
      add(CollectiveKind::AllToAll);
    } else if (a.isSplit()) {
      add(CollectiveKind::AllGather);
    } else if (b.isSplit()) {
      add(CollectiveKind::ReduceScatter);
    } else {
      // P -> B, or P -> P of another reduction (all-reduce, zero-fill).
      add(CollectiveKind::AllReduce);
      if (b.isPartial())
        collectives.push_back({CollectiveKind::Local, axis, b.reduction, 0});
    }
    current[axis] = b;
  }
  return collectives;
}

double loom::sbp::getTime(ArrayRef<Collective> steps,
                          const CostModelOptions &options) {
  double time = 0;
  for (const Collective &step : steps)
    if (step.kind != CollectiveKind::Local)
      time +=
          options.collectiveLatency + step.bytes / options.linkBytesPerSecond;
  return time;
}
