//===- EmulatedNccl.cpp - NCCL between processes on the emulated device ---===//
//
// Part of Loom's emulated CUDA device. The NCCL entries Loom's runtime calls
// (runtime/src/cuda/NcclApi.h), between the processes of a job on this
// machine, so that a model compiled with --target=cuda --mesh=N runs on N
// emulated ranks exactly as on N GPUs:
//   - ncclGetUniqueId serves a rendezvous on a free local port (as NCCL's
//     bootstrap does) and names it in the id; ncclCommInitRank connects
//     the ranks' Gloo context through it and, as NCCL does, refuses two
//     ranks on one device;
//   - each call (or group, ncclGroupStart..ncclGroupEnd) is queued on its
//     stream and runs when the stream does, over Gloo's TCP transport; a
//     group's sends and receives are all posted before any is awaited;
//   - reductions add in rank order, so every rank computes the same bits;
//   - a peer that dies or hangs past LOOM_TIMEOUT fails the call: the data
//     is left as it was, the communicator's asynchronous error is set
//     (ncclCommGetAsyncError: ncclRemoteError, or ncclSystemError), and the
//     communicator refuses further work, as NCCL's does; the stream itself
//     completes (NCCL's kernels would spin: the caller polls).
// For tests, LOOM_EMU_NCCL_FAULT=kill:R:K (or hang:R:K) kills rank R (or
// makes it hang) when it reaches its K-th call.
//
//===----------------------------------------------------------------------===//

#include "../TcpStore.h"
#include "../cuda/NcclApi.h"
#include "Emulator.h"

#include <gloo/common/error.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/transport/tcp/device.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace loom::cuda;

namespace loom::cuda {
struct ncclComm {
  int rank = 0, size = 1;
  std::shared_ptr<gloo::rendezvous::Context> context;
  std::unique_ptr<loom::runtime::TcpStore> store;
  std::chrono::milliseconds timeout{60000};
  std::mutex mutex; // one call of this communicator at a time
  std::atomic<int> asyncError{ncclSuccess};
  std::string lastError;
  uint64_t collectives = 0;
  std::vector<uint64_t> sent, received; // point-to-point, per peer
};
} // namespace loom::cuda

namespace {

/// A transfer whose peer stopped answering within the timeout.
struct PeerLost : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::chrono::milliseconds getTimeout() {
  const char *env = std::getenv("LOOM_TIMEOUT");
  double seconds = env ? std::atof(env) : 60;
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::max(0.001, seconds) * 1000));
}

/// One call, as queued: a point-to-point send or receive, or a collective.
struct Op {
  enum Kind {
    Send,
    Recv,
    AllReduce,
    Reduce,
    Broadcast,
    ReduceScatter,
    AllGather
  } kind;
  const void *send;
  void *recv;
  size_t count;
  int type, op, peer; // peer: the root of Reduce and Broadcast
  ncclComm *comm;
  CUstream stream;
};

size_t typeBytes(int type) {
  switch (type) {
  case ncclInt8:
  case ncclUint8:
    return 1;
  case ncclFloat16:
  case ncclBfloat16:
    return 2;
  case ncclInt32:
  case ncclUint32:
  case ncclFloat32:
    return 4;
  case ncclInt64:
  case ncclUint64:
  case ncclFloat64:
    return 8;
  default:
    return 0;
  }
}

template <typename T>
void reduceInto(T *acc, const T *in, size_t n, int op) {
  for (size_t i = 0; i < n; ++i)
    acc[i] = op == ncclSum   ? T(acc[i] + in[i])
             : op == ncclMax ? std::max(acc[i], in[i])
                             : std::min(acc[i], in[i]);
}

/// Whether the emulator reduces `type` with `op` (Loom reduces neither
/// half type).
bool reducible(int type, int op) {
  return (op == ncclSum || op == ncclMax || op == ncclMin) &&
         type != ncclFloat16 && type != ncclBfloat16 && typeBytes(type);
}

