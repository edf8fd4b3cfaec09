/*===- semihost_arm.c - The Arm semihosting call ------------------*- C -*-===*
 *
 * Cortex-M: `bkpt 0xab` with the operation in r0 and its argument in r1;
 * the result comes back in r0.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>

uintptr_t kiln_semihost(uintptr_t operation, uintptr_t argument);

uintptr_t kiln_semihost(uintptr_t operation, uintptr_t argument) {
  register uintptr_t r0 __asm__("r0") = operation;
  register uintptr_t r1 __asm__("r1") = argument;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}
