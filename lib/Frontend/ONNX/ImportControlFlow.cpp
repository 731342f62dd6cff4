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
          ? node.getVariadicInputs(2, 0)
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
  auto toScalar = [&](Value value, Type scalar) -> FailureOr<Value> {
    if (!value || value.getType() == scalar)
      return value;
    auto empty = RankedTensorType::get({0}, b.getI64Type());
    Value shape =
        g::ConstantOp::create(b, node.getLoc(),
                              cast<ElementsAttr>(DenseIntElementsAttr::get(
                                  empty, ArrayRef<int64_t>{})));
    auto reshape = node.create<g::ReshapeOp>(value, shape, false);
    if (failed(reshape))
      return failure();
    return reshape->getResult();
  };
  FailureOr<Value> trips = toScalar(*maxTrips, i64);
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
  FailureOr<SmallVector<Value>> inputs = node.getVariadicInputs(0);
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
  auto toBools = [](ArrayRef<int64_t> values) {
    SmallVector<bool> bools;
    for (int64_t v : values)
      bools.push_back(v != 0);
    return bools;
  };
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

} // namespace

void addControlFlowImporters(SmallVectorImpl<OpImporter> &table) {
  constexpr int64_t kMax = kMaxOpset;
  table.append({
      {"If", 1, kMax, importIf},
      {"Loop", 1, kMax, importLoop},
      {"Scan", 9, kMax, importScan},
  });
}

} // namespace loom::onnx
