#!/usr/bin/python3
# ===- test/torchscript/run_torchscript_e2e.py - TorchScript numerics ---=== #
#
# Builds PyTorch models (torchvision classifiers and segmentation models,
# a transformer encoder, LSTM/GRU, transposed and 3-D convolutions, an
# integer-input token model, writes through views, Swin's shifted-window
# blocks, an MLP) with Debian's PyTorch (seeded random
# weights, batch-norm statistics randomized), traces them (scripts the control-flow
# module), saves the TorchScript modules, and for each one checks, on its
# own line:
#
#   NAME        kilnc NAME.pt --shape ... --emit=shared, then kiln-run on
#               the same input reproduces PyTorch's output:
#               max|kiln - torch| / max|torch| <= 1e-4
#   NAME ir     (models also exported to ONNX) the kiln IR of the
#               TorchScript and the ONNX import, after canonicalization,
#               build the same dataflow graph (compared as expressions, so
#               the order of independent ops and of commutative operands
#               does not matter), constants' contents aside (each exporter
#               folds batch norm into the convolution with its own
#               rounding); for the MLP exactly the same, constants included
#   dynamic-if  a scripted module with data-dependent control flow fails
#               with exit status 1 and an error naming its Python line
#
# The last line is "N passed, M failed"; the exit status is 1 on failure.
#
# ===------------------------------------------------------------------=== #

import argparse
import inspect
import os
import re
import subprocess
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from make_models import randomize_batchnorm  # noqa: E402

# The lit tests' modules: InPlaceViews writes through views.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Import",
                                "TorchScript", "Inputs"))
from make_module import InPlaceViews  # noqa: E402

TOLERANCE = 1e-4  # never widen this
SEED = 1234


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                                 nn.ReLU(), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


class SequenceModel(nn.Module):
    def __init__(self, kind):
        super().__init__()
        cell = nn.LSTM if kind == "lstm" else nn.GRU
        self.rnn = cell(16, 32, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(64, 5)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y[:, -1])


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                           dropout=0.0)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)

    def forward(self, x):
        return self.encoder(x)


class BatchFirstEncoder(nn.Module):
    """Batch-first layers in eval mode, which PyTorch runs (and traces) as
    its fused aten::_transformer_encoder_layer_fwd, post-norm with ReLU and
    pre-norm with GELU, then nn.MultiheadAttention's fused
    aten::_native_multi_head_attention with its head-averaged weights."""

    def __init__(self):
        super().__init__()
        self.post = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=64,
                                               dropout=0.0, batch_first=True)
        self.pre = nn.TransformerEncoderLayer(d_model=32, nhead=4, dim_feedforward=48,
                                              dropout=0.0, batch_first=True, norm_first=True,
                                              activation="gelu")
        self.attention = nn.MultiheadAttention(32, 2, batch_first=True)

    def forward(self, x):
        y = self.pre(self.post(x))
        a, w = self.attention(y, y, y)
        return a + w.mean(-1, keepdim=True)


class ConstantControl(nn.Module):
    """Scripted: a `for` over a constant range and an `if` on a shape."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(32, 32)

    def forward(self, x):
        for i in range(4):
            x = torch.tanh(self.fc(x)) + float(i)
        if x.size(0) == 2:
            x = x * 0.5
        return x


class Convolutions(nn.Module):
    """Transposed convolutions in 1-D to 3-D (strides, output padding,
    groups, dilation) and a 3-D convolution."""

    def __init__(self):
        super().__init__()
        self.up1 = nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1)
        self.up2 = nn.ConvTranspose2d(4, 6, (3, 2), stride=(2, 3), padding=(1, 0),
                                      output_padding=(1, 2), groups=2, dilation=(1, 2))
        self.conv3 = nn.Conv3d(4, 6, (2, 3, 3), stride=(1, 2, 1), padding=(1, 1, 0), groups=2)
        self.up3 = nn.ConvTranspose3d(6, 2, 2, stride=2, padding=(0, 1, 0))

    def forward(self, x):
        n, c, h, w = x.shape
        a = self.up1(x.reshape(n, c, h * w)).sum()
        b = self.up2(x).mean()
        v = self.up3(torch.relu(self.conv3(x.reshape(n, c, 2, h // 2, w))))
        return v * a + b


class ScriptedConvolutions(nn.Module):
    """Scripted: the named conv_transpose and conv3d ops."""

    def __init__(self):
        super().__init__()
        self.w2 = nn.Parameter(torch.randn(4, 3, 3, 3) * 0.2)
        self.w3 = nn.Parameter(torch.randn(5, 4, 1, 3, 3) * 0.2)
        self.w1 = nn.Parameter(torch.randn(4, 2, 5) * 0.2)
        self.bias = nn.Parameter(torch.randn(3))

    def forward(self, x):
        y = torch.nn.functional.conv_transpose2d(x, self.w2, self.bias, stride=2, padding=1,
                                                 output_padding=1)
        z = torch.nn.functional.conv3d(x.unsqueeze(2), self.w3, None, 1, (0, 1, 1))
        t = torch.nn.functional.conv_transpose1d(x.flatten(2), self.w1, None, 3)
        return y.sum(1) + z.sum((1, 2)).mean() + t.mean()


class TokenModel(nn.Module):
    """Integer input: token ids through an embedding, a mask made from
    them, and integer arithmetic."""

    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        mask = (x != 0).unsqueeze(-1).to(torch.float32)
        e = self.embed(torch.remainder(x * 3 + 1, 50)) * mask
        return self.fc(e.sum(1) / mask.sum(1).clamp(min=1.0))


class SegmentationOutput(nn.Module):
    """torchvision's segmentation models return {"out": ...}: the tensor."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        return self.model(x)["out"]


