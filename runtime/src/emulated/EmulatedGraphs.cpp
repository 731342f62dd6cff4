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
//     relaunched reruns every node.
//
//===----------------------------------------------------------------------===//

#include "Emulator.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

using namespace loom::cuda;

namespace {

struct Node {
  enum Kind { Kernel, Library, Work } kind = Work;
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
};

struct Graph {
  std::vector<std::unique_ptr<Node>> nodes;
};

/// An executable graph: a copy of each node, by the original's handle.
struct Exec {
  std::vector<std::pair<Node *, Node>> nodes;
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

void pointAt(Node &n) {
  n.wordPointers.resize(n.words.size());
  for (size_t i = 0; i < n.words.size(); ++i)
    n.wordPointers[i] = &n.words[i];
}

CUresult launchNode(const Node &n, CUstream stream) {
  switch (n.kind) {
  case Node::Kernel:
    return loom::emu::launchKernel(n.function, n.grid, n.block, n.shared,
                                   stream, n.words);
  case Node::Library: {
    std::vector<const void *> pointers;
    for (uint64_t w : n.words)
      pointers.push_back(reinterpret_cast<const void *>(w));
    return loom::emu::enqueueLibrary(stream, n.library, n.what.c_str(),
                                     pointers);
  }
  case Node::Work:
    return loom::emu::enqueue(stream, n.work, n.what.c_str(), n.touches);
  }
  return CUDA_ERROR_INVALID_VALUE;
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
  asGraph(graph)->nodes.push_back(std::move(node));
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
  asGraph(graph)->nodes.push_back(std::move(node));
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
  asGraph(graph)->nodes.push_back(std::move(node));
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
  if (dependencies)
    *dependencies = nullptr;
  if (count)
    *count = 0;
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
  *type = node->kind == Node::Work ? 3 : CU_GRAPH_NODE_TYPE_KERNEL;
  return CUDA_SUCCESS;
}

CUresult cuGraphKernelNodeGetParams(CUgraphNode handle,
                                    CUDA_KERNEL_NODE_PARAMS *params) {
  auto *node = reinterpret_cast<Node *>(handle);
  if (!node || !params || node->kind == Node::Work)
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
  auto *e = new Exec;
  for (auto &node : graph->nodes) {
    e->nodes.emplace_back(node.get(), *node);
    pointAt(e->nodes.back().second);
  }
  *exec = reinterpret_cast<CUgraphExec>(e);
  return CUDA_SUCCESS;
}

CUresult cuGraphExecKernelNodeSetParams(CUgraphExec handle, CUgraphNode node,
                                        const CUDA_KERNEL_NODE_PARAMS *params) {
  auto *exec = reinterpret_cast<Exec *>(handle);
  if (!exec || !params)
    return CUDA_ERROR_INVALID_VALUE;
  for (auto &[original, copy] : exec->nodes) {
    if (reinterpret_cast<CUgraphNode>(original) != node)
      continue;
    // CUDA: the same function, and a kernel node stays one.
    if (copy.kind == Node::Work || params->func != copy.function ||
        !params->kernelParams || params->extra)
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
  auto *exec = reinterpret_cast<Exec *>(handle);
  if (!exec)
    return CUDA_ERROR_INVALID_VALUE;
  if (stream && captureOf(stream))
    return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
  for (auto &[original, copy] : exec->nodes)
    if (CUresult result = launchNode(copy, stream))
      return result;
  return CUDA_SUCCESS;
}

CUresult cuGraphExecDestroy(CUgraphExec exec) {
  delete reinterpret_cast<Exec *>(exec);
  return CUDA_SUCCESS;
}

CUresult cuGraphDestroy(CUgraph graph) {
  delete reinterpret_cast<Graph *>(graph);
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
