//===- Passes.h - Passes of the kernel dialect ------------------*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_KERNEL_TRANSFORMS_PASSES_H
#define LOOM_DIALECTS_KERNEL_TRANSFORMS_PASSES_H

#include "dialects/kernel/IR/KernelDialect.h"

#include "mlir/Pass/Pass.h"

namespace loom::kernel {

#define GEN_PASS_DECL
#include "dialects/kernel/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dialects/kernel/Transforms/Passes.h.inc"

} // namespace loom::kernel

#endif // LOOM_DIALECTS_KERNEL_TRANSFORMS_PASSES_H
