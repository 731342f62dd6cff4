//===- Explain.cpp - An SBP plan as Graphviz and as a table ---------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/sbp/Transforms/Derive.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace loom::sbp;
using llvm::SmallVector;

namespace {

/// "S(0)·B -> S(0)": operands, then results.
std::string describe(const Signature &s) {
  SmallVector<std::string> operands, results;
  for (const NdSbp &nd : s.operands)
    operands.push_back(toString(nd));
  for (const NdSbp &nd : s.results)
    results.push_back(toString(nd));
  if (operands.empty() || results.empty())
    return llvm::join(operands.empty() ? results : operands, ", ");
  return llvm::join(operands, " * ") + " -> " + llvm::join(results, ", ");
}

std::string describe(llvm::ArrayRef<Collective> steps) {
  SmallVector<std::string> parts;
  for (const Collective &c : steps)
    if (c.kind == CollectiveKind::AllReduce ||
        c.kind == CollectiveKind::ReduceScatter)
      parts.push_back(llvm::formatv("{0}({1}) on axis {2}", toString(c.kind),
                                    toString(c.reduction), c.meshAxis)
                          .str());
    else if (c.kind != CollectiveKind::Local)
      parts.push_back(
          llvm::formatv("{0} on axis {1}", toString(c.kind), c.meshAxis).str());
  return llvm::join(parts, " + ");
}

double bytesOf(llvm::ArrayRef<Collective> steps) {
  double bytes = 0;
  for (const Collective &c : steps)
    bytes += c.bytes;
  return bytes;
}

/// Graphviz-escaped.
std::string escape(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  return out;
}

std::string meshName(llvm::ArrayRef<int64_t> shape) {
  SmallVector<std::string> parts;
  for (int64_t size : shape)
    parts.push_back(std::to_string(size));
  return llvm::join(parts, "x");
}

} // namespace

void loom::sbp::writeDot(const FunctionPlan &plan, llvm::raw_ostream &os) {
  os << "digraph sbp {\n  rankdir=TB;\n  node [shape=box, style=filled, "
        "fontname=\"monospace\"];\n";
  os << llvm::formatv("  label=\"SBP plan on mesh {0}: predicted {1:e3} s\";\n",
                      meshName(plan.meshShape), plan.plan.cost);
  for (auto [id, node] : llvm::enumerate(plan.nodes)) {
    const Signature &s = node.candidates[plan.plan.choice[id]];
    // Colour by the first result's layout on the first mesh axis.
    const char *colour = "white";
    if (!s.results.empty()) {
      const Sbp &sbp = s.results.front().front();
      colour = sbp.isSplit()     ? "lightblue"
               : sbp.isPartial() ? "orange"
                                 : "lightgrey";
    }
    std::string kind =
        node.op ? node.op->getName().getStringRef().str() : "input";
    os << llvm::formatv(
        "  n{0} [label=\"{1}\\n{2}\\n{3}\", fillcolor={4}{5}];\n", id,
        escape(node.name), escape(kind), escape(describe(s)), colour,
        node.op ? "" : ", shape=ellipse");
  }
  for (const FunctionPlan::Use &use : plan.uses) {
    SmallVector<Collective> steps = plan.getBoxing(use);
    std::string what = describe(steps);
    if (what.empty())
      os << llvm::formatv("  n{0} -> n{1};\n", use.producer, use.consumer);
    else
      os << llvm::formatv(
          "  n{0} -> n{1} [color=red, label=\"{2}\\n{3:f0} B/rank\"];\n",
          use.producer, use.consumer, escape(what), bytesOf(steps));
  }
  os << "}\n";
}

void loom::sbp::printPlan(const FunctionPlan &plan, llvm::raw_ostream &os) {
  os << llvm::formatv("sbp plan on mesh {0}: predicted {1:e3} s per step "
                      "({2}; {3} core node(s)); greedy {4:e3} s\n",
                      meshName(plan.meshShape), plan.plan.cost,
                      plan.plan.exact ? "exact" : "local search",
                      plan.plan.coreNodes, plan.greedyCost);
  os << llvm::formatv("constants: compute {0:e2} flop/s, link {1:e2} bytes/s "
                      "per rank, {2:e2} s per collective ({3})\n",
                      plan.flopsPerSecond, plan.costs.linkBytesPerSecond,
                      plan.costs.collectiveLatency, plan.constantsSource);
  os << "| node | op | signature | compute (s) |\n|---|---|---|---|\n";
  for (auto [id, node] : llvm::enumerate(plan.nodes)) {
    unsigned choice = plan.plan.choice[id];
    os << llvm::formatv("| {0} | {1} | {2} | {3:e3} |\n", node.name,
                        node.op ? node.op->getName().getStringRef() : "input",
                        describe(node.candidates[choice]), node.costs[choice]);
  }
  os << "| layouts | value | collective | bytes/rank | time (s) |\n"
        "|---|---|---|---|---|\n";
  for (const FunctionPlan::Use &use : plan.uses) {
    SmallVector<Collective> steps = plan.getBoxing(use);
    std::string what = describe(steps);
    if (what.empty())
      continue;
    os << llvm::formatv(
        "| {0} -> {1} | {2} | {3} | {4:f0} | {5:e3} |\n",
        toString(plan.getProduced(use)), toString(plan.getConsumed(use)),
        plan.nodes[use.producer].name + " -> " + plan.nodes[use.consumer].name,
        what, bytesOf(steps), getTime(steps, plan.costs));
  }
  unsigned collectives = 0;
  double bytes = 0;
  for (const FunctionPlan::Use &use : plan.uses)
    for (const Collective &c : plan.getBoxing(use))
      if (c.kind != CollectiveKind::Local) {
        ++collectives;
        bytes += c.bytes;
      }
  // Uneven splits make ranks send a row more or less: the mean is exact
  // summed over the ranks.
  int64_t ranks = 1;
  for (int64_t size : plan.meshShape)
    ranks *= size;
  os << llvm::formatv("boxing per step: {0} collective(s), {1:f0} bytes sent "
                      "per rank, {2:f0} by all {3} ranks\n",
                      collectives, bytes,
                      std::round(bytes * static_cast<double>(ranks)), ranks);
  os << llvm::formatv("memory per device: {0:f0} bytes (weights and "
                      "activations, no reuse; memory cost {1:e2} s/byte)\n",
                      plan.memoryBytes, plan.memoryCostPerByte);
}
