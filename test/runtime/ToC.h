//===- ToC.h - sbp::Sbp as the runtime's loom_sbp ---------------*- C++ -*-===//
//
// Part of Loom. Shared by the boxing checks: layouts as the runtime takes
// them, and test values as the bytes of a dtype.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TEST_RUNTIME_TOC_H
#define LOOM_TEST_RUNTIME_TOC_H

#include "dialects/sbp/IR/Sbp.h"
#include "loom/collectives.h"

#include <cstdint>
#include <cstring>
#include <vector>

inline loom_sbp toC(const loom::sbp::Sbp &sbp) {
  loom_sbp c;
  c.kind = sbp.isSplit()       ? LOOM_SBP_SPLIT
           : sbp.isBroadcast() ? LOOM_SBP_BROADCAST
                               : LOOM_SBP_PARTIAL;
  c.axis = sbp.axis;
  c.reduction = static_cast<loom_reduction>(sbp.reduction);
  return c;
}

/// Calls `fn` with a value of the C++ type of `dtype` (the four the checks
/// cover: f32, f64, i32, i64).
template <typename Fn>
void withType(loom_dtype dtype, Fn fn) {
  if (dtype == LOOM_DTYPE_F32)
    fn(float());
  else if (dtype == LOOM_DTYPE_F64)
    fn(double());
  else if (dtype == LOOM_DTYPE_I32)
    fn(int32_t());
  else
    fn(int64_t());
}

/// `values` (small integers) as the bytes of `dtype`, and back.
inline std::vector<char> encode(const std::vector<double> &values,
                                loom_dtype dtype) {
  std::vector<char> bytes;
  withType(dtype, [&](auto t) {
    using T = decltype(t);
    bytes.resize(values.size() * sizeof(T));
    for (size_t i = 0; i < values.size(); ++i) {
      T v = static_cast<T>(values[i]);
      std::memcpy(bytes.data() + i * sizeof(T), &v, sizeof(T));
    }
  });
  return bytes;
}

inline std::vector<double> decode(const std::vector<char> &bytes,
                                  loom_dtype dtype) {
  std::vector<double> values;
  withType(dtype, [&](auto t) {
    using T = decltype(t);
    values.resize(bytes.size() / sizeof(T));
    for (size_t i = 0; i < values.size(); ++i) {
      T v;
      std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
      values[i] = static_cast<double>(v);
    }
  });
  return values;
}

#endif // LOOM_TEST_RUNTIME_TOC_H
