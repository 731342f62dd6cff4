// Malformed sbp attributes are refused with a message.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{a mesh has 1 or 2 axes, got 3}}
module attributes {sbp.mesh = #sbp.mesh<[2, 2, 2]>} {}

// -----

// expected-error @+1 {{mesh axes must have at least one device}}
module attributes {sbp.mesh = #sbp.mesh<[0]>} {}

// -----

// expected-error @+1 {{names 1 axes of a 2-D mesh}}
module attributes {sbp.mesh = #sbp.mesh<[2, 2], axes = ["x"]>} {}

// -----

// expected-error @+1 {{expected S(dim), B or P(sum|max|min)}}
module attributes {sbp.x = #sbp.nd<[Q]>} {}

// -----

// expected-error @+1 {{expected P(sum), P(max) or P(min)}}
module attributes {sbp.x = #sbp.nd<[P(avg)]>} {}

// -----

// expected-error @+1 {{a split dim must be non-negative}}
module attributes {sbp.x = #sbp.nd<[S(-1)]>} {}

// -----

// expected-error @+1 {{an nd-SBP needs an entry per mesh axis}}
module attributes {sbp.x = #sbp.nd<[]>} {}
