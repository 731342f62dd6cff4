//===- GraphSequence.cpp - Sequence and optional ops ----------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphOps.h"

using namespace mlir;
using namespace loom::graph;

/// Declared results may refine the inferred ones, as for tensor ops.
#define GRAPH_REFINABLE_RESULTS(OpTy)                                          \
  bool OpTy::isCompatibleReturnTypes(TypeRange inferred, TypeRange declared) { \
    return areCompatibleRefinements(inferred, declared);                       \
  }
GRAPH_REFINABLE_RESULTS(SequenceConstructOp)
GRAPH_REFINABLE_RESULTS(SequenceInsertOp)
GRAPH_REFINABLE_RESULTS(SequenceEraseOp)
GRAPH_REFINABLE_RESULTS(SequenceAtOp)
GRAPH_REFINABLE_RESULTS(SequenceLengthOp)
GRAPH_REFINABLE_RESULTS(OptionalOp)
GRAPH_REFINABLE_RESULTS(OptionalGetElementOp)
GRAPH_REFINABLE_RESULTS(OptionalHasElementOp)
#undef GRAPH_REFINABLE_RESULTS

static Type getScalar(MLIRContext *context, unsigned width) {
  return RankedTensorType::get({}, IntegerType::get(context, width));
}

LogicalResult SequenceConstructOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<Type> &types) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(loc, "'", getOperationName(),
                             "' op needs at least one input");
  Type joined = inputs.front().getType();
  for (Value input : inputs.drop_front()) {
    joined = joinTypes(joined, input.getType());
    if (!joined)
      return emitOptionalError(loc, "'", getOperationName(),
                               "' op inputs must share their element type");
  }
  types.push_back(SequenceType::get(cast<TensorType>(joined)));
  return success();
}

LogicalResult SequenceInsertOp::inferReturnTypes(MLIRContext *,
                                                 std::optional<Location> loc,
                                                 Adaptor adaptor,
                                                 SmallVectorImpl<Type> &types) {
  auto sequence = cast<SequenceType>(adaptor.getSequence().getType());
  Type tensor = adaptor.getTensor().getType();
  auto joined = dyn_cast_or_null<TensorType>(
      joinTypes(sequence.getElementType(), tensor));
  if (!joined)
    return emitOptionalError(loc, "'", getOperationName(),
                             "' op cannot insert ", tensor, " into ", sequence);
  types.push_back(SequenceType::get(joined));
  return success();
}

LogicalResult SequenceEraseOp::inferReturnTypes(MLIRContext *,
                                                std::optional<Location>,
                                                Adaptor adaptor,
                                                SmallVectorImpl<Type> &types) {
  types.push_back(adaptor.getSequence().getType());
  return success();
}

LogicalResult SequenceAtOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location>,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &types) {
  types.push_back(
      cast<SequenceType>(adaptor.getSequence().getType()).getElementType());
  return success();
}

LogicalResult SequenceLengthOp::inferReturnTypes(MLIRContext *context,
                                                 std::optional<Location>,
                                                 Adaptor,
                                                 SmallVectorImpl<Type> &types) {
  types.push_back(getScalar(context, 64));
  return success();
}

LogicalResult OptionalOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location>,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &types) {
  types.push_back(OptionalType::get(adaptor.getValue().getType()));
  return success();
}

LogicalResult
OptionalGetElementOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &types) {
  types.push_back(
      cast<OptionalType>(adaptor.getOptional().getType()).getValueType());
  return success();
}

LogicalResult
OptionalHasElementOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location>, Adaptor,
                                       SmallVectorImpl<Type> &types) {
  types.push_back(getScalar(context, 1));
  return success();
}

//===----------------------------------------------------------------------===//
// SequenceMapOp
//===----------------------------------------------------------------------===//

LogicalResult SequenceMapOp::verify() {
  Block &body = getBody().front();
  SmallVector<Type> expected = {getSequence().getType().getElementType()};
  for (Value value : getAdditional())
    expected.push_back(
        isa<SequenceType>(value.getType())
            ? cast<SequenceType>(value.getType()).getElementType()
            : value.getType());
  llvm::append_range(expected, getCaptures().getTypes());
  if (TypeRange(body.getArgumentTypes()) != TypeRange(expected)) {
    InFlightDiagnostic diag = emitOpError("body must take (");
    llvm::interleaveComma(expected, diag);
    diag << ") but takes (";
    llvm::interleaveComma(body.getArgumentTypes(), diag);
    return diag << ")";
  }
  auto yield = dyn_cast<YieldOp>(body.getTerminator());
  if (!yield)
    return emitOpError("body must end in graph.yield");
  if (yield.getValues().size() != getNumResults())
    return emitOpError("body yields ")
           << yield.getValues().size() << " values but the op has "
           << getNumResults() << " results";
  for (auto [index, value, result] :
       llvm::enumerate(yield.getValues(), getResultTypes())) {
    Type element = cast<SequenceType>(result).getElementType();
    if (!isa<TensorType>(value.getType()) ||
        !areCompatibleRefinements(value.getType(), element))
      return emitOpError("body value #")
             << index << " of type " << value.getType()
             << " does not fit result " << result;
  }
  return success();
}
