//===- DeviceRates.h - loom-calibrate --device -----------------*- C++ -*-===//
//
// Part of Loom. See DeviceRates.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOM_CALIBRATE_DEVICERATES_H
#define LOOM_TOOLS_LOOM_CALIBRATE_DEVICERATES_H

#include <cstdint>
#include <string>

struct DeviceRateOptions {
  int32_t kind = 0; // LOOM_DEVICE_CUDA or LOOM_DEVICE_EMULATED
  int32_t ordinal = 0;
  int64_t matrix = 4096; // products of matrix^3
  int runs = 15;
  /// The job's ranks (0: not in a job, no collective), and the floats per
  /// rank of the bandwidth's all-gather.
  int ranks = 0;
  int64_t gatherFloats = int64_t(1) << 20;
};

struct DeviceRates {
  std::string name;
  double flops = 0, latency = 0, bandwidth = 0;
};

/// Measures on the device; false with `error` on failure.
bool measureDevice(const DeviceRateOptions &options, DeviceRates &rates,
                   std::string &error);

#endif // LOOM_TOOLS_LOOM_CALIBRATE_DEVICERATES_H
