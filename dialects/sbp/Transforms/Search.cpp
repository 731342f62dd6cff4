//===- Search.cpp - Exact eliminations, then a core search ----------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "dialects/sbp/Transforms/Search.h"

#include "llvm/ADT/STLExtras.h"

#include <limits>
#include <map>

using namespace loom::sbp;
using llvm::ArrayRef;
using llvm::SmallVector;

static constexpr double kInfinity = std::numeric_limits<double>::infinity();

unsigned CostGraph::addNode(ArrayRef<double> costs) {
  nodeCosts.emplace_back(costs.begin(), costs.end());
  return nodeCosts.size() - 1;
}

void CostGraph::addEdge(unsigned from, unsigned to, ArrayRef<double> costs) {
  edges.push_back({from, to, SmallVector<double>(costs)});
}

double CostGraph::evaluate(ArrayRef<unsigned> plan) const {
  double cost = 0;
  for (auto [node, choice] : llvm::enumerate(plan))
    cost += nodeCosts[node][choice];
  for (const Edge &edge : edges)
    cost +=
        edge.costs[plan[edge.from] * getNumCandidates(edge.to) + plan[edge.to]];
  return cost;
}

namespace {

/// The graph being reduced: undirected edges stored once, oriented from
/// the smaller node id.
struct WorkGraph {
  SmallVector<SmallVector<double>> costs;
  SmallVector<std::map<unsigned, SmallVector<double>>> adjacent; // u < v only
  SmallVector<std::map<unsigned, bool>> neighbours;
  SmallVector<bool> alive;

  explicit WorkGraph(const CostGraph &graph) {
    unsigned n = graph.getNumNodes();
    neighbours.resize(n);
    adjacent.resize(n);
    alive.assign(n, true);
    for (unsigned v = 0; v < n; ++v)
      costs.emplace_back(graph.getNodeCosts(v));
    for (const CostGraph::Edge &edge : graph.getEdges())
      addEdge(edge.from, edge.to, edge.costs);
  }
  size_t size(unsigned v) const { return costs[v].size(); }

