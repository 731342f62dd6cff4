//===- Collectives.h - What collectives move, as kernel.box says it -*- C++
//-*-===//
//
// Part of Loom. Shared by sbp-partition and sbp-lower-collectives.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_TRANSFORMS_COLLECTIVES_H
#define LOOM_DIALECTS_SBP_TRANSFORMS_COLLECTIVES_H

#include "dialects/sbp/IR/Sbp.h"

#include "mlir/IR/Types.h"

namespace loom::sbp {

/// Whether collectives move elements of `type` (kernel.box's types).
inline bool isMovable(mlir::Type type) {
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64() ||
         type.isSignlessInteger(1) || type.isSignlessInteger(8) ||
         type.isSignlessInteger(16) || type.isSignlessInteger(32) ||
         type.isSignlessInteger(64);
}

/// Whether they also reduce them (partial layouts).
inline bool isReducible(mlir::Type type) {
  return isMovable(type) && !type.isF16() && !type.isBF16() &&
         !type.isSignlessInteger(1);
}

/// [kind, dim, reduction], as kernel.box takes layouts.
inline llvm::SmallVector<int64_t> encodeLayout(const Sbp &sbp) {
  return {static_cast<int64_t>(sbp.kind), sbp.axis,
          static_cast<int64_t>(sbp.reduction)};
}

} // namespace loom::sbp

#endif // LOOM_DIALECTS_SBP_TRANSFORMS_COLLECTIVES_H
