//===- Sbp.h - SBP values, signatures and index rules -----------*- C++ -*-===//
//
// Part of Loom. Plain C++ values (no IR) shared by the sbp attributes, the
// signature rules of ops, the cost model and the search.
//
// On a mesh axis of p devices a tensor is split along a dim (S(d): each
// device holds a slice), broadcast (B: each holds all of it) or partial
// (P(sum|max|min): each holds a full-shape tensor, the value is their
// elementwise reduction). An nd-SBP holds one entry per mesh axis.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_IR_SBP_H
#define LOOM_DIALECTS_SBP_IR_SBP_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <optional>
#include <string>

namespace loom::sbp {

enum class Kind : uint8_t { Split, Broadcast, Partial };
enum class Reduction : uint8_t { Sum, Max, Min };

/// One mesh axis's SBP of a tensor.
struct Sbp {
  Kind kind = Kind::Broadcast;
  /// The dim split (Split only).
  int32_t axis = 0;
  /// How partial values combine (Partial only).
  Reduction reduction = Reduction::Sum;

  static Sbp split(int32_t axis) { return {Kind::Split, axis, Reduction::Sum}; }
  static Sbp broadcast() { return {}; }
  static Sbp partial(Reduction r = Reduction::Sum) {
    return {Kind::Partial, 0, r};
  }
  bool isSplit() const { return kind == Kind::Split; }
  bool isBroadcast() const { return kind == Kind::Broadcast; }
  bool isPartial() const { return kind == Kind::Partial; }

  bool operator==(const Sbp &other) const {
    return kind == other.kind && (kind != Kind::Split || axis == other.axis) &&
           (kind != Kind::Partial || reduction == other.reduction);
  }
  bool operator!=(const Sbp &other) const { return !(*this == other); }
};

inline llvm::hash_code hash_value(const Sbp &sbp) {
  return llvm::hash_combine(
      static_cast<int>(sbp.kind), sbp.isSplit() ? sbp.axis : 0,
      sbp.isPartial() ? static_cast<int>(sbp.reduction) : 0);
}

/// The rows member `index` of `parts` holds of a dim of `dim` rows split
/// balanced (OneFlow's rule, the runtime's loom_split_part): dim / parts,
/// plus one for the first dim % parts members; `offset` is its first row.
inline int64_t getSplitPart(int64_t dim, int64_t parts, int64_t index,
                            int64_t *offset = nullptr) {
  int64_t base = dim / parts, extra = dim % parts;
  if (offset)
    *offset = index * base + std::min(index, extra);
  return base + (index < extra ? 1 : 0);
}

/// "S(0)", "B", "P(sum)".
std::string toString(const Sbp &sbp);
/// Parses what toString prints.
std::optional<Sbp> parseSbp(llvm::StringRef text);
llvm::StringRef toString(Reduction reduction);

/// One entry per mesh axis.
using NdSbp = llvm::SmallVector<Sbp, 2>;
/// "(S(0), B)"; one axis prints without parentheses.
std::string toString(llvm::ArrayRef<Sbp> nd);

/// An op's SBP assignment: one nd-SBP per operand and per result.
struct Signature {
  llvm::SmallVector<NdSbp> operands, results;
  /// The fraction of the op's work one device does (1: replicated).
  double workFraction = 1.0;
};

/// An einsum-like description of an op, from which its legal signatures
/// follow: every dim of every operand and result iterates an index; an
/// index may be split across devices, which splits every tensor dim it
/// iterates. An index that no result iterates is reduced: splitting it
/// leaves results partial with that reduction.
///
/// matmul (m k, k n -> m n; k: sum) gives S(0)·B -> S(0), B·S(1) -> S(1),
/// S(1)·S(0) -> P(sum); linearity adds P(sum)·B -> P(sum) and
/// B·P(sum) -> P(sum); B·B -> B is always legal.
struct IndexRule {
  /// The index each dim iterates, per operand and per result; -1 for a dim
  /// that may not be split (a broadcast size-1 dim, a softmax axis).
  llvm::SmallVector<llvm::SmallVector<int>> operands, results;
  /// Each index's extent.
  llvm::SmallVector<int64_t> extents;
  /// For each index that no result iterates: how it reduces (splitting it
  /// makes results partial); std::nullopt for indices results iterate.
  llvm::SmallVector<std::optional<Reduction>> reductions;
  /// How partial-sum operands pass through: None; Sum (the results are a
  /// sum of the operands': every operand P(sum) gives P(sum), like add);
  /// Product (linear in each operand alone: one operand P(sum), the others
  /// B, gives P(sum), like mul and matmul).
  enum class Linearity { None, Sum, Product } linearity = Linearity::None;
  /// With Product: which operands may be the partial one.
  llvm::SmallVector<bool> partialOperands;
  /// Arithmetic per point of the iteration space (2 for a multiply-add).
  double flopsPerPoint = 1.0;

  /// Adds an index of `extent`; returns its id.
  int addIndex(int64_t extent,
               std::optional<Reduction> reduction = std::nullopt) {
    extents.push_back(extent);
    reductions.push_back(reduction);
    return static_cast<int>(extents.size()) - 1;
  }
  /// The product of every index's extent, times flopsPerPoint.
  double getFlops() const;
};

/// The legal signatures of an op with `rule` on a mesh of `meshShape`: the
/// Cartesian product over mesh axes of each axis's choices (replicate,
/// split one index, pass partial sums through), an index split on several
/// axes only when its extent covers their product. All-B comes first.
llvm::SmallVector<Signature> getSignatures(const IndexRule &rule,
                                           llvm::ArrayRef<int64_t> meshShape);

/// Every nd-SBP a tensor of `rank` dims of `shape` may have on `meshShape`
/// without reductions (B and splits of dims at least as large as the
/// devices splitting them): what a weight or an input may be given as.
llvm::SmallVector<NdSbp> getLayouts(llvm::ArrayRef<int64_t> shape,
                                    llvm::ArrayRef<int64_t> meshShape);

} // namespace loom::sbp

#endif // LOOM_DIALECTS_SBP_IR_SBP_H
