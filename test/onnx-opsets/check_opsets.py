# ===- test/onnx-opsets/check_opsets.py - Old and new opsets against ORT --===#
#
# Models at ONNX opsets 18 to 23, made here with onnx.helper, one per op
# whose signature changed since opset 17 or that is new since then, and
# exporter-like models at opsets 7, 9, 11 and 13 whose symbolic dimensions
# (bound with --shape) flow through Shape/Gather/Concat into Reshape,
# Softmax, Resize and BatchNormalization. Each is compiled with kilnc as
# exported (the symbolic inputs bound to the fed shapes), run with kiln-run on
# seeded inputs, and compared with ONNX Runtime (test/Inputs/ort_reference.js,
# onnxruntime-node 1.30, which implements opset 23). Floats must agree to
# 1e-4 relative (max |error| / max |reference| where the output spans
# cancellation); integers and bools exactly. Skipped (77) without Node.js
# or onnxruntime-node (scripts/setup.sh installs both).
#
# Usage: check_opsets.py --kilnc KILNC --kiln-run KILN_RUN
#                        --node-modules DIR --work DIR [--only NAME]...
#
# ===--------------------------------------------------------------------===#

import argparse
import os
import shutil
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77

# The IR version each opset shipped with.
IR_VERSION = {7: 3, 9: 4, 10: 5, 11: 6, 12: 7, 13: 7, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10, 22: 10, 23: 11}

NP_TO_ONNX = {
    np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE,
    np.float16: TensorProto.FLOAT16, np.int8: TensorProto.INT8, np.int16: TensorProto.INT16,
    np.int32: TensorProto.INT32, np.int64: TensorProto.INT64, np.uint8: TensorProto.UINT8,
    np.uint16: TensorProto.UINT16, np.uint32: TensorProto.UINT32,
    np.uint64: TensorProto.UINT64, np.bool_: TensorProto.BOOL,
}

CASES = []


def case(name, opset, nodes, inputs, outputs, initializers=(), tolerance=1e-4, dims=None):
    """inputs: [(name, array)]; outputs: [(name, numpy dtype, shape)];
    dims: {input name: declared shape, with strings for symbolic dimensions}."""
    CASES.append(dict(name=name, opset=opset, nodes=nodes, inputs=inputs, outputs=outputs,
                      initializers=initializers, tolerance=tolerance, dims=dims or {}))


def rng(seed):
    return np.random.default_rng(seed)


def f32(seed, *shape, lo=-2.0, hi=2.0):
    return (rng(seed).random(shape) * (hi - lo) + lo).astype(np.float32)


def ints(seed, dtype, *shape, lo=-100, hi=100):
    return rng(seed).integers(lo, hi, size=shape).astype(dtype)


def i64(*values):
    return np.array(values, np.int64)


def node(op, ins, outs, **attrs):
    return helper.make_node(op, ins, outs, **attrs)


