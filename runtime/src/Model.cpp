//===- Model.cpp - Loading and running compiled models --------------------===//
//
// Part of Loom's runtime. A compiled model exports its interface as text
// (`loom_model_signature`) and one entry point taking MLIR memref
// descriptors (`loom_model_entry`); this file checks inputs against the
// signature, builds the descriptors and turns the results into tensors.
//
//===----------------------------------------------------------------------===//

#include "RuntimeInternal.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <sstream>
#include <thread>

using namespace loom::rt;

namespace {

struct Port {
  std::string name;
  loom_dtype dtype = LOOM_DTYPE_INVALID;
  std::vector<int64_t> shape;        // -1 where unknown
  std::vector<std::string> dimNames; // "" where anonymous or static
};

/// Undoes the %XX escapes the compiler writes in names.
std::string unescape(const std::string &text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(
          std::strtol(text.substr(i + 1, 2).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

/// Parses the signature; `version` is what its first line says (0 when it
/// has none), and false is returned for any other version too.
bool parseSignature(const char *text, int &version, std::vector<Port> &inputs,
                    std::vector<Port> &outputs) {
  std::istringstream in(text);
  std::string magic;
  version = 0;
  if (!(in >> magic >> version) || magic != "loom-model" ||
      version != LOOM_ABI_VERSION)
    return false;
  std::string kind;
  while (in >> kind) {
    Port port;
    std::string name;
    int dtype = 0, rank = 0;
    if ((kind != "input" && kind != "output") ||
        !(in >> name >> dtype >> rank) || rank < 0)
      return false;
    port.name = unescape(name);
    port.dtype = dtypeFromCode(dtype);
    if (port.dtype == LOOM_DTYPE_INVALID)
      return false;
    for (int i = 0; i < rank; ++i) {
      std::string dim;
      if (!(in >> dim))
        return false;
      if (dim[0] == '?') {
        port.shape.push_back(-1);
        port.dimNames.push_back(unescape(dim.substr(1)));
      } else {
        port.shape.push_back(std::strtoll(dim.c_str(), nullptr, 10));
        port.dimNames.emplace_back();
      }
    }
    (kind == "input" ? inputs : outputs).push_back(std::move(port));
  }
  return true;
}

std::atomic<int32_t> numThreads{0};

} // namespace

struct loom_model {
  void *library = nullptr; // dlopen handle, or null when linked in
  int32_t (*entry)(loom_run_context *, void **, void **) = nullptr;
  /// The kernel library's thread setting, when the model uses it.
  void (*setKernelThreads)(int32_t) = nullptr;
  std::vector<Port> inputs, outputs;
};

namespace {

loom_status finishOpen(loom_model *model, const char *signature,
                       const char *what, loom_model **out) {
  if (!signature || !model->entry) {
    delete model;
    return fail(LOOM_ERROR_IO, "%s: not a Loom model (no loom_model_entry)",
                what);
  }
  int version = 0;
  if (!parseSignature(signature, version, model->inputs, model->outputs)) {
    delete model;
    if (version > 0 && version != LOOM_ABI_VERSION)
      return fail(LOOM_ERROR_UNSUPPORTED,
                  "%s: compiled for Loom's model ABI %d, but this runtime "
                  "runs ABI %d: compile it again with this loomc",
                  what, version, LOOM_ABI_VERSION);
    return fail(LOOM_ERROR_IO, "%s: malformed model signature", what);
  }
  *out = model;
  return LOOM_OK;
}

std::string formatShape(const int64_t *dims, size_t rank) {
  std::string text = "[";
  for (size_t i = 0; i < rank; ++i)
    text += (i ? ", " : "") +
            (dims[i] < 0 ? std::string("?") : std::to_string(dims[i]));
  return text + "]";
}

void freeResult(void *allocated) { std::free(allocated); }

} // namespace

extern "C" {

loom_status loom_model_open(const char *path, loom_model **out) {
  *out = nullptr;
  // A bare name would make dlopen search the library path, not the
  // current directory.
  std::string file = std::strchr(path, '/') ? path : std::string("./") + path;
  void *library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library)
    return fail(LOOM_ERROR_IO, "%s: cannot load: %s", path, dlerror());
  auto *model = new loom_model;
  model->library = library;
  model->entry =
      reinterpret_cast<int32_t (*)(loom_run_context *, void **, void **)>(
          dlsym(library, "loom_model_entry"));
  model->setKernelThreads = reinterpret_cast<void (*)(int32_t)>(
      dlsym(library, "loom_kernels_set_num_threads"));
  auto *signature =
      static_cast<const char *>(dlsym(library, "loom_model_signature"));
  loom_status status = finishOpen(model, signature, path, out);
  if (status != LOOM_OK)
    dlclose(library);
  return status;
}

loom_status loom_model_open_linked(loom_model **out) {
  *out = nullptr;
  auto *model = new loom_model;
  model->entry = loom_model_entry;
  model->setKernelThreads = loom_kernels_set_num_threads;
  return finishOpen(model, loom_model_signature, "this executable", out);
}

void loom_model_close(loom_model *model) {
  if (!model)
    return;
  if (model->library)
    dlclose(model->library);
  delete model;
}

size_t loom_model_num_inputs(const loom_model *m) { return m->inputs.size(); }
size_t loom_model_num_outputs(const loom_model *m) { return m->outputs.size(); }

#define LOOM_PORT_ACCESSORS(kind, list)                                        \
  const char *loom_model_##kind##_name(const loom_model *m, size_t i) {        \
    return i < m->list.size() ? m->list[i].name.c_str() : nullptr;             \
  }                                                                            \
  loom_dtype loom_model_##kind##_dtype(const loom_model *m, size_t i) {        \
    return i < m->list.size() ? m->list[i].dtype : LOOM_DTYPE_INVALID;         \
  }                                                                            \
  int32_t loom_model_##kind##_rank(const loom_model *m, size_t i) {            \
    return i < m->list.size() ? static_cast<int32_t>(m->list[i].shape.size())  \
                              : -1;                                            \
  }                                                                            \
  const int64_t *loom_model_##kind##_shape(const loom_model *m, size_t i) {    \
    return i < m->list.size() ? m->list[i].shape.data() : nullptr;             \
  }
