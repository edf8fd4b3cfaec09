#!/usr/bin/env python3
"""Checks the float8 types end to end against an oracle written here.

`check_float8.py --kilnc K --kiln-run R --work DIR`

For each of f8E4M3FN, f8E4M3FNUZ, f8E5M2 and f8E5M2FNUZ, one opset-19
model takes a float8 graph input and gives float8 graph outputs, so the
types cross the C interface (uint8_t bit patterns; kiln-run reads and
writes them as uint8 .npy files):

  - all 256 bit patterns in, decoded to f32 (every encoding: zeros,
    subnormals, normals, the largest values, infinities and NaNs);
  - f32 values in, cast to the type with saturate = 1 and with
    saturate = 0, out as bit patterns;
  - the 256 patterns cast to each other float8 type.

The oracle decodes each pattern from the format's definition, and encodes
by search: the nearest finite value (ties to the even pattern), with
overflow to the largest finite value (saturate), to infinity (E5M2) or to
NaN. The f32 inputs cover 2^-20 to 2^17 with every rounding tie near the
subnormal boundary, the largest values and the overflow threshold.
"""
import argparse
import math
import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper

FORMATS = {  # ONNX data type: (name, exponent bits, mantissa bits, bias, fnuz, inf)
    17: ("f8E4M3FN", 4, 3, 7, False, False),
    18: ("f8E4M3FNUZ", 4, 3, 8, True, False),
    19: ("f8E5M2", 5, 2, 15, False, True),
    20: ("f8E5M2FNUZ", 5, 2, 16, True, False),
}


def decode(fmt, code):
    _, ebits, mbits, bias, fnuz, inf = fmt
    sign = -1.0 if code & 0x80 else 1.0
    e, m = (code >> mbits) & ((1 << ebits) - 1), code & ((1 << mbits) - 1)
    if fnuz and code == 0x80:
        return math.nan
    if not fnuz and inf and e == (1 << ebits) - 1:
        return sign * math.inf if m == 0 else math.nan
    if not fnuz and not inf and e == (1 << ebits) - 1 and m == (1 << mbits) - 1:
        return math.nan
    if e == 0:
        return sign * m * 2.0 ** (1 - bias - mbits)
    return sign * (1 + m / 2.0 ** mbits) * 2.0 ** (e - bias)


def encode(fmt, x, saturate):
    finite = [(decode(fmt, c), c) for c in range(256)]
    finite = [(v, c) for v, c in finite if math.isfinite(v) and not (fmt[4] and c == 0x80)]
    largest = max(v for v, _ in finite)
    nan = 0x80 if fmt[4] else (0x7E if fmt[5] else 0x7F)
    if math.isnan(x):
        return nan
    if abs(x) > largest:
        # Past the largest value: what rounding to nearest would give.
        step = largest - max(v for v, _ in finite if v < largest)
        if saturate:
            return next(c for v, c in finite if v == math.copysign(largest, x))
        if abs(x) < largest + step / 2 or (abs(x) == largest + step / 2 and
                                           not (next(c for v, c in finite if v == largest) & 1)):
            return next(c for v, c in finite if v == math.copysign(largest, x))
        if fmt[5]:
            return 0xFC if x < 0 else 0x7C
        return nan
    best = None
    for v, c in finite:
        if fmt[4] and v == 0 and c != 0:
            continue
        if not fmt[4] and v == 0 and (c == 0x80) != (math.copysign(1, x) < 0):
            continue  # -0 keeps its sign
        d = abs(v - x)
        if best is None or d < best[0] or (d == best[0] and (c & 1) == 0 and (best[1] & 1)):
            best = (d, c)
    return best[1]


def inputs_f32():
    rng = np.random.default_rng(8)
    mags = np.exp2(rng.uniform(-20, 17, 600)) * np.where(rng.random(600) < 0.5, -1, 1)
    grid = []
    for fmt in FORMATS.values():
        vals = sorted({decode(fmt, c) for c in range(256) if math.isfinite(decode(fmt, c))})
        for a, b in zip(vals, vals[1:]):
            if a >= 0:
                grid += [(a + b) / 2, a + (b - a) * 0.49, a + (b - a) * 0.51]
        top = vals[-1] - vals[-2]
        grid += [vals[-1] + top * f for f in (0.25, 0.5, 0.75, 1.0, 3.0)]
    grid = np.array(grid)
    specials = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30])
    return np.concatenate([mags, grid, -grid, specials]).astype(np.float32)


