//===- CostModel.h - What compute and boxing cost on a mesh -----*- C++ -*-===//
//
// Part of Loom. An alpha-beta model: compute takes flops over a rate, each
// collective a fixed latency plus the bytes one rank sends over the link
// bandwidth (ring algorithms: all-reduce 2V(p-1)/p, reduce-scatter and
// all-gather V(p-1)/p, all-to-all V(p-1)/p^2, V the bytes of the tensor
// as it is on that mesh axis). Local conversions (B -> S slices, B -> P
// zero-fills, S -> P embeds) move nothing.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_TRANSFORMS_COSTMODEL_H
#define LOOM_DIALECTS_SBP_TRANSFORMS_COSTMODEL_H

#include "dialects/sbp/IR/Sbp.h"

namespace loom::sbp {

/// What communication costs (compute and memory rates are sbp-derive's
/// options: they weigh nodes, not boxing).
struct CostModelOptions {
  /// Link bandwidth one rank sends at, bytes/s (sbp-derive's default:
  /// loom-calibrate's figure for ranks on one machine).
  double linkBytesPerSecond = 1.8e9;
  /// Fixed cost of one collective, s.
  double collectiveLatency = 8e-5;
};

enum class CollectiveKind {
  AllReduce,     ///< P -> B
  ReduceScatter, ///< P -> S
  AllGather,     ///< S -> B
  AllToAll,      ///< S(i) -> S(j)
  Local,         ///< B -> S, B -> P, S -> P: no communication
};
llvm::StringRef toString(CollectiveKind kind);

/// One step of a conversion, on one mesh axis.
struct Collective {
  CollectiveKind kind;
  unsigned meshAxis;
  Reduction reduction = Reduction::Sum;
  /// Bytes one rank sends: the mean over the ranks (uneven splits make
  /// ranks differ by a row; the sum over ranks is exact).
  double bytes = 0;
};

/// One step of a conversion: mesh axis `axis` goes from `from` to `to`.
struct BoxingStep {
  unsigned axis;
  Sbp from, to;
};

/// The order in which to convert an nd-SBP `from` into `to`, one mesh axis
/// at a time. A dim split on several axes is nested with the first mesh
/// axis outermost, so a step on an axis may not touch a dim that a later
/// axis splits at that moment: such steps wait until the later axis is
/// done, and when no order works the later axis first gathers (a middle
/// node, as OneFlow's boxing does). Compiled code and the cost model
/// follow these steps.
llvm::SmallVector<BoxingStep> planBoxing(llvm::ArrayRef<Sbp> from,
                                         llvm::ArrayRef<Sbp> to);

/// The collectives of planBoxing's steps for a tensor of `shape`
/// (`elementBytes` each) on a mesh of `meshShape`.
llvm::SmallVector<Collective> getBoxing(llvm::ArrayRef<Sbp> from,
                                        llvm::ArrayRef<Sbp> to,
                                        llvm::ArrayRef<int64_t> shape,
                                        int64_t elementBytes,
                                        llvm::ArrayRef<int64_t> meshShape);

/// The time `steps` take.
double getTime(llvm::ArrayRef<Collective> steps,
               const CostModelOptions &options);

/// The bytes one device holds of a tensor laid out as `layout`.
double getLocalBytes(llvm::ArrayRef<Sbp> layout, llvm::ArrayRef<int64_t> shape,
                     int64_t elementBytes, llvm::ArrayRef<int64_t> meshShape);

} // namespace loom::sbp

#endif // LOOM_DIALECTS_SBP_TRANSFORMS_COSTMODEL_H
