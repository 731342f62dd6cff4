// Verifier branches of the string, text and signal ops, and max_pool_indices.
// RUN: loom-opt %s -split-input-file -verify-diagnostics

func.func @strnorm_action(%s: tensor<4x!graph.string>) {
  // expected-error @+1 {{case_change_action must be LOWER, UPPER or NONE, got 'TITLE'}}
  %r = graph.string_normalizer %s {case_change_action = "TITLE", stopwords = [], locale = ""} : (tensor<4x!graph.string>) -> tensor<4x!graph.string>
  return
}

// -----

func.func @strnorm_rank(%s: tensor<2x4x!graph.string>) {
  // expected-error @+1 {{input 2x4 must be [C] or [1, C]}}
  %r = graph.string_normalizer %s {case_change_action = "NONE", stopwords = [], locale = ""} : (tensor<2x4x!graph.string>) -> tensor<2x4x!graph.string>
  return
}

// -----

func.func @tfidf_mode(%x: tensor<6xi64>) {
  // expected-error @+1 {{mode must be TF, IDF or TFIDF, got 'BM25'}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, mode = "BM25", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3>, pool_strings = [], weights = array<f32>} : (tensor<6xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_grams(%x: tensor<6xi64>) {
  // expected-error @+1 {{needs 1 <= min_gram_length (2) <= max_gram_length (1)}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 2, max_gram_length = 1, max_skip_count = 0, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3>, pool_strings = [], weights = array<f32>} : (tensor<6xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_skip(%x: tensor<6xi64>) {
  // expected-error @+1 {{max_skip_count must be non-negative, got -1}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = -1, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3>, pool_strings = [], weights = array<f32>} : (tensor<6xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_pools(%x: tensor<6xi64>) {
  // expected-error @+1 {{needs exactly one of pool_int64s and pool_strings}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3>, pool_strings = ["a"], weights = array<f32>} : (tensor<6xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_pool_type(%x: tensor<6x!graph.string>) {
  // expected-error @+1 {{pool of integers does not match input 'tensor<6x!graph.string>'}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3>, pool_strings = [], weights = array<f32>} : (tensor<6x!graph.string>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_counts_empty(%x: tensor<6xi64>) {
  // expected-error @+1 {{needs ngram_counts, where the pool's 1-grams, 2-grams... start}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, mode = "TF", ngram_counts = array<i64>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3>, pool_strings = [], weights = array<f32>} : (tensor<6xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_counts_order(%x: tensor<6xi64>) {
  // expected-error @+1 {{ngram_counts must rise within the pool (3 entries)}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 2, max_skip_count = 0, mode = "TF", ngram_counts = array<i64: 2, 1>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3, 4, 5>, pool_strings = [], weights = array<f32>} : (tensor<6xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_counts_multiple(%x: tensor<6xi64>) {
  // expected-error @+1 {{the pool's 2-grams take 1 entries, not a multiple of 2}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 2, max_skip_count = 0, mode = "TF", ngram_counts = array<i64: 0, 2>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3, 4, 5>, pool_strings = [], weights = array<f32>} : (tensor<6xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_indexes(%x: tensor<6xi64>) {
  // expected-error @+1 {{needs one ngram_indexes entry per pool n-gram (2), got 1}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3, 4>, pool_strings = [], weights = array<f32>} : (tensor<6xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_negative(%x: tensor<6xi64>) {
  // expected-error @+1 {{ngram_indexes must be non-negative}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: -1>, pool_int64s = array<i64: 3>, pool_strings = [], weights = array<f32>} : (tensor<6xi64>) -> tensor<0xf32>
  return
}

// -----

func.func @tfidf_weights(%x: tensor<6xi64>) {
  // expected-error @+1 {{needs one weight per n-gram (1), got 2}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, mode = "TFIDF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3>, pool_strings = [], weights = array<f32: 1.0, 2.0>} : (tensor<6xi64>) -> tensor<1xf32>
  return
}

// -----

func.func @tfidf_rank(%x: tensor<2x3x4xi64>) {
  // expected-error @+1 {{input 2x3x4 must be [C] or [N, C]}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 0>, pool_int64s = array<i64: 3>, pool_strings = [], weights = array<f32>} : (tensor<2x3x4xi64>) -> tensor<2x1xf32>
  return
}

// -----

