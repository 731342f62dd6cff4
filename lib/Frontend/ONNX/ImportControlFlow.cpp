//===- ImportControlFlow.cpp - ONNX If, Loop and Scan ---------------------===//
//
// Part of Loom. Subgraphs import into the regions of graph.if, graph.loop and
// graph.scan; the outer values they use become the ops' captures.
//
//===----------------------------------------------------------------------===//

#include "ImportUtils.h"

#include "dialects/graph/IR/GraphOps.h"

using namespace mlir;
namespace g = loom::graph;

namespace loom::onnx {
namespace {

/// `type` with every dim dynamic: what a loop-carried value may become.
Type generalize(Type type) {
  if (auto seq = dyn_cast<g::SequenceType>(type))
    return g::SequenceType::get(
        cast<TensorType>(generalize(seq.getElementType())));
  if (auto opt = dyn_cast<g::OptionalType>(type))
    return g::OptionalType::get(generalize(opt.getValueType()));
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked)
    return type;
  return RankedTensorType::get(
      SmallVector<int64_t>(ranked.getRank(), ShapedType::kDynamic),
      ranked.getElementType());
}

/// The type a loop-carried value takes in the body: the subgraph's declared
/// input type when the initial value fits it, else the initial value's type
/// with its dims made dynamic.
Type getCarriedType(Type declared, Type initial) {
  if (declared && g::areCompatibleRefinements(initial, declared))
    return declared;
  return generalize(initial);
}

/// ONNX's 0/1 direction lists as bools.
SmallVector<bool> toBools(ArrayRef<int64_t> values) {
  SmallVector<bool> bools;
  for (int64_t v : values)
    bools.push_back(v != 0);
  return bools;
}

/// Adds a detached one-block region for a region op under construction; its
/// block takes the scope's captures.
void addRegion(CaptureScope &scope,
               std::vector<std::unique_ptr<Region>> &regions) {
  regions.push_back(std::make_unique<Region>());
  regions.back()->push_back(new Block());
  scope.blocks.push_back(&regions.back()->front());
}

/// Builds a region op from `state` (operands and result types set) with one
/// region per block in `scope`, adding the captures as trailing operands.
Operation *createRegionOp(NodeImporter &node, OperationState &state,
                          CaptureScope &scope,
                          std::vector<std::unique_ptr<Region>> &regions) {
  state.addOperands(scope.captures);
  for (std::unique_ptr<Region> &region : regions)
    state.addRegion(std::move(region));
  return node.createAndVerify(state);
}

LogicalResult importIf(NodeImporter &node) {
  FailureOr<Value> condition = node.getInput(0);
  if (failed(condition))
    return failure();
  CaptureScope scope;
  std::vector<std::unique_ptr<Region>> regions;
  addRegion(scope, regions);
  addRegion(scope, regions);
  auto thenValues =
      node.importSubgraph("then_branch", scope.blocks[0], {}, scope);
  if (failed(thenValues))
    return failure();
  auto elseValues =
      node.importSubgraph("else_branch", scope.blocks[1], {}, scope);
  if (failed(elseValues))
    return failure();
  if (thenValues->size() != elseValues->size())
    return node.emitError() << "then_branch yields " << thenValues->size()
                            << " values but else_branch " << elseValues->size();
  SmallVector<Type> resultTypes;
  for (auto [index, a, b] : llvm::enumerate(*thenValues, *elseValues)) {
    Type joined = g::joinTypes(a.getType(), b.getType());
    if (!joined)
      return node.emitError()
             << "output #" << index << " is " << a.getType()
             << " in then_branch but " << b.getType() << " in else_branch";
    resultTypes.push_back(joined);
  }
  OperationState state(node.getLoc(), g::IfOp::getOperationName());
  state.addOperands(*condition);
  state.addTypes(resultTypes);
  Operation *op = createRegionOp(node, state, scope, regions);
  return op ? node.setOutputs(op->getResults()) : failure();
}

LogicalResult importLoop(NodeImporter &node) {
  FailureOr<Value> maxTrips = node.getOptionalInput(0);
  FailureOr<Value> condition = node.getOptionalInput(1);
  FailureOr<SmallVector<Value>> initial =
      node.getNumInputs() > 2
          ? node.getVariadicInputs(2, 0, NodeImporter::InputKind::Any)
          : FailureOr<SmallVector<Value>>(SmallVector<Value>());
  FailureOr<SmallVector<Type>> declared = node.getSubgraphInputTypes("body");
  if (failed(maxTrips) || failed(condition) || failed(initial) ||
      failed(declared))
    return failure();
  if (declared->size() != 2 + initial->size())
    return node.emitError()
           << "the body takes " << declared->size()
           << " inputs but the loop passes it " << 2 + initial->size();
  OpBuilder &b = node.getBuilder();
  Type i64 = RankedTensorType::get({}, b.getI64Type());
  Type i1 = RankedTensorType::get({}, b.getI1Type());
  // ONNX allows the trip count and condition as 1-element tensors.
  FailureOr<Value> trips = toScalar(node, *maxTrips);
  if (failed(trips))
    return failure();
  SmallVector<Type> argTypes = {i64, i1};
  for (auto [index, value] : llvm::enumerate(*initial))
    argTypes.push_back(getCarriedType((*declared)[2 + index], value.getType()));

  CaptureScope scope;
  std::vector<std::unique_ptr<Region>> regions;
  addRegion(scope, regions);
  auto yielded = node.importSubgraph("body", scope.blocks[0], argTypes, scope);
  if (failed(yielded))
    return failure();
  size_t carried = initial->size();
  if (yielded->size() < 1 + carried)
    return node.emitError() << "the body yields " << yielded->size()
                            << " values but needs its condition and " << carried
                            << " loop-carried values";
  // A body may yield a plain value where it carries an optional (ONNX wraps
  // it implicitly): wrap it explicitly.
  Operation *terminator = scope.blocks[0]->getTerminator();
  for (size_t i = 0; i < carried; ++i) {
    Value value = (*yielded)[1 + i];
    auto optional = dyn_cast<g::OptionalType>(argTypes[2 + i]);
    if (!optional || isa<g::OptionalType>(value.getType()))
      continue;
    OpBuilder inner(terminator);
    auto wrap = g::OptionalOp::create(
        inner, node.getLoc(), g::OptionalType::get(value.getType()), value);
    terminator->setOperand(1 + i, wrap);
    (*yielded)[1 + i] = wrap;
  }
  SmallVector<Type> resultTypes(argTypes.begin() + 2, argTypes.end());
  for (Value slice : llvm::drop_begin(*yielded, 1 + carried)) {
    auto ranked = dyn_cast<RankedTensorType>(slice.getType());
    if (!ranked) {
      resultTypes.push_back(slice.getType());
      continue;
    }
    SmallVector<int64_t> dims = {ShapedType::kDynamic};
    llvm::append_range(dims, ranked.getShape());
    resultTypes.push_back(RankedTensorType::get(dims, ranked.getElementType()));
  }
  OperationState state(node.getLoc(), g::LoopOp::getOperationName());
  if (*trips)
    state.addOperands(*trips);
  if (*condition)
    state.addOperands(*condition);
  state.addOperands(*initial);
  state.addAttribute(
      g::LoopOp::getOperandSegmentSizesAttrName(state.name),
      b.getDenseI32ArrayAttr({*trips ? 1 : 0, *condition ? 1 : 0,
                              static_cast<int32_t>(carried),
                              static_cast<int32_t>(scope.captures.size())}));
  state.addTypes(resultTypes);
  Operation *op = createRegionOp(node, state, scope, regions);
  return op ? node.setOutputs(op->getResults()) : failure();
}

LogicalResult importScan(NodeImporter &node) {
  FailureOr<int64_t> numScanInputs = node.getInt("num_scan_inputs");
  FailureOr<SmallVector<Value>> inputs =
      node.getVariadicInputs(0, 1, NodeImporter::InputKind::Any);
  FailureOr<SmallVector<Type>> declared = node.getSubgraphInputTypes("body");
  if (failed(numScanInputs) || failed(inputs) || failed(declared))
    return failure();
  int64_t scanCount = *numScanInputs;
  if (scanCount < 1 || scanCount > static_cast<int64_t>(inputs->size()))
    return node.emitError()
           << "num_scan_inputs " << scanCount << " does not fit its "
           << inputs->size() << " inputs";
  size_t states = inputs->size() - scanCount;
  ArrayRef<Value> stateValues = ArrayRef<Value>(*inputs).take_front(states);
  ArrayRef<Value> scanValues = ArrayRef<Value>(*inputs).drop_front(states);
  SmallVector<int64_t> zeros(scanCount, 0);
  auto inputAxes = node.getInts("scan_input_axes", ArrayRef<int64_t>(zeros));
  auto inputDirections =
      node.getInts("scan_input_directions", ArrayRef<int64_t>(zeros));
  if (failed(inputAxes) || failed(inputDirections))
    return failure();
  if (declared->size() != states + scanCount)
    return node.emitError()
           << "the body takes " << declared->size()
           << " inputs but the scan passes it " << states + scanCount;
  SmallVector<Type> argTypes;
  for (auto [index, value] : llvm::enumerate(stateValues))
    argTypes.push_back(getCarriedType((*declared)[index], value.getType()));
  SmallVector<int64_t> resolvedInputAxes;
  int64_t trips = ShapedType::kDynamic;
  for (auto [index, value] : llvm::enumerate(scanValues)) {
    FailureOr<int64_t> rank = getRank(node, value, "scan input");
    if (failed(rank))
      return failure();
    FailureOr<int64_t> axis = normalizeAxis(node, (*inputAxes)[index], *rank);
    if (failed(axis))
      return failure();
    resolvedInputAxes.push_back(*axis);
    auto type = cast<RankedTensorType>(value.getType());
    if (!type.isDynamicDim(*axis))
      trips = type.getDimSize(*axis);
    SmallVector<int64_t> dims(type.getShape());
    dims.erase(dims.begin() + *axis);
    argTypes.push_back(RankedTensorType::get(dims, type.getElementType()));
  }

  CaptureScope scope;
  std::vector<std::unique_ptr<Region>> regions;
  addRegion(scope, regions);
  auto yielded = node.importSubgraph("body", scope.blocks[0], argTypes, scope);
  if (failed(yielded))
    return failure();
  if (yielded->size() < states)
    return node.emitError()
           << "the body yields " << yielded->size()
           << " values but the scan has " << states << " states";
  size_t outputs = yielded->size() - states;
  SmallVector<int64_t> outZeros(outputs, 0);
  auto outputAxes =
      node.getInts("scan_output_axes", ArrayRef<int64_t>(outZeros));
  auto outputDirections =
      node.getInts("scan_output_directions", ArrayRef<int64_t>(outZeros));
  if (failed(outputAxes) || failed(outputDirections))
    return failure();
  if (inputDirections->size() != static_cast<size_t>(scanCount) ||
      outputAxes->size() != outputs || outputDirections->size() != outputs)
    return node.emitError() << "needs one axis and direction per scan input "
                               "and output";
  SmallVector<Type> resultTypes(argTypes.begin(), argTypes.begin() + states);
  SmallVector<int64_t> resolvedOutputAxes;
  for (auto [index, slice] :
       llvm::enumerate(llvm::drop_begin(*yielded, states))) {
    FailureOr<int64_t> rank = getRank(node, slice, "scan output");
    if (failed(rank))
      return failure();
    FailureOr<int64_t> axis =
        normalizeAxis(node, (*outputAxes)[index], *rank + 1);
    if (failed(axis))
      return failure();
    resolvedOutputAxes.push_back(*axis);
    auto type = cast<RankedTensorType>(slice.getType());
    SmallVector<int64_t> dims(type.getShape());
    dims.insert(dims.begin() + *axis, trips);
    resultTypes.push_back(RankedTensorType::get(dims, type.getElementType()));
  }
  OpBuilder &b = node.getBuilder();
  OperationState state(node.getLoc(), g::ScanOp::getOperationName());
  state.addOperands(stateValues);
  state.addOperands(scanValues);
  state.addAttribute("scan_input_axes",
                     b.getDenseI64ArrayAttr(resolvedInputAxes));
  state.addAttribute("scan_input_reverse",
                     b.getDenseBoolArrayAttr(toBools(*inputDirections)));
  state.addAttribute("scan_output_axes",
                     b.getDenseI64ArrayAttr(resolvedOutputAxes));
  state.addAttribute("scan_output_reverse",
                     b.getDenseBoolArrayAttr(toBools(*outputDirections)));
  state.addAttribute(
      g::ScanOp::getOperandSegmentSizesAttrName(state.name),
      b.getDenseI32ArrayAttr({static_cast<int32_t>(states),
                              static_cast<int32_t>(scanCount),
                              static_cast<int32_t>(scope.captures.size())}));
  state.addTypes(resultTypes);
  Operation *op = createRegionOp(node, state, scope, regions);
  return op ? node.setOutputs(op->getResults()) : failure();
}

/// `type` (a ranked tensor) without its leading dim, or with `dim` prepended.
Type dropLeadingDim(Type type) {
  auto ranked = cast<RankedTensorType>(type);
  return RankedTensorType::get(ranked.getShape().drop_front(),
                               ranked.getElementType());
}
Type prependDim(Type type, int64_t dim) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked)
    return type;
  SmallVector<int64_t> dims = {dim};
  llvm::append_range(dims, ranked.getShape());
  return RankedTensorType::get(dims, ranked.getElementType());
}

