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

ShapeError loom::graph::detail::inferenceError(std::optional<Location> loc,
                                               StringRef opName) {
  if (!loc)
    return ShapeError();
  ShapeError diag(mlir::emitError(*loc));
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

std::optional<SmallVector<int64_t>>
loom::graph::detail::getConstantInts(Value value) {
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    SmallVector<int64_t> values;
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(v.getSExtValue());
    return values;
  }
  auto values = attr.tryGetValues<int64_t>();
  if (!values)
    return std::nullopt;
  return llvm::to_vector(*values);
}

std::optional<int64_t> loom::graph::detail::getStaticLength(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() != 1 || type.isDynamicDim(0))
    return std::nullopt;
  return type.getDimSize(0);
}

FailureOr<Shape> loom::graph::detail::inferReshape(ReshapeOp::Adaptor op,
                                                   EmitErrorFn emitError) {
  std::optional<SmallVector<int64_t>> values = getConstantInts(op.getShape());
  std::optional<ArrayRef<int64_t>> valuesRef;
  if (values)
    valuesRef = *values;
  return inferReshapeShape(getShape(op.getInput().getType()),
                           getShape(op.getShape().getType()), valuesRef,
                           op.getAllowZero(), emitError);
}

FailureOr<Shape> loom::graph::detail::inferComputedAxesShape(
    const Shape &input, Value computed, ArrayRef<int64_t> attr, int rankChange,
    EmitErrorFn emitError) {
  if (!attr.empty())
    return emitError() << "takes its axes or pads either as an attribute or "
                          "as an operand, not both";
  auto type = dyn_cast<RankedTensorType>(computed.getType());
  if (type && type.getRank() != 1)
    return emitError() << "the computed operand must be 1-D, got "
                       << computed.getType();
  std::optional<int64_t> length = getStaticLength(computed);
  if (!input || rankChange == -2 || (rankChange != 0 && !length))
    return Shape();
  int64_t rank = static_cast<int64_t>(input->size()) +
                 (rankChange == 0 ? 0 : rankChange * *length);
  if (rank < 0)
    return emitError() << "removes more dims than the input "
                       << formatShape(input) << " has";
  return Shape(SmallVector<int64_t>(rank, ShapedType::kDynamic));
}

FailureOr<Shape>
loom::graph::detail::inferQuantizeShape(const Shape &input, const Shape &scale,
                                        int64_t axis, EmitErrorFn emitError) {
  if (!scale || scale->empty() || (scale->size() == 1 && (*scale)[0] == 1))
    return input;
  if (scale->size() != 1)
    return emitError() << "scale " << formatShape(scale)
                       << " must be a scalar or 1-D";
  if (input && axis >= static_cast<int64_t>(input->size()))
    return emitError() << "axis " << axis << " is out of range for "
                       << formatShape(input);
  if (input && !ShapedType::isDynamic((*input)[axis]) &&
      !ShapedType::isDynamic((*scale)[0]) && (*scale)[0] != (*input)[axis])
    return emitError() << "scale " << formatShape(scale)
                       << " must hold one value per element of dim " << axis
                       << " of " << formatShape(input);
  return input;
}

LogicalResult DynamicQuantizeOp::inferReturnTypeComponents(
    MLIRContext *context, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  Type u8 = IntegerType::get(context, 8, IntegerType::Unsigned);
  (void)loom::graph::detail::toComponents(
      getShape(adaptor.getInput().getType()), u8, components);
  components.emplace_back(ArrayRef<int64_t>{}, Float32Type::get(context));
  components.emplace_back(ArrayRef<int64_t>{}, u8);
  return success();
}

LogicalResult UniqueOp::inferReturnTypeComponents(
    MLIRContext *context, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  Type input = adaptor.getInput().getType();
  Type i64 = IntegerType::get(context, 64);
  Shape shape = getShape(input);
  int64_t dyn = ShapedType::kDynamic;
  if (!adaptor.getAxis()) {
    int64_t count = dyn;
    if (shape && llvm::none_of(*shape, ShapedType::isDynamic))
      count = ShapedType::getNumElements(*shape);
    components.emplace_back(ArrayRef<int64_t>{dyn},
                            getElementTypeOrSelf(input));
    components.emplace_back(ArrayRef<int64_t>{dyn}, i64);
    components.emplace_back(ArrayRef<int64_t>{count}, i64);
    components.emplace_back(ArrayRef<int64_t>{dyn}, i64);
    return success();
  }
  int64_t axis = *adaptor.getAxis();
  if (!shape) {
    components.emplace_back(getElementTypeOrSelf(input));
  } else {
    if (axis >= static_cast<int64_t>(shape->size()))
      return emitOptionalError(loc, "'graph.unique' op axis ", axis,
                               " is out of range for ", formatShape(shape));
    SmallVector<int64_t> dims(*shape);
    dims[axis] = dyn;
    components.emplace_back(dims, getElementTypeOrSelf(input));
  }
  int64_t along = shape ? (*shape)[axis] : dyn;
  components.emplace_back(ArrayRef<int64_t>{dyn}, i64);
  components.emplace_back(ArrayRef<int64_t>{along}, i64);
  components.emplace_back(ArrayRef<int64_t>{dyn}, i64);
  return success();
}

