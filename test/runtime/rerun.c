/* rerun.c: runs a model library on a bad set of inputs, then on a good one,
 * with the runtime's C API, and prints what each run returned: the status,
 * the error record and whether any output was written. The bad run is
 * repeated (leaks would add up under LeakSanitizer).
 *
 *   rerun MODEL.so REPEAT BAD_INPUT... -- GOOD_INPUT...
 */
#include <loom/runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int readInputs(char **files, int count, loom_tensor **inputs) {
  for (int i = 0; i < count; ++i)
    if (loom_tensor_read_file(files[i], &inputs[i]) != LOOM_OK) {
      fprintf(stderr, "error: %s\n", loom_last_error());
      return 0;
    }
  return 1;
}

/* Runs once; prints what it returned unless `what` is NULL. */
static void run(loom_model *model, loom_tensor **inputs, size_t numInputs,
                const char *what) {
  size_t numOutputs = loom_model_num_outputs(model);
  loom_tensor **outputs = calloc(numOutputs + 1, sizeof(*outputs));
  loom_status status =
      loom_model_run(model, inputs, numInputs, outputs, numOutputs);
  const loom_error_record *record = loom_last_error_record();
  size_t written = 0;
  for (size_t i = 0; i < numOutputs; ++i)
    written += outputs[i] != NULL;
  if (!what)
    ;
  else if (status == LOOM_OK)
    printf("%s: status 0, %zu of %zu outputs\n", what, written, numOutputs);
  else
    printf("%s: status %d kind %d node '%s' op '%s' operand %d value %lld "
           "limit %lld, %zu outputs: %s\n",
           what, (int)status, (int)record->kind, record->node, record->op,
           (int)record->operand, (long long)record->value,
           (long long)record->limit, written, loom_last_error());
  for (size_t i = 0; i < numOutputs; ++i)
    loom_tensor_free(outputs[i]);
  free(outputs);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s MODEL.so REPEAT BAD... -- GOOD...\n", argv[0]);
    return 2;
  }
  loom_model *model = NULL;
  if (loom_model_open(argv[1], &model) != LOOM_OK) {
    fprintf(stderr, "error: %s\n", loom_last_error());
    return 1;
  }
  int repeat = atoi(argv[2]);
  int split = 3;
  while (split < argc && strcmp(argv[split], "--") != 0)
    ++split;
  int numBad = split - 3, numGood = argc - split - 1;
  loom_tensor *bad[16] = {0}, *good[16] = {0};
  int rc = 0;
  if (numBad > 16 || numGood > 16 || numGood < 0 ||
      !readInputs(argv + 3, numBad, bad) ||
      !readInputs(argv + split + 1, numGood, good)) {
    rc = 2;
  } else {
    for (int i = 0; i < repeat; ++i)
      run(model, bad, (size_t)numBad, i + 1 == repeat ? "bad" : NULL);
    run(model, good, (size_t)numGood, "good");
  }
  for (int i = 0; i < 16; ++i) {
    loom_tensor_free(bad[i]);
    loom_tensor_free(good[i]);
  }
  loom_model_close(model);
  return rc;
}