void reduce(void *acc, const void *in, size_t count, int type, int op) {
  switch (type) {
  case ncclInt8:
    return reduceInto(static_cast<int8_t *>(acc),
                      static_cast<const int8_t *>(in), count, op);
  case ncclUint8:
    return reduceInto(static_cast<uint8_t *>(acc),
                      static_cast<const uint8_t *>(in), count, op);
  case ncclInt32:
    return reduceInto(static_cast<int32_t *>(acc),
                      static_cast<const int32_t *>(in), count, op);
  case ncclUint32:
    return reduceInto(static_cast<uint32_t *>(acc),
                      static_cast<const uint32_t *>(in), count, op);
  case ncclInt64:
    return reduceInto(static_cast<int64_t *>(acc),
                      static_cast<const int64_t *>(in), count, op);
  case ncclUint64:
    return reduceInto(static_cast<uint64_t *>(acc),
                      static_cast<const uint64_t *>(in), count, op);
  case ncclFloat32:
    return reduceInto(static_cast<float *>(acc), static_cast<const float *>(in),
                      count, op);
  case ncclFloat64:
    return reduceInto(static_cast<double *>(acc),
                      static_cast<const double *>(in), count, op);
  }
}

/// The fault LOOM_EMU_NCCL_FAULT asks of this process at its `call`-th call.
void injectFault(int rank, uint64_t call) {
  static const std::string fault = [] {
    const char *env = std::getenv("LOOM_EMU_NCCL_FAULT");
    return std::string(env ? env : "");
  }();
  if (fault.empty())
    return;
  char kind[8] = "";
  int who = -1;
  unsigned long long when = 0;
  if (std::sscanf(fault.c_str(), "%7[a-z]:%d:%llu", kind, &who, &when) != 3 ||
      who != rank || when != call)
    return;
  std::fprintf(stderr,
               "loom emulated NCCL: rank %d %s at its call %llu "
               "(LOOM_EMU_NCCL_FAULT)\n",
               rank, std::strcmp(kind, "kill") == 0 ? "killed" : "hangs", when);
  if (std::strcmp(kind, "kill") == 0)
    ::kill(::getpid(), SIGKILL);
  while (true)
    std::this_thread::sleep_for(std::chrono::hours(1));
}

/// Runs the ops of one group (one communicator's, in order): every
/// point-to-point transfer posted, then awaited; then the collectives.
void runGroup(ncclComm *comm, const std::vector<Op> &ops) {
  using Buffer = std::unique_ptr<gloo::transport::UnboundBuffer>;
  auto &context = comm->context;
  auto host = [](const void *p) {
    return static_cast<char *>(loom::emu::toHost(p));
  };
  constexpr uint64_t kPointToPoint = uint64_t(1) << 62;
  std::vector<Buffer> sends, recvs;
  for (const Op &o : ops) {
    size_t bytes = o.count * typeBytes(o.type);
    if (!bytes || (o.kind != Op::Send && o.kind != Op::Recv))
      continue;
    if (o.kind == Op::Send) {
      sends.push_back(context->createUnboundBuffer(host(o.send), bytes));
      sends.back()->send(o.peer, kPointToPoint | comm->sent[o.peer]++);
    } else {
      recvs.push_back(context->createUnboundBuffer(host(o.recv), bytes));
      recvs.back()->recv(o.peer, kPointToPoint | comm->received[o.peer]++);
    }
  }
  for (Buffer &b : sends)
    if (!b->waitSend(comm->timeout))
      throw PeerLost("a send was aborted");
  for (Buffer &b : recvs)
    if (!b->waitRecv(comm->timeout))
      throw PeerLost("a receive was aborted");

  int n = comm->size, me = comm->rank;
  for (const Op &o : ops) {
    if (o.kind == Op::Send || o.kind == Op::Recv)
      continue;
    uint64_t slot = comm->collectives++;
    size_t element = typeBytes(o.type);
    // What this rank contributes, and what it receives from each rank.
    size_t contribution =
        o.kind == Op::ReduceScatter ? o.count * n * element : o.count * element;
    // (The send buffers of a broadcast's other ranks go unread.)
    std::vector<char> mine;
    if (o.kind != Op::Broadcast || me == o.peer)
      mine.assign(host(o.send), host(o.send) + contribution);
    std::vector<std::vector<char>> theirs(n);
    std::vector<Buffer> out, in;
    auto post = [&](int to, const char *data, size_t bytes) {
      out.push_back(
          context->createUnboundBuffer(const_cast<char *>(data), bytes));
      out.back()->send(to, slot);
    };
    auto expect = [&](int from, size_t bytes) {
      theirs[from].resize(bytes);
      in.push_back(context->createUnboundBuffer(theirs[from].data(), bytes));
      in.back()->recv(from, slot);
    };
    size_t bytes = o.count * element;
    for (int k = 0; k < n; ++k) {
      if (k == me)
        continue;
      switch (o.kind) {
      case Op::AllReduce:
      case Op::AllGather:
        post(k, mine.data(), bytes);
        expect(k, bytes);
        break;
      case Op::Reduce:
        if (me == o.peer)
          expect(k, bytes);
        else if (k == o.peer)
          post(k, mine.data(), bytes);
        break;
      case Op::Broadcast:
        if (me == o.peer)
          post(k, mine.data(), bytes);
        else if (k == o.peer)
          expect(k, bytes);
        break;
      case Op::ReduceScatter:
        post(k, mine.data() + k * bytes, bytes);
        expect(k, bytes);
        break;
      default:
        break;
      }
    }
    for (Buffer &b : out)
      if (!b->waitSend(comm->timeout))
        throw PeerLost("a send was aborted");
    for (Buffer &b : in)
      if (!b->waitRecv(comm->timeout))
        throw PeerLost("a receive was aborted");
    char *result = host(o.recv);
    auto part = [&](int k, size_t at) -> const char * {
      return k == me ? mine.data() + at : theirs[k].data();
    };
    switch (o.kind) {
    case Op::AllReduce:
    case Op::Reduce:
    case Op::ReduceScatter: {
      if (o.kind == Op::Reduce && me != o.peer)
        break;
      size_t at = o.kind == Op::ReduceScatter ? me * bytes : 0;
      std::vector<char> acc(part(0, at), part(0, at) + bytes);
      for (int k = 1; k < n; ++k)
        reduce(acc.data(), part(k, at), o.count, o.type, o.op);
      std::memcpy(result, acc.data(), bytes);
      break;
    }
    case Op::Broadcast:
      std::memcpy(result, part(o.peer, 0), bytes);
      break;
    case Op::AllGather:
      for (int k = 0; k < n; ++k)
        std::memcpy(result + k * bytes, part(k, 0), bytes);
      break;
    default:
      break;
    }
  }
}

