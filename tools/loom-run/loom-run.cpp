//===- loom-run.cpp - Run a compiled model library and check its outputs --===//
//
// Part of Loom.
//
//   loom-run MODEL.so --input FILE... [--output FILE...] [--expect FILE...]
//            [--rtol R] [--atol A] [--rel-l2 E] [--threads N]
//   loom-run -n N [--timeout S] PROGRAM [ARGS...]   (Launch.cpp)
//
// Loads a library compiled with `loomc --emit=lib`, runs it once on the
// inputs (.npy or .pb) and writes and/or checks the outputs. Floats match
// when |actual - expected| <= atol + rtol * |expected| (NaNs match NaNs),
// or with --rel-l2 when the relative L2 error of the whole output is within
// it; other dtypes match exactly. Exit codes: 0 match, 1 mismatch or failure,
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

/// How close a float output must be to its expected values: every element
/// within atol + rtol * |expected| or, with relL2 > 0, the whole tensor
/// within relL2 in relative L2 norm (||actual - expected|| <= relL2 *
/// ||expected||). NaNs must stand where the expected ones do either way.
struct Tolerances {
  double rtol = 1e-3, atol = 1e-7, relL2 = 0;
};

bool parseNonNegative(const char *text, double &value) {
  char *end;
  value = std::strtod(text, &end);
  return *text && !*end && value >= 0;
}

/// Compares `actual` with `expected`; prints the first difference.
bool matches(const char *name, loom_tensor *actual, loom_tensor *expected,
             const Tolerances &tolerances) {
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
  bool norm = floats && tolerances.relL2 > 0;
  int64_t count = loom_tensor_numel(actual), bad = 0, first = -1;
  double diffSquares = 0, expectedSquares = 0;
  for (int64_t i = 0; i < count; ++i) {
    double a = element(actual, i);
    double e = bf16AsU16 ? halfToDouble(static_cast<const uint16_t *>(
                                            loom_tensor_data(expected))[i],
                                        true)
                         : element(expected, i);
    bool ok;
    if (!floats) {
      ok = a == e;
    } else if (std::isnan(a) || std::isnan(e)) {
      ok = std::isnan(a) && std::isnan(e);
    } else if (norm) {
      ok = a == e || (std::isfinite(a) && std::isfinite(e));
      if (std::isfinite(a) && std::isfinite(e)) {
        diffSquares += (a - e) * (a - e);
        expectedSquares += e * e;
      }
    } else {
      ok = a == e ||
           std::fabs(a - e) <= tolerances.atol + tolerances.rtol * std::fabs(e);
    }
    if (!ok && bad++ == 0)
      first = i;
  }
  if (bad) {
    std::printf("output '%s': %lld of %lld elements differ; first at %lld: "
                "%.9g, expected %.9g\n",
                name, static_cast<long long>(bad),
                static_cast<long long>(count), static_cast<long long>(first),
                element(actual, first), element(expected, first));
    return false;
  }
  if (norm) {
    double error = std::sqrt(diffSquares), scale = std::sqrt(expectedSquares);
    if (error > tolerances.relL2 * scale) {
      std::printf("output '%s': relative L2 error %.3g, more than %.3g\n", name,
                  scale > 0 ? error / scale : INFINITY, tolerances.relL2);
      return false;
    }
  }
  return true;
}

constexpr const char *kUsage =
    "usage: loom-run MODEL.so --input FILE... [--output FILE...]\n"
    "                [--expect FILE...] [--rtol R] [--atol A] [--rel-l2 E]\n"
    "                [--threads N] [--weights FILE] [--device D] [--stats]\n"
    "       loom-run -n N [--timeout S] [--store file|tcp] [--hosts "
    "H1,H2,...]\n"
    "                PROGRAM [ARGS...]\n"
    "\n"
    "Runs a model library (loomc --emit=lib) once and writes or checks its\n"
    "outputs, or starts N ranks of one distributed job.\n"
    "  --input FILE...   inputs in the graph's order (.npy or ONNX .pb); "
    "repeat\n"
    "                    the flag or list the files after one (so too below)\n"
    "  --output FILE...  write the outputs\n"
    "  --expect FILE...  compare the outputs with these files: integers and\n"
    "                    bools exactly; floats element by element within\n"
    "                    atol + rtol * |expected| or, with --rel-l2, in norm\n"
    "  --rtol R          relative tolerance per element (default 1e-3)\n"
    "  --atol A          absolute tolerance per element (default 1e-7)\n"
    "  --rel-l2 E        instead: ||actual - expected|| <= E * ||expected||\n"
    "                    over the whole output (NaNs must still match)\n"
    "  --threads N       threads the kernels may use (default: all cores)\n"
    "  --weights FILE    map the weights from FILE (same tensor names, dtypes\n"
    "                    and shapes) instead of the file beside MODEL.so\n"
    "  --device D        a CUDA model's device: cuda, cuda:N, emulated\n"
    "                    or emulated:N (default: $LOOM_DEVICE, else cuda;\n"
    "                    a rank of loom-run -n takes N = its local rank)\n"
    "  --stats           print on stderr the weight bytes the run held and\n"
    "                    the memory plan's workspace\n"
    "  -n N              start N ranks of PROGRAM (LOOM_RANK, LOOM_WORLD_SIZE\n"
    "                    and the rendezvous set for each) and wait for them\n"
    "  --timeout S       with -n: seconds a collective waits for a peer, and\n"
    "                    how long ranks have to end after one fails (60)\n"
    "  --store file|tcp  with -n: rendezvous through a fresh directory (the\n"
    "                    default) or through rank 0 serving on a free port\n"
    "  --hosts H1,...    with -n: run rank r on host r mod (hosts) over ssh\n"
    "                    (or $LOOM_SSH); the rendezvous is TCP on the first\n"
    "  --help            print this and exit\n"
    "Exit codes: 0 success (and a match), 1 a mismatch or a failure, 2 bad\n"
    "input (files, count, dtype, shape, or a value the model refuses).\n";

} // namespace

