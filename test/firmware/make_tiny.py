# ===- test/firmware/make_tiny.py - The MLPerf Tiny reference models -----===#
#
# The four reference models of MLPerf Tiny, recreated in PyTorch from
# their published definitions (mlcommons/tiny, benchmark/training/*/),
# with seeded random weights and BatchNorm statistics, so every machine
# writes the same files:
#
#   kws  keyword spotting: DS-CNN small on 49x10 MFCC, 12 classes
#        (examples/cortex-m/make_kws.py);
#   vww  visual wake words: MobileNetV1 x0.25 on 96x96 RGB, 2 classes;
#   ic   image classification: ResNet-8 (three stacks of one residual
#        block, 16/32/64 channels) on 32x32 RGB, 10 classes;
#   ad   anomaly detection: the dense autoencoder, 640 -> 128 x4 -> 8
#        -> 128 x4 -> 640, BatchNorm and ReLU after each hidden layer.
#
# Each is exported to ONNX opset 13, in float, as OUT_DIR/NAME.onnx.
#
# Usage: /usr/bin/python3 make_tiny.py OUT_DIR [NAME ...]
#
# ===--------------------------------------------------------------------===#

import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "examples", "cortex-m"))
from make_kws import DSCNN, conv_bn_relu, seed_batchnorm  # noqa: E402


class MobileNetV1(nn.Module):
    """MobileNetV1 at width multiplier `alpha` (vww_model.py)."""

    # (pointwise channels at alpha 1, depthwise stride) per block.
    BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
              (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, alpha=0.25, classes=2):
        super().__init__()
        cin = int(32 * alpha)
        layers = conv_bn_relu(3, cin, 3, 2, 1)
        for channels, stride in self.BLOCKS:
            cout = int(channels * alpha)
            layers += conv_bn_relu(cin, cin, 3, stride, 1, groups=cin)
            layers += conv_bn_relu(cin, cout, 1, 1, 0)
            cin = cout
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(cin, classes)

    def forward(self, image):
        x = self.pool(self.features(image)).flatten(1)
        return torch.softmax(self.classifier(x), dim=1)


class ResidualStack(nn.Module):
    """One stack of resnet_v1_eembc: two 3x3 convolutions, and a 1x1
    projection on the shortcut where the stride or width changes."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn_relu(cin, cout, 3, stride, 1),
                                  nn.Conv2d(cout, cout, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(cout))
        self.shortcut = (nn.Identity() if stride == 1 and cin == cout else
                         nn.Conv2d(cin, cout, 1, stride, 0))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.body(x) + self.shortcut(x))


class ResNet8(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn_relu(3, 16, 3, 1, 1))
        self.stacks = nn.Sequential(ResidualStack(16, 16, 1), ResidualStack(16, 32, 2),
                                    ResidualStack(32, 64, 2))
        self.pool = nn.AvgPool2d(8)
        self.classifier = nn.Linear(64, classes)

    def forward(self, image):
        x = self.pool(self.stacks(self.stem(image))).flatten(1)
        return torch.softmax(self.classifier(x), dim=1)


class AutoEncoder(nn.Module):
    """The anomaly-detection autoencoder (keras_model.py of the ToyADMOS
    reference): 640 inputs, four 128-wide layers, an 8-wide bottleneck,
    four 128-wide layers, 640 outputs."""

    def __init__(self, inputs=640, hidden=128, bottleneck=8):
        super().__init__()
        widths = [inputs] + [hidden] * 4 + [bottleneck] + [hidden] * 4
        layers = []
        for cin, cout in zip(widths, widths[1:]):
            layers += [nn.Linear(cin, cout), nn.BatchNorm1d(cout), nn.ReLU()]
        layers.append(nn.Linear(hidden, inputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, spectrogram):
        return self.layers(spectrogram)


# name -> (constructor, input name, input shape, output name)
MODELS = {
    "kws": (DSCNN, "mfcc", (1, 1, 49, 10), "scores"),
    "vww": (MobileNetV1, "image", (1, 3, 96, 96), "scores"),
    "ic": (ResNet8, "image", (1, 3, 32, 32), "scores"),
    "ad": (AutoEncoder, "spectrogram", (1, 640), "reconstruction"),
}


def export(name, path):
    make, input_name, shape, output_name = MODELS[name]
    torch.manual_seed(20)
    model = make()
    seed_batchnorm(model)
    model.eval()
    torch.onnx.export(model, torch.zeros(*shape), path, opset_version=13,
                      input_names=[input_name], output_names=[output_name],
                      do_constant_folding=True)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: make_tiny.py OUT_DIR [NAME ...]")
    out = sys.argv[1]
    names = sys.argv[2:] or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        sys.exit("make_tiny.py: unknown model %s; the models are %s" %
                 (", ".join(unknown), ", ".join(MODELS)))
    os.makedirs(out, exist_ok=True)
    for name in names:
        export(name, os.path.join(out, name + ".onnx"))


if __name__ == "__main__":
    main()
