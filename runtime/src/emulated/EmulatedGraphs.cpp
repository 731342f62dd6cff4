//===- EmulatedGraphs.cpp - CUDA graphs on the emulated device ------------===//
//
// Part of Loom's emulated CUDA device. Stream capture and CUDA graphs as far
// as Loom's runtime uses them (GpuGraphs.cpp), with CUDA's semantics:
//   - cuStreamBeginCapture makes a stream's calls add nodes to a graph
//     instead of running: kernels (their parameters' values copied, as
//     cuLaunchKernel copies them), library calls (kernel nodes whose
//     parameters are the device pointers they read, as a real library's
//     kernels take theirs), and other work (copies, memsets, NCCL calls:
//     opaque nodes). One stream captures a chain: node k depends on k-1;
//   - a capturing stream refuses what CUDA refuses in a capture (a
//     synchronisation, a query, stream-ordered allocation, an event
//     recorded outside the capture: Emulator.cpp);
//   - cuGraphInstantiateWithFlags copies the graph: later changes to the
//     graph do not reach the executable graph, and
//     cuGraphExecKernelNodeSetParams changes the executable graph only;
//   - cuGraphLaunch queues the executable graph's nodes on a stream, in
//     order, through the stream's usual checks (hazards, bounds); a graph
//     relaunched reruns every node;
//   - conditional nodes (cuGraphAddNode during a capture, between
//     cuStreamGetCaptureInfo and cuStreamUpdateCaptureDependencies; their
//     bodies filled by cuStreamBeginCaptureToGraph): IF runs its first body
//     when its handle's value is nonzero, else its second (if it has one);
//     WHILE runs its body as long as the value is nonzero, checked before
//     each pass. The value belongs to the executable graph: a kernel of it
//     sets it (loom_emu_set_condition, what cudaGraphSetConditional is on
//     the GPU), a launch resets it to the handle's default when the handle
//     was created with CU_GRAPH_COND_ASSIGN_DEFAULT, and a kernel setting a
//     handle of another graph fails its launch. The bodies run when the
//     node's turn comes on the stream, inside its item; a WHILE that passes
//     LOOM_EMU_WHILE_LIMIT times (default 1000000) fails instead of
//     hanging. SWITCH nodes are refused (CUDA_ERROR_NOT_SUPPORTED).
//
//===----------------------------------------------------------------------===//

#include "Emulator.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using namespace loom::cuda;

