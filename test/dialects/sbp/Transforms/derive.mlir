// sbp-derive picks a signature per op with the cost model.
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4})' | FileCheck %s --check-prefix=DATA
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 memory-cost-per-byte=1e-7})' | FileCheck %s --check-prefix=MODEL
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2x2 memory-cost-per-byte=1e-8})' | FileCheck %s --check-prefix=MESH2D
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=fc1=S(1)})' | FileCheck %s --check-prefix=FIX
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 print-plan explain-dot=%t.dot})' -o /dev/null | FileCheck %s --check-prefix=PLAN
// RUN: FileCheck %s --check-prefix=DOT < %t.dot

// With memory free, the batch splits (data parallelism): the weights stay
// whole, the output is gathered.
// DATA: module attributes {sbp.mesh = #sbp.mesh<[4]>}
// DATA: graph.matmul {{.*}}sbp.operands = [#sbp.nd<[S(0)]>, #sbp.nd<[B]>], sbp.results = [#sbp.nd<[S(0)]>]
// DATA: graph.relu {{.*}}sbp.results = [#sbp.nd<[S(0)]>]
// DATA: graph.matmul {{.*}}sbp.operands = [#sbp.nd<[S(0)]>, #sbp.nd<[B]>], sbp.results = [#sbp.nd<[S(0)]>]

// When weights cost memory, they split instead (Megatron's MLP): columns
// of the first, rows of the second; the second product is a partial sum.
// MODEL: graph.constant {sbp.operands = [], sbp.results = [#sbp.nd<[S(1)]>]}
// MODEL: graph.constant {sbp.operands = [], sbp.results = [#sbp.nd<[S(0)]>]}
// MODEL: graph.matmul {{.*}}sbp.operands = [#sbp.nd<[B]>, #sbp.nd<[S(1)]>], sbp.results = [#sbp.nd<[S(1)]>]
// MODEL: graph.matmul {{.*}}sbp.operands = [#sbp.nd<[S(1)]>, #sbp.nd<[S(0)]>], sbp.results = [#sbp.nd<[P(sum)]>]

// MESH2D: module attributes {sbp.mesh = #sbp.mesh<[2, 2]>}
// MESH2D: graph.matmul {{.*}}sbp.results = [#sbp.nd<[S(1), S(1)]>]
// MESH2D: graph.matmul {{.*}}sbp.results = [#sbp.nd<[P(sum), P(sum)]>]

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
