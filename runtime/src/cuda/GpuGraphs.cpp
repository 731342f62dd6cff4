//===- GpuGraphs.cpp - Static regions captured once, replayed as graphs ---===//
//
// Part of Loom's runtime (library LoomCuda). `loom-gpu-graph-regions` wraps
// each static region of a CUDA model's host code (a DyCL subgraph, or a
// whole model without host decisions) in loom_gpu_region_begin(site, key)
// and loom_gpu_region_end(site), the key being the region's dims and
// scalars. For each stream, site and key:
//   - the first time, the region's device calls are captured into a CUDA
//     graph (stream capture), which is instantiated and launched;
//   - after that, the host code runs with its device calls only observed:
//     each is compared with what the capture recorded. A kernel whose
//     parameters differ (an input, an output, a buffer elsewhere now) has
//     its node's parameters updated in the executable graph
//     (cuGraphExecKernelNodeSetParams); a library call (cuBLASLt, cuDNN)
//     whose pointers moved has them re-pointed in its nodes' parameters,
//     found there at capture time; then the executable graph is launched.
//     What cannot be re-pointed (a library node that keeps a pointer
//     elsewhere, NCCL's calls, which keep theirs in device memory) or a
//     call sequence that differs from the capture's makes
//     loom_gpu_region_end ask for the body again, which is captured anew;
//   - the region's allocations are the graph's: a buffer freed inside the
//     region is the same one every replay; one that leaves it (a result)
//     is taken from the slot's pool of buffers the host has given back, so
//     that a loop whose state feeds the next iteration gets a new one.
// Decisions on the device (a DyCL host function whose branches
// loom-gpu-device-decisions made run in turn: loom_gpu_cond_then(flag),
// the then branch, loom_gpu_cond_else(), the else branch,
// loom_gpu_cond_end(), the results then selected on the device by the
// flag): captured, the flag sets a handle (loom_set_condition, a kernel of
// the model's) and an IF node with an ELSE body takes the next calls into
// its bodies, then branch into the first, else branch into the second; the
// graph replays the decision on the device, with no host read. Observed,
// the branch markers are calls like the others. Outside a graph (graphs
// off, or a driver without conditional nodes), the flag is read on the
// host and the branch not taken is skipped: its device calls are dropped.
// Inside a region, the regions of the functions it calls are part of it.
// A host read inside a capture (a region that was not static after all)
// ends the capture there, launches what it holds, and runs the rest call by
// call; the site is not captured again. Graphs are off with LOOM_GPU_SYNC=1
// (every call is waited for), with LOOM_CUDA_GRAPHS=0, and on a driver
// without CUDA 12.4's entries. LOOM_GPU_STATS=1 prints what was captured,
// replayed and updated, at exit.
//
//===----------------------------------------------------------------------===//

#include "GpuDevice.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

using namespace loom::cuda;

extern "C" LOOM_HIDDEN void loom_gpu_device_free(void *pointer);
extern "C" LOOM_HIDDEN void loom_gpu_read(intptr_t host, intptr_t device,
                                          intptr_t offset, intptr_t bytes);

