//===- GpuBox.cpp - kernel.box on NCCL, in the run's stream ---------------===//
//
// Part of Loom's runtime (library LoomCuda). What `loom-lower-kernels-to-
// calls{gpu-libraries}` turns a CUDA model's kernel.box into: boxing of
// device memory through NCCL, the same algorithm as Gloo's (Boxing.h) on
// the NCCL transport below:
//   - copies and identity fills are stream-ordered driver calls
//     (cuMemcpy2DAsync for strided rows), point-to-point exchanges are
//     grouped ncclSend/ncclRecv, reductions are NCCL's (all-reduce,
//     reduce-scatter, or one reduce per rank where chunks are uneven);
//   - everything is queued on the run's stream: boxing never waits;
//   - each group of ranks (a mesh axis) gets its own communicator on first
//     use: its first member takes an ncclUniqueId and publishes it through
//     the job's rendezvous (loom_comm_publish), the others read it, all
//     meet at a barrier (so that a dead rank is an error, not an NCCL hang)
//     and call ncclCommInitRank;
//   - a wait for a stream with collectives queued polls NCCL's asynchronous
//     errors and is bounded by LOOM_TIMEOUT: a dead or hung rank ends the
//     run with an error (the communicators aborted), never a hang.
// The bytes counted for LOOM_COMM_STATS are those the ring algorithms of
// the cost model send (NCCL's own choice of ring or tree is its own).
//
//===----------------------------------------------------------------------===//

#include "../Boxing.h"
#include "GpuDevice.h"
#include "Nccl.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace loom::cuda;
using loom::comm::Chunks;
using loom::comm::CommError;
using loom::comm::Split3;

namespace {

int ncclType(loom_dtype dtype) {
  switch (dtype) {
  case LOOM_DTYPE_F32:
    return ncclFloat32;
  case LOOM_DTYPE_F64:
    return ncclFloat64;
  case LOOM_DTYPE_I32:
    return ncclInt32;
  case LOOM_DTYPE_U32:
    return ncclUint32;
  case LOOM_DTYPE_I64:
    return ncclInt64;
  case LOOM_DTYPE_U64:
    return ncclUint64;
  case LOOM_DTYPE_I8:
    return ncclInt8;
  case LOOM_DTYPE_U8:
    return ncclUint8;
  default:
    throw CommError("NCCL cannot reduce dtype " +
                    std::to_string(static_cast<int>(dtype)) +
                    " (16-bit integers, f16, bf16 and bool)");
  }
}

int ncclOp(loom_reduction op) {
  return op == LOOM_REDUCE_SUM   ? ncclSum
         : op == LOOM_REDUCE_MAX ? ncclMax
                                 : ncclMin;
}

/// The bit pattern of `op`'s identity for one element of `dtype`.
uint64_t identityBits(loom_dtype dtype, loom_reduction op) {
  uint64_t bits = 0;
  auto put = [&](auto value) { std::memcpy(&bits, &value, sizeof(value)); };
  auto pick = [&](auto t) {
    using T = decltype(t);
    if (op == LOOM_REDUCE_SUM)
      put(T(0));
    else if (std::numeric_limits<T>::has_infinity)
      put(op == LOOM_REDUCE_MAX ? -std::numeric_limits<T>::infinity()
                                : std::numeric_limits<T>::infinity());
    else
      put(op == LOOM_REDUCE_MAX ? std::numeric_limits<T>::lowest()
                                : std::numeric_limits<T>::max());
  };
  switch (dtype) {
  case LOOM_DTYPE_F32:
    pick(float());
    break;
  case LOOM_DTYPE_F64:
    pick(double());
    break;
  case LOOM_DTYPE_I32:
    pick(int32_t());
    break;
  case LOOM_DTYPE_U32:
    pick(uint32_t());
    break;
  case LOOM_DTYPE_I64:
    pick(int64_t());
    break;
  case LOOM_DTYPE_U64:
    pick(uint64_t());
    break;
  case LOOM_DTYPE_I16:
    pick(int16_t());
    break;
  case LOOM_DTYPE_U16:
    pick(uint16_t());
    break;
  case LOOM_DTYPE_I8:
    pick(int8_t());
    break;
  case LOOM_DTYPE_U8:
    pick(uint8_t());
    break;
  default:
    loom::comm::requireReducible(dtype); // throws
  }
  return bits;
}

CUdeviceptr dev(const void *p) { return reinterpret_cast<CUdeviceptr>(p); }

/// The NCCL transport: device memory, the run's stream.
class NcclTransport : public loom::comm::Transport {
public:
  NcclTransport(Device &device, Nccl &n, ncclComm_t comm, int size, int member,
                CUstream stream)
      : Transport(size, member), device(device), n(n), comm(comm),
        stream(stream) {}

