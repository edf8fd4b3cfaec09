#!/usr/bin/env python3
"""Truncates and corrupts a model many ways and runs kilnc on each copy.

  damage_sweep.py KILNC MODEL WORKDIR [--cuts N] [--flips N] [--seed S]

Truncation: MODEL cut at N points spread over its length (and every one of
its first 32 bytes). Each cut must exit with status 1, print an error line
naming the file, and leave no output.

Corruption: N copies with 1-4 bytes overwritten (a fixed seed, so every run
tries the same copies). Each must either compile (exit 0, output whole) or
fail cleanly (exit 1, no output); never crash or hang.

Prints one summary line per kind; exits 1 on the first violation, with the
damaged file kept in WORKDIR to reproduce it.
"""
import argparse
import os
import random
import subprocess
import sys


def run(kilnc, path, out):
    for p in (out, os.path.splitext(out)[0] + ".h"):
        if os.path.exists(p):
            os.remove(p)
    try:
        proc = subprocess.run([kilnc, path, "-o", out], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=120)
    except subprocess.TimeoutExpired:
        return None, "", False
    return proc.returncode, proc.stderr.decode("utf-8", "replace"), os.path.exists(out)


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kilnc")
    ap.add_argument("model")
    ap.add_argument("workdir")
    ap.add_argument("--cuts", type=int, default=48)
    ap.add_argument("--flips", type=int, default=48)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    data = open(args.model, "rb").read()
    ext = os.path.splitext(args.model)[1]
    os.makedirs(args.workdir, exist_ok=True)
    out = os.path.join(args.workdir, "out.o")

    cuts = sorted(set(list(range(1, min(32, len(data)))) +
                      [len(data) * i // (args.cuts + 1) for i in range(1, args.cuts + 1)]))
    cuts = [c for c in cuts if 0 < c < len(data)]
    for cut in cuts:
        path = os.path.join(args.workdir, "cut%d%s" % (cut, ext))
        with open(path, "wb") as f:
            f.write(data[:cut])
        rc, err, wrote = run(args.kilnc, path, out)
        name = os.path.basename(path)
        if rc != 1:
            fail("%s: exit status %s, expected 1\n%s" % (name, rc, err))
        if wrote:
            fail("%s: output left behind" % name)
        if (name + ": error: ") not in err:
            fail("%s: no error line naming the file:\n%s" % (name, err))
        os.remove(path)
    print("truncated %d ways: each exits 1 with an error naming the file, no output"
          % len(cuts))

    rng = random.Random(args.seed)
    compiled = 0
    for i in range(args.flips):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        path = os.path.join(args.workdir, "flip%d%s" % (i, ext))
        with open(path, "wb") as f:
            f.write(bytes(damaged))
        rc, err, wrote = run(args.kilnc, path, out)
        name = os.path.basename(path)
        if rc is None:
            fail("%s: kilnc hung" % name)
        if rc not in (0, 1):
            fail("%s: exit status %d (a crash?)\n%s" % (name, rc, err[-2000:]))
        if (rc == 0) != wrote:
            fail("%s: exit %d but output %s" % (name, rc, "written" if wrote else "missing"))
        compiled += rc == 0
        os.remove(path)
    print("corrupted %d ways: each compiles or exits 1 with no output, never a crash"
          % args.flips)


if __name__ == "__main__":
    main()