def build(to, n):
    name = FORMATS[to][0]
    others = [t for t in FORMATS if t != to]
    nodes = [helper.make_node("Cast", ["q"], ["decoded"], to=TensorProto.FLOAT),
             helper.make_node("Cast", ["x"], ["sat"], to=to),
             helper.make_node("Cast", ["x"], ["nosat"], to=to, saturate=0)]
    outputs = [helper.make_tensor_value_info("decoded", TensorProto.FLOAT, [256]),
               helper.make_tensor_value_info("sat", to, [n]),
               helper.make_tensor_value_info("nosat", to, [n])]
    for t in others:
        nodes.append(helper.make_node("Cast", ["q"], ["to%d" % t], to=t))
        outputs.append(helper.make_tensor_value_info("to%d" % t, t, [256]))
    graph = helper.make_graph(nodes, name,
                              [helper.make_tensor_value_info("q", to, [256]),
                               helper.make_tensor_value_info("x", TensorProto.FLOAT, [n])],
                              outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)], ir_version=9)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    x = inputs_f32()
    codes = np.arange(256, dtype=np.uint8)
    failures = 0
    for to, fmt in FORMATS.items():
        d = os.path.join(args.work, fmt[0])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(build(to, x.size).SerializeToString())
        np.save(os.path.join(d, "q.npy"), codes)
        np.save(os.path.join(d, "x.npy"), x)
        lib = os.path.join(d, "model.so")
        for cmd in ([args.kilnc, os.path.join(d, "model.onnx"), "--emit=shared", "-o", lib],
                    [args.kiln_run, lib, "--quiet", "--input", os.path.join(d, "q.npy"),
                     "--input", os.path.join(d, "x.npy"), "--output-dir", d]):
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
            if p.returncode:
                sys.exit("%s: %s failed:\n%s" % (fmt[0], os.path.basename(cmd[0]), p.stdout))
        problems = []
        decoded = np.load(os.path.join(d, "decoded.npy"))
        want = np.array([decode(fmt, c) for c in range(256)], np.float32)
        bad = ~((decoded == want) | (np.isnan(decoded) & np.isnan(want)))
        bad |= np.signbit(decoded) != np.signbit(want)  # -0 stays -0
        bad &= ~np.isnan(want)
        if bad.any():
            c = int(np.argmax(bad))
            problems.append("decoding 0x%02x gives %r, not %r" % (c, decoded[c], want[c]))
        for out, saturate in (("sat", True), ("nosat", False)):
            got = np.load(os.path.join(d, out + ".npy"))
            if got.dtype != np.uint8:
                problems.append("%s is written as %s, not uint8 bit patterns" % (out, got.dtype))
                continue
            for v, g in zip(x, got):
                w = encode(fmt, float(v), saturate)
                if g != w and not (math.isnan(decode(fmt, int(g))) and
                                   math.isnan(decode(fmt, w))):
                    problems.append("%s(%r) gives 0x%02x, not 0x%02x" % (out, v, g, w))
                    break
        for t, other in FORMATS.items():
            if t == to:
                continue
            got = np.load(os.path.join(d, "to%d.npy" % t))
            for c in range(256):
                w = encode(other, decode(fmt, c), True)
                g = int(got[c])
                if g != w and not (math.isnan(decode(other, g)) and
                                   math.isnan(decode(other, w))):
                    problems.append("0x%02x to %s gives 0x%02x, not 0x%02x" %
                                    (c, other[0], g, w))
                    break
        if problems:
            failures += 1
            print("%s: FAIL: %s" % (fmt[0], "; ".join(problems)))
        else:
            print("%s: 256 patterns decoded, %d values encoded twice, casts to the other three "
                  "types match" % (fmt[0], x.size))
    if failures:
        sys.exit(1)
    print("all 4 float8 types match")


if __name__ == "__main__":
    main()
