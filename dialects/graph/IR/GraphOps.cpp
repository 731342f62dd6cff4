//===- GraphOps.cpp - Verifiers and type inference of graph ops -----------===//
//
// Part of Loom. Most ops' inference and verifiers are generated from their
// ODS class (Graph_ShapedOp) and a shape function (GraphShapes.h); this file
// holds the glue they call and the few ops with hand-written rules. Folders
// and canonicalizations live in GraphFolds.cpp.
//
//===----------------------------------------------------------------------===//

#include "dialects/graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace loom::graph;

//===----------------------------------------------------------------------===//
// Glue for Graph_ShapedOp
//===----------------------------------------------------------------------===//

InFlightDiagnostic
loom::graph::detail::inferenceError(std::optional<Location> loc,
                                    StringRef opName) {
  if (!loc)
    return InFlightDiagnostic();
  InFlightDiagnostic diag = mlir::emitError(*loc);
  diag << "'" << opName << "' op ";
  return diag;
}

LogicalResult loom::graph::detail::toComponents(
    FailureOr<Shape> shape, Type elementType,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  if (failed(shape))
    return failure();
  if (*shape)
    components.emplace_back(**shape, elementType);
  else
    components.emplace_back(elementType);
  return success();
}

LogicalResult loom::graph::detail::verifyResult(Operation *op,
                                                FailureOr<Shape> shape,
                                                Type elementType) {
  if (failed(shape))
    return failure();
  Type declared = op->getResult(0).getType();
  Type inferred = *shape ? Type(RankedTensorType::get(**shape, elementType))
                         : Type(UnrankedTensorType::get(elementType));
  if (!areCompatibleRefinements(inferred, declared))
    return op->emitOpError("result type ")
           << declared << " is incompatible with the inferred type "
           << inferred;
  return success();
}

LogicalResult loom::graph::detail::verifyElementCounts(Operation *op) {
  auto input = dyn_cast<RankedTensorType>(op->getOperand(0).getType());
  auto result = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (input && result && input.hasStaticShape() && result.hasStaticShape() &&
      input.getNumElements() != result.getNumElements())
    return op->emitOpError("result type ")
           << result << " has " << result.getNumElements()
           << " elements but the input " << input << " has "
           << input.getNumElements();
  return success();
}

/// The values of a constant 1-D integer operand, if it is one.
static std::optional<SmallVector<int64_t>> getConstantValues(Value value) {
  ElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  auto values = attr.tryGetValues<int64_t>();
  if (!values)
    return std::nullopt;
  return llvm::to_vector(*values);
}

FailureOr<Shape> loom::graph::detail::inferReshape(ReshapeOp::Adaptor op,
                                                   EmitErrorFn emitError) {
  std::optional<SmallVector<int64_t>> values = getConstantValues(op.getShape());
  std::optional<ArrayRef<int64_t>> valuesRef;
  if (values)
    valuesRef = *values;
  return inferReshapeShape(getShape(op.getInput().getType()),
                           getShape(op.getShape().getType()), valuesRef,
                           op.getAllowZero(), emitError);
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::verify() {
  ElementsAttr value = getValue();
  if (!isa<DenseElementsAttr, DenseResourceElementsAttr>(value))
    return emitOpError("value must be a dense or dense_resource elements "
                       "attribute, got ")
           << value;
  auto resource = dyn_cast<DenseResourceElementsAttr>(value);
  if (!resource)
    return success();
  // A handle without a blob (elided, or not yet loaded) has no size to check.
  AsmResourceBlob *blob = resource.getRawHandle().getBlob();
  if (!blob)
    return success();
  auto type = cast<ShapedType>(resource.getType());
  int64_t bytesPerElement = (type.getElementTypeBitWidth() + 7) / 8;
  int64_t expected = type.getNumElements() * bytesPerElement;
  int64_t actual = blob->getData().size();
  if (actual != expected)
    return emitOpError("resource '")
           << resource.getRawHandle().getKey() << "' holds " << actual
           << " bytes but " << type << " needs " << expected;
  return success();
}

//===----------------------------------------------------------------------===//
// LayerNormOp
//===----------------------------------------------------------------------===//

/// The shapes of layer_norm's results: the normalised value and the mean and
/// inverse standard deviation (reduced dims kept as 1s).
static FailureOr<std::pair<Shape, Shape>>
inferLayerNorm(LayerNormOp::Adaptor op, EmitErrorFn emitError) {
  Shape input = getShape(op.getInput().getType());
  int64_t axis = op.getAxis();
  if (!input)
    return std::make_pair(input, input);
  if (axis >= static_cast<int64_t>(input->size()))
    return emitError() << "axis " << axis << " is out of range for "
                       << formatShape(input);
  ArrayRef<int64_t> normalized = ArrayRef<int64_t>(*input).drop_front(axis);
  for (Value param : {op.getScale(), op.getBias()}) {
    if (!param)
      continue;
    Shape shape = getShape(param.getType());
    if (shape && failed(inferBroadcastShape(Shape(llvm::to_vector(normalized)),
                                            shape, emitError)))
      return failure();
  }
  SmallVector<int64_t> reduced(*input);
  std::fill(reduced.begin() + axis, reduced.end(), 1);
  return std::make_pair(input, Shape(std::move(reduced)));
}

LogicalResult LayerNormOp::inferReturnTypeComponents(
    MLIRContext *context, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  auto shapes = inferLayerNorm(
      adaptor, [&] { return detail::inferenceError(loc, getOperationName()); });
  if (failed(shapes))
    return failure();
  Type f32 = Float32Type::get(context);
  if (failed(detail::toComponents(shapes->first,
                                  getElementTypeOrSelf(adaptor.getInput()),
                                  components)) ||
      failed(detail::toComponents(shapes->second, f32, components)) ||
      failed(detail::toComponents(shapes->second, f32, components)))
    return failure();
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto shapes = inferLayerNorm(*this, [&] { return emitOpError(); });
  if (failed(shapes))
    return failure();
  SmallVector<ShapedTypeComponents> components;
  (void)inferReturnTypeComponents(getContext(), std::nullopt, *this,
                                  components);
  for (auto [result, component] : llvm::zip_equal(getResults(), components)) {
    Type inferred =
        component.hasRank()
            ? Type(RankedTensorType::get(component.getDims(),
                                         component.getElementType()))
            : Type(UnrankedTensorType::get(component.getElementType()));
    if (!areCompatibleRefinements(inferred, result.getType()))
      return emitOpError("result type ")
             << result.getType() << " is incompatible with the inferred type "
             << inferred;
  }
  return success();
}

#define GET_OP_CLASSES
#include "dialects/graph/IR/GraphOps.cpp.inc"
