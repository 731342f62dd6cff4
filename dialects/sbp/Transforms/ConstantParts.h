//===- ConstantParts.h - A rank's part of a weight, at compile time -*- C++
//-*-===//
//
// Part of Loom. Weights are whole on every rank; where a plan splits one,
// sbp-partition cuts each rank's part out at compile time rather than
// slicing it at every step, so that the part stays a constant (kernels
// cache what they derive from constant weights) and no step copies it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_SBP_TRANSFORMS_CONSTANTPARTS_H
#define LOOM_DIALECTS_SBP_TRANSFORMS_CONSTANTPARTS_H

#include "dialects/sbp/IR/Sbp.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

namespace loom::sbp {

/// The part of the constant `value` (whole on every rank) that the rank at
/// mesh coordinates `coords` holds under `layout`: split dims cut to its
/// rows, partial sums the value on the first member of the axis and zeros
/// elsewhere. Failure where it cannot be made at compile time (inline
/// bools, partial max or min). `offsets`, when given, receives where the
/// part starts in the whole (a box of the part's shape).
mlir::FailureOr<mlir::ElementsAttr>
getConstantPart(mlir::ElementsAttr value, llvm::ArrayRef<Sbp> layout,
                llvm::ArrayRef<int64_t> mesh, llvm::ArrayRef<int64_t> coords,
                llvm::SmallVectorImpl<int64_t> *offsets = nullptr);

/// Records in `module`'s `loom.weight_parts` that the resource constant
/// `part` is the box of the resource constant `whole` starting at
/// `offsets`, so that loom-externalize-weights maps it from the whole
/// weight in the weights file. Nothing for other constants.
void recordWeightPart(mlir::Operation *module, mlir::ElementsAttr part,
                      mlir::ElementsAttr whole,
                      llvm::ArrayRef<int64_t> offsets);

} // namespace loom::sbp

#endif // LOOM_DIALECTS_SBP_TRANSFORMS_CONSTANTPARTS_H
