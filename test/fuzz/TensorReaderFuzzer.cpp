//===- TensorReaderFuzzer.cpp - libFuzzer target for .npy/.pb readers -----===//
//
// Part of Loom. Feeds arbitrary bytes to the runtime's tensor readers
// (loom_tensor_read_file), as a .npy file or as an ONNX TensorProto .pb
// file, chosen by the first byte: each must read a tensor or return an
// error, never crash, read out of bounds, hang or leak. A tensor read is
// written back and read again (the writers' round trip). Built by
// scripts/fuzz.sh with clang, ASan and UBSan.
//
//===----------------------------------------------------------------------===//

#include "loom/runtime.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

namespace {

/// A file of this process's own, reused for every input.
std::string scratch(const char *extension) {
  return "/tmp/loom-fuzz-tensor-" + std::to_string(getpid()) + extension;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  const char *extension = data[0] & 1 ? ".pb" : ".npy";
  std::string path = scratch(extension);
  FILE *file = std::fopen(path.c_str(), "wb");
  if (!file)
    return 0;
  std::fwrite(data + 1, 1, size - 1, file);
  std::fclose(file);
  loom_tensor *tensor = nullptr;
  if (loom_tensor_read_file(path.c_str(), &tensor) == LOOM_OK) {
    // Touch every byte (ASan sees a short buffer), then round-trip.
    const unsigned char *bytes =
        static_cast<const unsigned char *>(loom_tensor_data(tensor));
    volatile unsigned sum = 0;
    for (size_t i = 0; i < loom_tensor_nbytes(tensor); ++i)
      sum = sum + bytes[i];
    std::string copy = scratch(extension[1] == 'p' ? ".copy.pb" : ".copy.npy");
    if (loom_tensor_write_file(copy.c_str(), tensor) == LOOM_OK) {
      loom_tensor *again = nullptr;
      if (loom_tensor_read_file(copy.c_str(), &again) != LOOM_OK ||
          loom_tensor_nbytes(again) != loom_tensor_nbytes(tensor))
        __builtin_trap(); // what we write, we read back
      loom_tensor_free(again);
    }
    std::remove(copy.c_str());
  }
  loom_tensor_free(tensor);
  return 0;
}
