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

/// The bytes of the tensor with every axis but `skip` laid out as `layout`.
static double bytesExcept(ArrayRef<Sbp> layout, unsigned skip,
                          ArrayRef<int64_t> shape, int64_t elementBytes,
                          ArrayRef<int64_t> meshShape) {
  SmallVector<int64_t> local(shape);
  for (auto [axis, sbp] : llvm::enumerate(layout))
    if (axis != skip && sbp.isSplit() &&
        sbp.axis < static_cast<int32_t>(local.size()))
      local[sbp.axis] = (local[sbp.axis] + meshShape[axis] - 1) /
                        meshShape[axis]; // uneven splits: the largest part
  double bytes = static_cast<double>(elementBytes);
  for (int64_t size : local)
    bytes *= static_cast<double>(size);
  return bytes;
}

double loom::sbp::getLocalBytes(ArrayRef<Sbp> layout, ArrayRef<int64_t> shape,
                                int64_t elementBytes,
                                ArrayRef<int64_t> meshShape) {
  return bytesExcept(layout, layout.size(), shape, elementBytes, meshShape);
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
    double p = static_cast<double>(meshShape[axis]);
    double v = bytesExcept(current, axis, shape, elementBytes, meshShape);
    auto add = [&](CollectiveKind kind, double bytes) {
      collectives.push_back({kind, axis, a.reduction, bytes});
    };
    if (a.isBroadcast() || (a.isSplit() && b.isPartial())) {
      add(CollectiveKind::Local, 0);
    } else if (a.isSplit() && b.isSplit()) {
      add(CollectiveKind::AllToAll, v * (p - 1) / (p * p));
    } else if (a.isSplit()) {
      add(CollectiveKind::AllGather, v * (p - 1) / p);
    } else if (b.isSplit()) {
      add(CollectiveKind::ReduceScatter, v * (p - 1) / p);
    } else {
      // P -> B, or P -> P of another reduction (all-reduce, zero-fill).
      add(CollectiveKind::AllReduce, 2 * v * (p - 1) / p);
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
