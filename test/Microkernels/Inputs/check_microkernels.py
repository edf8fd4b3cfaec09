#!/usr/bin/env python3
"""Checks every CPU microkernel variant this host runs against NumPy.

`check_microkernels.py --kilnc K --kiln-run R --work DIR [--variants V,...]`

Each case is a small ONNX model built here whose shapes reach the kernels'
edges: M, N and K that are not multiples of the register tile, K longer
than one K block (256), M and N longer than one cache block, strides,
dilations, asymmetric padding, batches, a transposed operand, and the
fused epilogues (bias, residual, ReLU, Clip). Each model is compiled with
each variant (`--microkernels=V`) and with none, and run by kiln-run
against the NumPy reference: the largest error must stay within 1e-5 of
the largest reference value, far below what a wrong element, a missed
tile, a wrong transform or a misplaced epilogue gives. The IR is also checked to hold the
kernel the case is about, so a case cannot pass by falling back to loops.
"""
import argparse
import os
import platform
import sys

import numpy as np
from onnx import helper

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Inputs"))
from numpy_cases import model, run, write_case  # noqa: E402

RNG = np.random.default_rng(2026)


def randn(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def conv_ref(x, w, b, strides, pads, dilations, group):
    """NCHW convolution; pads are ONNX's [top, left, bottom, right]."""
    n, c, h, wd = x.shape
    f, cg, kh, kw = w.shape
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (xp.shape[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (xp.shape[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, f, oh, ow))
    fg = f // group
    for g in range(group):
        xs = xp[:, g * cg:(g + 1) * cg]
        for r in range(kh):
            for s in range(kw):
                patch = xs[:, :, r * dilations[0]: r * dilations[0] + strides[0] * (oh - 1) + 1: strides[0],
                           s * dilations[1]: s * dilations[1] + strides[1] * (ow - 1) + 1: strides[1]]
                out[:, g * fg:(g + 1) * fg] += np.einsum("nchw,fc->nfhw", patch,
                                                         w[g * fg:(g + 1) * fg, :, r, s])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def conv_case(name, x_shape, f, k, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1),
              group=1, bias=True, residual=False, act=None, kernel=None):
    x = randn(*x_shape)
    w = randn(f, x_shape[1] // group, k[0], k[1])
    b = randn(f) if bias else None
    ref = conv_ref(x, w, b, strides, pads, dilations, group)
    inputs, inits = [("x", x)], [("w", w)]
    conv_in = ["x", "w"] + (["b"] if bias else [])
    if bias:
        inits.append(("b", b))
    nodes = [helper.make_node("Conv", conv_in, ["c"], strides=list(strides), pads=list(pads),
                              dilations=list(dilations), group=group, name="conv")]
    last = "c"
    if residual:
        r = randn(*ref.shape)
        inputs.append(("r", r))
        nodes.append(helper.make_node("Add", [last, "r"], ["s"], name="add"))
        last, ref = "s", ref + r
    ref, last = activation(nodes, last, ref, act, inits)
    nodes.append(helper.make_node("Identity", [last], ["y"], name="out"))
    kernel = kernel or ("dwconv2d" if group > 1 else "conv2d")
    return name, model(nodes, inputs, [("y", list(ref.shape))], inits), inputs, ref, kernel


def activation(nodes, last, ref, act, inits):
    if act == "relu":
        nodes.append(helper.make_node("Relu", [last], ["act"], name="relu"))
        return np.maximum(ref, 0), "act"
    if act == "relu6":
        inits += [("lo", np.array(0, np.float32)), ("hi", np.array(6, np.float32))]
        nodes.append(helper.make_node("Clip", [last, "lo", "hi"], ["act"], name="clip"))
        return np.clip(ref, 0, 6), "act"
    return ref, last


def matmul_case(name, a_shape, b_shape, const_b=True, bias=False, residual=False, act=None,
                transpose_b=False):
    a = randn(*a_shape)
    b = randn(*b_shape)
    bt = np.swapaxes(b, -1, -2) if transpose_b else b
    ref = np.matmul(a.astype(np.float64), bt.astype(np.float64))
    inputs, inits, nodes = [("a", a)], [], []
    (inits if const_b else inputs).append(("b", b))
    rhs = "b"
    if transpose_b:
        perm = list(range(len(b_shape)))
        perm[-1], perm[-2] = perm[-2], perm[-1]
        nodes.append(helper.make_node("Transpose", ["b"], ["bt"], perm=perm, name="t"))
        rhs = "bt"
    nodes.append(helper.make_node("MatMul", ["a", rhs], ["m"], name="mm"))
    last = "m"
    if bias:
        bv = randn(ref.shape[-1])
        inits.append(("bias", bv))
        nodes.append(helper.make_node("Add", [last, "bias"], ["mb"], name="bias_add"))
        last, ref = "mb", ref + bv
    if residual:
        r = randn(*ref.shape)
        inputs.append(("r", r))
        nodes.append(helper.make_node("Add", ["r", last], ["s"], name="add"))
        last, ref = "s", ref + r
    ref, last = activation(nodes, last, ref, act, inits)
    nodes.append(helper.make_node("Identity", [last], ["y"], name="out"))
    return name, model(nodes, inputs, [("y", list(ref.shape))], inits), inputs, ref, "gemm"


def maxpool_case(name, x_shape, k, strides, pads, ceil=0, act=None):
    x = randn(*x_shape)
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
                constant_values=-np.inf)
    size = lambda i, p0, p1, kk, st: ((i + p0 + p1 - kk + (st - 1 if ceil else 0)) // st) + 1
    oh = size(x_shape[2], pads[0], pads[2], k[0], strides[0])
    ow = size(x_shape[3], pads[1], pads[3], k[1], strides[1])
    # Ceil mode: windows may run past the padded input; they read -inf there.
    xp = np.pad(xp, ((0, 0), (0, 0), (0, k[0]), (0, k[1])), constant_values=-np.inf)
    ref = np.full((x_shape[0], x_shape[1], oh, ow), -np.inf)
    for r in range(k[0]):
        for s in range(k[1]):
            ref = np.maximum(ref, xp[:, :, r:r + strides[0] * (oh - 1) + 1:strides[0],
                                     s:s + strides[1] * (ow - 1) + 1:strides[1]])
    inits = []
    nodes = [helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=list(k), strides=list(strides),
                              pads=list(pads), ceil_mode=ceil, name="pool")]
    ref, last = activation(nodes, "p", ref, act, inits)
    nodes.append(helper.make_node("Identity", [last], ["y"], name="out"))
    return name, model(nodes, [("x", x)], [("y", list(ref.shape))], inits), [("x", x)], ref, \
        "maxpool2d"


def reduce_case(name, x_shape, op, axes=None, keepdims=1):
    x = randn(*x_shape)
    if op == "GlobalAveragePool":
        ref = x.astype(np.float64).mean(axis=(2, 3), keepdims=True)
        node = helper.make_node(op, ["x"], ["y"], name="reduce")
        inits = []
    else:
        f = np.mean if op == "ReduceMean" else np.sum
        ref = f(x.astype(np.float64), axis=tuple(axes), keepdims=bool(keepdims))
        inits = [("axes", np.array(axes, np.int64))]
        node = helper.make_node(op, ["x", "axes"], ["y"], keepdims=keepdims, name="reduce")
    if op == "ReduceMean":  # ReduceMean takes axes as an attribute before opset 18
        node = helper.make_node(op, ["x"], ["y"], axes=list(axes), keepdims=keepdims,
                                name="reduce")
        inits = []
    return name, model([node], [("x", x)], [("y", list(ref.shape))], inits), [("x", x)], ref, \
        "rowsum"


# Which Winograd kernel a 3x3 stride-1 convolution gets, by variant:
# F(4x4, 3x3) when its 4x4 tiles fill at least one panel of NR columns,
# F(2x2, 3x3) otherwise (kiln-select-microkernels).
PANEL = {"sse": 8, "avx2": 16, "avx512": 32, "neon": 12}
WINOGRAD = "winograd"


def expected_kernel(kernel, variant, ref):
    if kernel != WINOGRAD or variant not in PANEL:
        return kernel
    oh, ow = ref.shape[2], ref.shape[3]
    tiles4 = -(-oh // 4) * -(-ow // 4)
    return "winograd3x3f4" if tiles4 >= PANEL[variant] else "winograd3x3"


CASES = [
    reduce_case("global_average_pool", (2, 24, 13, 11), "GlobalAveragePool"),
    reduce_case("reduce_mean_last", (3, 5, 37), "ReduceMean", axes=[2], keepdims=1),
    reduce_case("reduce_sum_trailing", (2, 3, 50, 40), "ReduceSum", axes=[2, 3], keepdims=0),
    maxpool_case("maxpool_3x3_s2_pad", (1, 16, 23, 23), (3, 3), (2, 2), (1, 1, 1, 1)),
    maxpool_case("maxpool_ceil", (2, 5, 20, 17), (3, 3), (2, 2), (0, 0, 0, 0), ceil=1),
    maxpool_case("maxpool_3x3_s2_wide_relu", (1, 4, 10, 75), (3, 3), (2, 2), (0, 1, 1, 0),
                 ceil=1, act="relu"),
    maxpool_case("maxpool_2x2_relu", (1, 3, 9, 30), (2, 2), (2, 1), (0, 0, 0, 0), act="relu"),
    conv_case("conv3x3_edges", (1, 20, 17, 19), 13, (3, 3), pads=(1, 1, 1, 1), act="relu"),
    conv_case("winograd_odd_sizes", (1, 16, 17, 23), 20, (3, 3), pads=(1, 1, 1, 1), act="relu",
              kernel=WINOGRAD),
    conv_case("winograd_valid_batch_residual", (2, 24, 14, 17), 16, (3, 3), residual=True,
              act="relu", kernel=WINOGRAD),
    conv_case("winograd_asymmetric_pads_kblocks", (1, 300, 15, 13), 33, (3, 3), pads=(0, 2, 1, 0),
              bias=False, kernel=WINOGRAD),
    conv_case("winograd_wide", (1, 16, 4, 500), 16, (3, 3), pads=(1, 1, 1, 1),
              kernel=WINOGRAD),
    # Enough tiles for several blocks, each a whole unit (no channel
    # groups), with blocks that start and end inside tile rows.
    conv_case("winograd_blocks", (1, 16, 40, 37), 24, (3, 3), pads=(1, 1, 1, 1),
              bias=True, act="relu", kernel=WINOGRAD),
    # F(4x4) on every variant: several blocks, two images, a residual, and
    # enough input channels for two K blocks of the products.
    conv_case("winograd_f4_channels_residual", (2, 300, 30, 29), 40, (3, 3), pads=(1, 1, 1, 1),
              residual=True, act="relu", kernel=WINOGRAD),
    conv_case("conv_kblocks_mblocks", (1, 32, 23, 23), 100, (3, 3), strides=(2, 2),
              pads=(1, 0, 2, 1), dilations=(2, 2), act=None),
    conv_case("conv1x1_nblocks", (1, 300, 9, 130), 7, (1, 1), bias=False),
    conv_case("conv7x7_batch_residual", (2, 3, 30, 30), 16, (7, 7), strides=(2, 2),
              pads=(3, 3, 3, 3), residual=True, act="relu"),
    conv_case("depthwise_relu6", (1, 24, 15, 13), 24, (3, 3), pads=(1, 1, 1, 1), group=24,
              act="relu6"),
    conv_case("depthwise_stride2_batch", (2, 8, 21, 19), 8, (5, 5), strides=(2, 2),
              pads=(2, 2, 2, 2), group=8, residual=True),
    conv_case("depthwise_dilated", (1, 4, 12, 40), 4, (3, 3), dilations=(2, 3), pads=(0, 1, 2, 3),
              group=4, bias=False),
    matmul_case("linear_rows_kblocks", (3, 37, 300), (300, 70), bias=True, act="relu"),
    matmul_case("linear_residual_clip", (1, 5), (5, 130), residual=True, act="relu6"),
    # Thin products: one row (four partial sums over K, K not a multiple
    # of 4, two K blocks) and three rows.
    matmul_case("linear_one_row_kblocks", (1, 301), (301, 45), bias=True),
    matmul_case("linear_three_rows", (3, 200), (200, 70), bias=True, act="relu"),
    matmul_case("batched_runtime", (2, 3, 17, 40), (2, 3, 40, 33), const_b=False),
    matmul_case("broadcast_lhs", (1, 9, 20), (4, 20, 11), const_b=False),
    matmul_case("transposed_rhs", (4, 10, 16), (4, 12, 16), const_b=False, transpose_b=True),
    matmul_case("large_square", (200, 270), (270, 150), const_b=False),
]


def host_variants():
    if platform.machine() in ("aarch64", "arm64"):
        return ["neon"]
    if platform.machine() not in ("x86_64", "AMD64"):
        return []
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    variants = ["sse"]
    if {"avx2", "fma"} <= flags:
        variants.append("avx2")
    if "avx512f" in flags:
        variants.append("avx512")
    return variants


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kilnc", required=True)
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--variants", help="comma-separated; default: all this host runs")
    args = ap.parse_args()
    variants = args.variants.split(",") if args.variants else host_variants()
    os.makedirs(args.work, exist_ok=True)
    for name, m, inputs, ref, kernel in CASES:
        path, files, expected = write_case(args.work, name, m, inputs, ref)
        for variant in variants + ["none"]:
            ir = run([args.kilnc, path, "--microkernels=" + variant, "--compile-to=linalg",
                      "--no-locations"])
            marker = f'kiln_cpu.microkernel "{expected_kernel(kernel, variant, ref)}" "{variant}"'
            if (marker in ir) != (variant != "none"):
                sys.exit(f"FAILED: {name} with --microkernels={variant}: expected "
                         f"{'' if variant != 'none' else 'no '}{marker} in the IR")
            so = os.path.join(args.work, f"{name}.{variant}.so")
            run([args.kilnc, path, "-O2", "--microkernels=" + variant, "--emit=shared", "-o", so])
            # F(4x4)'s transforms round more than the others: about 1e-5
            # of the largest output over 300 channels (a wrong coefficient
            # is off by 1e-1 or more).
            tol = "5e-5" if expected_kernel(kernel, variant, ref) == "winograd3x3f4" else "1e-5"
            for threads in ("1", "2"):
                run([args.kiln_run, so, *files, "--expected", expected, "--threads", threads,
                     "--relative-max-error", tol, "--quiet"])
        kernels = sorted({expected_kernel(kernel, v, ref) for v in variants}) or [kernel]
        print(f"{name}: {' and '.join(kernels)} matches NumPy with " + ", ".join(variants) +
              " and none")
    print(f"all {len(CASES)} cases pass")


if __name__ == "__main__":
    main()
