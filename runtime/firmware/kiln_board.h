/*===- kiln_board.h - What a Kiln firmware program needs of its board -*- C -*-===*
 *
 * The few services Kiln's example and test programs use on a board: write
 * text to the host, stop with a status, and count instructions. On QEMU's Arm and RISC-V boards
 * they go through semihosting (board_semihost.c, with semihost_arm.c or
 * semihost_riscv.c); on a hosted system through stdio
 * (board_hosted.c). The formatting helpers are plain C with no libc.
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_BOARD_H
#define KILN_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Writes a NUL-terminated string to the host console. */
void kiln_board_puts(const char *text);

/* Stops the program with `status` (0: success). Never returns. */
void kiln_board_exit(int status);

/* `value` as 8 lower-case hex digits. */
void kiln_board_put_hex32(uint32_t value);

/* `value` in decimal. */
void kiln_board_put_uint(uint64_t value);

/* Instructions executed since the first call, where the board can count
   them: QEMU run with `-icount shift=0`, where one instruction is one
   nanosecond of virtual time (counter_cortex_m.c, counter_riscv.c).
   Returns 0 where the board cannot count (board_hosted.c). */
uint64_t kiln_board_instructions(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* KILN_BOARD_H */
