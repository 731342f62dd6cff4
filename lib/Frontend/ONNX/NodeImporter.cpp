//===- NodeImporter.cpp - Reading one ONNX node ---------------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "dialects/graph/IR/GraphDialect.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"

#include "onnx/onnx_pb.h"

using namespace mlir;

namespace loom::onnx {

using ::onnx::AttributeProto;

NodeImporter::NodeImporter(GraphImporter &graph, ::onnx::NodeProto &node,
                           int64_t opset, Location loc, StringRef displayName)
    : graph(graph), node(node), opset(opset), loc(loc),
      displayName(displayName.str()) {}

StringRef NodeImporter::getOpType() const { return node.op_type(); }

OpBuilder &NodeImporter::getBuilder() { return graph.builder; }

InFlightDiagnostic NodeImporter::emitError() {
  InFlightDiagnostic diag = graph.model.emitError();
  diag << "node " << displayName << " (" << node.op_type() << ", opset "
       << opset << "): ";
  return diag;
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

unsigned NodeImporter::getNumInputs() const { return node.input_size(); }

bool NodeImporter::hasInput(unsigned index) const {
  return index < getNumInputs() && !node.input(index).empty();
}

FailureOr<Value> NodeImporter::getInput(unsigned index, InputKind kind) {
  if (!hasInput(index))
    return emitError() << "required input #" << index << " is missing";
  return getOptionalInput(index, kind);
}

FailureOr<Value> NodeImporter::getOptionalInput(unsigned index,
                                                InputKind kind) {
  if (!hasInput(index))
    return Value();
  const std::string &name = node.input(index);
  Value value = graph.lookup(name);
  if (!value)
    return emitError() << "input #" << index << " '" << name
                       << "' is not defined by any earlier node, graph "
                          "input or initializer";
  if (kind == InputKind::Any)
    return value;
  auto tensor = dyn_cast<TensorType>(value.getType());
  if (!tensor)
    return emitError() << "input #" << index << " '" << name << "' is a "
                       << value.getType() << ", not a tensor";
  if (kind == InputKind::Tensor &&
      isa<graph::StringType>(tensor.getElementType()))
    return emitError() << "input #" << index << " '" << name
                       << "' is a string tensor, which this op does not take";
  return value;
}

FailureOr<SmallVector<Value>>
NodeImporter::getVariadicInputs(unsigned from, unsigned min, InputKind kind) {
  SmallVector<Value> values;
  for (unsigned i = from; i < getNumInputs(); ++i) {
    FailureOr<Value> value = getInput(i, kind);
    if (failed(value))
      return failure();
    values.push_back(*value);
  }
  if (values.size() < min)
    return emitError() << "needs at least " << min + from << " inputs, got "
                       << getNumInputs();
  return values;
}

ElementsAttr NodeImporter::getConstantInput(unsigned index) {
  if (!hasInput(index))
    return {};
  Value value = graph.lookup(node.input(index));
  ElementsAttr attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return {};
  return attr;
}

FailureOr<std::optional<SmallVector<int64_t>>>
NodeImporter::getConstantInts(unsigned index, StringRef what) {
  if (!hasInput(index))
    return std::optional<SmallVector<int64_t>>();
  if (failed(getInput(index)))
    return failure();
  ElementsAttr attr = getConstantInput(index);
  if (!attr)
    return emitError() << "input #" << index << " (" << what
                       << ") is computed at run time; Loom imports it only "
                          "as a constant";
  if (!isa<IntegerType>(attr.getElementType()))
    return emitError() << "input #" << index << " (" << what
                       << ") must hold integers";
  SmallVector<int64_t> values;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    for (const APInt &v : dense.getValues<APInt>())
      values.push_back(v.getSExtValue());
  } else if (auto range = attr.tryGetValues<int64_t>()) {
    values.assign(range->begin(), range->end());
  } else {
    return emitError() << "input #" << index << " (" << what
                       << ") has no readable data";
  }
  return std::optional<SmallVector<int64_t>>(std::move(values));
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

/// The attribute called `name`, or null.
static const AttributeProto *findAttr(const ::onnx::NodeProto &node,
                                      StringRef name) {
  for (const AttributeProto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

/// The attribute's kind; old models leave `type` unset, so fall back on the
/// field that holds a value.
static AttributeProto::AttributeType getKind(const AttributeProto &attr) {
  if (attr.type() != AttributeProto::UNDEFINED)
    return attr.type();
  if (attr.has_f())
    return AttributeProto::FLOAT;
  if (attr.has_i())
    return AttributeProto::INT;
  if (attr.has_s())
    return AttributeProto::STRING;
  if (attr.has_t())
    return AttributeProto::TENSOR;
  if (attr.has_g())
    return AttributeProto::GRAPH;
  if (attr.has_tp())
    return AttributeProto::TYPE_PROTO;
  if (attr.floats_size())
    return AttributeProto::FLOATS;
  if (attr.ints_size())
    return AttributeProto::INTS;
  if (attr.strings_size())
    return AttributeProto::STRINGS;
  return AttributeProto::UNDEFINED;
}

bool NodeImporter::hasAttr(StringRef name) const {
  return findAttr(node, name) != nullptr;
}

/// Finds attribute `name` of kind `kind`: reports a wrong kind, or a missing
/// required attribute (`required`), and gives null for a missing optional one.
static FailureOr<const AttributeProto *>
lookupAttr(NodeImporter &importer, const ::onnx::NodeProto &node,
           StringRef name, AttributeProto::AttributeType kind, bool required) {
  const AttributeProto *attr = findAttr(node, name);
  if (!attr) {
    if (required)
      return importer.emitError()
             << "required attribute '" << name << "' is missing";
    return static_cast<const AttributeProto *>(nullptr);
  }
  if (!attr->ref_attr_name().empty())
    return importer.emitError() << "attribute '" << name
                                << "' refers to a function attribute, which "
                                   "Loom does not import";
  AttributeProto::AttributeType actual = getKind(*attr);
  if (actual != kind)
    return importer.emitError()
           << "attribute '" << name << "' must be "
           << AttributeProto::AttributeType_Name(kind) << ", got "
           << AttributeProto::AttributeType_Name(actual);
  return attr;
}

FailureOr<int64_t> NodeImporter::getInt(StringRef name,
                                        std::optional<int64_t> dflt) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::INT, !dflt);
  if (failed(attr))
    return failure();
  return *attr ? (*attr)->i() : *dflt;
}

FailureOr<float> NodeImporter::getFloat(StringRef name,
                                        std::optional<float> dflt) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::FLOAT, !dflt);
  if (failed(attr))
    return failure();
  return *attr ? (*attr)->f() : *dflt;
}

