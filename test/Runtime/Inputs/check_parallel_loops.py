#!/usr/bin/env python3
"""Checks the loops kilnc hands to the runtime's threads against NumPy.

`check_parallel_loops.py --kilnc K --kiln-run R --work DIR`

Each case is an ONNX model whose work stays in generic loops (no
microkernel): elementwise chains, Softmax and LayerNormalization rows,
broadcasts. Compiled at -O2, the large ones must call kiln_parallel_for
(kiln-outline-parallel-loops) and the small one must not; each runs at 1,
2 and 3 threads against the NumPy reference (within 1e-5 of the largest
reference value), and the outputs at 2 and 3 threads must be the same
bits as at 1: the threads split the iterations of a loop, never a sum.
"""
import argparse
import os
import sys

import numpy as np
from onnx import helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Inputs"))
from numpy_cases import model, run, write_case  # noqa: E402

RNG = np.random.default_rng(7)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def elementwise():
    x, y = randn(1, 64, 56, 56), randn(1, 64, 56, 56)
    s = sigmoid(x.astype(np.float64) + y)
    nodes = [helper.make_node("Add", ["x", "y"], ["a"]), helper.make_node("Sigmoid", ["a"], ["s"]),
             helper.make_node("Mul", ["s", "x"], ["out"])]
    inputs = [("x", x), ("y", y)]
    return "elementwise", model(nodes, inputs, [("out", x.shape)], []), inputs, s * x, True


def broadcast_scale():
    # A squeeze-and-excitation scale: per-channel values times a feature map.
    x, c = randn(1, 96, 28, 28), randn(1, 96, 1, 1)
    nodes = [helper.make_node("Sigmoid", ["c"], ["g"]),
             helper.make_node("Mul", ["x", "g"], ["out"])]
    ref = x * sigmoid(c.astype(np.float64))
    inputs = [("x", x), ("c", c)]
    return "broadcast_scale", model(nodes, inputs, [("out", x.shape)], []), inputs, ref, True


def softmax():
    x = randn(61, 1000) * 4
    e = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True))
    nodes = [helper.make_node("Softmax", ["x"], ["out"], axis=1)]
    ref = e / e.sum(axis=1, keepdims=True)
    return "softmax_rows", model(nodes, [("x", x)], [("out", x.shape)], []), [("x", x)], ref, True


def layernorm():
    x, g, b = randn(2, 50, 384), randn(384), randn(384)
    xd = x.astype(np.float64)
    mean = xd.mean(axis=-1, keepdims=True)
    var = ((xd - mean) ** 2).mean(axis=-1, keepdims=True)
    ref = (xd - mean) / np.sqrt(var + 1e-5) * g + b
    nodes = [helper.make_node("LayerNormalization", ["x", "g", "b"], ["out"], axis=-1,
                              epsilon=1e-5)]
    m = model(nodes, [("x", x)], [("out", x.shape)], [("g", g), ("b", b)])
    return "layernorm", m, [("x", x)], ref, True


def small():
    x = randn(4, 16)
    nodes = [helper.make_node("Relu", ["x"], ["out"])]
    m = model(nodes, [("x", x)], [("out", x.shape)], [])
    return "small_stays_inline", m, [("x", x)], np.maximum(x, 0), False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kilnc", required=True)
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    cases = [elementwise(), broadcast_scale(), softmax(), layernorm(), small()]
    for name, m, inputs, ref, parallel in cases:
        path, files, expected = write_case(args.work, name, m, inputs, ref)
        ir = run([args.kilnc, path, "-O2", "--compile-to=llvm", "--no-locations"])
        if ("llvm.call @kiln_parallel_for" in ir) != parallel:
            sys.exit(f"FAILED: {name}: expected {'' if parallel else 'no '}call of "
                     "kiln_parallel_for in the IR")
        so = os.path.join(args.work, name + ".so")
        run([args.kilnc, path, "-O2", "--emit=shared", "-o", so])
        outputs = {}
        for threads in ("1", "2", "3"):
            out_dir = os.path.join(args.work, f"{name}.t{threads}")
            run([args.kiln_run, so, *files, "--expected", expected, "--threads", threads,
                 "--relative-max-error", "1e-5", "--output-dir", out_dir, "--quiet"])
            outputs[threads] = np.load(os.path.join(out_dir, "out.npy"))
        for threads in ("2", "3"):
            if outputs[threads].tobytes() != outputs["1"].tobytes():
                sys.exit(f"FAILED: {name}: the output at {threads} threads differs from 1 thread's")
        kind = "parallel" if parallel else "inline"
        print(f"{name}: {kind}, matches NumPy at 1, 2 and 3 threads")
    print(f"all {len(cases)} cases pass")


if __name__ == "__main__":
    main()
