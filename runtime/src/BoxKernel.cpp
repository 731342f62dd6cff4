//===- BoxKernel.cpp - kernel.box: boxing called from compiled code -------===//
//
// Part of Loom. What `loom-lower-kernels-to-calls` turns kernel.box into: a
// call with MLIR's C interface (unranked descriptors, any rank) that boxes
// this rank's part of a tensor on one mesh axis. The process joins the job
// (loom_comm_join: the environment loom-run -n N or mpirun sets) on the
// first call. A failure (not started as a job, a peer gone) ends the
// process with one message and exit code 1: compiled code has no error
// path to return through. With LOOM_COMM_STATS set, each rank prints at
// exit the bytes it sent (to compare with loomc --explain-sbp's
// prediction) and the time its boxing calls took, waits included.
//
//===----------------------------------------------------------------------===//

#include "Boxing.h"
#include "loom/collectives.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using loom::comm::UnrankedMemRef;

[[noreturn]] void fail(const char *what) {
  std::fprintf(stderr, "loom: error: %s\n", what);
  std::exit(1);
}

/// Boxing calls this process ran, the bytes another provider (NCCL) sent
/// for them, and the job it joined.
uint64_t boxingCalls = 0, providerBytes = 0, bootstrapBytes = 0;
/// Seconds spent in them (waiting for peers included), and in the first
/// of them (which connects this rank's groups).
double boxingSeconds = 0, firstCallSeconds = 0;
loom_comm *joinedComm = nullptr;

/// With LOOM_COMM_STATS set, what this rank sent, printed at exit.
void printStats();

loom_comm *getComm(int64_t meshSize) {
  static loom_comm *comm = [meshSize] {
    char error[512];
    loom_comm *joined = loom_comm_join(error, sizeof(error));
    if (!joined) {
      std::string message = "this model runs on a mesh of " +
                            std::to_string(meshSize) +
                            " devices (start it with loom-run -n " +
                            std::to_string(meshSize) + " or mpirun): " + error;
      fail(message.c_str());
    }
    joinedComm = joined;
    if (std::getenv("LOOM_COMM_STATS"))
      std::atexit(printStats);
    return joined;
  }();
  if (loom_comm_size(comm) != meshSize) {
    std::string message = "this model was compiled for " +
                          std::to_string(meshSize) + " ranks but runs on " +
                          std::to_string(loom_comm_size(comm));
    fail(message.c_str());
  }
  return comm;
}

} // namespace

uint64_t loom_box_bytes_sent() {
  return (joinedComm ? loom_comm_bytes_sent(joinedComm) : 0) + providerBytes -
         bootstrapBytes;
}

namespace {

void printStats() {
  std::fprintf(
      stderr,
      "loom: rank %d sent %llu bytes in %llu boxing call(s), %.3f ms (the "
      "first, which connects, %.3f ms)\n",
      loom_comm_rank(joinedComm),
      static_cast<unsigned long long>(loom_box_bytes_sent()),
      static_cast<unsigned long long>(boxingCalls), boxingSeconds * 1e3,
      firstCallSeconds * 1e3);
}

/// `input` is this rank's part of a tensor of `dtype` elements under `from`
/// on mesh axis `meshAxis` of a mesh0 x mesh1 mesh, `init` receives its
/// part under `to`.
void box(UnrankedMemRef *input, UnrankedMemRef *init, loom_dtype dtype,
         size_t element, int64_t meshAxis, int64_t mesh0, int64_t mesh1,
         int64_t fromKind, int64_t fromAxis, int64_t fromReduction,
         int64_t toKind, int64_t toAxis, int64_t toReduction) {
  loom::comm::BoxCall c = loom::comm::decodeBoxCall(
      input, init, element, meshAxis, mesh0, mesh1, fromKind, fromAxis,
      fromReduction, toKind, toAxis, toReduction);
  if (loom::comm::sameLayout(c.from, c.to)) // the part as it is
    std::memmove(c.out, c.in, c.inBytes);
  else if (loom_comm_box(c.job, c.group.data(),
                         static_cast<int>(c.group.size()), c.in, c.out,
                         c.shape.data(), static_cast<int>(c.shape.size()),
                         dtype, c.from, c.to))
    fail(loom_comm_error(c.job));
  loom_box_account(c.start, 0);
}

} // namespace

