# ===- test/e2e/make_models.py - PyTorch reference models for e2e -------===#
#
# Builds the models of Kiln's end-to-end numerics suite in PyTorch, exports
# each one to ONNX (opset 13, batch 1, static shapes) and records a random
# input together with PyTorch's own output, so that run_e2e.py can check
# what kilnc's generated code computes against it.
#
# Usage: /usr/bin/python3 make_models.py OUTDIR [--set core|families]
#
# For every model NAME it writes OUTDIR/NAME.onnx, OUTDIR/NAME.input<i>.npy
# (one per graph input, in order) and OUTDIR/NAME.output<i>.npy (one per
# graph output, in order), all float32, and finally OUTDIR/manifest.json,
# which lists the models with their input/output names and shapes. The
# manifest is written last, so its presence means the directory is complete.
#
# Models:
#   mlp          784-256-128-10 with ReLU (Gemm)
#   mlp_dynamic  the same network exported with a dynamic batch dimension
#                named "batch" (needs --shape); its reference is batch 1
#   cnn          conv3x3+BN+ReLU+MaxPool, strided conv, depthwise conv,
#                grouped conv, global average pooling, flatten, Linear,
#                softmax; exported with BatchNormalization nodes kept
#   resnet18     torchvision's ResNet-18 with seeded random weights and
#                random BatchNorm statistics (BN folded into Conv on export)
#   transformer  a hand-written pre-norm encoder block: Linear, multi-head
#                matmul attention with an additive causal mask and softmax,
#                LayerNorm, erf GELU, residual adds
#
# The "families" set (--set families) holds the model families people ship,
# each exported at opsets 13 and 17 as NAME_op13 and NAME_op17: torchvision's
# ResNet-18, MobileNet v2 and v3 (small), EfficientNet-B0, DenseNet-121,
# GoogLeNet, ShuffleNet v2 (x0.5), SqueezeNet 1.1, RegNet-Y 400MF,
# ConvNeXt-Tiny and ViT-B/16 (its zero-initialized classifier given random
# weights), all at 224x224; 2-layer bidirectional LSTM and GRU sequence models (12 steps of 16
# features, hidden 32, a linear head); the hand-written attention block of
# the core set; a 2-layer nn.TransformerEncoder (d=64, 4 heads, seq 16); and
# ops_mix, one network with the ops no family above exports (see OpsMix);
# upsample, F.interpolate in nearest, bilinear and bicubic modes (Resize);
# and conv_variants, Conv1d/Conv3d/ConvTranspose1d/2d, reflect/replicate
# padding and repeat (see ConvVariants).
# BatchNorm statistics are randomized everywhere.
#
# Everything is seeded and deterministic: running it twice gives the same
# files bit for bit (same PyTorch build).
#
# ===--------------------------------------------------------------------===#

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OPSET = 13
SEED = 20240613


def seed_everything(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)


def randomize_batchnorm(module, gen):
    """Give every BatchNorm non-trivial affine parameters and running stats."""
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.empty(n).uniform_(0.5, 1.5, generator=gen))
                m.bias.copy_(torch.randn(n, generator=gen) * 0.1)
                m.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
                m.running_var.copy_(torch.empty(n).uniform_(0.5, 1.5, generator=gen))


def randomize_head(vit, gen):
    """torchvision zero-initializes ViT's classifier, which would make its
    output all zeros; give it random weights."""
    with torch.no_grad():
        head = vit.heads.head
        head.weight.copy_(torch.randn(head.weight.shape, generator=gen) * 0.02)
        head.bias.copy_(torch.randn(head.bias.shape, generator=gen) * 0.02)
    return vit


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        # conv 3x3 with padding + BN + ReLU + MaxPool
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        # strided conv
        self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        # depthwise conv (groups == channels)
        self.dw = nn.Conv2d(32, 32, 3, padding=1, groups=32)
        # grouped conv (4 groups)
        self.gconv = nn.Conv2d(32, 64, 3, padding=1, groups=4)
        self.bn3 = nn.BatchNorm2d(64)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.bn1(self.conv1(x))))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.dw(x))
        x = F.relu(self.bn3(self.gconv(x)))
        x = torch.flatten(self.gap(x), 1)
        return F.softmax(self.fc(x), dim=-1)


