//===- Weights.cpp - A model's weights, mapped from their file ------------===//
//
// Part of Loom's runtime. See Weights.h; the format in docs/weights.md.
//
//===----------------------------------------------------------------------===//

#include "Weights.h"
#include "RuntimeInternal.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace loom::rt;

namespace {

/// A tensor as the file's header describes it.
struct FileTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

/// Just enough JSON for a safetensors header: an object of objects whose
/// values are strings, arrays of integers, or (in __metadata__) strings.
class HeaderParser {
public:
  HeaderParser(const char *text, size_t size) : at(text), end(text + size) {}

  bool parse(std::map<std::string, FileTensor> &tensors, std::string &error) {
    if (!consume('{'))
      return fail(error, "the header is not a JSON object");
    if (consume('}'))
      return true;
    do {
      std::string name;
      if (!string(name) || !consume(':'))
        return fail(error, "malformed header (expected \"name\": ...)");
      if (name == "__metadata__") {
        if (!skipStringMap())
          return fail(error, "malformed __metadata__ (must map strings to "
                             "strings)");
        continue;
      }
      FileTensor tensor;
      if (!tensorInfo(tensor))
        return fail(error, "malformed entry for tensor '" + name + "'");
      if (!tensors.emplace(name, tensor).second)
        return fail(error, "tensor '" + name + "' appears twice");
    } while (consume(','));
    if (!consume('}'))
      return fail(error, "malformed header (expected ',' or '}')");
    skipSpace();
    if (at != end)
      return fail(error, "the header has text after its JSON object");
    return true;
  }

private:
  const char *at, *end;

  static bool fail(std::string &error, const std::string &message) {
    error = message;
    return false;
  }
  void skipSpace() {
    while (at < end &&
           (*at == ' ' || *at == '\n' || *at == '\r' || *at == '\t'))
      ++at;
  }
  bool consume(char c) {
    skipSpace();
    if (at < end && *at == c) {
      ++at;
      return true;
    }
    return false;
  }
  bool string(std::string &out) {
    if (!consume('"'))
      return false;
    while (at < end && *at != '"') {
      char c = *at++;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at >= end)
        return false;
      char e = *at++;
      switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        if (end - at < 4)
          return false;
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
          char h = *at++;
          int digit = h >= '0' && h <= '9'   ? h - '0'
                      : h >= 'a' && h <= 'f' ? h - 'a' + 10
                      : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                             : -1;
          if (digit < 0)
            return false;
          code = code * 16 + digit;
        }
        // UTF-8 (surrogate pairs are not needed for tensor names).
        if (code < 0x80) {
          out += static_cast<char>(code);
        } else if (code < 0x800) {
          out += static_cast<char>(0xc0 | (code >> 6));
          out += static_cast<char>(0x80 | (code & 0x3f));
        } else {
          out += static_cast<char>(0xe0 | (code >> 12));
          out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
          out += static_cast<char>(0x80 | (code & 0x3f));
        }
        break;
      }
      default:
        return false;
      }
    }
    return consume('"');
  }
  bool integer(int64_t &out) {
    skipSpace();
    const char *start = at;
    while (at < end && *at >= '0' && *at <= '9')
      ++at;
    if (at == start || at - start > 18)
      return false;
    out = std::strtoll(std::string(start, at).c_str(), nullptr, 10);
    return true;
  }
  bool integers(std::vector<int64_t> &out) {
    if (!consume('['))
      return false;
    if (consume(']'))
      return true;
    do {
      int64_t v;
      if (!integer(v))
        return false;
      out.push_back(v);
    } while (consume(','));
    return consume(']');
  }
  bool skipStringMap() {
    if (!consume('{'))
      return false;
    if (consume('}'))
      return true;
    do {
      std::string key, value;
      if (!string(key) || !consume(':') || !string(value))
        return false;
    } while (consume(','));
    return consume('}');
  }
  bool tensorInfo(FileTensor &tensor) {
    if (!consume('{'))
      return false;
    bool dtype = false, shape = false, offsets = false;
    do {
      std::string key;
      if (!string(key) || !consume(':'))
        return false;
      if (key == "dtype") {
        dtype = string(tensor.dtype);
        if (!dtype)
          return false;
      } else if (key == "shape") {
        shape = integers(tensor.shape);
        if (!shape)
          return false;
      } else if (key == "data_offsets") {
        std::vector<int64_t> range;
        offsets = integers(range) && range.size() == 2 && range[0] <= range[1];
        if (!offsets)
          return false;
        tensor.begin = range[0];
        tensor.end = range[1];
      } else {
        return false;
      }
    } while (consume(','));
    return consume('}') && dtype && shape && offsets;
  }
};

