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

#include "Boxing.h"
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

using namespace loom::comm;

namespace {

struct Group {
  std::shared_ptr<gloo::rendezvous::Context> context;
  int member = 0, size = 1;
  uint64_t slot = 0;
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

/// The Gloo transport: host memory, ring collectives on point-to-point
/// unbound buffers (so that every byte sent is counted).
class GlooTransport : public Transport {
public:
  GlooTransport(loom_comm *comm, Group &g)
      : Transport(g.size, g.member), comm(comm), g(g) {}

  void copy(char *dst, const char *src, size_t bytes) override {
    if (bytes)
      std::memmove(dst, src, bytes);
  }
  void copyRows(const char *src, int64_t srcDim, int64_t begin, char *dst,
                int64_t dstDim, int64_t at, int64_t rows,
                const Split3 &s) override {
    for (int64_t o = 0; o < s.outer; ++o)
      std::memcpy(dst + (o * dstDim + at) * s.inner,
                  src + (o * srcDim + begin) * s.inner, rows * s.inner);
  }
  void fillIdentity(char *data, int64_t count, loom_dtype dtype,
                    loom_reduction op) override {
    dispatch(dtype, [&](auto t) {
      using T = decltype(t);
      ::fillIdentity(reinterpret_cast<T *>(data), count, op);
    });
  }
  char *scratch(int slot, size_t bytes) override {
    return comm->getScratch(slot, bytes);
  }
  void
  exchange(const std::vector<std::tuple<int, const void *, size_t>> &sends,
           const std::vector<std::tuple<int, void *, size_t>> &recvs) override {
    comm->exchange(g, sends, recvs);
  }

  /// Ring reduce-scatter: member m ends with the reduction of chunk m.
  void reduceScatter(char *work, const Chunks &c, loom_dtype dtype,
                     loom_reduction op) override {
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

  /// Ring all-gather.
  void allGather(char *out, const Chunks &c) override {
    int n = g.size, m = g.member;
    int next = (m + 1) % n, prev = (m + n - 1) % n;
    for (int s = 0; s < n - 1; ++s) {
      int sendChunk = (m - s + n) % n, recvChunk = (m - s - 1 + n) % n;
      comm->exchange(g, {{next, out + c.offset[sendChunk], c.size[sendChunk]}},
                     {{prev, out + c.offset[recvChunk], c.size[recvChunk]}});
    }
  }

private:
  loom_comm *comm;
  Group &g;
};
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

int loom_comm_publish(loom_comm *comm, const char *key, const void *data,
                      size_t size) {
  return guarded(comm, [&] {
    const char *bytes = static_cast<const char *>(data);
    comm->store->set(std::string("user/") + key,
                     std::vector<char>(bytes, bytes + size));
  });
}

int loom_comm_lookup(loom_comm *comm, const char *key, void *data,
                     size_t capacity, size_t *size) {
  return guarded(comm, [&] {
    std::string name = std::string("user/") + key;
    comm->store->wait({name}, comm->timeout);
    std::vector<char> value = comm->store->get(name);
    std::memcpy(data, value.data(), std::min(capacity, value.size()));
    if (size)
      *size = value.size();
  });
}

double loom_comm_timeout(const loom_comm *comm) {
  return comm ? comm->timeout.count() / 1000.0 : 0;
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
    GlooTransport t(comm, g);
    box(t, in.data(), static_cast<char *>(data), shape, 1, dtype,
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
    GlooTransport(comm, g).allGather(static_cast<char *>(out),
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
    GlooTransport(comm, g).reduceScatter(
        work.data(), balanced(g.size, g.size, bytes), dtype, reduction);
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
    GlooTransport(comm, g).allGather(gathered.data(),
                                     balanced(g.size, g.size, 1));
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
    GlooTransport t(comm, g);
    box(t, static_cast<const char *>(in), static_cast<char *>(out), shape,
        numDims, dtype, from, to);
  });
}

} // extern "C"
