//===- Lowering.h - Shared by the graph-to-linalg patterns ------*- C++ -*-===//
//
// Part of Loom. Private to lib/Conversion/GraphToLinalg.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_LIB_CONVERSION_GRAPHTOLINALG_LOWERING_H
#define LOOM_LIB_CONVERSION_GRAPHTOLINALG_LOWERING_H

#include "dialects/graph/IR/GraphOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace loom::lowering {

/// Graph types to upstream ones: unsigned integer element types become
/// signless (arith and linalg take only those); everything else is kept.
class GraphTypeConverter : public mlir::TypeConverter {
public:
  GraphTypeConverter();
};

// Run-time checks. Patterns always place them; with runtime-checks=off the
// pass erases them afterwards (and canonicalization what computed their
// conditions).

/// Places a kernel.check of `condition` (i1) at `b`'s insertion point.
/// `kind` is index, shape, size or value; `message` may name `values`
/// (index or integer values, at most two) as {0} and {1}; `operand` is the
/// ONNX node's input at fault (-1: none).
void emitCheck(mlir::OpBuilder &b, mlir::Location loc, mlir::Value condition,
               llvm::StringRef kind, llvm::StringRef message,
               mlir::ValueRange values = {}, int64_t operand = -1);

/// Checks that run-time dims `actual` and `expected` (index values) are
/// equal; `message` names them as {0} and {1}.
void emitDimsEqualCheck(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value actual, mlir::Value expected,
                        llvm::StringRef message, int64_t operand = -1);

/// Checks that run-time dim `have` is at most `room` (index values):
/// `message` names them as {0} and {1}.
void emitDimAtMostCheck(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::Value have, mlir::Value room,
                        llvm::StringRef message, int64_t operand);

/// Checks the indices in column `column` of the last dim of `indices`
/// (GatherND, ScatterND: a static shape) against `size`, as
/// emitIndexRangeCheck does.
void emitIndexColumnRangeCheck(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value indices, int64_t column,
                               mlir::Value size, int64_t operand);

/// Checks dims computed from run-time values (i64 or index values): none
/// negative, and their product times `elementBytes` within i64. `operand`
/// is the input they come from.
void emitSizeCheck(mlir::OpBuilder &b, mlir::Location loc,
                   mlir::ValueRange dims, int64_t elementBytes,
                   int64_t operand);

/// Checks that a contraction's inner dims agree: dim `lhsDim` of `lhs` and
/// dim `rhsDim` of `rhs` (nothing is placed when both are static).
void emitInnerDimCheck(mlir::OpBuilder &b, mlir::Location loc, mlir::Value lhs,
                       int64_t lhsDim, mlir::Value rhs, int64_t rhsDim);

/// Checks that every element of `indices` (an integer tensor) is in
/// [-size, size) (`allowNegative`) or [0, size): one pass reduces them to
/// their minimum and maximum, then two checks name the one out of range.
/// `size` is an index value.
void emitIndexRangeCheck(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value indices, mlir::Value size, int64_t operand,
                         bool allowNegative = true);

/// The signless version of `type` (an element or tensor type).
mlir::Type toSignless(mlir::Type type);

/// The dims of `result` (a ranked tensor type), static ones as constants and
/// dynamic ones as values: `dynamicDim(i)` gives dynamic dim i.
llvm::SmallVector<mlir::OpFoldResult>
getMixedSizes(mlir::OpBuilder &b, mlir::Location loc,
              mlir::RankedTensorType result,
              llvm::function_ref<mlir::Value(unsigned)> dynamicDim);

/// An empty tensor shaped like `result`, for dims given by `getMixedSizes`.
mlir::Value createEmpty(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType result,
                        llvm::ArrayRef<mlir::OpFoldResult> sizes);

/// A tensor of `type` filled with `value`.
mlir::Value createFilled(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type,
                         llvm::ArrayRef<mlir::OpFoldResult> sizes,
                         mlir::TypedAttr value);

/// A scalar constant of `type` (float or integer) holding `value`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// Builds the scalar body of an elementwise op: args are the operands'
/// elements (signless), and the original (possibly unsigned) element types
/// say how to read them.
using ScalarFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange args)>;

/// `linalg.generic` computing `body` elementwise over `operands` with ONNX
/// (numpy) broadcasting into a tensor of `resultType` (converted, ranked).
/// Dims of size 1 broadcast when static; dynamic dims are taken not to.
/// The result's dynamic dims come from the operands unless `sizes` gives
/// them (needed when no operand has them, e.g. a bias broadcast over rows).
mlir::FailureOr<mlir::Value>
buildElementwise(mlir::ConversionPatternRewriter &rewriter, mlir::Location loc,
                 mlir::RankedTensorType resultType, mlir::ValueRange operands,
                 ScalarFn body, mlir::ArrayRef<mlir::OpFoldResult> sizes = {});

