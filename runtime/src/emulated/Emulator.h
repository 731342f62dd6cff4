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
#include <functional>
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

} // namespace loom::emu

#endif // LOOM_RUNTIME_EMULATED_EMULATOR_H
