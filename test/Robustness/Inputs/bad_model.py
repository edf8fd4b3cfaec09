#!/usr/bin/env python3
"""Writes one model of the bad-model corpus: `bad_model.py CASE OUT`.

Every case is a small model that is wrong in exactly one way; the lit test
that names the case holds the diagnostic kilnc must give for it. The files
are built here, at test time, from the ONNX helpers so that each one is
readable in this script rather than a binary blob in the tree.
"""
import os
import stat
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def graph_model(nodes, inputs, outputs, initializers=(), opset=13, ir_version=8,
                name="bad"):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir_version
    return model


def vec(name, dims, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, dims)


def relu_model(**kw):
    return graph_model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                       [vec("x", [1, 4])], [vec("y", [1, 4])], **kw)


def mlp_model():
    rng = np.random.default_rng(7)
    w1 = numpy_helper.from_array(rng.standard_normal((4, 8)).astype(np.float32), "w1")
    b1 = numpy_helper.from_array(rng.standard_normal(8).astype(np.float32), "b1")
    w2 = numpy_helper.from_array(rng.standard_normal((8, 3)).astype(np.float32), "w2")
    nodes = [
        helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], name="fc1"),
        helper.make_node("Relu", ["h"], ["r"], name="act"),
        helper.make_node("MatMul", ["r", "w2"], ["z"], name="fc2"),
        helper.make_node("Softmax", ["z"], ["y"], name="softmax", axis=-1),
    ]
    return graph_model(nodes, [vec("x", [1, 4])], [vec("y", [1, 3])], [w1, b1, w2])


def external_weight_model(location, offset=None, length=None):
    """A MatMul whose 4x3 weight lives in an external file."""
    w = TensorProto()
    w.name = "w"
    w.data_type = TensorProto.FLOAT
    w.dims.extend([4, 3])
    w.data_location = TensorProto.EXTERNAL
    entries = [("location", location)]
    if offset is not None:
        entries.append(("offset", str(offset)))
    if length is not None:
        entries.append(("length", str(length)))
    for key, value in entries:
        e = w.external_data.add()
        e.key = key
        e.value = value
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="proj")]
    return graph_model(nodes, [vec("x", [1, 4])], [vec("y", [1, 3])], [w])


def case_not_protobuf(out):
    # A PNG signature followed by junk: bytes no protobuf parser accepts.
    with open(out, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)


def case_ir_version_zero(out):
    return relu_model(ir_version=0)


def case_ir_version_too_new(out):
    return relu_model(ir_version=99)


def case_opset_too_new(out):
    return relu_model(opset=99)


def case_missing_initializer(out):
    # fc's weight 'w' is neither an input, an initializer nor a node output.
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")]
    return graph_model(nodes, [vec("x", [1, 4])], [vec("y", [1, 3])])


def case_dangling_output(out):
    # The graph promises an output no node produces.
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu")]
    return graph_model(nodes, [vec("x", [1, 4])], [vec("y", [1, 4])])


def case_duplicate_output(out):
    # Two nodes write the same tensor name.
    nodes = [
        helper.make_node("Relu", ["x"], ["y"], name="first"),
        helper.make_node("Neg", ["x"], ["y"], name="second"),
    ]
    return graph_model(nodes, [vec("x", [1, 4])], [vec("y", [1, 4])])


def case_duplicate_input(out):
    return graph_model([helper.make_node("Add", ["x", "x"], ["y"], name="add")],
                       [vec("x", [1, 4]), vec("x", [1, 4])], [vec("y", [1, 4])])


def case_cycle(out):
    # a = Relu(b); b = Neg(a): a loop through two nodes.
    nodes = [
        helper.make_node("Add", ["x", "b"], ["a"], name="left"),
        helper.make_node("Neg", ["a"], ["b"], name="right"),
        helper.make_node("Relu", ["a"], ["y"], name="out"),
    ]
    return graph_model(nodes, [vec("x", [1, 4])], [vec("y", [1, 4])])


def case_out_of_order(out):
    # Valid dataflow, listed consumer first: Kiln sorts it (with a warning).
    nodes = [
        helper.make_node("Neg", ["a"], ["y"], name="second"),
        helper.make_node("Relu", ["x"], ["a"], name="first"),
    ]
    return graph_model(nodes, [vec("x", [1, 4])], [vec("y", [1, 4])])


