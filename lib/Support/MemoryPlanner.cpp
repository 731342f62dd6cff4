//===- MemoryPlanner.cpp - Offsets in an arena from lifetimes -------------===//
//
// Part of Loom. See include/loom/Support/MemoryPlanner.h.
//
//===----------------------------------------------------------------------===//

#include "loom/Support/MemoryPlanner.h"

#include <algorithm>
#include <numeric>

namespace loom {

static uint64_t alignTo(uint64_t value, uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

uint64_t planMemory(std::vector<PlannedBuffer> &buffers, uint64_t alignment) {
  if (alignment == 0)
    alignment = 1;
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return buffers[a].size > buffers[b].size;
  });
  std::vector<size_t> placed;
  uint64_t arena = 0;
  for (size_t index : order) {
    PlannedBuffer &buffer = buffers[index];
    uint64_t size = alignTo(std::max<uint64_t>(buffer.size, 1), alignment);
    // The placed buffers alive at the same time, by offset.
    std::vector<std::pair<uint64_t, uint64_t>> busy;
    for (size_t other : placed) {
      const PlannedBuffer &p = buffers[other];
      if (p.begin <= buffer.end && buffer.begin <= p.end)
        busy.push_back(
            {p.offset,
             alignTo(p.offset + std::max<uint64_t>(p.size, 1), alignment)});
    }
    std::sort(busy.begin(), busy.end());
    uint64_t best = UINT64_MAX, bestGap = UINT64_MAX, cursor = 0;
    for (auto [begin, end] : busy) {
      if (begin > cursor && begin - cursor >= size &&
          begin - cursor < bestGap) {
        best = cursor;
        bestGap = begin - cursor;
      }
      cursor = std::max(cursor, end);
    }
    buffer.offset = best != UINT64_MAX ? best : cursor;
    arena = std::max(arena, buffer.offset + size);
    placed.push_back(index);
  }
  return arena;
}

} // namespace loom
