//===- TensorIO.cpp - .npy and ONNX TensorProto files ---------------------===//
//
// Part of Loom's runtime. Both formats are parsed by hand (the runtime links
// neither protobuf nor anything else): NumPy's format 1.0-3.0 and the
// TensorProto fields ONNX's test data uses, packed or not.
//
//===----------------------------------------------------------------------===//

#include "RuntimeInternal.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

using namespace loom::rt;

namespace {

/// The bytes a tensor of `dtype` and `dims` holds, or more than any file
/// (2^64) when a dim is negative or the product overflows: what a reader
/// compares with the bytes it has before allocating.
unsigned __int128 shapeBytes(loom_dtype dtype,
                             const std::vector<int64_t> &dims) {
  unsigned __int128 bytes = loom_dtype_size(dtype);
  for (int64_t dim : dims) {
    if (dim < 0 || bytes > UINT64_MAX)
      return static_cast<unsigned __int128>(UINT64_MAX) + 1;
    bytes *= static_cast<uint64_t>(dim);
  }
  return bytes;
}

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

bool readWhole(const char *path, std::string &bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  bytes = buffer.str();
  return !in.bad();
}

struct TensorFree {
  void operator()(loom_tensor *t) const { loom_tensor_free(t); }
};
using TensorPtr = std::unique_ptr<loom_tensor, TensorFree>;

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

struct NpyType {
  const char *descr;
  loom_dtype dtype;
};
constexpr NpyType kNpyTypes[] = {
    {"f4", LOOM_DTYPE_F32}, {"f8", LOOM_DTYPE_F64}, {"f2", LOOM_DTYPE_F16},
    {"i1", LOOM_DTYPE_I8},  {"u1", LOOM_DTYPE_U8},  {"i2", LOOM_DTYPE_I16},
    {"u2", LOOM_DTYPE_U16}, {"i4", LOOM_DTYPE_I32}, {"u4", LOOM_DTYPE_U32},
    {"i8", LOOM_DTYPE_I64}, {"u8", LOOM_DTYPE_U64}, {"b1", LOOM_DTYPE_BOOL},
};

/// The value of `key` in NumPy's header dict, up to the next ',' or '}' (or
/// the matching ')' for tuples).
bool npyField(const std::string &header, const char *key, std::string &value) {
  size_t at = header.find(std::string("'") + key + "'");
  if (at == std::string::npos)
    return false;
  at = header.find(':', at);
  if (at == std::string::npos)
    return false;
  ++at;
  while (at < header.size() && header[at] == ' ')
    ++at;
  size_t end;
  if (at < header.size() && header[at] == '(') {
    end = header.find(')', at);
    if (end == std::string::npos)
      return false;
    ++end;
  } else {
    end = header.find_first_of(",}", at);
    if (end == std::string::npos)
      return false;
  }
  value = header.substr(at, end - at);
  return true;
}

loom_status readNpy(const char *path, const std::string &bytes,
                    loom_tensor **out) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    return fail(LOOM_ERROR_IO, "%s: not a .npy file", path);
  unsigned major = static_cast<unsigned char>(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(bytes[8]) |
                static_cast<unsigned char>(bytes[9]) << 8;
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail(LOOM_ERROR_IO, "%s: truncated .npy header", path);
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = headerLen << 8 | static_cast<unsigned char>(bytes[8 + i]);
    headerStart = 12;
  } else {
    return fail(LOOM_ERROR_IO, "%s: unsupported .npy version %u", path, major);
  }
  if (headerStart + headerLen > bytes.size())
    return fail(LOOM_ERROR_IO, "%s: truncated .npy header", path);
  std::string header = bytes.substr(headerStart, headerLen);
  std::string descr, order, shapeText;
  if (!npyField(header, "descr", descr) ||
      !npyField(header, "fortran_order", order) ||
      !npyField(header, "shape", shapeText))
    return fail(LOOM_ERROR_IO, "%s: malformed .npy header", path);
  if (order.compare(0, 4, "True") == 0)
    return fail(LOOM_ERROR_IO, "%s: Fortran-order arrays are not supported",
                path);
  // descr is a quoted string such as '<f4'.
  if (descr.size() < 5 ||
      (descr[1] != '<' && descr[1] != '|' && descr[1] != '='))
    return fail(LOOM_ERROR_IO,
                "%s: unsupported dtype %s (little-endian "
                "numbers and bools only)",
                path, descr.c_str());
  std::string code = descr.substr(2, descr.size() - 3);
  loom_dtype dtype = LOOM_DTYPE_INVALID;
  for (const NpyType &t : kNpyTypes)
    if (code == t.descr)
      dtype = t.dtype;
  if (dtype == LOOM_DTYPE_INVALID)
    return fail(LOOM_ERROR_IO, "%s: unsupported dtype %s", path, descr.c_str());
  std::vector<int64_t> shape;
  const char *p = shapeText.c_str() + 1;
  while (*p && *p != ')') {
    while (*p == ' ' || *p == ',')
      ++p;
    if (*p == ')' || !*p)
      break;
    char *end;
    long long dim = std::strtoll(p, &end, 10);
    if (end == p || dim < 0)
      return fail(LOOM_ERROR_IO, "%s: malformed shape %s", path,
                  shapeText.c_str());
    shape.push_back(dim);
    p = end;
  }
  size_t dataStart = headerStart + headerLen;
  // Check the bytes before allocating what the header only claims.
  if (shapeBytes(dtype, shape) > bytes.size() - dataStart)
    return fail(LOOM_ERROR_IO,
                "%s: holds %zu data bytes, fewer than its shape %s takes", path,
                bytes.size() - dataStart, shapeText.c_str());
  TensorPtr tensor(loom_tensor_create(dtype, static_cast<int32_t>(shape.size()),
                                      shape.data()));
  if (!tensor)
    return LOOM_ERROR_OUT_OF_MEMORY;
  size_t need = loom_tensor_nbytes(tensor.get());
  std::memcpy(loom_tensor_data(tensor.get()), bytes.data() + dataStart, need);
  *out = tensor.release();
  return LOOM_OK;
}

