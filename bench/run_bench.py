#!/usr/bin/env python3
"""Kiln against ONNX Runtime and PyTorch, in one run: `bench/run_bench.py`.

Builds Kiln when build/bin/kilnc is missing (scripts/build.sh), installs
onnxruntime-node@1.30.0 into bench/.node (npm, --ignore-scripts: its
install script only downloads GPU files), exports the benchmark models
(bench/models.py) and measures this machine's FP32 FMA peak
(peak_fma.c). Then, at each thread count, it times every model:

  Kiln      kilnc -O3 --emit=shared, kiln-run --benchmark RUNS --threads T
  ORT       onnxruntime-node, intra-op threads T, all graph optimizations
  PyTorch   Debian's torch, eager under no_grad, torch.set_num_threads(T)

and prints median latencies, Kiln/ORT, and GFLOP/s (counted from the ONNX
graph: 2 flops per multiply-add of Conv, ConvTranspose, Gemm and MatMul),
with the geometric mean of Kiln/ORT over the six models. The GEMM and conv
microbenchmarks are reported against the measured peak. Nothing here is
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


def time_kiln(kilnc, kiln_run, onnx_path, inp, work, threads, runs):
    so = os.path.join(work, os.path.basename(onnx_path)[:-5] + ".so")
    # Recompiled whenever kilnc or the model is newer than the shared object.
    if not os.path.exists(so) or os.path.getmtime(so) < max(os.path.getmtime(kilnc),
                                                            os.path.getmtime(onnx_path)):
        sh([kilnc, onnx_path, "-O3", "--emit=shared", "-o", so])
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--models", default=",".join(models.MODELS + models.MICRO))
    args = ap.parse_args()
    names = args.models.split(",")
    os.makedirs(args.work, exist_ok=True)
    kilnc, kiln_run = ensure_kiln(args.build)
    node_modules = ensure_ort()
    subprocess.run([sys.executable, os.path.join(HERE, "make_models.py"), args.work] + names,
                   check=True)
    peak = peak_gflops(args.work)
    print("machine: %s, %d cores; FP32 FMA peak %.1f GFLOP/s per core (%s)" % (
        sh(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).strip(),
        os.cpu_count(), peak["gflops"], peak["isa"]))
    print("kiln: %s; onnxruntime-node %s; torch %s; median of %d runs after a warm-up" % (
        sh([kilnc, "--version"]).splitlines()[0], ORT_VERSION,
        sh([sys.executable, "-c", "import torch; print(torch.__version__)"]).strip(), args.runs))
    for threads in [int(t) for t in args.threads.split(",")]:
        print()
        print("threads=%d" % threads)
        print("%-16s %8s %10s %10s %10s %9s %10s %10s" % (
            "model", "GFLOP", "Kiln ms", "ORT ms", "torch ms", "Kiln/ORT", "Kiln GF/s",
            "ORT GF/s"))
        ratios = []
        for name in names:
            path = os.path.join(args.work, name + ".onnx")
            inp = os.path.join(args.work, name + ".input.npy")
            gflop = count_gflop(path)
            kiln = time_kiln(kilnc, kiln_run, path, inp, args.work, threads, args.runs)
            ort = time_ort(node_modules, path, inp, threads, args.runs)
            torch_ms = time_torch(name, threads, args.runs)
            ratio = kiln / ort
            if name in models.MODELS:
                ratios.append(ratio)
            extra = ""
            if name in models.MICRO:
                extra = "  (Kiln %.0f%% of %d x peak)" % (
                    100 * gflop / (kiln / 1e3) / (peak["gflops"] * threads), threads)
            print("%-16s %8.3f %10.3f %10.3f %10.3f %9.2f %10.1f %10.1f%s" % (
                name, gflop, kiln, ort, torch_ms, ratio, gflop / (kiln / 1e3),
                gflop / (ort / 1e3), extra), flush=True)
        if ratios:
            print("geometric mean Kiln/ORT over %d models: %.2f (worst %.2f)" % (
                len(ratios), math.exp(sum(map(math.log, ratios)) / len(ratios)), max(ratios)))
    print("GFLOP/s count the direct algorithm's multiply-adds; Kiln computes 3x3 stride-1 "
          "convolutions with Winograd F(2x2,3x3), 2.25x fewer, so conv3x3 can pass the peak.")


if __name__ == "__main__":
    main()
