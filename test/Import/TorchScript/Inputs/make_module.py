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
    else:
        raise SystemExit("unknown module " + name)
    module.save(out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
