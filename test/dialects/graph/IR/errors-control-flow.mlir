// Verifier branches of graph.if, graph.loop and graph.scan.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @if_condition(%c: tensor<2xi1>) {
  // expected-error @+1 {{condition must hold one element, got 'tensor<2xi1>'}}
  graph.if %c : tensor<2xi1> then {
    graph.yield
  } else {
    graph.yield
  }
  return
}

// -----

func.func @if_captures(%c: tensor<i1>, %x: tensor<4xf32>) {
  // expected-error @+1 {{then_branch must take ('tensor<4xf32>') but takes ()}}
  graph.if %c captures(%x : tensor<4xf32>) : tensor<i1> then {
    graph.yield
  } else {
  ^bb0(%a: tensor<4xf32>):
    graph.yield
  }
  return
}

// -----

func.func @if_yield_count(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{else_branch yields 0 values but 1 are expected}}
  %0 = graph.if %c captures(%x : tensor<4xf32>) : tensor<i1> -> tensor<4xf32> then {
  ^bb0(%a: tensor<4xf32>):
    graph.yield %a : tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>):
    graph.yield
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @if_yield_type(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{then_branch value #0 has type 'tensor<4xf32>', incompatible with 'tensor<5xf32>'}}
  %0 = graph.if %c captures(%x : tensor<4xf32>) : tensor<i1> -> tensor<5xf32> then {
  ^bb0(%a: tensor<4xf32>):
    graph.yield %a : tensor<4xf32>
  } else {
  ^bb0(%a: tensor<4xf32>):
    graph.yield %a : tensor<4xf32>
  }
  return %0 : tensor<5xf32>
}

// -----

func.func @if_isolated(%c: tensor<i1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %0 = graph.if %c : tensor<i1> -> tensor<4xf32> then {
    // expected-error @+1 {{using value defined outside the region}}
    graph.yield %x : tensor<4xf32>
  } else {
    graph.yield %x : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @loop_results(%x: tensor<f32>) {
  // expected-error @+1 {{has 0 results but 1 loop-carried values}}
  graph.loop init(%x : tensor<f32>) do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<f32>):
    graph.yield %c, %v : tensor<i1>, tensor<f32>
  }
  return
}

// -----

func.func @loop_initial(%x: tensor<2xf32>) {
  // expected-error @+1 {{initial value #0 has type 'tensor<2xf32>', incompatible with 'tensor<3xf32>'}}
  %0 = graph.loop init(%x : tensor<2xf32>) -> tensor<3xf32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<3xf32>):
    graph.yield %c, %v : tensor<i1>, tensor<3xf32>
  }
  return
}

// -----

func.func @loop_block(%x: tensor<f32>) {
  // expected-error @+1 {{body must take ('tensor<i64>', 'tensor<i1>', 'tensor<f32>') but takes ('tensor<i64>', 'tensor<f32>')}}
  %0 = graph.loop init(%x : tensor<f32>) -> tensor<f32> do {
  ^bb0(%i: tensor<i64>, %v: tensor<f32>):
    graph.yield %v : tensor<f32>
  }
  return
}

// -----

func.func @loop_yield_count(%x: tensor<f32>) {
  // expected-error @+1 {{body yields 1 values but 2 are expected}}
  %0 = graph.loop init(%x : tensor<f32>) -> tensor<f32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<f32>):
    graph.yield %v : tensor<f32>
  }
  return
}

// -----

func.func @loop_condition(%x: tensor<f32>) {
  // expected-error @+1 {{body must yield its condition as tensor<i1> first, got 'tensor<f32>'}}
  %0 = graph.loop init(%x : tensor<f32>) -> tensor<f32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<f32>):
    graph.yield %v, %v : tensor<f32>, tensor<f32>
  }
  return
}

// -----

func.func @loop_carried(%x: tensor<f32>) {
  // expected-error @+1 {{carried value #0 has type 'tensor<i64>', incompatible with 'tensor<f32>'}}
  %0 = graph.loop init(%x : tensor<f32>) -> tensor<f32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<f32>):
    graph.yield %c, %i : tensor<i1>, tensor<i64>
  }
  return
}

// -----

func.func @loop_scan_output(%x: tensor<f32>) {
  // expected-error @+1 {{scan output #0 of type 'tensor<?x2xf32>' does not stack slices of type 'tensor<f32>'}}
  %0:2 = graph.loop init(%x : tensor<f32>) -> tensor<f32>, tensor<?x2xf32> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %v: tensor<f32>):
    graph.yield %c, %v, %v : tensor<i1>, tensor<f32>, tensor<f32>
  }
  return
}

// -----

