#!/usr/bin/env python3
"""Runs a command that must fail cleanly: `expect_error.py [--no-file F]... -- CMD...`.

Passes when the command exits with status exactly 1 (not a crash, not a
timeout, not another status) and none of the --no-file paths exists
afterwards (outputs appear whole or not at all). Its stderr is copied to
stdout for FileCheck.
"""
import os
import subprocess
import sys


def main():
    args = sys.argv[1:]
    forbidden = []
    while args and args[0] == "--no-file":
        forbidden.append(args[1])
        args = args[2:]
    if not args or args[0] != "--":
        sys.exit("usage: expect_error.py [--no-file F]... -- CMD...")
    cmd = args[1:]
    for path in forbidden:
        if os.path.exists(path):
            os.remove(path)
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=300)
    except subprocess.TimeoutExpired:
        sys.exit("expect_error: the command hung (no exit within 300 s)")
    sys.stdout.write(proc.stderr.decode("utf-8", "replace"))
    sys.stdout.flush()
    if proc.returncode != 1:
        what = ("was killed by signal %d" % -proc.returncode if proc.returncode < 0
                else "exited with %d" % proc.returncode)
        sys.exit("expect_error: the command %s; expected exit status 1" % what)
    left = [p for p in forbidden if os.path.exists(p)]
    if left:
        sys.exit("expect_error: the failed command left output behind: " + ", ".join(left))


if __name__ == "__main__":
    main()
