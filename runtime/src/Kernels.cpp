//===- Kernels.cpp - The kernel functions compiled models call ------------===//
//
// Part of Loom's runtime. `loom-lower-kernels-to-calls` turns `kernel.matmul`
// and `kernel.conv2d` into calls to these functions, through MLIR's C
// interface (`_mlir_ciface_` + name, memref descriptors by pointer). Every
// compiled artefact that uses them links this library (LoomKernels) and
// oneDNN; docs/runtime-abi.md and docs/kernel-library.md describe the ABI
// and why oneDNN.
//
// These functions run inside the compiled entry point, which has no error
// channel: an operand the compiler guaranteed (row-major, f32) that is not
// so, or a oneDNN failure, is a bug, reported on stderr before abort().
//
//===----------------------------------------------------------------------===//

#include "Kernels.h"
#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <optional>
#include <vector>

using loom::runtime::MemRef;

namespace {

[[noreturn]] void die(const char *kernel, const char *message) {
  std::fprintf(stderr, "loom: %s: %s\n", kernel, message);
  std::abort();
}

/// Operands are row-major with unit innermost stride; rows may be padded.
template <int Rank>
void checkRowMajor(const char *kernel, const MemRef<Rank> &m) {
  int64_t expected = 1;
  for (int i = Rank - 1; i >= 0; --i) {
    if (m.sizes[i] > 1 && m.strides[i] != expected &&
        !(Rank == 2 && i == 0 && m.strides[0] >= m.sizes[1]))
      die(kernel, "operand is not row-major");
    expected *= m.sizes[i];
  }
}

dnnl::engine &getEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

/// Everything that selects a convolution primitive.
using ConvKey = std::array<int64_t, 20>;

std::mutex cacheMutex;

/// A convolution primitive on the layouts oneDNN prefers (blocked channels
/// when the ISA has a kernel for them), with the reorders from and to the
/// row-major (NCHW, OIHW) buffers compiled code passes.
struct Convolution {
  dnnl::convolution_forward::primitive_desc desc;
  dnnl::convolution_forward primitive;
  dnnl::memory::desc plainSrc, plainWeights, plainDst;
  /// The primitive's own layouts, queried once (each query of oneDNN 2's
  /// C++ API allocates).
  dnnl::memory::desc src, weights, dst, bias;
  std::optional<dnnl::reorder> toSrc, toWeights, toDst, fromDst;
};
std::map<ConvKey, Convolution> convCache;
/// Constant weights reordered once, by primitive and weight address.
std::map<std::pair<ConvKey, const float *>, dnnl::memory> weightCache;

/// Primitives take their scratchpad from the caller (the run's memory,
/// RunGuard.cpp): oneDNN's own is shared by every execution of a primitive,
/// so two runs at once would overwrite each other's.
dnnl::primitive_attr userScratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

std::optional<dnnl::reorder> makeReorder(const dnnl::memory::desc &from,
                                         const dnnl::memory::desc &to) {
  if (from == to)
    return std::nullopt;
  return dnnl::reorder(dnnl::reorder::primitive_desc(
      getEngine(), from, getEngine(), to, userScratchpad()));
}

/// The primitive for `key`, created (JIT-compiled) on first use.
const Convolution &getConvolution(const ConvKey &key) {
  std::lock_guard<std::mutex> lock(cacheMutex);
  auto it = convCache.find(key);
  if (it != convCache.end())
    return it->second;
  using dt = dnnl::memory::data_type;
  using tag = dnnl::memory::format_tag;
  auto [n, c, h, w, o, kh, kw, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw, groups,
        hasBias, flags] = key;
  dnnl::memory::dims srcDims = {n, c, h, w}, dstDims = {n, o, oh, ow};
  dnnl::memory::dims weightDims =
      groups == 1 ? dnnl::memory::dims{o, c, kh, kw}
                  : dnnl::memory::dims{groups, o / groups, c / groups, kh, kw};
  dnnl::memory::desc src(srcDims, dt::f32, tag::nchw);
  dnnl::memory::desc dst(dstDims, dt::f32, tag::nchw);
  dnnl::memory::desc weights(weightDims, dt::f32,
                             groups == 1 ? tag::oihw : tag::goihw);
  dnnl::memory::desc bias =
      hasBias ? dnnl::memory::desc({o}, dt::f32, tag::x) : dnnl::memory::desc();
  bool plain = std::getenv("LOOM_KERNELS_PLAIN") != nullptr;
  auto any = [&](const dnnl::memory::desc &d, const dnnl::memory::dims &dims) {
    return plain ? d : dnnl::memory::desc(dims, dt::f32, tag::any);
  };
  // oneDNN counts dilation from 0 (ONNX from 1).
  dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
      any(src, srcDims), any(weights, weightDims), bias, any(dst, dstDims),
      {sh, sw}, {dh - 1, dw - 1}, {pt, pl}, {pb, pr});
  dnnl::post_ops ops;
  if (flags & 1)
    ops.append_sum(1.0f);
  if (flags & 2)
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  dnnl::primitive_attr attr = userScratchpad();
  attr.set_post_ops(ops);
  dnnl::convolution_forward::primitive_desc pd(desc, attr, getEngine());
  Convolution conv{pd,
                   dnnl::convolution_forward(pd),
                   src,
                   weights,
                   dst,
                   pd.src_desc(),
                   pd.weights_desc(),
                   pd.dst_desc(),
                   hasBias ? pd.bias_desc() : dnnl::memory::desc()};
  conv.toSrc = makeReorder(src, pd.src_desc());
  conv.toWeights = makeReorder(weights, pd.weights_desc());
  conv.fromDst = makeReorder(pd.dst_desc(), dst);
  if (flags & 1)
    conv.toDst = makeReorder(dst, pd.dst_desc());
  return convCache.emplace(key, std::move(conv)).first->second;
}

} // namespace