  /// Adds (merging into a parallel edge) an edge with `m` over (u, v).
  void addEdge(unsigned u, unsigned v, ArrayRef<double> m) {
    if (u == v) { // a self-loop only adds to the node's own costs
      for (size_t i = 0; i < size(u); ++i)
        costs[u][i] += m[i * size(u) + i];
      return;
    }
    SmallVector<double> oriented(m);
    if (u > v) {
      oriented.assign(m.size(), 0);
      for (size_t i = 0; i < size(u); ++i)
        for (size_t j = 0; j < size(v); ++j)
          oriented[j * size(u) + i] = m[i * size(v) + j];
      std::swap(u, v);
    }
    auto [it, inserted] = adjacent[u].try_emplace(v, oriented);
    if (!inserted)
      for (auto [a, b] : llvm::zip(it->second, oriented))
        a += b;
    neighbours[u][v] = true;
    neighbours[v][u] = true;
  }
  /// The cost of the edge (u, v) at candidates (i, j).
  double at(unsigned u, unsigned v, size_t i, size_t j) const {
    if (u < v)
      return adjacent[u].at(v)[i * size(v) + j];
    return adjacent[v].at(u)[j * size(u) + i];
  }
  void remove(unsigned v) {
    alive[v] = false;
    for (auto &[u, unused] : neighbours[v]) {
      neighbours[u].erase(v);
      adjacent[std::min(u, v)].erase(std::max(u, v));
    }
    neighbours[v].clear();
  }
};

/// How an eliminated node chooses once the nodes it depended on have.
struct Elimination {
  unsigned node;
  SmallVector<unsigned> deps;  // 0, 1 or 2 nodes
  SmallVector<unsigned> table; // choice per combination of deps' choices
};

/// Best response of `v` to each combination of its neighbours' candidates.
Elimination eliminate(WorkGraph &g, unsigned v) {
  Elimination record{v, {}, {}};
  for (auto &[u, unused] : g.neighbours[v])
    record.deps.push_back(u);
  if (record.deps.empty()) {
    record.table.push_back(
        std::min_element(g.costs[v].begin(), g.costs[v].end()) -
        g.costs[v].begin());
  } else if (record.deps.size() == 1) {
    unsigned u = record.deps[0];
    for (size_t i = 0; i < g.size(u); ++i) {
      double best = kInfinity;
      unsigned arg = 0;
      for (size_t k = 0; k < g.size(v); ++k) {
        double c = g.at(u, v, i, k) + g.costs[v][k];
        if (c < best)
          best = c, arg = k;
      }
      g.costs[u][i] += best;
      record.table.push_back(arg);
    }
  } else {
    unsigned u = record.deps[0], w = record.deps[1];
    SmallVector<double> m(g.size(u) * g.size(w));
    for (size_t i = 0; i < g.size(u); ++i)
      for (size_t j = 0; j < g.size(w); ++j) {
        double best = kInfinity;
        unsigned arg = 0;
        for (size_t k = 0; k < g.size(v); ++k) {
          double c = g.at(u, v, i, k) + g.costs[v][k] + g.at(v, w, k, j);
          if (c < best)
            best = c, arg = k;
        }
        m[i * g.size(w) + j] = best;
        record.table.push_back(arg);
      }
    g.remove(v);
    g.addEdge(u, w, m);
    return record;
  }
  g.remove(v);
  return record;
}

/// The cost of `v` taking candidate `k` given its live neighbours' choices.
double localCost(const WorkGraph &g, ArrayRef<unsigned> plan, unsigned v,
                 size_t k) {
  double c = g.costs[v][k];
  for (auto &[u, unused] : g.neighbours[v])
    c += g.at(v, u, k, plan[u]);
  return c;
}

/// Local search over the core from `choice`: single moves, then pairs of
/// neighbours (which escape optima where either alone loses), until a
/// sweep improves nothing.
void improve(const WorkGraph &g, ArrayRef<unsigned> core,
             SmallVector<unsigned> &choice, unsigned maxSweeps) {
  for (unsigned sweep = 0; sweep < maxSweeps; ++sweep) {
    bool improved = false;
    for (unsigned v : core) {
      double current = localCost(g, choice, v, choice[v]);
      for (size_t k = 0; k < g.size(v); ++k) {
        double c = localCost(g, choice, v, k);
        if (c < current - 1e-12) {
          current = c;
          choice[v] = k;
          improved = true;
        }
      }
    }
    for (unsigned v : core)
      for (auto &[u, unused] : g.neighbours[v]) {
        if (u < v)
          continue;
        auto pairCost = [&] {
          return localCost(g, choice, v, choice[v]) +
                 localCost(g, choice, u, choice[u]) -
                 g.at(v, u, choice[v], choice[u]);
        };
        double current = pairCost();
        unsigned bestV = choice[v], bestU = choice[u];
        for (size_t i = 0; i < g.size(v); ++i)
          for (size_t j = 0; j < g.size(u); ++j) {
            choice[v] = i;
            choice[u] = j;
            double c = pairCost();
            if (c < current - 1e-12) {
              current = c;
              bestV = i;
              bestU = j;
              improved = true;
            }
          }
        choice[v] = bestV;
        choice[u] = bestU;
      }
    if (!improved)
      break;
  }
}

} // namespace

