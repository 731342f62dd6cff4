//===- SbpTest.cpp - Signatures, boxing costs and the plan search ---------===//
//
// Part of Loom. The search is checked against brute force (the oracle) on
// every graph small enough to enumerate: series-parallel graphs must come
// out exactly optimal, random DAGs within 5% of the optimum.
//
//===----------------------------------------------------------------------===//

#include "dialects/sbp/IR/Sbp.h"
#include "dialects/sbp/Transforms/CostModel.h"
#include "dialects/sbp/Transforms/Search.h"

#include "gtest/gtest.h"

#include <cstdio>
#include <random>
#include <set>

using namespace loom::sbp;
using llvm::SmallVector;

namespace {

std::string describe(const Signature &s) {
  std::string text;
  for (const NdSbp &nd : s.operands)
    text += toString(nd) + " ";
  text += "->";
  for (const NdSbp &nd : s.results)
    text += " " + toString(nd);
  return text;
}

/// matmul (m k, k n -> m n) on 4 devices.
IndexRule matmulRule(int64_t m, int64_t k, int64_t n) {
  IndexRule rule;
  int im = rule.addIndex(m), in = rule.addIndex(n);
  int ik = rule.addIndex(k, Reduction::Sum);
  rule.operands = {{im, ik}, {ik, in}};
  rule.results = {{im, in}};
  rule.linearity = IndexRule::Linearity::Product;
  rule.partialOperands = {true, true};
  rule.flopsPerPoint = 2;
  return rule;
}

TEST(SbpSignatures, MatmulHasOneFlowsFiveAndReplication) {
  std::set<std::string> got;
  for (const Signature &s : getSignatures(matmulRule(64, 32, 16), {4}))
    got.insert(describe(s));
  std::set<std::string> expected = {"B B -> B",           "S(0) B -> S(0)",
                                    "B S(1) -> S(1)",     "S(1) S(0) -> P(sum)",
                                    "P(sum) B -> P(sum)", "B P(sum) -> P(sum)"};
  EXPECT_EQ(got, expected);
}

TEST(SbpSignatures, SmallIndicesDoNotSplit) {
  // n = 2 cannot split over 4 devices; on a 2x2 mesh, m = 4 splits on both
  // axes but k = 2 only on one.
  for (const Signature &s : getSignatures(matmulRule(64, 32, 2), {4}))
    EXPECT_NE(describe(s), "B S(1) -> S(1)");
  bool mmBoth = false, kkBoth = false;
  for (const Signature &s : getSignatures(matmulRule(4, 2, 8), {2, 2})) {
    std::string d = describe(s);
    mmBoth |= d == "(S(0), S(0)) (B, B) -> (S(0), S(0))";
    kkBoth |= d == "(S(1), S(1)) (S(0), S(0)) -> (P(sum), P(sum))";
  }
  EXPECT_TRUE(mmBoth);
  EXPECT_FALSE(kkBoth);
}

TEST(SbpSignatures, WorkFractionFollowsSplits) {
  for (const Signature &s : getSignatures(matmulRule(64, 32, 16), {2, 2})) {
    int splits = 0;
    for (const NdSbp &nd : s.operands)
      for (const Sbp &sbp : nd)
        splits += sbp.isSplit();
    // Each split index splits two operand dims, except m and n which split
    // one operand each; a fully replicated op does all the work.
    if (splits == 0)
      EXPECT_EQ(s.workFraction, 1.0) << describe(s);
    else
      EXPECT_LT(s.workFraction, 1.0) << describe(s);
  }
}

TEST(SbpSignatures, PrintAndParse) {
  for (Sbp sbp : {Sbp::split(3), Sbp::broadcast(), Sbp::partial(),
                  Sbp::partial(Reduction::Max), Sbp::partial(Reduction::Min)})
    EXPECT_EQ(parseSbp(toString(sbp)), sbp);
  EXPECT_FALSE(parseSbp("S(-1)"));
  EXPECT_FALSE(parseSbp("P(avg)"));
  EXPECT_EQ(toString(NdSbp{Sbp::split(0), Sbp::partial()}), "(S(0), P(sum))");
}

TEST(SbpBoxing, RingVolumesPerRank) {
  // A 64x32 f32 tensor: 8 KiB. On 4 devices: V(p-1)/p = 6 KiB.
  SmallVector<int64_t> shape = {64, 32};
  auto one = [&](Sbp from, Sbp to) {
    SmallVector<Collective> steps = getBoxing({from}, {to}, shape, 4, {4});
    EXPECT_EQ(steps.size(), 1u);
    return steps.front();
  };
  Collective c = one(Sbp::partial(), Sbp::broadcast());
  EXPECT_EQ(c.kind, CollectiveKind::AllReduce);
  EXPECT_DOUBLE_EQ(c.bytes, 2 * 8192.0 * 3 / 4);
  c = one(Sbp::partial(), Sbp::split(1));
  EXPECT_EQ(c.kind, CollectiveKind::ReduceScatter);
  EXPECT_DOUBLE_EQ(c.bytes, 8192.0 * 3 / 4);
  c = one(Sbp::split(0), Sbp::broadcast());
  EXPECT_EQ(c.kind, CollectiveKind::AllGather);
  EXPECT_DOUBLE_EQ(c.bytes, 8192.0 * 3 / 4);
  c = one(Sbp::split(0), Sbp::split(1));
  EXPECT_EQ(c.kind, CollectiveKind::AllToAll);
  EXPECT_DOUBLE_EQ(c.bytes, 8192.0 * 3 / 16);
  EXPECT_EQ(one(Sbp::broadcast(), Sbp::split(0)).kind, CollectiveKind::Local);
  EXPECT_EQ(one(Sbp::broadcast(), Sbp::partial()).kind, CollectiveKind::Local);
  EXPECT_TRUE(
      getBoxing({Sbp::split(0)}, {Sbp::split(0)}, shape, 4, {4}).empty());
}

TEST(SbpBoxing, UnevenSplitsAreBalancedAndCountedExactly) {
  // 5 rows over 3: 2, 2, 1 starting at rows 0, 2, 4.
  int64_t offset = -1;
  EXPECT_EQ(getSplitPart(5, 3, 0, &offset), 2);
  EXPECT_EQ(offset, 0);
  EXPECT_EQ(getSplitPart(5, 3, 1, &offset), 2);
  EXPECT_EQ(offset, 2);
  EXPECT_EQ(getSplitPart(5, 3, 2, &offset), 1);
  EXPECT_EQ(offset, 4);
  // A 5x7 f32 tensor (140 bytes) on 3 ranks: ring volumes do not depend on
  // chunk sizes, so the mean a rank sends is V(p-1)/p.
  SmallVector<int64_t> shape = {5, 7};
  auto bytes = [&](Sbp from, Sbp to) {
    SmallVector<Collective> steps = getBoxing({from}, {to}, shape, 4, {3});
    EXPECT_EQ(steps.size(), 1u);
    return steps.front().bytes;
  };
  EXPECT_DOUBLE_EQ(bytes(Sbp::split(0), Sbp::broadcast()), 140.0 * 2 / 3);
  EXPECT_DOUBLE_EQ(bytes(Sbp::partial(), Sbp::broadcast()), 2 * 140.0 * 2 / 3);
  // All-to-all: everything but the diagonal pieces (rows 2,2,1 x cols
  // 3,2,2: 6 + 4 + 2 = 12 of 35 elements), per rank.
  EXPECT_DOUBLE_EQ(bytes(Sbp::split(0), Sbp::split(1)), 4.0 * (35 - 12) / 3);
  // The busiest device does the most work: 3 of 5 rows on 2 devices.
  IndexRule rule;
  int rows = rule.addIndex(5);
  rule.operands.push_back({rows});
  rule.results.push_back({rows});
  for (const Signature &s : getSignatures(rule, {2}))
    if (s.operands[0][0].isSplit())
      EXPECT_DOUBLE_EQ(s.workFraction, 3.0 / 5);
}

TEST(SbpBoxing, TwoDimensionalAxesConvertInOrder) {
  // (P, S(0)) -> (B, B) on 2x2: axis 0 all-reduces the half rows each
  // column of devices holds, then axis 1 all-gathers the rows.
  SmallVector<int64_t> shape = {64, 32};
  SmallVector<Collective> steps =
      getBoxing({Sbp::partial(), Sbp::split(0)},
                {Sbp::broadcast(), Sbp::broadcast()}, shape, 4, {2, 2});
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].kind, CollectiveKind::AllReduce);
  EXPECT_DOUBLE_EQ(steps[0].bytes, 2 * 4096.0 / 2);
  EXPECT_EQ(steps[1].kind, CollectiveKind::AllGather);
  EXPECT_DOUBLE_EQ(steps[1].bytes, 8192.0 / 2);
}

