// Strings, sequences, optionals and their ops print and parse back.
// RUN: loom-opt %s --verify-roundtrip | FileCheck %s
// RUN: loom-opt %s --mlir-print-op-generic | loom-opt | FileCheck %s

// CHECK-LABEL: func.func @types
// CHECK-SAME: tensor<2x!graph.string>, %{{.*}}: !graph.seq<tensor<?x3xf32>>, %{{.*}}: !graph.opt<!graph.seq<tensor<*xi64>>>
func.func @types(%s: tensor<2x!graph.string>, %q: !graph.seq<tensor<?x3xf32>>, %o: !graph.opt<!graph.seq<tensor<*xi64>>>) {
  return
}

// CHECK-LABEL: func.func @sequences
func.func @sequences(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %p: tensor<i64>) -> tensor<i64> {
  // CHECK: graph.sequence_empty : <tensor<*xf32>>
  %e = graph.sequence_empty : !graph.seq<tensor<*xf32>>
  // CHECK: graph.sequence_construct %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<4x3xf32> -> <tensor<?x3xf32>>
  %s = graph.sequence_construct %a, %b : tensor<2x3xf32>, tensor<4x3xf32> -> !graph.seq<tensor<?x3xf32>>
  // CHECK: graph.sequence_insert %{{.*}}, %{{.*}} at %{{.*}} : tensor<i64> : <tensor<?x3xf32>>, tensor<2x3xf32> -> <tensor<?x3xf32>>
  %i = graph.sequence_insert %s, %a at %p : tensor<i64> : !graph.seq<tensor<?x3xf32>>, tensor<2x3xf32> -> !graph.seq<tensor<?x3xf32>>
  // CHECK: graph.sequence_insert %{{.*}}, %{{.*}} : <tensor<*xf32>>, tensor<2x3xf32> -> <tensor<*xf32>>
  %j = graph.sequence_insert %e, %a : !graph.seq<tensor<*xf32>>, tensor<2x3xf32> -> !graph.seq<tensor<*xf32>>
  // CHECK: graph.sequence_erase %{{.*}} : <tensor<?x3xf32>> -> <tensor<?x3xf32>>
  %r = graph.sequence_erase %i : !graph.seq<tensor<?x3xf32>> -> !graph.seq<tensor<?x3xf32>>
  // CHECK: graph.sequence_erase %{{.*}} at %{{.*}} : tensor<i64> : <tensor<?x3xf32>> -> <tensor<?x3xf32>>
  %r2 = graph.sequence_erase %r at %p : tensor<i64> : !graph.seq<tensor<?x3xf32>> -> !graph.seq<tensor<?x3xf32>>
  // CHECK: graph.sequence_at %{{.*}}[%{{.*}}] : <tensor<?x3xf32>>, tensor<i64> -> tensor<?x3xf32>
  %t = graph.sequence_at %r2[%p] : !graph.seq<tensor<?x3xf32>>, tensor<i64> -> tensor<?x3xf32>
  // CHECK: graph.sequence_length %{{.*}} : <tensor<?x3xf32>> -> tensor<i64>
  %n = graph.sequence_length %r2 : !graph.seq<tensor<?x3xf32>> -> tensor<i64>
  // CHECK: graph.sequence_map %{{.*}}, %{{.*}} : <tensor<?x3xf32>>, tensor<2x3xf32> captures(%{{.*}} : tensor<i64>) -> !graph.seq<tensor<?x3xf32>> do
  %m = graph.sequence_map %s, %a : !graph.seq<tensor<?x3xf32>>, tensor<2x3xf32> captures(%p : tensor<i64>) -> !graph.seq<tensor<?x3xf32>> do {
  ^bb0(%x: tensor<?x3xf32>, %y: tensor<2x3xf32>, %c: tensor<i64>):
    %z = graph.add %x, %y : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    graph.yield %z : tensor<2x3xf32>
  }
  return %n : tensor<i64>
}

// CHECK-LABEL: func.func @optionals
func.func @optionals(%a: tensor<4xf32>, %s: !graph.seq<tensor<4xf32>>) -> tensor<i1> {
  // CHECK: graph.optional %{{.*}} : tensor<4xf32> -> <tensor<4xf32>>
  %o = graph.optional %a : tensor<4xf32> -> !graph.opt<tensor<4xf32>>
  // CHECK: graph.optional %{{.*}} : !graph.seq<tensor<4xf32>> -> <!graph.seq<tensor<4xf32>>>
  %os = graph.optional %s : !graph.seq<tensor<4xf32>> -> !graph.opt<!graph.seq<tensor<4xf32>>>
  // CHECK: graph.optional_none : <tensor<4xf32>>
  %none = graph.optional_none : !graph.opt<tensor<4xf32>>
  // CHECK: graph.optional_get_element %{{.*}} : <tensor<4xf32>> -> tensor<4xf32>
  %v = graph.optional_get_element %o : !graph.opt<tensor<4xf32>> -> tensor<4xf32>
  // CHECK: graph.optional_get_element %{{.*}} : <!graph.seq<tensor<4xf32>>> -> !graph.seq<tensor<4xf32>>
  %vs = graph.optional_get_element %os : !graph.opt<!graph.seq<tensor<4xf32>>> -> !graph.seq<tensor<4xf32>>
  // CHECK: graph.optional_has_element %{{.*}} : <tensor<4xf32>> -> tensor<i1>
  %h = graph.optional_has_element %none : !graph.opt<tensor<4xf32>> -> tensor<i1>
  return %h : tensor<i1>
}

