// Verifier branches of the sequence, optional, string and signal ops.
// RUN: loom-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

// expected-error @+1 {{an optional holds a tensor or a sequence, not 'f32'}}
func.func @opt_of_scalar(%o: !graph.opt<f32>) {
  return
}

// -----

func.func @construct_none() {
  // expected-error @+2 {{'graph.sequence_construct' op needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %s = "graph.sequence_construct"() : () -> !graph.seq<tensor<f32>>
  return
}

// -----

func.func @construct_mixed(%a: tensor<2xf32>, %b: tensor<2xi64>) {
  // expected-error @+2 {{'graph.sequence_construct' op inputs must share their element type}}
  // expected-error @+1 {{failed to infer returned types}}
  %s = graph.sequence_construct %a, %b : tensor<2xf32>, tensor<2xi64> -> !graph.seq<tensor<2xf32>>
  return
}

// -----

func.func @construct_result(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  // expected-error @+2 {{'graph.sequence_construct' op inferred type(s) '!graph.seq<tensor<2xf32>>' are incompatible with return type(s) of operation '!graph.seq<tensor<3xf32>>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %s = graph.sequence_construct %a, %b : tensor<2xf32>, tensor<2xf32> -> !graph.seq<tensor<3xf32>>
  return
}

// -----

func.func @insert_mismatch(%s: !graph.seq<tensor<2xf32>>, %x: tensor<2xi32>) {
  // expected-error @+2 {{'graph.sequence_insert' op cannot insert 'tensor<2xi32>' into '!graph.seq<tensor<2xf32>>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = graph.sequence_insert %s, %x : !graph.seq<tensor<2xf32>>, tensor<2xi32> -> !graph.seq<tensor<2xf32>>
  return
}

// -----

func.func @insert_result(%s: !graph.seq<tensor<2xf32>>, %x: tensor<3xf32>) {
  // expected-error @+2 {{'graph.sequence_insert' op inferred type(s) '!graph.seq<tensor<?xf32>>' are incompatible with return type(s) of operation '!graph.seq<tensor<2x2xf32>>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = graph.sequence_insert %s, %x : !graph.seq<tensor<2xf32>>, tensor<3xf32> -> !graph.seq<tensor<2x2xf32>>
  return
}

// -----

func.func @insert_position(%s: !graph.seq<tensor<2xf32>>, %x: tensor<2xf32>, %p: tensor<1xi64>) {
  // expected-error @+1 {{'graph.sequence_insert' op operand #2 must be 0D tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<1xi64>'}}
  %r = graph.sequence_insert %s, %x at %p : tensor<1xi64> : !graph.seq<tensor<2xf32>>, tensor<2xf32> -> !graph.seq<tensor<2xf32>>
  return
}

// -----

func.func @erase_result(%s: !graph.seq<tensor<2xf32>>) {
  // expected-error @+2 {{'graph.sequence_erase' op inferred type(s) '!graph.seq<tensor<2xf32>>' are incompatible with return type(s) of operation '!graph.seq<tensor<3xf32>>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = graph.sequence_erase %s : !graph.seq<tensor<2xf32>> -> !graph.seq<tensor<3xf32>>
  return
}

// -----

func.func @at_result(%s: !graph.seq<tensor<2xf32>>, %p: tensor<i64>) {
  // expected-error @+2 {{'graph.sequence_at' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<2xf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = graph.sequence_at %s[%p] : !graph.seq<tensor<2xf32>>, tensor<i64> -> tensor<2xf16>
  return
}

// -----

func.func @length_of_tensor(%t: tensor<2xf32>) {
  // expected-error @+1 {{'graph.sequence_length' op operand #0 must be sequence of tensors, but got 'tensor<2xf32>'}}
  %n = "graph.sequence_length"(%t) : (tensor<2xf32>) -> tensor<i64>
  return
}

// -----

func.func @map_args(%s: !graph.seq<tensor<2xf32>>) {
  // expected-error @+1 {{'graph.sequence_map' op body must take ('tensor<2xf32>') but takes ('tensor<3xf32>')}}
  %m = graph.sequence_map %s : !graph.seq<tensor<2xf32>> -> !graph.seq<tensor<2xf32>> do {
  ^bb0(%x: tensor<3xf32>):
    graph.yield %x : tensor<3xf32>
  }
  return
}

// -----

func.func @map_terminator(%s: !graph.seq<tensor<2xf32>>) {
  // expected-error @+1 {{'graph.sequence_map' op body must end in graph.yield}}
  %m = graph.sequence_map %s : !graph.seq<tensor<2xf32>> -> !graph.seq<tensor<2xf32>> do {
  ^bb0(%x: tensor<2xf32>):
    "test.end"(%x) : (tensor<2xf32>) -> ()
  }
  return
}

// -----

func.func @map_count(%s: !graph.seq<tensor<2xf32>>) {
  // expected-error @+1 {{'graph.sequence_map' op body yields 2 values but the op has 1 results}}
  %m = graph.sequence_map %s : !graph.seq<tensor<2xf32>> -> !graph.seq<tensor<2xf32>> do {
  ^bb0(%x: tensor<2xf32>):
    graph.yield %x, %x : tensor<2xf32>, tensor<2xf32>
  }
  return
}

// -----

func.func @map_value(%s: !graph.seq<tensor<2xf32>>) {
  // expected-error @+1 {{'graph.sequence_map' op body value #0 of type 'tensor<2xf32>' does not fit result '!graph.seq<tensor<3xf32>>'}}
  %m = graph.sequence_map %s : !graph.seq<tensor<2xf32>> -> !graph.seq<tensor<3xf32>> do {
  ^bb0(%x: tensor<2xf32>):
    graph.yield %x : tensor<2xf32>
  }
  return
}

// -----

func.func @optional_of_optional(%o: !graph.opt<tensor<2xf32>>) {
  // expected-error @+1 {{'graph.optional' op operand #0 must be}}
  %r = "graph.optional"(%o) : (!graph.opt<tensor<2xf32>>) -> !graph.opt<tensor<2xf32>>
  return
}

// -----

func.func @optional_result(%x: tensor<2xf32>) {
  // expected-error @+2 {{'graph.optional' op inferred type(s) '!graph.opt<tensor<2xf32>>' are incompatible with return type(s) of operation '!graph.opt<tensor<2xi32>>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = graph.optional %x : tensor<2xf32> -> !graph.opt<tensor<2xi32>>
  return
}

// -----

func.func @get_element_result(%o: !graph.opt<tensor<2xf32>>) {
  // expected-error @+2 {{'graph.optional_get_element' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation '!graph.seq<tensor<2xf32>>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = graph.optional_get_element %o : !graph.opt<tensor<2xf32>> -> !graph.seq<tensor<2xf32>>
  return
}

// -----

func.func @has_element_result(%o: !graph.opt<tensor<2xf32>>) {
  // expected-error @+1 {{'graph.optional_has_element' op result #0 must be 0D tensor of 1-bit signless integer values, but got 'tensor<1xi1>'}}
  %r = graph.optional_has_element %o : !graph.opt<tensor<2xf32>> -> tensor<1xi1>
  return
}

// -----

func.func @string_resource() {
  // expected-error @+1 {{string constants must be dense, not dense_resource}}
  %c = graph.constant dense_resource<blob> : tensor<2x!graph.string>
  return
}

// -----

func.func @add_strings(%s: tensor<2x!graph.string>) {
  // expected-error @+1 {{'graph.add' op operand #0 must be}}
  %r = graph.add %s, %s : (tensor<2x!graph.string>, tensor<2x!graph.string>) -> tensor<2x!graph.string>
  return
}