/// The ops a thread's open group holds, and its depth.
thread_local int groupDepth = 0;
thread_local std::vector<Op> grouped;

/// Queues `ops` (one communicator's, one stream's) as one item of work.
ncclResult_t queue(std::vector<Op> ops) {
  ncclComm *comm = ops.front().comm;
  CUstream stream = ops.front().stream;
  std::vector<const void *> touches;
  for (const Op &o : ops) {
    size_t element = typeBytes(o.type);
    size_t in = o.kind == Op::ReduceScatter ? o.count * comm->size : o.count;
    size_t out = o.kind == Op::AllGather ? o.count * comm->size : o.count;
    bool writes =
        o.kind != Op::Send && (o.kind != Op::Reduce || comm->rank == o.peer);
    bool reads =
        o.kind != Op::Recv && (o.kind != Op::Broadcast || comm->rank == o.peer);
    if (!reads)
      in = 0;
    if (writes &&
        !loom::emu::isLive(o.recv, std::max<size_t>(1, out * element)))
      return ncclInvalidArgument;
    if (reads && !loom::emu::isLive(o.send, std::max<size_t>(1, in * element)))
      return ncclInvalidArgument;
    touches.push_back(o.send);
    touches.push_back(o.recv);
  }
  CUresult queued = loom::emu::enqueue(
      stream,
      [comm, ops = std::move(ops)] {
        std::lock_guard<std::mutex> lock(comm->mutex);
        if (comm->asyncError != ncclSuccess)
          return CUDA_SUCCESS; // a failed communicator does nothing more
        static std::atomic<uint64_t> calls{0};
        injectFault(comm->rank, ++calls);
        // A transport error (a reset, an EOF, a timeout, an aborted wait)
        // is a peer that died or hung: NCCL reports it as ncclRemoteError.
        // Anything else is this rank's own failure.
        auto fail = [&](const std::exception &e, bool peer) {
          comm->lastError = "rank " + std::to_string(comm->rank) + ": " +
                            e.what() +
                            (peer ? " (a peer rank died or hung)" : "");
          comm->asyncError = peer ? ncclRemoteError : ncclSystemError;
        };
        try {
          runGroup(comm, ops);
        } catch (const gloo::IoException &e) {
          fail(e, true);
        } catch (const PeerLost &e) {
          fail(e, true);
        } catch (const std::exception &e) {
          fail(e, false);
        }
        return CUDA_SUCCESS;
      },
      "an NCCL call", touches);
  return queued == CUDA_SUCCESS ? ncclSuccess : ncclUnhandledCudaError;
}