func.func @tfidf_width(%x: tensor<2x3xi64>) {
  // expected-error @+1 {{result type 'tensor<2x1xf32>' is incompatible with the inferred type 'tensor<2x5xf32>'}}
  %r = graph.tfidf_vectorizer %x {min_gram_length = 1, max_gram_length = 1, max_skip_count = 0, mode = "TF", ngram_counts = array<i64: 0>, ngram_indexes = array<i64: 4>, pool_int64s = array<i64: 3>, pool_strings = [], weights = array<f32>} : (tensor<2x3xi64>) -> tensor<2x1xf32>
  return
}

// -----

func.func @stft_signal(%s: tensor<2x64xf32>, %k: tensor<i64>, %w: tensor<16xf32>) {
  // expected-error @+1 {{signal 2x64 must be [batch, length, 1 or 2]}}
  %r = graph.stft %s step %k window %w : (tensor<2x64xf32>, tensor<i64>, tensor<16xf32>) -> tensor<2x?x16x2xf32>
  return
}

// -----

func.func @stft_window(%s: tensor<2x64x1xf32>, %k: tensor<i64>, %w: tensor<4x4xf32>) {
  // expected-error @+1 {{window 4x4 must be 1-D}}
  %r = graph.stft %s step %k window %w : (tensor<2x64x1xf32>, tensor<i64>, tensor<4x4xf32>) -> tensor<2x?x?x2xf32>
  return
}

// -----

func.func @stft_length(%s: tensor<2x64x1xf32>, %k: tensor<i64>) {
  %n = graph.constant dense<0> : tensor<i64>
  // expected-error @+1 {{frame_length must be positive, got 0}}
  %r = graph.stft %s step %k length %n : (tensor<2x64x1xf32>, tensor<i64>, tensor<i64>) -> tensor<2x?x?x2xf32>
  return
}

// -----

func.func @stft_length_window(%s: tensor<2x64x1xf32>, %k: tensor<i64>, %w: tensor<16xf32>) {
  %n = graph.constant dense<8> : tensor<i64>
  // expected-error @+1 {{frame_length 8 differs from the window's length 16}}
  %r = graph.stft %s step %k window %w length %n : (tensor<2x64x1xf32>, tensor<i64>, tensor<16xf32>, tensor<i64>) -> tensor<2x?x?x2xf32>
  return
}

// -----

func.func @stft_neither(%s: tensor<2x64x1xf32>, %k: tensor<i64>) {
  // expected-error @+1 {{needs a window or a frame_length}}
  %r = graph.stft %s step %k : (tensor<2x64x1xf32>, tensor<i64>) -> tensor<2x?x?x2xf32>
  return
}

// -----

func.func @stft_step(%s: tensor<2x64x1xf32>, %w: tensor<16xf32>) {
  %k = graph.constant dense<0> : tensor<i64>
  // expected-error @+1 {{frame_step must be positive, got 0}}
  %r = graph.stft %s step %k window %w : (tensor<2x64x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<2x?x?x2xf32>
  return
}

// -----

func.func @stft_short(%s: tensor<2x8x1xf32>, %w: tensor<16xf32>) {
  %k = graph.constant dense<4> : tensor<i64>
  // expected-error @+1 {{signal length 8 is shorter than a frame (16)}}
  %r = graph.stft %s step %k window %w : (tensor<2x8x1xf32>, tensor<i64>, tensor<16xf32>) -> tensor<2x?x?x2xf32>
  return
}

// -----

func.func @mel_bins(%r: tensor<i32>, %lo: tensor<f32>) {
  %b = graph.constant dense<0> : tensor<i32>
  // expected-error @+1 {{num_mel_bins must be positive, got 0}}
  %m = graph.mel_weight_matrix %b, %r, %r, %lo, %lo {output_type = f32} : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @mel_length(%r: tensor<i32>, %lo: tensor<f32>) {
  %b = graph.constant dense<-2> : tensor<i32>
  // expected-error @+1 {{dft_length must be positive, got -2}}
  %m = graph.mel_weight_matrix %r, %b, %r, %lo, %lo {output_type = f32} : (tensor<i32>, tensor<i32>, tensor<i32>, tensor<f32>, tensor<f32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @pool_indices(%x: tensor<1x1x4x4xf32>) {
  // expected-error @+1 {{result type 'tensor<1x1x4x4xi64>' is incompatible with the inferred type 'tensor<1x1x3x3xi64>'}}
  %r = graph.max_pool_indices %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xi64>
  return
}
