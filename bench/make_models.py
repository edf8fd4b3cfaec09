#!/usr/bin/env python3
"""Exports every benchmark model to OUT/NAME.onnx (opset 17) with its input
as OUT/NAME.input.npy: `make_models.py OUT [NAME...]`."""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402


def main():
    out = sys.argv[1]
    names = sys.argv[2:] or models.MODELS + models.MICRO
    os.makedirs(out, exist_ok=True)
    for name in names:
        path = os.path.join(out, name + ".onnx")
        if os.path.exists(path):
            continue
        module, x = models.build(name)
        with torch.no_grad():
            torch.onnx.export(module, x, path + ".tmp", opset_version=17,
                              input_names=["x"], output_names=["y"])
        np.save(os.path.join(out, name + ".input.npy"), x.numpy())
        os.replace(path + ".tmp", path)


if __name__ == "__main__":
    main()
