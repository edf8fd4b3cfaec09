"""Helpers shared by the lit scripts that check compiled models against
NumPy (test/Microkernels, test/Runtime): build an ONNX model, write its
inputs and expected output, and run kilnc and kiln-run."""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def vinfo(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def model(nodes, inputs, outputs, inits):
    """An opset-17 model: inputs and initializers as (name, array),
    outputs as (name, shape)."""
    graph = helper.make_graph(nodes, "case", [vinfo(n, a.shape) for n, a in inputs],
                              [vinfo(n, s) for n, s in outputs],
                              [numpy_helper.from_array(a, n) for n, a in inits])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def run(cmd):
    """Runs cmd; exits with its output when it fails."""
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)}\n{result.stdout}")
    return result.stdout


def write_case(work, name, m, inputs, ref):
    """Saves the model, its inputs and the expected output under work;
    returns the model's path, kiln-run's --input arguments and the
    expected output's path."""
    path = os.path.join(work, name + ".onnx")
    onnx.save(m, path)
    files = []
    for input_name, value in inputs:
        files += ["--input", os.path.join(work, f"{name}.{input_name}.npy")]
        np.save(files[-1], value)
    expected = os.path.join(work, name + ".expected.npy")
    np.save(expected, ref.astype(np.float32))
    return path, files, expected
