//===- Weights.h - A model's weights, mapped from their file ----*- C++ -*-===//
//
// Part of Loom's runtime. Not installed. loomc writes a model's weights into
// a safetensors file beside the artefact and lists, in the signature, each
// tensor the model needs (name, dtype, shape, checksum) and each use of one
// (a box of it: the whole tensor, or a rank's part). Weights::open checks a
// file against that list and maps it; resolve() gives the address of a use
// on its first run: a pointer into the mapping when the box is contiguous
// in the file, else a copy of the box made once.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_SRC_WEIGHTS_H
#define LOOM_RUNTIME_SRC_WEIGHTS_H

#include "loom/runtime.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace loom::rt {

/// What the signature says of the weights.
struct WeightsManifest {
  struct Tensor {
    std::string name;
    loom_dtype dtype = LOOM_DTYPE_INVALID;
    std::vector<int64_t> shape;
    uint64_t checksum = 0;
  };
  struct Use {
    size_t tensor = 0; // into tensors
    std::vector<int64_t> offsets, sizes;
  };
  std::string file; // the name loomc gave the file, beside the artefact
  std::vector<Tensor> tensors;
  std::vector<Use> uses;
};

/// The checksum of a tensor's name, dtype and shape (as loomc's
/// getWeightChecksum: FNV-1a 64 of "name\0dtype\0d0,d1,...").
uint64_t weightChecksum(const std::string &name, int dtype,
                        const std::vector<int64_t> &shape);

class Weights {
public:
  /// Maps `path` and checks it holds exactly the manifest's tensors, with
  /// their dtypes and shapes; `forget` (may be null) is told of memory
  /// before it is unmapped or freed (the kernels' caches).
  static loom_status open(const std::string &path,
                          const WeightsManifest &manifest,
                          void (*forget)(const void *, size_t),
                          std::unique_ptr<Weights> &out);
  ~Weights();

  /// The address of use `index`, or null after writing `error`. Thread-safe.
  void *resolve(int64_t index, loom_error_record *error);
  /// The loom_run_context resolver: `weights` is a Weights.
  static void *resolveCallback(void *weights, int64_t index,
                               loom_error_record *error);

  /// Bytes of the weights this process holds: the uses resolved so far,
  /// mapped or copied (each mapped range once).
  uint64_t residentBytes();
  const std::string &path() const { return filePath; }

private:
  Weights() = default;
  std::string filePath;
  const WeightsManifest *manifest = nullptr;
  void (*forget)(const void *, size_t) = nullptr;
  char *map = nullptr;
  size_t mapBytes = 0;
  /// Per manifest tensor: its first byte in the file.
  std::vector<uint64_t> tensorOffset;
  std::vector<std::atomic<void *>> resolved;
  std::mutex mutex;
  /// Copies of boxes that are not contiguous in the file.
  std::vector<std::pair<void *, size_t>> copies;
  /// Mapped ranges handed out, [begin, end) in the file.
  std::vector<std::pair<uint64_t, uint64_t>> mapped;
};

} // namespace loom::rt

#endif // LOOM_RUNTIME_SRC_WEIGHTS_H
