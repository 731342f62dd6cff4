//===- ONNXImporter.h - Import ONNX models into the graph dialect -*- C++
//-*-===//
//
// Part of Loom. Reads an ONNX ModelProto (opsets up to 17) and builds a module
// holding one `func.func` of graph-dialect ops.
//
// Errors go to the context's diagnostic handler, one per failure, naming the
// model file, the node (its name, or its index and first output when it has
// none), the op type and the opset; the import then returns null. Nothing in
// the importer aborts on bad input.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_ONNX_ONNXIMPORTER_H
#define LOOM_FRONTEND_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace loom::onnx {

/// The newest default-domain opset the importer reads.
constexpr int64_t kMaxOpset = 17;
/// The oldest opset Loom documents support for. Older models import when
/// every op they use is unchanged since their opset.
constexpr int64_t kMinDocumentedOpset = 7;

struct ImportOptions {
  /// Static shapes for graph inputs, by input name (`--input-shape`): each
  /// replaces the input's declared dims; dynamic entries (ShapedType::kDynamic)
  /// leave a dim as it is. Symbolic dims (`dim_param`) fixed this way are
  /// fixed in every input and output that names them.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// The name of the function the graph becomes.
  std::string entryName = "main_graph";
};

/// Imports the model in the file at `path`. `-` reads standard input.
/// External tensor data is looked up relative to the file's directory.
mlir::OwningOpRef<mlir::ModuleOp> importONNXFile(llvm::StringRef path,
                                                 mlir::MLIRContext *context,
                                                 const ImportOptions &options);

/// Imports a serialized ModelProto held in memory. `displayName` names it in
/// diagnostics and `baseDir` is where external tensor data is looked up.
mlir::OwningOpRef<mlir::ModuleOp>
importONNXBuffer(llvm::StringRef bytes, llvm::StringRef displayName,
                 llvm::StringRef baseDir, mlir::MLIRContext *context,
                 const ImportOptions &options);

/// One row of the importer's op table: `opType` imports at every opset from
/// `sinceOpset` to `untilOpset` (inclusive).
struct SupportedOp {
  llvm::StringRef opType;
  int64_t sinceOpset;
  int64_t untilOpset;
};

/// Every op the importer reads, sorted by op type then opset.
llvm::ArrayRef<SupportedOp> getSupportedOps();

/// Registers the dialects imported modules use.
void registerImportDialects(mlir::DialectRegistry &registry);

} // namespace loom::onnx

#endif // LOOM_FRONTEND_ONNX_ONNXIMPORTER_H
