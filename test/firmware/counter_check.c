/*===- counter_check.c - kiln_board_instructions against a known loop -*- C -*-===*
 *
 * Runs a loop of exactly two instructions per iteration, ten million
 * times, and prints what kiln_board_instructions counted:
 *
 *   kiln: instructions <count>
 *
 * check_counter.py expects 20,000,000 within one SysTick tick.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_board.h"

int main(void) {
  uint64_t before = kiln_board_instructions(), after;
  unsigned n = 10000000u;
#if defined(__arm__)
  __asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n)::"cc");
#elif defined(__riscv)
  __asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
#else
#error "counter_check.c: no loop for this architecture"
#endif
  after = kiln_board_instructions();
  kiln_board_puts("kiln: instructions ");
  kiln_board_put_uint(after - before);
  kiln_board_puts("\n");
  return 0;
}
