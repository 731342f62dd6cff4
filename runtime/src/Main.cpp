//===- Main.cpp - main() of executables compiled by loomc -----------------===//
//
// Part of Loom's runtime. The executable contract (docs/runtime-abi.md):
//
//   ./model --input FILE... --output FILE... [--threads N] [--bench N] [--info]
//
// Under loom-run -n N (or mpirun) every rank runs it; rank 0 alone prints
// and writes the outputs.
//
// Inputs and outputs are in the graph's order, `.npy` or `.pb` by extension.
// Bad input (count, dtype, shape, unreadable file) prints one message naming
// the input and exits with 2 before anything is written; other failures exit
// with 1.
//
//===----------------------------------------------------------------------===//

#include "loom/runtime.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kBadInput = 2;
constexpr int kFailure = 1;

void usage(FILE *to, const char *argv0) {
  std::fprintf(
      to,
      "usage: %s --input FILE... --output FILE... [--threads N] [--bench N] "
      "[--weights FILE] [--device D] [--info] [--print]\n"
      "\n"
      "Runs the model compiled into this executable.\n"
      "  --input FILE...   the inputs in the graph's order (.npy or ONNX "
      ".pb);\n"
      "                    repeat the flag or list the files after one\n"
      "  --output FILE...  where to write the outputs, in the graph's order\n"
      "  --threads N       threads the kernels may use (default: all cores)\n"
      "  --bench N         run N more times after one warm-up and print\n"
      "                    median_ms=... p90_ms=... min_ms=... (outputs may\n"
      "                    then be omitted)\n"
      "  --weights FILE    map the weights from FILE (same tensor names,\n"
      "                    dtypes and shapes) instead of the file beside\n"
      "                    this executable\n"
      "  --device D        a CUDA model's device: cuda, cuda:N, emulated\n"
      "                    or emulated:N (default: $LOOM_DEVICE, else cuda;\n"
      "                    a rank of loom-run -n takes N = its local rank)\n"
      "  --info            print each input and output, its dtype and shape\n"
      "  --print           print each output's dtype, shape and first values\n"
      "  --help            print this and exit\n"
      "Exit codes: 0 success, 2 bad input (files, count, dtype, shape, or a\n"
      "value the model refuses at run time), 1 other failures.\n",
      argv0);
}

std::string formatShape(const int64_t *dims, int32_t rank) {
  std::string text = "[";
  for (int32_t i = 0; i < rank; ++i)
    text += (i ? ", " : "") +
            (dims[i] < 0 ? std::string("?") : std::to_string(dims[i]));
  return text + "]";
}

void printInfo(const loom_model *model) {
  for (size_t i = 0; i < loom_model_num_inputs(model); ++i)
    std::printf("input %zu: %s %s %s\n", i, loom_model_input_name(model, i),
                loom_dtype_name(loom_model_input_dtype(model, i)),
                formatShape(loom_model_input_shape(model, i),
                            loom_model_input_rank(model, i))
                    .c_str());
  for (size_t i = 0; i < loom_model_num_outputs(model); ++i)
    std::printf("output %zu: %s %s %s\n", i, loom_model_output_name(model, i),
                loom_dtype_name(loom_model_output_dtype(model, i)),
                formatShape(loom_model_output_shape(model, i),
                            loom_model_output_rank(model, i))
                    .c_str());
  const char *weights = loom_model_weights_path(model);
  std::printf("weights: %s\n", weights ? weights : "(none)");
  std::printf(
      "workspace: %llu bytes\n",
      static_cast<unsigned long long>(loom_model_workspace_bytes(model)));
}

