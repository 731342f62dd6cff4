// sbp-derive picks a signature per op with the cost model.
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4})' | FileCheck %s --check-prefix=DATA
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 memory-cost-per-byte=1e-7})' | FileCheck %s --check-prefix=MODEL
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2x2 memory-cost-per-byte=1e-8})' | FileCheck %s --check-prefix=MESH2D
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=fc1=S(1)})' | FileCheck %s --check-prefix=FIX
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 print-plan explain-dot=%t.dot})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=PLAN
// RUN: FileCheck %s --check-prefix=DOT < %t.dot

// With memory free, the batch splits (data parallelism): the weights stay
// whole, the output is gathered.
// DATA: module attributes {sbp.mesh = #sbp.mesh<[4]>}
// DATA: graph.matmul {{.*}}sbp.operands = [#sbp.nd<[S(0)]>, #sbp.nd<[B]>], sbp.results = [#sbp.nd<[S(0)]>]
// DATA: graph.relu {{.*}}sbp.results = [#sbp.nd<[S(0)]>]
// DATA: graph.matmul {{.*}}sbp.operands = [#sbp.nd<[S(0)]>, #sbp.nd<[B]>], sbp.results = [#sbp.nd<[S(0)]>]

// When memory costs (weights and activations), weights split: the
// columns of both; the hidden layer is gathered once.
// MODEL: graph.constant {sbp.operands = [], sbp.results = [#sbp.nd<[S(1)]>]}
// MODEL: graph.constant {sbp.operands = [], sbp.results = [#sbp.nd<[S(1)]>]}
// MODEL: graph.matmul {{.*}}sbp.operands = [#sbp.nd<[B]>, #sbp.nd<[S(1)]>], sbp.results = [#sbp.nd<[S(1)]>]
// MODEL: graph.matmul {{.*}}sbp.operands = [#sbp.nd<[B]>, #sbp.nd<[S(1)]>], sbp.results = [#sbp.nd<[S(1)]>]

// With a memory limit, the memory cost grows until the plan fits: the
// replicated plan needs 2 x 4 MiB of weights, the split one a quarter.
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 memory-limit=4000000 print-plan})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIMIT
// LIMIT: | w1 | graph.constant | S(1) |
// LIMIT: memory per device: {{[0-9]+}} bytes (weights and activations, no reuse; memory cost {{[1-9].*}} s/byte)
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 memory-limit=1000})' 2>&1 | FileCheck %s --check-prefix=NOFIT
// NOFIT: error: sbp-derive: no plan fits 1000 bytes per device: the smallest found needs

// MESH2D: module attributes {sbp.mesh = #sbp.mesh<[2, 2]>}
// MESH2D: graph.matmul {{.*}}sbp.results = [#sbp.nd<[S(1), S(1)]>]
// MESH2D: graph.matmul {{.*}}sbp.results

// A fixed layout is honoured, and the rest plans around it.
// FIX: graph.matmul {{.*}}sbp.operands = [#sbp.nd<[B]>, #sbp.nd<[S(1)]>], sbp.results = [#sbp.nd<[S(1)]>]
// FIX: graph.relu {{.*}}sbp.results = [#sbp.nd<[S(1)]>]
// FIX: graph.matmul {{.*}}sbp.results = [#sbp.nd<[P(sum)]>]

// PLAN: sbp plan on mesh 4: predicted {{.*}} s per step (exact; 0 core node(s))
// PLAN: | node | op | signature | compute (s) |
// PLAN: | fc1 | graph.matmul | S(0) * B -> S(0) |
// PLAN: | S(0) -> B | fc2 -> func.return | all-gather on axis 0 | 98304 |

// DOT: digraph sbp {
// DOT: n3 [label="fc1\ngraph.matmul\nS(0) * B -> S(0)", fillcolor=lightblue];
// DOT: -> n6 [color=red, label="all-gather on axis 0\n98304 B/rank"];
