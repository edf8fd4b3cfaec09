/*===- startup_riscv.S - Kiln's reset code for RV32 -----------------------===*
 *
 * Sets the stack and global pointers, copies .data, zeroes .bss, turns on
 * the FPU when the program is built for one (mstatus.FS), runs main() and
 * reports its status to the host. The symbols come from riscv.ld.
 *
 *===----------------------------------------------------------------------===*/

  /* The CSR instructions (Zicsr), which -march=rv32imac leaves out. */
  .option arch, +zicsr

  .section .text.init, "ax"
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __stack_top
  /* Traps stop the program with status 3. */
  la t0, kiln_trap
  csrw mtvec, t0
  la t0, __data_load
  la t1, __data_start
  la t2, __data_end
1:
  bgeu t1, t2, 2f
  lw t3, 0(t0)
  sw t3, 0(t1)
  addi t0, t0, 4
  addi t1, t1, 4
  j 1b
2:
  la t1, __bss_start
  la t2, __bss_end
3:
  bgeu t1, t2, 4f
  sw zero, 0(t1)
  addi t1, t1, 4
  j 3b
4:
#if defined(__riscv_flen)
  li t0, 0x2000
  csrs mstatus, t0
  fscsr zero
#endif
  call main
  call kiln_board_exit
5:
  j 5b

  .align 4
kiln_trap:
  la sp, __stack_top
  call kiln_trap_handler
6:
  j 6b