def case_type_mismatch(out):
    # Add of a float and an int64 tensor.
    nodes = [helper.make_node("Add", ["x", "n"], ["y"], name="add_mixed")]
    return graph_model(nodes, [vec("x", [1, 4]), vec("n", [1, 4], TensorProto.INT64)],
                       [vec("y", [1, 4])])


def case_rank_mismatch(out):
    # MatMul of 2x3 by 4x5: inner dimensions differ.
    nodes = [helper.make_node("MatMul", ["a", "b"], ["y"], name="mm")]
    return graph_model(nodes, [vec("a", [2, 3]), vec("b", [4, 5])], [vec("y", [2, 5])])


def case_declared_shape_mismatch(out):
    # The graph declares y as 1x5, but Relu of 1x4 gives 1x4.
    return graph_model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                       [vec("x", [1, 4])], [vec("y", [1, 5])])


def case_unsupported_attribute(out):
    # LeakyRelu is supported; a Conv with an unknown auto_pad value is not.
    w = numpy_helper.from_array(np.ones((1, 1, 3, 3), np.float32), "w")
    nodes = [helper.make_node("Conv", ["x", "w"], ["y"], name="conv", auto_pad="SIDEWAYS")]
    return graph_model(nodes, [vec("x", [1, 1, 5, 5])], [vec("y", [1, 1, 5, 5])], [w])


def case_unsupported_dtype(out):
    nodes = [helper.make_node("Identity", ["s"], ["y"], name="ident")]
    return graph_model(nodes, [vec("s", [2], TensorProto.STRING)],
                       [vec("y", [2], TensorProto.STRING)])


def case_unbound_dim(out):
    return graph_model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                       [vec("x", ["batch", 4])], [vec("y", ["batch", 4])])


def case_unbound_3d(out):
    return graph_model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                       [vec("x", ["a", "b", "c"])], [vec("y", ["a", "b", "c"])])


def case_negative_dim(out):
    return graph_model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                       [vec("x", [-3, 4])], [vec("y", [-3, 4])])


def case_zero_dim(out):
    # Legal: an empty input. It compiles, and the output is empty too.
    return graph_model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                       [vec("x", [0, 4])], [vec("y", [0, 4])])


def case_enormous_input(out):
    # 2^31 x 2^31 x 4 floats: 2^64 bytes, which overflows a 64-bit size.
    big = 1 << 31
    return graph_model([helper.make_node("Relu", ["x"], ["y"], name="relu")],
                       [vec("x", [big, big, 4])], [vec("y", [big, big, 4])])


def case_enormous_intermediate(out):
    # A small input expanded to 2^62 elements by a constant shape.
    shape = numpy_helper.from_array(np.array([1 << 31, 1 << 31], np.int64), "shape")
    nodes = [
        helper.make_node("Expand", ["x", "shape"], ["big"], name="blow_up"),
        helper.make_node("ReduceSum", ["big"], ["y"], name="sum", keepdims=0),
    ]
    return graph_model(nodes, [vec("x", [1, 1])], [vec("y", [])], [shape])


def case_enormous_initializer(out):
    # A weight whose dims claim 2^62 elements but which holds only four.
    w = TensorProto()
    w.name = "w"
    w.data_type = TensorProto.FLOAT
    w.dims.extend([1 << 31, 1 << 31])
    w.float_data.extend([1, 2, 3, 4])
    nodes = [helper.make_node("Add", ["x", "w"], ["y"], name="add")]
    return graph_model(nodes, [vec("x", [1, 1])], [vec("y", [1 << 31, 1 << 31])], [w])


def case_short_weight(out):
    # dims say 4x8 but raw_data holds 12 bytes.
    w = TensorProto()
    w.name = "w"
    w.data_type = TensorProto.FLOAT
    w.dims.extend([4, 8])
    w.raw_data = b"\0" * 12
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="proj")]
    return graph_model(nodes, [vec("x", [1, 4])], [vec("y", [1, 8])], [w])


def case_external_missing(out):
    return external_weight_model("weights.bin")


def case_external_escape(out):
    return external_weight_model("../../etc/passwd")