/// `--print`: an output's name, dtype, shape and first values.
void printOutput(const char *name, loom_tensor *t) {
  std::printf("%s: %s %s", name, loom_dtype_name(loom_tensor_dtype(t)),
              formatShape(loom_tensor_shape(t), loom_tensor_rank(t)).c_str());
  int64_t count = loom_tensor_numel(t), shown = std::min<int64_t>(count, 16);
  const void *d = loom_tensor_data(t);
  for (int64_t i = 0; i < shown; ++i) {
    double v;
    switch (loom_tensor_dtype(t)) {
    case LOOM_DTYPE_F32:
      v = static_cast<const float *>(d)[i];
      break;
    case LOOM_DTYPE_F64:
      v = static_cast<const double *>(d)[i];
      break;
    case LOOM_DTYPE_I64:
      v = static_cast<double>(static_cast<const int64_t *>(d)[i]);
      break;
    case LOOM_DTYPE_I32:
      v = static_cast<const int32_t *>(d)[i];
      break;
    case LOOM_DTYPE_BOOL:
    case LOOM_DTYPE_U8:
      v = static_cast<const uint8_t *>(d)[i];
      break;
    default:
      std::printf(" (values of this dtype are not printed)");
      shown = 0;
      continue;
    }
    std::printf(" %g", v);
  }
  std::printf("%s\n", count > shown && shown ? " ..." : "");
}

bool parseCount(const char *text, long &value) {
  char *end;
  value = std::strtol(text, &end, 10);
  return *text && !*end && value >= 0;
}

} // namespace

