/*===- WinogradPlan.h - How the Winograd kernel splits its work --*- C -*-===*
 *
 * Shared by the Winograd microkernel (lib/Target/CPU/Kernels/Winograd.inc),
 * which follows the plan, and kiln-select-microkernels, which sizes the
 * kernel's scratch space from it: C and C++ alike.
 *
 * The tiles are cut into blocks of `panels_per_block` NR-tile panels, as
 * many as keep a block's transformed input V (16 x cin x block tiles) and
 * products M (16 x cout x block tiles) within KILN_WINO_BLOCK floats each,
 * so that a block stays in the cache of the core working on it. The
 * (block, group) units are shared out as `tasks` contiguous runs
 * (KILN_WINO_TASKS at most), each with its own scratch.
 *
 * With at least KILN_WINO_TASKS / 2 blocks, a unit is a whole block (one
 * group of all output channels), and each run transforms its blocks'
 * input into its own V: scratch = tasks x (v_block + m_slice). With fewer
 * blocks, the output channels are cut into `groups` of `group_rows` (a
 * multiple of MR) too; every block's V is then shared by its groups,
 * transformed first, in `groups` channel chunks per block:
 * scratch = blocks x v_block + tasks x m_slice. On one thread, the kernel
 * follows kiln_uk_wino_serial_plan instead, whose scratch the plan's
 * includes.
 *
 *===----------------------------------------------------------------------===*/
#ifndef KILN_TRANSFORMS_WINOGRADPLAN_H
#define KILN_TRANSFORMS_WINOGRADPLAN_H

#include <stdint.h>

#define KILN_WINO_BLOCK 32768 /* floats of V, and of M, per block */
#define KILN_WINO_TASKS 8     /* runs of units, at most */

typedef struct kiln_uk_wino_plan {
  int64_t panels_per_block, blocks;
  int64_t group_rows, groups;
  int64_t units, tasks;
  int64_t shared_v;         /* groups share each block's V */
  int64_t v_block, m_slice; /* floats of one block's V, of one run's M */
  int64_t scratch;          /* floats in all */
} kiln_uk_wino_plan;

static inline kiln_uk_wino_plan kiln_uk_wino_make_plan(int64_t cin, int64_t cout, int64_t tiles,
                                                       int64_t mr, int64_t nr) {
  kiln_uk_wino_plan p;
  int64_t panels = (tiles + nr - 1) / nr, widest = cin > cout ? cin : cout;
  p.panels_per_block = KILN_WINO_BLOCK / (16 * widest * nr);
  if (p.panels_per_block < 1)
    p.panels_per_block = 1;
  if (p.panels_per_block > panels)
    p.panels_per_block = panels;
  p.blocks = (panels + p.panels_per_block - 1) / p.panels_per_block;
  int64_t row_panels = (cout + mr - 1) / mr;
  /* Half as many blocks as runs still keep two threads busy; fewer get
   * channel groups. */
  int64_t wanted =
      2 * p.blocks >= KILN_WINO_TASKS ? 1 : (KILN_WINO_TASKS + p.blocks - 1) / p.blocks;
  if (wanted > row_panels)
    wanted = row_panels;
  p.group_rows = (row_panels + wanted - 1) / wanted * mr;
  p.groups = (cout + p.group_rows - 1) / p.group_rows;
  p.units = p.blocks * p.groups;
  p.tasks = p.units < KILN_WINO_TASKS ? p.units : KILN_WINO_TASKS;
  int64_t block_tiles = p.panels_per_block * nr;
  p.shared_v = p.groups > 1;
  p.v_block = 16 * block_tiles * cin;
  p.m_slice = 16 * block_tiles * p.group_rows;
  p.scratch = p.shared_v ? p.blocks * p.v_block + p.tasks * p.m_slice
                         : p.tasks * (p.v_block + p.m_slice);
  /* Room for the plan on one thread too (kiln_uk_wino_serial_plan). */
  int64_t serial = p.v_block + 16 * block_tiles * row_panels * mr;
  if (p.scratch < serial)
    p.scratch = serial;
  return p;
}

/* The plan on one thread: every block a unit of all output channels, in
 * one run, so that one block's V and M are all the scratch it touches. */
static inline kiln_uk_wino_plan kiln_uk_wino_serial_plan(kiln_uk_wino_plan p, int64_t cout,
                                                         int64_t mr, int64_t nr) {
  p.group_rows = (cout + mr - 1) / mr * mr;
  p.groups = 1;
  p.units = p.blocks;
  p.tasks = 1;
  p.shared_v = 0;
  p.m_slice = 16 * p.panels_per_block * nr * p.group_rows;
  return p;
}

#endif /* KILN_TRANSFORMS_WINOGRADPLAN_H */
