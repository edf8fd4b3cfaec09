# ===- test/firmware/check_counter.py - The instruction counter, calibrated -===#
#
# Builds counter_check.c (ten million iterations of a two-instruction
# loop) for each bare-metal board, runs it under QEMU as run_firmware.py
# does (-icount shift=0), and checks that kiln_board_instructions counts
# 20,000,000 instructions to within 100: on Cortex-M that proves the
# SysTick clock each board's flags give (KILN_BOARD_CLOCK_HZ), on RV32 the
# minstret counter. A board whose compiler or QEMU is missing is skipped.
#
# Usage: check_counter.py --source-dir SRC --work DIR
#
# ===--------------------------------------------------------------------===#

import argparse
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run_firmware import SKIP, TARGETS  # noqa: E402

EXPECTED = 20000000
BOARDS = ["cortex-m4", "cortex-m33", "rv32imac", "rv32imafc"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    fw = os.path.join(args.source_dir, "runtime", "firmware")
    program = os.path.join(args.source_dir, "test", "firmware", "counter_check.c")
    os.makedirs(args.work, exist_ok=True)
    ran = 0
    for board in BOARDS:
        spec = TARGETS[board]
        missing = [t for t in (spec["cc"], spec["qemu"][0]) if shutil.which(t) is None]
        if missing:
            print("%s: skipped, no %s" % (board, ", ".join(missing)))
            continue
        image = os.path.join(args.work, board + ".elf")
        cmd = [spec["cc"], "-std=gnu99", "-O2"] + spec["cflags"] + ["-o", image, program]
        cmd += [os.path.join(fw, f) for f in spec["board"] + ["board_format.c"]]
        cmd += ["-I", fw, "-nostartfiles", "-Wl,--gc-sections", "-L", fw, "-T", spec["ld"]]
        cmd += spec["libs"]
        subprocess.run(cmd, check=True)
        result = subprocess.run(spec["qemu"] + [image], capture_output=True, text=True,
                                timeout=120)
        output = result.stdout + result.stderr
        m = re.search(r"kiln: instructions (\d+)", output)
        if result.returncode != 0 or not m:
            sys.exit("FAIL: %s: the counter program failed (%d):\n%s" %
                     (board, result.returncode, output))
        count = int(m.group(1))
        print("%s: %d instructions counted, %d executed" % (board, count, EXPECTED))
        if abs(count - EXPECTED) > 100:
            sys.exit("FAIL: %s counts %d instructions for a loop of %d" %
                     (board, count, EXPECTED))
        ran += 1
    if not ran:
        print("SKIP: no board could run; scripts/setup.sh installs the tools")
        sys.exit(SKIP)
    print("PASS: the instruction counter is exact to a tick on %d boards" % ran)


if __name__ == "__main__":
    main()