namespace {

struct Graph;
struct Exec;

/// A conditional handle: its graph, and what a launch sets it to.
struct Condition {
  Graph *graph;
  unsigned defaultValue;
  bool assignDefault;
};

/// The handles' values of one executable graph (its bodies' included).
struct Values {
  std::mutex mutex;
  std::unordered_map<const Condition *, unsigned> values;
};

struct Node {
  enum Kind { Kernel, Library, Work, Conditional } kind = Work;
  // Kernel and Library: a function and its parameters' values.
  CUfunction function = nullptr;
  unsigned grid[3] = {1, 1, 1}, block[3] = {1, 1, 1}, shared = 0;
  std::vector<uint64_t> words;
  std::vector<void *> wordPointers; // what cuGraphKernelNodeGetParams gives
  std::function<CUresult(const std::vector<const void *> &)> library;
  // Work: opaque.
  std::function<CUresult()> work;
  std::vector<const void *> touches;
  std::string what;
  // Conditional: its handle, IF or WHILE, and its bodies (in an executable
  // graph's copy, their executable copies).
  const Condition *condition = nullptr;
  int conditionType = CU_GRAPH_COND_TYPE_IF;
  std::vector<std::shared_ptr<Graph>> bodies;
  std::vector<CUgraph> bodyHandles; // what phGraph_out points at
  std::vector<std::shared_ptr<Exec>> bodyExecs;
};

struct Graph {
  std::vector<std::unique_ptr<Node>> nodes;
  std::vector<std::unique_ptr<Condition>> conditions;
  CUgraphNode last = nullptr; // cuStreamGetCaptureInfo's dependency
};

/// An executable graph: a copy of each node, by the original's handle.
struct Exec {
  std::vector<std::pair<Node *, Node>> nodes;
  std::shared_ptr<Values> values; // the outermost graph's, shared
};

/// A library call's stand-in function: its parameters are pointers.
struct LibraryFunction {
  std::string name;
  size_t count;
};
std::mutex libraryMutex;
std::vector<std::unique_ptr<LibraryFunction>> &libraryFunctions() {
  static auto *functions = new std::vector<std::unique_ptr<LibraryFunction>>();
  return *functions;
}
std::vector<int64_t> paramSizes(CUfunction f) {
  {
    std::lock_guard<std::mutex> lock(libraryMutex);
    for (auto &l : libraryFunctions())
      if (reinterpret_cast<CUfunction>(l.get()) == f)
        return std::vector<int64_t>(l->count, 8);
  }
  return loom::emu::kernelParamSizes(f);
}

Graph *asGraph(void *g) { return static_cast<Graph *>(g); }

void append(void *graph, std::unique_ptr<Node> node) {
  Graph *g = asGraph(graph);
  g->last = reinterpret_cast<CUgraphNode>(node.get());
  g->nodes.push_back(std::move(node));
}

void pointAt(Node &n) {
  n.wordPointers.resize(n.words.size());
  for (size_t i = 0; i < n.words.size(); ++i)
    n.wordPointers[i] = &n.words[i];
}

/// The values the running kernel's graph sets (null outside a graph), and
/// whether it set a handle of another graph.
thread_local Values *runningValues = nullptr;
thread_local const char *foreignHandle = nullptr;

uint64_t whileLimit() {
  const char *env = std::getenv("LOOM_EMU_WHILE_LIMIT");
  return env && *env ? std::strtoull(env, nullptr, 0) : 1000000;
}

std::function<CUresult()> nodeWork(const Node &n,
                                   std::vector<const void *> *touches);

/// Runs an executable body's nodes now, in order (inside a stream item).
CUresult runBody(const Exec &body) {
  for (auto &[original, copy] : body.nodes)
    if (CUresult result = nodeWork(copy, nullptr)())
      return result;
  return CUDA_SUCCESS;
}

unsigned valueOf(Values &values, const Condition *condition) {
  std::lock_guard<std::mutex> lock(values.mutex);
  return values.values[condition];
}

/// What running node `n` of an executable graph does; the device addresses
/// it touches (its bodies' too) are added to `touches`.
std::function<CUresult()> nodeWork(const Node &n,
                                   std::vector<const void *> *touches) {
  switch (n.kind) {
  case Node::Kernel:
    return loom::emu::kernelWork(n.function, n.grid, n.block, n.words, touches);
  case Node::Library: {
    std::vector<const void *> pointers;
    for (uint64_t w : n.words)
      pointers.push_back(reinterpret_cast<const void *>(w));
    if (touches)
      touches->insert(touches->end(), pointers.begin(), pointers.end());
    return [library = n.library, pointers] { return library(pointers); };
  }
  case Node::Work:
    if (touches)
      touches->insert(touches->end(), n.touches.begin(), n.touches.end());
    return n.work;
  case Node::Conditional: {
    if (touches)
      for (const auto &body : n.bodyExecs)
        for (auto &[original, copy] : body->nodes)
          nodeWork(copy, touches);
    return [condition = n.condition, type = n.conditionType,
            bodies = n.bodyExecs]() -> CUresult {
      Values &values = *bodies.front()->values;
      if (type == CU_GRAPH_COND_TYPE_IF) {
        size_t pick = valueOf(values, condition) ? 0 : 1;
        return pick < bodies.size() ? runBody(*bodies[pick]) : CUDA_SUCCESS;
      }
      const uint64_t limit = whileLimit();
      for (uint64_t pass = 0; valueOf(values, condition); ++pass) {
        if (pass == limit) {
          std::fprintf(stderr,
                       "loom emulated device: a WHILE node ran its body %llu "
                       "times and its condition is still set (a loop whose "
                       "body never clears it?); failed, as a GPU would hang "
                       "(LOOM_EMU_WHILE_LIMIT)\n",
                       static_cast<unsigned long long>(limit));
          return CUDA_ERROR_LAUNCH_TIMEOUT;
        }
        if (CUresult result = runBody(*bodies.front()))
          return result;
      }
      return CUDA_SUCCESS;
    };
  }
  }
  return [] { return CUDA_ERROR_INVALID_VALUE; };
}

/// `work` with the graph's values the kernels' set-condition reaches.
std::function<CUresult()> withValues(std::shared_ptr<Values> values,
                                     std::function<CUresult()> work) {
  return [values = std::move(values), work = std::move(work)] {
    Values *outer = runningValues;
    runningValues = values.get();
    foreignHandle = nullptr;
    CUresult result = work();
    runningValues = outer;
    if (result == CUDA_SUCCESS && foreignHandle) {
      std::fprintf(stderr,
                   "loom emulated device: %s set a conditional handle that "
                   "is not its graph's\n",
                   foreignHandle);
      result = CUDA_ERROR_LAUNCH_FAILED;
    }
    foreignHandle = nullptr;
    return result;
  };
}

CUresult launchNode(const Node &n, const std::shared_ptr<Values> &values,
                    CUstream stream) {
  std::vector<const void *> touches;
  std::function<CUresult()> work = nodeWork(n, &touches);
  std::string what = n.kind == Node::Kernel
                         ? "kernel " + loom::emu::kernelName(n.function)
                     : n.kind == Node::Conditional ? "a conditional node"
                                                   : n.what;
  return loom::emu::enqueue(stream, withValues(values, std::move(work)),
                            what.c_str(), touches);
}

/// Copies `graph` into an executable graph whose handles live in `values`.
std::shared_ptr<Exec> instantiate(const Graph &graph,
                                  const std::shared_ptr<Values> &values) {
  auto e = std::make_shared<Exec>();
  e->values = values;
  {
    std::lock_guard<std::mutex> lock(values->mutex);
    for (const auto &c : graph.conditions)
      values->values[c.get()] = c->defaultValue;
  }
  for (auto &node : graph.nodes) {
    e->nodes.emplace_back(node.get(), *node);
    Node &copy = e->nodes.back().second;
    pointAt(copy);
    copy.bodies.clear();
    copy.bodyHandles.clear();
    for (const auto &body : node->bodies)
      copy.bodyExecs.push_back(instantiate(*body, values));
  }
  return e;
}

/// The executable copy of `node` in `exec` or its bodies (null: none).
Node *findCopy(Exec &exec, CUgraphNode node) {
  for (auto &[original, copy] : exec.nodes) {
    if (reinterpret_cast<CUgraphNode>(original) == node)
      return &copy;
    for (auto &body : copy.bodyExecs)
      if (Node *found = findCopy(*body, node))
        return found;
  }
  return nullptr;
}

bool hasNode(const Graph &graph, CUgraphNode node) {
  for (const auto &n : graph.nodes)
    if (reinterpret_cast<CUgraphNode>(n.get()) == node)
      return true;
  return false;
}

} // namespace

