//===- Boxing.h - Boxing over any transport: the comm interface -*- C++ -*-===//
//
// Part of Loom's runtime. Boxing (converting a rank's part of a tensor from
// one SBP layout to another on a group of ranks) as one algorithm over a
// Transport: the few primitives a collectives provider gives it. Gloo
// implements them on host memory (Collectives.cpp: ring collectives over
// TCP, every byte counted), NCCL on device memory and the run's stream
// (cuda/GpuBox.cpp), so both providers box exactly alike and a plan's
// predicted bytes hold for either.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_BOXING_H
#define LOOM_RUNTIME_BOXING_H

#include "loom/collectives.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace loom::comm {

/// A failure to report through the provider's error (a peer gone, a bad
/// layout, a dtype the provider cannot reduce).
struct CommError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Where the chunks of a buffer live: chunk k is `size[k]` bytes at
/// `offset[k]` (chunks of uneven splits differ in size).
struct Chunks {
  std::vector<size_t> offset, size;
};
/// `n` balanced chunks of `count` elements of `element` bytes.
Chunks balanced(int64_t count, int n, size_t element);

/// A tensor seen as [outer][dim][inner bytes] around one dim.
struct Split3 {
  int64_t outer = 1, dim = 1, inner = 1;
};
Split3 around(const int64_t *shape, int numDims, int axis, size_t element);

/// The bytes of an element of `dtype` (throws for one collectives cannot
/// move).
size_t elementSize(loom_dtype dtype);
/// Throws unless reductions of `dtype` are supported.
void requireReducible(loom_dtype dtype);

/// The group of ranks of mesh axis `axis` through global `rank` on a
/// mesh0 x mesh1 mesh (row-major), in group order.
std::vector<int> meshAxisGroup(int rank, int64_t axis, int64_t mesh0,
                               int64_t mesh1);

/// What compiled code passes for a memref of any rank (MLIR's C interface),
/// and its data: the element at its offset, with its sizes (row-major,
/// contiguous: bufferization's identity layouts).
struct UnrankedMemRef {
  int64_t rank;
  void *descriptor;
};
char *descriptorData(const UnrankedMemRef &m, size_t element,
                     std::vector<int64_t> &sizes);
/// A layout from the scalars a box call passes.
loom_sbp makeSbp(int64_t kind, int64_t axis, int64_t reduction);

/// Whether boxing from `from` to `to` is a copy of the local part.
bool sameLayout(loom_sbp from, loom_sbp to);

/// The tensor a box call on one mesh axis sees, from the dims of this
/// member's parts before (`in`) and after (`out`): a dim split on the
/// input side is whole on the output side, and the other way round (parts
/// of uneven splits differ between ranks, so neither side alone says).
std::vector<int64_t> boxShape(const std::vector<int64_t> &in,
                              const std::vector<int64_t> &out, loom_sbp from);

/// What a collectives provider gives the boxing algorithm. Pointers are in
/// the provider's memory (host for Gloo, device for NCCL); every call may
/// be asynchronous as long as the provider keeps them in order.
class Transport {
public:
  Transport(int size, int member) : size(size), member(member) {}
  virtual ~Transport() = default;

  /// The group's size and this rank's place in it.
  const int size, member;

  virtual void copy(char *dst, const char *src, size_t bytes) = 0;
  /// Copies rows [begin, begin + rows) of dim from `src` ([outer][srcDim]
  /// [inner]) to rows [at, at + rows) of `dst` ([outer][dstDim][inner]).
  virtual void copyRows(const char *src, int64_t srcDim, int64_t begin,
                        char *dst, int64_t dstDim, int64_t at, int64_t rows,
                        const Split3 &s) = 0;
  /// Fills `count` elements with the identity of `op` (0 for a sum).
  virtual void fillIdentity(char *data, int64_t count, loom_dtype dtype,
                            loom_reduction op) = 0;
  /// Working memory of at least `bytes`, one buffer per `slot` (0, 1),
  /// valid until the next call for that slot.
  virtual char *scratch(int slot, size_t bytes) = 0;
  /// Posts every send (to member, data, bytes) and receive (from member,
  /// data, bytes), then completes them all.
  virtual void
  exchange(const std::vector<std::tuple<int, const void *, size_t>> &sends,
           const std::vector<std::tuple<int, void *, size_t>> &recvs) = 0;
  /// Reduces the chunks of `work` over the group in place: member m ends
  /// with the reduction of chunk m (the other chunks are clobbered).
  virtual void reduceScatter(char *work, const Chunks &c, loom_dtype dtype,
                             loom_reduction op) = 0;
  /// Chunk m of `out` is this member's; the others arrive.
  virtual void allGather(char *out, const Chunks &c) = 0;
  /// `work` (count elements) becomes the reduction over the group; by
  /// default a reduce-scatter then an all-gather of balanced chunks.
  virtual void allReduce(char *work, int64_t count, loom_dtype dtype,
                         loom_reduction op);
};

/// Boxes this member's part `in` of a tensor of `shape` under `from` into
/// its part `out` under `to`, through `t`. Throws CommError.
void box(Transport &t, const char *in, char *out, const int64_t *shape,
         int numDims, loom_dtype dtype, loom_sbp from, loom_sbp to);

} // namespace loom::comm

namespace loom::comm {
/// One box call of compiled code, decoded (BoxKernel.cpp): the job (joined
/// on the first call), this rank's group on the mesh axis and its place in
/// it, the layouts, the parts' data, dims and bytes, the tensor's logical
/// shape (not for equal layouts: a copy of the part), and when it began.
struct BoxCall {
  loom_comm *job;
  std::vector<int> group;
  int member;
  loom_sbp from, to;
  char *in, *out;
  std::vector<int64_t> inSizes, outSizes, shape;
  size_t inBytes, outBytes;
  std::chrono::steady_clock::time_point start;
};
BoxCall decodeBoxCall(UnrankedMemRef *input, UnrankedMemRef *init,
                      size_t element, int64_t meshAxis, int64_t mesh0,
                      int64_t mesh1, int64_t fromKind, int64_t fromAxis,
                      int64_t fromReduction, int64_t toKind, int64_t toAxis,
                      int64_t toReduction);
} // namespace loom::comm

/// What compiled code's boxing shares between providers (BoxKernel.cpp):
/// the job this process joined (on the first call; a failure ends the
/// process with one message), and the statistics LOOM_COMM_STATS prints.
loom_comm *loom_box_comm(int64_t meshSize);
/// The bytes this process's box calls sent (LOOM_COMM_STATS's count).
uint64_t loom_box_bytes_sent();
/// A box call that began at `start` ended; another provider sent `bytes`
/// for it, and the job's communicator `bootstrap` bytes that were not
/// boxing (a new NCCL communicator's barrier).
void loom_box_account(std::chrono::steady_clock::time_point start,
                      uint64_t bytes, uint64_t bootstrap = 0);

#endif // LOOM_RUNTIME_BOXING_H
