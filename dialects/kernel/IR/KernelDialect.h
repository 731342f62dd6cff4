//===- KernelDialect.h - The kernel dialect ---------------------*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_KERNEL_IR_KERNELDIALECT_H
#define LOOM_DIALECTS_KERNEL_IR_KERNELDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/kernel/IR/KernelDialect.h.inc"

#define GET_OP_CLASSES
#include "dialects/kernel/IR/KernelOps.h.inc"

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace loom::kernel {
/// Registers the kernel ops' BufferizableOpInterface implementations.
void registerBufferizableOpInterfaceExternalModels(
    mlir::DialectRegistry &registry);
} // namespace loom::kernel

#endif // LOOM_DIALECTS_KERNEL_IR_KERNELDIALECT_H
