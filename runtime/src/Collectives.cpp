//===- Collectives.cpp - Ring collectives over Gloo's TCP transport -------===//
//
// Part of Loom. The collectives of loom/collectives.h as ring algorithms on
// Gloo's point-to-point unbound buffers, so that every byte sent is counted
// here (the cost model's predictions are checked against these counts).
// Groups (mesh axes) get their own Gloo context, connected on first use
// through a prefix of the file store.
//
//===----------------------------------------------------------------------===//

#include "loom/collectives.h"

#include "TcpStore.h"

#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/transport/tcp/device.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Group {
  std::shared_ptr<gloo::rendezvous::Context> context;
  int member = 0, size = 1;
  uint64_t slot = 0;
};

/// An error to report through loom_comm_error.
struct CommError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void copyError(char *error, size_t size, const std::string &message) {
  if (error && size)
    std::snprintf(error, size, "%s", message.c_str());
}

template <typename T>
void reduceInto(T *acc, const T *in, int64_t n, loom_reduction op) {
  for (int64_t i = 0; i < n; ++i)
    acc[i] = op == LOOM_REDUCE_SUM   ? acc[i] + in[i]
             : op == LOOM_REDUCE_MAX ? std::max(acc[i], in[i])
                                     : std::min(acc[i], in[i]);
}

template <typename T>
void fillIdentity(T *data, int64_t n, loom_reduction op) {
  T value = op == LOOM_REDUCE_SUM   ? T(0)
            : op == LOOM_REDUCE_MAX ? std::numeric_limits<T>::lowest()
                                    : std::numeric_limits<T>::max();
  if (std::numeric_limits<T>::has_infinity && op != LOOM_REDUCE_SUM)
    value = op == LOOM_REDUCE_MAX ? -std::numeric_limits<T>::infinity()
                                  : std::numeric_limits<T>::infinity();
  std::fill(data, data + n, value);
}

/// The bytes of an element of the dtypes collectives move (compiled
/// libraries link this file without the rest of the runtime).
size_t elementSize(loom_dtype dtype) {
  switch (dtype) {
  case LOOM_DTYPE_F64:
  case LOOM_DTYPE_I64:
  case LOOM_DTYPE_U64:
    return 8;
  case LOOM_DTYPE_F32:
  case LOOM_DTYPE_I32:
  case LOOM_DTYPE_U32:
    return 4;
  case LOOM_DTYPE_F16:
  case LOOM_DTYPE_BF16:
  case LOOM_DTYPE_I16:
  case LOOM_DTYPE_U16:
    return 2;
  case LOOM_DTYPE_I8:
  case LOOM_DTYPE_U8:
  case LOOM_DTYPE_BOOL:
    return 1;
  default:
    throw CommError("collectives cannot move dtype " +
                    std::to_string(static_cast<int>(dtype)));
  }
}

/// Applies `fn` with the C++ type of `dtype`, for reductions (moving data
/// takes any dtype elementSize knows).
template <typename Fn>
void dispatch(loom_dtype dtype, Fn fn) {
  switch (dtype) {
  case LOOM_DTYPE_F32:
    return fn(float());
  case LOOM_DTYPE_F64:
    return fn(double());
  case LOOM_DTYPE_I32:
    return fn(int32_t());
  case LOOM_DTYPE_I64:
    return fn(int64_t());
  case LOOM_DTYPE_U32:
    return fn(uint32_t());
  case LOOM_DTYPE_U64:
    return fn(uint64_t());
  case LOOM_DTYPE_I16:
    return fn(int16_t());
  case LOOM_DTYPE_U16:
    return fn(uint16_t());
  case LOOM_DTYPE_I8:
    return fn(int8_t());
  case LOOM_DTYPE_U8:
    return fn(uint8_t());
  default:
    throw CommError("collectives cannot reduce dtype " +
                    std::to_string(static_cast<int>(dtype)) +
                    " (partial values of f16, bf16 and bool)");
  }
}

} // namespace