FailureOr<Shape> loom::graph::detail::inferLossShape(const Shape &input,
                                                     const Shape &target,
                                                     const Shape &weight,
                                                     StringRef reduction,
                                                     EmitErrorFn emitError) {
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return emitError() << "reduction must be none, sum or mean, got '"
                       << reduction << "'";
  if (input && input->size() < 2)
    return emitError() << "input " << formatShape(input)
                       << " must be [N, C, d...]";
  if (input && target) {
    SmallVector<int64_t> expected(*input);
    expected.erase(expected.begin() + 1);
    if (failed(verifyCompatibleShape(expected, *target)))
      return emitError() << "target " << formatShape(target) << " must be "
                         << formatShape(Shape(expected)) << " for input "
                         << formatShape(input);
  }
  if (weight &&
      (weight->size() != 1 ||
       (input && !ShapedType::isDynamic((*input)[1]) &&
        !ShapedType::isDynamic((*weight)[0]) && (*weight)[0] != (*input)[1])))
    return emitError() << "weight " << formatShape(weight)
                       << " must hold one value per class";
  if (reduction != "none")
    return Shape(SmallVector<int64_t>());
  return target;
}

//===----------------------------------------------------------------------===//
// SoftmaxCrossEntropyLossOp
//===----------------------------------------------------------------------===//

static LogicalResult
inferSoftmaxCrossEntropy(SoftmaxCrossEntropyLossOp::Adaptor op,
                         EmitErrorFn emitError,
                         SmallVectorImpl<ShapedTypeComponents> &components) {
  Shape scores = getShape(op.getScores().getType());
  auto loss = loom::graph::detail::inferLossShape(
      scores, getShape(op.getLabels().getType()),
      op.getWeights() ? getShape(op.getWeights().getType()) : Shape(),
      op.getReduction(), emitError);
  Type elementType = getElementTypeOrSelf(op.getScores().getType());
  if (failed(
          loom::graph::detail::toComponents(loss, elementType, components)) ||
      failed(
          loom::graph::detail::toComponents(scores, elementType, components)))
    return failure();
  return success();
}

LogicalResult SoftmaxCrossEntropyLossOp::inferReturnTypeComponents(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  return inferSoftmaxCrossEntropy(
      adaptor,
      [&] {
        return loom::graph::detail::inferenceError(loc, getOperationName());
      },
      components);
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
  if (isa<StringType>(getElementTypeOrSelf(resource.getType())))
    return emitOpError("string constants must be dense, not dense_resource");
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
  auto shapes = inferLayerNorm(adaptor, [&] {
    return loom::graph::detail::inferenceError(loc, getOperationName());
  });
  if (failed(shapes))
    return failure();
  Type f32 = Float32Type::get(context);
  if (failed(loom::graph::detail::toComponents(
          shapes->first, getElementTypeOrSelf(adaptor.getInput()),
          components)) ||
      failed(
          loom::graph::detail::toComponents(shapes->second, f32, components)) ||
      failed(
          loom::graph::detail::toComponents(shapes->second, f32, components)))
    return failure();
  return success();
}

/// Verifies an op with several results against its inferred components.
static LogicalResult verifyResults(Operation *op,
                                   ArrayRef<ShapedTypeComponents> components) {
  if (components.size() != op->getNumResults())
    return op->emitOpError("has ")
           << op->getNumResults() << " results, expected " << components.size();
  for (auto [result, component] :
       llvm::zip_equal(op->getResults(), components)) {
    Type inferred =
        component.hasRank()
            ? Type(RankedTensorType::get(component.getDims(),
                                         component.getElementType()))
            : Type(UnrankedTensorType::get(component.getElementType()));
    if (!areCompatibleRefinements(inferred, result.getType()))
      return op->emitOpError("result type ")
             << result.getType() << " is incompatible with the inferred type "
             << inferred;
  }
  return success();
}

LogicalResult LayerNormOp::verify() {
  if (failed(inferLayerNorm(*this, [&] { return emitOpError(); })))
    return failure();
  SmallVector<ShapedTypeComponents> components;
  if (failed(inferReturnTypeComponents(getContext(), std::nullopt, *this,
                                       components)))
    return failure();
  return verifyResults(*this, components);
}

