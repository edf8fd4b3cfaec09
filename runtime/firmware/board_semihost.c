/*===- board_semihost.c - kiln_board.h through semihosting --------*- C -*-===*
 *
 * Text and exit status go to the host through semihosting calls
 * (kiln_semihost, from semihost_arm.c or semihost_riscv.c). QEMU serves
 * them with -semihosting; a debug probe serves them on hardware.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_board.h"

enum {
  SYS_WRITE0 = 0x04,
  SYS_EXIT = 0x18,
  SYS_EXIT_EXTENDED = 0x20,
  ADP_STOPPED_APPLICATION_EXIT = 0x20026
};

uintptr_t kiln_semihost(uintptr_t operation, uintptr_t argument);

void kiln_board_puts(const char *text) { kiln_semihost(SYS_WRITE0, (uintptr_t)text); }

void kiln_board_exit(int status) {
  /* SYS_EXIT_EXTENDED carries the status to the host; plain SYS_EXIT is
     the fallback for hosts without it. */
  uintptr_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uintptr_t)status};
  kiln_semihost(SYS_EXIT_EXTENDED, (uintptr_t)block);
  kiln_semihost(SYS_EXIT, ADP_STOPPED_APPLICATION_EXIT);
  for (;;) {
  }
}
