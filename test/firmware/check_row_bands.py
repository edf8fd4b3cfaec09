# ===- test/firmware/check_row_bands.py - Row bands on random int8 chains -===#
#
# Builds seeded random chains of convolutions (full, depthwise and
# pointwise; kernels 1, 2, 3 and 5; strides 1 and 2; dilation 2;
# asymmetric padding; odd heights): int8 QDQ chains, and float chains with
# biases and ReLU or ReLU6. Compiles each for the host with and without
# --row-bands=on --in-place=on, and runs both with kiln-run on the same
# input: where kiln-fuse-row-bands bands the chain, int8 outputs must be
# the same bits, float ones within 1e-5 relative of the largest (the sums
# may be ordered differently). Prints one line per banded model and fails
# if fewer than a third of the models of each kind were banded.
#
# Usage: check_row_bands.py --kilnc KILNC --kiln-run KILN_RUN --work DIR
#                           [--models N]
#
# ===--------------------------------------------------------------------===#

import argparse
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ACT_SCALE, ACT_ZP = 0.05, -128


def random_chain(seed, int8):
    """3 to 5 convolutions, each followed by a ReLU (int8: and a
    quantize/dequantize pair, after the input's; float: with a bias, and
    ReLU6 as Clip at times). The second one is a pointwise convolution that
    widens the tensor, the layer banding saves."""
    rng = np.random.default_rng(seed)
    height, width, channels = int(rng.integers(17, 40)), int(rng.integers(8, 20)), int(
        rng.choice([2, 3, 4]))
    inits, nodes = [], []

    def const(name, value):
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    const("s", np.array(0.02, np.float32))
    const("zp", np.array(-5, np.int8))
    const("sa", np.array(ACT_SCALE, np.float32))
    const("za", np.array(ACT_ZP, np.int8))
    const("lo", np.array(0.0, np.float32))
    const("hi", np.array(6.0, np.float32))
    if int8:
        nodes.append(helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["xq"]))
        nodes.append(helper.make_node("DequantizeLinear", ["xq", "s", "zp"], ["xd"]))
    current, ch, h, w = "xd" if int8 else "x", channels, height, width
    layers = []
    for i in range(int(rng.integers(3, 6))):
        kind = "pw" if i == 1 else str(rng.choice(["full", "dw", "pw"]))
        k = 1 if kind == "pw" else int(rng.choice([2, 3, 5]))
        stride = 1 if kind == "pw" else int(rng.choice([1, 2]))
        dil = 1 if kind == "pw" or k == 5 else int(rng.choice([1, 1, 2]))
        pads = [0] * 4 if kind == "pw" else [int(v) for v in rng.integers(0, k, 4)]
        extent = (k - 1) * dil + 1
        if h + pads[0] + pads[2] < extent or w + pads[1] + pads[3] < extent:
            break
        out = ch if kind == "dw" else (int(rng.choice([ch * 2, ch * 4, 8, 16])) if i == 1 else
                                       int(rng.choice([4, 8, 12])))
        group = ch if kind == "dw" else 1
        conv = dict(group=group, pads=pads, strides=[stride, stride], dilations=[dil, dil],
                    kernel_shape=[k, k])
        if int8:
            const("w%d" % i, rng.integers(-60, 61, (out, ch // group, k, k)).astype(np.int8))
            const("ws%d" % i, rng.uniform(0.003, 0.02, out).astype(np.float32))
            const("wz%d" % i, np.zeros(out, np.int8))
            nodes += [
                helper.make_node("DequantizeLinear", ["w%d" % i, "ws%d" % i, "wz%d" % i],
                                 ["wd%d" % i], axis=0),
                helper.make_node("Conv", [current, "wd%d" % i], ["c%d" % i], **conv),
                helper.make_node("Relu", ["c%d" % i], ["r%d" % i]),
                helper.make_node("QuantizeLinear", ["r%d" % i, "sa", "za"], ["q%d" % i]),
                helper.make_node("DequantizeLinear", ["q%d" % i, "sa", "za"], ["d%d" % i]),
            ]
            current = "d%d" % i
        else:
            fan_in = ch // group * k * k
            const("w%d" % i, rng.normal(0, 1.5 / np.sqrt(fan_in),
                                          (out, ch // group, k, k)).astype(np.float32))
            const("b%d" % i, rng.normal(0, 0.1, out).astype(np.float32))
            nodes.append(helper.make_node("Conv", [current, "w%d" % i, "b%d" % i], ["c%d" % i],
                                          **conv))
            if rng.random() < 0.5:
                nodes.append(helper.make_node("Relu", ["c%d" % i], ["r%d" % i]))
            else:
                nodes.append(helper.make_node("Clip", ["c%d" % i, "lo", "hi"], ["r%d" % i]))
            current = "r%d" % i
        ch = out
        h = (h + pads[0] + pads[2] - extent) // stride + 1
        w = (w + pads[1] + pads[3] - extent) // stride + 1
        layers.append("%s k%d s%d d%d pads %s" % (kind, k, stride, dil, pads))
    nodes.append(helper.make_node("Identity", [current], ["y"]))
    graph = helper.make_graph(
        nodes, "chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                        [1, channels, height, width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, ch, h, w])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model, (1, channels, height, width), layers


def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        sys.exit("FAIL: %s\n%s%s" % (" ".join(cmd), result.stdout, result.stderr))
    return result.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--models", type=int, default=24)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    banded_flags = ["--row-bands=on", "--in-place=on"]
    for kind in ("int8", "float"):
        check(args, kind, banded_flags)


def check(args, kind, banded_flags):
    banded = 0
    for seed in range(args.models):
        model, shape, layers = random_chain(seed, kind == "int8")
        work = os.path.join(args.work, "%s%d" % (kind, seed))
        os.makedirs(work)
        path = os.path.join(work, "chain.onnx")
        onnx.save(model, path)
        kiln_ir = run([args.kilnc, path, "--compile-to=kiln", "-o", "-"] + banded_flags)
        if "kiln.row_bands" not in kiln_ir:
            continue
        banded += 1
        plain, bands = os.path.join(work, "plain.so"), os.path.join(work, "bands.so")
        run([args.kilnc, path, "--emit=shared", "-o", plain])
        run([args.kilnc, path, "--emit=shared", "-o", bands] + banded_flags)
        x = os.path.join(work, "x.npy")
        np.save(x, np.random.default_rng(seed).uniform(-2.5, 2.5, shape).astype(np.float32))
        run([args.kiln_run, plain, "--input", x, "--output-dir", os.path.join(work, "plain"),
             "--quiet"])
        expected = os.path.join(work, "plain", "y.npy")
        if len(np.unique(np.load(expected))) < 4:
            sys.exit("FAIL: chain %d: the unbanded output has too few distinct values to "
                     "compare" % seed)
        if kind == "int8":
            tolerance = ["--rtol", "0", "--atol", "0"]
        else:
            largest = float(np.abs(np.load(expected)).max())
            tolerance = ["--rtol", "0", "--atol", repr(1e-5 * largest)]
        run([args.kiln_run, bands, "--input", x, "--expected", expected, "--quiet"] + tolerance)
        print("%s chain %d (%dx%d input): %s: banded, %s" %
              (kind, seed, shape[2], shape[3], "; ".join(layers),
               "same bits" if kind == "int8" else "within 1e-5 of the largest"))
    print("%d of %d %s chains banded, all matching unbanded" % (banded, args.models, kind))
    if banded * 3 < args.models:
        sys.exit("FAIL: too few %s chains were banded to test the lowering" % kind)


if __name__ == "__main__":
    main()