def make_cases():
    x = f32(1, 2, 3, 4, 5)
    # Reductions with axes as an input (18), keepdims both ways, every op.
    for op in ("ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
               "ReduceLogSumExp", "ReduceSumSquare"):
        case("reduce-axes-input-%s" % op, 18,
             [node(op, ["x", "axes"], ["y"], keepdims=1),
              node(op, ["x", "axes2"], ["z"], keepdims=0)],
             [("x", x)], [("y", np.float32, [2, 1, 4, 1]), ("z", np.float32, [2, 3, 4])],
             [("axes", i64(1, -1)), ("axes2", i64(3))])
    case("reduce-logsum-18", 18, [node("ReduceLogSum", ["x", "axes"], ["y"], keepdims=0)],
         [("x", f32(2, 3, 4, 5, lo=0.1, hi=3))], [("y", np.float32, [3, 5])], [("axes", i64(1))])
    case("reduce-noop-empty-axes-18", 18,
         [node("ReduceMean", ["x"], ["y"], noop_with_empty_axes=1),
          node("ReduceSumSquare", ["x"], ["z"], noop_with_empty_axes=1),
          node("ReduceMax", ["x"], ["w"], keepdims=0)],
         [("x", f32(3, 3, 4))],
         [("y", np.float32, [3, 4]), ("z", np.float32, [3, 4]), ("w", np.float32, [])])
    case("reduce-max-bool-20", 20, [node("ReduceMax", ["b", "axes"], ["y"], keepdims=0),
                                    node("ReduceMin", ["b", "axes"], ["z"], keepdims=0)],
         [("b", rng(4).random((4, 6)) > 0.7)],
         [("y", np.bool_, [4]), ("z", np.bool_, [4])], [("axes", i64(1))])
    # Split into num_outputs parts (18), the last one smaller.
    case("split-num-outputs-18", 18,
         [node("Split", ["x"], ["a", "b", "c"], axis=1, num_outputs=3)],
         [("x", f32(5, 2, 7))],
         [("a", np.float32, [2, 3]), ("b", np.float32, [2, 3]), ("c", np.float32, [2, 1])])
    # Pad over listed axes (18) and wrap mode (19).
    case("pad-axes-18", 18, [node("Pad", ["x", "pads", "", "axes"], ["y"], mode="reflect")],
         [("x", f32(6, 1, 2, 4, 5))], [("y", np.float32, [1, 2, 7, 6])],
         [("pads", i64(1, 0, 2, 1)), ("axes", i64(2, -1))])
    case("pad-constant-axes-18", 18,
         [node("Pad", ["x", "pads", "value", "axes"], ["y"])],
         [("x", f32(7, 2, 3))], [("y", np.float32, [2, 6])],
         [("pads", i64(1, 2)), ("value", np.array(1.5, np.float32)), ("axes", i64(1))])
    case("pad-wrap-19", 19, [node("Pad", ["x", "pads"], ["y"], mode="wrap")],
         [("x", f32(8, 1, 3, 4))], [("y", np.float32, [1, 7, 9])],
         [("pads", i64(0, 2, 3, 0, 2, 2))])
    # Resize with axes, keep_aspect_ratio_policy (18) and half_pixel_symmetric (19).
    case("resize-axes-sizes-18", 18,
         [node("Resize", ["x", "", "", "sizes"], ["y"], mode="linear", axes=[2, 3])],
         [("x", f32(9, 1, 2, 4, 6))], [("y", np.float32, [1, 2, 7, 9])],
         [("sizes", i64(7, 9))])
    case("resize-not-larger-18", 18,
         [node("Resize", ["x", "", "", "sizes"], ["y"], mode="linear", axes=[2, 3],
               keep_aspect_ratio_policy="not_larger")],
         [("x", f32(10, 1, 1, 4, 6))], [("y", np.float32, [1, 1, 6, 9])],
         [("sizes", i64(8, 9))])
    case("resize-not-smaller-18", 18,
         [node("Resize", ["x", "", "", "sizes"], ["y"], mode="nearest", axes=[3, 2],
               keep_aspect_ratio_policy="not_smaller")],
         [("x", f32(11, 1, 1, 4, 6))], [("y", np.float32, [1, 1, 8, 12])],
         [("sizes", i64(9, 8))])
    case("resize-half-pixel-symmetric-19", 19,
         [node("Resize", ["x", "", "scales"], ["y"], mode="linear",
               coordinate_transformation_mode="half_pixel_symmetric")],
         [("x", f32(12, 1, 1, 5, 4))], [("y", np.float32, [1, 1, 8, 10])],
         [("scales", np.array([1, 1, 1.7, 2.5], np.float32))])
    case("resize-antialias-upsample-18", 18,
         [node("Resize", ["x", "", "scales"], ["y"], mode="cubic", antialias=1)],
         [("x", f32(13, 1, 1, 3, 4))], [("y", np.float32, [1, 1, 6, 8])],
         [("scales", np.array([1, 1, 2, 2], np.float32))])
    # Scatters with max and min reductions (18).
    case("scatter-elements-max-18", 18,
         [node("ScatterElements", ["d", "i", "u"], ["y"], axis=1, reduction="max")],
         [("d", f32(14, 3, 5)), ("u", f32(15, 3, 4))], [("y", np.float32, [3, 5])],
         [("i", np.array([[0, 1, 0, 4], [2, 2, 3, 3], [4, 0, 4, 1]], np.int64))])
    case("scatter-nd-min-18", 18, [node("ScatterND", ["d", "i", "u"], ["y"], reduction="min")],
         [("d", f32(16, 4, 3)), ("u", f32(17, 3, 3))], [("y", np.float32, [4, 3])],
         [("i", np.array([[1], [3], [1]], np.int64))])
    # GridSample's renamed modes (20).
    for mode in ("linear", "cubic", "nearest"):
        case("gridsample-%s-20" % mode, 20,
             [node("GridSample", ["x", "g"], ["y"], mode=mode, padding_mode="border")],
             [("x", f32(18, 1, 2, 4, 5)), ("g", f32(19, 1, 3, 6, 2, lo=-1.1, hi=1.1))],
             [("y", np.float32, [1, 2, 3, 6])])
    # GridSample's N-D form (20): a volume [N, C, D, H, W] sampled by a
    # grid of (x, y, z), every padding mode, with and without align_corners.
    for mode, padding, align in (("linear", "zeros", 0), ("linear", "border", 1),
                                 ("linear", "reflection", 0), ("nearest", "zeros", 1),
                                 ("nearest", "reflection", 0), ("linear", "reflection", 1)):
        case("gridsample-3d-%s-%s-align%d-20" % (mode, padding, align), 20,
             [node("GridSample", ["x", "g"], ["y"], mode=mode, padding_mode=padding,
                   align_corners=align)],
             [("x", f32(23, 2, 3, 4, 5, 6)), ("g", f32(24, 2, 3, 2, 4, 3, lo=-1.3, hi=1.3))],
             [("y", np.float32, [2, 3, 3, 2, 4])])
    # DFT's axis as an input (20).
    case("dft-axis-input-20", 20, [node("DFT", ["x", "", "axis"], ["y"])],
         [("x", f32(20, 2, 6, 5, 1))], [("y", np.float32, [2, 6, 5, 2])],
         [("axis", np.array(1, np.int64))])
    case("dft-default-axis-20", 20, [node("DFT", ["x"], ["y"], onesided=1)],
         [("x", f32(21, 3, 8, 1))], [("y", np.float32, [3, 5, 2])])
    # Quantization: per axis at 19, blocked at 21, output_dtype at 21.
    case("quantize-per-axis-19", 19,
         [node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=1),
          node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=1)],
         [("x", f32(22, 2, 3, 4))], [("q", np.int8, [2, 3, 4]), ("y", np.float32, [2, 3, 4])],
         [("s", np.array([0.01, 0.02, 0.05], np.float32)), ("z", np.array([0, 3, -2], np.int8))])
    case("quantize-blocked-21", 21,
         [node("QuantizeLinear", ["x", "s", "z"], ["q"], axis=1, block_size=2),
          node("DequantizeLinear", ["q", "s", "z"], ["y"], axis=1, block_size=2)],
         [("x", f32(23, 3, 5))], [("q", np.uint8, [3, 5]), ("y", np.float32, [3, 5])],
         [("s", f32(24, 3, 3, lo=0.01, hi=0.03)),
          ("z", ints(25, np.uint8, 3, 3, lo=100, hi=150))])
    case("quantize-output-dtype-21", 21,
         [node("QuantizeLinear", ["x", "s"], ["q"], output_dtype=TensorProto.INT8)],
         [("x", f32(26, 4, 4))], [("q", np.int8, [4, 4])], [("s", np.array(0.02, np.float32))])
    # Cast and CastLike at 19 (saturate only applies to float8 targets, which
    # ONNX Runtime refuses it for otherwise).
    case("cast-19", 19,
         [node("Cast", ["x"], ["y"], to=TensorProto.INT32),
          node("CastLike", ["x", "like"], ["z"])],
         [("x", f32(27, 3, 4, lo=-50, hi=50))],
         [("y", np.int32, [3, 4]), ("z", np.float64, [3, 4])],
         [("like", np.zeros([1], np.float64))])
    # New ops.
    case("gelu-20", 20, [node("Gelu", ["x"], ["y"])], [("x", f32(28, 4, 7, lo=-5, hi=5))],
         [("y", np.float32, [4, 7])])
    case("gelu-tanh-20", 20, [node("Gelu", ["x"], ["y"], approximate="tanh")],
         [("x", f32(29, 4, 7, lo=-5, hi=5))], [("y", np.float32, [4, 7])])
    case("mish-18", 18, [node("Mish", ["x"], ["y"])], [("x", f32(30, 4, 7, lo=-30, hi=30))],
         [("y", np.float32, [4, 7])])
    for dtype in (np.int32, np.uint8, np.int64):
        lo, hi = (0, 256) if dtype == np.uint8 else (-1000, 1000)
        case("bitwise-%s-18" % np.dtype(dtype).name, 18,
             [node("BitwiseAnd", ["a", "b"], ["and"]), node("BitwiseOr", ["a", "b"], ["or"]),
              node("BitwiseXor", ["a", "b"], ["xor"]), node("BitwiseNot", ["a"], ["not"])],
             [("a", ints(31, dtype, 3, 4, lo=lo, hi=hi)), ("b", ints(32, dtype, 4, lo=lo, hi=hi))],
             [("and", dtype, [3, 4]), ("or", dtype, [3, 4]), ("xor", dtype, [3, 4]),
              ("not", dtype, [3, 4])])
    case("group-norm-18", 18,
         [node("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=2, epsilon=1e-3)],
         [("x", f32(33, 2, 6, 3, 4))], [("y", np.float32, [2, 6, 3, 4])],
         [("s", f32(34, 2)), ("b", f32(35, 2))])
    case("group-norm-21", 21,
         [node("GroupNormalization", ["x", "s", "b"], ["y"], num_groups=3)],
         [("x", f32(36, 2, 6, 5))], [("y", np.float32, [2, 6, 5])],
         [("s", f32(37, 6)), ("b", f32(38, 6))])
    case("rms-norm-23", 23,
         [node("RMSNormalization", ["x", "s"], ["y"], axis=-2, epsilon=1e-4)],
         [("x", f32(39, 2, 3, 4, 5))], [("y", np.float32, [2, 3, 4, 5])],
         [("s", f32(40, 4, 5))])
    case("lp-pool-18", 18,
         [node("LpPool", ["x"], ["y"], kernel_shape=[2, 3], strides=[1, 2], pads=[1, 1, 0, 1]),
          node("LpPool", ["x"], ["z"], kernel_shape=[3, 3], p=1)],
         [("x", f32(41, 1, 2, 5, 6))], [("y", np.float32, [1, 2, 5, 3]),
                                        ("z", np.float32, [1, 2, 3, 4])])
    # Dilated windows: AveragePool (19) without and with count_include_pad
    # and ceil_mode, 1-D and 3-D, and LpPool (18).
    case("average-pool-dilations-19", 19,
         [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 2], dilations=[2, 3],
               pads=[2, 1, 1, 1], strides=[1, 2]),
          node("AveragePool", ["x"], ["z"], kernel_shape=[2, 2], dilations=[2, 2],
               pads=[1, 1, 1, 1], count_include_pad=1),
          node("AveragePool", ["x"], ["w"], kernel_shape=[2, 2], dilations=[2, 1], strides=[2, 3],
               ceil_mode=1)],
         [("x", f32(80, 2, 3, 9, 10))],
         [("y", np.float32, [2, 3, 8, 5]), ("z", np.float32, [2, 3, 9, 10]),
          ("w", np.float32, [2, 3, 4, 4])])
    case("average-pool-dilations-1d-3d-19", 19,
         [node("AveragePool", ["x"], ["y"], kernel_shape=[3], dilations=[2], pads=[1, 2]),
          node("AveragePool", ["v"], ["z"], kernel_shape=[2, 2, 2], dilations=[2, 1, 2],
               pads=[1, 0, 1, 0, 1, 1])],
         [("x", f32(81, 1, 2, 11)), ("v", f32(82, 1, 2, 5, 4, 6))],
         [("y", np.float32, [1, 2, 10]), ("z", np.float32, [1, 2, 4, 4, 6])])
    case("lp-pool-dilations-18", 18,
         [node("LpPool", ["x"], ["y"], kernel_shape=[2, 2], dilations=[2, 2], pads=[1, 0, 1, 0])],
         [("x", f32(83, 1, 2, 7, 6))], [("y", np.float32, [1, 2, 7, 4])])
    case("lp-pool-p3-18", 18, [node("LpPool", ["x"], ["y"], kernel_shape=[2], p=3)],
         [("x", f32(42, 1, 3, 6))], [("y", np.float32, [1, 3, 5])])
    case("center-crop-pad-18", 18,
         [node("CenterCropPad", ["x", "shape"], ["y"]),
          node("CenterCropPad", ["x", "shape2"], ["z"], axes=[-1, 1])],
         [("x", f32(44, 5, 4, 7))], [("y", np.float32, [3, 6, 7]), ("z", np.float32, [5, 7, 2])],
         [("shape", i64(3, 6, 7)), ("shape2", i64(2, 7))])
    for align in (0, 1):
        case("affine-grid-2d-align%d-20" % align, 20,
             [node("AffineGrid", ["theta", "size"], ["grid"], align_corners=align)],
             [("theta", f32(45 + align, 2, 2, 3))], [("grid", np.float32, [2, 4, 5, 2])],
             [("size", i64(2, 3, 4, 5))])
    case("affine-grid-3d-20", 20, [node("AffineGrid", ["theta", "size"], ["grid"])],
         [("theta", f32(47, 1, 3, 4))], [("grid", np.float32, [1, 2, 3, 4, 3])],
         [("size", i64(1, 1, 2, 3, 4))])
    # RotaryEmbedding: 4-D with position ids, 3-D interleaved, partial rotation.
    cos_cache = np.cos(np.outer(np.arange(16), 1.0 / 10000 ** (np.arange(4) / 4))).astype(np.float32)
    sin_cache = np.sin(np.outer(np.arange(16), 1.0 / 10000 ** (np.arange(4) / 4))).astype(np.float32)
    case("rotary-embedding-23", 23,
         [node("RotaryEmbedding", ["x", "cos", "sin", "pos"], ["y"])],
         [("x", f32(48, 2, 3, 5, 8))], [("y", np.float32, [2, 3, 5, 8])],
         [("cos", cos_cache), ("sin", sin_cache),
          ("pos", np.array([[0, 1, 2, 3, 4], [3, 4, 5, 6, 7]], np.int64))])
    case("rotary-embedding-interleaved-23", 23,
         [node("RotaryEmbedding", ["x", "cos", "sin", "pos"], ["y"], interleaved=1,
               num_heads=2)],
         [("x", f32(49, 1, 4, 16))], [("y", np.float32, [1, 4, 16])],
         [("cos", cos_cache), ("sin", sin_cache), ("pos", np.array([[2, 3, 4, 5]], np.int64))])
    case("rotary-embedding-partial-23", 23,
         [node("RotaryEmbedding", ["x", "cos", "sin"], ["y"], rotary_embedding_dim=4)],
         [("x", f32(50, 1, 2, 3, 10)), ("cos", f32(51, 1, 3, 2)), ("sin", f32(52, 1, 3, 2))],
         [("y", np.float32, [1, 2, 3, 10])])
    # Attention: 4-D, grouped heads with past keys, causal and a float mask;
    # 3-D with heads attributes, a bool mask, softcap and every output.
    case("attention-4d-23", 23, [node("Attention", ["q", "k", "v"], ["y"])],
         [("q", f32(53, 2, 3, 4, 8)), ("k", f32(54, 2, 3, 6, 8)), ("v", f32(55, 2, 3, 6, 5))],
         [("y", np.float32, [2, 3, 4, 5])])
    case("attention-gqa-past-causal-23", 23,
         [node("Attention", ["q", "k", "v", "mask", "pk", "pv"], ["y", "key", "value"],
               is_causal=1, scale=0.3)],
         [("q", f32(56, 1, 4, 3, 8)), ("k", f32(57, 1, 2, 3, 8)), ("v", f32(58, 1, 2, 3, 8)),
          ("mask", f32(59, 3, 5)), ("pk", f32(60, 1, 2, 2, 8)), ("pv", f32(61, 1, 2, 2, 8))],
         [("y", np.float32, [1, 4, 3, 8]), ("key", np.float32, [1, 2, 5, 8]),
          ("value", np.float32, [1, 2, 5, 8])])
    case("attention-3d-softcap-23", 23,
         [node("Attention", ["q", "k", "v", "mask"], ["y", "", "", "qk"], q_num_heads=2,
               kv_num_heads=2, softcap=2.0, qk_matmul_output_mode=3)],
         [("q", f32(62, 2, 4, 12)), ("k", f32(63, 2, 5, 12)), ("v", f32(64, 2, 5, 6)),
          ("mask", np.concatenate([np.ones((4, 1), bool), rng(65).random((4, 4)) > 0.3], 1))],
         [("y", np.float32, [2, 4, 6]), ("qk", np.float32, [2, 2, 4, 5])])
    for mode, softcap in ((0, 1.5), (1, 1.5), (2, 1.5), (1, 0.0), (2, 0.0)):
        case("attention-qk-output-mode%d-softcap%g-23" % (mode, softcap), 23,
             [node("Attention", ["q", "k", "v", "mask"], ["y", "", "", "qk"], softcap=softcap,
                   qk_matmul_output_mode=mode)],
             [("q", f32(66, 1, 2, 3, 4)), ("k", f32(67, 1, 2, 3, 4)), ("v", f32(68, 1, 2, 3, 4)),
              ("mask", f32(69, 1, 1, 3, 3))],
             [("y", np.float32, [1, 2, 3, 4]), ("qk", np.float32, [1, 2, 3, 3])])
    # Col2Im (18): blocks summed back into images, overlapping (stride 1),
    # strided with pads and dilations, and a tail no block reaches.
    case("col2im-overlap-18", 18, [node("Col2Im", ["x", "image", "block"], ["y"])],
         [("x", f32(70, 2, 3 * 4, 9))], [("y", np.float32, [2, 3, 4, 4])],
         [("image", i64(4, 4)), ("block", i64(2, 2))])
    case("col2im-strided-18", 18,
         [node("Col2Im", ["x", "image", "block"], ["y"], strides=[2, 1], dilations=[1, 2],
               pads=[1, 0, 0, 1])],
         [("x", f32(71, 1, 2 * 6, 12))], [("y", np.float32, [1, 2, 7, 5])],
         [("image", i64(7, 5)), ("block", i64(3, 2))])
    case("col2im-1d-18", 18, [node("Col2Im", ["x", "image", "block"], ["y"], strides=[3])],
         [("x", f32(72, 1, 2 * 2, 3))], [("y", np.float32, [1, 2, 9])],
         [("image", i64(9)), ("block", i64(2))])
    # An exporter-like model at opset 23: shapes computed through
    # Shape/Gather/Concat into a Reshape, a newer op in between.
    case("shape-chain-23", 23,
         [node("Gelu", ["x"], ["g"]), node("Shape", ["g"], ["s"]),
          node("Gather", ["s", "zero"], ["n"], axis=0),
          node("Concat", ["n", "minus1"], ["target"], axis=0),
          node("Reshape", ["g", "target"], ["r"]),
          node("ReduceMean", ["r", "one"], ["y"], keepdims=0)],
         [("x", f32(43, 3, 4, 5))], [("y", np.float32, [3])],
         [("zero", i64(0)), ("minus1", i64(-1)), ("one", i64(1))])


