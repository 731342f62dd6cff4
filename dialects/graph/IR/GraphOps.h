//===- GraphOps.h - Operations of the graph dialect -------------*- C++ -*-===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHOPS_H
#define LOOM_DIALECTS_GRAPH_IR_GRAPHOPS_H

#include "dialects/graph/IR/GraphDialect.h"
#include "dialects/graph/IR/GraphShapes.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace loom::graph::detail {
/// The diagnostic for an inference failure outside verification: it reads as
/// the verifier's would, or is inactive when there is no location.
ShapeError inferenceError(std::optional<mlir::Location> loc,
                          llvm::StringRef opName);
/// Turns a shape function's answer into the one result's type components.
mlir::LogicalResult
toComponents(mlir::FailureOr<Shape> shape, mlir::Type elementType,
             llvm::SmallVectorImpl<mlir::ShapedTypeComponents> &components);
/// Verifies that `op`'s one result refines the inferred type.
mlir::LogicalResult verifyResult(mlir::Operation *op,
                                 mlir::FailureOr<Shape> shape,
                                 mlir::Type elementType);
/// Verifies that static input and result element counts agree (reshape).
mlir::LogicalResult verifyElementCounts(mlir::Operation *op);
/// The values of `value` when it is a constant integer tensor.
std::optional<llvm::SmallVector<int64_t>> getConstantInts(mlir::Value value);
/// The static length of a 1-D tensor value, if known.
std::optional<int64_t> getStaticLength(mlir::Value value);
/// The result shape of an op whose axes (or pads) are the 1-D operand
/// `computed` rather than the attribute `attr`, which must then be empty.
/// `rankChange` is the result's rank minus the input's per entry of
/// `computed` (-1 squeeze, +1 unsqueeze, 0 same rank; -2: unknown rank). All
/// dims the entries may touch are dynamic.
mlir::FailureOr<Shape> inferComputedAxesShape(const Shape &input,
                                              mlir::Value computed,
                                              llvm::ArrayRef<int64_t> attr,
                                              int rankChange,
                                              EmitErrorFn emitError);
/// The shape of (de)quantize: the input's; a non-scalar `scale` must be 1-D
/// with one value per element of the input's dim `axis`.
mlir::FailureOr<Shape> inferQuantizeShape(const Shape &input,
                                          const Shape &scale, int64_t axis,
                                          EmitErrorFn emitError);
/// The shape of an NLL-style loss: `target`'s for reduction "none", else a
/// scalar; checks input [N, C, d...], target [N, d...] and weight [C].
mlir::FailureOr<Shape> inferLossShape(const Shape &input, const Shape &target,
                                      const Shape &weight,
                                      llvm::StringRef reduction,
                                      EmitErrorFn emitError);
} // namespace loom::graph::detail

#define GET_OP_CLASSES
#include "dialects/graph/IR/GraphOps.h.inc"

namespace loom::graph::detail {
/// The shape function of graph.reshape, which reads its constant shape.
mlir::FailureOr<Shape> inferReshape(ReshapeOp::Adaptor op,
                                    EmitErrorFn emitError);
/// The shape function of graph.stft.
mlir::FailureOr<Shape> inferSTFTShape(STFTOp::Adaptor op,
                                      EmitErrorFn emitError);
/// Checks the pool, counts, indexes, weights and mode of
/// graph.tfidf_vectorizer.
mlir::LogicalResult verifyTfIdfAttrs(TfIdfVectorizerOp op);
} // namespace loom::graph::detail

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHOPS_H