namespace {

/// One device call of a region, as the capture recorded it.
struct Call {
  enum Kind { Kernel, Library, Alloc, Branch } kind = Kernel;
  int branch = 0; // Branch: 1 then, 2 else, 3 end
  // Kernel: what was launched, and its node.
  CUfunction function = nullptr;
  unsigned dims[7] = {0, 0, 0, 0, 0, 0, 0}; // grid, block, shared bytes
  std::vector<uint64_t> words; // kernel: parameters; library: pointers
  std::vector<size_t> sizes;   // kernel: parameter bytes; library: extents
  // Library: whether it may be re-pointed, and its nodes' parameters.
  bool patchable = true;
  std::string what;
  struct LibraryNode {
    CUgraphNode node;
    CUfunction function;
    unsigned dims[7];
    std::vector<size_t> offsets, sizes;
    std::vector<char> bytes; // every parameter, at its offset
  };
  std::vector<LibraryNode> nodes;
  CUgraphNode node = nullptr; // Kernel
  uint64_t bytes = 0;         // Alloc
};

/// An allocation of the region, by its place in the region's order.
struct Slot {
  uint64_t bytes = 0;
  bool leaves = false; // not freed inside the region: a result
  std::vector<CUdeviceptr> buffers;
  std::vector<bool> busy; // held by the host (a result not yet freed)
  int chosen = -1;        // this pass's buffer
};

struct Entry {
  /// Held by the thread in a region of this entry, from begin to end.
  std::mutex busy;
  std::vector<Call> calls;
  std::vector<std::unique_ptr<Slot>> slots;
  CUgraph graph = nullptr;
  CUgraphExec exec = nullptr;
};

struct Site {
  std::map<std::vector<int64_t>, std::unique_ptr<Entry>> entries;
  bool eager = false; // not captured (a host read, too many keys)
};

/// What the process's graphs hold, and how they did.
struct Graphs {
  std::mutex mutex;
  std::map<std::pair<CUstream, int64_t>, Site> sites;
  /// Buffers of slots that left their region, to their slot.
  std::unordered_map<CUdeviceptr, std::pair<Slot *, int>> owned;
  /// Slots of entries captured again (their buffers may still be held).
  std::vector<std::unique_ptr<Slot>> retired;
  std::atomic<bool> used{false};
  uint64_t captures = 0, recaptures = 0, replays = 0, kernelUpdates = 0,
           libraryUpdates = 0, interrupted = 0, conditionals = 0;
  std::atomic<uint64_t> hostDecisions{0};
};

Graphs &getGraphs() {
  static auto *graphs = new Graphs; // outlives static destructors
  return *graphs;
}

/// The region the calling thread is in.
struct Region {
  GraphMode mode = GraphMode::Off;
  Entry *entry = nullptr;
  Site *site = nullptr;
  CUstream stream = nullptr;  // the run's, where the graph is launched
  CUstream capture = nullptr; // this thread's, which captures (runs nothing)
  size_t cursor = 0, allocations = 0;
  bool replayable = true; // Observe: what was seen can be replayed
  bool again = false;     // end asks for a captured pass
  /// Observe: the updates to make before the launch.
  struct KernelUpdate {
    size_t call;
    std::vector<uint64_t> words;
  };
  std::vector<KernelUpdate> kernelUpdates;
  struct LibraryUpdate {
    size_t call;
    std::vector<uint64_t> pointers;
  };
  std::vector<LibraryUpdate> libraryUpdates;
  /// Frees of memory from outside the region: after its work.
  std::vector<void *> frees;
  /// Regions of the functions the region calls: part of it.
  int nested = 0;
  /// Capture: the streams of the graphs around the conditional body being
  /// captured, and each open node's ELSE body.
  std::vector<CUstream> outer;
  std::vector<CUgraph> elseBodies;
  int branchDepth = 0; // Observe: open branches
};
thread_local Region region;
/// Outside a graph: for each open branch, whether its device calls are
/// dropped (the branch not taken, or inside one).
thread_local std::vector<bool> skipped;
bool skipping() { return !skipped.empty() && skipped.back(); }
/// This thread's streams that capture conditional bodies, by depth.
thread_local std::vector<CUstream> bodyStreams;
/// This thread's capture stream: a capture on the run's stream would take
/// in whatever another thread queues there meanwhile.
thread_local CUstream captureStream = nullptr;

/// The region is left: its entry is free for other threads.
void leave(Region &r) {
  if (r.mode != GraphMode::Off && r.entry)
    r.entry->busy.unlock();
  r.mode = GraphMode::Off;
}

bool enabledHere(Device &device) {
  static const bool off = [] {
    const char *env = std::getenv("LOOM_CUDA_GRAPHS");
    return env && std::strcmp(env, "0") == 0;
  }();
  return !off && !syncEachCall() && device.graphsMissing.empty();
}

void printStats() {
  Graphs &g = getGraphs();
  std::fprintf(stderr,
               "loom: CUDA graphs: %llu captured, %llu captured again, %llu "
               "replayed (%llu kernel node(s) and %llu library call(s) "
               "re-pointed), %llu capture(s) ended by a host read; %llu "
               "conditional node(s) captured, %llu branch(es) decided on the "
               "host\n",
               static_cast<unsigned long long>(g.captures),
               static_cast<unsigned long long>(g.recaptures),
               static_cast<unsigned long long>(g.replays),
               static_cast<unsigned long long>(g.kernelUpdates),
               static_cast<unsigned long long>(g.libraryUpdates),
               static_cast<unsigned long long>(g.interrupted),
               static_cast<unsigned long long>(g.conditionals),
               static_cast<unsigned long long>(g.hostDecisions.load()));
}

/// LOOM_GPU_STATS=1: the figures, at exit.
void watchStats() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (const char *env = std::getenv("LOOM_GPU_STATS"); env && *env)
      std::atexit(printStats);
  });
}

/// The nodes of the graph `stream` captures into.
std::vector<CUgraphNode> capturedNodes(Device &device, CUstream stream) {
  const GraphApi &g = device.graphApi;
  int status = 0;
  CUgraph graph = nullptr;
  check(g.cuStreamGetCaptureInfo(stream, &status, nullptr, &graph, nullptr,
                                 nullptr),
        "cuStreamGetCaptureInfo");
  size_t count = 0;
  check(g.cuGraphGetNodes(graph, nullptr, &count), "cuGraphGetNodes");
  std::vector<CUgraphNode> nodes(count);
  if (count)
    check(g.cuGraphGetNodes(graph, nodes.data(), &count), "cuGraphGetNodes");
  nodes.resize(count);
  return nodes;
}