int main(int argc, char **argv) {
  if (argc > 1 && std::string(argv[1]) == "-n")
    return launchRanks(argc, argv);
  const char *library = nullptr;
  std::vector<const char *> inputs, outputs, expects;
  Tolerances tolerances;
  long threads = 0;
  const char *weights = nullptr;
  const char *device = nullptr;
  bool stats = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool value = i + 1 < argc;
    if ((arg == "--input" || arg == "--output" || arg == "--expect") && value) {
      // One flag takes the files up to the next flag.
      auto &files = arg == "--input"    ? inputs
                    : arg == "--output" ? outputs
                                        : expects;
      size_t before = files.size();
      while (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0)
        files.push_back(argv[++i]);
      if (files.size() == before) {
        std::fprintf(stderr, "loom-run: error: %s takes a file\n", arg.c_str());
        return 2;
      }
    } else if ((arg == "--rtol" || arg == "--atol" || arg == "--rel-l2") &&
               value) {
      double &target = arg == "--rtol"   ? tolerances.rtol
                       : arg == "--atol" ? tolerances.atol
                                         : tolerances.relL2;
      if (!parseNonNegative(argv[++i], target)) {
        std::fprintf(stderr,
                     "loom-run: error: %s takes a number >= 0, got '%s'\n",
                     arg.c_str(), argv[i]);
        return 2;
      }
    } else if (arg == "--threads" && value) {
      threads = std::atol(argv[++i]);
    } else if (arg == "--weights" && value) {
      weights = argv[++i];
    } else if ((arg == "--device" && value) || arg.rfind("--device=", 0) == 0) {
      device = arg == "--device" ? argv[++i] : argv[i] + 9;
      if (loom_set_device(device) != LOOM_OK) {
        std::fprintf(stderr, "loom-run: error: %s\n", loom_last_error());
        return 2;
      }
    } else if (arg == "--stats") {
      stats = true;
    } else if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else if (arg[0] != '-' && !library) {
      library = argv[i];
    } else {
      std::fprintf(stderr,
                   "loom-run: error: unexpected argument '%s' (see "
                   "loom-run --help)\n",
                   argv[i]);
      return 2;
    }
  }
  if (!library) {
    std::fprintf(stderr, "loom-run: error: no model library (see loom-run "
                         "--help)\n");
    return 2;
  }
  loom_model *model = nullptr;
  if (loom_status status =
          loom_model_open_with_weights(library, weights, &model)) {
    std::fprintf(stderr, "loom-run: error: %s\n", loom_last_error());
    return status == LOOM_ERROR_INVALID_ARGUMENT ? 2 : 1;
  }
  if (device && loom_model_device_kind(model) == LOOM_DEVICE_CPU) {
    std::fprintf(stderr,
                 "loom-run: error: --device %s: %s runs on the CPU (loomc "
                 "--target=cuda compiles for a GPU)\n",
                 device, library);
    loom_model_close(model);
    return 2;
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
  if (stats) {
    const char *path = loom_model_weights_path(model);
    const char *rank = std::getenv("LOOM_RANK");
    std::fprintf(
        stderr,
        "loom-run: %s%sweights %s: %llu bytes held; workspace: %llu "
        "bytes\n",
        rank ? "rank " : "", rank ? (std::string(rank) + " ").c_str() : "",
        path ? path : "(none)",
        static_cast<unsigned long long>(loom_model_weight_bytes(model)),
        static_cast<unsigned long long>(loom_model_workspace_bytes(model)));
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
                           tolerances))
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
