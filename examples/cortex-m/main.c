/* main.c - keyword spotting on a Cortex-M4F: runs the DS-CNN that kilnc
   compiled (kws.o, kws.h) on one 49x10 MFCC frame and prints the twelve
   class scores and the best class through semihosting.

   Nothing is allocated: the workspace is a static array sized by the
   header's KWS_WORKSPACE_SIZE, and the weights stay in flash, where the
   linker script puts .rodata.kiln.weights. Build and run (see
   docs/firmware.md):

     kilnc kws.onnx --target=thumbv7em-none-eabihf --cpu=cortex-m4 -o kws.o
     arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 \
       -O2 -nostartfiles -T mps2-an386.ld -L $FIRMWARE main.c kws.o \
       $FIRMWARE/startup_cortex_m.c $FIRMWARE/board_semihost.c $FIRMWARE/semihost_arm.c \
       $FIRMWARE/board_format.c $FIRMWARE/counter_cortex_m.c runtime.c -I $FIRMWARE \
       --specs=nano.specs -lm -o kws.elf
     qemu-system-arm -M mps2-an386 -icount shift=0 -nographic -semihosting -kernel kws.elf

   Under -icount it also prints the instructions the inference took. */
#include "kiln_board.h"
#include "kws.h"

#include <stdint.h>
#include <string.h>

static uint8_t workspace[KWS_WORKSPACE_SIZE] __attribute__((aligned(KWS_WORKSPACE_ALIGN)));
static float mfcc[49 * 10];
static float scores[12];

static uint32_t float_bits(float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
}

/* A score in [0, 1] with four decimals, without printf. */
static void print_fraction(float value) {
  uint32_t scaled = (uint32_t)(value * 10000.0f + 0.5f);
  char text[7];
  int digit;
  text[0] = (char)('0' + scaled / 10000u);
  text[1] = '.';
  for (digit = 5; digit >= 2; --digit) {
    text[digit] = (char)('0' + scaled % 10u);
    scaled /= 10u;
  }
  text[6] = '\0';
  kiln_board_puts(text);
}

int main(void) {
  kws_inputs in = {mfcc};
  kws_outputs out = {scores};
  kiln_status status;
  uint64_t instructions;
  int i, best = 0;

  /* A synthetic frame: 49 time steps of 10 coefficients. */
  for (i = 0; i < 49 * 10; ++i)
    mfcc[i] = (float)((i * 37) % 97) / 48.5f - 1.0f;

  instructions = kiln_board_instructions();
  status = kws_run_checked(&in, &out, workspace, sizeof workspace);
  instructions = kiln_board_instructions() - instructions;
  if (status != KILN_OK) {
    kiln_board_puts("kws: ");
    kiln_board_puts(kiln_status_string(status));
    kiln_board_puts("\n");
    return 1;
  }
  for (i = 1; i < 12; ++i)
    if (scores[i] > scores[best])
      best = i;
  kiln_board_puts("kws: best class ");
  kiln_board_put_uint((uint32_t)best);
  kiln_board_puts(", score ");
  print_fraction(scores[best]);
  kiln_board_puts("\n");
  if (instructions != 0) {
    kiln_board_puts("kws: ");
    kiln_board_put_uint(instructions);
    kiln_board_puts(" instructions\n");
  }
  /* Every score's exact bits, for comparison with a host build. */
  kiln_board_puts("kiln: output 0 f32 12");
  for (i = 0; i < 12; ++i) {
    kiln_board_puts(i % 8 == 0 ? "\n" : " ");
    kiln_board_put_hex32(float_bits(scores[i]));
  }
  kiln_board_puts("\nkiln: ok\n");
  return 0;
}
