//===- SbpDialect.h - The sbp dialect ---------------------------*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_IR_SBPDIALECT_H
#define LOOM_DIALECTS_SBP_IR_SBPDIALECT_H

#include "dialects/sbp/IR/Sbp.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"

#include "dialects/sbp/IR/SbpDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/sbp/IR/SbpAttrs.h.inc"

#include "dialects/sbp/IR/SbpInterfaces.h.inc"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace loom::sbp {
/// Attaches SbpRuleOpInterface to the graph ops it describes.
void registerGraphRuleExternalModels(mlir::DialectRegistry &registry);
} // namespace loom::sbp

#endif // LOOM_DIALECTS_SBP_IR_SBPDIALECT_H