def make_old_opset_cases():
    """Exporter-like models at opsets 7 to 13 with symbolic N, H and W: the
    shapes reach Reshape, Softmax (whose 12 -> 13 conversion needs its input's
    shape), Upsample/Resize and BatchNormalization through shape arithmetic."""
    for opset in (7, 9, 11, 13):
        unsqueeze = (lambda i, o: node("Unsqueeze", [i, "zero1"], [o])) if opset >= 13 else \
            (lambda i, o: node("Unsqueeze", [i], [o], axes=[0]))
        bn = dict(spatial=1) if opset < 9 else {}
        x = f32(100 + opset, 2, 3, 4, 5)
        # Flatten per sample through a computed shape, Softmax over the
        # flattened row, a 4-D Softmax (coerced to 2-D before opset 13),
        # back to x's shape, then BatchNormalization.
        case("old-shape-softmax-bn-%d" % opset, opset,
             [node("Shape", ["x"], ["s"]),
              node("Gather", ["s", "zero"], ["n"], axis=0),
              unsqueeze("n", "n1"),
              node("Concat", ["n1", "minus1"], ["flat_shape"], axis=0),
              node("Reshape", ["x", "flat_shape"], ["flat"]),
              node("Softmax", ["flat"], ["p"], axis=1),
              node("Reshape", ["p", "s"], ["p4"]),
              node("Softmax", ["p4"], ["q"], axis=2),
              node("BatchNormalization", ["q", "scale", "bias", "mean", "var"], ["y"],
                   epsilon=1e-3, **bn)],
             [("x", x)], [("y", np.float32, ["N", 3, "H", "W"])],
             [("zero", np.array(0, np.int64)), ("zero1", i64(0)), ("minus1", i64(-1)),
              ("scale", f32(1, 3, lo=0.5, hi=1.5)), ("bias", f32(2, 3)),
              ("mean", f32(3, 3, lo=-0.1, hi=0.1)), ("var", f32(4, 3, lo=0.5, hi=2))],
             dims={"x": ["N", 3, "H", "W"]})
        # Upsampling by two: Upsample with constant scales before opset 10
        # (an attribute at 7), Resize to sizes computed from Shape(x) after.
        if opset == 7:
            up = [node("Upsample", ["x"], ["u"], mode="nearest", scales=[1.0, 1.0, 2.0, 2.0])]
        elif opset == 9:
            up = [node("Upsample", ["x", "scales"], ["u"], mode="nearest")]
        else:
            slice_ = (lambda i, o, a, b: node("Slice", [i, a, b], [o]))
            up = [node("Shape", ["x"], ["s"]),
                  slice_("s", "nc", "start0", "start2"),
                  slice_("s", "hw", "start2", "start4"),
                  node("Mul", ["hw", "two"], ["hw2"]),
                  node("Concat", ["nc", "hw2"], ["sizes"], axis=0),
                  node("Resize", ["x", "roi", "noscales", "sizes"], ["u"], mode="nearest",
                       coordinate_transformation_mode="asymmetric", nearest_mode="floor")]
        case("old-shape-upsample-%d" % opset, opset,
             up + [node("Shape", ["u"], ["us"]),
                   node("Gather", ["us", "one"], ["c"], axis=0),
                   unsqueeze("c", "c1"),
                   node("Concat", ["minus1", "c1"], ["rows"], axis=0),
                   node("Reshape", ["u", "rows"], ["r"]),
                   node("Softmax", ["r"], ["y"], axis=1)],
             [("x", f32(110 + opset, 2, 3, 4, 5))], [("y", np.float32, ["M", 3])],
             [("scales", np.array([1, 1, 2, 2], np.float32)), ("one", np.array(1, np.int64)),
              ("zero1", i64(0)), ("minus1", i64(-1)), ("start0", i64(0)), ("start2", i64(2)),
              ("start4", i64(4)), ("two", i64(2)), ("roi", np.zeros(0, np.float32)),
              ("noscales", np.zeros(0, np.float32))],
             dims={"x": ["N", 3, "H", "W"]})