FailureOr<std::string> NodeImporter::getString(StringRef name,
                                               std::optional<StringRef> dflt) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::STRING, !dflt);
  if (failed(attr))
    return failure();
  return *attr ? (*attr)->s() : dflt->str();
}

FailureOr<SmallVector<int64_t>>
NodeImporter::getInts(StringRef name, std::optional<ArrayRef<int64_t>> dflt) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::INTS, !dflt);
  if (failed(attr))
    return failure();
  if (!*attr)
    return SmallVector<int64_t>(*dflt);
  return SmallVector<int64_t>((*attr)->ints().begin(), (*attr)->ints().end());
}

FailureOr<SmallVector<float>>
NodeImporter::getFloats(StringRef name, std::optional<ArrayRef<float>> dflt) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::FLOATS, !dflt);
  if (failed(attr))
    return failure();
  if (!*attr)
    return SmallVector<float>(*dflt);
  return SmallVector<float>((*attr)->floats().begin(), (*attr)->floats().end());
}

FailureOr<SmallVector<std::string>>
NodeImporter::getStrings(StringRef name,
                         std::optional<ArrayRef<std::string>> dflt) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::STRINGS, !dflt);
  if (failed(attr))
    return failure();
  if (!*attr)
    return SmallVector<std::string>(dflt->begin(), dflt->end());
  return SmallVector<std::string>((*attr)->strings().begin(),
                                  (*attr)->strings().end());
}

FailureOr<ElementsAttr> NodeImporter::getTensor(StringRef name) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::TENSOR, true);
  if (failed(attr))
    return failure();
  // The node is the importer's own copy: its tensor's data may move out.
  auto *tensor = const_cast<AttributeProto *>(*attr)->mutable_t();
  return graph.model.importTensor(
      *tensor, ("node " + displayName + ": attribute '" + name + "'").str());
}

FailureOr<Type> NodeImporter::getTypeAttr(StringRef name) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::TYPE_PROTO, true);
  if (failed(attr))
    return failure();
  return graph.model.importType(
      (*attr)->tp(),
      ("node " + displayName + ": attribute '" + name + "'").str(), nullptr);
}

