/* graph-replay.c: runs a model library on several sets of inputs, in turn,
 * ROUNDS times over, in one process, and checks each run's outputs against
 * its set's expected outputs, as many as are given (floats: relative L2
 * error under 1e-4; integers: exactly). Each
 * run reads its inputs afresh, and a run's outputs are freed only after the
 * next run, so that successive runs see their inputs and results at other
 * addresses: what a CUDA graph replayed across runs must follow.
 *
 *   graph-replay MODEL.so ROUNDS INPUT... = EXPECTED... [-- INPUT... =
 * EXPECTED...]...
 */
#include <loom/runtime.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxSets = 32, kMaxInputs = 8 };

struct Set {
  const char *inputs[kMaxInputs];
  int numInputs;
  const char *expected[kMaxInputs];
  int numExpected;
};

/* The relative L2 error of `got` against `want` (f32 or f64; 0 or 1 for
 * integers, as they are equal or not), or -1. */
static double relL2(loom_tensor *got, loom_tensor *want) {
  if (!got || loom_tensor_numel(got) != loom_tensor_numel(want) ||
      loom_tensor_dtype(got) != loom_tensor_dtype(want))
    return -1;
  int64_t n = loom_tensor_numel(got);
  if (loom_tensor_dtype(got) == LOOM_DTYPE_I64 ||
      loom_tensor_dtype(got) == LOOM_DTYPE_I32)
    return memcmp(loom_tensor_data(got), loom_tensor_data(want),
                  (size_t)n *
                      (loom_tensor_dtype(got) == LOOM_DTYPE_I64 ? 8 : 4))
               ? 1
               : 0;
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < n; ++i) {
    double a, b;
    if (loom_tensor_dtype(got) == LOOM_DTYPE_F64) {
      a = ((double *)loom_tensor_data(got))[i];
      b = ((double *)loom_tensor_data(want))[i];
    } else if (loom_tensor_dtype(got) == LOOM_DTYPE_F32) {
      a = ((float *)loom_tensor_data(got))[i];
      b = ((float *)loom_tensor_data(want))[i];
    } else {
      return -1;
    }
    diff += (a - b) * (a - b);
    norm += b * b;
  }
  return norm > 0 ? sqrt(diff / norm) : sqrt(diff);
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s MODEL.so ROUNDS INPUT... = EXPECTED [-- ...]\n",
            argv[0]);
    return 2;
  }
  struct Set sets[kMaxSets];
  int numSets = 0;
  memset(sets, 0, sizeof(sets));
  int expecting = 0;
  for (int i = 3; i < argc; ++i) {
    struct Set *s = &sets[numSets];
    if (!strcmp(argv[i], "=")) {
      expecting = 1;
    } else if (!strcmp(argv[i], "--")) {
      expecting = 0;
      if (++numSets == kMaxSets)
        return 2;
    } else if (expecting && s->numExpected < kMaxInputs) {
      s->expected[s->numExpected++] = argv[i];
    } else if (!expecting && s->numInputs < kMaxInputs) {
      s->inputs[s->numInputs++] = argv[i];
    }
  }
  ++numSets;
  loom_model *model = NULL;
  if (loom_model_open(argv[1], &model) != LOOM_OK) {
    fprintf(stderr, "error: %s\n", loom_last_error());
    return 1;
  }
  int rounds = atoi(argv[2]), runs = 0, bad = 0;
  size_t numOutputs = loom_model_num_outputs(model);
  loom_tensor **previous = calloc(numOutputs, sizeof(*previous));
  double worst = 0;
  for (int round = 0; round < rounds; ++round)
    for (int k = 0; k < numSets; ++k) {
      struct Set *s = &sets[k];
      loom_tensor *inputs[kMaxInputs] = {0}, *want[kMaxInputs] = {0};
      loom_tensor **outputs = calloc(numOutputs, sizeof(*outputs));
      int ok = s->numExpected > 0 && (size_t)s->numExpected <= numOutputs;
      for (int i = 0; ok && i < s->numExpected; ++i)
        ok = loom_tensor_read_file(s->expected[i], &want[i]) == LOOM_OK;
      for (int i = 0; ok && i < s->numInputs; ++i)
        ok = loom_tensor_read_file(s->inputs[i], &inputs[i]) == LOOM_OK;
      if (!ok) {
        fprintf(stderr, "error: %s\n", loom_last_error());
        return 2;
      }
      if (loom_model_run(model, inputs, (size_t)s->numInputs, outputs,
                         numOutputs) != LOOM_OK) {
        fprintf(stderr, "set %d, round %d: %s\n", k, round, loom_last_error());
        return 1;
      }
      ++runs;
      for (int i = 0; i < s->numExpected; ++i) {
        double error = relL2(outputs[i], want[i]);
        if (!(error >= 0 && error < 1e-4)) {
          printf("set %d, round %d, output %d: relative L2 error %g: "
                 "MISMATCH\n",
                 k, round, i, error);
          ++bad;
        }
        if (error > worst)
          worst = error;
      }
      for (size_t i = 0; i < numOutputs; ++i) {
        loom_tensor_free(previous[i]);
        previous[i] = outputs[i];
      }
      free(outputs);
      for (int i = 0; i < s->numInputs; ++i)
        loom_tensor_free(inputs[i]);
      for (int i = 0; i < s->numExpected; ++i)
        loom_tensor_free(want[i]);
    }
  for (size_t i = 0; i < numOutputs; ++i)
    loom_tensor_free(previous[i]);
  free(previous);
  loom_model_close(model);
  printf("%d runs of %d input set(s): %s, worst relative L2 error %.1e\n", runs,
         numSets, bad ? "MISMATCHES" : "all match", worst);
  return bad ? 1 : 0;
}