struct loom_comm {
  int rank = 0, size = 1;
  std::chrono::milliseconds timeout{60000};
  std::shared_ptr<gloo::transport::Device> device;
  std::unique_ptr<gloo::rendezvous::Store> store;
  std::map<std::vector<int>, Group> groups;
  std::string error;
  uint64_t bytes = 0;
  /// Working memory reused across calls (fresh buffers of megabytes would
  /// page-fault on every step): slot 0 for a call's packed data, slot 1
  /// for what a ring step receives.
  std::vector<char> scratch[2];

  char *getScratch(int slot, size_t size) {
    if (scratch[slot].size() < size)
      scratch[slot].resize(size);
    return scratch[slot].data();
  }

  Group &getGroup(const int *ranks, int n) {
    std::vector<int> key;
    if (ranks)
      key.assign(ranks, ranks + n);
    else
      for (int r = 0; r < size; ++r)
        key.push_back(r);
    auto it = groups.find(key);
    if (it != groups.end())
      return it->second;
    auto self = std::find(key.begin(), key.end(), rank);
    if (self == key.end())
      throw CommError("rank " + std::to_string(rank) +
                      " is not in the group it called a collective on");
    std::string prefix = "group";
    for (int r : key) {
      if (r < 0 || r >= size)
        throw CommError("group names rank " + std::to_string(r) +
                        " of a world of " + std::to_string(size));
      prefix += "_" + std::to_string(r);
    }
    Group group;
    group.member = static_cast<int>(self - key.begin());
    group.size = static_cast<int>(key.size());
    group.context =
        std::make_shared<gloo::rendezvous::Context>(group.member, group.size);
    group.context->setTimeout(timeout);
    gloo::rendezvous::PrefixStore prefixed(prefix, *store);
    group.context->connectFullMesh(prefixed, device);
    return groups.emplace(key, std::move(group)).first->second;
  }

  /// Posts every send and receive, then waits for all of them.
  void exchange(Group &g,
                const std::vector<std::tuple<int, const void *, size_t>> &sends,
                const std::vector<std::tuple<int, void *, size_t>> &recvs) {
    uint64_t slot = g.slot++;
    std::vector<std::unique_ptr<gloo::transport::UnboundBuffer>> out, in;
    for (auto [from, data, n] : recvs) {
      if (n == 0)
        continue; // an empty chunk: the sender skips it too
      in.push_back(g.context->createUnboundBuffer(data, n));
      in.back()->recv(from, slot);
    }
    for (auto [to, data, n] : sends) {
      if (n == 0)
        continue;
      out.push_back(
          g.context->createUnboundBuffer(const_cast<void *>(data), n));
      out.back()->send(to, slot);
      bytes += n;
    }
    for (auto &buffer : out)
      if (!buffer->waitSend(timeout))
        throw CommError("a send was aborted");
    for (auto &buffer : in)
      if (!buffer->waitRecv(timeout))
        throw CommError("a receive was aborted");
  }
};

