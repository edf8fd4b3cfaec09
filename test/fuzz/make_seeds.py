#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora: `make_seeds.py SRC_ROOT OUT_DIR`.

OUT_DIR/onnx:     binary models: every textual test model of the lit suite
                  converted, every case of the bad-model corpus, and the
                  ONNX backend test models (node, simple, pytorch-*) when
                  /usr/share/libonnx-testdata is installed.
OUT_DIR/onnxtxt:  every textual test model of the lit suite.

The corpora are rebuilt from the sources each time, so they follow the
tests; what the fuzzers discover goes to a separate working corpus.
"""
import glob
import hashlib
import os
import subprocess
import sys

import onnx
import onnx.parser

BACKEND = "/usr/share/libonnx-testdata/data"
MAX_SEED = 64 * 1024  # larger models slow every mutation down


def put(directory, data):
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    src, out = sys.argv[1], sys.argv[2]
    binary, textual = os.path.join(out, "onnx"), os.path.join(out, "onnxtxt")
    for d in (binary, textual):
        os.makedirs(d, exist_ok=True)
    counts = [0, 0]
    for path in sorted(glob.glob(os.path.join(src, "test", "**", "*.onnxtxt"), recursive=True)):
        text = open(path, "rb").read()
        put(textual, text)
        counts[1] += 1
        try:
            model = onnx.parser.parse_model(text.decode("utf-8"))
        except Exception:
            continue  # a deliberately broken file
        put(binary, model.SerializeToString())
        counts[0] += 1
    bad_model = os.path.join(src, "test", "Robustness", "Inputs", "bad_model.py")
    cases = subprocess.run([sys.executable, bad_model], stderr=subprocess.PIPE).stderr
    tmp = os.path.join(out, "tmp")
    os.makedirs(tmp, exist_ok=True)
    for case in cases.decode().split("cases:")[-1].split():
        path = os.path.join(tmp, case + ".onnx")
        if subprocess.call([sys.executable, bad_model, case, path]) == 0 and os.path.exists(path):
            put(binary, open(path, "rb").read())
            counts[0] += 1
    for suite in ("node", "simple", "pytorch-converted", "pytorch-operator"):
        for path in sorted(glob.glob(os.path.join(BACKEND, suite, "*", "model.onnx"))):
            data = open(path, "rb").read()
            if len(data) <= MAX_SEED:
                put(binary, data)
                counts[0] += 1
    print("seeds: %d binary, %d textual" % tuple(counts))


if __name__ == "__main__":
    main()