ncclResult_t submit(Op op) {
  if (!op.comm)
    return ncclInvalidArgument;
  if (op.comm->asyncError != ncclSuccess)
    return ncclInvalidUsage;
  bool p2p = op.kind == Op::Send || op.kind == Op::Recv;
  if (!typeBytes(op.type) || (p2p && (op.peer < 0 || op.peer >= op.comm->size)))
    return ncclInvalidArgument;
  if ((op.kind == Op::Reduce || op.kind == Op::Broadcast) &&
      (op.peer < 0 || op.peer >= op.comm->size))
    return ncclInvalidArgument;
  if ((op.kind == Op::AllReduce || op.kind == Op::Reduce ||
       op.kind == Op::ReduceScatter) &&
      !reducible(op.type, op.op))
    return ncclInvalidArgument;
  if (groupDepth > 0) {
    grouped.push_back(op);
    return ncclSuccess;
  }
  return queue({op});
}

std::mutex servedMutex;

} // namespace

extern "C" {

LOOM_EXPORT ncclResult_t ncclGetVersion(int *version) {
  *version = 22809; // what the emulated calls follow: NCCL 2.28.9
  return ncclSuccess;
}

LOOM_EXPORT const char *ncclGetErrorString(ncclResult_t result) {
  switch (result) {
  case ncclSuccess:
    return "no error";
  case ncclUnhandledCudaError:
    return "unhandled cuda error";
  case ncclSystemError:
    return "unhandled system error";
  case ncclInternalError:
    return "internal error";
  case ncclInvalidArgument:
    return "invalid argument";
  case ncclInvalidUsage:
    return "invalid usage";
  case ncclRemoteError:
    return "remote process exited or there was a network error";
  default:
    return "unknown result code";
  }
}

LOOM_EXPORT const char *ncclGetLastError(ncclComm_t comm) {
  return comm ? comm->lastError.c_str() : "";
}

/// Serves a rendezvous on a free local port, kept while the process lives.
LOOM_EXPORT ncclResult_t ncclGetUniqueId(ncclUniqueId *id) {
  if (!id)
    return ncclInvalidArgument;
  std::lock_guard<std::mutex> lock(servedMutex);
  try {
    auto *store =
        new loom::runtime::TcpStore("127.0.0.1", 0, true, getTimeout());
    std::random_device random;
    std::memset(id->internal, 0, sizeof(id->internal));
    std::snprintf(id->internal, sizeof(id->internal),
                  "loom-emu-nccl 127.0.0.1 %d %08x%08x", store->port(),
                  random(), random());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "loom emulated NCCL: ncclGetUniqueId: %s\n", e.what());
    return ncclSystemError;
  }
  return ncclSuccess;
}

LOOM_EXPORT ncclResult_t ncclCommInitRank(ncclComm_t *out, int nranks,
                                          ncclUniqueId id, int rank) {
  if (!out || nranks < 1 || rank < 0 || rank >= nranks)
    return ncclInvalidArgument;
  char host[64] = "", token[40] = "";
  int port = 0;
  id.internal[sizeof(id.internal) - 1] = 0;
  if (std::sscanf(id.internal, "loom-emu-nccl %63s %d %39s", host, &port,
                  token) != 3)
    return ncclInvalidArgument;
  auto comm = std::make_unique<ncclComm>();
  comm->rank = rank;
  comm->size = nranks;
  comm->timeout = getTimeout();
  comm->sent.assign(nranks, 0);
  comm->received.assign(nranks, 0);
  try {
    comm->store = std::make_unique<loom::runtime::TcpStore>(host, port, false,
                                                            comm->timeout);
    gloo::rendezvous::PrefixStore prefixed(token, *comm->store);
    // NCCL refuses two ranks on one device.
    std::string device = std::to_string(loom::emu::currentDevice());
    prefixed.set("device" + std::to_string(rank),
                 std::vector<char>(device.begin(), device.end()));
    for (int k = 0; k < nranks; ++k) {
      if (k == rank)
        continue;
      std::string key = "device" + std::to_string(k);
      prefixed.wait({key}, comm->timeout);
      std::vector<char> theirs = prefixed.get(key);
      if (std::string(theirs.begin(), theirs.end()) == device) {
        std::fprintf(stderr,
                     "loom emulated NCCL: duplicate GPU detected: rank %d and "
                     "rank %d both on CUDA device %s\n",
                     rank, k, device.c_str());
        return ncclInvalidUsage;
      }
    }
    gloo::transport::tcp::attr attr;
    attr.hostname = "127.0.0.1";
    auto transport = gloo::transport::tcp::CreateDevice(attr);
    comm->context = std::make_shared<gloo::rendezvous::Context>(rank, nranks);
    comm->context->setTimeout(comm->timeout);
    comm->context->connectFullMesh(prefixed, transport);
    // Like NCCL's, the init is collective: it returns once every rank is
    // connected, so a rank that dies later fails a collective, not an init.
    prefixed.set("ready" + std::to_string(rank), {'1'});
    for (int k = 0; k < nranks; ++k)
      prefixed.wait({"ready" + std::to_string(k)}, comm->timeout);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "loom emulated NCCL: rank %d cannot join: %s\n", rank,
                 e.what());
    return ncclRemoteError;
  }
  *out = comm.release();
  return ncclSuccess;
}

