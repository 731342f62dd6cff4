//===- Model.cpp - Loading and running compiled models --------------------===//
//
// Part of Loom's runtime. A compiled model exports its interface as text
// (`loom_model_signature`) and one entry point taking MLIR memref
// descriptors (`loom_model_entry`); this file checks inputs against the
// signature, builds the descriptors and turns the results into tensors.
//
//===----------------------------------------------------------------------===//

#include "RuntimeInternal.h"
#include "Weights.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

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

/// Parses a port's dims (`rank` of them: a size, `?` or `?name`).
bool parseDims(std::istringstream &in, int rank, Port &port) {
  for (int i = 0; i < rank; ++i) {
    std::string dim;
    if (!(in >> dim))
      return false;
    if (dim[0] == '?') {
      port.shape.push_back(-1);
      port.dimNames.push_back(unescape(dim.substr(1)));
    } else {
      char *end = nullptr;
      long long size = std::strtoll(dim.c_str(), &end, 10);
      if (*end || size < 0)
        return false;
      port.shape.push_back(size);
      port.dimNames.emplace_back();
    }
  }
  return true;
}

/// Parses the signature; `version` is what its first line says (0 when it
/// has none), and false is returned for any other version too.
bool parseSignature(const char *text, int &version, std::vector<Port> &inputs,
                    std::vector<Port> &outputs, WeightsManifest &weights,
                    uint64_t &workspaceBytes, std::string &gpuArchs,
                    std::string &gpuLibraries) {
  std::istringstream in(text);
  std::string magic;
  version = 0;
  if (!(in >> magic >> version) || magic != "loom-model" ||
      version != LOOM_ABI_VERSION)
    return false;
  std::map<std::string, size_t> tensorIndex;
  std::string kind;
  while (in >> kind) {
    if (kind == "weights") {
      std::string file;
      if (!(in >> file))
        return false;
      weights.file = unescape(file);
      continue;
    }
    if (kind == "workspace") {
      if (!(in >> workspaceBytes))
        return false;
      continue;
    }
    if (kind == "gpu-libraries") {
      if (!(in >> gpuLibraries))
        return false;
      continue;
    }
    if (kind == "target") {
      std::string target;
      if (!(in >> target >> gpuArchs) || target != "cuda")
        return false;
      continue;
    }
    if (kind == "tensor") {
      std::string name, checksum;
      int dtype = 0, rank = 0;
      Port port;
      if (!(in >> name >> dtype >> rank) || rank < 0 ||
          !parseDims(in, rank, port) || !(in >> checksum))
        return false;
      WeightsManifest::Tensor tensor;
      tensor.name = unescape(name);
      tensor.dtype = dtypeFromCode(dtype);
      tensor.shape = port.shape;
      tensor.checksum = std::strtoull(checksum.c_str(), nullptr, 16);
      if (tensor.dtype == LOOM_DTYPE_INVALID ||
          std::count(tensor.shape.begin(), tensor.shape.end(), -1) ||
          !tensorIndex.emplace(tensor.name, weights.tensors.size()).second)
        return false;
      weights.tensors.push_back(std::move(tensor));
      continue;
    }
    if (kind == "use") {
      size_t index = 0;
      std::string name;
      if (!(in >> index >> name) || index != weights.uses.size())
        return false;
      auto found = tensorIndex.find(unescape(name));
      if (found == tensorIndex.end())
        return false;
      WeightsManifest::Use use;
      use.tensor = found->second;
      const std::vector<int64_t> &shape = weights.tensors[use.tensor].shape;
      use.offsets.resize(shape.size());
      use.sizes.resize(shape.size());
      for (int64_t &v : use.offsets)
        if (!(in >> v))
          return false;
      for (int64_t &v : use.sizes)
        if (!(in >> v))
          return false;
      for (size_t d = 0; d < shape.size(); ++d)
        if (use.offsets[d] < 0 || use.sizes[d] < 0 ||
            use.offsets[d] + use.sizes[d] > shape[d])
          return false;
      weights.uses.push_back(std::move(use));
      continue;
    }
    Port port;
    std::string name;
    int dtype = 0, rank = 0;
    if ((kind != "input" && kind != "output") ||
        !(in >> name >> dtype >> rank) || rank < 0)
      return false;
    port.name = unescape(name);
    port.dtype = dtypeFromCode(dtype);
    if (port.dtype == LOOM_DTYPE_INVALID || !parseDims(in, rank, port))
      return false;
    (kind == "input" ? inputs : outputs).push_back(std::move(port));
  }
  return weights.uses.empty() || !weights.file.empty();
}

