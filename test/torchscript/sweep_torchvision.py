#!/usr/bin/python3
# ===- test/torchscript/sweep_torchvision.py - Every torchvision model ---=== #
#
# The TorchScript sweep: every classification model torchvision lists
# (torchvision.models.list_models), and the segmentation models
# FCN-ResNet50, DeepLabV3-MobileNetV3 and LRASPP, each built with seeded
# random weights (zero-initialized ones too) and randomized batch-norm
# statistics, traced to .pt,
# compiled with `kilnc NAME.pt --shape x=1x3xHxW --emit=shared` (the
# default flags) and run with kiln-run against PyTorch's output:
# max|kiln - torch| / max|torch| <= 1e-4. Smallest models first; one line
# per model with its parameter count, compile time and error; the last line
# counts. A model that does not finish within --timeout seconds fails.
#
# The whole sweep takes hours on two cores (the largest models hold
# billions of bytes of weights), so ctest runs it (label "families;sweep")
# only when KILN_TORCHVISION_SWEEP=1 and skips it (77) otherwise;
# `--models a,b` runs some.
#
# ===------------------------------------------------------------------=== #

import argparse
import os
import re
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, HERE)
from make_models import randomize_batchnorm  # noqa: E402
from run_torchscript_e2e import SegmentationOutput, save_tensor  # noqa: E402

TOLERANCE = 1e-4  # never widen this
SEED = 1234
SKIP = 77

# Models whose default input is not 224 x 224.
INPUT_SIZE = {"inception_v3": 299}
SEGMENTATION = ("fcn_resnet50", "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large")


def build(name):
    import torchvision
    torch.manual_seed(SEED)
    if name in SEGMENTATION:
        ctor = getattr(torchvision.models.segmentation, name)
        extra = {} if name.startswith("lraspp") else {"aux_loss": False}
        module = SegmentationOutput(ctor(weights=None, weights_backbone=None, **extra))
    else:
        extra = {"aux_logits": False, "init_weights": False} \
            if name in ("inception_v3", "googlenet") else {}
        module = torchvision.models.get_model(name, weights=None, **extra)
    gen = torch.Generator().manual_seed(SEED)
    randomize_batchnorm(module, gen)
    # Some layers start at zero (ViT's classifier head): the output would be
    # zero, and the check empty.
    with torch.no_grad():
        for p in module.parameters():
            if p.numel() and not p.any():
                p.copy_(torch.randn(p.shape, generator=gen) * 0.02)
    return module.eval()


def run(cmd, timeout):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, timeout=timeout)
    return proc.returncode, proc.stdout


def main(argv):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--kilnc", required=True)
    p.add_argument("--kiln-run", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--models", default=None, help="comma-separated subset")
    p.add_argument("--timeout", type=int, default=1800, help="seconds per model")
    p.add_argument("--ctest", action="store_true",
                   help="skip (77) unless KILN_TORCHVISION_SWEEP=1")
    args = p.parse_args(argv)
    if args.ctest and os.environ.get("KILN_TORCHVISION_SWEEP") != "1":
        print("SKIP: the torchvision sweep takes hours; run it with KILN_TORCHVISION_SWEEP=1")
        return SKIP
    import torchvision
    names = args.models.split(",") if args.models else \
        torchvision.models.list_models(module=torchvision.models) + list(SEGMENTATION)
    sizes = {}
    for name in names:
        sizes[name] = sum(t.numel() for t in build(name).parameters())
    names.sort(key=lambda n: sizes[n])
    os.makedirs(args.work, exist_ok=True)
    passed = 0
    for name in names:
        hw = INPUT_SIZE.get(name, 224)
        start = time.time()
        try:
            module = build(name)
            x = torch.randn(1, 3, hw, hw, generator=torch.Generator().manual_seed(SEED))
            pt = os.path.join(args.work, name + ".pt")
            with torch.no_grad():
                expected = module(x)
                torch.jit.trace(module, (x,)).save(pt)
            del module
            inp = os.path.join(args.work, name + ".in.pb")
            ref = os.path.join(args.work, name + ".out.pb")
            save_tensor(x.numpy(), inp)
            save_tensor(expected.numpy(), ref)
            so = os.path.join(args.work, name + ".so")
            compile_start = time.time()
            rc, out = run([args.kilnc, pt, "--shape", "x=1x3x%dx%d" % (hw, hw), "--emit=shared",
                           "-o", so], args.timeout)
            compile_s = time.time() - compile_start
            if rc != 0:
                detail = "kilnc: " + (out.strip().splitlines() or ["exit %d" % rc])[-1]
                ok = False
            else:
                rc, out = run([args.kiln_run, so, "--input", inp, "--expected", ref,
                               "--relative-max-error", "%g" % TOLERANCE], args.timeout)
                rel = re.findall(r"relative ([0-9.eE+-]+|nan|inf)", out)
                ok = rc == 0
                detail = "compile %.0f s, relative error %s" % (
                    compile_s, rel[0] if rel else out.strip()[-200:])
            for path in (pt, so, inp, ref):
                if os.path.exists(path):
                    os.remove(path)
        except subprocess.TimeoutExpired:
            ok, detail = False, "over %d s" % args.timeout
        passed += ok
        print("%s %s (%.1fM parameters; %s; %.0f s in all)" %
              ("PASS" if ok else "FAIL", name, sizes[name] / 1e6, detail, time.time() - start),
              flush=True)
    print("%d passed, %d failed" % (passed, len(names) - passed))
    return 0 if passed == len(names) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