def make_unsigned_cases():
    """uint64 Div and Mod, with dividends and divisors on both sides of
    2^63 (kiln's integers are signed)."""
    big = np.array([2**64 - 1, 2**63, 2**63 + 12345, 7, 2**63 - 1, 10**19, 0, 99], np.uint64)
    div = np.array([3, 2**63 + 1, 2**63, 2**64 - 1, 2**63 - 1, 7, 5, 2**32 + 3], np.uint64)
    case("uint64-div-mod-13", 13,
         [node("Div", ["a", "b"], ["q"]), node("Mod", ["a", "b"], ["r"])],
         [("a", big), ("b", div)], [("q", np.uint64, [8]), ("r", np.uint64, [8])])


def make_einsum_diagonal_cases():
    """Einsum with a letter repeated in one operand: diagonals and traces."""
    for eq, shapes, out in (("...ii->...i", [(2, 3, 4, 4)], [2, 3, 4]),
                            ("ii", [(5, 5)], []),
                            ("iji,jk->ik", [(3, 4, 3), (4, 2)], [3, 2]),
                            ("bii,bij->bj", [(2, 3, 3), (2, 3, 5)], [2, 5])):
        names = ["x%d" % i for i in range(len(shapes))]
        case("einsum-diagonal-%s-12" % eq.replace("...", "E").replace("->", "_to_")
             .replace(",", "_"), 12,
             [node("Einsum", names, ["y"], equation=eq)],
             [(nm, f32(200 + i, *s)) for i, (nm, s) in enumerate(zip(names, shapes))],
             [("y", np.float32, out)])