LOOM_EXPORT ncclResult_t ncclCommDestroy(ncclComm_t comm) {
  delete comm;
  return ncclSuccess;
}

LOOM_EXPORT ncclResult_t ncclCommAbort(ncclComm_t comm) {
  if (comm && comm->asyncError == ncclSuccess)
    comm->asyncError = ncclRemoteError;
  // Its queued work may still name it: it stays, failed.
  return ncclSuccess;
}

LOOM_EXPORT ncclResult_t ncclCommGetAsyncError(ncclComm_t comm,
                                               ncclResult_t *error) {
  if (!comm || !error)
    return ncclInvalidArgument;
  *error = comm->asyncError;
  return ncclSuccess;
}

LOOM_EXPORT ncclResult_t ncclGroupStart() {
  ++groupDepth;
  return ncclSuccess;
}

LOOM_EXPORT ncclResult_t ncclGroupEnd() {
  if (groupDepth == 0)
    return ncclInvalidUsage;
  if (--groupDepth > 0)
    return ncclSuccess;
  std::vector<Op> ops = std::move(grouped);
  grouped.clear();
  // One item of work per communicator and stream, in call order.
  while (!ops.empty()) {
    std::vector<Op> same, rest;
    for (const Op &o : ops)
      (o.comm == ops.front().comm && o.stream == ops.front().stream ? same
                                                                    : rest)
          .push_back(o);
    if (ncclResult_t r = queue(std::move(same)))
      return r;
    ops = std::move(rest);
  }
  return ncclSuccess;
}

LOOM_EXPORT ncclResult_t ncclSend(const void *send, size_t count, int type,
                                  int peer, ncclComm_t comm, CUstream stream) {
  return submit({Op::Send, send, nullptr, count, type, 0, peer, comm, stream});
}

LOOM_EXPORT ncclResult_t ncclRecv(void *recv, size_t count, int type, int peer,
                                  ncclComm_t comm, CUstream stream) {
  return submit({Op::Recv, nullptr, recv, count, type, 0, peer, comm, stream});
}

LOOM_EXPORT ncclResult_t ncclAllReduce(const void *send, void *recv,
                                       size_t count, int type, int op,
                                       ncclComm_t comm, CUstream stream) {
  return submit({Op::AllReduce, send, recv, count, type, op, 0, comm, stream});
}

LOOM_EXPORT ncclResult_t ncclReduce(const void *send, void *recv, size_t count,
                                    int type, int op, int root, ncclComm_t comm,
                                    CUstream stream) {
  return submit({Op::Reduce, send, recv, count, type, op, root, comm, stream});
}

LOOM_EXPORT ncclResult_t ncclBroadcast(const void *send, void *recv,
                                       size_t count, int type, int root,
                                       ncclComm_t comm, CUstream stream) {
  return submit(
      {Op::Broadcast, send, recv, count, type, 0, root, comm, stream});
}

LOOM_EXPORT ncclResult_t ncclReduceScatter(const void *send, void *recv,
                                           size_t count, int type, int op,
                                           ncclComm_t comm, CUstream stream) {
  return submit(
      {Op::ReduceScatter, send, recv, count, type, op, 0, comm, stream});
}

LOOM_EXPORT ncclResult_t ncclAllGather(const void *send, void *recv,
                                       size_t count, int type, ncclComm_t comm,
                                       CUstream stream) {
  return submit({Op::AllGather, send, recv, count, type, 0, 0, comm, stream});
}

} // extern "C"
