//===- Derive.cpp - Choose an SBP signature for every op ------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/sbp/Transforms/Derive.h"
#include "loom/Support/Refusal.h"

#include "dialects/graph/IR/GraphOps.h"
#include "dialects/sbp/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/ToolOutputFile.h"

namespace loom::sbp {
#define GEN_PASS_DEF_SBPDERIVEPASS
#include "dialects/sbp/Transforms/Passes.h.inc"
} // namespace loom::sbp

using namespace mlir;
using namespace loom::sbp;

FailureOr<std::pair<SmallVector<int64_t>, int64_t>>
loom::sbp::getTensorSize(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat())
    return failure();
  int64_t bytes =
      std::max<int64_t>(1, type.getElementType().getIntOrFloatBitWidth() / 8);
  return std::make_pair(SmallVector<int64_t>(type.getShape()), bytes);
}

const NdSbp &FunctionPlan::getProduced(const Use &use) const {
  const Node &node = nodes[use.producer];
  return node.candidates[plan.choice[use.producer]].results[use.result];
}

const NdSbp &FunctionPlan::getConsumed(const Use &use) const {
  const Node &node = nodes[use.consumer];
  return node.candidates[plan.choice[use.consumer]].operands[use.operand];
}

SmallVector<Collective> FunctionPlan::getBoxing(const Use &use) const {
  auto size = getTensorSize(use.value);
  if (failed(size))
    return {};
  return sbp::getBoxing(getProduced(use), getConsumed(use), size->first,
                        size->second, meshShape);
}

namespace {

/// The name an op has in diagnostics and plans: its ONNX node name when it
/// has one, else its op name.
std::string nodeName(Operation *op) {
  if (auto name = dyn_cast<NameLoc>(op->getLoc()))
    return name.getName().str();
  return op->getName().getStringRef().str();
}

/// An all-B signature for `op`.
Signature replicated(Operation *op, size_t axes) {
  Signature s;
  s.operands.assign(op->getNumOperands(), NdSbp(axes, Sbp::broadcast()));
  s.results.assign(op->getNumResults(), NdSbp(axes, Sbp::broadcast()));
  return s;
}

/// Candidates of a value that no op computes (an argument, a constant):
/// every layout it may have.
SmallVector<Signature> layoutsOf(Value value, ArrayRef<int64_t> mesh) {
  SmallVector<Signature> candidates;
  auto size = getTensorSize(value);
  SmallVector<NdSbp> layouts =
      succeeded(size)
          ? getLayouts(size->first, mesh)
          : SmallVector<NdSbp>{NdSbp(mesh.size(), Sbp::broadcast())};
  for (NdSbp &layout : layouts) {
    Signature s;
    s.results.push_back(std::move(layout));
    candidates.push_back(std::move(s));
  }
  return candidates;
}

/// Parses `S(0)` (1-D) or `[S(0),B]` against a mesh of `axes` axes.
std::optional<NdSbp> parseNd(StringRef text, size_t axes) {
  text = text.trim();
  SmallVector<StringRef> parts;
  if (text.consume_front("[")) {
    if (!text.consume_back("]"))
      return std::nullopt;
    // Split at commas outside parentheses.
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || (text[i] == ',' && depth == 0)) {
        parts.push_back(text.slice(start, i));
        start = i + 1;
      } else if (text[i] == '(') {
        ++depth;
      } else if (text[i] == ')') {
        --depth;
      }
    }
  } else {
    parts.push_back(text);
  }
  NdSbp nd;
  for (StringRef part : parts) {
    std::optional<Sbp> sbp = parseSbp(part);
    if (!sbp)
      return std::nullopt;
    nd.push_back(*sbp);
  }
  if (nd.size() != axes)
    return std::nullopt;
  return nd;
}

