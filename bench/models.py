"""The benchmark models, built the same way by make_models and torch_bench.

Each builder returns (module, input) in eval mode with weights from a fixed
seed, so that the ONNX file Kiln and ONNX Runtime run and the module
PyTorch runs are the same network.
"""
import torch
import torchvision

# The convolutional networks people deploy, torchvision's with random weights.
CNNS = ["resnet18", "mobilenet_v2", "efficientnet_b0", "squeezenet1_1", "shufflenet_v2_x1_0",
        "mobilenet_v3_small", "googlenet", "densenet121", "resnet50"]
MODELS = CNNS + ["transformer", "mlp"]
MICRO = ["gemm512", "conv3x3"]


class Gemm(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.randn(512, 512) / 23)

    def forward(self, x):
        return x @ self.w


def build(name):
    torch.manual_seed(0)
    image = torch.randn(1, 3, 224, 224)
    if name == "googlenet":  # without the training-only auxiliary classifiers
        model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)
        # Its own initialization (normal, std 0.01) shrinks the activations
        # by about 4x per layer, so the output would be the classifier's
        # bias alone and a numerics check of it empty. Initialize its
        # convolutions as the other torchvision CNNs do.
        for m in model.modules():
            if isinstance(m, torch.nn.Conv2d):
                torch.nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        return model.eval(), image
    if name in CNNS:
        return getattr(torchvision.models, name)(weights=None).eval(), image
    if name == "transformer":
        layer = torch.nn.TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=512,
                                                 dropout=0.0)
        # Sequence-first (16 tokens, batch 1): the layout every exporter handles.
        return torch.nn.TransformerEncoder(layer, num_layers=2).eval(), torch.randn(16, 1, 128)
    if name == "mlp":
        net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                                  torch.nn.Linear(256, 128), torch.nn.ReLU(),
                                  torch.nn.Linear(128, 10))
        return net.eval(), torch.randn(1, 784)
    if name == "gemm512":
        return Gemm().eval(), torch.randn(512, 512)
    if name == "conv3x3":
        return torch.nn.Conv2d(64, 64, 3, padding=1, bias=False).eval(), torch.randn(1, 64, 56, 56)
    raise ValueError(name)