class DataDependent(nn.Module):
    def forward(self, x):
        if bool(x.mean() > 0):
            return x + 1.0
        return x


def build_models():
    """[(name, module, input tensor, also check against ONNX)]"""
    import torchvision
    gen = torch.Generator().manual_seed(SEED)
    models = []
    vision = [("resnet18", torchvision.models.resnet18),
              ("mobilenet_v2", torchvision.models.mobilenet_v2),
              ("efficientnet_b0", torchvision.models.efficientnet_b0),
              ("densenet121", torchvision.models.densenet121),
              ("shufflenet_v2", torchvision.models.shufflenet_v2_x1_0)]
    for i, (name, ctor) in enumerate(vision):
        torch.manual_seed(SEED + i)
        module = ctor(weights=None)
        randomize_batchnorm(module, gen)
        models.append((name, module.eval(), torch.randn(1, 3, 224, 224, generator=gen),
                       name == "resnet18"))
    torch.manual_seed(SEED + 10)
    models.append(("mlp", MLP().eval(), torch.randn(1, 784, generator=gen), True))
    torch.manual_seed(SEED + 11)
    models.append(("transformer_encoder", Encoder().eval(),
                   torch.randn(16, 1, 64, generator=gen), False))
    torch.manual_seed(SEED + 18)
    models.append(("batch_first_encoder", BatchFirstEncoder().eval(),
                   torch.randn(2, 7, 32, generator=gen), False))
    for i, kind in enumerate(("lstm", "gru")):
        torch.manual_seed(SEED + 12 + i)
        models.append((kind, SequenceModel(kind).eval(), torch.randn(1, 12, 16, generator=gen),
                       False))
    torch.manual_seed(SEED + 14)
    models.append(("scripted_control", ConstantControl().eval(),
                   torch.randn(2, 32, generator=gen), False))
    # Segmentation: dilated backbones, ASPP, and bilinear upsampling
    # (aten::upsample_bilinear2d) back to the input's size.
    segmentation = [("fcn_resnet50", torchvision.models.segmentation.fcn_resnet50),
                     ("deeplabv3_mobilenet_v3",
                      torchvision.models.segmentation.deeplabv3_mobilenet_v3_large),
                     ("lraspp_mobilenet_v3",
                      torchvision.models.segmentation.lraspp_mobilenet_v3_large)]
    for i, (name, ctor) in enumerate(segmentation):
        torch.manual_seed(SEED + 20 + i)
        extra = {} if name.startswith("lraspp") else {"aux_loss": False}
        module = ctor(weights=None, weights_backbone=None, **extra)
        randomize_batchnorm(module, gen)
        models.append((name, SegmentationOutput(module).eval(),
                       torch.randn(1, 3, 224, 224, generator=gen), False))
    torch.manual_seed(SEED + 15)
    models.append(("convolutions", Convolutions().eval(), torch.randn(1, 4, 6, 5, generator=gen),
                   False))
    torch.manual_seed(SEED + 16)
    models.append(("scripted_convolutions", ScriptedConvolutions().eval(),
                   torch.randn(1, 4, 5, 6, generator=gen), False))
    torch.manual_seed(SEED + 17)
    ids = torch.randint(0, 50, (2, 9), generator=gen)
    ids[0, 5:] = 0
    models.append(("tokens", TokenModel().eval(), ids, False))
    torch.manual_seed(SEED + 30)
    models.append(("inplace_views", InPlaceViews().eval(), torch.randn(6, 8, generator=gen), False))
    # Swin's shifted-window blocks: the attention mask is built by slice
    # writes into new_zeros, the relative-position bias gathered with
    # aten::index; v2 adds cosine attention (norm, clamp_min, expand_as) and
    # zeroes part of a cloned bias in place.
    from torchvision.models import swin_transformer
    for i, block in enumerate((swin_transformer.SwinTransformerBlock,
                               swin_transformer.SwinTransformerBlockV2)):
        torch.manual_seed(SEED + 31 + i)
        models.append(("swin_block_v%d" % (i + 1),
                       block(96, 3, [7, 7], [3, 3], stochastic_depth_prob=0.0).eval(),
                       torch.randn(1, 14, 14, 96, generator=gen), False))
    return models


def save_tensor(array, path):
    import onnx.numpy_helper
    with open(path, "wb") as f:
        f.write(onnx.numpy_helper.from_array(array).SerializeToString())


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


