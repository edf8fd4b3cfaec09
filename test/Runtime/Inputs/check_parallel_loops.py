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
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(7)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def model(nodes, inputs, output, inits=()):
    vinfo = lambda n, s: helper.make_tensor_value_info(n, TensorProto.FLOAT, s)
    graph = helper.make_graph(nodes, "case", [vinfo(n, a.shape) for n, a in inputs],
                              [vinfo(*output)], [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def elementwise():
    x, y = randn(1, 64, 56, 56), randn(1, 64, 56, 56)
    s = sigmoid(x.astype(np.float64) + y)
    nodes = [helper.make_node("Add", ["x", "y"], ["a"]), helper.make_node("Sigmoid", ["a"], ["s"]),
             helper.make_node("Mul", ["s", "x"], ["out"])]
    return "elementwise", model(nodes, [("x", x), ("y", y)], ("out", x.shape)), [("x", x), ("y", y)], s * x, True


def broadcast_scale():
    # A squeeze-and-excitation scale: per-channel values times a feature map.
    x, c = randn(1, 96, 28, 28), randn(1, 96, 1, 1)
    nodes = [helper.make_node("Sigmoid", ["c"], ["g"]), helper.make_node("Mul", ["x", "g"], ["out"])]
    ref = x * sigmoid(c.astype(np.float64))
    return "broadcast_scale", model(nodes, [("x", x), ("c", c)], ("out", x.shape)), [("x", x), ("c", c)], ref, True


def softmax():
    x = randn(61, 1000) * 4
    e = np.exp(x.astype(np.float64) - x.max(axis=1, keepdims=True))
    nodes = [helper.make_node("Softmax", ["x"], ["out"], axis=1)]
    return "softmax_rows", model(nodes, [("x", x)], ("out", x.shape)), [("x", x)], e / e.sum(axis=1, keepdims=True), True


def layernorm():
    x, g, b = randn(2, 50, 384), randn(384), randn(384)
    xd = x.astype(np.float64)
    mean = xd.mean(axis=-1, keepdims=True)
    var = ((xd - mean) ** 2).mean(axis=-1, keepdims=True)
    ref = (xd - mean) / np.sqrt(var + 1e-5) * g + b
    nodes = [helper.make_node("LayerNormalization", ["x", "g", "b"], ["out"], axis=-1, epsilon=1e-5)]
    return "layernorm", model(nodes, [("x", x)], ("out", x.shape), [("g", g), ("b", b)]), [("x", x)], ref, True


def small():
    x = randn(4, 16)
    nodes = [helper.make_node("Relu", ["x"], ["out"])]
    return "small_stays_inline", model(nodes, [("x", x)], ("out", x.shape)), [("x", x)], np.maximum(x, 0), False


def run(cmd):
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{result.stdout}")
    return result.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kilnc", required=True)
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    cases = [elementwise(), broadcast_scale(), softmax(), layernorm(), small()]
    for name, m, inputs, ref, parallel in cases:
        path = os.path.join(args.work, name + ".onnx")
        onnx.save(m, path)
        files = []
        for input_name, value in inputs:
            files += ["--input", os.path.join(args.work, f"{name}.{input_name}.npy")]
            np.save(files[-1], value)
        expected = os.path.join(args.work, name + ".expected.npy")
        np.save(expected, ref.astype(np.float32))
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
        print(f"{name}: {'parallel' if parallel else 'inline'}, matches NumPy at 1, 2 and 3 threads")
    print(f"all {len(cases)} cases pass")


if __name__ == "__main__":
    main()