TEST(SbpBoxing, NestedSplitsConvertInnerAxisFirstOrThroughAMiddleNode) {
  auto describe = [](llvm::ArrayRef<BoxingStep> steps) {
    std::string text;
    for (const BoxingStep &s : steps)
      text += std::to_string(s.axis) + ":" + toString(s.from) + "->" +
              toString(s.to) + " ";
    return text;
  };
  // Gathering a dim split on both axes: the inner axis first.
  EXPECT_EQ(describe(planBoxing({Sbp::split(0), Sbp::split(0)},
                                {Sbp::broadcast(), Sbp::broadcast()})),
            "1:S(0)->B 0:S(0)->B ");
  // Splitting it: the outer axis first.
  EXPECT_EQ(describe(planBoxing({Sbp::broadcast(), Sbp::broadcast()},
                                {Sbp::split(0), Sbp::split(0)})),
            "0:B->S(0) 1:B->S(0) ");
  // Neither order works: the inner axis gathers first (a middle node).
  EXPECT_EQ(describe(planBoxing({Sbp::split(0), Sbp::split(1)},
                                {Sbp::split(1), Sbp::split(0)})),
            "1:S(1)->B 0:S(0)->S(1) 1:B->S(0) ");
}

/// A random cost graph over `nodes` nodes with `candidates` each; edges
/// from `edgesOf(v)` (earlier nodes).
template <typename EdgesFn>
CostGraph randomGraph(std::mt19937 &rng, unsigned nodes, unsigned candidates,
                      EdgesFn edgesOf) {
  std::uniform_real_distribution<double> cost(0.0, 10.0);
  CostGraph graph;
  for (unsigned v = 0; v < nodes; ++v) {
    SmallVector<double> costs;
    for (unsigned k = 0; k < candidates; ++k)
      costs.push_back(cost(rng));
    graph.addNode(costs);
    for (unsigned u : edgesOf(v)) {
      SmallVector<double> m;
      for (unsigned i = 0; i < candidates * candidates; ++i)
        m.push_back(cost(rng));
      graph.addEdge(u, v, m);
    }
  }
  return graph;
}