FailureOr<Type> NodeImporter::getElementType(StringRef name) {
  FailureOr<int64_t> code = getInt(name);
  if (failed(code))
    return failure();
  if (Type type = getElementTypeForCode(getContext(), *code))
    return type;
  return emitError() << "attribute '" << name << "' names element type "
                     << (::onnx::TensorProto_DataType_IsValid(*code)
                             ? ::onnx::TensorProto_DataType_Name(*code)
                             : std::to_string(*code))
                     << ", which Loom does not import";
}

//===----------------------------------------------------------------------===//
// Building graph ops
//===----------------------------------------------------------------------===//

/// Runs `fn`, collecting the diagnostics it emits instead of printing them.
template <typename Fn>
static std::string collectDiagnostics(MLIRContext *context, Fn fn) {
  std::string messages;
  ScopedDiagnosticHandler handler(context, [&](Diagnostic &diag) {
    std::string text = diag.str();
    // "'graph.add' op ..." reads better as "..." next to the ONNX op.
    StringRef message = text;
    if (message.starts_with("'graph.")) {
      size_t end = message.find("' op ");
      if (end != StringRef::npos)
        message = message.drop_front(end + 5);
    }
    if (!messages.empty())
      messages += "; ";
    messages += message.str();
    return success();
  });
  fn();
  return messages;
}

Operation *NodeImporter::finishCreate(OperationState &state, InferFn infer) {
  MLIRContext *context = getContext();
  SmallVector<Type> types;
  LogicalResult inferred = failure();
  std::string messages = collectDiagnostics(context, [&] {
    inferred = infer(context, state.location, state.operands,
                     state.attributes.getDictionary(context),
                     state.getRawProperties(), state.regions, types);
  });
  if (failed(inferred)) {
    emitError() << messages;
    return nullptr;
  }
  state.types.assign(types.begin(), types.end());
  return createAndVerify(state);
}

Operation *NodeImporter::createAndVerify(OperationState &state) {
  Operation *op = getBuilder().create(state);
  LogicalResult verified = failure();
  std::string messages =
      collectDiagnostics(getContext(), [&] { verified = verify(op); });
  if (failed(verified)) {
    emitError() << messages;
    op->erase();
    return nullptr;
  }
  return op;
}

//===----------------------------------------------------------------------===//
// Subgraphs
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Type>>
NodeImporter::getSubgraphInputTypes(StringRef name) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::GRAPH, true);
  if (failed(attr))
    return failure();
  SmallVector<Type> types;
  for (const ::onnx::ValueInfoProto &input : (*attr)->g().input()) {
    const ::onnx::TypeProto &type = input.type();
    if (!isImportableType(getContext(), type)) {
      types.push_back(Type());
      continue;
    }
    FailureOr<Type> imported = graph.model.importType(
        type, ("input '" + input.name() + "' of subgraph '" + name + "'").str(),
        nullptr);
    if (failed(imported))
      return failure();
    types.push_back(*imported);
  }
  return types;
}

FailureOr<SmallVector<Value>>
NodeImporter::importSubgraph(StringRef name, Block *block,
                             ArrayRef<Type> argTypes, CaptureScope &scope) {
  auto attr = lookupAttr(*this, node, name, AttributeProto::GRAPH, true);
  if (failed(attr))
    return failure();
  // The node is the importer's own copy: its subgraph's data may move out.
  auto *subgraph = const_cast<AttributeProto *>(*attr)->mutable_g();
  OpBuilder builder(getContext());
  GraphImporter child(graph.model, builder, &graph, &scope, block);
  return child.importSubgraph(*subgraph, argTypes);
}

//===----------------------------------------------------------------------===//
// Outputs
//===----------------------------------------------------------------------===//

unsigned NodeImporter::getNumOutputs() const { return node.output_size(); }

bool NodeImporter::hasOutput(unsigned index) const {
  return index < getNumOutputs() && !node.output(index).empty();
}

LogicalResult NodeImporter::setOutputs(ValueRange values) {
  for (unsigned i = values.size(); i < getNumOutputs(); ++i)
    if (hasOutput(i))
      return emitError() << "output #" << i << " '" << node.output(i)
                         << "' is not supported";
  for (auto [index, value] : llvm::enumerate(values))
    if (hasOutput(index) && failed(graph.bind(node.output(index), value,
                                              [&] { return emitError(); })))
      return failure();
  return success();
}

} // namespace loom::onnx
