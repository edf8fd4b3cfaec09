/*===- board_format.c - Number formatting without libc ------------*- C -*-===*
 *
 * kiln_board_put_hex32 and kiln_board_put_uint, on top of kiln_board_puts.
 *
 *===----------------------------------------------------------------------===*/

#include "kiln_board.h"

void kiln_board_put_hex32(uint32_t value) {
  static const char digits[] = "0123456789abcdef";
  char text[9];
  int i;
  for (i = 7; i >= 0; --i) {
    text[i] = digits[value & 0xfu];
    value >>= 4;
  }
  text[8] = '\0';
  kiln_board_puts(text);
}

void kiln_board_put_uint(uint64_t value) {
  char text[21];
  int i = 20;
  text[i] = '\0';
  do {
    text[--i] = (char)('0' + value % 10u);
    value /= 10u;
  } while (value != 0);
  kiln_board_puts(text + i);
}
