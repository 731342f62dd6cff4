/* run_model.c: load a model compiled with `loomc --emit=lib`, run it on
 * .npy/.pb files and write its outputs, with Loom's C runtime API only.
 *
 *   cc run_model.c -I<loom>/runtime/include -L<loom>/build/lib \
 *      -lLoomRuntime -lstdc++ -ldl -o run_model
 *   ./run_model model.so in0.npy [in1.npy ...] -- out0.npy [out1.npy ...]
 *
 * Every tensor this program creates it frees; the outputs loom_model_run
 * creates are the caller's, freed here too.
 */
#include <loom/runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s MODEL.so INPUT... -- OUTPUT...\n", argv[0]);
    return 2;
  }
  loom_model *model = NULL;
  if (loom_model_open(argv[1], &model) != LOOM_OK) {
    fprintf(stderr, "error: %s\n", loom_last_error());
    return 1;
  }
  size_t num_inputs = loom_model_num_inputs(model);
  size_t num_outputs = loom_model_num_outputs(model);
  loom_tensor **inputs = calloc(num_inputs ? num_inputs : 1, sizeof(*inputs));
  loom_tensor **outputs =
      calloc(num_outputs ? num_outputs : 1, sizeof(*outputs));
  int status = 0, arg = 2;
  size_t given = 0;
  for (; arg < argc && strcmp(argv[arg], "--") != 0; ++arg, ++given) {
    if (given >= num_inputs) {
      fprintf(stderr, "error: the model takes %zu inputs\n", num_inputs);
      status = 2;
      goto done;
    }
    if (loom_tensor_read_file(argv[arg], &inputs[given]) != LOOM_OK) {
      fprintf(stderr, "error: input '%s': %s\n",
              loom_model_input_name(model, given), loom_last_error());
      status = 2;
      goto done;
    }
  }
  if (loom_model_run(model, inputs, given, outputs, num_outputs) != LOOM_OK) {
    fprintf(stderr, "error: %s\n", loom_last_error());
    status = 1;
    goto done;
  }
  /* Print each output's name, dtype and shape, then write it if asked. */
  for (size_t i = 0; i < num_outputs; ++i) {
    const int64_t *shape = loom_tensor_shape(outputs[i]);
    printf("%s: %s [", loom_model_output_name(model, i),
           loom_dtype_name(loom_tensor_dtype(outputs[i])));
    for (int32_t d = 0; d < loom_tensor_rank(outputs[i]); ++d)
      printf(d ? ", %lld" : "%lld", (long long)shape[d]);
    printf("]\n");
    const char *path = arg + 1 + (int)i < argc ? argv[arg + 1 + i] : NULL;
    if (path && loom_tensor_write_file(path, outputs[i]) != LOOM_OK) {
      fprintf(stderr, "error: %s\n", loom_last_error());
      status = 1;
    }
  }
done:
  for (size_t i = 0; i < num_inputs; ++i)
    loom_tensor_free(inputs[i]);
  for (size_t i = 0; i < num_outputs; ++i)
    loom_tensor_free(outputs[i]);
  free(inputs);
  free(outputs);
  loom_model_close(model);
  return status;
}