def fresh(path):
    """`path`, with whatever was there removed (a FIFO left by an earlier
    run would block the write)."""
    if os.path.lexists(path) and not os.path.isdir(path):
        os.remove(path)
    return path


def case_external_short(out):
    # The file holds 40 bytes; the weight needs 48 from offset 0.
    with open(fresh(os.path.join(os.path.dirname(os.path.abspath(out)), "short.bin")), "wb") as f:
        f.write(b"\0" * 40)
    return external_weight_model("short.bin")


# The special files below have names of their own, so that cases written
# into one directory (the fuzzers' seeds) never write through one of them.
def case_external_symlink(out):
    # link.bin beside the model is a symbolic link to a file outside it.
    here = os.path.dirname(os.path.abspath(out))
    secret = os.path.join(os.path.dirname(here), "secret.bin")
    with open(secret, "wb") as f:
        f.write(b"\x7f" * 48)
    link = os.path.join(here, "link.bin")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(secret, link)
    return external_weight_model("link.bin")


def case_external_fifo(out):
    # fifo.bin beside the model is a FIFO: reading it would wait forever.
    fifo = os.path.join(os.path.dirname(os.path.abspath(out)), "fifo.bin")
    if os.path.lexists(fifo):
        os.remove(fifo)
    os.mkfifo(fifo)
    return external_weight_model("fifo.bin")


def case_external_directory(out):
    os.makedirs(os.path.join(os.path.dirname(os.path.abspath(out)), "weights"), exist_ok=True)
    return external_weight_model("weights")


def case_external_device(out):
    # device.bin beside the model is a character device (/dev/zero's
    # numbers), which never ends. Needs the right to make device nodes
    # (root); exits 77 without it.
    node = os.path.join(os.path.dirname(os.path.abspath(out)), "device.bin")
    if os.path.lexists(node):
        os.remove(node)
    try:
        os.mknod(node, 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except PermissionError:
        sys.exit(77)
    return external_weight_model("device.bin")


def case_external_ok(out):
    # Weights 0..11 at offset 16 of a 128-byte file.
    data = np.arange(12, dtype=np.float32).tobytes()
    with open(fresh(os.path.join(os.path.dirname(os.path.abspath(out)), "weights.bin")), "wb") as f:
        f.write(b"\xff" * 16 + data + b"\xff" * (128 - 16 - len(data)))
    return external_weight_model("weights.bin", offset=16, length=len(data))


def case_nan_weights(out):
    w = numpy_helper.from_array(
        np.array([[1, np.nan, 2], [np.inf, 0, 1], [0, 0, -np.inf], [1, 1, 1]], np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="proj")]
    return graph_model(nodes, [vec("x", [1, 4])], [vec("y", [1, 3])], [w])


def case_big_weights(out):
    # 1 MiB of weights, for the --max-weights limit.
    w = numpy_helper.from_array(np.ones((512, 512), np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["y"], name="proj")]
    return graph_model(nodes, [vec("x", [1, 512])], [vec("y", [1, 512])], [w])


def case_big_workspace(out):
    # Two 1024x1024 intermediates live at once (both products feed the
    # Add, whose sum feeds one more product): a workspace of several MiB.
    nodes = [
        helper.make_node("MatMul", ["a", "b"], ["ab"], name="mm"),
        helper.make_node("MatMul", ["ab", "b"], ["abb"], name="mm2"),
        helper.make_node("Add", ["ab", "abb"], ["s"], name="add"),
        helper.make_node("MatMul", ["s", "b"], ["y"], name="mm3"),
    ]
    return graph_model(nodes, [vec("a", [1024, 1024]), vec("b", [1024, 1024])],
                       [vec("y", [1024, 1024])])


def case_mlp(out):
    return mlp_model()


CASES = {name[len("case_"):].replace("_", "-"): fn
         for name, fn in globals().items() if name.startswith("case_")}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit("usage: bad_model.py CASE OUT\ncases: " + " ".join(sorted(CASES)))
    out = sys.argv[2]
    model = CASES[sys.argv[1]](out)
    if model is not None:
        with open(out, "wb") as f:
            f.write(model.SerializeToString())


if __name__ == "__main__":
    main()