/// The parameters of `function` (offsets and bytes), or none known.
bool paramLayout(Device &device, CUfunction function,
                 std::vector<size_t> &offsets, std::vector<size_t> &sizes) {
  offsets.clear();
  sizes.clear();
  for (size_t i = 0;; ++i) {
    size_t offset = 0, size = 0;
    if (device.graphApi.cuFuncGetParamInfo(function, i, &offset, &size) !=
        CUDA_SUCCESS)
      return true;
    offsets.push_back(offset);
    sizes.push_back(size);
  }
}

/// Reads a library node's parameters (at capture).
bool readLibraryNode(Device &device, CUgraphNode node, Call::LibraryNode &out) {
  int type = -1;
  if (device.graphApi.cuGraphNodeGetType(node, &type) != CUDA_SUCCESS ||
      type != CU_GRAPH_NODE_TYPE_KERNEL)
    return false;
  CUDA_KERNEL_NODE_PARAMS p{};
  if (device.graphApi.cuGraphKernelNodeGetParams(node, &p) != CUDA_SUCCESS ||
      !p.func || !p.kernelParams)
    return false;
  out.node = node;
  out.function = p.func;
  unsigned dims[7] = {p.gridDimX,  p.gridDimY,  p.gridDimZ,      p.blockDimX,
                      p.blockDimY, p.blockDimZ, p.sharedMemBytes};
  std::copy(dims, dims + 7, out.dims);
  paramLayout(device, p.func, out.offsets, out.sizes);
  size_t end = 0;
  for (size_t i = 0; i < out.sizes.size(); ++i)
    end = std::max(end, out.offsets[i] + out.sizes[i]);
  out.bytes.assign(end, 0);
  for (size_t i = 0; i < out.sizes.size(); ++i)
    std::memcpy(out.bytes.data() + out.offsets[i], p.kernelParams[i],
                out.sizes[i]);
  return true;
}

/// Re-points, in `bytes`, every 8-byte-aligned word within [from, from +
/// extent) to `to` plus its offset; how many were.
int repoint(std::vector<char> &bytes, uint64_t from, size_t extent,
            uint64_t to) {
  int found = 0;
  for (size_t at = 0; at + 8 <= bytes.size(); at += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + at, 8);
    if (word >= from && word < from + std::max<size_t>(extent, 1)) {
      word = to + (word - from);
      std::memcpy(bytes.data() + at, &word, 8);
      ++found;
    }
  }
  return found;
}

/// Sets a node's parameters in the executable graph from `bytes`.
void setKernelNode(Device &device, CUgraphExec exec, CUgraphNode node,
                   CUfunction function, const unsigned dims[7],
                   std::vector<char> &bytes, const std::vector<size_t> &offsets,
                   const char *what) {
  std::vector<void *> params;
  for (size_t offset : offsets)
    params.push_back(bytes.data() + offset);
  CUDA_KERNEL_NODE_PARAMS p{};
  p.func = function;
  p.gridDimX = dims[0];
  p.gridDimY = dims[1];
  p.gridDimZ = dims[2];
  p.blockDimX = dims[3];
  p.blockDimY = dims[4];
  p.blockDimZ = dims[5];
  p.sharedMemBytes = dims[6];
  p.kernelParams = params.data();
  CUresult result =
      device.graphApi.cuGraphExecKernelNodeSetParams(exec, node, &p);
  if (result != CUDA_SUCCESS)
    raise("updating %s in a CUDA graph failed: %s", what,
          errorName(result).c_str());
}

/// Ends a capture: the graph instantiated (the entry's, replacing an older
/// one) and launched.
void finishCapture(Device &device, Region &r) {
  const GraphApi &g = device.graphApi;
  CUgraph graph = nullptr;
  check(g.cuStreamEndCapture(r.capture, &graph), "cuStreamEndCapture");
  Entry &e = *r.entry;
  if (e.exec)
    g.cuGraphExecDestroy(e.exec);
  if (e.graph)
    g.cuGraphDestroy(e.graph);
  e.graph = graph;
  e.exec = nullptr;
  check(g.cuGraphInstantiateWithFlags(&e.exec, graph, 0),
        "cuGraphInstantiateWithFlags");
  // What each library call's nodes hold, and whether its pointers are
  // there to re-point.
  for (Call &c : e.calls) {
    if (c.kind != Call::Library || !c.patchable)
      continue;
    for (size_t k = 0; k < c.words.size() && c.patchable; ++k) {
      if (!c.words[k])
        continue;
      int found = 0;
      for (Call::LibraryNode &n : c.nodes) {
        std::vector<char> copy = n.bytes;
        found += repoint(copy, c.words[k], c.sizes[k], c.words[k]);
      }
      c.patchable = found > 0;
    }
  }
  check(g.cuGraphLaunch(e.exec, r.stream), "cuGraphLaunch");
}

