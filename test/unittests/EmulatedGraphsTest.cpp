//===- EmulatedGraphsTest.cpp - Conditional nodes on the emulator ---------===//
//
// Part of Loom. The emulated device's conditional nodes, built as CUDA's
// programming guide builds them in a stream capture: a kernel sets the
// handle's value on the device, an IF runs its body (or its ELSE body) by
// that value, a WHILE runs its body until the body clears it, with no host
// read between. A launch resets the value to its default only when the
// handle asked for it; a kernel setting another graph's handle, a loop that
// never ends, and the parameters CUDA refuses are errors.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/cuda/CudaApi.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace loom::cuda;

extern "C" CUresult cuGetProcAddress_v2(const char *symbol, void **function,
                                        int version, uint64_t flags,
                                        int *status);

namespace {

struct Emulator {
  Api api;
  GraphApi graph;
  ConditionalApi conditional;
  CUmodule module = nullptr;
  Emulator() {
#define LOOM_RESOLVE(name, params)                                             \
  cuGetProcAddress_v2(#name, reinterpret_cast<void **>(&api.name),             \
                      kApiVersion, 0, nullptr);
    LOOM_CUDA_ENTRIES(LOOM_RESOLVE)
#undef LOOM_RESOLVE
#define LOOM_RESOLVE_GRAPH(name, version, params)                              \
  cuGetProcAddress_v2(#name, reinterpret_cast<void **>(&graph.name), version,  \
                      0, nullptr);
    LOOM_CUDA_GRAPH_ENTRIES(LOOM_RESOLVE_GRAPH)
#undef LOOM_RESOLVE_GRAPH
#define LOOM_RESOLVE_CONDITIONAL(name, version, params)                        \
  cuGetProcAddress_v2(#name, reinterpret_cast<void **>(&conditional.name),     \
                      version, 0, nullptr);
    LOOM_CUDA_CONDITIONAL_ENTRIES(LOOM_RESOLVE_CONDITIONAL)
#undef LOOM_RESOLVE_CONDITIONAL
    api.cuInit(0);
    // The test kernels, in a kernels container as loomc writes one.
    std::ifstream file(LOOM_EMULATOR_TEST_KERNELS, std::ios::binary);
    std::string object((std::istreambuf_iterator<char>(file)),
                       std::istreambuf_iterator<char>());
    std::string image = "LOOMGPU1";
    auto put = [&](uint64_t v, int bytes) {
      image.append(reinterpret_cast<char *>(&v), bytes);
    };
    put(1, 4);
    put(0, 4);
    put(3, 4); // the emulated kernels
    put(0, 4);
    put(48, 8);
    put(object.size(), 8);
    image.resize(48, '\0');
    image += object;
    EXPECT_FALSE(object.empty());
    EXPECT_EQ(api.cuModuleLoadData(&module, image.data()), CUDA_SUCCESS);
  }
  CUfunction function(const char *name) {
    CUfunction f = nullptr;
    EXPECT_EQ(api.cuModuleGetFunction(&f, module, name), CUDA_SUCCESS);
    return f;
  }
  CUstream stream() {
    CUstream s = nullptr;
    EXPECT_EQ(api.cuStreamCreate(&s, 0), CUDA_SUCCESS);
    return s;
  }
  CUdeviceptr alloc(size_t bytes) {
    CUdeviceptr p = 0;
    EXPECT_EQ(api.cuMemAlloc(&p, bytes), CUDA_SUCCESS);
    return p;
  }
  void put(CUdeviceptr d, int32_t value, CUstream s) {
    ASSERT_EQ(api.cuMemcpyHtoDAsync(d, &value, 4, s), CUDA_SUCCESS);
    ASSERT_EQ(api.cuStreamSynchronize(s), CUDA_SUCCESS);
  }
  int32_t get(CUdeviceptr d, CUstream s) {
    int32_t value = -1;
    EXPECT_EQ(api.cuMemcpyDtoHAsync(&value, d, 4, s), CUDA_SUCCESS);
    EXPECT_EQ(api.cuStreamSynchronize(s), CUDA_SUCCESS);
    return value;
  }
  // Kernels, each with one block of one thread.
  CUresult launch(const char *name, CUstream s, std::vector<void *> params) {
    return api.cuLaunchKernel(function(name), 1, 1, 1, 1, 1, 1, 0, s,
                              params.data(), nullptr);
  }
  CUresult setCondition(CUstream s, CUgraphConditionalHandle &h,
                        CUdeviceptr &flag, uint32_t &negate) {
    return launch("set_condition", s, {&h, &flag, &negate});
  }
  CUresult add(CUstream s, CUdeviceptr &counter, int32_t &value) {
    return launch("add", s, {&counter, &value});
  }
};

Emulator &emu() {
  static Emulator e;
  return e;
}

/// A capture on `s` into which a conditional node goes, as CUDA's guide
/// adds one: the capture's graph and dependencies, the node added after
/// them, the capture continued after it.
struct Capture {
  CUstream stream;
  CUgraph graph = nullptr;
  explicit Capture(CUstream s) : stream(s) {
    GraphApi &g = emu().graph;
    EXPECT_EQ(g.cuStreamBeginCapture(s, CU_STREAM_CAPTURE_MODE_RELAXED),
              CUDA_SUCCESS);
    int status = 0;
    EXPECT_EQ(
        g.cuStreamGetCaptureInfo(s, &status, nullptr, &graph, nullptr, nullptr),
        CUDA_SUCCESS);
    EXPECT_EQ(status, CU_STREAM_CAPTURE_STATUS_ACTIVE);
  }
  CUgraphConditionalHandle handle(unsigned value, unsigned flags) {
    CUgraphConditionalHandle h = 0;
    EXPECT_EQ(emu().conditional.cuGraphConditionalHandleCreate(
                  &h, graph, nullptr, value, flags),
              CUDA_SUCCESS);
    return h;
  }
  /// Adds the node; its bodies.
  std::vector<CUgraph> node(CUgraphConditionalHandle h, int type,
                            unsigned size) {
    int status = 0;
    CUgraph g = nullptr;
    const CUgraphNode *dependencies = nullptr;
    size_t count = 0;
    EXPECT_EQ(emu().graph.cuStreamGetCaptureInfo(stream, &status, nullptr, &g,
                                                 &dependencies, &count),
              CUDA_SUCCESS);
    CUgraphNodeParams params{};
    params.type = CU_GRAPH_NODE_TYPE_CONDITIONAL;
    params.conditional.handle = h;
    params.conditional.type = type;
    params.conditional.size = size;
    CUgraphNode node = nullptr;
    EXPECT_EQ(emu().conditional.cuGraphAddNode(&node, g, dependencies, nullptr,
                                               count, &params),
              CUDA_SUCCESS);
    EXPECT_EQ(emu().conditional.cuStreamUpdateCaptureDependencies(
                  stream, &node, 1, CU_STREAM_SET_CAPTURE_DEPENDENCIES),
              CUDA_SUCCESS);
    int type13 = -1;
    EXPECT_EQ(emu().graph.cuGraphNodeGetType(node, &type13), CUDA_SUCCESS);
    EXPECT_EQ(type13, CU_GRAPH_NODE_TYPE_CONDITIONAL);
    if (!params.conditional.phGraph_out)
      return {};
    return std::vector<CUgraph>(params.conditional.phGraph_out,
                                params.conditional.phGraph_out + size);
  }
  CUgraphExec finish() {
    CUgraph g = nullptr;
    EXPECT_EQ(emu().graph.cuStreamEndCapture(stream, &g), CUDA_SUCCESS);
    EXPECT_EQ(g, graph);
    CUgraphExec exec = nullptr;
    EXPECT_EQ(emu().graph.cuGraphInstantiateWithFlags(&exec, g, 0),
              CUDA_SUCCESS);
    return exec;
  }
};

/// Captures what `fill` queues on a second stream into `body`.
template <typename F>
void captureBody(CUgraph body, F fill) {
  static CUstream side = emu().stream();
  ASSERT_EQ(
      emu().conditional.cuStreamBeginCaptureToGraph(
          side, body, nullptr, nullptr, 0, CU_STREAM_CAPTURE_MODE_RELAXED),
      CUDA_SUCCESS);
  fill(side);
  CUgraph ended = nullptr;
  ASSERT_EQ(emu().graph.cuStreamEndCapture(side, &ended), CUDA_SUCCESS);
  EXPECT_EQ(ended, body);
}

TEST(EmulatedGraphs, IfRunsItsBodyWhenAKernelSetsTheCondition) {
  Emulator &e = emu();
  CUstream s = e.stream();
  CUdeviceptr flag = e.alloc(4), counter = e.alloc(4);
  e.put(counter, 0, s);
  uint32_t negate = 0;
  int32_t one = 1;
  Capture c(s);
  CUgraphConditionalHandle h = c.handle(0, CU_GRAPH_COND_ASSIGN_DEFAULT);
  ASSERT_EQ(e.setCondition(s, h, flag, negate), CUDA_SUCCESS);
  std::vector<CUgraph> bodies = c.node(h, CU_GRAPH_COND_TYPE_IF, 1);
  ASSERT_EQ(bodies.size(), 1u);
  captureBody(bodies[0], [&](CUstream side) {
    ASSERT_EQ(e.add(side, counter, one), CUDA_SUCCESS);
  });
  CUgraphExec exec = c.finish();
  // The host writes the flag and launches; it never reads it.
  for (int32_t f : {1, 0, 1, 1, 0}) {
    e.put(flag, f, s);
    ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  }
  EXPECT_EQ(e.get(counter, s), 3);
  e.graph.cuGraphExecDestroy(exec);
  e.graph.cuGraphDestroy(c.graph);
}

TEST(EmulatedGraphs, IfWithTwoBodiesRunsTheElseBodyOnZero) {
  Emulator &e = emu();
  CUstream s = e.stream();
  CUdeviceptr flag = e.alloc(4), counter = e.alloc(4);
  e.put(counter, 0, s);
  uint32_t negate = 0;
  int32_t one = 1, hundred = 100;
  Capture c(s);
  CUgraphConditionalHandle h = c.handle(0, CU_GRAPH_COND_ASSIGN_DEFAULT);
  ASSERT_EQ(e.setCondition(s, h, flag, negate), CUDA_SUCCESS);
  std::vector<CUgraph> bodies = c.node(h, CU_GRAPH_COND_TYPE_IF, 2);
  ASSERT_EQ(bodies.size(), 2u);
  captureBody(bodies[0], [&](CUstream side) { e.add(side, counter, one); });
  captureBody(bodies[1], [&](CUstream side) { e.add(side, counter, hundred); });
  // After the node, in the outer graph: one more, whichever ran.
  ASSERT_EQ(e.add(s, counter, one), CUDA_SUCCESS);
  CUgraphExec exec = c.finish();
  e.put(flag, 1, s);
  ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  EXPECT_EQ(e.get(counter, s), 2);
  e.put(flag, 0, s);
  ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  EXPECT_EQ(e.get(counter, s), 103);
  e.graph.cuGraphExecDestroy(exec);
  e.graph.cuGraphDestroy(c.graph);
}

TEST(EmulatedGraphs, WhileRunsItsBodyUntilTheBodyClearsTheCondition) {
  Emulator &e = emu();
  CUstream s = e.stream();
  CUdeviceptr left = e.alloc(4), passes = e.alloc(4);
  e.put(passes, 0, s);
  int32_t one = 1;
  Capture c(s);
  // Set at each launch: the loop runs at least once.
  CUgraphConditionalHandle h = c.handle(1, CU_GRAPH_COND_ASSIGN_DEFAULT);
  std::vector<CUgraph> bodies = c.node(h, CU_GRAPH_COND_TYPE_WHILE, 1);
  ASSERT_EQ(bodies.size(), 1u);
  captureBody(bodies[0], [&](CUstream side) {
    e.add(side, passes, one);
    e.launch("count_down", side, {&h, &left});
  });
  CUgraphExec exec = c.finish();
  e.put(left, 5, s);
  ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  EXPECT_EQ(e.get(passes, s), 5);
  EXPECT_EQ(e.get(left, s), 0);
  e.put(left, 3, s);
  ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  EXPECT_EQ(e.get(passes, s), 8);
  e.graph.cuGraphExecDestroy(exec);
  e.graph.cuGraphDestroy(c.graph);
}

TEST(EmulatedGraphs, WithoutAssignDefaultTheValueStaysFromTheLastLaunch) {
  Emulator &e = emu();
  CUstream s = e.stream();
  CUdeviceptr left = e.alloc(4), passes = e.alloc(4);
  e.put(passes, 0, s);
  int32_t one = 1;
  Capture c(s);
  CUgraphConditionalHandle h = c.handle(1, 0);
  std::vector<CUgraph> bodies = c.node(h, CU_GRAPH_COND_TYPE_WHILE, 1);
  captureBody(bodies[0], [&](CUstream side) {
    e.add(side, passes, one);
    e.launch("count_down", side, {&h, &left});
  });
  CUgraphExec exec = c.finish();
  e.put(left, 2, s);
  ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  // The first launch cleared it: the second does not enter the loop.
  e.put(left, 2, s);
  ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  EXPECT_EQ(e.get(passes, s), 2);
  EXPECT_EQ(e.get(left, s), 2);
  e.graph.cuGraphExecDestroy(exec);
  e.graph.cuGraphDestroy(c.graph);
}

TEST(EmulatedGraphs, AKernelNodeInABodyIsUpdatedInTheExecutableGraph) {
  Emulator &e = emu();
  CUstream s = e.stream();
  CUdeviceptr flag = e.alloc(4), a = e.alloc(4), b = e.alloc(4);
  e.put(a, 0, s);
  e.put(b, 0, s);
  e.put(flag, 1, s);
  uint32_t negate = 0;
  int32_t seven = 7;
  Capture c(s);
  CUgraphConditionalHandle h = c.handle(0, CU_GRAPH_COND_ASSIGN_DEFAULT);
  e.setCondition(s, h, flag, negate);
  std::vector<CUgraph> bodies = c.node(h, CU_GRAPH_COND_TYPE_IF, 1);
  captureBody(bodies[0], [&](CUstream side) { e.add(side, a, seven); });
  CUgraphExec exec = c.finish();
  size_t count = 1;
  CUgraphNode node = nullptr;
  ASSERT_EQ(e.graph.cuGraphGetNodes(bodies[0], &node, &count), CUDA_SUCCESS);
  ASSERT_EQ(count, 1u);
  CUDA_KERNEL_NODE_PARAMS p{};
  ASSERT_EQ(e.graph.cuGraphKernelNodeGetParams(node, &p), CUDA_SUCCESS);
  void *params[] = {&b, &seven};
  p.kernelParams = params;
  ASSERT_EQ(e.graph.cuGraphExecKernelNodeSetParams(exec, node, &p),
            CUDA_SUCCESS);
  ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  EXPECT_EQ(e.get(a, s), 0);
  EXPECT_EQ(e.get(b, s), 7);
  e.graph.cuGraphExecDestroy(exec);
  e.graph.cuGraphDestroy(c.graph);
}

TEST(EmulatedGraphs, ALoopThatNeverEndsFailsInsteadOfHanging) {
  Emulator &e = emu();
  CUstream s = e.stream();
  CUdeviceptr passes = e.alloc(4);
  e.put(passes, 0, s);
  int32_t one = 1;
  Capture c(s);
  CUgraphConditionalHandle h = c.handle(1, CU_GRAPH_COND_ASSIGN_DEFAULT);
  std::vector<CUgraph> bodies = c.node(h, CU_GRAPH_COND_TYPE_WHILE, 1);
  captureBody(bodies[0], [&](CUstream side) { e.add(side, passes, one); });
  CUgraphExec exec = c.finish();
  setenv("LOOM_EMU_WHILE_LIMIT", "50", 1);
  ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  EXPECT_EQ(e.api.cuStreamSynchronize(s), CUDA_ERROR_LAUNCH_TIMEOUT);
  unsetenv("LOOM_EMU_WHILE_LIMIT");
  e.graph.cuGraphExecDestroy(exec);
  e.graph.cuGraphDestroy(c.graph);
}

TEST(EmulatedGraphs, AKernelSettingAnotherGraphsHandleFailsItsLaunch) {
  Emulator &e = emu();
  CUstream s = e.stream();
  CUdeviceptr flag = e.alloc(4);
  e.put(flag, 1, s);
  uint32_t negate = 0;
  Capture other(s);
  CUgraphConditionalHandle foreign = other.handle(0, 0);
  other.node(foreign, CU_GRAPH_COND_TYPE_IF, 1);
  CUgraphExec otherExec = other.finish();
  Capture c(s);
  ASSERT_EQ(e.setCondition(s, foreign, flag, negate), CUDA_SUCCESS);
  CUgraphExec exec = c.finish();
  ASSERT_EQ(e.graph.cuGraphLaunch(exec, s), CUDA_SUCCESS);
  EXPECT_EQ(e.api.cuStreamSynchronize(s), CUDA_ERROR_LAUNCH_FAILED);
  e.graph.cuGraphExecDestroy(exec);
  e.graph.cuGraphExecDestroy(otherExec);
  e.graph.cuGraphDestroy(c.graph);
  e.graph.cuGraphDestroy(other.graph);
}

TEST(EmulatedGraphs, RefusesWhatCudaRefuses) {
  Emulator &e = emu();
  CUstream s = e.stream();
  Capture other(s);
  CUgraphConditionalHandle foreign = other.handle(0, 0);
  CUgraphExec otherExec = other.finish();
  Capture c(s);
  CUgraphConditionalHandle h = c.handle(0, 0);
  CUgraphConditionalHandle bad = 0;
  EXPECT_EQ(e.conditional.cuGraphConditionalHandleCreate(&bad, c.graph, nullptr,
                                                         0, 2),
            CUDA_ERROR_INVALID_VALUE);
  auto add = [&](CUgraphConditionalHandle handle, int type, unsigned size) {
    CUgraphNodeParams params{};
    params.type = CU_GRAPH_NODE_TYPE_CONDITIONAL;
    params.conditional.handle = handle;
    params.conditional.type = type;
    params.conditional.size = size;
    CUgraphNode node = nullptr;
    return e.conditional.cuGraphAddNode(&node, c.graph, nullptr, nullptr, 0,
                                        &params);
  };
  EXPECT_EQ(add(foreign, CU_GRAPH_COND_TYPE_IF, 1), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(add(h, CU_GRAPH_COND_TYPE_IF, 3), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(add(h, CU_GRAPH_COND_TYPE_WHILE, 2), CUDA_ERROR_INVALID_VALUE);
  EXPECT_EQ(add(h, 2, 4), CUDA_ERROR_NOT_SUPPORTED); // SWITCH
  CUgraphNodeParams kernel{};
  kernel.type = CU_GRAPH_NODE_TYPE_KERNEL;
  CUgraphNode node = nullptr;
  EXPECT_EQ(e.conditional.cuGraphAddNode(&node, c.graph, nullptr, nullptr, 0,
                                         &kernel),
            CUDA_ERROR_NOT_SUPPORTED);
  CUstream idle = e.stream();
  EXPECT_EQ(e.conditional.cuStreamUpdateCaptureDependencies(
                idle, nullptr, 0, CU_STREAM_SET_CAPTURE_DEPENDENCIES),
            CUDA_ERROR_ILLEGAL_STATE);
  // A stream that captures already cannot capture into another graph.
  EXPECT_EQ(
      e.conditional.cuStreamBeginCaptureToGraph(
          s, other.graph, nullptr, nullptr, 0, CU_STREAM_CAPTURE_MODE_RELAXED),
      CUDA_ERROR_ILLEGAL_STATE);
  CUgraphExec exec = c.finish();
  e.graph.cuGraphExecDestroy(exec);
  e.graph.cuGraphExecDestroy(otherExec);
  e.graph.cuGraphDestroy(c.graph);
  e.graph.cuGraphDestroy(other.graph);
}

} // namespace
