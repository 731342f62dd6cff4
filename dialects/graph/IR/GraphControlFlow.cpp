//===- GraphControlFlow.cpp - Verifiers of graph.if, loop and scan --------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphOps.h"

using namespace mlir;
using namespace loom::graph;

/// Checks that `region`'s entry block takes `leading` then the captures'
/// types, exactly.
static LogicalResult verifyEntryBlock(Operation *op, Region &region,
                                      StringRef name, TypeRange leading,
                                      ValueRange captures) {
  Block &block = region.front();
  SmallVector<Type> expected(leading.begin(), leading.end());
  llvm::append_range(expected, captures.getTypes());
  if (TypeRange(block.getArgumentTypes()) != TypeRange(expected)) {
    InFlightDiagnostic diag = op->emitOpError() << name << " must take (";
    llvm::interleaveComma(expected, diag);
    diag << ") but takes (";
    llvm::interleaveComma(block.getArgumentTypes(), diag);
    return diag << ")";
  }
  return success();
}

/// The region's terminator, which must be a graph.yield of `count` values.
static FailureOr<YieldOp> getYield(Operation *op, Region &region,
                                   StringRef name, size_t count) {
  auto yield = dyn_cast<YieldOp>(region.front().getTerminator());
  if (!yield)
    return op->emitOpError() << name << " must end in graph.yield";
  if (yield.getValues().size() != count)
    return op->emitOpError() << name << " yields " << yield.getValues().size()
                             << " values but " << count << " are expected";
  return yield;
}

/// Checks that each value refines the type at the same position.
static LogicalResult verifyRefines(Operation *op, StringRef what,
                                   ValueRange values, TypeRange types) {
  for (auto [index, value, type] : llvm::enumerate(values, types))
    if (!areCompatibleRefinements(value.getType(), type))
      return op->emitOpError()
             << what << " #" << index << " has type " << value.getType()
             << ", incompatible with " << type;
  return success();
}

/// `slice` with a dim inserted at `axis`, compatible with `stacked`?
static bool isStackOf(Type stacked, Type slice, int64_t axis) {
  auto s = dyn_cast<RankedTensorType>(slice);
  auto t = dyn_cast<RankedTensorType>(stacked);
  if (!s || !t)
    return isa<TensorType>(stacked) && isa<TensorType>(slice) &&
           getElementTypeOrSelf(stacked) == getElementTypeOrSelf(slice);
  if (axis < 0 || axis > s.getRank() || t.getRank() != s.getRank() + 1)
    return false;
  SmallVector<int64_t> dims(s.getShape());
  dims.insert(dims.begin() + axis, t.getDimSize(axis));
  return areCompatibleRefinements(
      RankedTensorType::get(dims, s.getElementType()), stacked);
}

static Type getBoolScalar(MLIRContext *context) {
  return RankedTensorType::get({}, IntegerType::get(context, 1));
}

//===----------------------------------------------------------------------===//
// IfOp
//===----------------------------------------------------------------------===//

LogicalResult IfOp::verify() {
  auto condition = dyn_cast<RankedTensorType>(getCondition().getType());
  if (condition && condition.hasStaticShape() &&
      condition.getNumElements() != 1)
    return emitOpError("condition must hold one element, got ") << condition;
  for (auto [region, name] :
       {std::make_pair(&getThenBranch(), "then_branch"),
        std::make_pair(&getElseBranch(), "else_branch")}) {
    if (failed(verifyEntryBlock(*this, *region, name, {}, getCaptures())))
      return failure();
    FailureOr<YieldOp> yield = getYield(*this, *region, name, getNumResults());
    if (failed(yield) ||
        failed(verifyRefines(*this, std::string(name) + " value",
                             yield->getValues(), getResultTypes())))
      return failure();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// LoopOp
//===----------------------------------------------------------------------===//

LogicalResult LoopOp::verify() {
  size_t carried = getInitial().size();
  if (getNumResults() < carried)
    return emitOpError("has ") << getNumResults() << " results but " << carried
                               << " loop-carried values";
  TypeRange carriedTypes = TypeRange(getResultTypes()).take_front(carried);
  if (failed(verifyRefines(*this, "initial value", getInitial(), carriedTypes)))
    return failure();
  SmallVector<Type> leading = {
      RankedTensorType::get({}, IntegerType::get(getContext(), 64)),
      getBoolScalar(getContext())};
  llvm::append_range(leading, carriedTypes);
  if (failed(
          verifyEntryBlock(*this, getBody(), "body", leading, getCaptures())))
    return failure();
  FailureOr<YieldOp> yield =
      getYield(*this, getBody(), "body", 1 + getNumResults());
  if (failed(yield))
    return failure();
  ValueRange values = yield->getValues();
  if (!areCompatibleRefinements(values.front().getType(),
                                getBoolScalar(getContext())))
    return emitOpError("body must yield its condition as tensor<i1> first, "
                       "got ")
           << values.front().getType();
  if (failed(verifyRefines(*this, "carried value", values.slice(1, carried),
                           carriedTypes)))
    return failure();
  for (auto [index, slice, result] :
       llvm::enumerate(values.drop_front(1 + carried),
                       TypeRange(getResultTypes()).drop_front(carried)))
    if (!isStackOf(result, slice.getType(), 0))
      return emitOpError("scan output #")
             << index << " of type " << result
             << " does not stack slices of type " << slice.getType();
  return success();
}

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

LogicalResult ScanOp::verify() {
  size_t states = getInitialStates().size();
  size_t inputs = getScanInputs().size();
  if (getNumResults() < states)
    return emitOpError("has ")
           << getNumResults() << " results but " << states << " states";
  size_t outputs = getNumResults() - states;
  if (getScanInputAxes().size() != inputs ||
      getScanInputReverse().size() != inputs ||
      getScanOutputAxes().size() != outputs ||
      getScanOutputReverse().size() != outputs)
    return emitOpError("needs one axis and direction per scan input (")
           << inputs << ") and per scan output (" << outputs << ")";
  TypeRange stateTypes = TypeRange(getResultTypes()).take_front(states);
  if (failed(verifyRefines(*this, "initial state", getInitialStates(),
                           stateTypes)))
    return failure();
  SmallVector<Type> leading(stateTypes.begin(), stateTypes.end());
  for (auto [index, input, axis] :
       llvm::enumerate(getScanInputs(), getScanInputAxes())) {
    auto type = dyn_cast<RankedTensorType>(input.getType());
    if (!type) {
      leading.push_back(input.getType());
      continue;
    }
    if (axis < 0 || axis >= type.getRank())
      return emitOpError("scan input axis ")
             << axis << " is out of range for " << type;
    SmallVector<int64_t> dims(type.getShape());
    dims.erase(dims.begin() + axis);
    leading.push_back(RankedTensorType::get(dims, type.getElementType()));
  }
  if (failed(
          verifyEntryBlock(*this, getBody(), "body", leading, getCaptures())))
    return failure();
  FailureOr<YieldOp> yield =
      getYield(*this, getBody(), "body", getNumResults());
  if (failed(yield) ||
      failed(verifyRefines(*this, "state",
                           yield->getValues().take_front(states), stateTypes)))
    return failure();
  for (auto [index, slice, result, axis] : llvm::enumerate(
           yield->getValues().drop_front(states),
           TypeRange(getResultTypes()).drop_front(states), getScanOutputAxes()))
    if (!isStackOf(result, slice.getType(), axis))
      return emitOpError("scan output #")
             << index << " of type " << result
             << " does not stack slices of type " << slice.getType()
             << " along axis " << axis;
  return success();
}
