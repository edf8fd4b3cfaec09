#!/usr/bin/python3
# Writes a serialized ONNX TensorProto without needing the onnx package:
#   write_tensor.py OUT.pb TYPE DIMS VALUES
# TYPE is float32, uint8, int64 or bool; DIMS like 2x3 ("" for a scalar); VALUES
# comma separated, row-major. Used by lit tests that run kiln-run.
import struct
import sys

TYPES = {"float32": (1, "<f"), "uint8": (2, "<B"), "int64": (7, "<q"), "bool": (9, "<?")}


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def main(out, type_name, dims, values):
    code, fmt = TYPES[type_name]
    shape = [int(d) for d in dims.split("x")] if dims else []
    parse = float if type_name == "float32" else int
    items = [parse(v) for v in values.split(",")] if values else []
    raw = b"".join(struct.pack(fmt, v) for v in items)
    msg = b"".join(b"\x08" + varint(d) for d in shape)
    msg += b"\x10" + varint(code)
    msg += b"\x4a" + varint(len(raw)) + raw
    with open(out, "wb") as f:
        f.write(msg)


if __name__ == "__main__":
    main(*sys.argv[1:5])
