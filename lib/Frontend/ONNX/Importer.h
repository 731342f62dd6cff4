//===- Importer.h - The ONNX importer's model and graph state ---*- C++ -*-===//
//
// Part of Loom. Private to the ONNX frontend: the classes ONNXImporter.cpp,
// TensorImporter.cpp and NodeImporter.cpp share. Only these translation units
// see the protobuf classes.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_FRONTEND_ONNX_IMPORTER_H
#define LOOM_LIB_FRONTEND_ONNX_IMPORTER_H

#include "NodeImporter.h"
#include "loom/Frontend/ONNX/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringSet.h"

namespace onnx {
class GraphProto;
class ModelProto;
class NodeProto;
class TensorProto;
class TypeProto;
class ValueInfoProto;
} // namespace onnx

namespace loom::onnx {

/// The MLIR element type of an ONNX TensorProto.DataType code, or null when
/// Loom does not import that type.
mlir::Type getElementTypeForCode(mlir::MLIRContext *context, int32_t code);

/// Whether `type` is a tensor of an element type Loom imports, or a sequence
/// or optional of such tensors.
bool isImportableType(mlir::MLIRContext *context,
                      const ::onnx::TypeProto &type);

/// Tensors with at most this many elements become `dense` attributes (so that
/// folders and shape inference can read them); larger ones become
/// `dense_resource` blobs.
constexpr int64_t kInlineElements = 64;

/// State of one model's import.
class ModelImporter {
public:
  ModelImporter(mlir::MLIRContext *context, llvm::StringRef displayName,
                llvm::StringRef baseDir, const ImportOptions &options)
      : context(context), displayName(displayName.str()),
        baseDir(baseDir.str()), options(options) {}

  mlir::OwningOpRef<mlir::ModuleOp> import(::onnx::ModelProto &model);

  /// The location of the model file, where model-level errors are reported.
  mlir::Location fileLoc() {
    return mlir::FileLineColLoc::get(context, displayName, 0, 0);
  }
  mlir::InFlightDiagnostic emitError() { return mlir::emitError(fileLoc()); }

  /// Types of graph inputs, outputs and annotations. `what` names the value
  /// in errors; `dimNames` receives each dim's `dim_param` ("" if none).
  mlir::FailureOr<mlir::Type>
  importType(const ::onnx::TypeProto &type, llvm::StringRef what,
             llvm::SmallVectorImpl<std::string> *dimNames);
  mlir::FailureOr<mlir::Type> importElementType(int32_t code,
                                                llvm::StringRef what);
  /// A tensor (initializer or attribute) as a constant value. Large raw data
  /// moves out of `tensor` into a resource blob.
  mlir::FailureOr<mlir::ElementsAttr> importTensor(::onnx::TensorProto &tensor,
                                                   llvm::StringRef what);

  /// `--input-shape`: binds the graph's symbolic dims that the given shapes
  /// fix, reporting conflicts and unknown input names.
  mlir::LogicalResult bindSymbols(const ::onnx::GraphProto &graph);
  /// `type` with the dims `--input-shape` gives for input `name`.
  mlir::FailureOr<mlir::Type> applyInputShape(llvm::StringRef name,
                                              mlir::Type type);
  /// Attributes recording a value's ONNX name and its dims' names.
  mlir::DictionaryAttr getNameAttrs(llvm::StringRef name,
                                    llvm::ArrayRef<std::string> dimNames);

  mlir::MLIRContext *context;
  std::string displayName;
  std::string baseDir;
  const ImportOptions &options;
  /// The opset of the default domain the model imports.
  std::optional<int64_t> defaultOpset;
  /// Sizes of symbolic dims fixed by `--input-shape`.
  llvm::StringMap<int64_t> symbolSizes;

private:
  mlir::LogicalResult readOpsets(const ::onnx::ModelProto &model);
  mlir::FailureOr<mlir::ElementsAttr>
  importExternalTensor(::onnx::TensorProto &tensor, mlir::ShapedType type,
                       llvm::StringRef what);
};

/// One ONNX graph and the values it names. A subgraph's importer has a
/// parent: names it does not define are looked up there and captured.
class GraphImporter {
public:
  GraphImporter(ModelImporter &model, mlir::OpBuilder &builder,
                GraphImporter *parent = nullptr, CaptureScope *scope = nullptr,
                mlir::Block *block = nullptr)
      : model(model), builder(builder), parent(parent), scope(scope),
        block(block) {}

  /// Imports `graph` as the body of a new function named `name`.
  mlir::FailureOr<mlir::func::FuncOp> importMainGraph(::onnx::GraphProto &graph,
                                                      llvm::StringRef name);

  /// Imports a subgraph into this importer's block: its inputs become the
  /// block's first arguments (of `argTypes`), its outputs a graph.yield.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  importSubgraph(::onnx::GraphProto &graph,
                 llvm::ArrayRef<mlir::Type> argTypes);

  /// The value called `name`, captured from enclosing graphs if need be;
  /// null if no graph defines it.
  mlir::Value lookup(llvm::StringRef name);
  /// Names `value`, refining its type by the model's annotation of `name`.
  /// Errors (a name bound twice, a conflicting annotation) are reported
  /// through `emitError`, which says who defines the value.
  mlir::LogicalResult
  bind(llvm::StringRef name, mlir::Value value,
       llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

  ModelImporter &model;
  mlir::OpBuilder &builder;

private:
  mlir::LogicalResult importInitializers(::onnx::GraphProto &graph);
  mlir::LogicalResult importNodes(::onnx::GraphProto &graph);
  mlir::LogicalResult importNode(::onnx::NodeProto &node, int index);
  void readAnnotations(const ::onnx::GraphProto &graph);
  /// `value` checked against, and refined by, the annotation of `name`; an
  /// optional annotated as a plain value is unwrapped.
  mlir::FailureOr<mlir::Value>
  refine(llvm::StringRef name, mlir::Value value,
         llvm::function_ref<mlir::InFlightDiagnostic()> emitError);

  GraphImporter *parent;
  CaptureScope *scope;
  mlir::Block *block;
  llvm::StringMap<mlir::Value> values;
  llvm::StringMap<const ::onnx::TypeProto *> annotations;
};

} // namespace loom::onnx

#endif // LOOM_LIB_FRONTEND_ONNX_IMPORTER_H