  /// Bytes a ring would send for the calls made (LOOM_COMM_STATS).
  uint64_t bytes = 0;

  void copy(char *dst, const char *src, size_t count) override {
    if (count && dst != src)
      cuda("cuMemcpyDtoDAsync",
           device.api.cuMemcpyDtoDAsync(dev(dst), dev(src), count, stream));
  }
  void copyRows(const char *src, int64_t srcDim, int64_t begin, char *dst,
                int64_t dstDim, int64_t at, int64_t rows,
                const Split3 &s) override {
    if (!rows || !s.outer || !s.inner)
      return;
    CUDA_MEMCPY2D c{};
    c.srcMemoryType = c.dstMemoryType = CU_MEMORYTYPE_DEVICE;
    c.srcDevice = dev(src + begin * s.inner);
    c.srcPitch = srcDim * s.inner;
    c.dstDevice = dev(dst + at * s.inner);
    c.dstPitch = dstDim * s.inner;
    c.WidthInBytes = rows * s.inner;
    c.Height = s.outer;
    cuda("cuMemcpy2DAsync", device.api.cuMemcpy2DAsync(&c, stream));
  }
  void fillIdentity(char *data, int64_t count, loom_dtype dtype,
                    loom_reduction op) override {
    if (!count)
      return;
    uint64_t bits = identityBits(dtype, op);
    switch (loom::comm::elementSize(dtype)) {
    case 1:
      return cuda(
          "cuMemsetD8Async",
          device.api.cuMemsetD8Async(dev(data), bits & 0xff, count, stream));
    case 2:
      return cuda(
          "cuMemsetD16Async",
          device.api.cuMemsetD16Async(dev(data), bits & 0xffff, count, stream));
    case 4:
      return cuda("cuMemsetD32Async",
                  device.api.cuMemsetD32Async(dev(data), bits & 0xffffffff,
                                              count, stream));
    default: // two 32-bit words, 8 bytes apart
      cuda("cuMemsetD2D32Async",
           device.api.cuMemsetD2D32Async(dev(data), 8, bits & 0xffffffff, 1,
                                         count, stream));
      cuda("cuMemsetD2D32Async",
           device.api.cuMemsetD2D32Async(dev(data + 4), 8, bits >> 32, 1, count,
                                         stream));
    }
  }
  char *scratch(int slot, size_t count) override {
    Nccl::Scratch &s = n.scratch[stream];
    if (s.bytes[slot] < count) {
      if (s.data[slot]) {
        // Queued work may still read the old buffer: freed in its order;
        // a graph may hold it: retired, not freed.
        if (graphsUsed()) {
        } else if (device.pools) {
          cuda("cuMemFreeAsync",
               device.api.cuMemFreeAsync(s.data[slot], stream));
        } else {
          cuda("cuStreamSynchronize", device.api.cuStreamSynchronize(stream));
          device.api.cuMemFree(s.data[slot]);
        }
        s.data[slot] = 0;
      }
      size_t rounded = std::max<size_t>(count, 2 * s.bytes[slot]);
      cuda("cuMemAlloc", device.api.cuMemAlloc(&s.data[slot], rounded));
      s.bytes[slot] = rounded;
    }
    return reinterpret_cast<char *>(s.data[slot]);
  }
  void
  exchange(const std::vector<std::tuple<int, const void *, size_t>> &sends,
           const std::vector<std::tuple<int, void *, size_t>> &recvs) override {
    group([&] {
      for (auto [to, data, count] : sends)
        if (count) {
          nccl("ncclSend",
               n.api.ncclSend(data, count, ncclInt8, to, comm, stream));
          bytes += count;
        }
      for (auto [from, data, count] : recvs)
        if (count)
          nccl("ncclRecv",
               n.api.ncclRecv(data, count, ncclInt8, from, comm, stream));
    });
  }
  void reduceScatter(char *work, const Chunks &c, loom_dtype dtype,
                     loom_reduction op) override {
    size_t element = loom::comm::elementSize(dtype);
    int type = ncclType(dtype);
    bytes += total(c) - c.size[member];
    if (even(c)) {
      nccl("ncclReduceScatter",
           n.api.ncclReduceScatter(work, work + c.offset[member],
                                   c.size[member] / element, type, ncclOp(op),
                                   comm, stream));
      return;
    }
    group([&] { // uneven chunks: one reduce to each chunk's member
      for (int k = 0; k < size; ++k)
        if (c.size[k])
          nccl("ncclReduce",
               n.api.ncclReduce(work + c.offset[k], work + c.offset[k],
                                c.size[k] / element, type, ncclOp(op), k, comm,
                                stream));
    });
  }
  void allGather(char *out, const Chunks &c) override {
    bytes += total(c) - c.size[(member + 1) % size];
    if (even(c)) {
      nccl("ncclAllGather",
           n.api.ncclAllGather(out + c.offset[member], out, c.size[member],
                               ncclInt8, comm, stream));
      return;
    }
    group([&] { // uneven chunks: each member broadcasts its own
      for (int k = 0; k < size; ++k)
        if (c.size[k])
          nccl("ncclBroadcast",
               n.api.ncclBroadcast(out + c.offset[k], out + c.offset[k],
                                   c.size[k], ncclInt8, k, comm, stream));
    });
  }
  void allReduce(char *work, int64_t count, loom_dtype dtype,
                 loom_reduction op) override {
    size_t element = loom::comm::elementSize(dtype);
    Chunks c = loom::comm::balanced(count, size, element);
    bytes += 2 * total(c) - c.size[member] - c.size[(member + 1) % size];
    nccl("ncclAllReduce",
         n.api.ncclAllReduce(work, work, count, ncclType(dtype), ncclOp(op),
                             comm, stream));
  }

private:
  void cuda(const char *call, CUresult result) {
    if (result != CUDA_SUCCESS)
      throw CommError(std::string(call) + " failed: " + errorName(result));
  }
  void nccl(const char *call, ncclResult_t result) {
    if (result != ncclSuccess)
      throw CommError(std::string(call) +
                      " failed: " + n.api.ncclGetErrorString(result) + " (" +
                      n.api.ncclGetLastError(comm) + ")");
  }
  template <typename Fn>
  void group(Fn body) {
    nccl("ncclGroupStart", n.api.ncclGroupStart());
    try {
      body();
    } catch (...) {
      n.api.ncclGroupEnd();
      throw;
    }
    nccl("ncclGroupEnd", n.api.ncclGroupEnd());
  }
  static size_t total(const Chunks &c) {
    size_t sum = 0;
    for (size_t s : c.size)
      sum += s;
    return sum;
  }
  static bool even(const Chunks &c) {
    return std::all_of(c.size.begin(), c.size.end(),
                       [&](size_t s) { return s == c.size.front(); });
  }