namespace {

/// Runs `body`, turning any failure into the communicator's error.
template <typename Fn>
int guarded(loom_comm *comm, Fn body) {
  if (!comm)
    return 1;
  if (!comm->error.empty())
    return 1; // a failed communicator stays failed
  try {
    body();
    return 0;
  } catch (const std::exception &e) {
    comm->error = "rank " + std::to_string(comm->rank) + ": " + e.what();
    if (comm->error.find("imeout") != std::string::npos ||
        comm->error.find("imed out") != std::string::npos ||
        comm->error.find("losed") != std::string::npos ||
        comm->error.find("reset") != std::string::npos)
      comm->error += " (a peer rank died or hung)";
    return 1;
  }
}

/// Where the chunks of a ring live: chunk k is `size[k]` bytes at
/// `offset[k]` of the buffer (chunks may differ in size: uneven splits).
struct Chunks {
  std::vector<size_t> offset, size;
};

/// `n` balanced chunks of `count` elements of `element` bytes.
Chunks balanced(int64_t count, int n, size_t element) {
  Chunks c;
  for (int k = 0; k < n; ++k) {
    int64_t offset;
    int64_t part = loom_split_part(count, n, k, &offset);
    c.offset.push_back(offset * element);
    c.size.push_back(part * element);
  }
  return c;
}

/// Ring reduce-scatter of the chunks of `work` (reduced in place): member
/// m ends with the reduction of chunk m.
void ringReduceScatter(loom_comm *comm, Group &g, char *work, const Chunks &c,
                       loom_dtype dtype, loom_reduction op) {
  int n = g.size, m = g.member;
  char *incoming =
      comm->getScratch(1, *std::max_element(c.size.begin(), c.size.end()));
  int next = (m + 1) % n, prev = (m + n - 1) % n;
  for (int s = 0; s < n - 1; ++s) {
    int sendChunk = (m - s - 1 + 2 * n) % n;
    int recvChunk = (m - s - 2 + 2 * n) % n;
    comm->exchange(g, {{next, work + c.offset[sendChunk], c.size[sendChunk]}},
                   {{prev, incoming, c.size[recvChunk]}});
    dispatch(dtype, [&](auto t) {
      using T = decltype(t);
      reduceInto(reinterpret_cast<T *>(work + c.offset[recvChunk]),
                 reinterpret_cast<const T *>(incoming),
                 c.size[recvChunk] / sizeof(T), op);
    });
  }
}

/// Ring all-gather: chunk m of `out` is this member's; the others arrive
/// around the ring.
void ringAllGather(loom_comm *comm, Group &g, char *out, const Chunks &c) {
  int n = g.size, m = g.member;
  int next = (m + 1) % n, prev = (m + n - 1) % n;
  for (int s = 0; s < n - 1; ++s) {
    int sendChunk = (m - s + n) % n, recvChunk = (m - s - 1 + n) % n;
    comm->exchange(g, {{next, out + c.offset[sendChunk], c.size[sendChunk]}},
                   {{prev, out + c.offset[recvChunk], c.size[recvChunk]}});
  }
}

/// A tensor seen as [outer][dim][inner] around one dim.
struct Split3 {
  int64_t outer = 1, dim = 1, inner = 1;
};
Split3 around(const int64_t *shape, int numDims, int axis, size_t element) {
  Split3 s;
  for (int d = 0; d < axis; ++d)
    s.outer *= shape[d];
  s.dim = shape[axis];
  for (int d = axis + 1; d < numDims; ++d)
    s.inner *= shape[d];
  s.inner *= static_cast<int64_t>(element);
  return s;
}

/// Copies rows [begin, begin + rows) of dim from `src` ([outer][srcDim]
/// [inner]) to rows [at, at + rows) of `dst` ([outer][dstDim][inner]).
void copyRows(const char *src, int64_t srcDim, int64_t begin, char *dst,
              int64_t dstDim, int64_t at, int64_t rows, const Split3 &s) {
  for (int64_t o = 0; o < s.outer; ++o)
    std::memcpy(dst + (o * dstDim + at) * s.inner,
                src + (o * srcDim + begin) * s.inner, rows * s.inner);
}

int64_t elementsOf(const int64_t *shape, int numDims) {
  int64_t n = 1;
  for (int d = 0; d < numDims; ++d)
    n *= shape[d];
  return n;
}

/// Member k's rows of a dim of `dim` split over `n`: [first, first + size).
struct Rows {
  int64_t first, size;
};
Rows rowsOf(int64_t dim, int n, int k) {
  Rows r;
  r.size = loom_split_part(dim, n, k, &r.first);
  return r;
}

void box(loom_comm *comm, Group &g, const char *in, char *out,
         const int64_t *shape, int numDims, loom_dtype dtype, loom_sbp from,
         loom_sbp to) {
  int n = g.size, m = g.member;
  size_t element = elementSize(dtype); // refuses unknown dtypes
  if (from.kind == LOOM_SBP_PARTIAL || to.kind == LOOM_SBP_PARTIAL)
    dispatch(dtype, [](auto) {}); // refuses dtypes it cannot reduce
  for (loom_sbp sbp : {from, to})
    if (sbp.kind == LOOM_SBP_SPLIT &&
        (sbp.axis < 0 || sbp.axis >= numDims || shape[sbp.axis] < n))
      throw CommError(
          sbp.axis < 0 || sbp.axis >= numDims
              ? "cannot split dim " + std::to_string(sbp.axis) + " of a rank-" +
                    std::to_string(numDims) + " tensor"
              : "cannot split dim " + std::to_string(sbp.axis) + " of size " +
                    std::to_string(shape[sbp.axis]) + " over " +
                    std::to_string(n) + " ranks (every rank needs a row)");
  int64_t total = elementsOf(shape, numDims);
  size_t totalBytes = total * element;
  auto identity = [&](char *data, int64_t count, loom_reduction op) {
    dispatch(dtype, [&](auto t) {
      using T = decltype(t);
      fillIdentity(reinterpret_cast<T *>(data), count, op);
    });
  };
  bool same = from.kind == to.kind &&
              (from.kind != LOOM_SBP_SPLIT || from.axis == to.axis) &&
              (from.kind != LOOM_SBP_PARTIAL || from.reduction == to.reduction);
  if (same) {
    size_t bytes = totalBytes;
    if (from.kind == LOOM_SBP_SPLIT)
      bytes = bytes / shape[from.axis] * rowsOf(shape[from.axis], n, m).size;
    std::memcpy(out, in, bytes);
    return;
  }
  switch (from.kind) {
  case LOOM_SBP_BROADCAST:
    if (to.kind == LOOM_SBP_SPLIT) {
      Split3 s = around(shape, numDims, to.axis, element);
      Rows r = rowsOf(s.dim, n, m);
      copyRows(in, s.dim, r.first, out, r.size, 0, r.size, s);
    } else { // B -> P: the value on the first member, identity elsewhere
      if (m == 0)
        std::memcpy(out, in, totalBytes);
      else
        identity(out, total, to.reduction);
    }
    return;
  case LOOM_SBP_SPLIT: {
    Split3 s = around(shape, numDims, from.axis, element);
    Rows mine = rowsOf(s.dim, n, m);
    if (to.kind == LOOM_SBP_PARTIAL) { // embed the slice in the identity
      identity(out, total, to.reduction);
      copyRows(in, mine.size, 0, out, s.dim, mine.first, mine.size, s);
      return;
    }
    if (to.kind == LOOM_SBP_BROADCAST) { // all-gather, then interleave
      Chunks c = balanced(s.dim, n, s.outer * s.inner);
      char *chunks = comm->getScratch(0, totalBytes);
      std::memcpy(chunks + c.offset[m], in, c.size[m]);
      ringAllGather(comm, g, chunks, c);
      for (int k = 0; k < n; ++k) {
        Rows r = rowsOf(s.dim, n, k);
        copyRows(chunks + c.offset[k], r.size, 0, out, s.dim, r.first, r.size,
                 s);
      }
      return;
    }
    // S(i) -> S(j): piece k of the local part (its j-rows for member k)
    // goes to member k; what member k sends back is our j-rows of its
    // i-rows.
    std::vector<int64_t> local(shape, shape + numDims);
    local[from.axis] = mine.size;
    Split3 t = around(local.data(), numDims, to.axis, element);
    std::vector<size_t> sendAt, sendSize, recvAt, recvSize;
    size_t sendTotal = 0, recvTotal = 0;
    Rows myCols = rowsOf(t.dim, n, m);
    for (int k = 0; k < n; ++k) {
      sendAt.push_back(sendTotal);
      sendSize.push_back(t.outer * rowsOf(t.dim, n, k).size * t.inner);
      sendTotal += sendSize.back();
    }
    for (int k = 0; k < n; ++k) {
      recvAt.push_back(recvTotal);
      // Member k's piece: its i-rows, our j-cols.
      recvSize.push_back(sendSize[m] / mine.size * rowsOf(s.dim, n, k).size);
      recvTotal += recvSize.back();
    }
    char *packed = comm->getScratch(0, sendTotal);
    char *received = comm->getScratch(1, recvTotal);
    for (int k = 0; k < n; ++k) {
      Rows cols = rowsOf(t.dim, n, k);
      copyRows(in, t.dim, cols.first, packed + sendAt[k], cols.size, 0,
               cols.size, t);
    }
    std::memcpy(received + recvAt[m], packed + sendAt[m], sendSize[m]);
    std::vector<std::tuple<int, const void *, size_t>> sends;
    std::vector<std::tuple<int, void *, size_t>> recvs;
    for (int k = 0; k < n; ++k)
      if (k != m) {
        sends.emplace_back(k, packed + sendAt[k], sendSize[k]);
        recvs.emplace_back(k, received + recvAt[k], recvSize[k]);
      }
    comm->exchange(g, sends, recvs);
    // Member k's piece holds its rows of dim i, our cols of dim j.
    std::vector<int64_t> result(shape, shape + numDims);
    result[to.axis] = myCols.size;
    Split3 r = around(result.data(), numDims, from.axis, element);
    for (int k = 0; k < n; ++k) {
      Rows rows = rowsOf(s.dim, n, k);
      copyRows(received + recvAt[k], rows.size, 0, out, r.dim, rows.first,
               rows.size, r);
    }
    return;
  }
  case LOOM_SBP_PARTIAL: {
    if (to.kind == LOOM_SBP_SPLIT) { // chunks along the dim, reduce-scatter
      Split3 s = around(shape, numDims, to.axis, element);
      Chunks c = balanced(s.dim, n, s.outer * s.inner);
      char *work = comm->getScratch(0, totalBytes);
      for (int k = 0; k < n; ++k) {
        Rows r = rowsOf(s.dim, n, k);
        copyRows(in, s.dim, r.first, work + c.offset[k], r.size, 0, r.size, s);
      }
      ringReduceScatter(comm, g, work, c, dtype, from.reduction);
      std::memcpy(out, work + c.offset[m], c.size[m]);
      return;
    }
    // P -> B (and P(x) -> P(y)): all-reduce as reduce-scatter + all-gather
    // of balanced chunks of the elements.
    Chunks c = balanced(total, n, element);
    char *work = comm->getScratch(0, totalBytes);
    std::memcpy(work, in, totalBytes);
    ringReduceScatter(comm, g, work, c, dtype, from.reduction);
    ringAllGather(comm, g, work, c);
    if (to.kind == LOOM_SBP_PARTIAL && m != 0)
      identity(out, total, to.reduction);
    else
      std::memcpy(out, work, totalBytes);
    return;
  }
  }
}

} // namespace