/// The buffer of slot `index` for this pass, creating the slot (capture)
/// or checking it (observe).
CUdeviceptr takeSlot(Device &device, Region &r, uint64_t bytes) {
  Entry &e = *r.entry;
  size_t index = r.allocations++;
  Graphs &g = getGraphs();
  std::lock_guard<std::mutex> lock(g.mutex);
  if (index >= e.slots.size() || e.slots[index]->bytes != bytes) {
    if (r.mode == GraphMode::Observe) {
      r.replayable = false; // another allocation than the capture's
    }
    auto slot = std::make_unique<Slot>();
    slot->bytes = bytes;
    if (index < e.slots.size()) {
      g.retired.push_back(std::move(e.slots[index]));
      e.slots[index] = std::move(slot);
    } else {
      e.slots.push_back(std::move(slot));
    }
  }
  Slot &s = *e.slots[index];
  s.chosen = -1;
  for (size_t i = 0; i < s.buffers.size(); ++i)
    if (!s.busy[i]) {
      s.chosen = static_cast<int>(i);
      break;
    }
  if (s.chosen < 0) {
    CUdeviceptr p = 0;
    // Outside any capture: the graph's own memory, kept.
    check(device.api.cuMemAlloc(&p, bytes ? bytes : 1),
          "cuMemAlloc (a CUDA graph's buffer)");
    s.buffers.push_back(p);
    s.busy.push_back(false);
    s.chosen = static_cast<int>(s.buffers.size() - 1);
  }
  return s.buffers[s.chosen];
}

/// The slot buffer `pointer` is, in this region's entry (-1: none).
int slotOf(Region &r, CUdeviceptr pointer) {
  for (size_t i = 0; i < r.allocations && i < r.entry->slots.size(); ++i) {
    Slot &s = *r.entry->slots[i];
    if (s.chosen >= 0 && s.buffers[s.chosen] == pointer)
      return static_cast<int>(i);
  }
  return -1;
}

/// After the region's work: what it freed from outside, its results held.
void settle(Device &device, Region &r, bool captured) {
  Graphs &g = getGraphs();
  {
    std::lock_guard<std::mutex> lock(g.mutex);
    for (size_t i = 0; i < r.allocations && i < r.entry->slots.size(); ++i) {
      Slot &s = *r.entry->slots[i];
      if (captured)
        s.leaves = s.chosen >= 0;
      if (s.leaves && s.chosen >= 0) {
        s.busy[s.chosen] = true;
        g.owned[s.buffers[s.chosen]] = {&s, s.chosen};
      }
    }
  }
  flushRegionWords(device, r.stream);
  std::vector<void *> frees;
  frees.swap(r.frees);
  leave(r);
  for (void *p : frees)
    loom_gpu_device_free(p);
}

/// Capture: branch marker `branch` (1 then, 2 else, 3 end) among the calls.
void recordBranch(Region &r, int branch) {
  Call marker;
  marker.kind = Call::Branch;
  marker.branch = branch;
  r.entry->calls.push_back(std::move(marker));
}

/// Observe: the next call is the capture's branch marker `branch`.
void observeBranch(Region &r, int branch) {
  Entry &e = *r.entry;
  size_t index = r.cursor++;
  if (index >= e.calls.size() || e.calls[index].kind != Call::Branch ||
      e.calls[index].branch != branch)
    r.replayable = false;
}

/// This thread's stream for conditional bodies at `depth`.
CUstream bodyStream(Device &device, size_t depth) {
  while (bodyStreams.size() <= depth) {
    CUstream s = nullptr;
    check(device.api.cuStreamCreate(&s, 0),
          "cuStreamCreate (a conditional body's capture stream)");
    bodyStreams.push_back(s);
  }
  return bodyStreams[depth];
}

