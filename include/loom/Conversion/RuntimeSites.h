//===- RuntimeSites.h - What compiled code tells the runtime about an op -*- C++
//-*-===//
//
// Part of Loom. A run-time check (kernel.check) or an allocation passes the
// runtime a *site*: constant text naming the ONNX node and op it belongs to
// (from the op's location), the node's input at fault, the kind of check
// (loom_check_kind in loom/abi.h) and a message that may name the offending
// value as {0} and the limit as {1}:
//
//   "kind\tnode\top\toperand\tmessage"
//
// runtime/src/RunGuard.cpp parses it when a check fails.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONVERSION_RUNTIMESITES_H
#define LOOM_CONVERSION_RUNTIMESITES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace loom {

/// The ONNX node and op type `loc` names (the importer's
/// NameLoc(node, NameLoc(op)), seen through fused and call-site locations),
/// or empty strings.
std::pair<std::string, std::string> getNodeAndOpType(mlir::Location loc);

/// The site text for `loc` (see above); tabs and newlines in names become
/// spaces.
std::string formatRuntimeSite(mlir::Location loc, int kind, int64_t operand,
                              llvm::StringRef message);

/// An !llvm.ptr to a private constant NUL-terminated copy of `text` in
/// `module` (one global per distinct text), built at `b`'s insertion point.
mlir::Value getConstantString(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::ModuleOp module, llvm::StringRef text);

/// Turns calls of MLIR's generic allocation functions (finalize-memref-to-
/// llvm's use-generic-functions) in the LLVM dialect into the runtime's
/// loom_rt_alloc / loom_rt_aligned_alloc / loom_rt_free, passing each
/// allocation's site so that out-of-memory errors name the node.
mlir::LogicalResult nameAllocations(mlir::ModuleOp module);

/// ONNX's TensorProto.DataType code of `type` (the signature's and
/// loom_dtype's numbering), or 0.
int getDTypeCode(mlir::Type type);

/// `name` as the signature writes names: %XX escapes for anything but
/// letters, digits and `_.:/-[]`; "%00" for the empty name.
std::string escapeSignatureName(llvm::StringRef name);

} // namespace loom

#endif // LOOM_CONVERSION_RUNTIMESITES_H