// Control flow carries sequences and optionals.
// CHECK-LABEL: func.func @carried
func.func @carried(%n: tensor<i64>, %s: !graph.seq<tensor<*xf32>>, %x: tensor<2xf32>) -> !graph.seq<tensor<*xf32>> {
  // CHECK: graph.loop max %{{.*}} : tensor<i64> init(%{{.*}} : !graph.seq<tensor<*xf32>>) captures(%{{.*}} : tensor<2xf32>) -> !graph.seq<tensor<*xf32>> do
  %r = graph.loop max %n : tensor<i64> init(%s : !graph.seq<tensor<*xf32>>) captures(%x : tensor<2xf32>) -> !graph.seq<tensor<*xf32>> do {
  ^bb0(%i: tensor<i64>, %c: tensor<i1>, %acc: !graph.seq<tensor<*xf32>>, %v: tensor<2xf32>):
    %next = graph.sequence_insert %acc, %v : !graph.seq<tensor<*xf32>>, tensor<2xf32> -> !graph.seq<tensor<*xf32>>
    graph.yield %c, %next : tensor<i1>, !graph.seq<tensor<*xf32>>
  }
  return %r : !graph.seq<tensor<*xf32>>
}

// CHECK-LABEL: func.func @strings
func.func @strings(%s: tensor<1x4x!graph.string>, %f: tensor<3xf32>) {
  // CHECK: graph.constant dense<["a", "b"]> : tensor<2x!graph.string>
  %c = graph.constant dense<["a", "b"]> : tensor<2x!graph.string>
  // CHECK: graph.cast %{{.*}} {to = !graph.string} : (tensor<3xf32>) -> tensor<3x!graph.string>
  %0 = graph.cast %f {to = !graph.string} : (tensor<3xf32>) -> tensor<3x!graph.string>
  // CHECK: graph.cast %{{.*}} {to = f32} : (tensor<3x!graph.string>) -> tensor<3xf32>
  %1 = graph.cast %0 {to = f32} : (tensor<3x!graph.string>) -> tensor<3xf32>
  // CHECK: graph.string_normalizer %{{.*}} {case_change_action = "UPPER", locale = "en_US", stopwords = ["a"]} : (tensor<1x4x!graph.string>) -> tensor<1x?x!graph.string>
  %2 = graph.string_normalizer %s {case_change_action = "UPPER", stopwords = ["a"], locale = "en_US"} : (tensor<1x4x!graph.string>) -> tensor<1x?x!graph.string>
  // CHECK: graph.tfidf_vectorizer %{{.*}} {{.*}}mode = "TFIDF"{{.*}} : (tensor<1x4x!graph.string>) -> tensor<1x3xf32>
  %3 = graph.tfidf_vectorizer %s {min_gram_length = 1, max_gram_length = 2, max_skip_count = 1, mode = "TFIDF", ngram_counts = array<i64: 0, 2>, ngram_indexes = array<i64: 0, 1, 2>, pool_int64s = array<i64>, pool_strings = ["a", "b", "a", "b"], weights = array<f32: 1.0, 2.0, 0.5>} : (tensor<1x4x!graph.string>) -> tensor<1x3xf32>
  return
}

// CHECK-LABEL: func.func @signal
func.func @signal(%sig: tensor<2x64x1xf32>, %step: tensor<i64>, %win: tensor<16xf32>, %len: tensor<i64>, %bins: tensor<i32>, %rate: tensor<i32>, %lo: tensor<f32>) {
  %k = graph.constant dense<8> : tensor<i64>
  // CHECK: graph.stft %{{.*}} step %{{.*}} window %{{.*}} {onesided} : (tensor<2x64x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<2x7x9x2xf32>
  %0 = graph.stft %sig step %k window %win {onesided} : (tensor<2x64x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<2x7x9x2xf32>
  // CHECK: graph.stft %{{.*}} step %{{.*}} length %{{.*}} : (tensor<2x64x1xf32>, tensor<i64>, tensor<i64>) -> tensor<2x?x?x2xf32>
  %1 = graph.stft %sig step %step length %len : (tensor<2x64x1xf32>, tensor<i64>, tensor<i64>) -> tensor<2x?x?x2xf32>
  // CHECK: graph.mel_weight_matrix {{.*}} {output_type = f16} : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf16>
  %2 = graph.mel_weight_matrix %bins, %bins, %rate, %lo, %lo {output_type = f16} : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf16>
  return
}

// CHECK-LABEL: func.func @pool_indices
func.func @pool_indices(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xi64> {
  // CHECK: graph.max_pool_indices %{{.*}} {column_major, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xi64>
  %0 = graph.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, column_major} : (tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xi64>
  return %0 : tensor<1x1x2x2xi64>
}