/// Capture: the flag sets a new handle, an IF node with an ELSE body
/// follows, and the calls up to the else marker go into its first body.
void captureThen(Device &device, Region &r, CUdeviceptr flag) {
  const GraphApi &g = device.graphApi;
  const ConditionalApi &c = device.conditionalApi;
  int status = 0;
  CUgraph graph = nullptr;
  check(g.cuStreamGetCaptureInfo(r.capture, &status, nullptr, &graph, nullptr,
                                 nullptr),
        "cuStreamGetCaptureInfo");
  CUgraphConditionalHandle handle = 0;
  check(c.cuGraphConditionalHandleCreate(&handle, graph, device.context, 0,
                                         CU_GRAPH_COND_ASSIGN_DEFAULT),
        "cuGraphConditionalHandleCreate");
  // The set-condition kernel, a call of the region like the others (its
  // flag may move: its node is re-pointed). For the tests only: the bug of
  // a condition never set (LOOM_GPU_SEED_BUG=skip-set-condition), every
  // replay then taking the ELSE body.
  static const bool skipSet = [] {
    const char *bug = std::getenv("LOOM_GPU_SEED_BUG");
    return bug && std::strcmp(bug, "skip-set-condition") == 0;
  }();
  void *params[] = {&handle, &flag};
  unsigned one[3] = {1, 1, 1};
  if (!skipSet)
    graphKernel(setConditionKernel(), one, one, 0, r.capture, params);
  const CUgraphNode *dependencies = nullptr;
  size_t count = 0;
  check(g.cuStreamGetCaptureInfo(r.capture, &status, nullptr, &graph,
                                 &dependencies, &count),
        "cuStreamGetCaptureInfo");
  CUgraphNodeParams node{};
  node.type = CU_GRAPH_NODE_TYPE_CONDITIONAL;
  node.conditional.handle = handle;
  node.conditional.type = CU_GRAPH_COND_TYPE_IF;
  node.conditional.size = 2;
  node.conditional.ctx = device.context;
  CUgraphNode added = nullptr;
  CUresult result =
      c.cuGraphAddNode(&added, graph, dependencies, nullptr, count, &node);
  if (result != CUDA_SUCCESS)
    raise("adding a conditional node to a CUDA graph failed on %s: %s",
          device.description.c_str(), errorName(result).c_str());
  check(c.cuStreamUpdateCaptureDependencies(r.capture, &added, 1,
                                            CU_STREAM_SET_CAPTURE_DEPENDENCIES),
        "cuStreamUpdateCaptureDependencies");
  CUstream body = bodyStream(device, r.outer.size());
  check(c.cuStreamBeginCaptureToGraph(body, node.conditional.phGraph_out[0],
                                      nullptr, nullptr, 0,
                                      CU_STREAM_CAPTURE_MODE_RELAXED),
        "cuStreamBeginCaptureToGraph");
  r.outer.push_back(r.capture);
  r.elseBodies.push_back(node.conditional.phGraph_out[1]);
  r.capture = body;
  recordBranch(r, 1);
  std::lock_guard<std::mutex> lock(getGraphs().mutex);
  ++getGraphs().conditionals;
}

} // namespace

