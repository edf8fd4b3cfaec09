/*===- counter_riscv.c - Instruction counts on RISC-V -------------*- C -*-===*
 *
 * kiln_board_instructions for RV32 in machine mode: minstret, the
 * instructions-retired counter. QEMU counts it exactly under `-icount`;
 * without, it reads host time, so count only under -icount.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_board.h"

static uint64_t read_minstret(void) {
  uint32_t hi, lo, again;
  /* The high word changes when the low one wraps: read until stable. */
  do {
    __asm__ volatile(".option push\n"
                     ".option arch, +zicsr\n"
                     "csrr %0, minstreth\n"
                     "csrr %1, minstret\n"
                     "csrr %2, minstreth\n"
                     ".option pop\n"
                     : "=r"(hi), "=r"(lo), "=r"(again));
  } while (hi != again);
  return ((uint64_t)hi << 32) | lo;
}

uint64_t kiln_board_instructions(void) {
  static uint64_t start;
  static int started;
  if (!started) {
    started = 1;
    start = read_minstret();
    return 0;
  }
  return read_minstret() - start;
}
