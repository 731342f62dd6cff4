//===- Boxing.cpp - Boxing over any transport -----------------------------===//
//
// Part of Loom's runtime. The boxing algorithm of Boxing.h: for each pair
// of layouts, the copies and collectives that convert one to the other.
//
//===----------------------------------------------------------------------===//

#include "Boxing.h"

#include <algorithm>
#include <string>

namespace loom::comm {

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

void requireReducible(loom_dtype dtype) {
  switch (dtype) {
  case LOOM_DTYPE_F32:
  case LOOM_DTYPE_F64:
  case LOOM_DTYPE_I32:
  case LOOM_DTYPE_I64:
  case LOOM_DTYPE_U32:
  case LOOM_DTYPE_U64:
  case LOOM_DTYPE_I16:
  case LOOM_DTYPE_U16:
  case LOOM_DTYPE_I8:
  case LOOM_DTYPE_U8:
    return;
  default:
    throw CommError("collectives cannot reduce dtype " +
                    std::to_string(static_cast<int>(dtype)) +
                    " (partial values of f16, bf16 and bool)");
  }
}

std::vector<int> meshAxisGroup(int rank, int64_t axis, int64_t mesh0,
                               int64_t mesh1) {
  int64_t row = rank / mesh1, column = rank % mesh1;
  std::vector<int> group;
  for (int64_t k = 0; k < (axis == 0 ? mesh0 : mesh1); ++k)
    group.push_back(
        static_cast<int>(axis == 0 ? k * mesh1 + column : row * mesh1 + k));
  return group;
}

char *descriptorData(const UnrankedMemRef &m, size_t element,
                     std::vector<int64_t> &sizes) {
  auto *fields = static_cast<int64_t *>(m.descriptor);
  char *aligned = reinterpret_cast<char *>(fields[1]);
  int64_t offset = fields[2];
  sizes.assign(fields + 3, fields + 3 + m.rank);
  return aligned + offset * static_cast<int64_t>(element);
}

loom_sbp makeSbp(int64_t kind, int64_t axis, int64_t reduction) {
  loom_sbp sbp;
  sbp.kind = static_cast<loom_sbp_kind>(kind);
  sbp.axis = static_cast<int32_t>(axis);
  sbp.reduction = static_cast<loom_reduction>(reduction);
  return sbp;
}

bool sameLayout(loom_sbp from, loom_sbp to) {
  return from.kind == to.kind &&
         (from.kind != LOOM_SBP_SPLIT || from.axis == to.axis) &&
         (from.kind != LOOM_SBP_PARTIAL || from.reduction == to.reduction);
}

std::vector<int64_t> boxShape(const std::vector<int64_t> &in,
                              const std::vector<int64_t> &out, loom_sbp from) {
  std::vector<int64_t> shape(in);
  if (from.kind == LOOM_SBP_SPLIT && from.axis >= 0 &&
      from.axis < static_cast<int32_t>(shape.size()))
    shape[from.axis] = out[from.axis];
  return shape;
}

void Transport::allReduce(char *work, int64_t count, loom_dtype dtype,
                          loom_reduction op) {
  Chunks c = balanced(count, size, elementSize(dtype));
  reduceScatter(work, c, dtype, op);
  allGather(work, c);
}

namespace {

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

/// S(i) -> S(j): piece k of the local part (its j-rows for member k) goes
/// to member k; what member k sends back is our j-rows of its i-rows.
void allToAll(Transport &t, const char *in, char *out, const int64_t *shape,
              int numDims, size_t element, loom_sbp from, loom_sbp to) {
  int n = t.size, m = t.member;
  Split3 s = around(shape, numDims, from.axis, element);
  Rows mine = rowsOf(s.dim, n, m);
  std::vector<int64_t> local(shape, shape + numDims);
  local[from.axis] = mine.size;
  Split3 l = around(local.data(), numDims, to.axis, element);
  std::vector<size_t> sendAt, sendSize, recvAt, recvSize;
  size_t sendTotal = 0, recvTotal = 0;
  Rows myCols = rowsOf(l.dim, n, m);
  for (int k = 0; k < n; ++k) {
    sendAt.push_back(sendTotal);
    sendSize.push_back(l.outer * rowsOf(l.dim, n, k).size * l.inner);
    sendTotal += sendSize.back();
  }
  for (int k = 0; k < n; ++k) {
    recvAt.push_back(recvTotal);
    // Member k's piece: its i-rows, our j-cols.
    recvSize.push_back(sendSize[m] / mine.size * rowsOf(s.dim, n, k).size);
    recvTotal += recvSize.back();
  }
  char *packed = t.scratch(0, sendTotal);
  char *received = t.scratch(1, recvTotal);
  for (int k = 0; k < n; ++k) {
    Rows cols = rowsOf(l.dim, n, k);
    t.copyRows(in, l.dim, cols.first, packed + sendAt[k], cols.size, 0,
               cols.size, l);
  }
  t.copy(received + recvAt[m], packed + sendAt[m], sendSize[m]);
  std::vector<std::tuple<int, const void *, size_t>> sends;
  std::vector<std::tuple<int, void *, size_t>> recvs;
  for (int k = 0; k < n; ++k)
    if (k != m) {
      sends.emplace_back(k, packed + sendAt[k], sendSize[k]);
      recvs.emplace_back(k, received + recvAt[k], recvSize[k]);
    }
  t.exchange(sends, recvs);
  // Member k's piece holds its rows of dim i, our cols of dim j.
  std::vector<int64_t> result(shape, shape + numDims);
  result[to.axis] = myCols.size;
  Split3 r = around(result.data(), numDims, from.axis, element);
  for (int k = 0; k < n; ++k) {
    Rows rows = rowsOf(s.dim, n, k);
    t.copyRows(received + recvAt[k], rows.size, 0, out, r.dim, rows.first,
               rows.size, r);
  }
}

} // namespace

void box(Transport &t, const char *in, char *out, const int64_t *shape,
         int numDims, loom_dtype dtype, loom_sbp from, loom_sbp to) {
  int n = t.size, m = t.member;
  size_t element = elementSize(dtype); // refuses unknown dtypes
  if (from.kind == LOOM_SBP_PARTIAL || to.kind == LOOM_SBP_PARTIAL)
    requireReducible(dtype);
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
  if (sameLayout(from, to)) {
    size_t bytes = totalBytes;
    if (from.kind == LOOM_SBP_SPLIT)
      bytes = bytes / shape[from.axis] * rowsOf(shape[from.axis], n, m).size;
    t.copy(out, in, bytes);
    return;
  }
  switch (from.kind) {
  case LOOM_SBP_BROADCAST:
    if (to.kind == LOOM_SBP_SPLIT) {
      Split3 s = around(shape, numDims, to.axis, element);
      Rows r = rowsOf(s.dim, n, m);
      t.copyRows(in, s.dim, r.first, out, r.size, 0, r.size, s);
    } else { // B -> P: the value on the first member, identity elsewhere
      if (m == 0)
        t.copy(out, in, totalBytes);
      else
        t.fillIdentity(out, total, dtype, to.reduction);
    }
    return;
  case LOOM_SBP_SPLIT: {
    Split3 s = around(shape, numDims, from.axis, element);
    Rows mine = rowsOf(s.dim, n, m);
    if (to.kind == LOOM_SBP_PARTIAL) { // embed the slice in the identity
      t.fillIdentity(out, total, dtype, to.reduction);
      t.copyRows(in, mine.size, 0, out, s.dim, mine.first, mine.size, s);
      return;
    }
    if (to.kind == LOOM_SBP_BROADCAST) { // all-gather, then interleave
      Chunks c = balanced(s.dim, n, s.outer * s.inner);
      if (s.outer == 1) { // the chunks are the rows in place
        t.copy(out + c.offset[m], in, c.size[m]);
        t.allGather(out, c);
        return;
      }
      char *chunks = t.scratch(0, totalBytes);
      t.copy(chunks + c.offset[m], in, c.size[m]);
      t.allGather(chunks, c);
      for (int k = 0; k < n; ++k) {
        Rows r = rowsOf(s.dim, n, k);
        t.copyRows(chunks + c.offset[k], r.size, 0, out, s.dim, r.first, r.size,
                   s);
      }
      return;
    }
    allToAll(t, in, out, shape, numDims, element, from, to);
    return;
  }
  case LOOM_SBP_PARTIAL: {
    if (to.kind == LOOM_SBP_SPLIT) { // chunks along the dim, reduce-scatter
      Split3 s = around(shape, numDims, to.axis, element);
      Chunks c = balanced(s.dim, n, s.outer * s.inner);
      char *work = t.scratch(0, totalBytes);
      if (s.outer == 1) {
        t.copy(work, in, totalBytes);
      } else {
        for (int k = 0; k < n; ++k) {
          Rows r = rowsOf(s.dim, n, k);
          t.copyRows(in, s.dim, r.first, work + c.offset[k], r.size, 0, r.size,
                     s);
        }
      }
      t.reduceScatter(work, c, dtype, from.reduction);
      t.copy(out, work + c.offset[m], c.size[m]);
      return;
    }
    // P -> B (and P(x) -> P(y)): an all-reduce.
    char *work = t.scratch(0, totalBytes);
    t.copy(work, in, totalBytes);
    t.allReduce(work, total, dtype, from.reduction);
    if (to.kind == LOOM_SBP_PARTIAL && m != 0)
      t.fillIdentity(out, total, dtype, to.reduction);
    else
      t.copy(out, work, totalBytes);
    return;
  }
  }
}

} // namespace loom::comm