/// The run's scratch buffer `slot` (RunGuard.cpp): from the pool the
/// workspace comes from, reused by every later run.
extern "C" __attribute__((visibility("hidden"))) void *
loom_rt_scratch(int slot, uint64_t bytes);
/// Ends the run with `status` (RunGuard.cpp); called once no C++ object of
/// the caller is alive.
extern "C" [[noreturn]] __attribute__((visibility("hidden"))) void
loom_rt_raise(int32_t status, const char *message);

namespace {

void *getScratch(int slot, size_t bytes);

/// The memory object `slot` of `owner` (a cached primitive) on this thread,
/// over `data`: made on first use, re-pointed on every later call, so that
/// once a model has run, a call makes no object (nor any allocation) of its
/// own; what oneDNN allocates inside its execution is its own.
dnnl_memory_t view(const void *owner, int slot, const dnnl::memory::desc &desc,
                   void *data) {
  thread_local std::map<std::pair<const void *, int>, dnnl::memory> views;
  auto key = std::make_pair(owner, slot);
  auto it = views.find(key);
  if (it == views.end())
    return views.emplace(key, dnnl::memory(desc, getEngine(), data))
        .first->second.get();
  it->second.set_data_handle(data);
  return it->second.get();
}

/// Runs `primitive` with `args` and its scratchpad (slot 2 of the run's
/// scratch buffers) when it needs one, through oneDNN's C API (its C++
/// wrapper builds a map and a vector per call).
void execute(const dnnl::primitive &primitive, dnnl::stream &stream,
             std::initializer_list<dnnl_exec_arg_t> args) {
  dnnl_exec_arg_t list[8];
  int count = 0;
  for (const dnnl_exec_arg_t &arg : args)
    list[count++] = arg;
  const dnnl_memory_desc_t *md = dnnl_primitive_desc_query_md(
      primitive.get_primitive_desc(), dnnl_query_scratchpad_md, 0);
  if (size_t bytes = md ? dnnl_memory_desc_get_size(md) : 0)
    list[count++] = {DNNL_ARG_SCRATCHPAD,
                     view(primitive.get(), 0, dnnl::memory::desc(*md),
                          getScratch(2, bytes))};
  dnnl_status_t status =
      dnnl_primitive_execute(primitive.get(), stream.get(), count, list);
  if (status != dnnl_success)
    throw dnnl::error(status, "a primitive failed");
}

void reorder(const dnnl::reorder &primitive, dnnl::stream &stream,
             dnnl_memory_t from, dnnl_memory_t to) {
  execute(primitive, stream, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
}

void *getScratch(int slot, size_t bytes) {
  void *buffer = loom_rt_scratch(slot, bytes);
  if (!buffer)
    throw std::bad_alloc();
  return buffer;
}

} // namespace

extern "C" {

/// Forgets what the kernels derived from weights in [begin, begin + bytes):
/// the runtime calls it before it unmaps or frees a weights file's memory,
/// whose addresses may then hold other weights.
void loom_kernels_forget(const void *begin, size_t bytes) {
  std::lock_guard<std::mutex> lock(cacheMutex);
  auto *first = static_cast<const char *>(begin);
  for (auto it = weightCache.begin(); it != weightCache.end();) {
    auto *at = reinterpret_cast<const char *>(it->first.second);
    if (at >= first && at < first + bytes)
      it = weightCache.erase(it);
    else
      ++it;
  }
}

/// Sets the OpenMP threads oneDNN uses, for the calling thread's next runs.
/// The runtime calls it before each run with loom_get_num_threads().
void loom_kernels_set_num_threads(int32_t threads) {
  if (threads > 0)
    omp_set_num_threads(threads);
}

/// init = relu?(alpha * op(lhs) * op(rhs) + bias (+ init)); flags: 1
/// transposes lhs, 2 transposes rhs, 4 accumulates, 64 applies ReLU; `bias`
/// (one element per column) has no elements when there is none.
void _mlir_ciface_loom_kernel_matmul_f32(MemRef<2> *lhs, MemRef<2> *rhs,
                                         MemRef<1> *bias, MemRef<2> *init,
                                         int64_t flags, float alpha) {
  const char *name = "kernel.matmul";
  checkRowMajor(name, *lhs);
  checkRowMajor(name, *rhs);
  checkRowMajor(name, *init);
  bool ta = flags & 1, tb = flags & 2, accumulate = flags & 4;
  int64_t m = init->sizes[0], n = init->sizes[1];
  int64_t k = ta ? lhs->sizes[0] : lhs->sizes[1];
  bool hasBias = bias->sizes[0] != 0;
  if (hasBias && (bias->sizes[0] != n || (n > 1 && bias->strides[0] != 1)))
    die(name, "the bias is not one contiguous element per column");
  if (m == 0 || n == 0)
    return;
  if (k == 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i)
        std::memset(init->data() + i * init->strides[0], 0, n * sizeof(float));
  } else {
    auto ld = [](const MemRef<2> *x) {
      return x->sizes[0] > 1 ? x->strides[0] : x->sizes[1];
    };
    dnnl_status_t status = dnnl_sgemm(
        ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, lhs->data(), ld(lhs),
        rhs->data(), ld(rhs), accumulate ? 1.0f : 0.0f, init->data(), ld(init));
    if (status != dnnl_success)
      die(name, "dnnl_sgemm failed");
  }
  // The epilogue: the bias, then ONNX's Relu (unordered counts as below 0).
  bool relu = flags & 64;
  if (hasBias || relu)
    for (int64_t i = 0; i < m; ++i) {
      float *row = init->data() + i * init->strides[0];
      if (hasBias) {
        const float *b = bias->data();
        for (int64_t j = 0; j < n; ++j)
          row[j] += b[j];
      }
      if (relu)
        for (int64_t j = 0; j < n; ++j)
          row[j] = !(row[j] >= 0.0f) ? 0.0f : row[j];
    }
}

/// A kernel.matmul of rank 3: each of the batch's products in turn.
void _mlir_ciface_loom_kernel_batch_matmul_f32(MemRef<3> *lhs, MemRef<3> *rhs,
                                               MemRef<1> *bias, MemRef<3> *init,
                                               int64_t flags, float alpha) {
  if (lhs->sizes[0] != init->sizes[0] || rhs->sizes[0] != init->sizes[0])
    die("kernel.matmul", "batches of different sizes");
  auto slice = [](const MemRef<3> &m, int64_t b) {
    MemRef<2> s;
    s.allocated = m.allocated;
    s.aligned = m.aligned;
    s.offset = m.offset + b * m.strides[0];
    s.sizes[0] = m.sizes[1];
    s.sizes[1] = m.sizes[2];
    s.strides[0] = m.strides[1];
    s.strides[1] = m.strides[2];
    return s;
  };
  for (int64_t b = 0; b < init->sizes[0]; ++b) {
    MemRef<2> l = slice(*lhs, b), r = slice(*rhs, b), c = slice(*init, b);
    _mlir_ciface_loom_kernel_matmul_f32(&l, &r, bias, &c, flags, alpha);
  }
}

/// init = relu?(conv(input, weight) + bias (+ init)); `bias` has no elements
/// when there is none; params: strides (2), pads (top, left, bottom, right),
/// dilations (2); flags: 1 accumulates, 2 applies ReLU, 4 says the weights
/// are constant (the same address always holds the same values).
void _mlir_ciface_loom_kernel_conv2d_f32(MemRef<4> *input, MemRef<4> *weight,
                                         MemRef<1> *bias, MemRef<4> *init,
                                         int64_t sh, int64_t sw, int64_t pt,
                                         int64_t pl, int64_t pb, int64_t pr,
                                         int64_t dh, int64_t dw, int64_t groups,
                                         int64_t flags) {
  const char *name = "kernel.conv2d";
  checkRowMajor(name, *input);
  checkRowMajor(name, *weight);
  checkRowMajor(name, *init);
  if (bias->sizes[0] > 1 && bias->strides[0] != 1)
    die(name, "bias is not contiguous");
  const int64_t *x = input->sizes, *f = weight->sizes, *y = init->sizes;
  if (x[0] == 0 || y[1] == 0 || y[2] == 0 || y[3] == 0)
    return;
  bool hasBias = bias->sizes[0] != 0;
  // The primitive does not depend on whether the weights are constant.
  ConvKey key = {x[0], x[1], x[2], x[3],   f[0],    f[2],     f[3],
                 y[2], y[3], sh,   sw,     pt,      pl,       pb,
                 pr,   dh,   dw,   groups, hasBias, flags & 3};
  bool outOfMemory = false;
  try {
    const Convolution &conv = getConvolution(key);
    thread_local dnnl::stream stream(getEngine());
    const void *owner = &conv;
    dnnl_memory_t src = view(owner, 0, conv.plainSrc, input->data());
    dnnl_memory_t dst = view(owner, 1, conv.plainDst, init->data());
    dnnl_memory_t weights = view(owner, 2, conv.plainWeights, weight->data());
    if (conv.toSrc) {
      dnnl_memory_t blocked =
          view(owner, 3, conv.src, getScratch(0, conv.src.get_size()));
      reorder(*conv.toSrc, stream, src, blocked);
      src = blocked;
    }
    // Weights reordered for this call only (not constant): alive until the
    // convolution has run.
    std::optional<dnnl::memory> ownWeights;
    if (conv.toWeights) {
      // Weights the compiler knows are constant are reordered once.
      bool constant = flags & 4;
      std::unique_lock<std::mutex> lock(cacheMutex);
      auto cached = weightCache.find({key, weight->data()});
      if (constant && cached != weightCache.end()) {
        weights = cached->second.get();
      } else {
        dnnl::memory blocked(conv.weights, getEngine());
        reorder(*conv.toWeights, stream, weights, blocked.get());
        stream.wait();
        weights = blocked.get();
        if (constant)
          weightCache.emplace(std::make_pair(key, weight->data()), blocked);
        else
          ownWeights = blocked;
      }
    }
    dnnl_memory_t out = dst;
    if (conv.fromDst) {
      out = view(owner, 4, conv.dst, getScratch(1, conv.dst.get_size()));
      if (conv.toDst)
        reorder(*conv.toDst, stream, dst, out);
    }
    if (hasBias)
      execute(conv.primitive, stream,
              {{DNNL_ARG_SRC, src},
               {DNNL_ARG_WEIGHTS, weights},
               {DNNL_ARG_DST, out},
               {DNNL_ARG_BIAS, view(owner, 5, conv.bias, bias->data())}});
    else
      execute(conv.primitive, stream,
              {{DNNL_ARG_SRC, src},
               {DNNL_ARG_WEIGHTS, weights},
               {DNNL_ARG_DST, out}});
    if (conv.fromDst)
      reorder(*conv.fromDst, stream, out, dst);
    stream.wait();
  } catch (const dnnl::error &e) {
    die(name, e.what());
  } catch (const std::bad_alloc &) {
    outOfMemory = true;
  }
  if (outOfMemory)
    loom_rt_raise(/*LOOM_ERROR_OUT_OF_MEMORY=*/4,
                  "kernel.conv2d: out of memory for its scratch buffers");
}

} // extern "C"