const char *safetensorsName(loom_dtype dtype) {
  switch (dtype) {
  case LOOM_DTYPE_F32:
    return "F32";
  case LOOM_DTYPE_U8:
    return "U8";
  case LOOM_DTYPE_I8:
    return "I8";
  case LOOM_DTYPE_U16:
    return "U16";
  case LOOM_DTYPE_I16:
    return "I16";
  case LOOM_DTYPE_I32:
    return "I32";
  case LOOM_DTYPE_I64:
    return "I64";
  case LOOM_DTYPE_BOOL:
    return "BOOL";
  case LOOM_DTYPE_F16:
    return "F16";
  case LOOM_DTYPE_F64:
    return "F64";
  case LOOM_DTYPE_U32:
    return "U32";
  case LOOM_DTYPE_U64:
    return "U64";
  case LOOM_DTYPE_BF16:
    return "BF16";
  default:
    return "";
  }
}

loom_dtype dtypeOfName(const std::string &name) {
  for (int code = 1; code <= 16; ++code) {
    loom_dtype dtype = dtypeFromCode(code);
    if (dtype != LOOM_DTYPE_INVALID && name == safetensorsName(dtype))
      return dtype;
  }
  return LOOM_DTYPE_INVALID;
}

std::string formatDims(const std::vector<int64_t> &dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

} // namespace

uint64_t loom::rt::weightChecksum(const std::string &name, int dtype,
                                  const std::vector<int64_t> &shape) {
  std::string text = name;
  text.push_back('\0');
  text += std::to_string(dtype);
  text.push_back('\0');
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "," : "") + std::to_string(shape[i]);
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