def make_mel_cases():
    """MelWeightMatrix of constant inputs, int32 and int64 sizes."""
    for dt, (bins, dft, rate, lo, hi) in ((np.int64, (10, 64, 16000, 100.0, 7000.0)),
                                          (np.int32, (8, 16, 8192, 0.0, 4096.0))):
        case("melweightmatrix-%s-17" % np.dtype(dt).name, 17,
             [node("MelWeightMatrix", ["bins", "dft", "rate", "lo", "hi"], ["w"]),
              node("MatMul", ["x", "w"], ["y"])],
             [("x", f32(300, 2, dft // 2 + 1))], [("y", np.float32, [2, bins])],
             [("bins", np.array(bins, dt)), ("dft", np.array(dft, dt)),
              ("rate", np.array(rate, dt)), ("lo", np.array(lo, np.float32)),
              ("hi", np.array(hi, np.float32))])


def make_det_cases():
    """Det: a batch of random matrices, a matrix that needs row swaps (a
    zero in the first pivot position) and a singular one."""
    swaps = np.array([[0, 2, 1, 3], [1, 1, 0, 2], [4, 0, 3, 1], [2, 3, 1, 0]], np.float32)
    singular = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], np.float32)
    case("det-batch-11", 11, [node("Det", ["x"], ["y"])], [("x", f32(400, 2, 3, 5, 5))],
         [("y", np.float32, [2, 3])])
    case("det-pivots-11", 11, [node("Det", ["x"], ["y"]), node("Det", ["s"], ["z"])],
         [("x", swaps), ("s", singular)], [("y", np.float32, []), ("z", np.float32, [])],
         tolerance=1e-5)


def make_bfloat16_cases():
    """bfloat16: f32 rounded to bf16 (to nearest, ties to even) and back,
    and a bf16 initializer (NumPy has no bfloat16: its bit patterns)."""
    x = np.concatenate([f32(500, 29), np.array([1 + 2**-8, 1 + 3 * 2**-8, -(1 + 2**-8),
                                                  300.7, 1e-3], np.float32)])
    w = helper.make_tensor("w", TensorProto.BFLOAT16, [2], [0x3fc0, 0xc020])  # 1.5, -2.5
    case("cast-bfloat16-13", 13,
         [node("Cast", ["x"], ["b"], to=TensorProto.BFLOAT16),
          node("Cast", ["b"], ["y"], to=TensorProto.FLOAT),
          node("Cast", ["w"], ["wf"], to=TensorProto.FLOAT),
          node("Mul", ["y", "two"], ["y2"]),
          node("Concat", ["y2", "wf"], ["z"], axis=0)],
         [("x", x)], [("z", np.float32, [36])],
         [("w", w), ("two", np.array(2, np.float32))], tolerance=1e-7)


FLOAT8_TYPES = {17: "e4m3fn", 18: "e4m3fnuz", 19: "e5m2", 20: "e5m2fnuz"}


def make_float8_cases():
    """Cast and CastLike to and from the float8 types (opset 19's ONNX 1.14
    data types 17 to 20), saturating and not: magnitudes from 2^-20 to
    2^17 (subnormals, rounding ties, overflow), +-0, +-inf and NaN; f16,
    int32 and float8 initializers as sources. Two ranges are left out of
    the non-saturating casts, where ONNX Runtime 1.30 departs from the
    ONNX specification and its reference implementation (Kiln follows
    them): E4M3FN values in [480, 488) give 448 there (NaN in the
    specification), and E5M2 values in (57344, 65536) that round up give
    NaN there (infinity: 0x7B | 0x7C instead of 0x7C)."""
    r = rng(700)
    magnitudes = np.exp2(r.uniform(-20, 17, 400)) * np.where(r.random(400) < 0.5, -1, 1)
    ties = np.array([1.0625, 1.1875, -1.0625, 1.125 + 2**-5, 2**-8 * 1.5, 2**-7 * 0.75,
                     2**-9 * 1.5, 2**-10, 2**-17, 2**-16 * 1.5, 464.0, 472.0, 240.0, 248.0,
                     244.0, 57344.0, 61440.0, 60000.0, 65504.0, 1e6], np.float64)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], np.float64)
    x = np.concatenate([magnitudes, ties, -ties, specials]).astype(np.float32)
    departs = {17: (480, 488), 19: (57344, 65536)}
    for to, name in FLOAT8_TYPES.items():
        for saturate in (1, 0):
            xs = x
            if not saturate and to in departs:
                lo, hi = departs[to]
                xs = x[~((np.abs(x) > lo) & (np.abs(x) < hi))]
            for opset in ((19, 21, 23) if saturate and to == 17 else (19,)):
                case("cast-float8%s-sat%d-%d" % (name, saturate, opset), opset,
                     [node("Cast", ["x"], ["q"], to=to, saturate=saturate),
                      node("Cast", ["q"], ["y"], to=TensorProto.FLOAT)],
                     [("x", xs)], [("y", np.float32, [xs.size])], tolerance=0)
    x = x[~((np.abs(x) > 57344) & (np.abs(x) < 65536))]
    # Other sources and targets: f16 and int32 in, f16 and int64 out, and
    # CastLike against a float8 initializer (raw bytes) that is also read.
    h = (np.exp2(r.uniform(-12, 15, 64)) * np.where(r.random(64) < 0.5, -1, 1)).astype(np.float16)
    n = r.integers(-70000, 70000, 64).astype(np.int32)
    like = TensorProto(name="like", data_type=19, dims=[4],
                       raw_data=b"\x3c\xbc\x7b\x01")  # E5M2: 1, -1, largest, smallest
    case("cast-float8-sources-19", 19,
         [node("Cast", ["h"], ["hq"], to=17),
          node("Cast", ["hq"], ["hy"], to=TensorProto.FLOAT16),
          node("Cast", ["n"], ["nq"], to=19, saturate=1),
          node("Cast", ["nq"], ["ny"], to=TensorProto.INT64),
          node("CastLike", ["x", "like"], ["lq"], saturate=0),
          node("Cast", ["lq"], ["ly"], to=TensorProto.FLOAT),
          node("Cast", ["like"], ["w"], to=TensorProto.FLOAT)],
         [("h", h), ("n", n), ("x", x)],
         [("hy", np.float16, [64]), ("ny", np.int64, [64]), ("ly", np.float32, [x.size]),
          ("w", np.float32, [4])],
         [("like", like)], tolerance=0)


