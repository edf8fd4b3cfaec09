/*===- counter_cortex_m.c - Instruction counts on Cortex-M under QEMU -*- C -*-===*
 *
 * kiln_board_instructions for Cortex-M. The core has no instruction
 * counter QEMU models, so this counts SysTick ticks of the processor clock
 * (its 24-bit wraps in the SysTick exception, kiln_systick_handler) and
 * converts them: under `-icount shift=0` one instruction takes one
 * nanosecond of virtual time, so an instruction count is ticks times
 * 10^9 / KILN_BOARD_CLOCK_HZ, to within one tick. KILN_BOARD_CLOCK_HZ is
 * the board's processor clock as QEMU models it: 25 MHz on mps2-an386
 * (the default), 20 MHz on mps2-an505.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_board.h"

#ifndef KILN_BOARD_CLOCK_HZ
#define KILN_BOARD_CLOCK_HZ 25000000u
#endif

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

enum { SYST_ENABLE = 1u, SYST_TICKINT = 2u, SYST_CLKSOURCE_CPU = 4u, SYST_RELOAD = 0xFFFFFFu };

static volatile uint64_t wrapped_ticks;

void kiln_systick_handler(void);

void kiln_systick_handler(void) { wrapped_ticks += (uint64_t)SYST_RELOAD + 1u; }

uint64_t kiln_board_instructions(void) {
  uint64_t wrapped, ticks;
  uint32_t current;
  if (!(SYST_CSR & SYST_ENABLE)) {
    SYST_RVR = SYST_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = SYST_ENABLE | SYST_TICKINT | SYST_CLKSOURCE_CPU;
    return 0;
  }
  /* A wrap between the two reads shows as a changed count: read again. */
  do {
    wrapped = wrapped_ticks;
    current = SYST_CVR;
  } while (wrapped != wrapped_ticks);
  ticks = wrapped + (SYST_RELOAD - current);
  return ticks * (1000000000u / KILN_BOARD_CLOCK_HZ);
}