struct SbpDerivePass
    : public loom::sbp::impl::SbpDerivePassBase<SbpDerivePass> {
  using SbpDerivePassBase::SbpDerivePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<int64_t> meshShape;
    SmallVector<StringRef> parts;
    StringRef(mesh).split(parts, 'x');
    for (StringRef part : parts) {
      int64_t size;
      if (part.getAsInteger(10, size)) {
        loom::emitRefusal(module.getLoc())
            << "sbp-derive: mesh '" << mesh << "' is not like 4 or 2x2";
        return signalPassFailure();
      }
      meshShape.push_back(size);
    }
    auto emitError = [&] {
      return loom::emitRefusal(module.getLoc()) << "sbp-derive: ";
    };
    if (failed(MeshAttr::verify(emitError, meshShape, ArrayAttr())))
      return signalPassFailure();
    if (!(flopsPerSecond > 0) || !(linkBytesPerSecond > 0) ||
        !(collectiveLatency >= 0) || !(memoryCostPerByte >= 0) ||
        !(memoryLimit >= 0)) {
      emitError() << "flops-per-second and link-bytes-per-second must be "
                     "positive, collective-latency, memory-cost-per-byte "
                     "and memory-limit not negative";
      return signalPassFailure();
    }
    auto meshAttr = MeshAttr::get(&getContext(), meshShape, ArrayAttr());
    module->setAttr("sbp.mesh", meshAttr);
    for (auto func : module.getOps<func::FuncOp>())
      if (isPlanned(func) && failed(derive(func, meshShape)))
        return signalPassFailure();
  }

  /// Candidates of `node` whose result 0 is `required`.
  LogicalResult restrict(FunctionPlan::Node &node, const NdSbp &required,
                         Operation *where) {
    SmallVector<Signature> kept;
    for (Signature &s : node.candidates)
      if (!s.results.empty() && s.results.front() == required)
        kept.push_back(s);
    if (kept.empty())
      return loom::emitRefusal(where->getLoc())
             << "sbp-derive: '" << node.name << "' cannot be "
             << toString(required) << " (no legal signature gives it)";
    node.candidates = std::move(kept);
    return success();
  }

  LogicalResult derive(func::FuncOp func, ArrayRef<int64_t> meshShape) {
    FunctionPlan plan;
    plan.meshShape.assign(meshShape.begin(), meshShape.end());
    plan.costs = {linkBytesPerSecond, collectiveLatency};
    plan.flopsPerSecond = flopsPerSecond;
    plan.constantsSource = constantsSource;
    Block &body = func.getBody().front();
    llvm::DenseMap<Value, std::pair<unsigned, unsigned>> producers;
    llvm::StringMap<unsigned> byName;
    size_t axes = meshShape.size();

    for (BlockArgument arg : body.getArguments()) {
      FunctionPlan::Node node;
      auto name =
          func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "graph.name");
      node.name =
          name ? name.str() : "arg" + std::to_string(arg.getArgNumber());
      node.argNumber = arg.getArgNumber();
      node.candidates = layoutsOf(arg, meshShape);
      if (auto given =
              func.getArgAttrOfType<NdSbpAttr>(arg.getArgNumber(), "sbp.nd"))
        if (failed(restrict(node, NdSbp(given.getEntries()), func)))
          return failure();
      producers[arg] = {plan.nodes.size(), 0};
      byName[node.name] = plan.nodes.size();
      plan.nodes.push_back(std::move(node));
    }
    for (Operation &op : body) {
      FunctionPlan::Node node;
      node.op = &op;
      node.name = nodeName(&op);
      double flops = 0;
      if (isa<loom::graph::ConstantOp>(op)) {
        node.candidates = layoutsOf(op.getResult(0), meshShape);
      } else if (auto ruled = dyn_cast<SbpRuleOpInterface>(op);
                 ruled && op.getNumRegions() == 0) {
        FailureOr<IndexRule> rule = ruled.getSbpRule();
        if (succeeded(rule)) {
          node.candidates = getSignatures(*rule, meshShape);
          flops = rule->getFlops();
        }
      }
      if (node.candidates.empty())
        node.candidates.push_back(replicated(&op, axes));
      if (auto given = op.getAttrOfType<ArrayAttr>("sbp.results");
          given && !given.empty())
        if (auto nd = dyn_cast<NdSbpAttr>(given[0]);
            !nd || failed(restrict(node, NdSbp(nd.getEntries()), &op)))
          return failure();
      for (const Signature &s : node.candidates) {
        node.compute.push_back(flops * s.workFraction / flopsPerSecond);
        double bytes = 0;
        for (auto [index, result] : llvm::enumerate(op.getResults()))
          if (auto size = getTensorSize(result);
              succeeded(size) && index < s.results.size())
            bytes += getLocalBytes(s.results[index], size->first, size->second,
                                   meshShape);
        node.memory.push_back(bytes);
      }
      unsigned id = plan.nodes.size();
      for (auto [index, operand] : llvm::enumerate(op.getOperands())) {
        auto it = producers.find(operand);
        if (it != producers.end())
          plan.uses.push_back({it->second.first, it->second.second, id,
                               static_cast<unsigned>(index), operand});
      }
      for (auto [index, result] : llvm::enumerate(op.getResults()))
        producers[result] = {id, static_cast<unsigned>(index)};
      if (!isa<func::ReturnOp>(op))
        byName[node.name] = id;
      plan.nodes.push_back(std::move(node));
    }
    for (const std::string &entry : fix) {
      auto [name, layout] = StringRef(entry).split('=');
      std::optional<NdSbp> nd = parseNd(layout, axes);
      auto it = byName.find(name);
      if (!nd)
        return loom::emitRefusal(func.getLoc())
               << "sbp-derive: fix '" << entry
               << "': expected NAME=S(0) (1-D mesh) or "
                  "NAME=[S(0),B] (2-D)";
      if (it == byName.end())
        return loom::emitRefusal(func.getLoc())
               << "sbp-derive: fix '" << entry << "': no "
               << "input or op named '" << name << "'";
      if (failed(restrict(plan.nodes[it->second], *nd, func)))
        return failure();
    }
    // Edge costs do not depend on the memory term: computed once.
    SmallVector<SmallVector<double>> edgeCosts;
    for (const FunctionPlan::Use &use : plan.uses) {
      const auto &from = plan.nodes[use.producer].candidates;
      const auto &to = plan.nodes[use.consumer].candidates;
      SmallVector<double> costs;
      auto size = getTensorSize(use.value);
      for (const Signature &p : from)
        for (const Signature &c : to)
          costs.push_back(
              succeeded(size)
                  ? getTime(loom::sbp::getBoxing(
                                p.results[use.result], c.operands[use.operand],
                                size->first, size->second, meshShape),
                            plan.costs)
                  : (p.results[use.result] == c.operands[use.operand]
                         ? 0
                         : 1e9)); // unknown sizes: no conversion
      edgeCosts.push_back(std::move(costs));
    }
    // Arguments (whole on every rank, held by the caller) cost nothing.
    for (FunctionPlan::Node &node : plan.nodes)
      if (node.compute.size() != node.candidates.size()) {
        node.compute.assign(node.candidates.size(), 0);
        node.memory.assign(node.candidates.size(), 0);
      }
    // Replicating everything (where annotations allow) never boxes: the
    // local search also starts there.
    SearchOptions searchOptions;
    SmallVector<unsigned> replicatedStart;
    for (FunctionPlan::Node &node : plan.nodes) {
      unsigned pick = 0;
      for (auto [k, s] : llvm::enumerate(node.candidates)) {
        auto allBroadcast = [](ArrayRef<NdSbp> layouts) {
          return llvm::all_of(layouts, [](const NdSbp &nd) {
            return llvm::all_of(nd,
                                [](const Sbp &s) { return s.isBroadcast(); });
          });
        };
        if (allBroadcast(s.operands) && allBroadcast(s.results)) {
          pick = k;
          break;
        }
      }
      replicatedStart.push_back(pick);
    }
    searchOptions.starts.push_back(replicatedStart);
    auto solve = [&](double memoryWeight) {
      plan.graph = CostGraph();
      for (FunctionPlan::Node &node : plan.nodes) {
        node.costs.clear();
        for (auto [compute, memory] : llvm::zip(node.compute, node.memory))
          node.costs.push_back(compute + memoryWeight * memory);
        plan.graph.addNode(node.costs);
      }
      for (auto [use, costs] : llvm::zip(plan.uses, edgeCosts))
        plan.graph.addEdge(use.producer, use.consumer, costs);
      plan.plan = search(plan.graph, searchOptions);
      plan.memoryCostPerByte = memoryWeight;
      plan.memoryBytes = 0;
      for (auto [id, node] : llvm::enumerate(plan.nodes))
        plan.memoryBytes += node.memory[plan.plan.choice[id]];
    };
    // With a memory limit, weigh memory more until the plan fits
    // (OneFlow's adaptive memory ratio, on bytes).
    double weight = memoryCostPerByte;
    solve(weight);
    for (int round = 0;
         memoryLimit > 0 && plan.memoryBytes > memoryLimit && round < 24;
         ++round) {
      weight = weight > 0 ? weight * 4 : 1e-13;
      solve(weight);
    }
    if (memoryLimit > 0 && plan.memoryBytes > memoryLimit)
      return loom::emitRefusal(func.getLoc())
             << "sbp-derive: no plan fits " << static_cast<int64_t>(memoryLimit)
             << " bytes per device: the smallest found needs "
             << static_cast<int64_t>(plan.memoryBytes)
             << " (weights and activations, no reuse)";
    if (printPlan)
      plan.greedyCost = greedy(plan.graph).cost;
    if (checkOracle) {
      Plan oracle = bruteForce(plan.graph, uint64_t(1) << 22);
      if (oracle.choice.empty()) {
        llvm::errs() << "sbp-derive: @" << func.getName()
                     << ": too many plans to enumerate\n";
      } else {
        double ratio = oracle.cost > 0 ? plan.plan.cost / oracle.cost : 1.0;
        llvm::errs() << llvm::formatv("sbp-derive: @{0}: plan {1:e3} s, "
                                      "optimum {2:e3} s (ratio {3:f4})\n",
                                      func.getName(), plan.plan.cost,
                                      oracle.cost, ratio);
        if (ratio > 1 + oracleTolerance)
          return func.emitError()
                 << "sbp-derive: the plan costs " << ratio
                 << " times the optimum, more than the tolerance ("
                 << oracleTolerance << ") above it";
      }
    }

    // Record the plan.
    Builder b(&getContext());
    auto toAttr = [&](ArrayRef<NdSbp> layouts) {
      SmallVector<Attribute> attrs;
      for (const NdSbp &nd : layouts)
        attrs.push_back(NdSbpAttr::get(&getContext(), nd));
      return b.getArrayAttr(attrs);
    };
    for (auto [id, node] : llvm::enumerate(plan.nodes)) {
      const Signature &s = node.candidates[plan.plan.choice[id]];
      if (!node.op) {
        func.setArgAttr(node.argNumber, "sbp.nd",
                        NdSbpAttr::get(&getContext(), s.results.front()));
        continue;
      }
      if (isa<func::ReturnOp>(node.op))
        continue;
      node.op->setAttr("sbp.operands", toAttr(s.operands));
      node.op->setAttr("sbp.results", toAttr(s.results));
    }
    func->setAttr("sbp.cost", b.getF64FloatAttr(plan.plan.cost));
    if (printPlan)
      loom::sbp::printPlan(plan, llvm::errs());
    if (!explainDot.empty()) {
      std::error_code error;
      llvm::ToolOutputFile file(explainDot, error, llvm::sys::fs::OF_Text);
      if (error)
        return func.emitError() << "sbp-derive: cannot write " << explainDot
                                << ": " << error.message();
      writeDot(plan, file.os());
      file.keep();
    }
    return success();
  }
};

} // namespace