loom_status writeNpy(const char *path, const loom_tensor *tensor) {
  const char *code = nullptr;
  for (const NpyType &t : kNpyTypes)
    if (t.dtype == loom_tensor_dtype(tensor))
      code = t.descr;
  if (!code)
    return fail(LOOM_ERROR_INVALID_ARGUMENT, "%s: dtype %s has no .npy form",
                path, loom_dtype_name(loom_tensor_dtype(tensor)));
  // NumPy's tuple syntax: (), (3,) or (2, 3).
  std::string shape = "(";
  for (int32_t i = 0; i < loom_tensor_rank(tensor); ++i)
    shape += (i ? ", " : "") + std::to_string(loom_tensor_shape(tensor)[i]);
  shape += loom_tensor_rank(tensor) == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") +
                       (code[0] == 'b' || code[1] == '1' ? "|" : "<") + code +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces to a multiple of 64 bytes, newline-terminated.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  if (!out)
    return fail(LOOM_ERROR_IO, "%s: cannot open for writing", path);
  unsigned char preamble[10] = {0x93,
                                'N',
                                'U',
                                'M',
                                'P',
                                'Y',
                                1,
                                0,
                                static_cast<unsigned char>(header.size()),
                                static_cast<unsigned char>(header.size() >> 8)};
  out.write(reinterpret_cast<const char *>(preamble), 10);
  out << header;
  out.write(static_cast<const char *>(
                loom_tensor_data(const_cast<loom_tensor *>(tensor))),
            loom_tensor_nbytes(tensor));
  if (!out)
    return fail(LOOM_ERROR_IO, "%s: write failed", path);
  return LOOM_OK;
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto (.pb)
//===----------------------------------------------------------------------===//

/// A protobuf wire-format reader over a byte range.
struct Wire {
  const unsigned char *p, *end;
  bool ok = true;

  bool atEnd() const { return p >= end; }
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) {
        ok = false;
        return 0;
      }
      unsigned char byte = *p++;
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80))
        return value;
    }
    ok = false;
    return 0;
  }
  /// A length-delimited field's bytes.
  Wire sub() {
    uint64_t length = varint();
    if (!ok || length > static_cast<uint64_t>(end - p)) {
      ok = false;
      return Wire{p, p};
    }
    Wire inner{p, p + length};
    p += length;
    return inner;
  }
  void fixed(void *out, size_t n) {
    if (static_cast<size_t>(end - p) < n) {
      ok = false;
      return;
    }
    std::memcpy(out, p, n);
    p += n;
  }
  void skip(unsigned wireType) {
    switch (wireType) {
    case 0:
      varint();
      break;
    case 1:
      p = static_cast<size_t>(end - p) >= 8 ? p + 8 : (ok = false, end);
      break;
    case 2:
      sub();
      break;
    case 5:
      p = static_cast<size_t>(end - p) >= 4 ? p + 4 : (ok = false, end);
      break;
    default:
      ok = false;
    }
  }
};

/// Appends the values of a repeated scalar field, packed or not.
template <typename Read>
void readRepeated(Wire &w, unsigned wireType, unsigned scalarWireType,
                  Read read) {
  if (wireType == 2) {
    Wire packed = w.sub();
    while (w.ok && packed.ok && !packed.atEnd())
      read(packed);
    w.ok = w.ok && packed.ok;
  } else if (wireType == scalarWireType) {
    read(w);
  } else {
    w.ok = false;
  }
}

template <typename T>
void appendBytes(std::string &out, T value) {
  out.append(reinterpret_cast<const char *>(&value), sizeof(T));
}

