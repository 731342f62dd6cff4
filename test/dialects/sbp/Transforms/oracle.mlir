// On every test graph small enough to enumerate (at most 2^22 plans), the
// plan sbp-derive finds costs at most 5% above the optimum brute force
// finds (check-oracle fails the pass otherwise), with the default
// constants and with a fast link and a memory cost (where plans split).
// DEFINE: %{fast} = flops-per-second=2e10 link-bytes-per-second=5e9 collective-latency=2e-5 memory-cost-per-byte=1e-9
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2 check-oracle})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=MLP
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=3 check-oracle})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=MLP
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 check-oracle})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=MLP
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2 check-oracle %{fast}})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=MLP
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=3 check-oracle %{fast}})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=MLP
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 check-oracle %{fast}})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=MLP
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 check-oracle %{fast} fix=fc2=P(sum)})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=MLP
// MLP: sbp-derive: @mlp: plan {{.*}} s, optimum {{.*}} s (ratio 1.0{{[0-4][0-9]*}})
// RUN: loom-opt %S/Inputs/weights.mlir -p 'builtin.module(sbp-derive{mesh=2 check-oracle %{fast}})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// RUN: loom-opt %S/Inputs/weights.mlir -p 'builtin.module(sbp-derive{mesh=2x2 check-oracle %{fast}})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=WEIGHTS
// WEIGHTS: sbp-derive: @weights: plan {{.*}} (ratio 1.0{{[0-4][0-9]*}})
// RUN: loom-opt %S/Inputs/bytes.mlir -p 'builtin.module(sbp-derive{mesh=3 check-oracle %{fast}})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=BYTES
// BYTES: sbp-derive: @bytes: plan {{.*}} (ratio 1.0{{[0-4][0-9]*}})
// The example MLP (the ONNX model the README compiles), large batch.
// RUN: %onnx-encode < %S/../../../../examples/mlp.pbtxt > %t.onnx
// RUN: loomc %t.onnx --input-shape image:4096x1x4x4 --emit=graph -o %t.mlir
// RUN: loom-opt %t.mlir -p 'builtin.module(sbp-derive{mesh=2 check-oracle %{fast}})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXAMPLE
// RUN: loom-opt %t.mlir -p 'builtin.module(sbp-derive{mesh=4 check-oracle %{fast}})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=EXAMPLE
// EXAMPLE: sbp-derive: @main_graph: plan {{.*}} (ratio 1.0{{[0-4][0-9]*}})
// Larger graphs say so.
// RUN: loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2x2 check-oracle})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=LARGE
// LARGE: sbp-derive: @mlp: too many plans to enumerate
// A plan above the tolerance fails the pass (here a tolerance no plan can
// meet).
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2 check-oracle oracle-tolerance=-0.5})' -o /dev/null 2>&1 | FileCheck %s --check-prefix=ABOVE
// ABOVE: error: sbp-derive: the plan costs 1.000000e+00 times the optimum, more than the tolerance (-5.000000e-01) above it