LOOM_PORT_ACCESSORS(input, inputs)
LOOM_PORT_ACCESSORS(output, outputs)
#undef LOOM_PORT_ACCESSORS

loom_status loom_model_run(loom_model *model, loom_tensor *const *inputs,
                           size_t numInputs, loom_tensor **outputs,
                           size_t numOutputs) {
  for (size_t i = 0; i < numOutputs; ++i)
    outputs[i] = nullptr;
  if (numInputs != model->inputs.size())
    return fail(LOOM_ERROR_INVALID_ARGUMENT,
                "the model takes %zu inputs, got %zu", model->inputs.size(),
                numInputs);
  if (numOutputs != model->outputs.size())
    return fail(LOOM_ERROR_INVALID_ARGUMENT,
                "the model gives %zu outputs, room was made for %zu",
                model->outputs.size(), numOutputs);
  // Check every input before running anything; bind symbolic dims.
  std::map<std::string, std::pair<int64_t, std::string>> symbols;
  std::vector<std::vector<int64_t>> descriptors(numInputs);
  std::vector<void *> inputPtrs(numInputs);
  for (size_t i = 0; i < numInputs; ++i) {
    const Port &port = model->inputs[i];
    loom_tensor *t = inputs[i];
    if (!t)
      return fail(LOOM_ERROR_INVALID_ARGUMENT, "input '%s' is missing",
                  port.name.c_str());
    if (loom_tensor_dtype(t) != port.dtype)
      return fail(LOOM_ERROR_INVALID_ARGUMENT, "input '%s' must be %s, got %s",
                  port.name.c_str(), loom_dtype_name(port.dtype),
                  loom_dtype_name(loom_tensor_dtype(t)));
    size_t rank = port.shape.size();
    const int64_t *dims = loom_tensor_shape(t);
    bool shapeOk = static_cast<size_t>(loom_tensor_rank(t)) == rank;
    for (size_t d = 0; shapeOk && d < rank; ++d)
      shapeOk = port.shape[d] < 0 || port.shape[d] == dims[d];
    if (!shapeOk)
      return fail(LOOM_ERROR_INVALID_ARGUMENT,
                  "input '%s' must have shape %s, got %s", port.name.c_str(),
                  formatShape(port.shape.data(), rank).c_str(),
                  formatShape(dims, loom_tensor_rank(t)).c_str());
    for (size_t d = 0; d < rank; ++d) {
      const std::string &symbol = port.dimNames[d];
      if (symbol.empty())
        continue;
      auto [it, inserted] = symbols.try_emplace(
          symbol, dims[d], port.name + " dim " + std::to_string(d));
      if (!inserted && it->second.first != dims[d])
        return fail(LOOM_ERROR_INVALID_ARGUMENT,
                    "input '%s' has dim %zu ('%s') of size %lld, but %s "
                    "gives it size %lld",
                    port.name.c_str(), d, symbol.c_str(),
                    static_cast<long long>(dims[d]), it->second.second.c_str(),
                    static_cast<long long>(it->second.first));
    }
    // A ranked memref descriptor: allocated, aligned, offset, sizes, strides.
    std::vector<int64_t> &desc = descriptors[i];
    desc.resize(3 + 2 * rank);
    void *data = loom_tensor_data(t);
    std::memcpy(&desc[0], &data, sizeof(void *));
    std::memcpy(&desc[1], &data, sizeof(void *));
    desc[2] = 0;
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      desc[3 + d] = dims[d];
      desc[3 + rank + d] = stride;
      stride *= dims[d];
    }
    inputPtrs[i] = desc.data();
  }
  std::vector<std::vector<int64_t>> results(numOutputs);
  std::vector<void *> resultPtrs(numOutputs);
  for (size_t i = 0; i < numOutputs; ++i) {
    results[i].assign(3 + 2 * model->outputs[i].shape.size(), 0);
    resultPtrs[i] = results[i].data();
  }
  if (model->setKernelThreads)
    model->setKernelThreads(loom_get_num_threads());
  loom_error_record record{};
  loom_run_context context{};
  context.abi_version = LOOM_ABI_VERSION;
  context.struct_size = sizeof(context);
  context.error = &record;
  context.device_kind = LOOM_DEVICE_CPU;
  // On failure the model has freed every buffer of the run: no output to
  // adopt.
  if (model->entry(&context, inputPtrs.data(), resultPtrs.data()) != LOOM_OK)
    return failWithRecord(record);

  // Adopt each result's buffer, unless it is not the model's to give (a
  // global, or a buffer already adopted): then copy it.
  std::vector<void *> adopted;
  for (size_t i = 0; i < numOutputs; ++i) {
    const Port &port = model->outputs[i];
    size_t rank = port.shape.size();
    const std::vector<int64_t> &desc = results[i];
    void *allocated, *aligned;
    std::memcpy(&allocated, &desc[0], sizeof(void *));
    std::memcpy(&aligned, &desc[1], sizeof(void *));
    size_t elementSize = loom_dtype_size(port.dtype);
    char *data = static_cast<char *>(aligned) + desc[2] * elementSize;
    std::vector<int64_t> dims(desc.begin() + 3, desc.begin() + 3 + rank);
    bool contiguous = true;
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      if (dims[d] != 1 && desc[3 + rank + d] != stride)
        contiguous = false;
      stride *= dims[d];
    }
    bool owned =
        allocated && allocated != reinterpret_cast<void *>(0xdeadbeef) &&
        std::find(adopted.begin(), adopted.end(), allocated) == adopted.end();
    loom_tensor *tensor;
    if (owned && contiguous) {
      tensor = loom_tensor_wrap(port.dtype, static_cast<int32_t>(rank),
                                dims.data(), data, freeResult, allocated);
      adopted.push_back(allocated);
    } else {
      tensor = loom_tensor_create(port.dtype, static_cast<int32_t>(rank),
                                  dims.data());
      if (tensor) {
        // Copy element by element along the strides.
        char *dst = static_cast<char *>(loom_tensor_data(tensor));
        int64_t count = loom_tensor_numel(tensor);
        std::vector<int64_t> index(rank, 0);
        for (int64_t n = 0; n < count; ++n) {
          int64_t offset = 0;
          for (size_t d = 0; d < rank; ++d)
            offset += index[d] * desc[3 + rank + d];
          std::memcpy(dst + n * elementSize, data + offset * elementSize,
                      elementSize);
          for (size_t d = rank; d-- > 0;) {
            if (++index[d] < dims[d])
              break;
            index[d] = 0;
          }
        }
      }
      if (owned)
        std::free(allocated);
    }
    if (!tensor) {
      for (size_t j = 0; j < i; ++j) {
        loom_tensor_free(outputs[j]);
        outputs[j] = nullptr;
      }
      // The results not adopted yet are still the model's buffers.
      for (size_t j = i + 1; j < numOutputs; ++j) {
        void *rest;
        std::memcpy(&rest, &results[j][0], sizeof(void *));
        if (rest && rest != reinterpret_cast<void *>(0xdeadbeef) &&
            std::find(adopted.begin(), adopted.end(), rest) == adopted.end()) {
          adopted.push_back(rest);
          std::free(rest);
        }
      }
      return LOOM_ERROR_OUT_OF_MEMORY;
    }
    outputs[i] = tensor;
  }
  return LOOM_OK;
}

void loom_set_num_threads(int32_t threads) {
  numThreads = threads > 0 ? threads : 0;
}

int32_t loom_get_num_threads(void) {
  int32_t n = numThreads;
  if (n > 0)
    return n;
  unsigned hw = std::thread::hardware_concurrency();
  return hw ? static_cast<int32_t>(hw) : 1;
}

} // extern "C"