loom_status readPb(const char *path, const std::string &bytes,
                   loom_tensor **out) {
  Wire w{reinterpret_cast<const unsigned char *>(bytes.data()),
         reinterpret_cast<const unsigned char *>(bytes.data()) + bytes.size()};
  std::vector<int64_t> dims;
  int64_t dataType = 0;
  std::string raw, typed;
  bool hasRaw = false;
  int64_t typedCount = 0;
  int64_t location = 0;
  while (w.ok && !w.atEnd()) {
    uint64_t key = w.varint();
    unsigned field = key >> 3, wireType = key & 7;
    if (!w.ok)
      break;
    switch (field) {
    case 1:
      readRepeated(w, wireType, 0, [&](Wire &r) {
        dims.push_back(static_cast<int64_t>(r.varint()));
      });
      break;
    case 2:
      dataType = static_cast<int64_t>(w.varint());
      break;
    case 4: // float_data
      readRepeated(w, wireType, 5, [&](Wire &r) {
        float v;
        r.fixed(&v, 4);
        appendBytes(typed, v);
        ++typedCount;
      });
      break;
    case 10: // double_data
      readRepeated(w, wireType, 1, [&](Wire &r) {
        double v;
        r.fixed(&v, 8);
        appendBytes(typed, v);
        ++typedCount;
      });
      break;
    case 5:  // int32_data: int32 and narrower types, as their values
    case 7:  // int64_data
    case 11: // uint64_data
      readRepeated(w, wireType, 0, [&](Wire &r) {
        uint64_t v = r.varint();
        size_t size = loom_dtype_size(dtypeFromCode(dataType));
        if (size == 0)
          size = 8;
        typed.append(reinterpret_cast<const char *>(&v), size);
        ++typedCount;
      });
      break;
    case 9: {
      Wire data = w.sub();
      raw.assign(reinterpret_cast<const char *>(data.p), data.end - data.p);
      hasRaw = true;
      break;
    }
    case 14:
      location = static_cast<int64_t>(w.varint());
      break;
    default:
      w.skip(wireType);
    }
  }
  if (!w.ok)
    return fail(LOOM_ERROR_IO, "%s: malformed TensorProto", path);
  if (location == 1)
    return fail(LOOM_ERROR_IO, "%s: external data is not supported", path);
  loom_dtype dtype = dtypeFromCode(dataType);
  if (loom_dtype_size(dtype) == 0)
    return fail(LOOM_ERROR_IO, "%s: unsupported data_type %lld", path,
                static_cast<long long>(dataType));
  // The bytes the shape needs, before allocating them: a file declaring a
  // huge shape over a few bytes is malformed, not a reason to allocate.
  const std::string &data = hasRaw ? raw : typed;
  if (shapeBytes(dtype, dims) != data.size())
    return fail(LOOM_ERROR_IO,
                "%s: holds %zu data bytes, which its shape does not take", path,
                data.size());
  TensorPtr tensor(loom_tensor_create(dtype, static_cast<int32_t>(dims.size()),
                                      dims.data()));
  if (!tensor)
    return LOOM_ERROR_IO;
  std::memcpy(loom_tensor_data(tensor.get()), data.data(), data.size());
  *out = tensor.release();
  return LOOM_OK;
}

void putVarint(std::string &out, uint64_t value) {
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

loom_status writePb(const char *path, const loom_tensor *tensor) {
  std::string out, dims;
  for (int32_t i = 0; i < loom_tensor_rank(tensor); ++i)
    putVarint(dims, static_cast<uint64_t>(loom_tensor_shape(tensor)[i]));
  if (!dims.empty()) {
    putVarint(out, 1 << 3 | 2);
    putVarint(out, dims.size());
    out += dims;
  }
  putVarint(out, 2 << 3 | 0);
  putVarint(out, static_cast<uint64_t>(loom_tensor_dtype(tensor)));
  putVarint(out, 9 << 3 | 2);
  putVarint(out, loom_tensor_nbytes(tensor));
  out.append(static_cast<const char *>(
                 loom_tensor_data(const_cast<loom_tensor *>(tensor))),
             loom_tensor_nbytes(tensor));
  std::ofstream file(path, std::ios::binary);
  if (!file || !file.write(out.data(), out.size()))
    return fail(LOOM_ERROR_IO, "%s: cannot write", path);
  return LOOM_OK;
}

} // namespace

extern "C" {

loom_status loom_tensor_read_file(const char *path, loom_tensor **out) {
  *out = nullptr;
  std::string name(path), bytes;
  if (!endsWith(name, ".npy") && !endsWith(name, ".pb"))
    return fail(LOOM_ERROR_IO, "%s: expected a .npy or .pb file", path);
  if (!readWhole(path, bytes))
    return fail(LOOM_ERROR_IO, "%s: cannot read: %s", path,
                std::strerror(errno));
  return endsWith(name, ".npy") ? readNpy(path, bytes, out)
                                : readPb(path, bytes, out);
}

loom_status loom_tensor_write_file(const char *path,
                                   const loom_tensor *tensor) {
  std::string name(path);
  if (loom_tensor_device_kind(tensor) != LOOM_DEVICE_CPU)
    return fail(LOOM_ERROR_INVALID_ARGUMENT,
                "%s: the tensor is in device memory; copy it to the host "
                "first",
                path);
  if (endsWith(name, ".npy"))
    return writeNpy(path, tensor);
  if (endsWith(name, ".pb"))
    return writePb(path, tensor);
  return fail(LOOM_ERROR_IO, "%s: expected a .npy or .pb file", path);
}

} // extern "C"