def make_roialign_cases():
    """RoiAlign with regions given at run time: both modes, both coordinate
    conventions, two images, regions past the edges and a spatial scale."""
    x = f32(600, 2, 3, 9, 11)
    rois = np.array([[0.5, 1.0, 7.5, 6.0], [-2.0, -1.5, 3.0, 12.0], [4.0, 2.0, 4.5, 2.5],
                     [9.0, 0.0, 14.0, 8.0]], np.float32)
    batch = np.array([0, 1, 1, 0], np.int64)
    for mode, coords, opset in (("avg", "half_pixel", 16), ("max", "half_pixel", 16),
                                ("avg", "output_half_pixel", 16), ("avg", None, 10)):
        attrs = dict(mode=mode, output_height=3, output_width=4, sampling_ratio=2,
                     spatial_scale=0.9)
        if coords:
            attrs["coordinate_transformation_mode"] = coords
        case("roialign-%s-%s-%d" % (mode, coords or "default", opset), opset,
             [node("RoiAlign", ["x", "rois", "batch"], ["y"], **attrs)],
             [("x", x), ("rois", rois), ("batch", batch)], [("y", np.float32, [4, 3, 3, 4])])


def build(c):
    inputs = [helper.make_tensor_value_info(name, NP_TO_ONNX[a.dtype.type],
                                            c["dims"].get(name, list(a.shape)))
              for name, a in c["inputs"]]
    outputs = [helper.make_tensor_value_info(name, NP_TO_ONNX[np.dtype(t).type], shape)
               for name, t, shape in c["outputs"]]
    used = {i for n in c["nodes"] for i in n.input}
    inits = [a if isinstance(a, TensorProto) else numpy_helper.from_array(np.asarray(a), name)
             for name, a in c["initializers"] if name in used]
    if IR_VERSION[c["opset"]] < 4:  # initializers were graph inputs too
        inputs += [helper.make_tensor_value_info(t.name, t.data_type, list(t.dims))
                   for t in inits]
    graph = helper.make_graph(c["nodes"], c["name"], inputs, outputs, initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", c["opset"])],
                             ir_version=IR_VERSION[c["opset"]], producer_name="check_opsets")


