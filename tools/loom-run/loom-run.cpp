//===- loom-run.cpp - Run a compiled model library and check its outputs --===//
//
// Part of Loom.
//
//   loom-run MODEL.so --input FILE... [--output FILE...] [--expect FILE...]
//            [--rtol R] [--atol A] [--threads N]
//   loom-run -n N [--timeout S] PROGRAM [ARGS...]   (Launch.cpp)
//
// Loads a library compiled with `loomc --emit=lib`, runs it once on the
// inputs (.npy or .pb) and writes and/or checks the outputs. Floats match
// when |actual - expected| <= atol + rtol * |expected| (NaNs match NaNs);
// other dtypes match exactly. Exit codes: 0 match, 1 mismatch or failure,
// 2 bad input. Uses only the runtime's C API, like any embedding program.
//
//===----------------------------------------------------------------------===//

#include "Launch.h"
#include "loom/runtime.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

template <typename T>
double at(const void *data, int64_t i) {
  return static_cast<double>(static_cast<const T *>(data)[i]);
}

double halfToDouble(uint16_t h, bool bf16) {
  if (bf16) {
    uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  double value = exponent == 0    ? std::ldexp(mantissa, -24)
                 : exponent == 31 ? (mantissa ? NAN : INFINITY)
                                  : std::ldexp(mantissa + 1024, exponent - 25);
  return sign ? -value : value;
}

double element(loom_tensor *t, int64_t i) {
  const void *d = loom_tensor_data(t);
  switch (loom_tensor_dtype(t)) {
  case LOOM_DTYPE_F32:
    return at<float>(d, i);
  case LOOM_DTYPE_F64:
    return at<double>(d, i);
  case LOOM_DTYPE_F16:
  case LOOM_DTYPE_BF16:
    return halfToDouble(static_cast<const uint16_t *>(d)[i],
                        loom_tensor_dtype(t) == LOOM_DTYPE_BF16);
  case LOOM_DTYPE_I8:
    return at<int8_t>(d, i);
  case LOOM_DTYPE_U8:
  case LOOM_DTYPE_BOOL:
    return at<uint8_t>(d, i);
  case LOOM_DTYPE_I16:
    return at<int16_t>(d, i);
  case LOOM_DTYPE_U16:
    return at<uint16_t>(d, i);
  case LOOM_DTYPE_I32:
    return at<int32_t>(d, i);
  case LOOM_DTYPE_U32:
    return at<uint32_t>(d, i);
  case LOOM_DTYPE_I64:
    return at<int64_t>(d, i);
  case LOOM_DTYPE_U64:
    return at<uint64_t>(d, i);
  default:
    return NAN;
  }
}

bool isFloat(loom_dtype d) {
  return d == LOOM_DTYPE_F32 || d == LOOM_DTYPE_F64 || d == LOOM_DTYPE_F16 ||
         d == LOOM_DTYPE_BF16;
}

/// Compares `actual` with `expected`; prints the first difference.
bool matches(const char *name, loom_tensor *actual, loom_tensor *expected,
             double rtol, double atol) {
  // ONNX's test data stores bfloat16 tensors as uint16 (NumPy has no bf16).
  bool bf16AsU16 = loom_tensor_dtype(actual) == LOOM_DTYPE_BF16 &&
                   loom_tensor_dtype(expected) == LOOM_DTYPE_U16;
  if (loom_tensor_dtype(actual) != loom_tensor_dtype(expected) && !bf16AsU16) {
    std::printf("output '%s': dtype %s, expected %s\n", name,
                loom_dtype_name(loom_tensor_dtype(actual)),
                loom_dtype_name(loom_tensor_dtype(expected)));
    return false;
  }
  bool sameShape = loom_tensor_rank(actual) == loom_tensor_rank(expected);
  for (int32_t d = 0; sameShape && d < loom_tensor_rank(actual); ++d)
    sameShape = loom_tensor_shape(actual)[d] == loom_tensor_shape(expected)[d];
  if (!sameShape) {
    std::printf("output '%s': shape differs from the expected one\n", name);
    return false;
  }
  bool floats = isFloat(loom_tensor_dtype(actual));
  int64_t count = loom_tensor_numel(actual), bad = 0, first = -1;
  for (int64_t i = 0; i < count; ++i) {
    double a = element(actual, i);
    double e = bf16AsU16 ? halfToDouble(static_cast<const uint16_t *>(
                                            loom_tensor_data(expected))[i],
                                        true)
                         : element(expected, i);
    bool ok = floats ? ((std::isnan(a) && std::isnan(e)) || a == e ||
                        std::fabs(a - e) <= atol + rtol * std::fabs(e))
                     : a == e;
    if (!ok && bad++ == 0)
      first = i;
  }
  if (bad)
    std::printf("output '%s': %lld of %lld elements differ; first at %lld: "
                "%.9g, expected %.9g\n",
                name, static_cast<long long>(bad),
                static_cast<long long>(count), static_cast<long long>(first),
                element(actual, first), element(expected, first));
  return bad == 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc > 1 && std::string(argv[1]) == "-n")
    return launchRanks(argc, argv);
  const char *library = nullptr;
  std::vector<const char *> inputs, outputs, expects;
  double rtol = 1e-3, atol = 1e-7;
  long threads = 0;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool value = i + 1 < argc;
    if (arg == "--input" && value)
      inputs.push_back(argv[++i]);
    else if (arg == "--output" && value)
      outputs.push_back(argv[++i]);
    else if (arg == "--expect" && value)
      expects.push_back(argv[++i]);
    else if (arg == "--rtol" && value)
      rtol = std::atof(argv[++i]);
    else if (arg == "--atol" && value)
      atol = std::atof(argv[++i]);
    else if (arg == "--threads" && value)
      threads = std::atol(argv[++i]);
    else if (arg[0] != '-' && !library)
      library = argv[i];
    else {
      std::fprintf(stderr, "loom-run: error: unexpected argument '%s'\n",
                   argv[i]);
      return 2;
    }
  }
  if (!library) {
    std::fprintf(stderr, "usage: loom-run MODEL.so --input FILE... "
                         "[--output FILE...] [--expect FILE...]\n");
    return 2;
  }
  loom_model *model = nullptr;
  if (loom_model_open(library, &model) != LOOM_OK) {
    std::fprintf(stderr, "loom-run: error: %s\n", loom_last_error());
    return 1;
  }
  size_t numInputs = loom_model_num_inputs(model);
  size_t numOutputs = loom_model_num_outputs(model);
  std::vector<loom_tensor *> in(inputs.size(), nullptr),
      out(numOutputs, nullptr);
  int rc = 0;
  for (size_t i = 0; i < inputs.size() && rc == 0; ++i)
    if (loom_tensor_read_file(inputs[i], &in[i]) != LOOM_OK) {
      std::fprintf(stderr, "loom-run: error: input #%zu: %s\n", i,
                   loom_last_error());
      rc = 2;
    }
  // ONNX's test data stores bfloat16 inputs as uint16: take their bits.
  for (size_t i = 0; rc == 0 && i < in.size() && i < numInputs; ++i) {
    if (loom_model_input_dtype(model, i) != LOOM_DTYPE_BF16 ||
        loom_tensor_dtype(in[i]) != LOOM_DTYPE_U16)
      continue;
    loom_tensor *retyped = loom_tensor_create(
        LOOM_DTYPE_BF16, loom_tensor_rank(in[i]), loom_tensor_shape(in[i]));
    std::memcpy(loom_tensor_data(retyped), loom_tensor_data(in[i]),
                loom_tensor_nbytes(in[i]));
    loom_tensor_free(in[i]);
    in[i] = retyped;
  }
  if (rc == 0) {
    loom_set_num_threads(static_cast<int32_t>(threads));
    loom_status status =
        loom_model_run(model, in.data(), in.size(), out.data(), numOutputs);
    if (status != LOOM_OK) {
      std::fprintf(stderr, "loom-run: error: %s\n", loom_last_error());
      rc = status == LOOM_ERROR_INVALID_ARGUMENT ? 2 : 1;
    }
  }
  for (size_t i = 0; rc == 0 && i < outputs.size() && i < numOutputs; ++i)
    if (loom_tensor_write_file(outputs[i], out[i]) != LOOM_OK) {
      std::fprintf(stderr, "loom-run: error: %s\n", loom_last_error());
      rc = 1;
    }
  for (size_t i = 0; rc != 2 && i < expects.size() && i < numOutputs; ++i) {
    loom_tensor *expected = nullptr;
    if (loom_tensor_read_file(expects[i], &expected) != LOOM_OK) {
      std::fprintf(stderr, "loom-run: error: %s\n", loom_last_error());
      rc = 2;
      break;
    }
    if (out[i] && !matches(loom_model_output_name(model, i), out[i], expected,
                           rtol, atol))
      rc = 1;
    loom_tensor_free(expected);
  }
  for (loom_tensor *t : in)
    loom_tensor_free(t);
  for (loom_tensor *t : out)
    loom_tensor_free(t);
  loom_model_close(model);
  return rc;
}
