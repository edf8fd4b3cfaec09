/*===- board_hosted.c - kiln_board.h on a hosted system -----------*- C -*-===*
 *
 * The same programs built for Linux (natively or under qemu-user) write
 * through stdio and exit through exit(). They count no instructions.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_board.h"

#include <stdio.h>
#include <stdlib.h>

void kiln_board_puts(const char *text) { fputs(text, stdout); }

void kiln_board_exit(int status) {
  fflush(stdout);
  exit(status);
}

uint64_t kiln_board_instructions(void) { return 0; }
