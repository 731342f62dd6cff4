// Verifier branches of the quantized ops.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @scale_rank(%x: tensor<2x3xf32>, %s: tensor<1x3xf32>, %zp: tensor<ui8>) {
  // expected-error @+1 {{scale 1x3 must be a scalar or 1-D}}
  %0 = graph.quantize %x, %s, %zp : (tensor<2x3xf32>, tensor<1x3xf32>, tensor<ui8>) -> tensor<2x3xui8>
  return
}

// -----

func.func @scale_size(%x: tensor<2x3xf32>, %s: tensor<2xf32>, %zp: tensor<2xui8>) {
  // expected-error @+1 {{scale 2 must hold one value per element of dim 1 of 2x3}}
  %0 = graph.quantize %x, %s, %zp : (tensor<2x3xf32>, tensor<2xf32>, tensor<2xui8>) -> tensor<2x3xui8>
  return
}

// -----

func.func @axis(%q: tensor<2x3xui8>, %s: tensor<3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for 2x3}}
  %0 = graph.dequantize %q, %s {axis = 2 : i64} : (tensor<2x3xui8>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @result(%x: tensor<2x3xf32>, %s: tensor<f32>, %zp: tensor<ui8>) {
  // expected-error @+1 {{result type 'tensor<2x3xi8>' is incompatible with the inferred type 'tensor<2x3xui8>'}}
  %0 = graph.quantize %x, %s, %zp : (tensor<2x3xf32>, tensor<f32>, tensor<ui8>) -> tensor<2x3xi8>
  return
}