namespace loom::cuda {

GraphMode graphMode() { return region.mode; }
CUstream graphCaptureStream() {
  return region.mode == GraphMode::Capture ? region.capture : nullptr;
}
bool graphsUsed() { return getGraphs().used; }

bool graphKernel(CUfunction function, const unsigned grid[3],
                 const unsigned block[3], unsigned sharedBytes, CUstream stream,
                 void **params) {
  Region &r = region;
  if (r.mode == GraphMode::Off)
    return skipping(); // a branch not taken: dropped
  Device &device = getDevice();
  Call now;
  now.kind = Call::Kernel;
  now.function = function;
  unsigned dims[7] = {grid[0],  grid[1],  grid[2],    block[0],
                      block[1], block[2], sharedBytes};
  std::copy(dims, dims + 7, now.dims);
  std::vector<size_t> offsets;
  paramLayout(device, function, offsets, now.sizes);
  for (size_t i = 0; i < now.sizes.size(); ++i) {
    uint64_t word = 0;
    std::memcpy(&word, params[i], std::min<size_t>(now.sizes[i], 8));
    now.words.push_back(word);
  }
  if (r.mode == GraphMode::Capture) {
    (void)stream; // the host code's: captured on this thread's stream
    CUresult result = device.api.cuLaunchKernel(
        function, grid[0], grid[1], grid[2], block[0], block[1], block[2],
        sharedBytes, r.capture, params, nullptr);
    if (result != CUDA_SUCCESS)
      raise("capturing kernel %s into a CUDA graph failed on %s: %s",
            lastKernelName().c_str(), device.description.c_str(),
            errorName(result).c_str());
    std::vector<CUgraphNode> nodes = capturedNodes(device, r.capture);
    if (nodes.empty())
      raise("a captured kernel added no node to its CUDA graph");
    now.node = nodes.back();
    r.entry->calls.push_back(std::move(now));
    return true;
  }
  // Observe: the same launch as the capture's, parameters aside.
  Entry &e = *r.entry;
  size_t index = r.cursor++;
  if (index >= e.calls.size() || e.calls[index].kind != Call::Kernel ||
      e.calls[index].function != function ||
      !std::equal(dims, dims + 7, e.calls[index].dims) ||
      e.calls[index].sizes != now.sizes) {
    r.replayable = false;
    return true;
  }
  if (e.calls[index].words != now.words)
    r.kernelUpdates.push_back({index, now.words});
  return true;
}

bool graphLibraryCall(const char *what,
                      const std::vector<GraphPointer> &pointers, bool patchable,
                      const std::function<void()> &issue) {
  Region &r = region;
  if (r.mode == GraphMode::Off)
    return skipping(); // a branch not taken: dropped
  Device &device = getDevice();
  Call now;
  now.kind = Call::Library;
  now.what = what;
  now.patchable = patchable;
  for (const GraphPointer &p : pointers) {
    now.words.push_back(p.pointer);
    now.sizes.push_back(p.bytes);
  }
  if (r.mode == GraphMode::Capture) {
    size_t before = capturedNodes(device, r.capture).size();
    issue();
    std::vector<CUgraphNode> nodes = capturedNodes(device, r.capture);
    for (size_t i = before; i < nodes.size(); ++i) {
      Call::LibraryNode n;
      if (readLibraryNode(device, nodes[i], n))
        now.nodes.push_back(std::move(n));
      else
        now.patchable = false; // a node Loom cannot read
    }
    r.entry->calls.push_back(std::move(now));
    return true;
  }
  Entry &e = *r.entry;
  size_t index = r.cursor++;
  if (index >= e.calls.size() || e.calls[index].kind != Call::Library ||
      e.calls[index].what != now.what ||
      e.calls[index].words.size() != now.words.size()) {
    r.replayable = false;
    return true;
  }
  if (e.calls[index].words != now.words) {
    if (!e.calls[index].patchable)
      r.replayable = false;
    else
      r.libraryUpdates.push_back({index, now.words});
  }
  return true;
}

bool graphAlloc(uint64_t bytes, void **pointer) {
  Region &r = region;
  if (r.mode == GraphMode::Off)
    return false;
  *pointer = reinterpret_cast<void *>(takeSlot(getDevice(), r, bytes));
  return true;
}

bool graphFree(void *pointer) {
  Region &r = region;
  auto p = reinterpret_cast<CUdeviceptr>(pointer);
  if (r.mode != GraphMode::Off) {
    int slot = slotOf(r, p);
    if (slot >= 0) {
      // Freed inside the region: the same buffer next time.
      if (r.mode == GraphMode::Capture)
        r.entry->slots[slot]->leaves = false;
      r.entry->slots[slot]->chosen = -1;
      return true;
    }
    r.frees.push_back(pointer); // after the region's work
    return true;
  }
  Graphs &g = getGraphs();
  std::lock_guard<std::mutex> lock(g.mutex);
  auto it = g.owned.find(p);
  if (it == g.owned.end())
    return false;
  // A region's result the host is done with: its slot's again.
  it->second.first->busy[it->second.second] = false;
  g.owned.erase(it);
  return true;
}

void graphAbort() {
  Region &r = region;
  skipped.clear();
  if (r.mode == GraphMode::Off)
    return;
  Device &device = getDevice();
  if (r.mode == GraphMode::Capture) {
    // Conditional bodies being captured end first.
    while (!r.outer.empty()) {
      CUgraph body = nullptr;
      device.graphApi.cuStreamEndCapture(r.capture, &body);
      r.capture = r.outer.back();
      r.outer.pop_back();
    }
    r.elseBodies.clear();
    CUgraph graph = nullptr;
    if (device.graphApi.cuStreamEndCapture(r.capture, &graph) == CUDA_SUCCESS &&
        graph)
      device.graphApi.cuGraphDestroy(graph);
  }
  Entry *entry = r.entry;
  leave(r);
  // The entry may hold half a capture: it starts again (its buffers stay
  // owned; another thread may wait for it).
  Graphs &g = getGraphs();
  {
    std::lock_guard<std::mutex> lock(g.mutex);
    entry->calls.clear();
    if (entry->exec)
      device.graphApi.cuGraphExecDestroy(entry->exec);
    if (entry->graph)
      device.graphApi.cuGraphDestroy(entry->graph);
    entry->exec = nullptr;
    entry->graph = nullptr;
  }
  r.frees.clear();
}

void graphInterrupt() {
  Region &r = region;
  if (r.mode != GraphMode::Off && (!r.outer.empty() || r.branchDepth))
    raise("a branch captured into a conditional node read device memory "
          "(run with LOOM_CUDA_GRAPHS=0, and report it)");
  if (r.mode == GraphMode::Observe)
    raise("a region replayed from a CUDA graph read device memory, which its "
          "capture did not (run with LOOM_CUDA_GRAPHS=0, and report it)");
  if (r.mode != GraphMode::Capture)
    return;
  Device &device = getDevice();
  finishCapture(device, r);
  settle(device, r, true);
  Graphs &g = getGraphs();
  std::lock_guard<std::mutex> lock(g.mutex);
  ++g.interrupted;
  r.site->eager = true; // its entries stay (another thread may be in one)
}

} // namespace loom::cuda

