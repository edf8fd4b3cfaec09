/*===- firmware_check.c - Runs any compiled model on a board and checks it -*- C -*-===*
 *
 * The program of Kiln's firmware tests, built for the host, for
 * qemu-user and for bare-metal boards alike. It feeds the model seeded
 * inputs, runs it twice with the workspace and 256 bytes past it filled
 * with two canary patterns, and prints through kiln_board.h:
 *
 *   kiln: workspace <size> touched <bytes>   the highest byte written, + 1
 *   kiln: instructions <count>   one run, where the board counts them
 *   kiln: output <index> <dtype> <count>
 *   <elements, as hex words, 8 to a line>
 *   kiln: ok
 *
 * A write past the workspace, a run error or outputs that differ between
 * the two runs end it with a message and a non-zero status. Built with
 * -DKILN_MODEL=<name> -DKILN_MODEL_UPPER=<NAME> -DKILN_MODEL_HEADER="<name>.h"
 * -DKILN_IO_BYTES=<bytes for every input and output, each 16-aligned>.
 *
 *===----------------------------------------------------------------------===*/

#include KILN_MODEL_HEADER
#include "kiln_board.h"

#include <stddef.h>
#include <stdint.h>

#define KILN_CAT_(a, b) a##b
#define KILN_CAT(a, b) KILN_CAT_(a, b)
#define MODEL KILN_CAT(KILN_MODEL, _model)
#define WORKSPACE_SIZE KILN_CAT(KILN_MODEL_UPPER, _WORKSPACE_SIZE)
#define CANARY_BYTES 256u

static uint8_t workspace[WORKSPACE_SIZE + CANARY_BYTES] __attribute__((aligned(64)));
static uint8_t io[KILN_IO_BYTES] __attribute__((aligned(16)));
static uint32_t first_run_hash[64];

static uint32_t rng_state = 0x2545f491u;

static uint32_t next_random(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static void fail(const char *message) {
  kiln_board_puts("kiln: error: ");
  kiln_board_puts(message);
  kiln_board_puts("\n");
  kiln_board_exit(1);
}

/* The same seeded values on every target: floats in [-1, 1) made from 24
   random bits exactly, other types from random bytes. */
static void fill_input(const kiln_tensor_info *info, uint8_t *data) {
  size_t i;
  if (info->dtype == KILN_DTYPE_F32) {
    float *f = (float *)data;
    for (i = 0; i < info->byte_size / 4; ++i)
      f[i] = (float)(int32_t)((next_random() >> 8) - (1u << 23)) * (1.0f / (1u << 23));
    return;
  }
  for (i = 0; i < info->byte_size; ++i)
    data[i] = (uint8_t)(next_random() >> 24);
}

/* FNV-1a of an output, to compare the two runs. */
static uint32_t hash_bytes(const uint8_t *data, size_t size) {
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < size; ++i)
    h = (h ^ data[i]) * 16777619u;
  return h;
}

static void print_output(uint32_t index, const kiln_tensor_info *info, const uint8_t *data) {
  size_t size = kiln_dtype_size(info->dtype), count = size ? info->byte_size / size : 0, i;
  kiln_board_puts("kiln: output ");
  kiln_board_put_uint(index);
  kiln_board_puts(" ");
  kiln_board_puts(kiln_dtype_name(info->dtype));
  kiln_board_puts(" ");
  kiln_board_put_uint((uint32_t)count);
  for (i = 0; i < count; ++i) {
    const uint8_t *e = data + i * size;
    uint32_t lo = 0, hi = 0;
    size_t b;
    for (b = 0; b < size && b < 4; ++b)
      lo |= (uint32_t)e[b] << (8 * b);
    for (b = 4; b < size; ++b)
      hi |= (uint32_t)e[b] << (8 * (b - 4));
    kiln_board_puts(i % 8 == 0 ? "\n" : " ");
    if (size == 8)
      kiln_board_put_hex32(hi);
    kiln_board_put_hex32(lo);
  }
  kiln_board_puts("\n");
}

int main(void) {
  const kiln_model *model = &MODEL;
  const void *inputs[16];
  void *outputs[16];
  size_t used = 0, touched = 0, i;
  uint64_t instructions = 0;
  uint32_t t;
  int run;
  if (model->num_inputs > 16 || model->num_outputs > 16 || model->num_outputs > 64)
    fail("the model has more than 16 inputs or outputs");
  for (t = 0; t < model->num_inputs + model->num_outputs; ++t) {
    const kiln_tensor_info *info =
        t < model->num_inputs ? &model->inputs[t] : &model->outputs[t - model->num_inputs];
    if (used + info->byte_size > sizeof io)
      fail("KILN_IO_BYTES is too small for the model's inputs and outputs");
    if (t < model->num_inputs) {
      fill_input(info, io + used);
      inputs[t] = io + used;
    } else {
      outputs[t - model->num_inputs] = io + used;
    }
    used += (info->byte_size + 15u) & ~(size_t)15u;
  }

  for (run = 0; run < 2; ++run) {
    uint8_t canary = run == 0 ? 0xa5 : 0x5a;
    kiln_status status;
    for (i = 0; i < sizeof workspace; ++i)
      workspace[i] = canary;
    instructions = kiln_board_instructions();
    status = kiln_run_sized(model, inputs, outputs, workspace, WORKSPACE_SIZE);
    instructions = kiln_board_instructions() - instructions;
    if (status != KILN_OK)
      fail(kiln_status_string(status));
    for (i = WORKSPACE_SIZE; i < sizeof workspace; ++i)
      if (workspace[i] != canary)
        fail("the model wrote past the end of its workspace");
    for (i = WORKSPACE_SIZE; i > touched; --i)
      if (workspace[i - 1] != canary) {
        touched = i;
        break;
      }
    for (t = 0; t < model->num_outputs; ++t) {
      uint32_t h = hash_bytes((const uint8_t *)outputs[t], model->outputs[t].byte_size);
      if (run == 0)
        first_run_hash[t] = h;
      else if (first_run_hash[t] != h)
        fail("two runs on the same inputs gave different outputs");
    }
  }

  kiln_board_puts("kiln: workspace ");
  kiln_board_put_uint((uint32_t)WORKSPACE_SIZE);
  kiln_board_puts(" touched ");
  kiln_board_put_uint((uint32_t)touched);
  kiln_board_puts("\n");
  if (instructions != 0) {
    kiln_board_puts("kiln: instructions ");
    kiln_board_put_uint(instructions);
    kiln_board_puts("\n");
  }
  for (t = 0; t < model->num_outputs; ++t)
    print_output(t, &model->outputs[t], (const uint8_t *)outputs[t]);
  kiln_board_puts("kiln: ok\n");
  return 0;
}
