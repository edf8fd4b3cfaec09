# ===- test/firmware/quantize_tiny.py - int8 QDQ models, calibrated -------===#
#
# Makes the int8 versions of the MLPerf Tiny models (make_tiny.py) in the
# QDQ format: QuantizeLinear/DequantizeLinear pairs around every Conv,
# Gemm, Add, pooling and ReLU, as ONNX Runtime's static quantizer writes
# them. Our own calibration, with nothing from a quantization toolkit:
#
#   1. BatchNorm folded into the convolution or linear layer before it
#      (torch.fx), so the folded weights are what gets quantized;
#   2. activations: per-tensor asymmetric int8, from the min and max each
#      takes over 32 seeded calibration inputs (uniform in [-1, 1), like
#      the firmware tests' inputs);
#   3. weights: per-output-channel symmetric int8 (zero point 0), scale
#      max|w| / 127;
#   4. biases: int32 with scale input scale x weight scale, zero point 0.
#
# Every activation is quantized once, after the op that makes it, or after
# its ReLU where a ReLU is the only user. The int8 models end at the last
# quantized tensor: the logits before the softmax (kws, vww, ic) or the
# reconstruction (ad). Exported with torch's fake-quantization ops (opset
# 13), then rewritten: quantized weights become int8 initializers and
# biases int32 ones, each behind its DequantizeLinear.
#
# Usage: /usr/bin/python3 quantize_tiny.py OUT_DIR [NAME ...]
#        writes OUT_DIR/NAME-int8.onnx
#
# ===--------------------------------------------------------------------===#

import os
import sys

import numpy as np
import onnx
import torch
import torch.fx as fx
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn
from torch.fx.experimental.optimization import fuse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tiny import MODELS, seed_batchnorm  # noqa: E402

CALIBRATION_INPUTS = 32
QMIN, QMAX = -128, 127


def fold_linear_batchnorm(graph_module):
    """Folds each BatchNorm1d that follows a Linear (its only user) into it;
    torch.fx's fuse() folds the convolutions' BatchNorm2d."""
    modules = dict(graph_module.named_modules())
    for node in list(graph_module.graph.nodes):
        bn = modules.get(node.target) if node.op == "call_module" else None
        if not isinstance(bn, nn.BatchNorm1d):
            continue
        src = node.args[0]
        linear = modules.get(src.target) if src.op == "call_module" else None
        if not isinstance(linear, nn.Linear) or len(src.users) != 1:
            continue
        with torch.no_grad():
            factor = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            linear.weight.mul_(factor[:, None])
            bias = linear.bias if linear.bias is not None else torch.zeros_like(bn.running_mean)
            linear.bias = nn.Parameter((bias - bn.running_mean) * factor + bn.bias)
        node.replace_all_uses_with(src)
        graph_module.graph.erase_node(node)
    graph_module.recompile()
    return graph_module


class RangeRecorder(fx.Interpreter):
    """Runs the graph and keeps each node's smallest and largest value."""

    def __init__(self, module, ranges):
        super().__init__(module)
        self.ranges = ranges

    def run_node(self, n):
        result = super().run_node(n)
        if isinstance(result, torch.Tensor) and result.is_floating_point():
            lo, hi = float(result.min()), float(result.max())
            old = self.ranges.get(n.name)
            self.ranges[n.name] = (min(lo, old[0]), max(hi, old[1])) if old else (lo, hi)
        return result


