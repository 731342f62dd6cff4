//===- NodeImporter.h - What an ONNX op's importer sees ---------*- C++ -*-===//
//
// Part of Loom. Private to the ONNX frontend. Each ONNX op has an import
// function that reads one node through a NodeImporter and builds graph ops.
// The protobuf classes stay behind this interface, in ONNXImporter.cpp, so
// the op-family files (Import*.cpp) compile without them.
//
// Accessors that can fail report the failure themselves (naming the file,
// node, op and opset) and return failure; import functions just propagate it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_FRONTEND_ONNX_NODEIMPORTER_H
#define LOOM_LIB_FRONTEND_ONNX_NODEIMPORTER_H

#include "loom/Frontend/ONNX/ONNXImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace onnx {
class NodeProto;
} // namespace onnx

namespace loom::onnx {

class GraphImporter;

/// The outer values the subgraphs of one region op capture, and the entry
/// blocks of its regions, each of which takes every capture as a trailing
/// block argument (in this order).
struct CaptureScope {
  llvm::SmallVector<mlir::Value> captures;
  llvm::StringMap<unsigned> indices;
  llvm::SmallVector<mlir::Block *> blocks;
};

class NodeImporter {
public:
  NodeImporter(GraphImporter &graph, ::onnx::NodeProto &node, int64_t opset,
               mlir::Location loc, llvm::StringRef displayName);

  llvm::StringRef getOpType() const;
  /// The opset of the node's domain that the model imports.
  int64_t getOpset() const { return opset; }
  mlir::Location getLoc() const { return loc; }
  mlir::OpBuilder &getBuilder();
  mlir::MLIRContext *getContext() { return getBuilder().getContext(); }

  /// Reports an error about this node: "<file>: node <name> (<op>, opset
  /// <n>): ...".
  mlir::InFlightDiagnostic emitError();

  //===--------------------------------------------------------------------===//
  // Inputs. An input with an empty name is an omitted optional input.
  //===--------------------------------------------------------------------===//

  /// What an input may be; others are reported. Most ops take tensors of
  /// numbers or bools; a few also strings; sequence, optional and control
  /// flow ops any value.
  enum class InputKind { Tensor, AnyTensor, Any };

  unsigned getNumInputs() const;
  bool hasInput(unsigned index) const;
  /// A required input; reports it missing when it is.
  mlir::FailureOr<mlir::Value> getInput(unsigned index,
                                        InputKind kind = InputKind::Tensor);
  /// An optional input, or a null value when it is omitted.
  mlir::FailureOr<mlir::Value>
  getOptionalInput(unsigned index, InputKind kind = InputKind::Tensor);
  /// Inputs from `from` on (variadic inputs), at least `min` of them.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  getVariadicInputs(unsigned from, unsigned min = 1,
                    InputKind kind = InputKind::Tensor);

  /// The value of a constant input (an initializer or a Constant node's
  /// output), or null when the input is computed or omitted.
  mlir::ElementsAttr getConstantInput(unsigned index);
  /// A constant integer input as a list. An input that is absent gives
  /// std::nullopt; one that is present but not constant is reported as
  /// unsupported and gives failure.
  mlir::FailureOr<std::optional<llvm::SmallVector<int64_t>>>
  getConstantInts(unsigned index, llvm::StringRef what);

  //===--------------------------------------------------------------------===//
  // Attributes. A default of std::nullopt makes the attribute required.
  //===--------------------------------------------------------------------===//

  bool hasAttr(llvm::StringRef name) const;
  mlir::FailureOr<int64_t> getInt(llvm::StringRef name,
                                  std::optional<int64_t> dflt = std::nullopt);
  mlir::FailureOr<float> getFloat(llvm::StringRef name,
                                  std::optional<float> dflt = std::nullopt);
  mlir::FailureOr<std::string>
  getString(llvm::StringRef name,
            std::optional<llvm::StringRef> dflt = std::nullopt);
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  getInts(llvm::StringRef name,
          std::optional<llvm::ArrayRef<int64_t>> dflt = std::nullopt);
  mlir::FailureOr<llvm::SmallVector<float>>
  getFloats(llvm::StringRef name,
            std::optional<llvm::ArrayRef<float>> dflt = std::nullopt);
  mlir::FailureOr<llvm::SmallVector<std::string>>
  getStrings(llvm::StringRef name,
             std::optional<llvm::ArrayRef<std::string>> dflt = std::nullopt);
  /// A tensor attribute as a constant value.
  mlir::FailureOr<mlir::ElementsAttr> getTensor(llvm::StringRef name);
  /// A type attribute (`type` of Optional) as an MLIR type.
  mlir::FailureOr<mlir::Type> getTypeAttr(llvm::StringRef name);
  /// An ONNX element type code (`to` of Cast) as an MLIR type.
  mlir::FailureOr<mlir::Type> getElementType(llvm::StringRef name);