std::atomic<int32_t> numThreads{0};

} // namespace

struct loom_model {
  void *library = nullptr; // dlopen handle, or null when linked in
  int32_t (*entry)(loom_run_context *, void **, void **) = nullptr;
  /// The kernel library's thread setting, when the model uses it.
  void (*setKernelThreads)(int32_t) = nullptr;
  /// The kernels' cache eviction, told of weights before they are unmapped.
  void (*forgetKernels)(const void *, size_t) = nullptr;
  std::vector<Port> inputs, outputs;
  WeightsManifest manifest;
  std::unique_ptr<Weights> weights;
  uint64_t workspaceBytes = 0;
  /// A CUDA model: the architectures it was compiled for, its device, and
  /// its weights there (uploaded on first use, kept until close).
  std::string gpuArchs;
  std::string gpuLibraries; // cublaslt,cudnn: what it calls
  const loom_device_api *device = nullptr;
  int32_t deviceKind = LOOM_DEVICE_CPU;
  int32_t deviceOrdinal = 0;
  std::mutex deviceWeightsMutex;
  std::vector<void *> deviceWeights;
};

namespace {

/// The directory of `path` ("." for a bare name), with a trailing '/'.
std::string directoryOf(const std::string &path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string("./")
                                    : path.substr(0, slash + 1);
}

/// Checks the signature and loads the weights: `weightsPath`, or the file
/// the signature names in `directory`. `what` names the model in errors.
/// "cuda", "cuda:N", "emulated" or "emulated:N": the device kind and
/// ordinal (0 when not given).
bool parseDevice(const std::string &text, int32_t &kind, int32_t &ordinal) {
  ordinal = 0;
  for (auto [name, k] : {std::pair("cuda", LOOM_DEVICE_CUDA),
                         std::pair("emulated", LOOM_DEVICE_EMULATED)}) {
    std::string prefix = name;
    if (text == prefix) {
      kind = k;
      return true;
    }
    prefix += ":";
    if (text.rfind(prefix, 0) != 0 || text.size() == prefix.size() ||
        text.size() > prefix.size() + 9 ||
        text.find_first_not_of("0123456789", prefix.size()) !=
            std::string::npos)
      continue;
    kind = k;
    ordinal = std::atoi(text.c_str() + prefix.size());
    return true;
  }
  return false;
}

/// What loom_set_device chose ("" when nothing).
std::mutex chosenDeviceMutex;
std::string &chosenDevice() {
  static auto *device = new std::string();
  return *device;
}
std::string getChosenDevice() {
  std::lock_guard<std::mutex> lock(chosenDeviceMutex);
  return chosenDevice();
}

loom_status finishOpen(loom_model *model, const char *signature,
                       const char *what, const std::string &directory,
                       const char *weightsPath, loom_model **out) {
  if (!signature || !model->entry) {
    delete model;
    return fail(LOOM_ERROR_IO, "%s: not a Loom model (no loom_model_entry)",
                what);
  }
  int version = 0;
  if (!parseSignature(signature, version, model->inputs, model->outputs,
                      model->manifest, model->workspaceBytes, model->gpuArchs,
                      model->gpuLibraries)) {
    delete model;
    if (version > 0 && version != LOOM_ABI_VERSION)
      return fail(LOOM_ERROR_UNSUPPORTED,
                  "%s: compiled for Loom's model ABI %d, but this runtime "
                  "runs ABI %d: compile it again with this loomc",
                  what, version, LOOM_ABI_VERSION);
    return fail(LOOM_ERROR_IO, "%s: malformed model signature", what);
  }
  if (model->device || !model->gpuArchs.empty()) {
    if (!model->device) {
      delete model;
      return fail(LOOM_ERROR_IO, "%s: a CUDA model without its device runtime",
                  what);
    }
    if (model->device->version != kDeviceApiVersion) {
      delete model;
      return fail(LOOM_ERROR_UNSUPPORTED,
                  "%s: its CUDA runtime is another Loom's (device interface "
                  "%u, this runtime's is %u): compile it again with this loomc",
                  what, model->device->version, kDeviceApiVersion);
    }
    // loom_set_device's choice, else LOOM_DEVICE's, picks the device.
    std::string device = getChosenDevice();
    bool fromApi = !device.empty();
    if (device.empty()) {
      const char *env = std::getenv("LOOM_DEVICE");
      device = env && *env ? env : "cuda";
    }
    int32_t ordinal = 0;
    if (!parseDevice(device, model->deviceKind, ordinal)) {
      delete model;
      return fail(LOOM_ERROR_INVALID_ARGUMENT,
                  "%s%s: expected cuda, cuda:N, emulated or emulated:N",
                  fromApi ? "device " : "LOOM_DEVICE=", device.c_str());
    }
    // A rank of a job takes its host's GPU of its local rank, unless told
    // which (loom-run -n N sets LOOM_LOCAL_RANK, mpirun its own).
    if (device.find(':') == std::string::npos)
      for (const char *name : {"LOOM_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK"})
        if (const char *local = std::getenv(name); local && *local) {
          ordinal = std::atoi(local);
          break;
        }
    model->deviceOrdinal = ordinal;
    char message[1024] = "";
    int32_t status =
        model->device->open(model->deviceKind, ordinal, model->gpuArchs.c_str(),
                            message, sizeof(message));
    // The libraries it calls, found now rather than in its first run.
    if (status == LOOM_OK && !model->gpuLibraries.empty())
      status = model->device->load_libraries(model->gpuLibraries.c_str(),
                                             message, sizeof(message));
    if (status != LOOM_OK) {
      delete model;
      return fail(static_cast<loom_status>(status), "%s: %s", what, message);
    }
  }
  if (!model->manifest.tensors.empty()) {
    std::string path = weightsPath && *weightsPath
                           ? std::string(weightsPath)
                           : directory + model->manifest.file;
    loom_status status = Weights::open(path, model->manifest,
                                       model->forgetKernels, model->weights);
    if (status != LOOM_OK) {
      std::string message = loom_last_error();
      delete model;
      return fail(status, "%s: %s%s", what, message.c_str(),
                  weightsPath && *weightsPath
                      ? ""
                      : " (loomc writes it beside the model; another "
                        "file: --weights FILE)");
    }
  } else if (weightsPath && *weightsPath) {
    delete model;
    return fail(LOOM_ERROR_INVALID_ARGUMENT,
                "%s has no weights in a file: it cannot load %s", what,
                weightsPath);
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

/// Fills `tensor` (row-major) from `source`, whose elements of
/// `elementSize` bytes lie `strides` elements apart per dim.
void copyStrided(loom_tensor *tensor, const char *source,
                 const int64_t *strides, size_t elementSize) {
  size_t rank = static_cast<size_t>(loom_tensor_rank(tensor));
  const int64_t *dims = loom_tensor_shape(tensor);
  char *dst = static_cast<char *>(loom_tensor_data(tensor));
  int64_t count = loom_tensor_numel(tensor);
  std::vector<int64_t> index(rank, 0);
  for (int64_t n = 0; n < count; ++n) {
    int64_t offset = 0;
    for (size_t d = 0; d < rank; ++d)
      offset += index[d] * strides[d];
    std::memcpy(dst + n * elementSize, source + offset * elementSize,
                elementSize);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < dims[d])
        break;
      index[d] = 0;
    }
  }
}

void freeDeviceBuffers(loom_model *model, std::vector<void *> &buffers) {
  for (void *buffer : buffers)
    model->device->free(buffer);
  buffers.clear();
}

/// The run context's resolver for a CUDA model: weight use `index` in
/// device memory, uploaded from the mapped file on its first use.
void *resolveDeviceWeight(void *opaque, int64_t index,
                          loom_error_record *error) {
  auto *model = static_cast<loom_model *>(opaque);
  std::lock_guard<std::mutex> lock(model->deviceWeightsMutex);
  if (model->deviceWeights.size() < model->manifest.uses.size())
    model->deviceWeights.resize(model->manifest.uses.size(), nullptr);
  if (index < 0 || static_cast<size_t>(index) >= model->deviceWeights.size()) {
    std::snprintf(error->message, sizeof(error->message),
                  "weight use %lld is not in the signature",
                  static_cast<long long>(index));
    return nullptr;
  }
  void *&device = model->deviceWeights[index];
  if (device) {
    // The run's stream waits for the uploads it has not waited for.
    if (model->device->order_weights(error->message, sizeof(error->message)) !=
        LOOM_OK)
      return nullptr;
    return device;
  }
  void *host = model->weights->resolve(index, error);
  if (!host)
    return nullptr;
  const WeightsManifest::Use &use = model->manifest.uses[index];
  uint64_t bytes = loom_dtype_size(model->manifest.tensors[use.tensor].dtype);
  for (int64_t size : use.sizes)
    bytes *= static_cast<uint64_t>(size);
  device = model->device->alloc(bytes);
  if (!device) {
    std::snprintf(error->message, sizeof(error->message),
                  "out of device memory for weight use %lld (%llu bytes)",
                  static_cast<long long>(index),
                  static_cast<unsigned long long>(bytes));
    error->status = LOOM_ERROR_OUT_OF_MEMORY;
    return nullptr;
  }
  if (model->device->upload_weight(device, host, bytes, error->message,
                                   sizeof(error->message)) != LOOM_OK ||
      model->device->order_weights(error->message, sizeof(error->message)) !=
          LOOM_OK) {
    model->device->free(device);
    device = nullptr;
    return nullptr;
  }
  return device;
}

/// The run's output descriptors (loom_model_run's), for downloadOutputs.
thread_local std::vector<std::vector<int64_t>> *runResults = nullptr;

/// A CUDA model's outputs: each copied from device memory into a new host
/// tensor, its device buffer then freed (a constant is in host memory).
loom_status downloadOutputs(loom_model *model, loom_tensor **outputs,
                            size_t numOutputs) {
  std::vector<std::vector<int64_t>> &results = *runResults;
  std::vector<void *> freed;
  loom_status status = LOOM_OK;
  std::string message;
  for (size_t i = 0; i < numOutputs; ++i) {
    const Port &port = model->outputs[i];
    size_t rank = port.shape.size();
    const std::vector<int64_t> &desc = results[i];
    void *allocated, *aligned;
    std::memcpy(&allocated, &desc[0], sizeof(void *));
    std::memcpy(&aligned, &desc[1], sizeof(void *));
    bool constant = allocated == reinterpret_cast<void *>(0xdeadbeef);
    size_t elementSize = loom_dtype_size(port.dtype);
    std::vector<int64_t> dims(desc.begin() + 3, desc.begin() + 3 + rank);
    // The span the strides reach, from the first element.
    int64_t span = 1;
    bool empty = false;
    for (size_t d = 0; d < rank; ++d) {
      empty |= dims[d] == 0;
      span += (dims[d] - 1) * desc[3 + rank + d];
    }
    loom_tensor *tensor =
        loom_tensor_create(port.dtype, static_cast<int32_t>(rank), dims.data());
    if (!tensor) {
      status = LOOM_ERROR_OUT_OF_MEMORY;
      message = "out of memory for output '" + port.name + "'";
    } else if (!empty && status == LOOM_OK) {
      const char *source =
          static_cast<const char *>(aligned) + desc[2] * elementSize;
      std::vector<char> staging(static_cast<size_t>(span) * elementSize);
      char error[1024] = "";
      if (constant)
        std::memcpy(staging.data(), source, staging.size());
      else if (model->device->download(staging.data(), source, staging.size(),
                                       error, sizeof(error)) != LOOM_OK) {
        status = LOOM_ERROR_RUNTIME;
        message = "output '" + port.name + "': " + error;
      }
      if (status == LOOM_OK)
        copyStrided(tensor, staging.data(), &desc[3 + rank], elementSize);
    }
    outputs[i] = tensor;
    if (allocated && !constant &&
        std::find(freed.begin(), freed.end(), allocated) == freed.end()) {
      freed.push_back(allocated);
      model->device->free(allocated);
    }
  }
  if (status != LOOM_OK) {
    for (size_t i = 0; i < numOutputs; ++i) {
      loom_tensor_free(outputs[i]);
      outputs[i] = nullptr;
    }
    return fail(status, "%s", message.c_str());
  }
  return LOOM_OK;
}

} // namespace

