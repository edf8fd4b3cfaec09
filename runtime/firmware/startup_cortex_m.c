/*===- startup_cortex_m.c - Kiln's reset code for Cortex-M --------*- C -*-===*
 *
 * The vector table and reset handler of Kiln's Cortex-M programs: copy
 * .data from flash, zero .bss, turn on the FPU when the program is built
 * for one, run main() and report its status to the host. Faults stop the
 * program with status 3; SysTick goes to counter_cortex_m.c where it is
 * linked in. The symbols come from cortex-m.ld.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_board.h"

#include <stdint.h>

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_top[];

int main(void);

void kiln_reset_handler(void) {
  uint32_t *src = __data_load, *dst = __data_start;
  while (dst < __data_end)
    *dst++ = *src++;
  for (dst = __bss_start; dst < __bss_end; ++dst)
    *dst = 0;
#if defined(__ARM_FP)
  /* CPACR: full access to CP10 and CP11, the FPU. */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
  kiln_board_exit(main());
}

static void kiln_fault_handler(void) {
  kiln_board_puts("kiln: fault\n");
  kiln_board_exit(3);
}

/* SysTick counts instructions where counter_cortex_m.c is linked in;
   elsewhere it is a fault like the rest. */
void kiln_systick_handler(void) __attribute__((weak, alias("kiln_fault_handler")));

typedef void (*kiln_vector)(void);

/* The initial stack pointer, then the reset and exception handlers. */
__attribute__((section(".vectors"), used)) static const kiln_vector kiln_vectors[16] = {
    (kiln_vector)(uintptr_t)__stack_top,
    kiln_reset_handler,
    kiln_fault_handler, /* NMI */
    kiln_fault_handler, /* HardFault */
    kiln_fault_handler, /* MemManage */
    kiln_fault_handler, /* BusFault */
    kiln_fault_handler, /* UsageFault */
    kiln_fault_handler, /* SecureFault (v8-M) */
    0,
    0,
    0,
    kiln_fault_handler, /* SVCall */
    kiln_fault_handler, /* DebugMonitor */
    0,
    kiln_fault_handler, /* PendSV */
    kiln_systick_handler,
};