TEST(SbpSearch, SeriesParallelGraphsAreExact) {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 50; ++trial) {
    // Residual blocks: v depends on v-1, and every third node also on v-3.
    CostGraph graph = randomGraph(rng, 9, 3, [](unsigned v) {
      SmallVector<unsigned> deps;
      if (v >= 1)
        deps.push_back(v - 1);
      if (v >= 3 && v % 3 == 0)
        deps.push_back(v - 3);
      return deps;
    });
    Plan plan = search(graph);
    Plan oracle = bruteForce(graph);
    ASSERT_FALSE(oracle.choice.empty());
    EXPECT_NEAR(plan.cost, oracle.cost, 1e-9) << "trial " << trial;
    EXPECT_NEAR(plan.cost, graph.evaluate(plan.choice), 1e-9);
  }
}

TEST(SbpSearch, RandomDagsWithinFivePercentOfTheOracle) {
  std::mt19937 rng(2);
  double worst = 1.0, localWorst = 1.0, greedyWorst = 1.0;
  for (int trial = 0; trial < 100; ++trial) {
    unsigned nodes = 6 + trial % 5;
    std::uniform_int_distribution<unsigned> fanIn(1, 3);
    CostGraph graph = randomGraph(rng, nodes, 4, [&](unsigned v) {
      std::set<unsigned> deps;
      if (v == 0)
        return SmallVector<unsigned>();
      unsigned count = std::min(v, fanIn(rng));
      while (deps.size() < count)
        deps.insert(std::uniform_int_distribution<unsigned>(0, v - 1)(rng));
      return SmallVector<unsigned>(deps.begin(), deps.end());
    });
    Plan oracle = bruteForce(graph);
    ASSERT_FALSE(oracle.choice.empty());
    Plan plan = search(graph);
    worst = std::max(worst, plan.cost / oracle.cost);
    EXPECT_LE(plan.cost / oracle.cost, 1.05)
        << "trial " << trial << ", core " << plan.coreNodes << " node(s)";
    EXPECT_NEAR(plan.cost, graph.evaluate(plan.choice), 1e-9);
    // The local search alone (a core too large to enumerate), and greedy.
    SearchOptions local;
    local.maxCoreStates = 1;
    localWorst = std::max(localWorst, search(graph, local).cost / oracle.cost);
    greedyWorst = std::max(greedyWorst, greedy(graph).cost / oracle.cost);
  }
  RecordProperty("worst_ratio", std::to_string(worst));
  RecordProperty("local_search_worst_ratio", std::to_string(localWorst));
  RecordProperty("greedy_worst_ratio", std::to_string(greedyWorst));
  std::printf("plan/oracle worst: search %.4f, local search alone %.4f, "
              "greedy %.4f\n",
              worst, localWorst, greedyWorst);
  EXPECT_LT(localWorst, greedyWorst) << "local search should beat greedy";
}

} // namespace
