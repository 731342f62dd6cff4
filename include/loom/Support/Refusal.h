//===- Refusal.h - Errors that refuse a model, not compiler failures -*- C++
//-*-===//
//
// Part of Loom. A pass that stops because of the model (an op with no
// lowering yet, a layout that cannot be converted, an option that does not
// fit it) reports a *refusal*: the message alone says what to change. Any
// other failed pass is a compiler failure, for which loomc also writes a
// reproducer (the module before the phase and the loom-opt command).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_SUPPORT_REFUSAL_H
#define LOOM_SUPPORT_REFUSAL_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"

namespace loom {

/// Emits an error at `loc` (on `op`, with its name) that refuses the model.
mlir::InFlightDiagnostic emitRefusal(mlir::Location loc);
mlir::InFlightDiagnostic emitOpRefusal(mlir::Operation *op);

/// How many refusals this process has emitted.
unsigned getRefusalCount();

} // namespace loom

#endif // LOOM_SUPPORT_REFUSAL_H