class EncoderBlock(nn.Module):
    """A pre-norm transformer encoder block, written out by hand."""

    def __init__(self, seq=16, dim=64, heads=4, hidden=128):
        super().__init__()
        self.seq, self.dim, self.heads = seq, dim, heads
        self.head_dim = dim // heads
        self.ln1 = nn.LayerNorm(dim)
        self.q = nn.Linear(dim, dim)
        self.k = nn.Linear(dim, dim)
        self.v = nn.Linear(dim, dim)
        self.proj = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.ln_out = nn.LayerNorm(dim)
        mask = torch.triu(torch.full((seq, seq), -1e4), diagonal=1)
        self.register_buffer("mask", mask)

    def split_heads(self, t):
        b, s, _ = t.shape
        return t.reshape(b, s, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x):
        b, s, d = x.shape
        h = self.ln1(x)
        q = self.split_heads(self.q(h))
        k = self.split_heads(self.k(h))
        v = self.split_heads(self.v(h))
        scores = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        att = torch.softmax(scores + self.mask, dim=-1)
        ctx = torch.matmul(att, v).transpose(1, 2).reshape(b, s, d)
        x = x + self.proj(ctx)
        h = self.ln2(x)
        h = self.fc1(h)
        h = 0.5 * h * (1.0 + torch.erf(h / math.sqrt(2.0)))  # GELU (erf form)
        x = x + self.fc2(h)
        return self.ln_out(x)


def build_models():
    """Returns [(name, module, example inputs, export options)] in eval mode."""
    gen = torch.Generator().manual_seed(SEED + 1)
    models = []

    torch.manual_seed(SEED + 10)
    mlp = MLP().eval()
    mlp_x = torch.randn(1, 784, generator=gen)
    models.append(("mlp", mlp, (mlp_x,), {}))
    models.append(("mlp_dynamic", mlp, (mlp_x,),
                   {"dynamic_axes": {"input": {0: "batch"},
                                     "output": {0: "batch"}}}))

    torch.manual_seed(SEED + 20)
    cnn = SmallCNN()
    randomize_batchnorm(cnn, gen)
    cnn.eval()
    # PRESERVE keeps the (eval-mode) model as is, so the BatchNormalization
    # nodes reach the ONNX file instead of being folded into the convs; the
    # graph has nothing to constant-fold.
    models.append(("cnn", cnn, (torch.randn(1, 3, 32, 32, generator=gen),),
                   {"training": torch.onnx.TrainingMode.PRESERVE,
                    "do_constant_folding": False}))

    import torchvision

    torch.manual_seed(SEED + 30)
    resnet = torchvision.models.resnet18(weights=None)
    randomize_batchnorm(resnet, gen)
    resnet.eval()
    models.append(("resnet18", resnet,
                   (torch.randn(1, 3, 224, 224, generator=gen),), {}))

    torch.manual_seed(SEED + 40)
    block = EncoderBlock().eval()
    models.append(("transformer", block,
                   (torch.randn(1, 16, 64, generator=gen),), {}))
    return models


FAMILY_OPSETS = (13, 17)


class SequenceModel(nn.Module):
    """A recurrent encoder (LSTM or GRU) with a linear head on every step."""

    def __init__(self, kind, features=16, hidden=32, layers=2, bidirectional=True):
        super().__init__()
        rnn = nn.LSTM if kind == "lstm" else nn.GRU
        self.rnn = rnn(features, hidden, num_layers=layers, batch_first=True,
                       bidirectional=bidirectional)
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), 8)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.head(y)


class OpsMix(nn.Module):
    """Ops that no family above uses, in one network: instance norm, LRN,
    PReLU, ELU/SELU/CELU/softplus/softsign, pixel shuffle (DepthToSpace),
    cumsum, argmax + one_hot, where, fmod and clamp. (Trilu needs opset 14;
    the backend suite's trilu tests cover it.)"""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 16, 3, padding=1)
        self.norm = nn.InstanceNorm2d(16, affine=True)
        self.lrn = nn.LocalResponseNorm(5)
        self.prelu = nn.PReLU(16)
        self.shuffle = nn.PixelShuffle(2)
        with torch.no_grad():
            self.norm.weight.uniform_(0.5, 1.5)
            self.norm.bias.uniform_(-0.2, 0.2)
            self.prelu.weight.uniform_(0.05, 0.3)

    def forward(self, x):
        y = self.prelu(self.lrn(self.norm(self.conv(x))))
        y = (F.elu(y) + 0.5 * F.selu(y) + 0.25 * F.celu(y, 1.5) + 0.1 * F.softplus(y)
             + F.softsign(y))
        y = self.shuffle(y)                       # 1 x 4 x 16 x 16
        y = torch.cumsum(y, dim=3) * 0.05
        y = torch.where(y > 0.1, y, y * 0.5)
        hot = F.one_hot(y.argmax(dim=1), 4).permute(0, 3, 1, 2).to(y.dtype)
        y = y + hot
        y = torch.where(y > 0.3, y, torch.sin(y))
        y = torch.fmod(y, 1.75)
        return torch.clamp(y, -1.0, 1.5)