//===----------------------------------------------------------------------===//
// SplitOp
//===----------------------------------------------------------------------===//

static LogicalResult
inferSplit(SplitOp::Adaptor op, EmitErrorFn emitError,
           SmallVectorImpl<ShapedTypeComponents> &components) {
  Shape input = getShape(op.getInput().getType());
  Type elementType = getElementTypeOrSelf(op.getInput().getType());
  ArrayRef<int64_t> sizes = op.getSizes();
  int64_t axis = op.getAxis();
  if (op.getComputedSizes()) {
    // Sizes known only at run time: the split dim of each piece is too.
    if (!sizes.empty())
      return emitError() << "takes its sizes either as an attribute or as "
                            "an operand, not both";
    std::optional<int64_t> count =
        loom::graph::detail::getStaticLength(op.getComputedSizes());
    if (!count)
      return emitError() << "computed sizes must have a static length";
    if (input && axis >= static_cast<int64_t>(input->size()))
      return emitError() << "axis " << axis << " is out of range for "
                         << formatShape(input);
    for (int64_t i = 0; i < *count; ++i) {
      if (!input) {
        components.emplace_back(elementType);
        continue;
      }
      SmallVector<int64_t> dims(*input);
      dims[axis] = ShapedType::kDynamic;
      components.emplace_back(dims, elementType);
    }
    return success();
  }
  if (sizes.empty() || llvm::any_of(sizes, [](int64_t s) { return s < 0; }))
    return emitError() << "sizes must be non-empty and non-negative";
  if (input && axis >= static_cast<int64_t>(input->size()))
    return emitError() << "axis " << axis << " is out of range for "
                       << formatShape(input);
  if (input && !ShapedType::isDynamic((*input)[axis])) {
    int64_t total = 0;
    for (int64_t size : sizes)
      total += size;
    if (total != (*input)[axis])
      return emitError() << "sizes add up to " << total << " but dim " << axis
                         << " is " << (*input)[axis];
  }
  for (int64_t size : sizes) {
    if (!input) {
      components.emplace_back(elementType);
      continue;
    }
    SmallVector<int64_t> dims(*input);
    dims[axis] = size;
    components.emplace_back(dims, elementType);
  }
  return success();
}

LogicalResult SplitOp::inferReturnTypeComponents(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  return inferSplit(
      adaptor,
      [&] {
        return loom::graph::detail::inferenceError(loc, getOperationName());
      },
      components);
}

LogicalResult SplitOp::verify() {
  SmallVector<ShapedTypeComponents> components;
  if (failed(inferSplit(
          *this, [&] { return emitOpError(); }, components)))
    return failure();
  return verifyResults(*this, components);
}

//===----------------------------------------------------------------------===//
// TopKOp
//===----------------------------------------------------------------------===//

static LogicalResult
inferTopK(TopKOp::Adaptor op, EmitErrorFn emitError,
          SmallVectorImpl<ShapedTypeComponents> &components) {
  Shape input = getShape(op.getInput().getType());
  Type elementType = getElementTypeOrSelf(op.getInput().getType());
  Type i64 = IntegerType::get(op.getInput().getContext(), 64);
  Shape k = getShape(op.getK().getType());
  if (k &&
      (k->size() != 1 || (!ShapedType::isDynamic((*k)[0]) && (*k)[0] != 1)))
    return emitError() << "k must hold one value, got " << formatShape(k);
  int64_t axis = op.getAxis();
  if (!input) {
    components.emplace_back(elementType);
    components.emplace_back(i64);
    return success();
  }
  if (axis >= static_cast<int64_t>(input->size()))
    return emitError() << "axis " << axis << " is out of range for "
                       << formatShape(input);
  SmallVector<int64_t> dims(*input);
  auto values = loom::graph::detail::getConstantInts(op.getK());
  dims[axis] = values ? (*values)[0] : ShapedType::kDynamic;
  if (values && ((*values)[0] < 0 || (!ShapedType::isDynamic((*input)[axis]) &&
                                      (*values)[0] > (*input)[axis])))
    return emitError() << "k " << (*values)[0] << " is out of range for dim "
                       << axis << " of " << formatShape(input);
  components.emplace_back(dims, elementType);
  components.emplace_back(dims, i64);
  return success();
}

LogicalResult TopKOp::inferReturnTypeComponents(
    MLIRContext *, std::optional<Location> loc, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  return inferTopK(
      adaptor,
      [&] {
        return loom::graph::detail::inferenceError(loc, getOperationName());
      },
      components);
}

LogicalResult TopKOp::verify() {
  SmallVector<ShapedTypeComponents> components;
  if (failed(inferTopK(
          *this, [&] { return emitOpError(); }, components)))
    return failure();
  return verifyResults(*this, components);
}