Plan loom::sbp::search(const CostGraph &graph, const SearchOptions &options) {
  WorkGraph g(graph);
  unsigned n = graph.getNumNodes();
  SmallVector<Elimination> eliminated;
  // Eliminate nodes of degree at most 2 until none is left.
  bool changed = true;
  while (changed) {
    changed = false;
    for (unsigned v = 0; v < n; ++v)
      if (g.alive[v] && g.neighbours[v].size() <= 2) {
        eliminated.push_back(eliminate(g, v));
        changed = true;
      }
  }
  Plan plan;
  plan.choice.assign(n, 0);
  SmallVector<unsigned> core;
  for (unsigned v = 0; v < n; ++v)
    if (g.alive[v])
      core.push_back(v);
  plan.coreNodes = core.size();

  // The core: enumerate it when small, else local search from greedy.
  uint64_t states = 1;
  for (unsigned v : core)
    states = std::min<uint64_t>(states * g.size(v), options.maxCoreStates + 1);
  auto coreCost = [&] {
    double c = 0;
    for (unsigned v : core) {
      c += g.costs[v][plan.choice[v]];
      for (auto &[u, unused] : g.neighbours[v])
        if (v < u)
          c += g.at(v, u, plan.choice[v], plan.choice[u]);
    }
    return c;
  };
  if (!core.empty() && states <= options.maxCoreStates) {
    SmallVector<unsigned> best;
    double bestCost = kInfinity;
    while (true) {
      double c = coreCost();
      if (c < bestCost)
        bestCost = c, best.assign(plan.choice.begin(), plan.choice.end());
      size_t i = 0;
      while (i < core.size() && ++plan.choice[core[i]] == g.size(core[i]))
        plan.choice[core[i++]] = 0;
      if (i == core.size())
        break;
    }
    plan.choice = best;
  } else if (!core.empty()) {
    plan.exact = false;
    for (unsigned v : core) { // greedy: given the core nodes before it
      double best = kInfinity;
      for (size_t k = 0; k < g.size(v); ++k) {
        double c = g.costs[v][k];
        for (auto &[u, unused] : g.neighbours[v])
          if (u < v)
            c += g.at(v, u, k, plan.choice[u]);
        if (c < best)
          best = c, plan.choice[v] = k;
      }
    }
    improve(g, core, plan.choice, options.maxSweeps);
    // Other starts; the best local optimum wins.
    SmallVector<unsigned> best = plan.choice;
    double bestCost = coreCost();
    for (ArrayRef<unsigned> start : options.starts) {
      if (start.size() != n)
        continue;
      for (unsigned v : core)
        plan.choice[v] = std::min<unsigned>(start[v], g.size(v) - 1);
      improve(g, core, plan.choice, options.maxSweeps);
      if (double c = coreCost(); c < bestCost - 1e-12)
        bestCost = c, best = plan.choice;
    }
    plan.choice = best;
  }
  // Eliminated nodes respond to the nodes they depended on, last first.
  for (const Elimination &e : llvm::reverse(eliminated)) {
    size_t index = 0;
    if (e.deps.size() == 1)
      index = plan.choice[e.deps[0]];
    else if (e.deps.size() == 2)
      index =
          plan.choice[e.deps[0]] * g.size(e.deps[1]) + plan.choice[e.deps[1]];
    plan.choice[e.node] = e.table[index];
  }
  plan.cost = graph.evaluate(plan.choice);
  return plan;
}

Plan loom::sbp::greedy(const CostGraph &graph) {
  unsigned n = graph.getNumNodes();
  SmallVector<SmallVector<const CostGraph::Edge *>> incoming(n);
  for (const CostGraph::Edge &edge : graph.getEdges())
    incoming[std::max(edge.from, edge.to)].push_back(&edge);
  Plan plan;
  plan.choice.assign(n, 0);
  plan.exact = false;
  for (unsigned v = 0; v < n; ++v) {
    double best = kInfinity;
    for (size_t k = 0; k < graph.getNumCandidates(v); ++k) {
      double c = graph.getNodeCosts(v)[k];
      for (const CostGraph::Edge *e : incoming[v]) {
        bool fromV = e->from == v;
        unsigned other = fromV ? e->to : e->from;
        size_t i = fromV ? k : plan.choice[other];
        size_t j = fromV ? plan.choice[other] : k;
        c += e->costs[i * graph.getNumCandidates(e->to) + j];
      }
      if (c < best)
        best = c, plan.choice[v] = k;
    }
  }
  plan.cost = graph.evaluate(plan.choice);
  return plan;
}

Plan loom::sbp::bruteForce(const CostGraph &graph, uint64_t limit) {
  unsigned n = graph.getNumNodes();
  uint64_t states = 1;
  for (unsigned v = 0; v < n; ++v) {
    states *= graph.getNumCandidates(v);
    if (states > limit)
      return {};
  }
  Plan plan;
  SmallVector<unsigned> choice(n, 0);
  plan.cost = kInfinity;
  while (true) {
    double c = graph.evaluate(choice);
    if (c < plan.cost)
      plan.cost = c, plan.choice = choice;
    unsigned i = 0;
    while (i < n && ++choice[i] == graph.getNumCandidates(i))
      choice[i++] = 0;
    if (i == n)
      break;
  }
  return plan;
}