loom::comm::BoxCall
loom::comm::decodeBoxCall(UnrankedMemRef *input, UnrankedMemRef *init,
                          size_t element, int64_t meshAxis, int64_t mesh0,
                          int64_t mesh1, int64_t fromKind, int64_t fromAxis,
                          int64_t fromReduction, int64_t toKind, int64_t toAxis,
                          int64_t toReduction) {
  BoxCall c;
  c.job = getComm(mesh0 * mesh1);
  ++boxingCalls;
  c.start = std::chrono::steady_clock::now();
  int rank = loom_comm_rank(c.job);
  c.group = meshAxisGroup(rank, meshAxis, mesh0, mesh1);
  c.member = static_cast<int>(std::find(c.group.begin(), c.group.end(), rank) -
                              c.group.begin());
  c.from = makeSbp(fromKind, fromAxis, fromReduction);
  c.to = makeSbp(toKind, toAxis, toReduction);
  c.in = descriptorData(*input, element, c.inSizes);
  c.out = descriptorData(*init, element, c.outSizes);
  c.inBytes = c.outBytes = element;
  for (int64_t d : c.inSizes)
    c.inBytes *= static_cast<size_t>(d);
  for (int64_t d : c.outSizes)
    c.outBytes *= static_cast<size_t>(d);
  if (!sameLayout(c.from, c.to))
    c.shape = boxShape(c.inSizes, c.outSizes, c.from);
  return c;
}

// What kernel.box lowers to: one function per element type (MLIR's C
// interface, unranked descriptors), named after the MLIR type.
#define LOOM_BOX_KERNEL(SUFFIX, DTYPE, BYTES)                                  \
  extern "C" void _mlir_ciface_loom_kernel_box_##SUFFIX(                       \
      UnrankedMemRef *input, UnrankedMemRef *init, int64_t meshAxis,           \
      int64_t mesh0, int64_t mesh1, int64_t fromKind, int64_t fromAxis,        \
      int64_t fromReduction, int64_t toKind, int64_t toAxis,                   \
      int64_t toReduction) {                                                   \
    box(input, init, DTYPE, BYTES, meshAxis, mesh0, mesh1, fromKind, fromAxis, \
        fromReduction, toKind, toAxis, toReduction);                           \
  }
LOOM_BOX_KERNEL(f32, LOOM_DTYPE_F32, 4)
LOOM_BOX_KERNEL(f64, LOOM_DTYPE_F64, 8)
LOOM_BOX_KERNEL(f16, LOOM_DTYPE_F16, 2)
LOOM_BOX_KERNEL(bf16, LOOM_DTYPE_BF16, 2)
LOOM_BOX_KERNEL(i1, LOOM_DTYPE_BOOL, 1)
LOOM_BOX_KERNEL(i8, LOOM_DTYPE_I8, 1)
LOOM_BOX_KERNEL(i16, LOOM_DTYPE_I16, 2)
LOOM_BOX_KERNEL(i32, LOOM_DTYPE_I32, 4)
LOOM_BOX_KERNEL(i64, LOOM_DTYPE_I64, 8)
#undef LOOM_BOX_KERNEL

loom_comm *loom_box_comm(int64_t meshSize) { return getComm(meshSize); }

void loom_box_account(std::chrono::steady_clock::time_point start,
                      uint64_t bytes, uint64_t bootstrap) {
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  boxingSeconds += seconds;
  if (boxingCalls == 1)
    firstCallSeconds = seconds;
  providerBytes += bytes;
  bootstrapBytes += bootstrap;
}

/// This process's rank in the job of a mesh of `meshSize` devices (what
/// kernel.mesh_rank lowers to).
extern "C" int64_t loom_kernel_mesh_rank(int64_t meshSize) {
  return loom_comm_rank(getComm(meshSize));
}
