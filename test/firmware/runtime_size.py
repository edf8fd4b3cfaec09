# ===- test/firmware/runtime_size.py - The runtime's size on each target -===#
#
# Builds libkiln_rt's source freestanding (-ffreestanding -Os, no libc
# headers beyond <stddef.h> and <stdint.h>) for each bare-metal target,
# prints the .text of each, checks that it calls nothing outside itself,
# and fails when the Cortex-M4 build is 2 KiB or more. Targets whose
# compiler is missing are reported and left out; with none present the
# test is skipped (exit status 77).
#
# Usage: runtime_size.py --source-dir SRC --work DIR
#
# ===--------------------------------------------------------------------===#

import argparse
import os
import shutil
import subprocess
import sys

TARGETS = [
    ("cortex-m4", "arm-none-eabi",
     ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]),
    ("cortex-m33", "arm-none-eabi",
     ["-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv5-sp-d16"]),
    ("rv32imac", "riscv64-unknown-elf", ["-march=rv32imac", "-mabi=ilp32"]),
    ("rv32imafc", "riscv64-unknown-elf", ["-march=rv32imafc", "-mabi=ilp32f"]),
]
LIMIT = {"cortex-m4": 2048}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    source = os.path.join(args.source_dir, "runtime", "src", "runtime.c")
    include = os.path.join(args.source_dir, "runtime", "include")
    measured = 0
    for name, prefix, flags in TARGETS:
        cc, size, nm = prefix + "-gcc", prefix + "-size", prefix + "-nm"
        if shutil.which(cc) is None:
            print("%s: %s is missing; scripts/setup.sh installs it" % (name, cc))
            continue
        obj = os.path.join(args.work, "runtime-%s.o" % name)
        subprocess.run([cc, "-std=c99", "-Os", "-ffreestanding", "-ffunction-sections",
                        "-Wall", "-Wextra", "-Werror", "-c", source, "-I", include, "-o", obj] +
                       flags, check=True)
        text = 0
        for line in subprocess.run([size, "-A", obj], capture_output=True, text=True,
                                   check=True).stdout.splitlines():
            parts = line.split()
            if parts and (parts[0] == ".text" or parts[0].startswith(".text.")):
                text += int(parts[1])
        undefined = subprocess.run([nm, "-u", obj], capture_output=True, text=True,
                                   check=True).stdout.split()
        undefined = [u for u in undefined if u != "U"]
        print("%s: runtime .text %d bytes%s" % (name, text,
                                               ", calls " + " ".join(undefined)
                                               if undefined else ""))
        if undefined:
            sys.exit("FAIL: the runtime calls %s on %s" % (", ".join(undefined), name))
        if name in LIMIT and text >= LIMIT[name]:
            sys.exit("FAIL: the %s runtime is %d bytes, over %d" % (name, text, LIMIT[name]))
        measured += 1
    if measured == 0:
        print("SKIP: no bare-metal compiler; scripts/setup.sh installs them")
        sys.exit(77)
    print("PASS")


if __name__ == "__main__":
    main()