extern "C" {

/// At a static region's entry: `key` holds its `count` dims and scalars.
LOOM_HIDDEN void loom_gpu_region_begin(int64_t site, const int64_t *key,
                                       int64_t count) {
  Device &device = requireDevice();
  Region &r = region;
  if (r.mode != GraphMode::Off) {
    ++r.nested; // a function the region calls: part of it
    return;
  }
  // A branch not taken captures nothing.
  if (!enabledHere(device) || skipping())
    return;
  CUstream stream = runStream();
  Graphs &g = getGraphs();
  watchStats();
  if (!captureStream)
    check(device.api.cuStreamCreate(&captureStream, 0),
          "cuStreamCreate (a capture stream)");
  Entry *entry;
  Site *where;
  {
    std::lock_guard<std::mutex> lock(g.mutex);
    Site &s = g.sites[{stream, site}];
    if (s.eager)
      return;
    std::vector<int64_t> k(key, key + count);
    auto it = s.entries.find(k);
    if (it == s.entries.end()) {
      if (s.entries.size() >= 16) { // a site of ever new keys: no graphs
        s.eager = true;
        return;
      }
      it = s.entries.emplace(k, std::make_unique<Entry>()).first;
    }
    entry = it->second.get();
    where = &s;
    g.used = true;
  }
  entry->busy.lock();
  r = Region();
  r.entry = entry;
  r.site = where;
  r.stream = stream;
  r.capture = captureStream;
  // (An entry another thread captured meanwhile is replayed.)
  r.mode = !entry->exec ? GraphMode::Capture : GraphMode::Observe;
  if (r.mode == GraphMode::Capture) {
    ++g.captures;
    r.entry->calls.clear();
    check(device.graphApi.cuStreamBeginCapture(r.capture,
                                               CU_STREAM_CAPTURE_MODE_RELAXED),
          "cuStreamBeginCapture");
  }
}

/// At its end: 1 when the body must run again (to be captured anew).
LOOM_HIDDEN int32_t loom_gpu_region_end(int64_t site) {
  (void)site;
  Region &r = region;
  if (r.mode == GraphMode::Off)
    return 0;
  if (r.nested > 0) {
    --r.nested;
    return 0;
  }
  Device &device = getDevice();
  Graphs &g = getGraphs();
  if (!r.outer.empty() || r.branchDepth)
    raise("a CUDA graph region ended inside one of its branches");
  if (r.mode == GraphMode::Capture) {
    finishCapture(device, r);
    settle(device, r, true);
    return 0;
  }
  Entry &e = *r.entry;
  if (!r.replayable || r.cursor != e.calls.size()) {
    // Captured again, by the body's second run.
    std::lock_guard<std::mutex> lock(g.mutex);
    ++g.recaptures;
    r.mode = GraphMode::Capture;
    r.cursor = r.allocations = 0;
    r.kernelUpdates.clear();
    r.libraryUpdates.clear();
    r.replayable = true;
    e.calls.clear();
    check(device.graphApi.cuStreamBeginCapture(r.capture,
                                               CU_STREAM_CAPTURE_MODE_RELAXED),
          "cuStreamBeginCapture");
    return 1;
  }
  // For the tests only: the bug of a replay that does not follow moved
  // buffers (LOOM_GPU_SEED_BUG=skip-graph-update).
  static const bool skipUpdates = [] {
    const char *bug = std::getenv("LOOM_GPU_SEED_BUG");
    return bug && std::strcmp(bug, "skip-graph-update") == 0;
  }();
  if (skipUpdates) {
    r.kernelUpdates.clear();
    r.libraryUpdates.clear();
  }
  for (Region::KernelUpdate &u : r.kernelUpdates) {
    Call &c = e.calls[u.call];
    std::vector<size_t> offsets;
    std::vector<size_t> sizes;
    paramLayout(device, c.function, offsets, sizes);
    size_t end = 0;
    for (size_t i = 0; i < sizes.size(); ++i)
      end = std::max(end, offsets[i] + sizes[i]);
    std::vector<char> bytes(end + 8, 0);
    for (size_t i = 0; i < sizes.size(); ++i)
      std::memcpy(bytes.data() + offsets[i], &u.words[i],
                  std::min<size_t>(sizes[i], 8));
    setKernelNode(device, e.exec, c.node, c.function, c.dims, bytes, offsets,
                  "a kernel node");
    c.words = u.words;
    ++g.kernelUpdates;
  }
  for (Region::LibraryUpdate &u : r.libraryUpdates) {
    Call &c = e.calls[u.call];
    for (Call::LibraryNode &n : c.nodes) {
      bool changed = false;
      for (size_t k = 0; k < c.words.size(); ++k)
        if (c.words[k] && c.words[k] != u.pointers[k])
          changed |=
              repoint(n.bytes, c.words[k], c.sizes[k], u.pointers[k]) > 0;
      if (changed)
        setKernelNode(device, e.exec, n.node, n.function, n.dims, n.bytes,
                      n.offsets, c.what.c_str());
    }
    c.words = u.pointers;
    ++g.libraryUpdates;
  }
  check(device.graphApi.cuGraphLaunch(e.exec, r.stream), "cuGraphLaunch");
  ++g.replays;
  settle(device, r, false);
  return 0;
}

} // extern "C"