def activation_params(lo, hi):
    """Asymmetric int8 scale and zero point covering [lo, hi] and zero."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / (QMAX - QMIN) or 1.0
    zero_point = int(np.clip(round(QMIN - lo / scale), QMIN, QMAX))
    return scale, zero_point


def is_relu(node, modules):
    if node.op == "call_module":
        return isinstance(modules.get(node.target), nn.ReLU)
    return node.op == "call_function" and node.target in (F.relu, torch.relu)


def is_softmax(node):
    return (node.op == "call_function" and node.target in (torch.softmax, F.softmax)) or \
        (node.op == "call_method" and node.target == "softmax")


def quantized_points(graph, modules):
    """The nodes whose results get a QDQ pair: the inputs and every op that
    computes values, except ops whose only user is a ReLU (the ReLU's
    result is quantized instead) and ops that only move or view data."""
    points = []
    for node in graph.nodes:
        if node.op == "placeholder":
            points.append(node)
            continue
        if node.op not in ("call_module", "call_function", "call_method") or is_softmax(node):
            continue
        if node.op == "call_module" and isinstance(modules.get(node.target), nn.Identity):
            continue
        if node.op == "call_method" and node.target in ("flatten", "view", "reshape"):
            continue
        if node.op == "call_function" and node.target in (torch.flatten,):
            continue
        users = list(node.users)
        if len(users) == 1 and is_relu(users[0], modules):
            continue
        points.append(node)
    return points


def rewrite_weights(graph_module):
    """Conv2d and Linear modules become functional calls on per-channel
    fake-quantized weights."""
    modules = dict(graph_module.named_modules())
    graph = graph_module.graph
    for node in list(graph.nodes):
        layer = modules.get(node.target) if node.op == "call_module" else None
        if not isinstance(layer, (nn.Conv2d, nn.Linear)):
            continue
        w = layer.weight.detach()
        scales = (w.abs().reshape(w.shape[0], -1).amax(dim=1) / QMAX).clamp(min=1e-12)
        prefix = node.target.replace(".", "_")
        graph_module.register_buffer(prefix + "_wscale", scales.float())
        graph_module.register_buffer(prefix + "_wzero", torch.zeros(w.shape[0], dtype=torch.int32))
        with graph.inserting_before(node):
            weight = graph.get_attr(node.target + ".weight")
            scale = graph.get_attr(prefix + "_wscale")
            zero = graph.get_attr(prefix + "_wzero")
            qweight = graph.call_function(torch.fake_quantize_per_channel_affine,
                                          (weight, scale, zero, 0, QMIN, QMAX))
            bias = graph.get_attr(node.target + ".bias") if layer.bias is not None else None
            if isinstance(layer, nn.Conv2d):
                call = graph.call_function(F.conv2d, (node.args[0], qweight, bias, layer.stride,
                                                      layer.padding, layer.dilation,
                                                      layer.groups))
            else:
                call = graph.call_function(F.linear, (node.args[0], qweight, bias))
        node.replace_all_uses_with(call)
        graph.erase_node(node)
    graph_module.recompile()


def quantize(name):
    make, input_name, shape, output_name = MODELS[name]
    torch.manual_seed(20)
    model = make()
    seed_batchnorm(model)
    model.eval()
    gm = fold_linear_batchnorm(fx.symbolic_trace(fuse(model)))
    modules = dict(gm.named_modules())
    # The int8 model ends before the softmax.
    output = next(n for n in gm.graph.nodes if n.op == "output")
    if is_softmax(output.args[0]):
        softmax = output.args[0]
        output.args = (softmax.args[0],)
        gm.graph.erase_node(softmax)
        gm.recompile()

    torch.manual_seed(7)
    ranges = {}
    with torch.no_grad():
        for _ in range(CALIBRATION_INPUTS):
            RangeRecorder(gm, ranges).run(torch.rand(*shape) * 2 - 1)

    for node in quantized_points(gm.graph, modules):
        scale, zero_point = activation_params(*ranges[node.name])
        with gm.graph.inserting_after(node):
            fq = gm.graph.call_function(torch.fake_quantize_per_tensor_affine,
                                        (node, scale, zero_point, QMIN, QMAX))
        node.replace_all_uses_with(fq, delete_user_cb=lambda user: user is not fq)
    gm.recompile()
    rewrite_weights(gm)
    return gm, input_name, shape, output_name


def constant_value(model, name):
    """The value of `name` if it is an initializer, a Constant, or an
    Identity of either (the exporter shares equal initializers that way)."""
    for init in model.graph.initializer:
        if init.name == name:
            return numpy_helper.to_array(init)
    for node in model.graph.node:
        if node.op_type == "Constant" and node.output[0] == name:
            return numpy_helper.to_array(node.attribute[0].t)
        if node.op_type == "Identity" and node.output[0] == name:
            return constant_value(model, node.input[0])
    return None


def fold_weight_quantization(model):
    """QuantizeLinear of a constant becomes an int8 initializer; a float
    bias becomes an int32 initializer behind a DequantizeLinear with the
    scale input scale x weight scale."""
    graph = model.graph
    producers = {o: n for n in graph.node for o in n.output}
    removed, new_nodes = set(), []
    for node in graph.node:
        if node.op_type != "QuantizeLinear":
            continue
        value = constant_value(model, node.input[0])
        if value is None:
            continue
        scale = constant_value(model, node.input[1])
        zero = constant_value(model, node.input[2])
        axis = next((a.i for a in node.attribute if a.name == "axis"), 1)
        shape = [1] * value.ndim
        if scale.ndim == 1 and scale.size > 1:
            shape[axis] = scale.size
        q = np.clip(np.rint(value / scale.reshape(shape)) + zero.reshape(shape if zero.ndim else []),
                    QMIN, QMAX)
        graph.initializer.append(numpy_helper.from_array(q.astype(np.int8), node.output[0]))
        removed.add(id(node))
    for node in graph.node:
        if node.op_type not in ("Conv", "Gemm") or len(node.input) < 3:
            continue
        x_dq, w_dq = producers.get(node.input[0]), producers.get(node.input[1])
        bias = constant_value(model, node.input[2])
        if bias is None or x_dq is None or w_dq is None or \
                x_dq.op_type != "DequantizeLinear" or w_dq.op_type != "DequantizeLinear":
            continue
        bias_scale = (constant_value(model, x_dq.input[1]) *
                      constant_value(model, w_dq.input[1])).astype(np.float32).reshape(-1)
        if bias_scale.size == 1:
            bias_scale = np.full(bias.shape, bias_scale[0], np.float32)
        q = np.rint(bias / bias_scale).astype(np.int32)
        base = node.input[2] + "_int32"
        graph.initializer.extend([
            numpy_helper.from_array(q, base),
            numpy_helper.from_array(bias_scale, base + "_scale"),
            numpy_helper.from_array(np.zeros(bias.shape, np.int32), base + "_zero"),
        ])
        dq = onnx.helper.make_node("DequantizeLinear", [base, base + "_scale", base + "_zero"],
                                   [base + "_dq"], name=base + "_DequantizeLinear", axis=0)
        new_nodes.append((node, dq))
        node.input[2] = base + "_dq"
    kept = [n for n in graph.node if id(n) not in removed]
    for consumer, dq in new_nodes:
        kept.insert(kept.index(consumer), dq)
    # Drop what nothing reads any more (Constants, Identities).
    outputs = {o.name for o in graph.output}
    while True:
        used = {i for n in kept for i in n.input} | outputs
        alive = [n for n in kept if any(o in used for o in n.output)]
        if len(alive) == len(kept):
            break
        kept = alive
    del graph.node[:]
    graph.node.extend(kept)
    used = {i for n in graph.node for i in n.input}
    live = [i for i in graph.initializer if i.name in used or
            i.name in {o.name for o in graph.output}]
    del graph.initializer[:]
    graph.initializer.extend(live)
    return model


def export(name, path):
    gm, input_name, shape, output_name = quantize(name)
    tmp = path + ".tmp"
    torch.onnx.export(gm, torch.zeros(*shape), tmp, opset_version=13,
                      input_names=[input_name], output_names=[output_name],
                      do_constant_folding=True)
    model = fold_weight_quantization(onnx.load(tmp))
    os.remove(tmp)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: quantize_tiny.py OUT_DIR [NAME ...]")
    out = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    os.makedirs(out, exist_ok=True)
    for name in names:
        export(name, os.path.join(out, name + "-int8.onnx"))


if __name__ == "__main__":
    main()