def run(cmd, env=None):
    return subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--node-modules", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--only", action="append", default=[])
    args = parser.parse_args()
    if shutil.which("node") is None or \
            not os.path.isdir(os.path.join(args.node_modules, "onnxruntime-node")):
        print("SKIP: needs node and onnxruntime-node in %s; scripts/setup.sh installs them" %
              args.node_modules)
        sys.exit(SKIP)
    make_cases()
    make_old_opset_cases()
    make_unsigned_cases()
    make_einsum_diagonal_cases()
    make_mel_cases()
    make_det_cases()
    make_bfloat16_cases()
    make_float8_cases()
    make_roialign_cases()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    env = dict(os.environ, NODE_PATH=args.node_modules)
    failures = []
    ops = set()
    for c in CASES:
        if args.only and c["name"] not in args.only:
            continue
        d = os.path.join(args.work, c["name"])
        os.makedirs(os.path.join(d, "ort"))
        model = os.path.join(d, "model.onnx")
        with open(model, "wb") as f:
            f.write(build(c).SerializeToString())
        feeds = []
        for i, (_, a) in enumerate(c["inputs"]):
            feeds.append(os.path.join(d, "input%d.npy" % i))
            np.save(feeds[-1], a)
        ort = run(["node", os.path.join(HERE, "..", "Inputs", "ort_reference.js"), model,
                   os.path.join(d, "ort")] + feeds, env)
        if ort.returncode:
            failures.append(c["name"])
            print("FAIL %s (opset %d): ONNX Runtime: %s" % (c["name"], c["opset"],
                                                           ort.stdout.strip()))
            continue
        lib = os.path.join(d, "model.so")
        shapes = []
        for name, a in c["inputs"]:
            if name in c["dims"]:
                shapes += ["--shape", "%s=%s" % (name, "x".join(str(d) for d in a.shape))]
        compiled = run([args.kilnc, model, "--emit=shared", "-o", lib] + shapes)
        if compiled.returncode:
            failures.append(c["name"])
            print("FAIL %s (opset %d): kilnc: %s" % (c["name"], c["opset"],
                                                    compiled.stdout.strip()))
            continue
        cmd = [args.kiln_run, lib, "--quiet", "--relative-max-error", str(c["tolerance"])]
        for f in feeds:
            cmd += ["--input", f]
        for i in range(len(c["outputs"])):
            cmd += ["--expected", os.path.join(d, "ort", "%d.npy" % i)]
        result = run(cmd)
        if result.returncode:
            failures.append(c["name"])
            print("FAIL %s (opset %d): %s" % (c["name"], c["opset"], result.stdout.strip()))
            continue
        ops.update(n.op_type for n in c["nodes"])
        print("ok   %s (opset %d)" % (c["name"], c["opset"]))
    total = len([c for c in CASES if not args.only or c["name"] in args.only])
    print("%d of %d models match ONNX Runtime; ops covered: %s" %
          (total - len(failures), total, " ".join(sorted(ops))))
    if failures:
        sys.exit("FAIL: " + " ".join(failures))


if __name__ == "__main__":
    main()
