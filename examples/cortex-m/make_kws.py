# ===- examples/cortex-m/make_kws.py - The keyword-spotting DS-CNN ------===#
#
# The keyword-spotting network of MLPerf Tiny (DS-CNN small, after
# mlcommons/tiny benchmark/training/keyword_spotting): 49x10 MFCC in, a
# 10x4 stride-2 convolution to 64 channels, four depthwise-separable
# blocks (3x3 depthwise, 1x1 pointwise, each with BatchNorm and ReLU),
# average pooling, a 12-way Linear and softmax. The weights and
# BatchNorm statistics are seeded random values, so the file is the same
# on every machine. Exported to ONNX opset 13 with BatchNorm folded.
#
# Usage: /usr/bin/python3 make_kws.py OUT.onnx
#
# ===--------------------------------------------------------------------===#

import sys

import torch
from torch import nn


def conv_bn_relu(cin, cout, kernel, stride, padding, groups=1):
    return [
        nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(),
    ]


class DSCNN(nn.Module):
    def __init__(self, classes=12, channels=64, blocks=4):
        super().__init__()
        layers = conv_bn_relu(1, channels, (10, 4), 2, (5, 1))
        for _ in range(blocks):
            layers += conv_bn_relu(channels, channels, 3, 1, 1, groups=channels)
            layers += conv_bn_relu(channels, channels, 1, 1, 0)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, classes)

    def forward(self, mfcc):
        x = self.pool(self.features(mfcc)).flatten(1)
        return torch.softmax(self.classifier(x), dim=1)


def seed_batchnorm(model):
    """Gives every BatchNorm seeded statistics and affine parameters, so
    that folding it is not the identity."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_kws.py OUT.onnx")
    torch.manual_seed(20)
    model = DSCNN()
    seed_batchnorm(model)
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 49, 10), sys.argv[1], opset_version=13,
                      input_names=["mfcc"], output_names=["scores"], do_constant_folding=True)


if __name__ == "__main__":
    main()
