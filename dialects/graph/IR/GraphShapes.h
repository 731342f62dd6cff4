//===- GraphShapes.h - Shape rules of graph ops -----------------*- C++ -*-===//
//
// Part of Loom. The shape functions of graph ops, shared by the ops'
// verifiers and result-type inference (and later by the ONNX importer, shape
// inference and SBP). Each takes the operands' shapes, returns the result's,
// and reports an invalid combination through `emitError`, which may return an
// inactive diagnostic when nobody wants the message.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECTS_GRAPH_IR_GRAPHSHAPES_H
#define LOOM_DIALECTS_GRAPH_IR_GRAPHSHAPES_H

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/TypeRange.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace loom::graph {

/// The shape of a tensor value: its dims, `mlir::ShapedType::kDynamic` for a
/// `?` dim, or std::nullopt when even the rank is unknown (unranked tensor).
using Shape = std::optional<llvm::SmallVector<int64_t>>;

/// A diagnostic that may be inactive: inference without a location (from a
/// builder or a folder) must fail quietly, and MLIR asserts on streaming
/// into an inactive InFlightDiagnostic. Converts to failure like one.
class ShapeError {
public:
  ShapeError() = default;
  ShapeError(mlir::InFlightDiagnostic &&diag) {
    if (diag.getUnderlyingDiagnostic())
      this->diag.emplace(std::move(diag));
  }
  template <typename T>
  ShapeError &operator<<(T &&value) {
    if (diag)
      *diag << std::forward<T>(value);
    return *this;
  }
  operator mlir::LogicalResult() const { return mlir::failure(); }
  template <typename T>
  operator mlir::FailureOr<T>() const {
    return mlir::failure();
  }

private:
  std::optional<mlir::InFlightDiagnostic> diag;
};

/// Makes the diagnostic an invalid shape is reported on.
using EmitErrorFn = llvm::function_ref<ShapeError()>;

/// The shape of `type`, which must be a tensor type.
Shape getShape(mlir::Type type);

/// Numpy (ONNX multidirectional) broadcasting of two shapes.
mlir::FailureOr<Shape> inferBroadcastShape(const Shape &lhs, const Shape &rhs,
                                           EmitErrorFn emitError);

/// Numpy `matmul`: batched matrix product, with 1-D operands promoted to a
/// row (lhs) or column (rhs) vector and that dim dropped from the result.
mlir::FailureOr<Shape> inferMatMulShape(const Shape &lhs, const Shape &rhs,
                                        EmitErrorFn emitError);

/// ONNX `Gemm`: `a` and `b` are matrices (optionally transposed) and `c`, if
/// given, broadcasts unidirectionally to the [M, N] result.
mlir::FailureOr<Shape> inferGemmShape(const Shape &a, const Shape &b,
                                      const Shape *c, bool transA, bool transB,
                                      EmitErrorFn emitError);

/// ONNX `Reshape`. `shapeOperand` is the shape of the 1-D shape operand and
/// `shapeValues` its values when they are constant.
mlir::FailureOr<Shape>
inferReshapeShape(const Shape &input, const Shape &shapeOperand,
                  std::optional<llvm::ArrayRef<int64_t>> shapeValues,
                  bool allowZero, EmitErrorFn emitError);

/// ONNX `Transpose`: result dim i is input dim perm[i].
mlir::FailureOr<Shape> inferTransposeShape(const Shape &input,
                                           llvm::ArrayRef<int64_t> perm,
                                           EmitErrorFn emitError);

/// ONNX `Squeeze` with resolved axes: each listed dim must be 1.
mlir::FailureOr<Shape> inferSqueezeShape(const Shape &input,
                                         llvm::ArrayRef<int64_t> axes,
                                         EmitErrorFn emitError);

/// ONNX `Unsqueeze` with resolved axes (indices into the result).
mlir::FailureOr<Shape> inferUnsqueezeShape(const Shape &input,
                                           llvm::ArrayRef<int64_t> axes,
                                           EmitErrorFn emitError);

/// ONNX `Flatten`: dims before `axis` and from `axis` on collapse.
mlir::FailureOr<Shape> inferFlattenShape(const Shape &input, int64_t axis,
                                         EmitErrorFn emitError);

/// ONNX `Concat` along `axis`.
mlir::FailureOr<Shape> inferConcatShape(llvm::ArrayRef<Shape> inputs,
                                        int64_t axis, EmitErrorFn emitError);

/// A reduction over resolved `axes`, keeping them as 1s under `keepDims`.
mlir::FailureOr<Shape> inferReduceShape(const Shape &input,
                                        llvm::ArrayRef<int64_t> axes,
                                        bool keepDims, EmitErrorFn emitError);

/// Window geometry shared by convolutions and pooling: per spatial dim, a
/// stride and a dilation, and pads as [begin..., end...].
struct Window {
  llvm::ArrayRef<int64_t> strides;
  llvm::ArrayRef<int64_t> dilations;
  llvm::ArrayRef<int64_t> pads;
};

/// ONNX `Conv`: input [N, C, D...], weight [M, C/group, K...] ->
/// [N, M, out...].
mlir::FailureOr<Shape> inferConvShape(const Shape &input, const Shape &weight,
                                      const Shape *bias, const Window &window,
                                      int64_t group, EmitErrorFn emitError);

/// ONNX `ConvTranspose`: input [N, C, D...], weight [C, M/group, K...] ->
/// [N, M, out...], with `outputPadding` added at each spatial dim's end.
mlir::FailureOr<Shape>
inferConvTransposeShape(const Shape &input, const Shape &weight,
                        const Shape *bias, const Window &window,
                        llvm::ArrayRef<int64_t> outputPadding, int64_t group,
                        EmitErrorFn emitError);

/// ONNX `MaxPool`/`AveragePool`: input [N, C, D...] -> [N, C, out...], the
/// last window rounded up under `ceilMode`.
mlir::FailureOr<Shape> inferPoolShape(const Shape &input,
                                      llvm::ArrayRef<int64_t> kernel,
                                      const Window &window, bool ceilMode,
                                      EmitErrorFn emitError);

/// ONNX `Gather`: data[:axis] + indices + data[axis+1:].
mlir::FailureOr<Shape> inferGatherShape(const Shape &data, const Shape &indices,
                                        int64_t axis, EmitErrorFn emitError);

/// ONNX `GatherElements` and `ScatterElements`: indices of data's rank.
mlir::FailureOr<Shape> inferGatherElementsShape(const Shape &data,
                                                const Shape &indices,
                                                int64_t axis,
                                                EmitErrorFn emitError);

/// ONNX `GatherND`: indices[:-1] + data[batchDims + indices[-1]:].
mlir::FailureOr<Shape> inferGatherNDShape(const Shape &data,
                                          const Shape &indices,
                                          int64_t batchDims,
                                          EmitErrorFn emitError);

/// ONNX `Slice` with one start, end and step per dim (ONNX's clamping and
/// negative-index rules), the result dims where the input's are known.
mlir::FailureOr<Shape> inferSliceShape(const Shape &input,
                                       llvm::ArrayRef<int64_t> starts,
                                       llvm::ArrayRef<int64_t> ends,
                                       llvm::ArrayRef<int64_t> steps,
                                       EmitErrorFn emitError);

/// ONNX `Pad` with pads as [begin..., end...] (negative pads crop).
mlir::FailureOr<Shape> inferPadShape(const Shape &input,
                                     llvm::ArrayRef<int64_t> pads,
                                     EmitErrorFn emitError);

/// ONNX `DepthToSpace` (`toSpace`) and `SpaceToDepth` on [N, C, H, W].
mlir::FailureOr<Shape> inferDepthSpaceShape(const Shape &input,
                                            int64_t blocksize, bool toSpace,
                                            EmitErrorFn emitError);

/// ONNX `Einsum` with `equation` such as "bij,bjk->bik" ("..." broadcasts;
/// without "->" the output is the letters used once, in order).
mlir::FailureOr<Shape> inferEinsumShape(llvm::ArrayRef<Shape> inputs,
                                        llvm::StringRef equation,
                                        EmitErrorFn emitError);

/// Whether every declared type refines or coarsens the inferred type at the
/// same position without contradicting it: both are tensors of the same
/// element type and, where both are ranked, of the same rank with equal
/// static dims (or sequences or optionals of such tensors).
bool areCompatibleRefinements(mlir::TypeRange inferred,
                              mlir::TypeRange declared);

/// The most precise type both `a` and `b` allow (their meet), or null when
/// they conflict. Sequences and optionals meet element-wise.
mlir::Type meetTypes(mlir::Type a, mlir::Type b);

/// The least precise tensor type both `a` and `b` fit (their join): unranked
/// when their ranks differ; null when their element types do.
mlir::Type joinTypes(mlir::Type a, mlir::Type b);

/// Formats a shape as `2x?x4` (or `*` when unranked) for diagnostics.
std::string formatShape(const Shape &shape);

} // namespace loom::graph

#endif // LOOM_DIALECTS_GRAPH_IR_GRAPHSHAPES_H
