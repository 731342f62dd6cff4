//===- GraphOps.cpp - Verifiers and type inference of graph ops -----------===//
//
// Part of Loom. Every shaped op has one shape function (GraphShapes.h); its
// verifier and its result-type inference both call it, so the two can never
// disagree. Folders and canonicalizations live in GraphFolds.cpp.
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
// Shared helpers
//===----------------------------------------------------------------------===//

/// The diagnostic for an inference failure outside verification: it reads as
/// the verifier's would, or is inactive when there is no location to use.
static InFlightDiagnostic inferenceError(std::optional<Location> loc,
                                         StringRef opName) {
  if (!loc)
    return InFlightDiagnostic();
  InFlightDiagnostic diag = mlir::emitError(*loc);
  diag << "'" << opName << "' op ";
  return diag;
}

/// Turns a shape function's answer into the one result's type components.
static LogicalResult
toComponents(FailureOr<Shape> shape, Type elementType,
             SmallVectorImpl<ShapedTypeComponents> &components) {
  if (failed(shape))
    return failure();
  if (*shape)
    components.emplace_back(**shape, elementType);
  else
    components.emplace_back(elementType);
  return success();
}

/// Verifies that `op`'s one result refines the type its shape function infers.
static LogicalResult verifyResultShape(Operation *op, FailureOr<Shape> shape) {
  if (failed(shape))
    return failure();
  Type declared = op->getResult(0).getType();
  Type elementType = cast<TensorType>(declared).getElementType();
  Type inferred = *shape ? Type(RankedTensorType::get(**shape, elementType))
                         : Type(UnrankedTensorType::get(elementType));
  if (!areCompatibleRefinements(inferred, declared))
    return op->emitOpError("result type ")
           << declared << " is incompatible with the inferred type "
           << inferred;
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
// Elementwise ops
//===----------------------------------------------------------------------===//

template <typename OpTy>
static LogicalResult
inferBroadcastComponents(std::optional<Location> loc, typename OpTy::Adaptor op,
                         SmallVectorImpl<ShapedTypeComponents> &components) {
  Type lhs = op.getLhs().getType(), rhs = op.getRhs().getType();
  auto shape = inferBroadcastShape(getShape(lhs), getShape(rhs), [&] {
    return inferenceError(loc, OpTy::getOperationName());
  });
  return toComponents(shape, getElementTypeOrSelf(lhs), components);
}

template <typename OpTy>
static LogicalResult verifyBroadcastOp(OpTy op) {
  return verifyResultShape(
      op, inferBroadcastShape(getShape(op.getLhs().getType()),
                              getShape(op.getRhs().getType()),
                              [&] { return op.emitOpError(); }));
}

LogicalResult AddOp::inferReturnTypeComponents(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  return inferBroadcastComponents<AddOp>(loc, adaptor, components);
}
LogicalResult AddOp::verify() { return verifyBroadcastOp(*this); }

LogicalResult MulOp::inferReturnTypeComponents(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  return inferBroadcastComponents<MulOp>(loc, adaptor, components);
}
LogicalResult MulOp::verify() { return verifyBroadcastOp(*this); }

LogicalResult ReluOp::inferReturnTypeComponents(
    MLIRContext *, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  Type input = adaptor.getInput().getType();
  return toComponents(getShape(input), getElementTypeOrSelf(input), components);
}
LogicalResult ReluOp::verify() {
  return verifyResultShape(*this, getShape(getInput().getType()));
}

//===----------------------------------------------------------------------===//
// MatMulOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferReturnTypeComponents(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  Type lhs = adaptor.getLhs().getType(), rhs = adaptor.getRhs().getType();
  auto shape = inferMatMulShape(getShape(lhs), getShape(rhs), [&] {
    return inferenceError(loc, getOperationName());
  });
  return toComponents(shape, getElementTypeOrSelf(lhs), components);
}

LogicalResult MatMulOp::verify() {
  return verifyResultShape(*this,
                           inferMatMulShape(getShape(getLhs().getType()),
                                            getShape(getRhs().getType()),
                                            [&] { return emitOpError(); }));
}

//===----------------------------------------------------------------------===//
// GemmOp
//===----------------------------------------------------------------------===//

static FailureOr<Shape> inferGemm(GemmOp::Adaptor op, EmitErrorFn emitError) {
  Shape c = op.getC() ? getShape(op.getC().getType()) : Shape();
  return inferGemmShape(getShape(op.getA().getType()),
                        getShape(op.getB().getType()), op.getC() ? &c : nullptr,
                        op.getTransA(), op.getTransB(), emitError);
}

LogicalResult GemmOp::inferReturnTypeComponents(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  auto shape = inferGemm(
      adaptor, [&] { return inferenceError(loc, getOperationName()); });
  return toComponents(shape, getElementTypeOrSelf(adaptor.getA().getType()),
                      components);
}

LogicalResult GemmOp::verify() {
  return verifyResultShape(*this,
                           inferGemm(*this, [&] { return emitOpError(); }));
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

static FailureOr<Shape> inferReshape(ReshapeOp::Adaptor op,
                                     EmitErrorFn emitError) {
  std::optional<SmallVector<int64_t>> values = getConstantValues(op.getShape());
  std::optional<ArrayRef<int64_t>> valuesRef;
  if (values)
    valuesRef = *values;
  return inferReshapeShape(getShape(op.getInput().getType()),
                           getShape(op.getShape().getType()), valuesRef,
                           op.getAllowZero(), emitError);
}

LogicalResult ReshapeOp::inferReturnTypeComponents(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  auto shape = inferReshape(
      adaptor, [&] { return inferenceError(loc, getOperationName()); });
  return toComponents(shape, getElementTypeOrSelf(adaptor.getInput().getType()),
                      components);
}

LogicalResult ReshapeOp::verify() {
  // Element counts must agree even when the shape operand is not constant.
  auto input = dyn_cast<RankedTensorType>(getInput().getType());
  auto result = dyn_cast<RankedTensorType>(getType());
  if (input && result && input.hasStaticShape() && result.hasStaticShape() &&
      input.getNumElements() != result.getNumElements())
    return emitOpError("result type ")
           << result << " has " << result.getNumElements()
           << " elements but the input " << input << " has "
           << input.getNumElements();
  return verifyResultShape(*this,
                           inferReshape(*this, [&] { return emitOpError(); }));
}

#define GET_OP_CLASSES
#include "dialects/graph/IR/GraphOps.cpp.inc"
