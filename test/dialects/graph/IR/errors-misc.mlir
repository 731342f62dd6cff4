// Verifier branches of the detection, signal, random and other ops.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @nms(%b: tensor<6x4xf32>, %s: tensor<1x2x6xf32>) {
  // expected-error @+1 {{boxes 6x4 and scores 1x2x6 must be [N, B, 4] and [N, C, B]}}
  %0 = graph.non_max_suppression %b, %s : (tensor<6x4xf32>, tensor<1x2x6xf32>) -> tensor<?x3xi64>
  return
}

// -----

func.func @grid_mode(%x: tensor<1x1x4x4xf32>, %g: tensor<1x2x2x2xf32>) {
  // expected-error @+1 {{unknown mode 'area' or padding_mode 'zeros'}}
  %0 = graph.grid_sample %x, %g {mode = "area"} : (tensor<1x1x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @grid_rank(%x: tensor<1x4x4xf32>, %g: tensor<1x2x2x2xf32>) {
  // expected-error @+1 {{input 1x4x4 and grid 1x2x2x2 must be [N, C, H, W] and [N, Ho, Wo, 2]}}
  %0 = graph.grid_sample %x, %g : (tensor<1x4x4xf32>, tensor<1x2x2x2xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @window(%n: tensor<i64>) {
  // expected-error @+1 {{kind must be hann, hamming or blackman, got 'kaiser'}}
  %0 = graph.window %n {kind = "kaiser", dtype = f32} : (tensor<i64>) -> tensor<?xf32>
  return
}

// -----

func.func @unique_axis(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.unique' op axis 1 is out of range for 4}}
  %0:4 = graph.unique %x {axis = 1 : i64} : (tensor<4xf32>) -> (tensor<*xf32>, tensor<?xi64>, tensor<?xi64>, tensor<?xi64>)
  return
}

// -----

func.func @reverse_axes(%x: tensor<4x3xf32>, %l: tensor<3xi64>) {
  // expected-error @+1 {{batch_axis and time_axis must be 0 and 1 in some order}}
  %0 = graph.reverse_sequence %x, %l {batch_axis = 1, time_axis = 1} : (tensor<4x3xf32>, tensor<3xi64>) -> tensor<4x3xf32>
  return
}

// -----

func.func @reverse_rank(%x: tensor<4xf32>, %l: tensor<3xi64>) {
  // expected-error @+1 {{input 4 must have rank >= 2}}
  %0 = graph.reverse_sequence %x, %l {batch_axis = 1, time_axis = 0} : (tensor<4xf32>, tensor<3xi64>) -> tensor<4xf32>
  return
}

// -----

func.func @det_square(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{matrices of 2x3 are not square}}
  %0 = graph.det %x : (tensor<2x3xf32>) -> tensor<f32>
  return
}

// -----

func.func @det_rank(%x: tensor<3xf32>) {
  // expected-error @+1 {{input 3 must be [..., M, M]}}
  %0 = graph.det %x : (tensor<3xf32>) -> tensor<f32>
  return
}

// -----

func.func @roi_mode(%x: tensor<1x1x4x4xf32>, %r: tensor<2x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{mode must be avg or max, got 'min'}}
  %0 = graph.roi_align %x, %r, %i {mode = "min"} : (tensor<1x1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @roi_rank(%x: tensor<1x4x4xf32>, %r: tensor<2x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{input 1x4x4 and rois 2x4 must be [N, C, H, W] and [R, 4]}}
  %0 = graph.roi_align %x, %r, %i : (tensor<1x4x4xf32>, tensor<2x4xf32>, tensor<2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @unpool_window(%x: tensor<1x1x2x2xf32>, %i: tensor<1x1x2x2xi64>) {
  // expected-error @+1 {{expected 2 strides and 4 pads}}
  %0 = graph.max_unpool %x, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @unpool_rank(%x: tensor<1x2x2xf32>, %i: tensor<1x2x2xi64>) {
  // expected-error @+1 {{input 1x2x2 must have 2 spatial dims}}
  %0 = graph.max_unpool %x, %i {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x2x2xf32>, tensor<1x2x2xi64>) -> tensor<*xf32>
  return
}

// -----

func.func @dft_axis(%x: tensor<1x16x1xf32>) {
  // expected-error @+1 {{axis 2 must index a signal dim of 1x16x1}}
  %0 = graph.dft %x {axis = 2} : (tensor<1x16x1xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @mvn_axes(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 2}}
  %0 = graph.mean_variance_norm %x {axes = array<i64: 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}
