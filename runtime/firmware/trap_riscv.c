/*===- trap_riscv.c - Kiln's RV32 trap handler --------------------*- C -*-===*
 *
 * Any trap in Kiln's RISC-V programs is a fault: report it and stop with
 * status 3.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_board.h"

void kiln_trap_handler(void);

void kiln_trap_handler(void) {
  kiln_board_puts("kiln: fault\n");
  kiln_board_exit(3);
}