COMMUTATIVE = {"kiln.add", "kiln.mul", "kiln.max", "kiln.min", "kiln.and", "kiln.or",
               "kiln.xor", "kiln.equal"}
OP_RE = re.compile(r"^(%[\w]+) = ([\w.]+) (.*)$")


def graph_signature(text, keep_constants):
    """A canonical form of a kiln function: every returned value as a
    nested expression of ops, attributes and types over the arguments and
    constants, with commutative operands sorted. Two imports that build the
    same dataflow graph in another order (independent branches, swapped
    add operands) have the same signature."""
    defs = {}
    returned = None
    for line in text.splitlines():
        line = line.strip()
        m = OP_RE.match(line)
        if m:
            defs[m.group(1)] = (m.group(2), m.group(3))
        elif line.startswith("return "):
            returned = re.findall(r"%\w+", line.split(":")[0])
    memo = {}

    def sign(value):
        if value.startswith("%arg"):
            return value
        if value in memo:
            return memo[value]
        op, rest = defs[value]
        if op == "kiln.constant":
            body = rest if keep_constants else re.sub(r"dense<.*>", "dense<...>", rest)
            result = "const(%s)" % body
        else:
            operands = re.findall(r"%\w+", rest.split(" : ")[0].split(" {")[0])
            tail = re.sub(r"%\w+", "", rest)
            parts = [sign(o) for o in operands]
            if op in COMMUTATIVE:
                parts.sort()
            result = "%s(%s)[%s]" % (op, ",".join(parts), tail)
        memo[value] = result
        return result

    return [sign(v) for v in returned or []]


def main(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--kilnc", required=True)
    p.add_argument("--kiln-run", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--models", default=None, help="comma-separated subset")
    args = p.parse_args(argv)
    os.makedirs(args.work, exist_ok=True)
    only = set(args.models.split(",")) if args.models else None

    results = []

    def report(name, ok, detail):
        results.append(ok)
        print("%s %s (%s)" % ("PASS" if ok else "FAIL", name, detail), flush=True)

    for name, module, x, with_onnx in build_models():
        if only and name not in only:
            continue
        pt = os.path.join(args.work, name + ".pt")
        with torch.no_grad():
            expected = module(x)
            if name.startswith("scripted"):
                torch.jit.script(module).save(pt)
            else:
                torch.jit.trace(module, (x,)).save(pt)
        # An integer input's element type follows its shape (1x9xi64).
        dtype = {torch.int64: "xi64", torch.int32: "xi32", torch.bool: "xi1"}.get(x.dtype, "")
        shape = "x=" + "x".join(str(d) for d in x.shape) + dtype
        so = os.path.join(args.work, name + ".so")
        rc, out = run([args.kilnc, pt, "--shape", shape, "--emit=shared", "-o", so])
        if rc != 0:
            report(name, False, "kilnc: " + out.strip().splitlines()[-1])
            continue
        inp, ref = os.path.join(args.work, name + ".in.pb"), os.path.join(args.work, name + ".out.pb")
        save_tensor(x.numpy(), inp)
        save_tensor(expected.numpy(), ref)
        rc, out = run([args.kiln_run, so, "--model-symbol", name + "_model", "--input", inp,
                       "--expected", ref, "--relative-max-error", "%g" % TOLERANCE])
        rel = re.findall(r"relative ([0-9.eE+-]+|nan|inf)", out)
        report(name, rc == 0, "relative error %s" % (rel[0] if rel else out.strip()[-200:]))
        if with_onnx:
            onnx_path = os.path.join(args.work, name + ".onnx")
            torch.onnx.export(module, (x,), onnx_path, input_names=["x"],
                              output_names=["output"], opset_version=17)
            rc1, ts_ir = run([args.kilnc, pt, "--shape", shape, "--compile-to=kiln",
                              "--no-locations", "-o", "-"])
            rc2, onnx_ir = run([args.kilnc, onnx_path, "--compile-to=kiln", "--no-locations",
                                "-o", "-"])
            exact = name == "mlp"
            ts_sig = graph_signature(ts_ir, exact) if rc1 == 0 else None
            same = rc2 == 0 and bool(ts_sig) and ts_sig == graph_signature(onnx_ir, exact)
            report(name + " ir", same, "TorchScript and ONNX give the same kiln IR" +
                   (", constants included" if exact else ", constants aside")
                   if same else "the kiln IR differs")

    if not only or "dynamic-if" in only:
        pt = os.path.join(args.work, "dynamic_if.pt")
        torch.jit.script(DataDependent()).save(pt)
        line = inspect.getsourcelines(DataDependent.forward)[1] + 1
        rc, out = run([args.kilnc, pt, "--shape", "x=2x3", "-o",
                       os.path.join(args.work, "dynamic_if.o")])
        where = "%s:%d: error:" % (os.path.basename(__file__), line)
        ok = rc == 1 and where in out and not os.path.exists(
            os.path.join(args.work, "dynamic_if.o"))
        report("dynamic-if", ok, out.strip().splitlines()[-1] if out.strip() else "no message")

    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
