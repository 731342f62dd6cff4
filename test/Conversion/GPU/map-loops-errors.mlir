// RUN: loom-opt %s -p 'builtin.module(loom-gpu-map-loops{block-size=2048})' -verify-diagnostics

// expected-error @below {{block-size must be 1 to 1024, got 2048}}
module {
}
