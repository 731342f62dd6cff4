//===- Refusal.cpp - Errors that refuse a model ---------------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "loom/Support/Refusal.h"

#include <atomic>

namespace loom {

static std::atomic<unsigned> refusals{0};

mlir::InFlightDiagnostic emitRefusal(mlir::Location loc) {
  ++refusals;
  return mlir::emitError(loc);
}

mlir::InFlightDiagnostic emitOpRefusal(mlir::Operation *op) {
  ++refusals;
  return op->emitOpError();
}

unsigned getRefusalCount() { return refusals; }

} // namespace loom
