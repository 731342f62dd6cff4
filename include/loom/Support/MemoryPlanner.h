//===- MemoryPlanner.h - Offsets in an arena from lifetimes -----*- C++ -*-===//
//
// Part of Loom. The static memory plan's placement, independent of MLIR and
// of the target: the CPU plan places a run's intermediates in host memory
// with it, and a device plan can place them in device memory the same way.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_SUPPORT_MEMORYPLANNER_H
#define LOOM_SUPPORT_MEMORYPLANNER_H

#include <cstdint>
#include <vector>

namespace loom {

/// A buffer to place: `size` bytes live from step `begin` to step `end`
/// (inclusive; steps are any order in which the buffers' lifetimes are
/// compared, e.g. op positions in a block).
struct PlannedBuffer {
  uint64_t size = 0;
  int64_t begin = 0, end = 0;
  /// Set by planMemory: where the buffer starts in the arena.
  uint64_t offset = 0;
};

/// Gives every buffer an offset, a multiple of `alignment`, such that two
/// buffers whose lifetimes overlap never share a byte. Buffers are placed
/// largest first, each in the smallest gap between the buffers already
/// placed that it overlaps in time (best fit), else above them. Returns
/// the arena's size: the highest end of a buffer, rounded up to
/// `alignment`. Deterministic: ties go to the earlier buffer.
uint64_t planMemory(std::vector<PlannedBuffer> &buffers,
                    uint64_t alignment = 64);

} // namespace loom

#endif // LOOM_SUPPORT_MEMORYPLANNER_H