/// Scan-8 runs its body over dim 1 of every state and scan input, once per
/// batch entry (dim 0). It becomes a graph.scan over the batch with no
/// states, whose body runs a graph.scan over the sequence: the inner scan's
/// final states and scan outputs are the outer scan's scan outputs.
LogicalResult importScan8(NodeImporter &node) {
  if (node.hasInput(0))
    return node.emitError() << "sequence_lens (per-batch lengths) is not "
                               "supported; every sequence is run in full";
  FailureOr<int64_t> numScanInputs = node.getInt("num_scan_inputs");
  FailureOr<SmallVector<Value>> inputs =
      node.getVariadicInputs(1, 1, NodeImporter::InputKind::Tensor);
  FailureOr<SmallVector<Type>> declared = node.getSubgraphInputTypes("body");
  if (failed(numScanInputs) || failed(inputs) || failed(declared))
    return failure();
  int64_t scanCount = *numScanInputs;
  if (scanCount < 1 || scanCount > static_cast<int64_t>(inputs->size()))
    return node.emitError()
           << "num_scan_inputs " << scanCount << " does not fit its "
           << inputs->size() << " inputs";
  size_t states = inputs->size() - scanCount;
  SmallVector<int64_t> zeros(scanCount, 0);
  auto directions = node.getInts("directions", ArrayRef<int64_t>(zeros));
  if (failed(directions))
    return failure();
  if (directions->size() != static_cast<size_t>(scanCount))
    return node.emitError() << "needs one direction per scan input";
  if (declared->size() != inputs->size())
    return node.emitError()
           << "the body takes " << declared->size()
           << " inputs but the scan passes it " << inputs->size();
  // Per batch entry: each input without dim 0; the body's scan inputs also
  // without the sequence dim.
  SmallVector<Type> outerArgTypes, innerArgTypes;
  int64_t batch = ShapedType::kDynamic, trips = ShapedType::kDynamic;
  for (auto [index, value] : llvm::enumerate(*inputs)) {
    bool isScan = index >= states;
    FailureOr<int64_t> rank = getRank(node, value, "input");
    if (failed(rank))
      return failure();
    if (*rank < (isScan ? 2 : 1))
      return node.emitError()
             << "input #" << index + 1 << " of type " << value.getType()
             << " needs a batch dim" << (isScan ? " and a sequence dim" : "");
    auto type = cast<RankedTensorType>(value.getType());
    if (!type.isDynamicDim(0))
      batch = type.getDimSize(0);
    Type slice = dropLeadingDim(type);
    outerArgTypes.push_back(slice);
    if (!isScan) {
      innerArgTypes.push_back(getCarriedType((*declared)[index], slice));
      continue;
    }
    if (!type.isDynamicDim(1))
      trips = type.getDimSize(1);
    innerArgTypes.push_back(dropLeadingDim(slice));
  }

  CaptureScope scope;
  std::vector<std::unique_ptr<Region>> regions;
  addRegion(scope, regions);
  Block *outerBlock = scope.blocks[0];
  auto innerRegion = std::make_unique<Region>();
  Block *innerBlock = new Block();
  innerRegion->push_back(innerBlock);
  CaptureScope innerScope;
  innerScope.blocks.push_back(innerBlock);
  auto yielded =
      node.importSubgraph("body", innerBlock, innerArgTypes, innerScope);
  if (failed(yielded))
    return failure();
  if (yielded->size() < states)
    return node.emitError()
           << "the body yields " << yielded->size()
           << " values but the scan has " << states << " states";
  size_t outputs = yielded->size() - states;
  SmallVector<Type> innerResultTypes(innerArgTypes.begin(),
                                     innerArgTypes.begin() + states);
  for (Value slice : llvm::drop_begin(*yielded, states)) {
    if (failed(getRank(node, slice, "scan output")))
      return failure();
    innerResultTypes.push_back(prependDim(slice.getType(), trips));
  }

  // The outer body: its block takes the slices, then the captures.
  OpBuilder &b = node.getBuilder();
  Location loc = node.getLoc();
  for (Type type : outerArgTypes)
    outerBlock->addArgument(type, loc);
  for (Value capture : innerScope.captures)
    outerBlock->addArgument(capture.getType(), capture.getLoc());
  // The region is still detached: the builder cannot take its context
  // from the block.
  OpBuilder inner(node.getContext());
  inner.setInsertionPointToEnd(outerBlock);
  OperationState innerState(loc, g::ScanOp::getOperationName());
  innerState.addOperands(outerBlock->getArguments().take_front(inputs->size()));
  innerState.addOperands(
      outerBlock->getArguments().take_back(innerScope.captures.size()));
  innerState.addAttribute("scan_input_axes", b.getDenseI64ArrayAttr(zeros));
  innerState.addAttribute("scan_input_reverse",
                          b.getDenseBoolArrayAttr(toBools(*directions)));
  innerState.addAttribute(
      "scan_output_axes",
      b.getDenseI64ArrayAttr(SmallVector<int64_t>(outputs)));
  innerState.addAttribute(
      "scan_output_reverse",
      b.getDenseBoolArrayAttr(SmallVector<bool>(outputs, false)));
  innerState.addAttribute(
      g::ScanOp::getOperandSegmentSizesAttrName(innerState.name),
      b.getDenseI32ArrayAttr(
          {static_cast<int32_t>(states), static_cast<int32_t>(scanCount),
           static_cast<int32_t>(innerScope.captures.size())}));
  innerState.addTypes(innerResultTypes);
  innerState.addRegion(std::move(innerRegion));
  Operation *innerScan = inner.create(innerState);
  g::YieldOp::create(inner, loc, innerScan->getResults());

  size_t total = inputs->size();
  OperationState state(loc, g::ScanOp::getOperationName());
  state.addOperands(*inputs);
  state.addOperands(innerScope.captures);
  state.addAttribute("scan_input_axes",
                     b.getDenseI64ArrayAttr(SmallVector<int64_t>(total)));
  state.addAttribute("scan_input_reverse",
                     b.getDenseBoolArrayAttr(SmallVector<bool>(total, false)));
  state.addAttribute(
      "scan_output_axes",
      b.getDenseI64ArrayAttr(SmallVector<int64_t>(innerResultTypes.size())));
  state.addAttribute("scan_output_reverse",
                     b.getDenseBoolArrayAttr(
                         SmallVector<bool>(innerResultTypes.size(), false)));
  state.addAttribute(g::ScanOp::getOperandSegmentSizesAttrName(state.name),
                     b.getDenseI32ArrayAttr(
                         {0, static_cast<int32_t>(total),
                          static_cast<int32_t>(innerScope.captures.size())}));
  for (Type type : innerResultTypes)
    state.addTypes(prependDim(type, batch));
  for (std::unique_ptr<Region> &region : regions)
    state.addRegion(std::move(region));
  Operation *op = node.createAndVerify(state);
  return op ? node.setOutputs(op->getResults()) : failure();
}

} // namespace

void addControlFlowImporters(SmallVectorImpl<OpImporter> &table) {
  constexpr int64_t kMax = kMaxOpset;
  table.append({
      {"If", 1, kMax, importIf},
      {"Loop", 1, kMax, importLoop},
      {"Scan", 8, 8, importScan8},
      {"Scan", 9, kMax, importScan},
  });
}

} // namespace loom::onnx