extern "C" int main(int argc, char **argv) {
  std::vector<const char *> inputFiles, outputFiles;
  long threads = 0, bench = 0;
  bool info = false, print = false;
  const char *weights = nullptr;
  const char *device = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool hasValue = i + 1 < argc;
    if ((arg == "--input" || arg == "--output") && hasValue) {
      // One flag takes the files up to the next flag.
      auto &files = arg == "--input" ? inputFiles : outputFiles;
      size_t before = files.size();
      while (i + 1 < argc && std::strncmp(argv[i + 1], "--", 2) != 0)
        files.push_back(argv[++i]);
      if (files.size() == before) {
        std::fprintf(stderr, "error: %s takes a file\n", arg.c_str());
        return kBadInput;
      }
    } else if (arg == "--threads" && hasValue) {
      if (!parseCount(argv[++i], threads)) {
        std::fprintf(stderr, "error: --threads takes a count, got '%s'\n",
                     argv[i]);
        return kBadInput;
      }
    } else if (arg == "--bench" && hasValue) {
      if (!parseCount(argv[++i], bench) || bench == 0) {
        std::fprintf(stderr,
                     "error: --bench takes a positive count, got '%s'\n",
                     argv[i]);
        return kBadInput;
      }
    } else if (arg == "--weights" && hasValue) {
      weights = argv[++i];
    } else if ((arg == "--device" && hasValue) ||
               arg.rfind("--device=", 0) == 0) {
      device = arg == "--device" ? argv[++i] : argv[i] + 9;
      if (loom_set_device(device) != LOOM_OK) {
        std::fprintf(stderr, "error: %s\n", loom_last_error());
        return kBadInput;
      }
    } else if (arg == "--info") {
      info = true;
    } else if (arg == "--print") {
      print = true;
    } else if (arg == "--help" || arg == "-h") {
      usage(stdout, argv[0]);
      return 0;
    } else {
      std::fprintf(stderr, "error: unknown or incomplete argument '%s'\n",
                   argv[i]);
      usage(stderr, argv[0]);
      return kBadInput;
    }
  }
  loom_model *model = nullptr;
  if (loom_status status =
          loom_model_open_linked_with_weights(weights, &model)) {
    std::fprintf(stderr, "error: %s\n", loom_last_error());
    return status == LOOM_ERROR_INVALID_ARGUMENT ? kBadInput : kFailure;
  }
  if (device && loom_model_device_kind(model) == LOOM_DEVICE_CPU) {
    std::fprintf(stderr,
                 "error: --device %s: this model runs on the CPU (loomc "
                 "--target=cuda compiles for a GPU)\n",
                 device);
    loom_model_close(model);
    return kBadInput;
  }
  if (info) {
    printInfo(model);
    loom_model_close(model);
    return 0;
  }
  size_t numInputs = loom_model_num_inputs(model);
  size_t numOutputs = loom_model_num_outputs(model);
  std::vector<loom_tensor *> inputs(numInputs, nullptr);
  std::vector<loom_tensor *> outputs(numOutputs, nullptr);
  // Every exit after the model is open goes through here.
  auto cleanup = [&] {
    for (loom_tensor *t : inputs)
      loom_tensor_free(t);
    for (loom_tensor *&t : outputs) {
      loom_tensor_free(t);
      t = nullptr;
    }
    loom_model_close(model);
  };
  if (inputFiles.size() != numInputs) {
    std::fprintf(stderr, "error: the model takes %zu inputs, got %zu --input\n",
                 numInputs, inputFiles.size());
    cleanup();
    return kBadInput;
  }
  if (outputFiles.size() != numOutputs &&
      !((bench || print) && outputFiles.empty())) {
    std::fprintf(stderr,
                 "error: the model gives %zu outputs, got %zu --output\n",
                 numOutputs, outputFiles.size());
    cleanup();
    return kBadInput;
  }
  for (size_t i = 0; i < numInputs; ++i) {
    if (loom_tensor_read_file(inputFiles[i], &inputs[i]) != LOOM_OK) {
      std::fprintf(stderr, "error: input '%s' (#%zu): %s\n",
                   loom_model_input_name(model, i), i, loom_last_error());
      cleanup();
      return kBadInput;
    }
  }
  loom_set_num_threads(static_cast<int32_t>(threads));
  loom_status status = loom_model_run(model, inputs.data(), numInputs,
                                      outputs.data(), numOutputs);
  if (status != LOOM_OK) {
    std::fprintf(stderr, "error: %s\n", loom_last_error());
    cleanup();
    return status == LOOM_ERROR_INVALID_ARGUMENT ? kBadInput : kFailure;
  }
  // In a job of several ranks (loom-run -n N, mpirun) every rank computes;
  // rank 0 alone reports and writes the outputs.
  const char *rankText = std::getenv("LOOM_RANK");
  if (!rankText)
    rankText = std::getenv("OMPI_COMM_WORLD_RANK");
  bool reports = !rankText || std::atol(rankText) == 0;
  if (bench) {
    std::vector<double> times;
    for (long n = 0; n < bench; ++n) {
      for (loom_tensor *&t : outputs) {
        loom_tensor_free(t);
        t = nullptr;
      }
      uint64_t start = loom_now_ns();
      status = loom_model_run(model, inputs.data(), numInputs, outputs.data(),
                              numOutputs);
      times.push_back((loom_now_ns() - start) / 1e6);
      if (status != LOOM_OK) {
        std::fprintf(stderr, "error: %s\n", loom_last_error());
        cleanup();
        return kFailure;
      }
    }
    std::sort(times.begin(), times.end());
    auto at = [&](double q) {
      size_t index = static_cast<size_t>(q * (times.size() - 1) + 0.5);
      return times[std::min(index, times.size() - 1)];
    };
    if (reports)
      std::printf("median_ms=%.4f p90_ms=%.4f min_ms=%.4f\n", at(0.5), at(0.9),
                  times.front());
  }
  if (!reports) {
    cleanup();
    return 0;
  }
  if (print)
    for (size_t i = 0; i < numOutputs; ++i)
      printOutput(loom_model_output_name(model, i), outputs[i]);
  for (size_t i = 0; i < outputFiles.size(); ++i) {
    if (loom_tensor_write_file(outputFiles[i], outputs[i]) != LOOM_OK) {
      std::fprintf(stderr, "error: output '%s' (#%zu): %s\n",
                   loom_model_output_name(model, i), i, loom_last_error());
      cleanup();
      return kFailure;
    }
  }
  cleanup();
  return 0;
}
