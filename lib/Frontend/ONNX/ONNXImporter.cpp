//===- ONNXImporter.cpp - Import ONNX models into the graph dialect -------===//
//
// Part of Loom. Reads the ModelProto, maps types and tensors, walks the graph
// in order and hands each node to its op's import function (Import*.cpp).
//
// Weights: tensors above kInlineElements elements become `dense_resource`
// blobs. Raw data is moved out of the parsed protobuf into its blob without a
// copy; external data files are mapped, not read.
//
//===----------------------------------------------------------------------===//

#include "loom/Frontend/ONNX/ONNXImporter.h"
#include "Importer.h"

#include "dialects/graph/IR/GraphOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <climits>

using namespace mlir;

namespace loom::onnx {

//===----------------------------------------------------------------------===//
// ModelImporter
//===----------------------------------------------------------------------===//

OwningOpRef<ModuleOp> ModelImporter::import(::onnx::ModelProto &model) {
  if (!model.has_graph()) {
    emitError() << "the model has no graph";
    return nullptr;
  }
  if (failed(readOpsets(model)))
    return nullptr;
  context->loadDialect<graph::GraphDialect, func::FuncDialect>();

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc());
  OpBuilder builder(context);
  builder.setInsertionPointToEnd(module->getBody());
  GraphImporter graph(*this, builder);
  if (failed(graph.importMainGraph(*model.mutable_graph(), options.entryName)))
    return nullptr;
  // Verifier errors point at the ONNX node that produced the op.
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

LogicalResult ModelImporter::readOpsets(const ::onnx::ModelProto &model) {
  // Other domains' opsets matter only to their nodes, which are refused.
  for (const ::onnx::OperatorSetIdProto &set : model.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx")
      defaultOpset = set.version();
  if (!defaultOpset) {
    for (const ::onnx::OperatorSetIdProto &set : model.opset_import())
      if (StringRef(set.domain()).starts_with("ai.onnx.preview.training"))
        return emitError() << "the model uses training ops (domain '"
                           << set.domain()
                           << "'), which Loom does not import: it compiles "
                              "inference";
    return emitError() << "the model imports no opset of the default "
                          "domain 'ai.onnx'";
  }
  if (*defaultOpset < 1 || *defaultOpset > kMaxOpset) {
    emitError() << "opset " << *defaultOpset
                << " of domain 'ai.onnx' is outside the opsets Loom imports ("
                << kMinDocumentedOpset << " to " << kMaxOpset << ")";
    return failure();
  }
  return success();
}

FailureOr<Type>
ModelImporter::importType(const ::onnx::TypeProto &type, StringRef what,
                          SmallVectorImpl<std::string> *dimNames) {
  if (type.has_sequence_type() || type.has_optional_type()) {
    bool isSequence = type.has_sequence_type();
    const ::onnx::TypeProto &inner = isSequence
                                         ? type.sequence_type().elem_type()
                                         : type.optional_type().elem_type();
    if (!inner.has_tensor_type() &&
        !(!isSequence && inner.has_sequence_type())) {
      emitError() << what << " is "
                  << (isSequence ? "a sequence" : "an optional")
                  << " of something other than "
                  << (isSequence ? "tensors" : "a tensor or sequence")
                  << ", which Loom does not import";
      return failure();
    }
    // Dims of a sequence's elements are not named per element.
    FailureOr<Type> element = importType(inner, what, nullptr);
    if (failed(element))
      return failure();
    if (isSequence)
      return Type(graph::SequenceType::get(cast<TensorType>(*element)));
    return Type(graph::OptionalType::get(*element));
  }
  if (!type.has_tensor_type()) {
    StringRef kind = type.has_map_type()             ? "map"
                     : type.has_sparse_tensor_type() ? "sparse tensor"
                                                     : "unknown";
    emitError() << what << " has a " << kind
                << " type, which Loom does not import";
    return failure();
  }
  const ::onnx::TypeProto::Tensor &tensor = type.tensor_type();
  FailureOr<Type> elementType = importElementType(tensor.elem_type(), what);
  if (failed(elementType))
    return failure();
  if (!tensor.has_shape())
    return Type(UnrankedTensorType::get(*elementType));
  SmallVector<int64_t> dims;
  for (const ::onnx::TensorShapeProto::Dimension &dim : tensor.shape().dim()) {
    std::string name = dim.has_dim_param() ? dim.dim_param() : "";
    int64_t size = ShapedType::kDynamic;
    if (dim.has_dim_value()) {
      if (dim.dim_value() < 0) {
        emitError() << what << " has a negative dim " << dim.dim_value();
        return failure();
      }
      size = dim.dim_value();
    } else if (auto bound = symbolSizes.find(name);
               !name.empty() && bound != symbolSizes.end()) {
      size = bound->second;
    }
    dims.push_back(size);
    if (dimNames)
      dimNames->push_back(std::move(name));
  }
  return Type(RankedTensorType::get(dims, *elementType));
}

FailureOr<Type> ModelImporter::importElementType(int32_t code, StringRef what) {
  if (Type type = getElementTypeForCode(context, code))
    return type;
  emitError() << what << " has element type "
              << (::onnx::TensorProto_DataType_IsValid(code)
                      ? ::onnx::TensorProto_DataType_Name(code)
                      : std::to_string(code))
              << ", which Loom does not import";
  return failure();
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

LogicalResult
GraphImporter::bind(StringRef name, Value value,
                    function_ref<InFlightDiagnostic()> emitError) {
  if (name.empty())
    return success();
  auto [it, inserted] = values.try_emplace(name, value);
  if (!inserted)
    return emitError() << "value '" << name << "' is defined more than once";
  FailureOr<Value> refined = refine(name, value, emitError);
  if (failed(refined))
    return failure();
  it->second = *refined;
  return success();
}

FailureOr<Value>
GraphImporter::refine(StringRef name, Value value,
                      function_ref<InFlightDiagnostic()> emitError) {
  const ::onnx::TypeProto *annotation = annotations.lookup(name);
  // An annotation Loom cannot read says nothing it could check.
  if (!annotation || !isImportableType(model.context, *annotation))
    return value;
  FailureOr<Type> declared =
      model.importType(*annotation, ("value '" + name + "'").str(), nullptr);
  if (failed(declared))
    return failure();
  // ONNX lets an optional flow where its value's type is declared (a loop
  // that carries an optional and yields a plain value): unwrap it, which
  // fails at run time if it is empty.
  if (auto optional = dyn_cast<graph::OptionalType>(value.getType());
      optional && !isa<graph::OptionalType>(*declared) &&
      graph::meetTypes(optional.getValueType(), *declared)) {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointAfterValue(value);
    value = graph::OptionalGetElementOp::create(builder, value.getLoc(),
                                                optional.getValueType(), value);
  }
  Type meet = graph::meetTypes(value.getType(), *declared);
  if (!meet)
    return emitError() << "value '" << name << "' is annotated as " << *declared
                       << " but is computed as " << value.getType();
  // Only results of graph ops take refined types: inputs and outputs of the
  // function keep theirs.
  if (meet != value.getType() && isa<OpResult>(value) &&
      isa<graph::GraphDialect>(value.getDefiningOp()->getDialect()))
    value.setType(meet);
  return value;
}

LogicalResult GraphImporter::importInitializers(::onnx::GraphProto &graph) {
  for (::onnx::TensorProto &tensor : *graph.mutable_initializer()) {
    std::string what = "initializer '" + tensor.name() + "'";
    FailureOr<ElementsAttr> value = model.importTensor(tensor, what);
    if (failed(value))
      return failure();
    Location loc = NameLoc::get(builder.getStringAttr(tensor.name()));
    Value constant = graph::ConstantOp::create(builder, loc, *value);
    if (failed(bind(tensor.name(), constant, [&] {
          InFlightDiagnostic diag = model.emitError();
          diag << "initializer '" << tensor.name() << "': ";
          return diag;
        })))
      return failure();
  }
  return success();
}

Value GraphImporter::lookup(StringRef name) {
  if (Value value = values.lookup(name))
    return value;
  if (!parent)
    return {};
  Value outer = parent->lookup(name);
  if (!outer)
    return {};
  // Capture it: every region of the op takes it as a trailing argument.
  auto [it, inserted] =
      scope->indices.try_emplace(name, scope->captures.size());
  if (inserted) {
    scope->captures.push_back(outer);
    for (Block *regionBlock : scope->blocks)
      regionBlock->addArgument(outer.getType(), outer.getLoc());
  }
  Value arg = block->getArgument(block->getNumArguments() -
                                 scope->captures.size() + it->second);
  values[name] = arg;
  return arg;
}

void GraphImporter::readAnnotations(const ::onnx::GraphProto &graph) {
  for (const ::onnx::ValueInfoProto &info : graph.value_info())
    annotations[info.name()] = &info.type();
  for (const ::onnx::ValueInfoProto &info : graph.output())
    annotations[info.name()] = &info.type();
}

LogicalResult GraphImporter::importNodes(::onnx::GraphProto &graph) {
  if (failed(importInitializers(graph)))
    return failure();
  for (auto [index, node] : llvm::enumerate(*graph.mutable_node()))
    if (failed(importNode(node, index)))
      return failure();
  return success();
}

FailureOr<SmallVector<Value>>
GraphImporter::importSubgraph(::onnx::GraphProto &graph,
                              ArrayRef<Type> argTypes) {
  readAnnotations(graph);
  if (static_cast<size_t>(graph.input_size()) != argTypes.size()) {
    model.emitError() << "subgraph '" << graph.name() << "' takes "
                      << graph.input_size() << " inputs but " << argTypes.size()
                      << " are passed to it";
    return failure();
  }
  // The subgraph's own arguments go before any capture.
  for (auto [index, type] : llvm::enumerate(argTypes)) {
    BlockArgument arg = block->insertArgument(
        index, type,
        NameLoc::get(builder.getStringAttr(graph.input(index).name())));
    values[graph.input(index).name()] = arg;
  }
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(block);
  if (failed(importNodes(graph)))
    return failure();
  SmallVector<Value> results;
  for (const ::onnx::ValueInfoProto &output : graph.output()) {
    Value value = lookup(output.name());
    if (!value) {
      model.emitError() << "output '" << output.name() << "' of subgraph '"
                        << graph.name()
                        << "' is not produced by any node, "
                           "input or initializer";
      return failure();
    }
    results.push_back(value);
  }
  graph::YieldOp::create(builder, model.fileLoc(), results);
  return results;
}

FailureOr<func::FuncOp>
GraphImporter::importMainGraph(::onnx::GraphProto &graph, StringRef name) {
  readAnnotations(graph);

  llvm::StringSet<> initializerNames;
  for (const ::onnx::TensorProto &tensor : graph.initializer())
    initializerNames.insert(tensor.name());

  // Graph inputs that are also initializers (IR version < 4) are constants
  // with a default value, not arguments.
  SmallVector<const ::onnx::ValueInfoProto *> inputs;
  SmallVector<Type> inputTypes;
  SmallVector<DictionaryAttr> argAttrs;
  if (failed(model.bindSymbols(graph)))
    return failure();
  for (const ::onnx::ValueInfoProto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue;
    std::string what = "graph input '" + input.name() + "'";
    SmallVector<std::string> dimNames;
    FailureOr<Type> type = model.importType(input.type(), what, &dimNames);
    if (failed(type))
      return failure();
    FailureOr<Type> shaped = model.applyInputShape(input.name(), *type);
    if (failed(shaped))
      return failure();
    inputs.push_back(&input);
    inputTypes.push_back(*shaped);
    argAttrs.push_back(model.getNameAttrs(input.name(), dimNames));
  }

  auto func = func::FuncOp::create(builder, model.fileLoc(), name,
                                   builder.getFunctionType(inputTypes, {}));
  Block *body = func.addEntryBlock();
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(body);
  for (auto [input, arg] : llvm::zip_equal(inputs, body->getArguments())) {
    arg.setLoc(NameLoc::get(builder.getStringAttr(input->name())));
    values[input->name()] = arg;
  }
  for (auto [index, attrs] : llvm::enumerate(argAttrs))
    func.setArgAttrs(index, attrs);

  if (failed(importNodes(graph)))
    return failure();

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const ::onnx::ValueInfoProto &output : graph.output()) {
    Value value = lookup(output.name());
    if (!value) {
      model.emitError() << "graph output '" << output.name()
                        << "' is not produced by any node, input or "
                           "initializer";
      return failure();
    }
    results.push_back(value);
    resultTypes.push_back(value.getType());
  }
  func::ReturnOp::create(builder, model.fileLoc(), results);
  func.setFunctionType(builder.getFunctionType(inputTypes, resultTypes));
  for (auto [index, output] : llvm::enumerate(graph.output()))
    func.setResultAttrs(index, model.getNameAttrs(output.name(), {}));
  return func;
}

LogicalResult GraphImporter::importNode(::onnx::NodeProto &node, int index) {
  std::string displayName = !node.name().empty() ? "'" + node.name() + "'"
                            : node.output_size()
                                ? "#" + std::to_string(index) +
                                      " (producing '" + node.output(0) + "')"
                                : "#" + std::to_string(index);
  StringRef domain = node.domain();
  auto nodeError = [&](int64_t opset) {
    InFlightDiagnostic diag = model.emitError();
    diag << "node " << displayName << " (" << node.op_type();
    if (opset)
      diag << ", opset " << opset;
    diag << "): ";
    return diag;
  };
  if (!domain.empty() && domain != "ai.onnx") {
    if (domain.starts_with("ai.onnx.preview.training"))
      return nodeError(0) << "training ops (domain '" << domain
                          << "') are not imported: Loom compiles inference";
    return nodeError(0) << "domain '" << domain
                        << "' is not supported (only 'ai.onnx' is)";
  }
  int64_t opset = *model.defaultOpset;
  auto [first, last] = std::equal_range(
      getOpImporters().begin(), getOpImporters().end(), node.op_type(),
      [](const auto &a, const auto &b) {
        auto key = [](const auto &x) -> StringRef {
          if constexpr (std::is_same_v<std::decay_t<decltype(x)>, OpImporter>)
            return x.opType;
          else
            return x;
        };
        return key(a) < key(b);
      });
  if (first == last)
    return nodeError(opset)
           << "unknown op '" << node.op_type() << "' in domain 'ai.onnx'";
  const OpImporter *entry = nullptr;
  for (const OpImporter &candidate : llvm::make_range(first, last))
    if (candidate.sinceOpset <= opset && opset <= candidate.untilOpset)
      entry = &candidate;
  if (!entry)
    return nodeError(opset)
           << "Loom imports " << node.op_type() << " from opset "
           << first->sinceOpset << " to " << std::prev(last)->untilOpset
           << ", not at opset " << opset;

  Location loc = NameLoc::get(
      builder.getStringAttr(!node.name().empty() ? node.name()
                                                 : "#" + std::to_string(index)),
      NameLoc::get(builder.getStringAttr(node.op_type())));
  NodeImporter importer(*this, node, opset, loc, displayName);
  return entry->import(importer);
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

/// How deeply the messages of a model may nest (protobuf's default limit):
/// If/Loop/Scan bodies nest three levels each (node, attribute, graph).
static constexpr int kMaxNesting = 100;

/// Parses a ModelProto from `bytes`, reporting failure on `displayName`.
static OwningOpRef<ModuleOp>
parseAndImport(StringRef bytes, StringRef displayName, StringRef baseDir,
               MLIRContext *context, const ImportOptions &options) {
  ModelImporter importer(context, displayName, baseDir, options);
  ::onnx::ModelProto model;
  auto parse = [&](int nesting) {
    google::protobuf::io::ArrayInputStream stream(
        bytes.data(), static_cast<int>(bytes.size()));
    google::protobuf::io::CodedInputStream coded(&stream);
    coded.SetTotalBytesLimit(INT_MAX);
    coded.SetRecursionLimit(nesting);
    return model.ParseFromCodedStream(&coded) && coded.ConsumedEntireMessage();
  };
  if (!parse(kMaxNesting)) {
    // Deeper nesting fails like corruption: tell them apart by parsing
    // again with a (bounded) larger limit.
    if (parse(10 * kMaxNesting)) {
      importer.emitError() << "cannot parse the file as an ONNX model: its "
                              "messages are nested too deeply (more than "
                           << kMaxNesting << " levels)";
      return nullptr;
    }
    importer.emitError() << "cannot parse the file as an ONNX model: the "
                            "protobuf is truncated or corrupt";
    return nullptr;
  }
  return importer.import(model);
}

OwningOpRef<ModuleOp> importONNXFile(StringRef path, MLIRContext *context,
                                     const ImportOptions &options) {
  bool isStdin = path == "-";
  StringRef displayName = isStdin ? StringRef("<stdin>") : path;
  if (!isStdin) {
    uint64_t size = 0;
    if (!llvm::sys::fs::is_regular_file(path) ||
        llvm::sys::fs::file_size(path, size)) {
      emitError(FileLineColLoc::get(context, displayName, 0, 0))
          << "cannot read the model file: "
          << (llvm::sys::fs::exists(path) ? "not a regular file"
                                          : "no such file");
      return nullptr;
    }
    if (size > static_cast<uint64_t>(INT_MAX)) {
      emitError(FileLineColLoc::get(context, displayName, 0, 0))
          << "the model file is over 2 GB: protobuf cannot hold it, so ONNX "
             "keeps such weights in external data files";
      return nullptr;
    }
  }
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buffer) {
    emitError(FileLineColLoc::get(context, displayName, 0, 0))
        << "cannot open the model file: " << buffer.getError().message();
    return nullptr;
  }
  if ((*buffer)->getBufferSize() > static_cast<size_t>(INT_MAX)) {
    emitError(FileLineColLoc::get(context, displayName, 0, 0))
        << "the model is over 2 GB: protobuf cannot hold it";
    return nullptr;
  }
  SmallString<256> baseDir(isStdin ? StringRef(".") : path);
  if (!isStdin)
    llvm::sys::path::remove_filename(baseDir);
  return parseAndImport((*buffer)->getBuffer(), displayName, baseDir, context,
                        options);
}

OwningOpRef<ModuleOp> importONNXBuffer(StringRef bytes, StringRef displayName,
                                       StringRef baseDir, MLIRContext *context,
                                       const ImportOptions &options) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    emitError(FileLineColLoc::get(context, displayName, 0, 0))
        << "the model is over 2 GB: protobuf cannot hold it";
    return nullptr;
  }
  return parseAndImport(bytes, displayName, baseDir, context, options);
}

void registerImportDialects(DialectRegistry &registry) {
  registry.insert<graph::GraphDialect, func::FuncDialect>();
}

} // namespace loom::onnx
