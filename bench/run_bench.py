#!/usr/bin/env python3
"""Kiln against ONNX Runtime and PyTorch, in one run: `bench/run_bench.py`.

Builds Kiln when build/bin/kilnc is missing (scripts/build.sh), installs
onnxruntime-node@1.30.0 into bench/.node (npm, --ignore-scripts: its
install script only downloads GPU files), exports the benchmark models
(bench/models.py) and measures this machine's FP32 FMA peak
(peak_fma.c). Then, at each thread count, it times every model:

  Kiln      kilnc --emit=shared at Kiln's default flags (as a user runs
            it; --kiln-flags adds others), kiln-run --benchmark RUNS
            --threads T
  ORT       onnxruntime-node, intra-op threads T, all graph optimizations
  PyTorch   Debian's torch, eager under no_grad, torch.set_num_threads(T)

The machine is shared and its speed drifts by tens of percent over
minutes, so a ratio only means something when both sides ran at nearly the
same time: Kiln and ORT are interleaved, model by model, over --rounds
rounds (which side goes first alternates), each giving the median of RUNS
runs after a warm-up. The table prints each side's best round, the ratio of
the bests, and the range of the per-round ratios; the geometric means of
Kiln/ORT are over the CNNs (bench/models.py CNNS) and over all models.
GFLOP/s count the ONNX graph's direct multiply-adds (2 flops each for Conv,
ConvTranspose, Gemm and MatMul). The GEMM and conv microbenchmarks are
reported against the measured peak, and ResNet-18 against its
direct-convolution floor (its GFLOP over the peak). Nothing here is
asserted: the numbers are for reading (docs/performance.md).
"""
import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import shape_inference

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import models  # noqa: E402

ORT_VERSION = "1.30.0"


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, **kw).stdout


def ensure_kiln(build):
    kilnc = os.path.join(build, "bin", "kilnc")
    if not os.path.exists(kilnc):
        subprocess.run([os.path.join(ROOT, "scripts", "build.sh")], check=True,
                       env=dict(os.environ, BUILD_DIR=build))
    return kilnc, os.path.join(build, "bin", "kiln-run")


def ensure_ort():
    prefix = os.path.join(HERE, ".node")
    if not os.path.isdir(os.path.join(prefix, "node_modules", "onnxruntime-node")):
        os.makedirs(prefix, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", prefix, "--ignore-scripts", "--no-audit",
                        "--no-fund", "onnxruntime-node@" + ORT_VERSION], check=True,
                       stdout=subprocess.DEVNULL)
    return os.path.join(prefix, "node_modules")


def peak_gflops(work):
    exe = os.path.join(work, "peak_fma")
    cc = shutil.which("clang-22") or "cc"
    sh([cc, "-O2", "-march=native", os.path.join(HERE, "peak_fma.c"), "-o", exe])
    return json.loads(sh([exe]))


def count_gflop(path):
    model = shape_inference.infer_shapes(onnx.load(path))
    g = model.graph
    shapes = {}
    for v in list(g.input) + list(g.value_info) + list(g.output):
        dims = [d.dim_value for d in v.type.tensor_type.shape.dim]
        shapes[v.name] = dims
    for init in g.initializer:
        shapes[init.name] = list(init.dims)
    flops = 0
    for node in g.node:
        if node.op_type in ("Conv", "ConvTranspose"):
            w = shapes.get(node.input[1])
            y = shapes.get(node.output[0])
            x = shapes.get(node.input[0])
            if not w or not y or not x:
                continue
            if node.op_type == "Conv":
                flops += 2 * math.prod(y) * math.prod(w[1:])
            else:
                flops += 2 * math.prod(x) * math.prod(w[1:])
        elif node.op_type in ("Gemm", "MatMul"):
            a, y = shapes.get(node.input[0]), shapes.get(node.output[0])
            if not a or not y:
                continue
            k = a[0] if node.op_type == "Gemm" and any(
                at.name == "transA" and at.i for at in node.attribute) else a[-1]
            flops += 2 * math.prod(y) * k
    return flops / 1e9


def compile_kiln(kilnc, onnx_path, work, flags):
    """The model's shared object, compiled once per run (flags may change)."""
    so = os.path.join(work, os.path.basename(onnx_path)[:-5] + ".so")
    sh([kilnc, onnx_path, "--emit=shared", "-o", so] + flags)
    return so


def time_kiln(kiln_run, so, inp, threads, runs):
    out = sh([kiln_run, so, "--input", inp, "--benchmark", str(runs), "--threads",
              str(threads), "--quiet"])
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def time_ort(node_modules, onnx_path, inp, threads, runs):
    out = sh(["node", os.path.join(HERE, "ort_bench.js"), onnx_path, inp, str(threads),
              str(runs)], env=dict(os.environ, NODE_PATH=node_modules))
    return json.loads(out)["median_ms"]


def time_torch(name, threads, runs):
    out = sh([sys.executable, os.path.join(HERE, "torch_bench.py"), name, str(threads),
              str(runs)])
    return json.loads(out)["median_ms"]


def geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--kiln-flags", default="", help="extra kilnc flags (default: none)")
    ap.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="also print each model's N slowest nodes (kilnc --profile, "
                         "kiln-run --profile, one thread)")
    ap.add_argument("--models", default=",".join(models.MODELS + models.MICRO))
    args = ap.parse_args()
    names = args.models.split(",")
    flags = args.kiln_flags.split()
    os.makedirs(args.work, exist_ok=True)
    kilnc, kiln_run = ensure_kiln(args.build)
    node_modules = ensure_ort()
    subprocess.run([sys.executable, os.path.join(HERE, "make_models.py"), args.work] + names,
                   check=True)
    peak = peak_gflops(args.work)
    print("machine: %s, %d cores; FP32 FMA peak %.1f GFLOP/s per core (%s)" % (
        sh(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).strip(),
        os.cpu_count(), peak["gflops"], peak["isa"]))
    print("kiln: %s, flags: %s; onnxruntime-node %s; torch %s" % (
        sh([kilnc, "--version"]).splitlines()[0], " ".join(flags) or "the defaults",
        ORT_VERSION, sh([sys.executable, "-c", "import torch; print(torch.__version__)"]).strip()))
    print("each round: the median of %d runs after a warm-up; %d rounds, Kiln and ORT "
          "interleaved; best round per side" % (args.runs, args.rounds))
    libs, gflops = {}, {}
    for name in names:
        path = os.path.join(args.work, name + ".onnx")
        libs[name] = compile_kiln(kilnc, path, args.work, flags)
        gflops[name] = count_gflop(path)
    for threads in [int(t) for t in args.threads.split(",")]:
        kiln, ort, torch_ms = ({n: [] for n in names} for _ in range(3))
        for r in range(args.rounds):
            for name in names:
                path = os.path.join(args.work, name + ".onnx")
                inp = os.path.join(args.work, name + ".input.npy")
                sides = [lambda: kiln[name].append(
                             time_kiln(kiln_run, libs[name], inp, threads, args.runs)),
                         lambda: ort[name].append(
                             time_ort(node_modules, path, inp, threads, args.runs))]
                for side in (sides if r % 2 == 0 else sides[::-1]):
                    side()
                if not args.no_torch:
                    torch_ms[name].append(time_torch(name, threads, args.runs))
        print()
        print("threads=%d" % threads)
        print("%-19s %7s %9s %9s %9s %9s %11s %9s %9s" % (
            "model", "GFLOP", "Kiln ms", "ORT ms", "torch ms", "Kiln/ORT", "rounds",
            "Kiln GF/s", "ORT GF/s"))
        cnn, every = [], []
        for name in names:
            k, o = min(kiln[name]), min(ort[name])
            t = "%9.3f" % min(torch_ms[name]) if torch_ms[name] else "%9s" % "-"
            per_round = [a / b for a, b in zip(kiln[name], ort[name])]
            ratio = k / o
            if name in models.MODELS:
                every.append(ratio)
            if name in models.CNNS:
                cnn.append(ratio)
            extra = ""
            if name in models.MICRO:
                extra = "  (Kiln %.0f%% of %d x peak)" % (
                    100 * gflops[name] / (k / 1e3) / (peak["gflops"] * threads), threads)
            if name == "resnet18" and threads == 1:
                floor = gflops[name] / peak["gflops"] * 1e3
                extra = "  (direct-convolution floor %.2f ms: Kiln %s it)" % (
                    floor, "below" if k < floor else "above")
            print("%-19s %7.3f %9.3f %9.3f %s %9.2f %5.2f-%-5.2f %9.1f %9.1f%s" % (
                name, gflops[name], k, o, t, ratio, min(per_round), max(per_round),
                gflops[name] / (k / 1e3), gflops[name] / (o / 1e3), extra), flush=True)
        if cnn:
            print("geometric mean Kiln/ORT over %d CNNs: %.2f (worst %.2f)" % (
                len(cnn), geomean(cnn), max(cnn)))
        if every:
            print("geometric mean Kiln/ORT over %d models: %.2f (worst %.2f)" % (
                len(every), geomean(every), max(every)))
    print("GFLOP/s count the direct algorithm's multiply-adds; Kiln computes 3x3 stride-1 "
          "convolutions with Winograd (F(4x4,3x3), 4x fewer; F(2x2,3x3), 2.25x fewer, on small planes), "
          "so conv3x3 can pass the peak.")
    if args.profile:
        for name in names:
            path = os.path.join(args.work, name + ".onnx")
            so = os.path.join(args.work, name + ".profile.so")
            sh([kilnc, path, "--emit=shared", "--profile", "-o", so] + flags)
            out = sh([kiln_run, so, "--input",
                      os.path.join(args.work, name + ".input.npy"), "--profile", "--benchmark",
                      str(args.runs), "--threads", "1", "--quiet"]).splitlines()
            print()
            print("%s: %s" % (name, out[0]))
            print("\n".join(out[1:2 + args.profile]))


if __name__ == "__main__":
    main()
