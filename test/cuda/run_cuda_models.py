#!/usr/bin/env python3
"""Compiles models with `kilnc --device=cuda`, checks the artifacts, links
them with libkiln_rt_cuda.a into cuda_harness.c, and runs them.

For each model (NAME=ONNX, with ONNX's .input<i>.npy and .output<i>.npy
beside it, as test/e2e/make_models.py writes them):

  - kilnc compiles it for --gpu-arch (ptxas assembles each architecture);
  - the object's fatbin holds a cubin per architecture and the newest's PTX
    (fatbin.py reads the entry headers);
  - the object needs nothing from the C library: its only undefined
    symbols are the runtime's;
  - the harness links, and runs: numerics against PyTorch's outputs,
    determinism, a CUDA-graph replay and the time per run on a GPU, or
    "SKIP" without one.

With --bundle DIR, the harnesses, inputs, references and a run.sh that
runs them all go into DIR, to carry to a machine with a GPU.

Exit status 0 when every check passed (numerics skipped without a GPU).
"""
import argparse
import os
import shlex
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fatbin  # noqa: E402

RUNTIME_SYMBOLS = {"kiln_cuda_launch", "kiln_cuda_run", "kiln_cuda_context_model"}


def run(cmd, timeout=900):
    start = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.time() - start


def undefined_symbols(obj):
    for nm in ("llvm-nm-22", "llvm-nm", "nm"):
        if shutil.which(nm):
            code, out, err, _ = run([nm, "--undefined-only", "--format=just-symbols", obj])
            if code == 0:
                return set(out.split())
    return None


def npy_to_bin(npy_pattern, bin_pattern):
    """Writes each existing npy_pattern % i (i = 0, 1, ...) as raw
    little-endian bytes to bin_pattern % i; returns the .bin paths."""
    paths = []
    while os.path.exists(npy_pattern % len(paths)):
        x = np.load(npy_pattern % len(paths))
        path = bin_pattern % len(paths)
        np.ascontiguousarray(x).astype(x.dtype.newbyteorder("<")).tofile(path)
        paths.append(path)
    return paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kilnc", required=True)
    ap.add_argument("--runtime-lib", required=True, help="libkiln_rt.a")
    ap.add_argument("--runtime-cuda-lib", required=True, help="libkiln_rt_cuda.a")
    ap.add_argument("--runtime-include", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--gpu-arch", default="sm_80,sm_90")
    ap.add_argument("--tolerance", type=float, default=1e-3)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--bundle", help="also gather everything to run on a GPU machine here")
    ap.add_argument("model", nargs="+", help="NAME=path/to/model.onnx")
    args = ap.parse_args()

    cc = shlex.split(os.environ.get("CC") or "cc")
    os.makedirs(args.work, exist_ok=True)
    archs = sorted(set(args.gpu_arch.split(",")), key=lambda a: int(a[3:].rstrip("a")))
    expected = [("elf", a) for a in archs] + [("ptx", archs[-1])]
    failures = 0
    bundle_lines = []

    def check(ok, what, detail=""):
        nonlocal failures
        print("%s: %s%s" % ("ok" if ok else "FAIL", what, (": " + detail) if detail else ""))
        sys.stdout.flush()
        if not ok:
            failures += 1
        return ok

    for spec in args.model:
        name, onnx = spec.split("=", 1)
        wdir = os.path.join(args.work, name)
        os.makedirs(wdir, exist_ok=True)
        obj = os.path.join(wdir, name + ".o")
        code, out, err, secs = run([args.kilnc, onnx, "--device=cuda", "--gpu-arch=" + args.gpu_arch,
                                    "--name", name, "-o", obj])
        if not check(code == 0 and os.path.exists(obj), "%s compiles" % name,
                     "kilnc %.1f s" % secs if code == 0 else (err + out).strip()[-2000:]):
            continue
        if err.strip():
            print("  kilnc said: " + err.strip())
        with open(obj, "rb") as f:
            entries = fatbin.entries(fatbin.elf_section(f.read(), ".kiln.cuda.image"))
        check(entries == expected, "%s fatbin" % name,
              ", ".join("%s %s" % e for e in entries))
        undefined = undefined_symbols(obj)
        check(undefined is not None and undefined <= RUNTIME_SYMBOLS, "%s undefined symbols" % name,
              ", ".join(sorted(undefined or [])) or "none")

        exe = os.path.join(wdir, name + "_harness")
        code, out, err, _ = run(cc + [
            "-std=c99", "-pedantic", "-Wall", "-Wextra", "-O2", "-I" + args.runtime_include,
            "-DKILN_CUDA_MODEL=%s_cuda_model" % name, os.path.join(HERE, "cuda_harness.c"), obj,
            args.runtime_cuda_lib, args.runtime_lib, "-ldl", "-lpthread", "-lm", "-o", exe])
        if not check(code == 0 and not err.strip(), "%s links with libkiln_rt_cuda.a" % name,
                     (err + out).strip()[-2000:]):
            continue

        base = onnx[:-len(".onnx")]
        files = (npy_to_bin(base + ".input%d.npy", os.path.join(wdir, "input%d.bin")) +
                 npy_to_bin(base + ".output%d.npy", os.path.join(wdir, "reference%d.bin")))
        harness_args = ["--tolerance", str(args.tolerance), "--runs", str(args.runs)]
        code, out, err, _ = run([exe] + harness_args + files)
        print("  " + "\n  ".join((out + err).strip().splitlines()))
        skipped = "SKIP:" in out
        check(code == 0, "%s runs" % name,
              "skipped: no GPU" if skipped and code == 0 else "harness exit %d" % code)

        if args.bundle:
            dest = os.path.join(args.bundle, name)
            os.makedirs(dest, exist_ok=True)
            shutil.copy2(exe, dest)
            for path in files:
                shutil.copy2(path, dest)
            bundle_lines.append("echo '== %s'; (cd %s && ./%s %s %s) || status=1" % (
                name, name, os.path.basename(exe), " ".join(harness_args),
                " ".join(os.path.basename(p) for p in files)))

    if args.bundle:
        with open(os.path.join(args.bundle, "run.sh"), "w") as f:
            f.write("#!/bin/sh\n# Runs every model's harness; made by run_cuda_models.py.\n"
                    "cd \"$(dirname \"$0\")\"\nstatus=0\nnvidia-smi -L 2>/dev/null\n")
            f.write("\n".join(bundle_lines) + "\nexit $status\n")
        os.chmod(os.path.join(args.bundle, "run.sh"), 0o755)
        print("bundle: %s" % args.bundle)

    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