class Upsample(nn.Module):
    """F.interpolate in the modes exporters turn into Resize."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)

    def forward(self, x):
        x = self.conv(x)
        ys = [F.interpolate(x, scale_factor=2, mode="nearest"),
              F.interpolate(x, size=(13, 7), mode="bilinear", align_corners=False),
              F.interpolate(x, scale_factor=1.5, mode="bicubic", align_corners=True),
              F.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=True),
              F.interpolate(x, size=(5, 11), mode="nearest")]
        return torch.cat([y.flatten(1) for y in ys], 1)


class ConvVariants(nn.Module):
    """Convolutions beyond 2-D Conv: Conv1d, Conv3d (strided, grouped,
    dilated), ConvTranspose1d/2d (strided, output_padding, groups,
    dilation), reflection and replication padding, and repeat (Tile)."""

    def __init__(self):
        super().__init__()
        self.conv1d = nn.Conv1d(4, 6, 3, stride=2, padding=1)
        self.up1d = nn.ConvTranspose1d(6, 4, 4, stride=2, padding=1)
        self.conv3d = nn.Conv3d(2, 4, (3, 3, 3), stride=(2, 1, 1), padding=(1, 0, 1),
                                dilation=(1, 2, 1), groups=2)
        self.up2d = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1,
                                       groups=2, dilation=1)
        self.up2d_dilated = nn.ConvTranspose2d(6, 2, (2, 3), stride=(1, 2), dilation=(2, 1))

    def forward(self, seq, vol):
        a = self.up1d(torch.relu(self.conv1d(seq)))                # 1 x 4 x 16
        a = F.pad(a, (2, 3), mode="reflect").repeat(1, 2, 1)       # 1 x 8 x 21
        v = self.conv3d(vol)                                       # 1 x 4 x 3 x 4 x 6
        v = v.flatten(2, 3)                                        # 1 x 4 x 12 x 6
        v = self.up2d_dilated(self.up2d(torch.tanh(v)))
        v = F.pad(v, (1, 2, 0, 1), mode="replicate")
        return torch.cat([a.flatten(1), v.flatten(1)], 1)


def build_families():
    """Returns [(name, module, example inputs, export options)] in eval mode."""
    import torchvision

    gen = torch.Generator().manual_seed(SEED + 100)
    builders = [
        ("resnet18", lambda: torchvision.models.resnet18(weights=None), 224),
        ("mobilenet_v2", lambda: torchvision.models.mobilenet_v2(weights=None), 224),
        ("mobilenet_v3", lambda: torchvision.models.mobilenet_v3_small(weights=None), 224),
        ("efficientnet_b0", lambda: torchvision.models.efficientnet_b0(weights=None), 224),
        ("densenet121", lambda: torchvision.models.densenet121(weights=None), 224),
        ("googlenet", lambda: torchvision.models.googlenet(
            weights=None, aux_logits=False, init_weights=True), 224),
        ("shufflenet_v2", lambda: torchvision.models.shufflenet_v2_x0_5(weights=None), 224),
        ("squeezenet", lambda: torchvision.models.squeezenet1_1(weights=None), 224),
        ("regnet", lambda: torchvision.models.regnet_y_400mf(weights=None), 224),
        ("convnext", lambda: torchvision.models.convnext_tiny(weights=None), 224),
        ("vit", lambda: randomize_head(torchvision.models.vit_b_16(weights=None), gen), 224),
    ]
    models = []
    for i, (name, build, size) in enumerate(builders):
        torch.manual_seed(SEED + 200 + i)
        module = build()
        randomize_batchnorm(module, gen)
        module.eval()
        x = torch.randn(1, 3, size, size, generator=gen)
        for opset in FAMILY_OPSETS:
            models.append(("%s_op%d" % (name, opset), module, (x,), {"opset_version": opset}))

    for i, kind in enumerate(("lstm", "gru")):
        torch.manual_seed(SEED + 250 + i)
        module = SequenceModel(kind).eval()
        x = torch.randn(1, 12, 16, generator=gen)
        for opset in FAMILY_OPSETS:
            models.append(("%s_op%d" % (kind, opset), module, (x,), {"opset_version": opset}))

    torch.manual_seed(SEED + 270)
    mix = OpsMix().eval()
    x = torch.randn(1, 4, 8, 8, generator=gen)
    for opset in FAMILY_OPSETS:
        models.append(("ops_mix_op%d" % opset, mix, (x,), {"opset_version": opset}))

    torch.manual_seed(SEED + 280)
    upsample = Upsample().eval()
    x = torch.randn(1, 3, 8, 10, generator=gen)
    for opset in FAMILY_OPSETS:
        models.append(("upsample_op%d" % opset, upsample, (x,), {"opset_version": opset}))

    torch.manual_seed(SEED + 290)
    convs = ConvVariants().eval()
    inputs = (torch.randn(1, 4, 16, generator=gen), torch.randn(1, 2, 5, 8, 6, generator=gen))
    for opset in FAMILY_OPSETS:
        models.append(("conv_variants_op%d" % opset, convs, inputs, {"opset_version": opset}))

    torch.manual_seed(SEED + 260)
    block = EncoderBlock().eval()
    x = torch.randn(1, 16, 64, generator=gen)
    for opset in FAMILY_OPSETS:
        models.append(("attention_op%d" % opset, block, (x,), {"opset_version": opset}))

    torch.manual_seed(SEED + 300)
    layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128,
                                       dropout=0.0, batch_first=True)
    encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False).eval()
    x = torch.randn(1, 16, 64, generator=gen)
    for opset in FAMILY_OPSETS:
        models.append(("transformer_encoder_op%d" % opset, encoder, (x,),
                       {"opset_version": opset}))
    return models


def export(name, module, inputs, options, outdir):
    path = os.path.join(outdir, name + ".onnx")
    input_names = ["input"] if len(inputs) == 1 else [
        "input%d" % i for i in range(len(inputs))]
    output_names = ["output"]
    kwargs = {"do_constant_folding": True, "opset_version": OPSET}
    kwargs.update(options)
    with torch.no_grad():
        outputs = module(*inputs)
        if isinstance(outputs, torch.Tensor):
            outputs = (outputs,)
    # Exported with autograd on: under no_grad, nn.TransformerEncoder takes
    # its fused fast path (aten::_native_multi_head_attention), which the
    # exporter cannot write.
    torch.onnx.export(
        module, inputs, path,
        input_names=input_names,
        output_names=output_names,
        **kwargs)
    for i, t in enumerate(inputs):
        np.save(os.path.join(outdir, "%s.input%d.npy" % (name, i)),
                t.detach().numpy().astype(np.float32))
    for i, t in enumerate(outputs):
        np.save(os.path.join(outdir, "%s.output%d.npy" % (name, i)),
                t.detach().numpy().astype(np.float32))
    return {
        "onnx": name + ".onnx",
        "inputs": [{"name": n, "shape": list(t.shape)}
                   for n, t in zip(input_names, inputs)],
        "outputs": [{"name": n, "shape": list(t.shape)}
                    for n, t in zip(output_names, outputs)],
        "dynamic": "dynamic_axes" in options,
        "opset": kwargs["opset_version"],
    }


def main(argv):
    sets = {"core": build_models, "families": build_families}
    if len(argv) == 4 and argv[2] == "--set" and argv[3] in sets:
        build = sets[argv[3]]
    elif len(argv) == 2:
        build = build_models
    else:
        sys.stderr.write("usage: %s OUTDIR [--set core|families]\n" % argv[0])
        return 2
    outdir = argv[1]
    os.makedirs(outdir, exist_ok=True)
    manifest_path = os.path.join(outdir, "manifest.json")
    if os.path.exists(manifest_path):
        os.remove(manifest_path)

    seed_everything(SEED)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    torch.set_num_threads(1)  # fixed reduction order for the references

    manifest = {"opset": OPSET, "torch": torch.__version__, "models": {}}
    for name, module, inputs, options in build():
        manifest["models"][name] = export(name, module, inputs, options, outdir)
        print("wrote %s" % os.path.join(outdir, name + ".onnx"))

    tmp = manifest_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, manifest_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
