/*===- semihost_riscv.c - The RISC-V semihosting call -------------*- C -*-===*
 *
 * RISC-V: the uncompressed sequence `slli zero, zero, 0x1f; ebreak;
 * srai zero, zero, 7`, aligned so that it does not cross a page, with the
 * operation in a0 and its argument in a1 (the RISC-V semihosting
 * specification); the result comes back in a0.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>

uintptr_t kiln_semihost(uintptr_t operation, uintptr_t argument);

__attribute__((noinline, aligned(16))) uintptr_t kiln_semihost(uintptr_t operation,
                                                               uintptr_t argument) {
  register uintptr_t a0 __asm__("a0") = operation;
  register uintptr_t a1 __asm__("a1") = argument;
  __asm__ volatile(".option push\n"
                   ".option norvc\n"
                   "slli zero, zero, 0x1f\n"
                   "ebreak\n"
                   "srai zero, zero, 7\n"
                   ".option pop\n"
                   : "+r"(a0)
                   : "r"(a1)
                   : "memory");
  return a0;
}
