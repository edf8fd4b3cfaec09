# ===- test/firmware/check_int8.py - int8 models against ONNX Runtime -----===#
#
# Compiles an int8 QDQ model (quantize_tiny.py) with kilnc for the host,
# runs it with kiln-run on seeded inputs, runs the same inputs through ONNX
# Runtime (test/Inputs/ort_reference.js, onnxruntime-node), and checks
# that at least 99.9% of the outputs are within one quantization step of
# ONNX Runtime's (the scale of the DequantizeLinear that makes the output).
# Prints how many are equal, one step off, and further. Skipped (77)
# without Node.js or onnxruntime-node (scripts/setup.sh installs both).
#
# Usage: check_int8.py --kilnc KILNC --kiln-run KILN_RUN --model M.onnx
#                      --node-modules DIR --work DIR [--samples N]
#                      [--kilnc-flag FLAG]...
#
# ===--------------------------------------------------------------------===#

import argparse
import glob
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run_firmware import SKIP, run  # noqa: E402


def output_step(model):
    """The scale of the DequantizeLinear that makes the first output."""
    values = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant":
            values[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
    for node in model.graph.node:
        if node.op_type == "Identity" and node.input[0] in values:
            values[node.output[0]] = values[node.input[0]]
    out = model.graph.output[0].name
    producer = next(n for n in model.graph.node if out in n.output)
    if producer.op_type != "DequantizeLinear":
        sys.exit("FAIL: %s's output is not made by a DequantizeLinear" % out)
    return float(np.asarray(values[producer.input[1]]).reshape(-1)[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--kiln-run", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--node-modules", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--kilnc-flag", action="append", default=[],
                        help="a further kilnc flag (repeatable)")
    args = parser.parse_args()
    if shutil.which("node") is None or \
            not os.path.isdir(os.path.join(args.node_modules, "onnxruntime-node")):
        print("SKIP: needs node and onnxruntime-node in %s; scripts/setup.sh installs them" %
              args.node_modules)
        sys.exit(SKIP)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    model = onnx.load(args.model)
    step = output_step(model)
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]

    lib = os.path.join(args.work, "model.so")
    run([args.kilnc, args.model, "--emit=shared", "-o", lib] + args.kilnc_flag)
    env = dict(os.environ, NODE_PATH=args.node_modules)
    rng = np.random.default_rng(11)
    kiln, ort = [], []
    for i in range(args.samples):
        sample = os.path.join(args.work, "sample%d" % i)
        for side in ("kiln", "ort"):
            os.makedirs(os.path.join(sample, side))
        x = os.path.join(sample, "input.npy")
        np.save(x, (rng.random(shape) * 2 - 1).astype(np.float32))
        run([args.kiln_run, lib, "--input", x, "--output-dir", os.path.join(sample, "kiln"),
             "--quiet"])
        run(["node", os.path.join(HERE, "..", "Inputs", "ort_reference.js"), args.model,
             os.path.join(sample, "ort"), x], env=env)
        kiln.append(np.load(glob.glob(os.path.join(sample, "kiln", "*.npy"))[0]).reshape(-1))
        ort.append(np.load(os.path.join(sample, "ort", "0.npy")).reshape(-1))
    kiln, ort = np.concatenate(kiln), np.concatenate(ort)
    steps = np.rint(np.abs(kiln - ort) / step).astype(np.int64)
    total = steps.size
    equal, one = int((steps == 0).sum()), int((steps == 1).sum())
    print("%s: %d outputs over %d inputs (step %g): %d equal to ONNX Runtime's, %d one step "
          "off, %d further" % (os.path.basename(args.model), total, args.samples, step, equal, one,
                               total - equal - one))
    if equal + one < 0.999 * total:
        sys.exit("FAIL: %d of %d outputs are more than one step from ONNX Runtime's (largest "
                 "%d steps)" % (total - equal - one, total, int(steps.max())))
    print("PASS: at least 99.9% within one step")


if __name__ == "__main__":
    main()
