//===- MemoryPlannerTest.cpp - loom::planMemory
//----------------------------===//
//
// Part of Loom.
//
//===----------------------------------------------------------------------===//

#include "loom/Support/MemoryPlanner.h"

#include <gtest/gtest.h>

#include <random>

using loom::planMemory;
using loom::PlannedBuffer;

namespace {

PlannedBuffer buffer(uint64_t size, int64_t begin, int64_t end) {
  PlannedBuffer b;
  b.size = size;
  b.begin = begin;
  b.end = end;
  return b;
}

bool overlapInTime(const PlannedBuffer &a, const PlannedBuffer &b) {
  return a.begin <= b.end && b.begin <= a.end;
}

bool overlapInSpace(const PlannedBuffer &a, const PlannedBuffer &b) {
  return a.offset < b.offset + b.size && b.offset < a.offset + a.size;
}

TEST(MemoryPlanner, DisjointLifetimesShareBytes) {
  std::vector<PlannedBuffer> buffers = {buffer(1000, 0, 1), buffer(1000, 2, 3)};
  EXPECT_EQ(planMemory(buffers), 1024u);
  EXPECT_EQ(buffers[0].offset, 0u);
  EXPECT_EQ(buffers[1].offset, 0u);
}

TEST(MemoryPlanner, OverlappingLifetimesDoNot) {
  std::vector<PlannedBuffer> buffers = {buffer(100, 0, 2), buffer(10, 1, 3)};
  EXPECT_EQ(planMemory(buffers), 192u);
  EXPECT_EQ(buffers[0].offset, 0u);
  EXPECT_EQ(buffers[1].offset, 128u);
}

TEST(MemoryPlanner, BestFitTakesTheSmallestGap) {
  // While U lives, P [0, 512), R [768, 1024) and T [1152, 1280) do: of the
  // gaps Q and S left, [512, 768) and [1024, 1152), U takes the smaller.
  std::vector<PlannedBuffer> buffers = {buffer(512, 0, 10), buffer(256, 0, 1),
                                        buffer(256, 0, 10), buffer(128, 0, 1),
                                        buffer(128, 0, 10), buffer(100, 5, 6)};
  EXPECT_EQ(planMemory(buffers), 1280u);
  EXPECT_EQ(buffers[1].offset, 512u);
  EXPECT_EQ(buffers[3].offset, 1024u);
  EXPECT_EQ(buffers[5].offset, 1024u);
}

TEST(MemoryPlanner, EveryOffsetAligned) {
  std::vector<PlannedBuffer> buffers = {buffer(1, 0, 5), buffer(3, 0, 5),
                                        buffer(65, 0, 5), buffer(0, 0, 5)};
  planMemory(buffers, 64);
  for (const PlannedBuffer &b : buffers)
    EXPECT_EQ(b.offset % 64, 0u);
}

TEST(MemoryPlanner, RandomPlansNeverOverlap) {
  std::mt19937 random(7);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<PlannedBuffer> buffers;
    uint64_t peak = 0;
    for (int i = 0; i < 40; ++i) {
      int64_t begin = random() % 50;
      buffers.push_back(buffer(1 + random() % 5000, begin,
                               begin + static_cast<int64_t>(random() % 20)));
    }
    uint64_t size = planMemory(buffers, 64);
    for (size_t i = 0; i < buffers.size(); ++i) {
      EXPECT_LE(buffers[i].offset + buffers[i].size, size);
      for (size_t j = i + 1; j < buffers.size(); ++j)
        if (overlapInTime(buffers[i], buffers[j]))
          EXPECT_FALSE(overlapInSpace(buffers[i], buffers[j]))
              << "trial " << trial << ": buffers " << i << " and " << j;
    }
    // Never worse than giving every buffer its own bytes.
    for (const PlannedBuffer &b : buffers)
      peak += (b.size + 63) / 64 * 64;
    EXPECT_LE(size, peak);
  }
}

} // namespace