  //===--------------------------------------------------------------------===//
  // Subgraphs (If, Loop, Scan).
  //===--------------------------------------------------------------------===//

  /// The declared types of graph attribute `name`'s inputs; a null type
  /// where an input declares none Loom reads.
  mlir::FailureOr<llvm::SmallVector<mlir::Type>>
  getSubgraphInputTypes(llvm::StringRef name);

  /// Imports graph attribute `name` into `block`, which must be one of
  /// `scope.blocks` and is given arguments of `argTypes` for the subgraph's
  /// inputs. Outer values the subgraph uses become captures of `scope`. The
  /// block ends in a graph.yield of the subgraph's outputs, whose values are
  /// returned.
  mlir::FailureOr<llvm::SmallVector<mlir::Value>>
  importSubgraph(llvm::StringRef name, mlir::Block *block,
                 llvm::ArrayRef<mlir::Type> argTypes, CaptureScope &scope);

  /// Creates the op `state` describes (result types included) and verifies
  /// it; reports and returns null on failure.
  mlir::Operation *createAndVerify(mlir::OperationState &state);

  //===--------------------------------------------------------------------===//
  // Outputs.
  //===--------------------------------------------------------------------===//

  unsigned getNumOutputs() const;
  bool hasOutput(unsigned index) const;
  /// Binds the node's outputs, in order, to `values` (outputs beyond
  /// `values` must be omitted ones). Each value's type is refined by the
  /// model's annotation of that output, when it has a compatible one.
  mlir::LogicalResult setOutputs(mlir::ValueRange values);

  //===--------------------------------------------------------------------===//
  // Building graph ops.
  //===--------------------------------------------------------------------===//

  /// Builds a one-result `OpTy` at the node's location from the arguments its
  /// ODS builder takes after the result type, with the result type the op
  /// infers. Failed inference or verification is reported on the node, never
  /// fatal (ODS's own inferring builders abort on failure).
  template <typename OpTy, typename... Args>
  mlir::FailureOr<OpTy> create(Args &&...args) {
    mlir::OperationState state(loc, OpTy::getOperationName());
    OpTy::build(getBuilder(), state, getBuilder().getNoneType(),
                std::forward<Args>(args)...);
    mlir::Operation *op = finishCreate(state, &OpTy::inferReturnTypes);
    if (!op)
      return mlir::failure();
    return mlir::cast<OpTy>(op);
  }

  using InferFn = llvm::LogicalResult (*)(
      mlir::MLIRContext *, std::optional<mlir::Location>, mlir::ValueRange,
      mlir::DictionaryAttr, mlir::OpaqueProperties, mlir::RegionRange,
      llvm::SmallVectorImpl<mlir::Type> &);
  /// Replaces `state`'s result types with the inferred ones, creates the op
  /// and verifies it; reports and returns null on failure.
  mlir::Operation *finishCreate(mlir::OperationState &state, InferFn infer);

private:
  GraphImporter &graph;
  ::onnx::NodeProto &node;
  int64_t opset;
  mlir::Location loc;
  /// How errors name the node: its name, or its index and first output.
  std::string displayName;
};

/// Imports one node.
using ImportFn = mlir::LogicalResult (*)(NodeImporter &);

/// One row of the op table.
struct OpImporter {
  llvm::StringLiteral opType;
  int64_t sinceOpset;
  int64_t untilOpset;
  ImportFn import;
};

/// The op-family files add their rows to the table.
void addElementwiseImporters(llvm::SmallVectorImpl<OpImporter> &table);
void addTensorImporters(llvm::SmallVectorImpl<OpImporter> &table);
void addNNImporters(llvm::SmallVectorImpl<OpImporter> &table);
void addDataImporters(llvm::SmallVectorImpl<OpImporter> &table);
void addControlFlowImporters(llvm::SmallVectorImpl<OpImporter> &table);
void addMiscImporters(llvm::SmallVectorImpl<OpImporter> &table);
void addSequenceImporters(llvm::SmallVectorImpl<OpImporter> &table);
void addSignalTextImporters(llvm::SmallVectorImpl<OpImporter> &table);

/// The whole table, sorted by op type and then opset.
llvm::ArrayRef<OpImporter> getOpImporters();

} // namespace loom::onnx

#endif // LOOM_LIB_FRONTEND_ONNX_NODEIMPORTER_H