/// A linalg.generic producing a tensor of `type` (dims `sizes`) whose
/// element at each index is `fn(indices)`.
mlir::Value buildFromIndices(
    mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
    llvm::ArrayRef<mlir::OpFoldResult> sizes,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::ValueRange indices)>
        fn);

/// Reduces `input` over `axes` into a tensor of `type` (which keeps the
/// reduced dims as 1s when `keepDims`), starting from `init`.
mlir::Value buildReduction(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
    llvm::ArrayRef<int64_t> axes, bool keepDims, mlir::RankedTensorType type,
    mlir::TypedAttr init,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                   mlir::Value element, mlir::Value acc)>
        combine);

/// The statistics normalisation ops share: over `axes` of `x` (a float
/// tensor of `type`), the mean, `x - mean` and the (population) variance;
/// the mean and variance keep the reduced dims as 1s.
struct Moments {
  mlir::Value mean, centered, variance;
};
mlir::FailureOr<Moments> buildMoments(mlir::ConversionPatternRewriter &rewriter,
                                      mlir::Location loc, mlir::Value x,
                                      mlir::RankedTensorType type,
                                      llvm::ArrayRef<int64_t> axes);

/// An index constant.
mlir::Value constantIndex(mlir::OpBuilder &b, mlir::Location loc, int64_t v);

/// An integer element as an index, negative values counting back from `size`.
mlir::Value wrapNegativeIndex(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::Value element, mlir::Value size);

/// A convolution or pooling window count: (size + padding - dilation *
/// (kernel - 1) - 1) / stride + 1, with `padding` the sum of both sides.
mlir::Value convOutputSize(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value size, int64_t padding, int64_t kernel,
                           int64_t stride, int64_t dilation);

/// The dynamic sizes of Gemm's result: rows from `a`, columns from `b`.
llvm::SmallVector<mlir::OpFoldResult>
getGemmSizes(mlir::OpBuilder &b, mlir::Location loc,
             mlir::RankedTensorType type, mlir::Value lhs, mlir::Value rhs,
             bool transA, bool transB);

/// The converted result type of `op`'s result `index` when it is statically
/// shaped, or failure (with a match-failure note).
mlir::FailureOr<mlir::RankedTensorType>
getStaticResultType(mlir::ConversionPatternRewriter &rewriter,
                    const mlir::TypeConverter &converter, mlir::Operation *op,
                    unsigned index = 0);

/// The converted, ranked result type of `op`'s result `index`, or failure
/// with a match-failure note when it is unranked.
mlir::FailureOr<mlir::RankedTensorType>
getRankedResultType(mlir::ConversionPatternRewriter &rewriter,
                    const mlir::TypeConverter &converter, mlir::Operation *op,
                    unsigned index = 0);

void populateElementwisePatterns(GraphTypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateTensorPatterns(GraphTypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateContractionPatterns(GraphTypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateReductionPatterns(GraphTypeConverter &converter,
                               mlir::RewritePatternSet &patterns);
void populateConvolutionPatterns(GraphTypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
void populateDataPatterns(GraphTypeConverter &converter,
                          mlir::RewritePatternSet &patterns);
void populateNormalizationPatterns(GraphTypeConverter &converter,
                                   mlir::RewritePatternSet &patterns);
void populateMiscPatterns(GraphTypeConverter &converter,
                          mlir::RewritePatternSet &patterns);
void populateResizePatterns(GraphTypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateGatherPatterns(GraphTypeConverter &converter,
                            mlir::RewritePatternSet &patterns);
void populateQuantPatterns(GraphTypeConverter &converter,
                           mlir::RewritePatternSet &patterns);
void populateMorePatterns(GraphTypeConverter &converter,
                          mlir::RewritePatternSet &patterns);
void populateQuantMatMulPatterns(GraphTypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
/// graph.if, loop and scan as scf.if, while and for on tensors.
void populateControlFlowPatterns(GraphTypeConverter &converter,
                                 mlir::RewritePatternSet &patterns);
/// Convolutions and matrix products the kernel library computes, preferred
/// (higher benefit) over the generic lowerings; with `batchedMatmul`,
/// batches of products too.
void populateKernelPatterns(GraphTypeConverter &converter,
                            mlir::RewritePatternSet &patterns,
                            bool symmetricConvPads = false,
                            bool batchedMatmul = false);

} // namespace loom::lowering

#endif // LOOM_LIB_CONVERSION_GRAPHTOLINALG_LOWERING_H