extern "C" {

loom_status loom_model_open_with_weights(const char *path, const char *weights,
                                         loom_model **out) {
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
  model->forgetKernels = reinterpret_cast<void (*)(const void *, size_t)>(
      dlsym(library, "loom_kernels_forget"));
  if (auto deviceApi = reinterpret_cast<const loom_device_api *(*)(void)>(
          dlsym(library, "loom_model_device_api")))
    model->device = deviceApi();
  auto *signature =
      static_cast<const char *>(dlsym(library, "loom_model_signature"));
  loom_status status =
      finishOpen(model, signature, path, directoryOf(file), weights, out);
  if (status != LOOM_OK)
    dlclose(library);
  return status;
}

loom_status loom_model_open(const char *path, loom_model **out) {
  return loom_model_open_with_weights(path, nullptr, out);
}

loom_status loom_model_open_linked_with_weights(const char *weights,
                                                loom_model **out) {
  *out = nullptr;
  auto *model = new loom_model;
  model->entry = loom_model_entry;
  model->setKernelThreads = loom_kernels_set_num_threads;
  model->forgetKernels = loom_kernels_forget;
  if (loom_model_device_api)
    model->device = loom_model_device_api();
  // The weights file is beside the executable.
  std::string self(4096, '\0');
  ssize_t length = readlink("/proc/self/exe", self.data(), self.size() - 1);
  self.resize(length > 0 ? static_cast<size_t>(length) : 0);
  return finishOpen(model, loom_model_signature, "this executable",
                    self.empty() ? std::string("./") : directoryOf(self),
                    weights, out);
}

loom_status loom_model_open_linked(loom_model **out) {
  return loom_model_open_linked_with_weights(nullptr, out);
}

void loom_model_close(loom_model *model) {
  if (!model)
    return;
  // The weights go first: unmapping tells the kernels, which live in the
  // library.
  if (model->device)
    for (void *weight : model->deviceWeights)
      if (weight)
        model->device->free(weight);
  model->weights.reset();
  if (model->library)
    dlclose(model->library);
  delete model;
}

const char *loom_model_weights_path(const loom_model *model) {
  return model->weights ? model->weights->path().c_str() : nullptr;
}

uint64_t loom_model_weight_bytes(const loom_model *model) {
  return model->weights ? model->weights->residentBytes() : 0;
}

uint64_t loom_model_workspace_bytes(const loom_model *model) {
  return model->workspaceBytes;
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

} // extern "C"

namespace {

const char *deviceKindName(int32_t kind) {
  return kind == LOOM_DEVICE_CUDA       ? "CUDA device"
         : kind == LOOM_DEVICE_EMULATED ? "emulated CUDA device"
                                        : "host";
}

/// A run context for `model` on `stream`, writing `record` on failure.
loom_run_context makeContext(const loom_model *model, loom_error_record &record,
                             void *stream) {
  loom_run_context context{};
  context.abi_version = LOOM_ABI_VERSION;
  context.struct_size = sizeof(context);
  context.error = &record;
  context.device_kind = model->deviceKind;
  context.device_ordinal = model->deviceOrdinal;
  context.stream = stream;
  return context;
}

/// Frees the device copies of a run's inputs when the run is over.
struct DeviceInputs {
  loom_model *model;
  std::vector<void *> &buffers;
  ~DeviceInputs() {
    if (model->device)
      freeDeviceBuffers(model, buffers);
  }
};

/// A device output's memory, freed with its tensor.
struct DeviceRelease {
  const loom_device_api *api;
  void *allocated;
  static void release(void *opaque) {
    auto *self = static_cast<DeviceRelease *>(opaque);
    self->api->free(self->allocated);
    delete self;
  }
};

/// An asynchronous run's outputs: device tensors over the buffers the model
/// allocated on the caller's stream.
loom_status wrapDeviceOutputs(loom_model *model,
                              std::vector<std::vector<int64_t>> &results,
                              loom_tensor **outputs, size_t numOutputs) {
  std::vector<void *> given;
  std::string refused;
  for (size_t i = 0; i < numOutputs && refused.empty(); ++i) {
    const Port &port = model->outputs[i];
    size_t rank = port.shape.size();
    const std::vector<int64_t> &desc = results[i];
    void *allocated, *aligned;
    std::memcpy(&allocated, &desc[0], sizeof(void *));
    std::memcpy(&aligned, &desc[1], sizeof(void *));
    std::vector<int64_t> dims(desc.begin() + 3, desc.begin() + 3 + rank);
    bool contiguous = true;
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      if (dims[d] != 1 && desc[3 + rank + d] != stride)
        contiguous = false;
      stride *= dims[d];
    }
    if (!allocated || allocated == reinterpret_cast<void *>(0xdeadbeef) ||
        !contiguous ||
        std::find(given.begin(), given.end(), allocated) != given.end()) {
      refused = port.name;
      break;
    }
    auto *release = new (std::nothrow) DeviceRelease{model->device, allocated};
    char *data =
        static_cast<char *>(aligned) + desc[2] * loom_dtype_size(port.dtype);
    loom_tensor *tensor =
        release
            ? loom_tensor_wrap_device(port.dtype, static_cast<int32_t>(rank),
                                      dims.data(), model->deviceKind,
                                      model->deviceOrdinal, data,
                                      DeviceRelease::release, release)
            : nullptr;
    if (!tensor) {
      delete release;
      refused = port.name;
      break;
    }
    given.push_back(allocated);
    outputs[i] = tensor;
  }
  if (refused.empty())
    return LOOM_OK;
  // Every output buffer goes, those already wrapped with their tensors.
  for (size_t i = 0; i < numOutputs; ++i) {
    void *allocated;
    std::memcpy(&allocated, &results[i][0], sizeof(void *));
    if (outputs[i]) {
      loom_tensor_free(outputs[i]);
      outputs[i] = nullptr;
    } else if (allocated && allocated != reinterpret_cast<void *>(0xdeadbeef) &&
               std::find(given.begin(), given.end(), allocated) ==
                   given.end()) {
      given.push_back(allocated);
      model->device->free(allocated);
    }
  }
  return fail(LOOM_ERROR_UNSUPPORTED,
              "output '%s' is a constant, a strided view or shares its "
              "buffer: loom_model_run_async gives only outputs computed into "
              "buffers of their own (run the model with loom_model_run)",
              refused.c_str());
}

loom_status runModel(loom_model *model, void *stream, bool async,
                     loom_tensor *const *inputs, size_t numInputs,
                     loom_tensor **outputs, size_t numOutputs) {
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
  // The descriptors and lists below are reused by every run on this
  // thread: after its first run, a run allocates only its outputs.
  thread_local std::vector<std::vector<int64_t>> descriptors, results;
  thread_local std::vector<void *> inputPtrs, resultPtrs, adopted;
  thread_local std::vector<int64_t> dims;
  thread_local std::vector<void *> deviceInputs;
  deviceInputs.clear();
  DeviceInputs freeInputs{model, deviceInputs};
  descriptors.resize(numInputs);
  inputPtrs.assign(numInputs, nullptr);
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
    int32_t placed = loom_tensor_device_kind(t);
    if (placed != LOOM_DEVICE_CPU) {
      // A device tensor: read in place, on its device only.
      if (placed != model->deviceKind ||
          loom_tensor_device_ordinal(t) != model->deviceOrdinal)
        return fail(LOOM_ERROR_INVALID_ARGUMENT,
                    "input '%s' is in the memory of %s %d, but the model runs "
                    "on %s %d",
                    port.name.c_str(), deviceKindName(placed),
                    static_cast<int>(loom_tensor_device_ordinal(t)),
                    deviceKindName(model->deviceKind),
                    static_cast<int>(model->deviceOrdinal));
    } else if (async) {
      return fail(LOOM_ERROR_INVALID_ARGUMENT,
                  "input '%s' is in host memory: loom_model_run_async takes "
                  "device tensors on the model's %s (loom_tensor_wrap_device)",
                  port.name.c_str(), deviceKindName(model->deviceKind));
    } else if (model->device) {
      // A CUDA model reads its inputs in device memory.
      uint64_t bytes = loom_tensor_numel(t) * loom_dtype_size(port.dtype);
      void *device = model->device->alloc(bytes);
      char message[1024] = "";
      if (!device) {
        return fail(LOOM_ERROR_OUT_OF_MEMORY,
                    "out of device memory for input '%s' (%llu bytes)",
                    port.name.c_str(), static_cast<unsigned long long>(bytes));
      }
      deviceInputs.push_back(device);
      if (model->device->upload(device, data, bytes, message,
                                sizeof(message)) != LOOM_OK) {
        return fail(LOOM_ERROR_RUNTIME, "input '%s': %s", port.name.c_str(),
                    message);
      }
      data = device;
    }
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
  results.resize(numOutputs);
  runResults = &results;
  resultPtrs.assign(numOutputs, nullptr);
  for (size_t i = 0; i < numOutputs; ++i) {
    results[i].assign(3 + 2 * model->outputs[i].shape.size(), 0);
    resultPtrs[i] = results[i].data();
  }
  if (model->setKernelThreads)
    model->setKernelThreads(loom_get_num_threads());
  loom_error_record record{};
  loom_run_context context = makeContext(model, record, stream);
  context.flags = async ? LOOM_RUN_ASYNC : 0;
  if (model->weights) {
    context.weights =
        model->device ? static_cast<void *>(model) : model->weights.get();
    context.resolve_weight =
        model->device ? resolveDeviceWeight : Weights::resolveCallback;
  }
  // On failure the model has freed every buffer of the run: no output to
  // adopt.
  int32_t status = model->entry(&context, inputPtrs.data(), resultPtrs.data());
  if (status != LOOM_OK)
    return failWithRecord(record);
  if (async)
    return wrapDeviceOutputs(model, results, outputs, numOutputs);
  if (model->device)
    return downloadOutputs(model, outputs, numOutputs);

  // Adopt each result's buffer, unless it is not the model's to give (a
  // global, or a buffer already adopted): then copy it.
  adopted.clear();
  for (size_t i = 0; i < numOutputs; ++i) {
    const Port &port = model->outputs[i];
    size_t rank = port.shape.size();
    const std::vector<int64_t> &desc = results[i];
    void *allocated, *aligned;
    std::memcpy(&allocated, &desc[0], sizeof(void *));
    std::memcpy(&aligned, &desc[1], sizeof(void *));
    size_t elementSize = loom_dtype_size(port.dtype);
    char *data = static_cast<char *>(aligned) + desc[2] * elementSize;
    dims.assign(desc.begin() + 3, desc.begin() + 3 + rank);
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
        copyStrided(tensor, data, &desc[3 + rank], elementSize);
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

} // namespace

extern "C" {

loom_status loom_model_run(loom_model *model, loom_tensor *const *inputs,
                           size_t numInputs, loom_tensor **outputs,
                           size_t numOutputs) {
  return runModel(model, nullptr, false, inputs, numInputs, outputs,
                  numOutputs);
}

loom_status loom_model_run_async(loom_model *model, void *stream,
                                 loom_tensor *const *inputs, size_t numInputs,
                                 loom_tensor **outputs, size_t numOutputs) {
  if (!model->device) {
    for (size_t i = 0; i < numOutputs; ++i)
      outputs[i] = nullptr;
    return fail(LOOM_ERROR_UNSUPPORTED,
                "loom_model_run_async runs CUDA models; this one runs on the "
                "CPU (use loom_model_run)");
  }
  return runModel(model, stream, true, inputs, numInputs, outputs, numOutputs);
}

loom_status loom_model_sync(loom_model *model, void *stream) {
  if (!model->device)
    return fail(LOOM_ERROR_UNSUPPORTED,
                "loom_model_sync: this model runs on the CPU, with no stream");
  loom_error_record record{};
  loom_run_context context = makeContext(model, record, stream);
  if (model->device->finish(&context) != LOOM_OK)
    return failWithRecord(record);
  return LOOM_OK;
}

loom_status loom_set_device(const char *device) {
  std::string text = device ? device : "";
  int32_t kind, ordinal;
  if (!text.empty() && !parseDevice(text, kind, ordinal))
    return fail(LOOM_ERROR_INVALID_ARGUMENT,
                "device '%s': expected cuda, cuda:N, emulated or emulated:N",
                text.c_str());
  std::lock_guard<std::mutex> lock(chosenDeviceMutex);
  chosenDevice() = text;
  return LOOM_OK;
}

int32_t loom_model_device_kind(const loom_model *model) {
  return model->deviceKind;
}
int32_t loom_model_device_ordinal(const loom_model *model) {
  return model->deviceOrdinal;
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