//===----------------------------------------------------------------------===//
// Recurrent layers
//===----------------------------------------------------------------------===//

/// The result components of RNN/GRU/LSTM: Y, then `states` final states.
template <typename Adaptor>
static LogicalResult
inferRecurrent(Adaptor op, int64_t gates, size_t states, EmitErrorFn emitError,
               SmallVectorImpl<ShapedTypeComponents> &components) {
  StringRef direction = op.getDirection();
  if (direction != "forward" && direction != "reverse" &&
      direction != "bidirectional")
    return emitError() << "direction must be forward, reverse or "
                          "bidirectional, got '"
                       << direction << "'";
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  int64_t hidden = op.getHiddenSize();
  size_t expected = static_cast<size_t>(dirs * (gates == 4   ? 3
                                                : gates == 3 ? 2
                                                             : 1));
  if (op.getActivations().size() != expected)
    return emitError() << "expected " << expected << " activations, got "
                       << op.getActivations().size();
  Shape input = getShape(op.getInput().getType());
  Shape w = getShape(op.getW().getType());
  if (input && input->size() != 3)
    return emitError() << "input " << formatShape(input) << " must be 3-D";
  if (w &&
      (w->size() != 3 || (!ShapedType::isDynamic((*w)[0]) && (*w)[0] != dirs) ||
       (!ShapedType::isDynamic((*w)[1]) && (*w)[1] != gates * hidden)))
    return emitError() << "weight " << formatShape(w) << " must be [" << dirs
                       << ", " << gates * hidden << ", input]";
  int64_t dyn = ShapedType::kDynamic;
  bool batchFirst = op.getBatchFirst();
  int64_t seq = input ? (*input)[batchFirst ? 1 : 0] : dyn;
  int64_t batch = input ? (*input)[batchFirst ? 0 : 1] : dyn;
  Type elementType = getElementTypeOrSelf(op.getInput().getType());
  SmallVector<int64_t> y = batchFirst
                               ? SmallVector<int64_t>{batch, seq, dirs, hidden}
                               : SmallVector<int64_t>{seq, dirs, batch, hidden};
  SmallVector<int64_t> last = batchFirst
                                  ? SmallVector<int64_t>{batch, dirs, hidden}
                                  : SmallVector<int64_t>{dirs, batch, hidden};
  components.emplace_back(y, elementType);
  for (size_t i = 0; i < states; ++i)
    components.emplace_back(last, elementType);
  return success();
}

#define LOOM_RECURRENT_OP(OP, GATES, STATES)                                   \
  LogicalResult OP::inferReturnTypeComponents(                                 \
      MLIRContext *, std::optional<Location> loc, Adaptor adaptor,             \
      SmallVectorImpl<ShapedTypeComponents> &components) {                     \
    return inferRecurrent(                                                     \
        adaptor, GATES, STATES,                                                \
        [&] {                                                                  \
          return loom::graph::detail::inferenceError(loc, getOperationName()); \
        },                                                                     \
        components);                                                           \
  }                                                                            \
  LogicalResult OP::verify() {                                                 \
    SmallVector<ShapedTypeComponents> components;                              \
    if (failed(inferRecurrent(                                                 \
            Adaptor(*this), GATES, STATES, [&] { return emitOpError(); },      \
            components)))                                                      \
      return failure();                                                        \
    return verifyResults(*this, components);                                   \
  }
LOOM_RECURRENT_OP(RNNOp, 1, 1)
LOOM_RECURRENT_OP(GRUOp, 3, 1)
LOOM_RECURRENT_OP(LSTMOp, 4, 2)
#undef LOOM_RECURRENT_OP

LogicalResult DropoutOp::inferReturnTypeComponents(
    MLIRContext *context, std::optional<Location>, Adaptor adaptor,
    SmallVectorImpl<ShapedTypeComponents> &components) {
  Type input = adaptor.getInput().getType();
  Shape shape = getShape(input);
  (void)loom::graph::detail::toComponents(shape, getElementTypeOrSelf(input),
                                          components);
  (void)loom::graph::detail::toComponents(shape, IntegerType::get(context, 1),
                                          components);
  return success();
}

LogicalResult UniqueOp::verify() {
  SmallVector<ShapedTypeComponents> components;
  if (failed(
          inferReturnTypeComponents(getContext(), getLoc(), *this, components)))
    return failure();
  return verifyResults(*this, components);
}

LogicalResult SoftmaxCrossEntropyLossOp::verify() {
  SmallVector<ShapedTypeComponents> components;
  if (failed(inferSoftmaxCrossEntropy(
          *this, [&] { return emitOpError(); }, components)))
    return failure();
  return verifyResults(*this, components);
}

#define GET_OP_CLASSES
#include "dialects/graph/IR/GraphOps.cpp.inc"
