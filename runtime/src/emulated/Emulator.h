//===- Emulator.h - Inside the emulated CUDA device ------------*- C++ -*-===//
//
// Part of Loom's runtime: what the emulated device's driver (Emulator.cpp)
// gives its libraries (EmulatedLibraries.cpp: cuBLASLt and cuDNN).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_EMULATED_EMULATOR_H
#define LOOM_RUNTIME_EMULATED_EMULATOR_H

#include "../cuda/CudaApi.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#define LOOM_EXPORT extern "C" __attribute__((visibility("default")))

namespace loom::emu {

bool isInitialised();
/// The ordinal of the device this process opened.
int currentDevice();
/// Whether [pointer, pointer + bytes) lies in one live device allocation.
bool isLive(const void *pointer, size_t bytes);
/// Where the host sees the device address `pointer` (for work that runs on
/// a stream, never for the caller).
void *toHost(const void *pointer);
/// Queues `work` on the stream, in order with its kernels and copies;
/// `what` names it and `touches` are the device addresses it reads or
/// writes, for the cross-stream hazard check (Emulator.cpp, Stream).
cuda::CUresult enqueue(cuda::CUstream stream,
                       std::function<cuda::CUresult()> work, const char *what,
                       const std::vector<const void *> &touches);

/// Queues library work that reads its device pointers `pointers` (in
/// order) when it runs, so that a graph which captured it can re-point it:
/// in a graph it is a kernel node whose parameters are those pointers, as
/// a real library's kernels take theirs.
cuda::CUresult enqueueLibrary(
    cuda::CUstream stream,
    std::function<cuda::CUresult(const std::vector<const void *> &)> work,
    const char *what, const std::vector<const void *> &pointers);

// Between the streams (Emulator.cpp) and the graphs (EmulatedGraphs.cpp).
/// Queues a kernel on `stream` with parameter values `words` (each at most
/// 8 bytes, as the kernel's parameters are).
cuda::CUresult launchKernel(cuda::CUfunction function, const unsigned grid[3],
                            const unsigned block[3], unsigned sharedBytes,
                            cuda::CUstream stream,
                            const std::vector<uint64_t> &words);
/// The work of a kernel launch with parameter values `words`, to run on a
/// stream (or within another stream item: a conditional node's body); the
/// device addresses among its parameters are added to `touches`.
std::function<cuda::CUresult()> kernelWork(cuda::CUfunction function,
                                           const unsigned grid[3],
                                           const unsigned block[3],
                                           const std::vector<uint64_t> &words,
                                           std::vector<const void *> *touches);
std::string kernelName(cuda::CUfunction function);
/// The bytes of each of a kernel's parameters.
std::vector<int64_t> kernelParamSizes(cuda::CUfunction function);
/// The graph `stream` captures into (null: none), and setting it.
void *captureOf(cuda::CUstream stream);
void setCaptureOf(cuda::CUstream stream, void *graph);
/// What a capturing stream's calls add to its graph.
cuda::CUresult captureWork(void *graph, std::function<cuda::CUresult()> work,
                           const char *what,
                           const std::vector<const void *> &touches);
cuda::CUresult captureKernel(void *graph, cuda::CUfunction function,
                             const unsigned grid[3], const unsigned block[3],
                             unsigned sharedBytes,
                             const std::vector<uint64_t> &words);
cuda::CUresult captureLibrary(
    void *graph,
    std::function<cuda::CUresult(const std::vector<const void *> &)> work,
    const char *what, const std::vector<const void *> &pointers);

} // namespace loom::emu

// The graph entries of the driver table (EmulatedGraphs.cpp).
#define LOOM_EMU_DECLARE_GRAPH_ENTRY(name, version, params)                    \
  loom::cuda::CUresult name params;
namespace loom::emu::entries {
using namespace loom::cuda;
LOOM_CUDA_GRAPH_ENTRIES(LOOM_EMU_DECLARE_GRAPH_ENTRY)
LOOM_CUDA_CONDITIONAL_ENTRIES(LOOM_EMU_DECLARE_GRAPH_ENTRY)
} // namespace loom::emu::entries
#undef LOOM_EMU_DECLARE_GRAPH_ENTRY

#endif // LOOM_RUNTIME_EMULATED_EMULATOR_H
