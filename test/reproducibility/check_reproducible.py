#!/usr/bin/env python3
"""Compiles models twice under different conditions and compares the bytes.

The two runs differ in working directory, the model's absolute path (and
directory depth), TZ, LANG/LC_ALL, HOME, USER and umask; the flags are the
same. Every output (.o, .h, the --manifest JSON and, for the host, the
--emit=shared object) must be byte-identical. Targets: the host (default
CPU), x86-64-v3, AArch64 Linux, RISC-V 64 Linux, Cortex-M4 and CUDA
(sm_80 and sm_90: host code, weights and fatbin) when the CUDA toolkit is
installed; without it the CUDA row is reported as not run.
"""
import argparse
import filecmp
import os
import shutil
import subprocess
import sys

TARGETS = [
    ("host", []),
    ("x86_64-v3", ["--target=x86_64-pc-linux-gnu", "--cpu=x86-64-v3"]),
    ("aarch64", ["--target=aarch64-linux-gnu"]),
    ("riscv64", ["--target=riscv64-linux-gnu", "--features=+m,+a,+f,+d,+c"]),
    ("cortex-m4", ["--target=thumbv7em-none-eabi", "--cpu=cortex-m4"]),
]

ENVIRONMENTS = [
    {"TZ": "UTC", "LANG": "C", "LC_ALL": "C", "HOME": "/tmp", "USER": "alice", "umask": 0o022},
    {"TZ": "Asia/Kolkata", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8",
     "HOME": "/nonexistent", "USER": "bob", "umask": 0o077},
]


def cuda_toolkit():
    for root in (os.environ.get("CUDA_PATH"), "/usr/local/cuda"):
        if root and os.path.exists(os.path.join(root, "nvvm", "libdevice", "libdevice.10.bc")):
            return root
    return None


def make_binary_model(text_path, out_path):
    import onnx
    import onnx.parser
    with open(text_path) as f:
        text = "\n".join(l for l in f.read().splitlines() if not l.lstrip().startswith("#"))
    onnx.save(onnx.parser.parse_model(text), out_path)


def compile_once(kilnc, model, root, depth, env_spec, flags, emit_shared):
    """Copies `model` under root/<depth dirs>/, compiles from root/cwd."""
    model_dir = os.path.join(root, *[f"d{i}" for i in range(depth)], "models")
    os.makedirs(model_dir, exist_ok=True)
    model_copy = os.path.join(model_dir, os.path.basename(model))
    shutil.copyfile(model, model_copy)
    cwd = os.path.join(root, "cwd")
    out = os.path.join(root, "out")
    os.makedirs(cwd, exist_ok=True)
    os.makedirs(out, exist_ok=True)
    env = dict(os.environ)
    env.update({k: v for k, v in env_spec.items() if k != "umask"})
    old_umask = os.umask(env_spec["umask"])
    try:
        cmds = [[kilnc, model_copy, "-o", os.path.join(out, "model.o"), "--name", "model",
                 "--manifest", os.path.join(out, "model.json")] + flags]
        if emit_shared:
            cmds.append([kilnc, model_copy, "--emit=shared", "-o", os.path.join(out, "model.so"),
                         "--name", "model", "--manifest", os.path.join(out, "model.so.json")]
                        + flags)
        for cmd in cmds:
            result = subprocess.run(cmd, cwd=cwd, env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if result.returncode != 0:
                sys.exit(f"FAIL: {' '.join(cmd)} exited with {result.returncode}:\n{result.stdout}")
    finally:
        os.umask(old_umask)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    kilnc = os.path.abspath(args.kilnc)
    work = os.path.abspath(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    models = []
    for m in args.models:
        models.append(os.path.abspath(m))
        if m.endswith(".onnxtxt"):
            binary = os.path.join(work, os.path.basename(m)[:-len(".onnxtxt")] + ".onnx")
            make_binary_model(m, binary)
            models.append(binary)

    targets = list(TARGETS)
    toolkit = cuda_toolkit()
    if toolkit:
        targets.append(("cuda", ["--device=cuda", "--cuda-path=" + toolkit]))
    failures = 0
    compared = 0
    for model in models:
        for target, flags in targets:
            shared = target == "host"
            label = f"{os.path.basename(model)} [{target}]"
            outs = []
            for i, env_spec in enumerate(ENVIRONMENTS):
                root = os.path.join(work, f"run{i}", os.path.basename(model), target)
                outs.append(compile_once(kilnc, model, root, depth=1 + 3 * i, env_spec=env_spec,
                                         flags=flags, emit_shared=shared))
            names = sorted(os.listdir(outs[0]))
            if names != sorted(os.listdir(outs[1])):
                print(f"FAIL {label}: the runs wrote different files: {names} vs "
                      f"{sorted(os.listdir(outs[1]))}")
                failures += 1
                continue
            differing = [n for n in names
                         if not filecmp.cmp(os.path.join(outs[0], n), os.path.join(outs[1], n),
                                            shallow=False)]
            compared += len(names)
            if differing:
                print(f"FAIL {label}: {', '.join(differing)} differ")
                failures += 1
            else:
                print(f"PASS {label}: {', '.join(names)} byte-identical")
    if not toolkit:
        print("NOT RUN cuda: no CUDA toolkit (nvvm/libdevice) in $CUDA_PATH or /usr/local/cuda")
    print(f"{compared} files compared, {failures} configurations differ")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
