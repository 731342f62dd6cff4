//===- ModelFuzzer.cpp - libFuzzer target for compiled models -------------===//
//
// Part of Loom. Runs a compiled model (loomc --emit=lib, instrumented with
// --sanitize=address,undefined; the library named by $LOOM_FUZZ_MODEL) on
// inputs made from the fuzzer's bytes: every dim the signature leaves open
// takes a size from 0 to 7, and the elements take the bytes that follow
// (integers are often small, to land near the bounds that indices and
// divisors are checked against). A run must succeed or report an error;
// reading or writing out of bounds, a leak or a crash is a finding.
//
//===----------------------------------------------------------------------===//

#include "loom/runtime.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Bytes {
  const uint8_t *data;
  size_t size, at = 0;
  uint8_t next() { return at < size ? data[at++] : 0; }
};

loom_model *openModel() {
  const char *path = std::getenv("LOOM_FUZZ_MODEL");
  loom_model *model = nullptr;
  if (!path || loom_model_open(path, &model) != LOOM_OK) {
    std::fprintf(stderr, "set LOOM_FUZZ_MODEL to a model library: %s\n",
                 path ? loom_last_error() : "unset");
    std::abort();
  }
  return model;
}

/// Fills `count` elements of `size` bytes from the input: one byte picks
/// a small value (-4..11) or, for an odd byte, a raw little-endian value.
void fill(Bytes &in, unsigned char *out, int64_t count, size_t size) {
  for (int64_t i = 0; i < count; ++i) {
    uint8_t pick = in.next();
    unsigned char *element = out + i * size;
    if (pick & 1) {
      for (size_t b = 0; b < size; ++b)
        element[b] = in.next();
    } else {
      int64_t small = static_cast<int64_t>(pick >> 4) - 4;
      std::memcpy(element, &small, size < 8 ? size : 8);
    }
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static loom_model *model = openModel();
  Bytes in{data, size};
  size_t numInputs = loom_model_num_inputs(model);
  size_t numOutputs = loom_model_num_outputs(model);
  std::vector<loom_tensor *> inputs(numInputs, nullptr),
      outputs(numOutputs, nullptr);
  for (size_t i = 0; i < numInputs; ++i) {
    int32_t rank = loom_model_input_rank(model, i);
    std::vector<int64_t> shape(loom_model_input_shape(model, i),
                               loom_model_input_shape(model, i) + rank);
    for (int64_t &dim : shape)
      if (dim < 0)
        dim = in.next() % 8;
    loom_dtype dtype = loom_model_input_dtype(model, i);
    inputs[i] = loom_tensor_create(dtype, rank, shape.data());
    if (!inputs[i])
      continue;
    fill(in, static_cast<unsigned char *>(loom_tensor_data(inputs[i])),
         loom_tensor_numel(inputs[i]), loom_dtype_size(dtype));
    if (dtype == LOOM_DTYPE_BOOL)
      for (size_t b = 0; b < loom_tensor_nbytes(inputs[i]); ++b)
        static_cast<unsigned char *>(loom_tensor_data(inputs[i]))[b] &= 1;
  }
  (void)loom_model_run(model, inputs.data(), numInputs, outputs.data(),
                       numOutputs);
  for (loom_tensor *t : inputs)
    loom_tensor_free(t);
  for (loom_tensor *t : outputs)
    loom_tensor_free(t);
  return 0;
}