extern "C" {

/// A 0-d or 1-element memref's descriptor: its first fields, as every rank
/// has them.
struct FlagDescriptor {
  void *allocated;
  char *aligned;
  int64_t offset;
};

/// Before a branch's then part (loom-gpu-device-decisions): `flag`, on the
/// device, decides which of the two parts that follow counts.
LOOM_HIDDEN void _mlir_ciface_loom_gpu_cond_then(const FlagDescriptor *flag) {
  Device &device = requireDevice();
  Region &r = region;
  auto pointer = reinterpret_cast<CUdeviceptr>(flag->aligned + flag->offset);
  if (r.mode == GraphMode::Capture && !device.conditionalMissing.empty())
    graphInterrupt(); // no conditional nodes: the rest call by call
  if (r.mode == GraphMode::Capture) {
    captureThen(device, r, pointer);
    return;
  }
  if (r.mode == GraphMode::Observe) {
    // The set-condition kernel, then the marker.
    Entry &e = *r.entry;
    if (r.cursor < e.calls.size() && e.calls[r.cursor].kind == Call::Kernel &&
        !e.calls[r.cursor].words.empty()) {
      CUgraphConditionalHandle handle = e.calls[r.cursor].words[0];
      void *params[] = {&handle, &pointer};
      unsigned one[3] = {1, 1, 1};
      graphKernel(setConditionKernel(), one, one, 0, r.stream, params);
    }
    observeBranch(r, 1);
    ++r.branchDepth;
    return;
  }
  // Outside a graph: the host decides.
  if (skipping()) {
    skipped.push_back(true);
    return;
  }
  uint8_t value = 0;
  loom_gpu_read(reinterpret_cast<intptr_t>(&value),
                static_cast<intptr_t>(pointer), 0, 1);
  watchStats();
  ++getGraphs().hostDecisions;
  skipped.push_back(value == 0);
}

/// Between the then part and the else part.
LOOM_HIDDEN void loom_gpu_cond_else() {
  Region &r = region;
  if (r.mode == GraphMode::Capture) {
    Device &device = getDevice();
    if (r.elseBodies.empty())
      raise("a branch's else part began outside a branch");
    CUgraph then = nullptr;
    check(device.graphApi.cuStreamEndCapture(r.capture, &then),
          "cuStreamEndCapture (a conditional node's body)");
    check(device.conditionalApi.cuStreamBeginCaptureToGraph(
              r.capture, r.elseBodies.back(), nullptr, nullptr, 0,
              CU_STREAM_CAPTURE_MODE_RELAXED),
          "cuStreamBeginCaptureToGraph");
    recordBranch(r, 2);
    return;
  }
  if (r.mode == GraphMode::Observe) {
    observeBranch(r, 2);
    return;
  }
  if (skipped.empty())
    raise("a branch's else part began outside a branch");
  // Taken unless the then part was, or the branch is inside one not taken.
  bool outerSkipped = skipped.size() > 1 && skipped[skipped.size() - 2];
  skipped.back() = outerSkipped || !skipped.back();
}

/// After the else part.
LOOM_HIDDEN void loom_gpu_cond_end() {
  Region &r = region;
  if (r.mode == GraphMode::Capture) {
    Device &device = getDevice();
    if (r.outer.empty())
      raise("a branch ended outside a branch");
    CUgraph body = nullptr;
    check(device.graphApi.cuStreamEndCapture(r.capture, &body),
          "cuStreamEndCapture (a conditional node's body)");
    r.capture = r.outer.back();
    r.outer.pop_back();
    r.elseBodies.pop_back();
    recordBranch(r, 3);
    return;
  }
  if (r.mode == GraphMode::Observe) {
    observeBranch(r, 3);
    --r.branchDepth;
    return;
  }
  if (skipped.empty())
    raise("a branch ended outside a branch");
  skipped.pop_back();
}

} // extern "C"