namespace loom::emu {

CUresult captureWork(void *graph, std::function<CUresult()> work,
                     const char *what,
                     const std::vector<const void *> &touches) {
  auto node = std::make_unique<Node>();
  node->kind = Node::Work;
  node->work = std::move(work);
  node->what = what ? what : "work";
  node->touches = touches;
  append(graph, std::move(node));
  return CUDA_SUCCESS;
}

CUresult captureKernel(void *graph, CUfunction function, const unsigned grid[3],
                       const unsigned block[3], unsigned sharedBytes,
                       const std::vector<uint64_t> &words) {
  auto node = std::make_unique<Node>();
  node->kind = Node::Kernel;
  node->function = function;
  std::copy(grid, grid + 3, node->grid);
  std::copy(block, block + 3, node->block);
  node->shared = sharedBytes;
  node->words = words;
  pointAt(*node);
  append(graph, std::move(node));
  return CUDA_SUCCESS;
}

CUresult
captureLibrary(void *graph,
               std::function<CUresult(const std::vector<const void *> &)> work,
               const char *what, const std::vector<const void *> &pointers) {
  auto node = std::make_unique<Node>();
  node->kind = Node::Library;
  node->what = what ? what : "a library call";
  {
    std::lock_guard<std::mutex> lock(libraryMutex);
    libraryFunctions().push_back(std::make_unique<LibraryFunction>(
        LibraryFunction{node->what, pointers.size()}));
    node->function =
        reinterpret_cast<CUfunction>(libraryFunctions().back().get());
  }
  for (const void *p : pointers)
    node->words.push_back(reinterpret_cast<uint64_t>(p));
  pointAt(*node);
  node->library = std::move(work);
  append(graph, std::move(node));
  return CUDA_SUCCESS;
}

} // namespace loom::emu

