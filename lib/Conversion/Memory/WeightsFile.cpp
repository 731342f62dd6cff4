//===- WeightsFile.cpp - Writing a model's weights file -------------------===//
//
// Part of Loom. See include/loom/Conversion/WeightsFile.h.
//
//===----------------------------------------------------------------------===//

#include "mlir/Support/LLVM.h"

#include "loom/Conversion/WeightsFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <numeric>

using namespace mlir;

namespace loom {

uint64_t getWeightChecksum(llvm::StringRef name, int dtype,
                           llvm::ArrayRef<int64_t> shape) {
  std::string text = name.str();
  text.push_back('\0');
  text += std::to_string(dtype);
  text.push_back('\0');
  for (auto [i, d] : llvm::enumerate(shape))
    text += (i ? "," : "") + std::to_string(d);
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

llvm::StringRef getSafetensorsDType(int dtype) {
  switch (dtype) {
  case 1:
    return "F32";
  case 2:
    return "U8";
  case 3:
    return "I8";
  case 4:
    return "U16";
  case 5:
    return "I16";
  case 6:
    return "I32";
  case 7:
    return "I64";
  case 9:
    return "BOOL";
  case 10:
    return "F16";
  case 11:
    return "F64";
  case 12:
    return "U32";
  case 13:
    return "U64";
  case 16:
    return "BF16";
  default:
    return "";
  }
}

static void writeJsonString(llvm::raw_ostream &os, llvm::StringRef text) {
  os << '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\')
      os << '\\' << c;
    else if (c < 0x20)
      os << "\\u00" << llvm::hexdigit(c >> 4, true)
         << llvm::hexdigit(c & 15, true);
    else
      os << c;
  }
  os << '"';
}

LogicalResult writeWeightsFile(llvm::StringRef path,
                               llvm::ArrayRef<WeightTensor> tensors,
                               std::string &error) {
  std::vector<size_t> order(tensors.size());
  std::iota(order.begin(), order.end(), 0);
  auto rank = [&](size_t i) {
    const WeightTensor &t = tensors[i];
    bool aligned = t.data.size() % 64 == 0;
    return std::make_tuple(!aligned, -t.elementBytes, t.name);
  };
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return rank(a) < rank(b); });

  std::string header;
  llvm::raw_string_ostream os(header);
  os << "{\"__metadata__\":{\"producer\":\"loomc\"}";
  uint64_t offset = 0;
  for (size_t i : order) {
    const WeightTensor &t = tensors[i];
    llvm::StringRef dtype = getSafetensorsDType(t.dtype);
    if (dtype.empty()) {
      error = "tensor '" + t.name + "' has dtype " + std::to_string(t.dtype) +
              ", which safetensors cannot hold";
      return failure();
    }
    os << ',';
    writeJsonString(os, t.name);
    os << ":{\"dtype\":\"" << dtype << "\",\"shape\":[";
    for (auto [k, d] : llvm::enumerate(t.shape))
      os << (k ? "," : "") << d;
    os << "],\"data_offsets\":[" << offset << ',' << offset + t.data.size()
       << "]}";
    offset += t.data.size();
  }
  os << '}';
  // Spaces after the JSON (the format allows them) align the data.
  while ((8 + header.size()) % 64)
    header.push_back(' ');

  std::string temporary = (path + ".tmp").str();
  {
    std::error_code ec;
    llvm::raw_fd_ostream file(temporary, ec);
    if (ec) {
      error = ec.message();
      return failure();
    }
    uint64_t size = header.size();
    char prefix[8];
    for (int i = 0; i < 8; ++i)
      prefix[i] = static_cast<char>(size >> (8 * i));
    file.write(prefix, 8);
    file << header;
    for (size_t i : order)
      file.write(tensors[i].data.data(), tensors[i].data.size());
    file.close();
    if (file.has_error()) {
      error = file.error().message();
      file.clear_error();
      llvm::sys::fs::remove(temporary);
      return failure();
    }
  }
  if (std::error_code ec = llvm::sys::fs::rename(temporary, path)) {
    error = ec.message();
    llvm::sys::fs::remove(temporary);
    return failure();
  }
  return success();
}

} // namespace loom
