#!/usr/bin/python3
# Saves one small TorchScript module for the lit tests:
#   make_module.py NAME OUT.pt
# Modules are seeded, so their weights are the same at every run.
import sys

import torch
import torch.nn as nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(8, 16)
        self.fc2 = nn.Linear(16, 4)

    def forward(self, x):
        return torch.softmax(self.fc2(torch.relu(self.fc1(x))), dim=1)


class ConstantControl(nn.Module):
    """A `for` over a constant range and an `if` on a shape: both known
    at compile time."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        for i in range(3):
            x = self.fc(x) * float(i + 1)
        if x.size(0) == 2:
            x = torch.relu(x)
        else:
            x = torch.tanh(x)
        return x


class DataDependent(nn.Module):
    """An `if` on the input's values: not known at compile time."""

    def forward(self, x):
        if bool(x.sum() > 0):  # the line the error names
            return x * 2.0
        return x


class Unsupported(nn.Module):
    """Three ops Kiln does not import."""

    def forward(self, x):
        a = torch.cumsum(x, dim=1)
        b = torch.sort(x, dim=1)[0]
        c = torch.flip(x, [1])
        return a + b + c


class TwoOutputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, image, bias):
        y = torch.relu(self.bn(self.conv(image)))
        pooled = torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1)
        return pooled + bias, y.mean(dim=[2, 3])


class Add(nn.Module):
    """x + y: broadcasts only for compatible --shape bindings."""

    def forward(self, x, y):
        return x + y


class Linear(nn.Module):
    """A linear layer that takes 8 features."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)

    def forward(self, x):
        return self.fc(x)


class Conv(nn.Module):
    """A convolution that takes 3 channels."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return self.conv(x)


class Reshape(nn.Module):
    """A reshape to 2x6, traced with constant sizes."""

    def forward(self, x):
        return x.reshape(2, 6)


class Composite(nn.Module):
    """The composite ops both front ends decompose in one place."""

    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(2)
        self.ln = nn.LayerNorm(4)
        with torch.no_grad():
            self.bn.weight.copy_(torch.tensor([2.0, 1.0]))
            self.bn.bias.copy_(torch.tensor([0.0, 1.0]))
            self.bn.running_mean.copy_(torch.tensor([1.0, 0.0]))
            self.bn.running_var.copy_(torch.tensor([4.0, 1.0]))
        self.bn.eps = 0.0

    def forward(self, x):
        return (nn.functional.hardswish(x), nn.functional.hardsigmoid(x),
                nn.functional.silu(x), nn.functional.gelu(x),
                nn.functional.gelu(x, approximate="tanh"), self.ln(x), self.bn(x))


class Tokens(torch.nn.Module):
    """Integer token ids and a bool mask: an embedding lookup, Python's
    remainder on integers and a cast."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(10, 4)

    def forward(self, ids, mask):
        e = self.embed(torch.remainder(ids, 10))
        return e * mask.unsqueeze(-1).to(torch.float32)


class ShuffleUpsample(torch.nn.Module):
    """A channel shuffle (sizes through floor_divide), bilinear upsampling
    and a transposed convolution."""

    def __init__(self):
        super().__init__()
        self.up = torch.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)

    def forward(self, x):
        n, c, h, w = x.size()
        x = x.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        x = torch.nn.functional.interpolate(x, scale_factor=2.0, mode="bilinear",
                                            align_corners=False)
        return self.up(x)


class InPlaceViews(nn.Module):
    """Writes through views, which tracing keeps as in-place ops: a mask
    built by slice assignment (as Swin's shifted windows build theirs), a
    row written through select, a write through a transposed view and
    through a flattened one, an in-place add on a slice, masked_fill, and
    a norm."""

    def forward(self, x):
        m = x.new_zeros((6, 8))
        m[0:2, 3:] = 1.0
        m[4] = 2.0
        m.t()[1:3, 2:4] = 3.0
        m.view(48)[44:47] = 4.0
        m[:, 5:7].add_(x[:, :2])
        k = m.masked_fill(m == 0, -1.0)
        return x * k / torch.norm(x, 2.0, [1], True).clamp_min(1e-6)


class StaleView(nn.Module):
    """A view taken before a write to its tensor, read after it."""

    def forward(self, x):
        m = x.new_zeros((4, 4))
        v = m[0:2]
        m[1:3] = 1.0
        return x + v.sum()


def main(name, out):
    torch.manual_seed(0)
    if name == "mlp":
        module = torch.jit.trace(MLP().eval(), torch.randn(2, 8))
    elif name == "constant-control":
        module = torch.jit.script(ConstantControl().eval())
    elif name == "data-dependent":
        module = torch.jit.script(DataDependent().eval())
    elif name == "unsupported":
        module = torch.jit.script(Unsupported().eval())
    elif name == "two-outputs":
        module = torch.jit.trace(TwoOutputs().eval(), (torch.randn(1, 3, 8, 8), torch.randn(1, 4)))
    elif name == "composite":
        module = torch.jit.trace(Composite().eval(), torch.randn(1, 2, 4, 4))
    elif name == "add":
        module = torch.jit.trace(Add().eval(), (torch.randn(2, 3), torch.randn(2, 3)))
    elif name == "linear":
        module = torch.jit.trace(Linear().eval(), torch.randn(2, 8))
    elif name == "conv":
        module = torch.jit.trace(Conv().eval(), torch.randn(1, 3, 8, 8))
    elif name == "shuffle-upsample":
        module = torch.jit.trace(ShuffleUpsample().eval(), torch.randn(1, 4, 3, 3))
    elif name == "tokens":
        module = torch.jit.trace(Tokens().eval(), (torch.randint(0, 10, (2, 3)),
                                                   torch.ones(2, 3, dtype=torch.bool)))
    elif name == "inplace-views":
        module = torch.jit.trace(InPlaceViews().eval(), torch.randn(6, 8))
    elif name == "stale-view":
        module = torch.jit.trace(StaleView().eval(), torch.randn(4, 4))
    elif name == "reshape":
        module = torch.jit.trace(Reshape().eval(), torch.randn(3, 4))
    else:
        raise SystemExit("unknown module " + name)
    module.save(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
