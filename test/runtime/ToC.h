//===- ToC.h - sbp::Sbp as the runtime's loom_sbp ---------------*- C++ -*-===//
//
// Part of Loom. Shared by the boxing checks.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TEST_RUNTIME_TOC_H
#define LOOM_TEST_RUNTIME_TOC_H

#include "dialects/sbp/IR/Sbp.h"
#include "loom/collectives.h"

inline loom_sbp toC(const loom::sbp::Sbp &sbp) {
  loom_sbp c;
  c.kind = sbp.isSplit()       ? LOOM_SBP_SPLIT
           : sbp.isBroadcast() ? LOOM_SBP_BROADCAST
                               : LOOM_SBP_PARTIAL;
  c.axis = sbp.axis;
  c.reduction = static_cast<loom_reduction>(sbp.reduction);
  return c;
}

#endif // LOOM_TEST_RUNTIME_TOC_H
