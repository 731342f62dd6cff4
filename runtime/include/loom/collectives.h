/*===- loom/collectives.h - Collectives between ranks, C API -----*- C -*-===*\
|*                                                                            *|
|* Part of Loom. How the ranks of one model talk: a communicator joined from  *|
|* the environment, the collectives SBP boxing needs (all-reduce,             *|
|* reduce-scatter, all-gather, all-to-all) on a group of ranks (one mesh     *|
|* axis), and boxing itself: converting a rank's part of a tensor from one    *|
|* SBP layout to another. The CPU implementation runs ring algorithms over    *|
|* Gloo's TCP transport; the CUDA backend will implement the same API on      *|
|* NCCL.                                                                      *|
|*                                                                            *|
|* Ownership: a loom_comm is created by loom_comm_join/loom_comm_create and   *|
|* freed by loom_comm_destroy. Buffers are the caller's; collectives only     *|
|* read `in` and write `out` (or `data` in place) during the call.            *|
|* Errors: functions returning int give 0 on success; otherwise the           *|
|* communicator is unusable and loom_comm_error() says why (a peer that died, *|
|* a timeout). Nothing aborts the process.                                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef LOOM_COLLECTIVES_H
#define LOOM_COLLECTIVES_H

#include "loom/runtime.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct loom_comm loom_comm;

typedef enum loom_reduction {
  LOOM_REDUCE_SUM = 0,
  LOOM_REDUCE_MAX = 1,
  LOOM_REDUCE_MIN = 2
} loom_reduction;

typedef enum loom_sbp_kind {
  LOOM_SBP_SPLIT = 0,
  LOOM_SBP_BROADCAST = 1,
  LOOM_SBP_PARTIAL = 2
} loom_sbp_kind;

/* One mesh axis's layout: split along dim `axis`, broadcast, or partial
 * (the value is the elementwise `reduction` of every rank's tensor). */
typedef struct loom_sbp {
  loom_sbp_kind kind;
  int32_t axis;
  loom_reduction reduction;
} loom_sbp;

/* Joins the job the environment describes: LOOM_RANK and LOOM_WORLD_SIZE
 * (or OMPI_COMM_WORLD_RANK and OMPI_COMM_WORLD_SIZE under mpirun), and the
 * rendezvous: LOOM_STORE_DIR, a directory every rank can reach, or else
 * LOOM_MASTER_ADDR and LOOM_MASTER_PORT, where rank 0 serves it over TCP.
 * LOOM_HOSTNAME is the address this rank's connections use (default
 * 127.0.0.1). LOOM_TIMEOUT (seconds, default 60) bounds every wait. NULL on
 * failure, with the reason in `error` (which may be NULL). */
loom_comm *loom_comm_join(char *error, size_t error_size);

/* The same with explicit values; `store` is a directory or
 * "tcp://HOST:PORT". */
loom_comm *loom_comm_create(int rank, int size, const char *store,
                            double timeout_seconds, char *error,
                            size_t error_size);

void loom_comm_destroy(loom_comm *comm);
int loom_comm_rank(const loom_comm *comm);
int loom_comm_size(const loom_comm *comm);
/* Why the last call failed; "" when none did. Owned by the communicator. */
const char *loom_comm_error(const loom_comm *comm);
/* Bytes this rank has sent to other ranks since creation (or the last
 * reset), as passed to the transport. */
uint64_t loom_comm_bytes_sent(const loom_comm *comm);
void loom_comm_reset_bytes(loom_comm *comm);

/* The job's rendezvous as a key-value table every rank sees, for another
 * provider's bootstrap (the NCCL unique id of a group): publish sets `key`
 * to `size` bytes; lookup waits (up to the timeout) until `key` is set and
 * copies at most `capacity` bytes of it into `data`, setting *size to its
 * length. Non-zero on failure (see loom_comm_error). */
int loom_comm_publish(loom_comm *comm, const char *key, const void *data,
                      size_t size);
int loom_comm_lookup(loom_comm *comm, const char *key, void *data,
                     size_t capacity, size_t *size);
/* The timeout every wait of this communicator is bounded by, in seconds. */
double loom_comm_timeout(const loom_comm *comm);

/* Collectives on the group `ranks[0..num_ranks)` (global ranks, in group
 * order, the caller among them; NULL means every rank). Every member calls
 * with the same group, counts and dtype (reductions: f32, f64 and the
 * integers of 1 to 8 bytes). `count` is elements per chunk:
 * all-reduce reduces `count` elements in place; all-gather gathers `count`
 * from each member into `out` (member order); reduce-scatter reduces
 * num_ranks chunks of `count` and leaves chunk i on member i; all-to-all
 * sends chunk j of `in` to member j, which stores it as chunk i of `out`. */
int loom_comm_all_reduce(loom_comm *comm, const int *ranks, int num_ranks,
                         void *data, int64_t count, loom_dtype dtype,
                         loom_reduction reduction);
int loom_comm_all_gather(loom_comm *comm, const int *ranks, int num_ranks,
                         const void *in, void *out, int64_t count,
                         loom_dtype dtype);
int loom_comm_reduce_scatter(loom_comm *comm, const int *ranks, int num_ranks,
                             const void *in, void *out, int64_t count,
                             loom_dtype dtype, loom_reduction reduction);
int loom_comm_all_to_all(loom_comm *comm, const int *ranks, int num_ranks,
                         const void *in, void *out, int64_t count,
                         loom_dtype dtype);
int loom_comm_barrier(loom_comm *comm, const int *ranks, int num_ranks);

/* Splits are balanced (OneFlow's rule): a dim of `dim` rows split over
 * `parts` members gives member `index` dim / parts rows, plus one when
 * index < dim % parts, starting at row *offset (when `offset` is not NULL).
 * Uneven splits are fine; a split needs at least one row per member. */
int64_t loom_split_part(int64_t dim, int parts, int index, int64_t *offset);

/* The dims of member `member`'s part of a tensor of `shape` (`num_dims`
 * dims) laid out as `sbp` on a group of `group_size`. */
void loom_sbp_local_shape(loom_sbp sbp, const int64_t *shape, int num_dims,
                          int group_size, int member, int64_t *local);

/* Boxing on one group (mesh axis): `in` holds this member's part of a
 * tensor of logical `shape` (`num_dims` dims) under `from`; `out` receives its
 * part under `to`. P -> B all-reduces, P -> S reduce-scatters, S -> B
 * all-gathers, S(i) -> S(j) is an all-to-all; B -> S slices, B -> P keeps
 * the value on the first member and the reduction's identity elsewhere,
 * S -> P embeds the slice in the identity; P(x) -> P(y) all-reduces then
 * embeds. Split dims may be uneven (see loom_split_part). Any dtype of 1,
 * 2, 4 or 8 bytes moves; layouts with P need one that reduces (not f16,
 * bf16 or bool). */
int loom_comm_box(loom_comm *comm, const int *ranks, int num_ranks,
                  const void *in, void *out, const int64_t *shape, int num_dims,
                  loom_dtype dtype, loom_sbp from, loom_sbp to);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_COLLECTIVES_H */