loom_status Weights::open(const std::string &path,
                          const WeightsManifest &manifest,
                          void (*forget)(const void *, size_t),
                          std::unique_ptr<Weights> &out) {
  const char *file = path.c_str();
  int fd = ::open(file, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(LOOM_ERROR_IO, "weights file %s: cannot open it: %s", file,
                std::strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return fail(LOOM_ERROR_IO, "weights file %s: not a regular file", file);
  }
  uint64_t fileBytes = static_cast<uint64_t>(info.st_size);
  unsigned char prefix[8];
  if (fileBytes < 8 || pread(fd, prefix, 8, 0) != 8) {
    ::close(fd);
    return fail(LOOM_ERROR_IO,
                "weights file %s: too short for a safetensors header", file);
  }
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i)
    headerBytes = headerBytes << 8 | prefix[i];
  if (headerBytes > fileBytes - 8 || headerBytes > (100u << 20)) {
    ::close(fd);
    return fail(LOOM_ERROR_IO,
                "weights file %s: its header claims %llu bytes, the file has "
                "%llu: not a safetensors file",
                file, static_cast<unsigned long long>(headerBytes),
                static_cast<unsigned long long>(fileBytes));
  }
  std::string header(headerBytes, '\0');
  if (pread(fd, header.data(), headerBytes, 8) !=
      static_cast<ssize_t>(headerBytes)) {
    ::close(fd);
    return fail(LOOM_ERROR_IO, "weights file %s: cannot read its header", file);
  }
  std::map<std::string, FileTensor> tensors;
  std::string error;
  if (!HeaderParser(header.data(), header.size()).parse(tensors, error)) {
    ::close(fd);
    return fail(LOOM_ERROR_IO, "weights file %s: %s", file, error.c_str());
  }
  uint64_t dataStart = 8 + headerBytes, dataBytes = fileBytes - dataStart;

  auto weights = std::unique_ptr<Weights>(new Weights());
  weights->filePath = path;
  weights->manifest = &manifest;
  weights->forget = forget;
  weights->tensorOffset.resize(manifest.tensors.size());
  std::map<std::string, bool> expected;
  for (size_t i = 0; i < manifest.tensors.size(); ++i) {
    const WeightsManifest::Tensor &want = manifest.tensors[i];
    expected[want.name] = true;
    auto found = tensors.find(want.name);
    if (found == tensors.end()) {
      ::close(fd);
      return fail(LOOM_ERROR_INVALID_ARGUMENT,
                  "weights file %s has no tensor '%s' (%s %s), which the "
                  "model needs",
                  file, want.name.c_str(), loom_dtype_name(want.dtype),
                  formatDims(want.shape).c_str());
    }
    const FileTensor &have = found->second;
    loom_dtype dtype = dtypeOfName(have.dtype);
    if (weightChecksum(want.name, dtype, have.shape) != want.checksum) {
      ::close(fd);
      return fail(LOOM_ERROR_INVALID_ARGUMENT,
                  "weights file %s: tensor '%s' is %s %s, the model needs %s "
                  "%s",
                  file, want.name.c_str(),
                  dtype ? loom_dtype_name(dtype) : have.dtype.c_str(),
                  formatDims(have.shape).c_str(), loom_dtype_name(want.dtype),
                  formatDims(want.shape).c_str());
    }
    uint64_t bytes = loom_dtype_size(dtype);
    for (int64_t d : have.shape)
      bytes *= static_cast<uint64_t>(d);
    if (have.end - have.begin != bytes || have.end > dataBytes) {
      ::close(fd);
      return fail(LOOM_ERROR_IO,
                  "weights file %s: tensor '%s' has bytes [%llu, %llu) of "
                  "%llu, but %s %s takes %llu",
                  file, want.name.c_str(),
                  static_cast<unsigned long long>(have.begin),
                  static_cast<unsigned long long>(have.end),
                  static_cast<unsigned long long>(dataBytes),
                  loom_dtype_name(dtype), formatDims(have.shape).c_str(),
                  static_cast<unsigned long long>(bytes));
    }
    weights->tensorOffset[i] = dataStart + have.begin;
  }
  for (const auto &[name, tensor] : tensors)
    if (!expected.count(name)) {
      ::close(fd);
      return fail(LOOM_ERROR_INVALID_ARGUMENT,
                  "weights file %s has tensor '%s' (%s %s), which the model "
                  "does not have",
                  file, name.c_str(), tensor.dtype.c_str(),
                  formatDims(tensor.shape).c_str());
    }
  if (fileBytes > 0) {
    void *map = mmap(nullptr, fileBytes, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
      ::close(fd);
      return fail(LOOM_ERROR_IO, "weights file %s: cannot map it: %s", file,
                  std::strerror(errno));
    }
    // Pages are read where a use touches them, never ahead: a rank that
    // maps the whole file holds only its parts.
    madvise(map, fileBytes, MADV_RANDOM);
    weights->map = static_cast<char *>(map);
    weights->mapBytes = fileBytes;
  }
  ::close(fd);
  weights->resolved = std::vector<std::atomic<void *>>(manifest.uses.size());
  out = std::move(weights);
  return LOOM_OK;
}

Weights::~Weights() {
  if (forget) {
    if (map)
      forget(map, mapBytes);
    for (auto &[data, bytes] : copies)
      forget(data, bytes);
  }
  for (auto &[data, bytes] : copies)
    std::free(data);
  if (map)
    munmap(map, mapBytes);
}