namespace loom::emu::entries {

CUresult cuStreamBeginCapture(CUstream stream, int mode) {
  if (!stream || mode < 0 || mode > 2)
    return CUDA_ERROR_INVALID_VALUE;
  if (captureOf(stream))
    return CUDA_ERROR_ILLEGAL_STATE;
  setCaptureOf(stream, new Graph);
  return CUDA_SUCCESS;
}

CUresult cuStreamEndCapture(CUstream stream, CUgraph *graph) {
  if (!stream || !graph)
    return CUDA_ERROR_INVALID_VALUE;
  void *captured = captureOf(stream);
  if (!captured)
    return CUDA_ERROR_ILLEGAL_STATE;
  setCaptureOf(stream, nullptr);
  *graph = reinterpret_cast<CUgraph>(captured);
  return CUDA_SUCCESS;
}

CUresult cuStreamGetCaptureInfo(CUstream stream, int *status, uint64_t *id,
                                CUgraph *graph,
                                const CUgraphNode **dependencies,
                                size_t *count) {
  void *captured = stream ? captureOf(stream) : nullptr;
  if (status)
    *status = captured ? CU_STREAM_CAPTURE_STATUS_ACTIVE : 0;
  if (id)
    *id = reinterpret_cast<uint64_t>(captured);
  if (graph)
    *graph = reinterpret_cast<CUgraph>(captured);
  // One stream captures a chain: its dependency is the last node.
  Graph *g = asGraph(captured);
  bool after = g && g->last;
  if (dependencies)
    *dependencies = after ? &g->last : nullptr;
  if (count)
    *count = after ? 1 : 0;
  return CUDA_SUCCESS;
}

CUresult cuGraphGetNodes(CUgraph handle, CUgraphNode *nodes, size_t *count) {
  Graph *graph = reinterpret_cast<Graph *>(handle);
  if (!graph || !count)
    return CUDA_ERROR_INVALID_VALUE;
  if (nodes)
    for (size_t i = 0; i < std::min(*count, graph->nodes.size()); ++i)
      nodes[i] = reinterpret_cast<CUgraphNode>(graph->nodes[i].get());
  *count = graph->nodes.size();
  return CUDA_SUCCESS;
}

CUresult cuGraphNodeGetType(CUgraphNode handle, int *type) {
  auto *node = reinterpret_cast<Node *>(handle);
  if (!node || !type)
    return CUDA_ERROR_INVALID_VALUE;
  // Opaque work stands for what CUDA would make a memcpy, memset or
  // (NCCL) kernel node of: a host node here, which Loom never re-points.
  *type = node->kind == Node::Work          ? 3
          : node->kind == Node::Conditional ? CU_GRAPH_NODE_TYPE_CONDITIONAL
                                            : CU_GRAPH_NODE_TYPE_KERNEL;
  return CUDA_SUCCESS;
}

CUresult cuGraphKernelNodeGetParams(CUgraphNode handle,
                                    CUDA_KERNEL_NODE_PARAMS *params) {
  auto *node = reinterpret_cast<Node *>(handle);
  if (!node || !params ||
      (node->kind != Node::Kernel && node->kind != Node::Library))
    return CUDA_ERROR_INVALID_VALUE;
  *params = CUDA_KERNEL_NODE_PARAMS{};
  params->func = node->function;
  params->gridDimX = node->grid[0];
  params->gridDimY = node->grid[1];
  params->gridDimZ = node->grid[2];
  params->blockDimX = node->block[0];
  params->blockDimY = node->block[1];
  params->blockDimZ = node->block[2];
  params->sharedMemBytes = node->shared;
  params->kernelParams = node->wordPointers.data();
  return CUDA_SUCCESS;
}

CUresult cuGraphInstantiateWithFlags(CUgraphExec *exec, CUgraph handle,
                                     unsigned long long flags) {
  Graph *graph = reinterpret_cast<Graph *>(handle);
  if (!exec || !graph || flags)
    return CUDA_ERROR_INVALID_VALUE;
  auto values = std::make_shared<Values>();
  auto *e = new std::shared_ptr<Exec>(instantiate(*graph, values));
  *exec = reinterpret_cast<CUgraphExec>(e);
  return CUDA_SUCCESS;
}

CUresult cuGraphExecKernelNodeSetParams(CUgraphExec handle, CUgraphNode node,
                                        const CUDA_KERNEL_NODE_PARAMS *params) {
  auto *exec = reinterpret_cast<std::shared_ptr<Exec> *>(handle);
  if (!exec || !params)
    return CUDA_ERROR_INVALID_VALUE;
  // (A node of a conditional body too.)
  if (Node *found = findCopy(**exec, node)) {
    Node &copy = *found;
    // CUDA: the same function, and a kernel node stays one.
    if ((copy.kind != Node::Kernel && copy.kind != Node::Library) ||
        params->func != copy.function || !params->kernelParams || params->extra)
      return CUDA_ERROR_INVALID_VALUE;
    std::vector<int64_t> sizes = paramSizes(copy.function);
    for (size_t i = 0; i < sizes.size() && i < copy.words.size(); ++i) {
      copy.words[i] = 0;
      std::memcpy(&copy.words[i], params->kernelParams[i],
                  std::min<int64_t>(sizes[i], 8));
    }
    copy.grid[0] = params->gridDimX;
    copy.grid[1] = params->gridDimY;
    copy.grid[2] = params->gridDimZ;
    copy.block[0] = params->blockDimX;
    copy.block[1] = params->blockDimY;
    copy.block[2] = params->blockDimZ;
    copy.shared = params->sharedMemBytes;
    return CUDA_SUCCESS;
  }
  return CUDA_ERROR_INVALID_VALUE; // not a node of this graph
}

CUresult cuGraphLaunch(CUgraphExec handle, CUstream stream) {
  auto *handleExec = reinterpret_cast<std::shared_ptr<Exec> *>(handle);
  if (!handleExec)
    return CUDA_ERROR_INVALID_VALUE;
  if (stream && captureOf(stream))
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  Exec &exec = **handleExec;
  // The handles created with CU_GRAPH_COND_ASSIGN_DEFAULT start each launch
  // at their default, in the stream's order.
  std::shared_ptr<Values> values = exec.values;
  if (!values->values.empty()) {
    CUresult reset =
        loom::emu::enqueue(stream,
                           [values] {
                             std::lock_guard<std::mutex> lock(values->mutex);
                             for (auto &[condition, value] : values->values)
                               if (condition->assignDefault)
                                 value = condition->defaultValue;
                             return CUDA_SUCCESS;
                           },
                           "a graph's conditional handles", {});
    if (reset)
      return reset;
  }
  for (auto &[original, copy] : exec.nodes)
    if (CUresult result = launchNode(copy, values, stream))
      return result;
  return CUDA_SUCCESS;
}

CUresult cuGraphExecDestroy(CUgraphExec exec) {
  delete reinterpret_cast<std::shared_ptr<Exec> *>(exec);
  return CUDA_SUCCESS;
}

CUresult cuGraphDestroy(CUgraph graph) {
  delete reinterpret_cast<Graph *>(graph);
  return CUDA_SUCCESS;
}

CUresult cuGraphConditionalHandleCreate(CUgraphConditionalHandle *handle,
                                        CUgraph graphHandle, CUcontext,
                                        unsigned defaultValue, unsigned flags) {
  Graph *graph = reinterpret_cast<Graph *>(graphHandle);
  if (!handle || !graph || (flags & ~CU_GRAPH_COND_ASSIGN_DEFAULT))
    return CUDA_ERROR_INVALID_VALUE;
  graph->conditions.push_back(std::make_unique<Condition>(Condition{
      graph, defaultValue, (flags & CU_GRAPH_COND_ASSIGN_DEFAULT) != 0}));
  *handle = reinterpret_cast<CUgraphConditionalHandle>(
      graph->conditions.back().get());
  return CUDA_SUCCESS;
}

CUresult cuGraphAddNode(CUgraphNode *out, CUgraph graphHandle,
                        const CUgraphNode *dependencies, const void *edges,
                        size_t count, CUgraphNodeParams *params) {
  Graph *graph = reinterpret_cast<Graph *>(graphHandle);
  if (!out || !graph || !params || edges || (count && !dependencies))
    return CUDA_ERROR_INVALID_VALUE;
  if (params->type != CU_GRAPH_NODE_TYPE_CONDITIONAL)
    return CUDA_ERROR_NOT_SUPPORTED; // Loom adds only conditional nodes
  // The graph is a chain: a node after its dependencies runs after all the
  // nodes before it, which is one order CUDA may choose.
  for (size_t i = 0; i < count; ++i)
    if (!hasNode(*graph, dependencies[i]))
      return CUDA_ERROR_INVALID_VALUE;
  CUDA_CONDITIONAL_NODE_PARAMS &c = params->conditional;
  const Condition *condition = nullptr;
  for (const auto &owned : graph->conditions)
    if (reinterpret_cast<CUgraphConditionalHandle>(owned.get()) == c.handle)
      condition = owned.get();
  if (!condition)
    return CUDA_ERROR_INVALID_VALUE; // a handle of another graph, or none
  if (c.type == CU_GRAPH_COND_TYPE_IF) {
    if (c.size != 1 && c.size != 2)
      return CUDA_ERROR_INVALID_VALUE;
  } else if (c.type == CU_GRAPH_COND_TYPE_WHILE) {
    if (c.size != 1)
      return CUDA_ERROR_INVALID_VALUE;
  } else {
    return CUDA_ERROR_NOT_SUPPORTED; // SWITCH
  }
  auto node = std::make_unique<Node>();
  node->kind = Node::Conditional;
  node->what = c.type == CU_GRAPH_COND_TYPE_IF ? "an IF node" : "a WHILE node";
  node->condition = condition;
  node->conditionType = c.type;
  for (unsigned i = 0; i < c.size; ++i) {
    node->bodies.push_back(std::make_shared<Graph>());
    node->bodyHandles.push_back(
        reinterpret_cast<CUgraph>(node->bodies.back().get()));
  }
  c.phGraph_out = node->bodyHandles.data();
  *out = reinterpret_cast<CUgraphNode>(node.get());
  append(graph, std::move(node));
  return CUDA_SUCCESS;
}

CUresult cuStreamUpdateCaptureDependencies(CUstream stream,
                                           CUgraphNode *dependencies,
                                           size_t count, unsigned flags) {
  Graph *graph = stream ? asGraph(captureOf(stream)) : nullptr;
  if (!graph)
    return CUDA_ERROR_ILLEGAL_STATE;
  if ((count && !dependencies) || flags > CU_STREAM_SET_CAPTURE_DEPENDENCIES)
    return CUDA_ERROR_INVALID_VALUE;
  // (The capture continues after the last node, which follows them all.)
  for (size_t i = 0; i < count; ++i)
    if (!hasNode(*graph, dependencies[i]))
      return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}

CUresult cuStreamBeginCaptureToGraph(CUstream stream, CUgraph graphHandle,
                                     const CUgraphNode *dependencies,
                                     const void *edges, size_t count,
                                     int mode) {
  Graph *graph = reinterpret_cast<Graph *>(graphHandle);
  if (!stream || !graph || edges || mode < 0 || mode > 2 ||
      (count && !dependencies))
    return CUDA_ERROR_INVALID_VALUE;
  if (captureOf(stream))
    return CUDA_ERROR_ILLEGAL_STATE;
  for (size_t i = 0; i < count; ++i)
    if (!hasNode(*graph, dependencies[i]))
      return CUDA_ERROR_INVALID_VALUE;
  // cuStreamEndCapture gives this graph back.
  setCaptureOf(stream, graph);
  return CUDA_SUCCESS;
}

CUresult cuFuncGetParamInfo(CUfunction function, size_t index, size_t *offset,
                            size_t *size) {
  if (!function)
    return CUDA_ERROR_INVALID_VALUE;
  std::vector<int64_t> sizes = paramSizes(function);
  if (index >= sizes.size())
    return CUDA_ERROR_INVALID_VALUE;
  size_t at = 0;
  for (size_t i = 0; i <= index; ++i) {
    size_t bytes = static_cast<size_t>(sizes[i]);
    at = (at + bytes - 1) / bytes * bytes; // each aligned to its size
    if (i == index)
      break;
    at += bytes;
  }
  if (offset)
    *offset = at;
  if (size)
    *size = static_cast<size_t>(sizes[index]);
  return CUDA_SUCCESS;
}

} // namespace loom::emu::entries

/// What cudaGraphSetConditional is for the emulated kernels: sets the value
/// of `handle` in the executable graph the calling kernel runs in.
LOOM_EXPORT void loom_emu_set_condition(uint64_t handle, uint32_t value) {
  Values *values = runningValues;
  if (values) {
    std::lock_guard<std::mutex> lock(values->mutex);
    auto it = values->values.find(reinterpret_cast<const Condition *>(handle));
    if (it != values->values.end()) {
      it->second = value;
      return;
    }
  }
  foreignHandle = "a kernel";
}
