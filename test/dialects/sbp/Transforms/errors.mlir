// sbp-derive refuses what it cannot honour, naming it.
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=3x})' 2>&1 | FileCheck %s --check-prefix=MESH
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2x2x2})' 2>&1 | FileCheck %s --check-prefix=RANK
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=nope=B})' 2>&1 | FileCheck %s --check-prefix=NAME
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=act=S(q)})' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2x2 fix=act=S(0)})' 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=4 fix=act=P(sum)})' 2>&1 | FileCheck %s --check-prefix=ILLEGAL
// MESH: error: sbp-derive: mesh '3x' is not like 4 or 2x2
// RANK: error: sbp-derive: a mesh has 1 or 2 axes, got 3
// NAME: error: sbp-derive: fix 'nope=B': no input or op named 'nope'
// SYNTAX: error: sbp-derive: fix '{{.*}}': expected NAME=S(0) (1-D mesh) or NAME=[S(0),B] (2-D)
// ILLEGAL: error: sbp-derive: 'act' cannot be P(sum) (no legal signature gives it)

// The cost model's constants must make sense.
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2 flops-per-second=0})' 2>&1 | FileCheck %s --check-prefix=CONSTANTS
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2 link-bytes-per-second=-5})' 2>&1 | FileCheck %s --check-prefix=CONSTANTS
// RUN: not loom-opt %S/Inputs/mlp.mlir -p 'builtin.module(sbp-derive{mesh=2 collective-latency=-1e-5})' 2>&1 | FileCheck %s --check-prefix=CONSTANTS
// CONSTANTS: error: sbp-derive: flops-per-second and link-bytes-per-second must be positive, collective-latency, memory-cost-per-byte and memory-limit not negative