void *Weights::resolve(int64_t index, loom_error_record *error) {
  auto report = [&](loom_status status, const std::string &message) {
    *error = loom_error_record{};
    error->status = status;
    error->kind = LOOM_CHECK_RUNTIME;
    error->operand = -1;
    std::snprintf(error->message, sizeof(error->message), "%s",
                  message.c_str());
    return nullptr;
  };
  if (index < 0 || static_cast<size_t>(index) >= resolved.size())
    return report(LOOM_ERROR_RUNTIME, "the model asks for weight use " +
                                          std::to_string(index) +
                                          ", its signature lists " +
                                          std::to_string(resolved.size()));
  if (void *known = resolved[index].load(std::memory_order_acquire))
    return known;
  std::lock_guard<std::mutex> lock(mutex);
  if (void *known = resolved[index].load(std::memory_order_acquire))
    return known;
  const WeightsManifest::Use &use = manifest->uses[index];
  const WeightsManifest::Tensor &tensor = manifest->tensors[use.tensor];
  size_t element = loom_dtype_size(tensor.dtype);
  size_t rank = tensor.shape.size();
  std::vector<int64_t> strides(rank, 1);
  for (size_t d = rank; d-- > 1;)
    strides[d - 1] = strides[d] * tensor.shape[d];
  uint64_t first = 0, bytes = element;
  for (size_t d = 0; d < rank; ++d) {
    first += use.offsets[d] * strides[d];
    bytes *= use.sizes[d];
  }
  // Contiguous in the file: the dims after the last one cut are whole,
  // the dims before it single rows.
  bool contiguous = true;
  size_t last = rank;
  for (size_t d = 0; d < rank; ++d)
    if (use.sizes[d] != tensor.shape[d])
      last = d;
  for (size_t d = 0; d < last && last < rank; ++d)
    contiguous &= use.sizes[d] == 1;
  uint64_t at = tensorOffset[use.tensor] + first * element;
  bool aligned = at % element == 0;
  void *address;
  if (contiguous && aligned) {
    address = map + at;
    mapped.push_back({at, at + bytes});
  } else {
    void *copy = nullptr;
    if (posix_memalign(&copy, 64, bytes ? bytes : 1) != 0)
      return report(LOOM_ERROR_OUT_OF_MEMORY,
                    "weight '" + tensor.name +
                        "': out of memory for its part "
                        "of " +
                        std::to_string(bytes) + " bytes");
    // Row by row along the innermost dim, counting the outer dims.
    char *out = static_cast<char *>(copy);
    const char *in = map + tensorOffset[use.tensor];
    size_t row = (rank ? use.sizes[rank - 1] : 1) * element;
    uint64_t rows = rank && row ? bytes / row : (bytes ? 1 : 0);
    std::vector<int64_t> index(rank, 0);
    for (uint64_t r = 0; r < rows; ++r) {
      uint64_t offset = 0;
      for (size_t d = 0; d < rank; ++d)
        offset += (use.offsets[d] + index[d]) * strides[d];
      std::memcpy(out, in + offset * element, row);
      out += row;
      for (size_t d = rank - 1; d-- > 0;) {
        if (++index[d] < use.sizes[d])
          break;
        index[d] = 0;
      }
    }
    // The pages read for the copy are not this process's to keep.
    uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    uint64_t whole = element;
    for (int64_t d : tensor.shape)
      whole *= d;
    uint64_t begin = tensorOffset[use.tensor], end = begin + whole;
    uint64_t from = (begin + page - 1) / page * page, to = end / page * page;
    if (to > from)
      madvise(map + from, to - from, MADV_DONTNEED);
    copies.push_back({copy, bytes});
    address = copy;
  }
  resolved[index].store(address, std::memory_order_release);
  return address;
}

void *Weights::resolveCallback(void *weights, int64_t index,
                               loom_error_record *error) {
  return static_cast<Weights *>(weights)->resolve(index, error);
}

uint64_t Weights::residentBytes() {
  std::lock_guard<std::mutex> lock(mutex);
  uint64_t total = 0;
  for (auto &[data, bytes] : copies)
    total += bytes;
  // Mapped ranges, each byte once.
  std::vector<std::pair<uint64_t, uint64_t>> ranges = mapped;
  std::sort(ranges.begin(), ranges.end());
  uint64_t covered = 0;
  for (auto [begin, end] : ranges) {
    begin = std::max(begin, covered);
    if (end > begin)
      total += end - begin;
    covered = std::max(covered, end);
  }
  return total;
}
