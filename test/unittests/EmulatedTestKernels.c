/*===- EmulatedTestKernels.c - Kernels for the emulator's own tests -------===*
 *
 * Part of Loom. Emulated kernels as the emulated device loads them (what
 * loom-gpu-lower-to-host makes of a gpu.module): `void K(void **params)`,
 * each parameter a pointer to its value, `K.loom_params` its count and
 * bytes, device addresses translated by loom_emu_translate. Each runs its
 * work on thread 0 of block 0 only.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>

void *loom_emu_translate(void *pointer);
intptr_t loom_emu_id(int32_t code);
void loom_emu_set_condition(uint64_t handle, uint32_t value);

#define EXPORT __attribute__((visibility("default")))
#define PARAMS(kernel, ...)                                                    \
  EXPORT const int64_t kernel##_params[] __asm__(#kernel ".loom_params") = {   \
      __VA_ARGS__}

static int first(void) { return loom_emu_id(0) == 0 && loom_emu_id(3) == 0; }

/* set_condition(handle, flag, negate): the handle's value is flag[0] != 0
 * (negated when negate is nonzero), as Loom's set-condition kernel. */
PARAMS(set_condition, 3, 8, 8, 4);
EXPORT void set_condition(void **params) {
  uint64_t handle = *(uint64_t *)params[0];
  const uint8_t *flag = loom_emu_translate(*(void **)params[1]);
  uint32_t negate = *(uint32_t *)params[2];
  if (first())
    loom_emu_set_condition(handle, (flag[0] != 0) != (negate != 0));
}

/* add(counter, value): counter[0] += value. */
PARAMS(add, 2, 8, 4);
EXPORT void add(void **params) {
  int32_t *counter = loom_emu_translate(*(void **)params[0]);
  if (first())
    counter[0] += *(int32_t *)params[1];
}

/* count_down(handle, counter): counter[0] -= 1; the handle's value is
 * counter[0] > 0 (a loop body deciding whether it runs again). */
PARAMS(count_down, 2, 8, 8);
EXPORT void count_down(void **params) {
  uint64_t handle = *(uint64_t *)params[0];
  int32_t *counter = loom_emu_translate(*(void **)params[1]);
  if (first()) {
    counter[0] -= 1;
    loom_emu_set_condition(handle, counter[0] > 0);
  }
}
