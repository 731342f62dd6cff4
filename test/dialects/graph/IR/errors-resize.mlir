// Verifier branches of graph.resize.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @mode(%x: tensor<4xf32>) {
  // expected-error @+1 {{mode must be nearest, linear or cubic, got 'area'}}
  %0 = graph.resize %x {scales = array<f32: 2.0>, mode = "area"} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @coordinates(%x: tensor<4xf32>) {
  // expected-error @+1 {{unknown coordinate_transformation_mode 'center'}}
  %0 = graph.resize %x {scales = array<f32: 2.0>, coordinate_transformation_mode = "center"} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @nearest(%x: tensor<4xf32>) {
  // expected-error @+1 {{unknown nearest_mode 'round'}}
  %0 = graph.resize %x {scales = array<f32: 2.0>, nearest_mode = "round"} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @none(%x: tensor<4xf32>) {
  // expected-error @+1 {{needs exactly one of scales and sizes, as an attribute or an operand}}
  %0 = graph.resize %x : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @both(%x: tensor<4xf32>) {
  // expected-error @+1 {{needs exactly one of scales and sizes, as an attribute or an operand}}
  %0 = graph.resize %x {scales = array<f32: 2.0>, sizes = array<i64: 8>} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @count(%x: tensor<4xf32>) {
  // expected-error @+1 {{expected 1 scales or sizes, got 2}}
  %0 = graph.resize %x {scales = array<f32: 2.0, 2.0>} : (tensor<4xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @negative(%x: tensor<4xf32>) {
  // expected-error @+1 {{scales must be positive}}
  %0 = graph.resize %x {scales = array<f32: -2.0>} : (tensor<4xf32>) -> tensor<*xf32>
  return
}
