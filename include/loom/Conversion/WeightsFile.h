//===- WeightsFile.h - Writing a model's weights file -----------*- C++ -*-===//
//
// Part of Loom. loomc writes the weights of a model into a safetensors file
// beside its artefact (docs/weights.md): an 8-byte little-endian header
// size, a JSON header naming each tensor's dtype, shape and byte range,
// padded with spaces so that the data starts 64-byte aligned, then the
// data. The runtime (runtime/src/Weights.cpp) maps it when it loads the
// model.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_CONVERSION_WEIGHTSFILE_H
#define LOOM_CONVERSION_WEIGHTSFILE_H

#include "mlir/Support/LLVM.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// One tensor of the file: the data is row-major, `elementBytes` per
/// element, and stays alive (a resource blob) until the file is written.
struct WeightTensor {
  std::string name;
  int dtype = 0; // loom_dtype (ONNX's numbering)
  std::vector<int64_t> shape;
  int64_t elementBytes = 0;
  llvm::ArrayRef<char> data;
};

/// The checksum the signature records for a tensor and the runtime
/// recomputes from the file's header: 64-bit FNV-1a of the name, a NUL, the
/// dtype code in decimal, a NUL and the dims in decimal joined by ','.
uint64_t getWeightChecksum(llvm::StringRef name, int dtype,
                           llvm::ArrayRef<int64_t> shape);

/// safetensors' name for a loom_dtype ("F32", "I64", "BOOL"), or "".
llvm::StringRef getSafetensorsDType(int dtype);

/// Writes `tensors` to `path` (through a temporary file renamed into
/// place). Tensors whose size is a multiple of 64 bytes come first, so
/// that they start 64-byte aligned; the rest follow by decreasing element
/// size, so that every tensor starts aligned to its element. The format
/// allows no holes between tensors.
mlir::LogicalResult writeWeightsFile(llvm::StringRef path,
                                     llvm::ArrayRef<WeightTensor> tensors,
                                     std::string &error);

} // namespace loom

#endif // LOOM_CONVERSION_WEIGHTSFILE_H