func.func @scan_results(%s: tensor<2xf32>, %x: tensor<2x5xf32>) {
  // expected-error @+1 {{has 0 results but 1 states}}
  graph.scan states(%s : tensor<2xf32>) inputs(%x : tensor<2x5xf32>) do {
  ^bb0(%state: tensor<2xf32>, %column: tensor<2xf32>):
    graph.yield %state : tensor<2xf32>
  } {scan_input_axes = array<i64: 1>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64>, scan_output_reverse = array<i1>}
  return
}

// -----

func.func @scan_attrs(%s: tensor<2xf32>, %x: tensor<2x5xf32>) {
  // expected-error @+1 {{needs one axis and direction per scan input (1) and per scan output (0)}}
  %0 = graph.scan states(%s : tensor<2xf32>) inputs(%x : tensor<2x5xf32>) -> tensor<2xf32> do {
  ^bb0(%state: tensor<2xf32>, %column: tensor<2xf32>):
    graph.yield %state : tensor<2xf32>
  } {scan_input_axes = array<i64>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64>, scan_output_reverse = array<i1>}
  return
}

// -----

func.func @scan_initial(%s: tensor<3xf32>, %x: tensor<2x5xf32>) {
  // expected-error @+1 {{initial state #0 has type 'tensor<3xf32>', incompatible with 'tensor<2xf32>'}}
  %0 = graph.scan states(%s : tensor<3xf32>) inputs(%x : tensor<2x5xf32>) -> tensor<2xf32> do {
  ^bb0(%state: tensor<2xf32>, %column: tensor<2xf32>):
    graph.yield %state : tensor<2xf32>
  } {scan_input_axes = array<i64: 1>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64>, scan_output_reverse = array<i1>}
  return
}

// -----

func.func @scan_axis(%s: tensor<2xf32>, %x: tensor<2x5xf32>) {
  // expected-error @+1 {{scan input axis 2 is out of range for 'tensor<2x5xf32>'}}
  %0 = graph.scan states(%s : tensor<2xf32>) inputs(%x : tensor<2x5xf32>) -> tensor<2xf32> do {
  ^bb0(%state: tensor<2xf32>, %column: tensor<2xf32>):
    graph.yield %state : tensor<2xf32>
  } {scan_input_axes = array<i64: 2>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64>, scan_output_reverse = array<i1>}
  return
}

// -----

func.func @scan_slice(%s: tensor<2xf32>, %x: tensor<2x5xf32>) {
  // expected-error @+1 {{body must take ('tensor<2xf32>', 'tensor<2xf32>') but takes ('tensor<2xf32>', 'tensor<5xf32>')}}
  %0 = graph.scan states(%s : tensor<2xf32>) inputs(%x : tensor<2x5xf32>) -> tensor<2xf32> do {
  ^bb0(%state: tensor<2xf32>, %column: tensor<5xf32>):
    graph.yield %state : tensor<2xf32>
  } {scan_input_axes = array<i64: 1>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64>, scan_output_reverse = array<i1>}
  return
}

// -----

func.func @scan_yield(%s: tensor<2xf32>, %x: tensor<2x5xf32>) {
  // expected-error @+1 {{state #0 has type 'tensor<5xf32>', incompatible with 'tensor<2xf32>'}}
  %0 = graph.scan states(%s : tensor<2xf32>) inputs(%x : tensor<2x5xf32>) -> tensor<2xf32> do {
  ^bb0(%state: tensor<2xf32>, %column: tensor<2xf32>):
    %c = graph.constant dense<1.0> : tensor<5xf32>
    graph.yield %c : tensor<5xf32>
  } {scan_input_axes = array<i64: 1>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64>, scan_output_reverse = array<i1>}
  return
}

// -----

func.func @scan_output(%s: tensor<2xf32>, %x: tensor<2x5xf32>) {
  // expected-error @+1 {{scan output #0 of type 'tensor<3x5xf32>' does not stack slices of type 'tensor<2xf32>' along axis 1}}
  %0:2 = graph.scan states(%s : tensor<2xf32>) inputs(%x : tensor<2x5xf32>) -> tensor<2xf32>, tensor<3x5xf32> do {
  ^bb0(%state: tensor<2xf32>, %column: tensor<2xf32>):
    graph.yield %state, %state : tensor<2xf32>, tensor<2xf32>
  } {scan_input_axes = array<i64: 1>, scan_input_reverse = array<i1: false>, scan_output_axes = array<i64: 1>, scan_output_reverse = array<i1: false>}
  return
}

// -----

func.func @yield_parent(%x: tensor<f32>) {
  // expected-error @+1 {{'graph.yield' op expects parent op to be one of 'graph.if, graph.loop, graph.scan, graph.sequence_map'}}
  graph.yield %x : tensor<f32>
}
