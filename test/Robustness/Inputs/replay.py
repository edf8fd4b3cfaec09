#!/usr/bin/env python3
"""Compiles every file of a directory with kilnc: `replay.py KILNC DIR WORK`.

Each must compile (exit 0, output written) or fail cleanly (exit 1, no
output); a crash, a hang or another exit status fails. Prints one line.
"""
import os
import subprocess
import sys


def main():
    kilnc, directory, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    names = sorted(n for n in os.listdir(directory) if not n.startswith("."))
    for name in names:
        out = os.path.join(work, name + ".o")
        try:
            proc = subprocess.run([kilnc, os.path.join(directory, name), "-o", out],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        except subprocess.TimeoutExpired:
            sys.exit("FAIL %s: kilnc hung" % name)
        err = proc.stderr.decode("utf-8", "replace")
        if proc.returncode not in (0, 1):
            sys.exit("FAIL %s: exit status %d\n%s" % (name, proc.returncode, err[-3000:]))
        if (proc.returncode == 0) != os.path.exists(out):
            sys.exit("FAIL %s: exit %d but output %s" % (
                name, proc.returncode, "written" if os.path.exists(out) else "missing"))
    print("replayed %d inputs: none crashed" % len(names))


if __name__ == "__main__":
    main()