extern "C" {

loom_comm *loom_comm_create(int rank, int size, const char *storeDir,
                            double timeoutSeconds, char *error,
                            size_t errorSize) {
  if (size < 1 || rank < 0 || rank >= size) {
    copyError(error, errorSize,
              "rank " + std::to_string(rank) + " is not in a world of " +
                  std::to_string(size));
    return nullptr;
  }
  if (!storeDir || !*storeDir) {
    copyError(error, errorSize,
              "no rendezvous: set LOOM_STORE_DIR (a directory every rank "
              "sees) or LOOM_MASTER_ADDR and LOOM_MASTER_PORT");
    return nullptr;
  }
  auto comm = std::make_unique<loom_comm>();
  comm->rank = rank;
  comm->size = size;
  comm->timeout = std::chrono::milliseconds(
      static_cast<int64_t>(std::max(0.001, timeoutSeconds) * 1000));
  try {
    gloo::transport::tcp::attr attr;
    attr.hostname = "127.0.0.1";
    if (const char *host = std::getenv("LOOM_HOSTNAME"))
      attr.hostname = host;
    comm->device = gloo::transport::tcp::CreateDevice(attr);
    std::string store = storeDir;
    if (store.rfind("tcp://", 0) == 0) { // tcp://host:port, served by rank 0
      std::string address = store.substr(6);
      size_t colon = address.rfind(':');
      int port = colon == std::string::npos
                     ? 0
                     : std::atoi(address.c_str() + colon + 1);
      if (port <= 0)
        throw std::runtime_error("expected tcp://HOST:PORT, got " + store);
      comm->store = std::make_unique<loom::runtime::TcpStore>(
          address.substr(0, colon), port, rank == 0, comm->timeout);
    } else {
      comm->store = std::make_unique<gloo::rendezvous::FileStore>(store);
    }
  } catch (const std::exception &e) {
    copyError(error, errorSize, std::string("cannot start: ") + e.what());
    return nullptr;
  }
  return comm.release();
}

loom_comm *loom_comm_join(char *error, size_t errorSize) {
  auto number = [](const char *a, const char *b, long fallback) {
    const char *v = std::getenv(a);
    if (!v && b)
      v = std::getenv(b);
    return v ? std::strtol(v, nullptr, 10) : fallback;
  };
  // A peer that died closes its sockets: writing to one must fail with
  // EPIPE (Gloo then reports the peer gone) rather than kill this rank with
  // SIGPIPE, unless the program chose its own handling.
  struct sigaction pipe {};
  if (sigaction(SIGPIPE, nullptr, &pipe) == 0 && pipe.sa_handler == SIG_DFL)
    std::signal(SIGPIPE, SIG_IGN);
  long rank = number("LOOM_RANK", "OMPI_COMM_WORLD_RANK", -1);
  long size = number("LOOM_WORLD_SIZE", "OMPI_COMM_WORLD_SIZE", -1);
  if (rank < 0 || size < 1) {
    copyError(error, errorSize,
              "LOOM_RANK and LOOM_WORLD_SIZE are not set (start the ranks "
              "with loom-run -n N, or mpirun)");
    return nullptr;
  }
  const char *timeout = std::getenv("LOOM_TIMEOUT");
  std::string store;
  if (const char *dir = std::getenv("LOOM_STORE_DIR"))
    store = dir;
  const char *addr = std::getenv("LOOM_MASTER_ADDR");
  const char *port = std::getenv("LOOM_MASTER_PORT");
  if (store.empty() && addr && port && std::atoi(port) > 0)
    store = std::string("tcp://") + addr + ":" + port;
  return loom_comm_create(
      static_cast<int>(rank), static_cast<int>(size), store.c_str(),
      timeout ? std::strtod(timeout, nullptr) : 60.0, error, errorSize);
}

void loom_comm_destroy(loom_comm *comm) { delete comm; }
int loom_comm_rank(const loom_comm *comm) { return comm ? comm->rank : -1; }
int loom_comm_size(const loom_comm *comm) { return comm ? comm->size : 0; }
const char *loom_comm_error(const loom_comm *comm) {
  return comm ? comm->error.c_str() : "no communicator";
}
uint64_t loom_comm_bytes_sent(const loom_comm *comm) {
  return comm ? comm->bytes : 0;
}
void loom_comm_reset_bytes(loom_comm *comm) {
  if (comm)
    comm->bytes = 0;
}

int loom_comm_all_reduce(loom_comm *comm, const int *ranks, int numRanks,
                         void *data, int64_t count, loom_dtype dtype,
                         loom_reduction reduction) {
  return guarded(comm, [&] {
    Group &g = comm->getGroup(ranks, numRanks);
    int64_t shape[1] = {count};
    std::vector<char> in(static_cast<char *>(data),
                         static_cast<char *>(data) +
                             count * elementSize(dtype));
    box(comm, g, in.data(), static_cast<char *>(data), shape, 1, dtype,
        {LOOM_SBP_PARTIAL, 0, reduction}, {LOOM_SBP_BROADCAST, 0, reduction});
  });
}

int loom_comm_all_gather(loom_comm *comm, const int *ranks, int numRanks,
                         const void *in, void *out, int64_t count,
                         loom_dtype dtype) {
  return guarded(comm, [&] {
    Group &g = comm->getGroup(ranks, numRanks);
    size_t bytes = count * elementSize(dtype);
    std::memcpy(static_cast<char *>(out) + g.member * bytes, in, bytes);
    ringAllGather(comm, g, static_cast<char *>(out),
                  balanced(g.size, g.size, bytes));
  });
}

int loom_comm_reduce_scatter(loom_comm *comm, const int *ranks, int numRanks,
                             const void *in, void *out, int64_t count,
                             loom_dtype dtype, loom_reduction reduction) {
  return guarded(comm, [&] {
    Group &g = comm->getGroup(ranks, numRanks);
    size_t bytes = count * elementSize(dtype);
    std::vector<char> work(static_cast<const char *>(in),
                           static_cast<const char *>(in) + bytes * g.size);
    ringReduceScatter(comm, g, work.data(), balanced(g.size, g.size, bytes),
                      dtype, reduction);
    std::memcpy(out, work.data() + g.member * bytes, bytes);
  });
}

int loom_comm_all_to_all(loom_comm *comm, const int *ranks, int numRanks,
                         const void *in, void *out, int64_t count,
                         loom_dtype dtype) {
  return guarded(comm, [&] {
    Group &g = comm->getGroup(ranks, numRanks);
    size_t bytes = count * elementSize(dtype);
    const char *src = static_cast<const char *>(in);
    char *dst = static_cast<char *>(out);
    std::memcpy(dst + g.member * bytes, src + g.member * bytes, bytes);
    std::vector<std::tuple<int, const void *, size_t>> sends;
    std::vector<std::tuple<int, void *, size_t>> recvs;
    for (int k = 0; k < g.size; ++k)
      if (k != g.member) {
        sends.emplace_back(k, src + k * bytes, bytes);
        recvs.emplace_back(k, dst + k * bytes, bytes);
      }
    comm->exchange(g, sends, recvs);
  });
}

int loom_comm_barrier(loom_comm *comm, const int *ranks, int numRanks) {
  return guarded(comm, [&] {
    Group &g = comm->getGroup(ranks, numRanks);
    std::vector<char> gathered(g.size, 0);
    ringAllGather(comm, g, gathered.data(), balanced(g.size, g.size, 1));
  });
}

int64_t loom_split_part(int64_t dim, int parts, int index, int64_t *offset) {
  if (parts < 1 || index < 0 || index >= parts || dim < 0) {
    if (offset)
      *offset = 0;
    return 0;
  }
  int64_t base = dim / parts, extra = dim % parts;
  if (offset)
    *offset = index * base + std::min<int64_t>(index, extra);
  return base + (index < extra ? 1 : 0);
}

void loom_sbp_local_shape(loom_sbp sbp, const int64_t *shape, int numDims,
                          int groupSize, int member, int64_t *local) {
  for (int d = 0; d < numDims; ++d)
    local[d] = shape[d];
  if (sbp.kind == LOOM_SBP_SPLIT && sbp.axis >= 0 && sbp.axis < numDims)
    local[sbp.axis] =
        loom_split_part(shape[sbp.axis], groupSize, member, nullptr);
}

int loom_comm_box(loom_comm *comm, const int *ranks, int numRanks,
                  const void *in, void *out, const int64_t *shape, int numDims,
                  loom_dtype dtype, loom_sbp from, loom_sbp to) {
  return guarded(comm, [&] {
    Group &g = comm->getGroup(ranks, numRanks);
    box(comm, g, static_cast<const char *>(in), static_cast<char *>(out), shape,
        numDims, dtype, from, to);
  });
}

} // extern "C"