  Device &device;
  Nccl &n;
  ncclComm_t comm;
  CUstream stream;
};

/// The communicator of `group` (global ranks), created on first use (the
/// bytes its barrier sent added to `bootstrap`). Called with the mutex
/// held; throws CommError.
ncclComm_t getComm(Nccl &n, loom_comm *job, const std::vector<int> &group,
                   uint64_t &bootstrap) {
  auto it = n.comms.find(group);
  if (it != n.comms.end())
    return it->second;
  int rank = loom_comm_rank(job);
  int member = static_cast<int>(std::find(group.begin(), group.end(), rank) -
                                group.begin());
  std::string key = "nccl";
  for (int r : group)
    key += "_" + std::to_string(r);
  ncclUniqueId id{};
  if (member == 0) {
    if (ncclResult_t r = n.api.ncclGetUniqueId(&id))
      throw CommError(std::string("ncclGetUniqueId failed: ") +
                      n.api.ncclGetErrorString(r));
    if (loom_comm_publish(job, key.c_str(), &id, sizeof(id)))
      throw CommError(loom_comm_error(job));
  } else {
    size_t got = 0;
    if (loom_comm_lookup(job, key.c_str(), &id, sizeof(id), &got) ||
        got != sizeof(id))
      throw CommError(std::string("no NCCL id from rank ") +
                      std::to_string(group.front()) + ": " +
                      loom_comm_error(job));
  }
  // Every member alive now (Gloo's wait is bounded; NCCL's is not).
  uint64_t before = loom_comm_bytes_sent(job);
  if (loom_comm_barrier(job, group.data(), static_cast<int>(group.size())))
    throw CommError(loom_comm_error(job));
  bootstrap += loom_comm_bytes_sent(job) - before;
  ncclComm_t comm = nullptr;
  if (ncclResult_t r = n.api.ncclCommInitRank(
          &comm, static_cast<int>(group.size()), id, member))
    throw CommError(std::string("ncclCommInitRank failed: ") +
                    n.api.ncclGetErrorString(r) +
                    (r == ncclInvalidUsage
                         ? " (two ranks on one GPU? each rank needs its own: "
                           "loom-run -n N gives rank r cuda:r)"
                         : ""));
  n.comms.emplace(group, comm);
  return comm;
}

void gpuBox(loom::comm::UnrankedMemRef *input, loom::comm::UnrankedMemRef *init,
            loom_dtype dtype, size_t element, int64_t meshAxis, int64_t mesh0,
            int64_t mesh1, int64_t fromKind, int64_t fromAxis,
            int64_t fromReduction, int64_t toKind, int64_t toAxis,
            int64_t toReduction) {
  Device &device = requireDevice();
  loom::comm::BoxCall c = loom::comm::decodeBoxCall(
      input, init, element, meshAxis, mesh0, mesh1, fromKind, fromAxis,
      fromReduction, toKind, toAxis, toReduction);
  Nccl &n = getNccl();
  CUstream stream = runStream();
  std::string error;
  uint64_t bytes = 0, bootstrap = 0;
  {
    RaiseSafeLock lock(n.mutex);
    try {
      if (std::string why = loadNcclLocked(device, n); !why.empty())
        throw CommError("boxing needs NCCL: " + why);
      ncclComm_t comm = getComm(n, c.job, c.group, bootstrap);
      NcclTransport t(device, n, comm, static_cast<int>(c.group.size()),
                      c.member, stream);
      auto issue = [&] {
        if (loom::comm::sameLayout(c.from, c.to)) // the part as it is
          t.copy(c.out, c.in, c.inBytes);
        else
          loom::comm::box(t, c.in, c.out, c.shape.data(),
                          static_cast<int>(c.shape.size()), dtype, c.from,
                          c.to);
      };
      // In a graph region: captured, but never re-pointed (NCCL keeps its
      // buffers' addresses in device memory).
      if (!graphLibraryCall(
              "boxing (NCCL)",
              {{reinterpret_cast<CUdeviceptr>(c.in), c.inBytes},
               {reinterpret_cast<CUdeviceptr>(c.out), c.outBytes}},
              false, issue))
        issue();
      bytes = t.bytes;
      n.pending.insert(stream);
    } catch (const std::exception &e) {
      error = e.what();
    }
  }
  if (!error.empty())
    raise("rank %d: boxing on %s: %s", loom_comm_rank(c.job),
          device.description.c_str(), error.c_str());
  loom_box_account(c.start, bytes, bootstrap);
  if (syncEachCall())
    syncRun("boxing (NCCL)");
}

} // namespace

