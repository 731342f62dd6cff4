//===- Passes.h - Passes of the sbp dialect ---------------------*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_TRANSFORMS_PASSES_H
#define LOOM_DIALECTS_SBP_TRANSFORMS_PASSES_H

#include "dialects/kernel/IR/KernelDialect.h"
#include "dialects/sbp/IR/SbpDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Shard/IR/ShardDialect.h"

#include "mlir/Pass/Pass.h"

namespace loom::sbp {

#define GEN_PASS_DECL
#include "dialects/sbp/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/sbp/Transforms/Passes.h.inc"

} // namespace loom::sbp

#endif // LOOM_DIALECTS_SBP_TRANSFORMS_PASSES_H