// What kernel.box lowers to on CUDA: one function per element type (MLIR's
// C interface, unranked descriptors of device memory).
#define LOOM_GPU_BOX(SUFFIX, DTYPE, BYTES)                                     \
  extern "C" void _mlir_ciface_loom_gpu_box_##SUFFIX(                          \
      loom::comm::UnrankedMemRef *input, loom::comm::UnrankedMemRef *init,     \
      int64_t meshAxis, int64_t mesh0, int64_t mesh1, int64_t fromKind,        \
      int64_t fromAxis, int64_t fromReduction, int64_t toKind, int64_t toAxis, \
      int64_t toReduction) {                                                   \
    gpuBox(input, init, DTYPE, BYTES, meshAxis, mesh0, mesh1, fromKind,        \
           fromAxis, fromReduction, toKind, toAxis, toReduction);              \
  }
LOOM_GPU_BOX(f32, LOOM_DTYPE_F32, 4)
LOOM_GPU_BOX(f64, LOOM_DTYPE_F64, 8)
LOOM_GPU_BOX(f16, LOOM_DTYPE_F16, 2)
LOOM_GPU_BOX(bf16, LOOM_DTYPE_BF16, 2)
LOOM_GPU_BOX(i1, LOOM_DTYPE_BOOL, 1)
LOOM_GPU_BOX(i8, LOOM_DTYPE_I8, 1)
LOOM_GPU_BOX(i16, LOOM_DTYPE_I16, 2)
LOOM_GPU_BOX(i32, LOOM_DTYPE_I32, 4)
LOOM_GPU_BOX(i64, LOOM_DTYPE_I64, 8)
#undef LOOM_GPU_BOX
