#!/usr/bin/env python3
"""Installs Kiln to a temporary prefix and builds programs against it.

1. `cmake --install` of the build tree: every file of the documented layout
   is there, and the installed kilnc runs.
2. examples/cmake-consumer, once with Ninja and once with Unix Makefiles:
   configures with find_package(Kiln), builds, runs, and checks the numbers
   against NumPy. A second build does nothing; touching one model rebuilds
   that model's library (and what links it) and leaves the other alone;
   touching kilnc recompiles both.
3. examples/makefile-consumer with pkg-config: builds, runs, checks.
4. test/install/cross: a Cortex-M4 toolchain file; the model's object and
   the runtime built from source must both be 32-bit ARM objects.
5. Bad kiln_add_model() calls stop the configure step with a clear message.

Sources are copied to the work directory first, so touching a model never
touches the checkout.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

LAYOUT = [
    "bin/kilnc",
    "bin/kiln-run",
    "lib/libkiln_rt.a",
    "lib/libkiln_rt_cuda.a",
    "include/kiln/runtime.h",
    "include/kiln/runtime_cuda.h",
    "lib/cmake/Kiln/KilnConfig.cmake",
    "lib/cmake/Kiln/KilnConfigVersion.cmake",
    "lib/cmake/Kiln/KilnAddModel.cmake",
    "lib/pkgconfig/kiln-runtime.pc",
    "share/kiln/runtime/runtime.c",
    "share/kiln/runtime/parallel.c",
    "share/doc/kiln/README.md",
    "share/doc/kiln/cmake.md",
]


def run(cmd, cwd=None, env=None, capture=True):
    print("+", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE if capture else None,
                            stderr=subprocess.STDOUT if capture else None)
    if result.returncode != 0:
        if capture:
            print(result.stdout)
        sys.exit(f"FAIL: command exited with {result.returncode}")
    return result.stdout if capture else ""


def fail(message):
    sys.exit(f"FAIL: {message}")


# --- references -------------------------------------------------------------

def conv2d_same(image, kernels, bias):
    h, w = image.shape
    padded = np.pad(image, 1)
    out = np.zeros((kernels.shape[0], h, w), np.float64)
    for k in range(kernels.shape[0]):
        for y in range(h):
            for x in range(w):
                out[k, y, x] = np.sum(padded[y:y + 3, x:x + 3] * kernels[k]) + bias[k]
    return out


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def consumer_reference():
    image = np.array([((i * 7) % 16) / 4.0 for i in range(16)], np.float64).reshape(4, 4)
    sobel = np.array([[-1, 0, 1, -2, 0, 2, -1, 0, 1],
                      [-1, -2, -1, 0, 0, 0, 1, 2, 1]], np.float64).reshape(2, 3, 3)
    energy = np.maximum(conv2d_same(image, sobel, [0.0, 0.5]), 0).mean(axis=(1, 2))
    w1 = np.array([0.5, -0.25, 0.75, 0.1, -0.5, 0.3, 0.2, -0.4,
                   0.25, 0.6, -0.1, 0.9]).reshape(3, 4)
    b1 = np.array([0.1, -0.1, 0.05, 0.0])
    w2 = np.array([1.0, -1.0, 0.5, 0.25, -0.75, 1.25, 0.3, -0.6]).reshape(4, 2)
    b2 = np.array([-0.2, 0.3])
    features = np.array([energy[0], energy[1], 1.0])
    scores = sigmoid(np.tanh(features @ w1 + b1) @ w2 + b2)
    return {"energy": energy, "scores": scores}


def classifier_reference():
    w1 = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8,
                   -0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -0.7, -0.8,
                   0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8,
                   0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]).reshape(4, 8)
    w2 = np.array([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1,
                   1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1], np.float64).reshape(8, 3)
    logits = np.maximum(np.array([1.0, 2.0, 3.0, 4.0]) @ w1 + 0.1, 0) @ w2
    e = np.exp(logits - logits.max())
    return {"probabilities": e / e.sum()}


def check_printout(text, reference, what):
    for key, expected in reference.items():
        match = re.search(rf"^{key}\s+\[([^\]]*)\]", text, re.M)
        if not match:
            fail(f"{what}: no '{key}' line in the output:\n{text}")
        got = np.array([float(v) for v in match.group(1).split()])
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-5, atol=1e-6):
            fail(f"{what}: {key} = {got}, expected {expected}")
        print(f"  {what}: {key} {got} matches NumPy {expected}")


# --- steps ------------------------------------------------------------------

def install(build_dir, prefix):
    shutil.rmtree(prefix, ignore_errors=True)
    run(["cmake", "--install", build_dir, "--prefix", prefix])
    missing = [p for p in LAYOUT if not os.path.isfile(os.path.join(prefix, p))]
    if missing:
        fail(f"installed tree lacks {missing}")
    version = run([os.path.join(prefix, "bin/kilnc"), "--version"])
    if not re.match(r"kilnc \d+\.\d+\.\d+", version):
        fail(f"installed kilnc --version printed {version!r}")
    print(f"PASS install layout ({len(LAYOUT)} files checked); {version.splitlines()[0]}")


def mtimes(paths):
    return {p: os.stat(p).st_mtime_ns for p in paths}


def consumer(source_dir, prefix, work, generator):
    tag = "ninja" if generator == "Ninja" else "make"
    src = os.path.join(work, f"consumer-{tag}")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(os.path.join(source_dir, "examples/cmake-consumer"), src)
    build = os.path.join(src, "build")
    run(["cmake", "-S", src, "-B", build, "-G", generator,
         f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release"])
    build_cmd = ["cmake", "--build", build]
    run(build_cmd)
    exe = os.path.join(build, "consumer")
    check_printout(run([exe]), consumer_reference(), f"consumer ({generator})")

    edges_o = os.path.join(build, "kiln/edges/edges.o")
    scorer_o = os.path.join(build, "kiln/scorer_model/scorer.o")
    watched = [edges_o, scorer_o, os.path.join(build, "libedges.a"),
               os.path.join(build, "libscorer_model.a"), exe]
    for p in watched + [os.path.join(build, "kiln/edges/edges.manifest.json")]:
        if not os.path.isfile(p):
            fail(f"{generator}: expected {p}")

    before = mtimes(watched)
    out = run(build_cmd)
    after = mtimes(watched)
    changed = [p for p in watched if before[p] != after[p]]
    if changed:
        fail(f"{generator}: a build with nothing touched rebuilt {changed}\n{out}")
    if generator == "Ninja" and "no work to do" not in out:
        fail(f"Ninja: a build with nothing touched did work:\n{out}")
    print(f"PASS {generator}: a second build does nothing")

    time.sleep(1.1)  # file systems with coarse time stamps
    os.utime(os.path.join(src, "models/edges.onnxtxt"))
    out = run(build_cmd)
    after2 = mtimes(watched)
    for p in (edges_o, os.path.join(build, "libedges.a"), exe):
        if after2[p] == after[p]:
            fail(f"{generator}: touching models/edges.onnxtxt did not rebuild {p}\n{out}")
    for p in (scorer_o, os.path.join(build, "libscorer_model.a")):
        if after2[p] != after[p]:
            fail(f"{generator}: touching models/edges.onnxtxt rebuilt {p}\n{out}")
    check_printout(run([exe]), consumer_reference(), f"consumer ({generator}, rebuilt)")
    print(f"PASS {generator}: touching edges.onnxtxt rebuilt the edges library only")

    before = mtimes(watched)
    run(build_cmd)
    if mtimes(watched) != before:
        fail(f"{generator}: the build after the rebuild was not a no-op")

    # A new kilnc recompiles every model.
    time.sleep(1.1)
    os.utime(os.path.join(prefix, "bin/kilnc"))
    run(build_cmd)
    after3 = mtimes(watched)
    stale = [p for p in (edges_o, scorer_o) if after3[p] == before[p]]
    if stale:
        fail(f"{generator}: touching kilnc did not recompile {stale}")
    print(f"PASS {generator}: touching kilnc recompiled both models")


def makefile_consumer(source_dir, prefix, work):
    root = os.path.join(work, "makefile")
    shutil.rmtree(root, ignore_errors=True)
    for sub in ("makefile-consumer", "quickstart"):
        shutil.copytree(os.path.join(source_dir, "examples", sub), os.path.join(root, sub))
    env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(prefix, "lib/pkgconfig"))
    env.pop("KILNC", None)
    kilnc = run(["pkg-config", "--variable=kilnc", "kiln-runtime"], env=env).strip()
    if os.path.realpath(kilnc) != os.path.realpath(os.path.join(prefix, "bin/kilnc")):
        fail(f"pkg-config names kilnc {kilnc}, not the installed one")
    make_dir = os.path.join(root, "makefile-consumer")
    run(["make", "-C", make_dir], env=env)
    exe = os.path.join(make_dir, "build/classifier")
    check_printout(run([exe]), classifier_reference(), "makefile-consumer")
    out = run(["make", "-C", make_dir], env=env)
    if "Nothing to be done" not in out:
        fail(f"make: a second build did work:\n{out}")
    print("PASS makefile-consumer: pkg-config build runs; a second make does nothing")


def cross(source_dir, prefix, work, readelf):
    if not shutil.which("clang-22"):
        fail("clang-22 is needed for the Cortex-M4 cross build")
    src = os.path.join(source_dir, "test/install/cross")
    build = os.path.join(work, "cross-build")
    shutil.rmtree(build, ignore_errors=True)
    run(["cmake", "-S", src, "-B", build, "-G", "Ninja",
         f"-DCMAKE_TOOLCHAIN_FILE={os.path.join(src, 'thumbv7em-none-eabi.cmake')}",
         f"-DKiln_DIR={os.path.join(prefix, 'lib/cmake/Kiln')}",
         f"-DKILN_CONSUMER_MODELS={os.path.join(source_dir, 'examples/cmake-consumer/models')}"])
    run(["cmake", "--build", build])
    # Archives: readelf prints a header for each member.
    objects = {
        "model": os.path.join(build, "kiln/edges/edges.o"),
        "model library": os.path.join(build, "libedges.a"),
        "runtime (built from the installed source)": os.path.join(build, "libkiln_runtime.a"),
        "firmware": os.path.join(build, "libfirmware.a"),
    }
    for what, path in objects.items():
        header = run([readelf, "-h", path])
        classes = re.findall(r"Class:\s+(\S+)", header)
        machines = re.findall(r"Machine:\s+(\S+)", header)
        if not classes or set(classes) != {"ELF32"} or set(machines) != {"ARM"}:
            fail(f"cross: the {what} object {path} is not a 32-bit ARM object:\n{header}")
    attrs = run([readelf, "-A", objects["model"]])
    if "Cortex-M4" not in attrs and "v7E-M" not in attrs:
        fail(f"cross: the model object is not built for Cortex-M4:\n{attrs}")
    manifest = open(os.path.join(build, "kiln/edges/edges.manifest.json")).read()
    # kilnc records the triple normalized, as Clang spells it.
    if '"target": "thumbv7em-unknown-none-eabi"' not in manifest or '"cpu": "cortex-m4"' not in manifest:
        fail(f"cross: the manifest does not record the toolchain's target:\n{manifest}")
    print("PASS cross: toolchain file -> thumbv7em-none-eabi / cortex-m4 model and runtime")


# kiln_add_model() calls that must stop the configure step, and the message.
BAD_CALLS = [
    ("kiln_add_model(m MODEL {model} GPU_ARCH sm_90)", "GPU_ARCH needs DEVICE cuda"),
    ("kiln_add_model(m MODEL {model} DEVICE tpu)", "DEVICE 'tpu' is not cpu or cuda"),
    ("kiln_add_model(m)", "MODEL <file> is required"),
    ("kiln_add_model(m MODEL nothere.onnx)", "model file '{src}/nothere.onnx' does not exist"),
    ("kiln_add_model(m MODEL {model} NAME 9lives)", "NAME '9lives' is not a C identifier"),
    ("kiln_add_model(m MODEL {model} OPT_LEVEL 5)", "OPT_LEVEL '5' is not 0, 1, 2 or 3"),
    ("kiln_add_model(m MODEL {model} SHAPE x=1)", "unknown arguments: SHAPE;x=1"),
]


def cuda_consumer(source_dir, prefix, work):
    """kiln_add_model(DEVICE cuda) against the installed Kiln: the model
    compiles with kilnc --device=cuda and links with Kiln::runtime_cuda into
    a C program, which runs (without a GPU it says so and exits 0)."""
    toolkit = next((root for root in (os.environ.get("CUDA_PATH"), "/usr/local/cuda")
                    if root and os.path.exists(
                        os.path.join(root, "nvvm", "libdevice", "libdevice.10.bc"))), None)
    if not toolkit:
        print("SKIP cuda consumer: no CUDA toolkit")
        return
    src = os.path.join(work, "cuda-consumer")
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    model = os.path.join(source_dir, "examples/quickstart/classifier.onnxtxt")
    shutil.copy(os.path.join(source_dir, "examples/cuda/main.c"), src)
    with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.20)\nproject(cuda_consumer LANGUAGES C)\n"
                "find_package(Kiln REQUIRED)\n"
                "if(NOT KILN_HAS_CUDA)\n  message(FATAL_ERROR \"KILN_HAS_CUDA is false\")\nendif()\n"
                f"kiln_add_model(classifier_gpu MODEL {model} NAME classifier DEVICE cuda "
                f"GPU_ARCH sm_90 OPTIONS --cuda-path={toolkit})\n"
                "add_executable(app main.c)\nset_target_properties(app PROPERTIES C_STANDARD 11)\n"
                "target_link_libraries(app PRIVATE classifier_gpu)\n")
    build = os.path.join(src, "build")
    run(["cmake", "-S", src, "-B", build, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={prefix}",
         "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", build])
    out = subprocess.run([os.path.join(build, "app")], text=True, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    if out.returncode != 0 or not ("no GPU here" in out.stdout or
                                   "probabilities [0.718436 0.065175 0.216389]" in out.stdout):
        fail(f"cuda consumer: the program failed ({out.returncode}):\n{out.stdout}")
    print("PASS cuda consumer: kiln_add_model(DEVICE cuda) links Kiln::runtime_cuda; "
          + out.stdout.strip().splitlines()[0])


def bad_calls(source_dir, prefix, work):
    model = os.path.join(source_dir, "examples/cmake-consumer/models/edges.onnxtxt")
    for i, (call, expected) in enumerate(BAD_CALLS):
        src = os.path.join(work, f"bad-{i}")
        shutil.rmtree(src, ignore_errors=True)
        os.makedirs(src)
        with open(os.path.join(src, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.20)\nproject(bad LANGUAGES C)\n"
                    "find_package(Kiln REQUIRED)\n" + call.format(model=model) + "\n")
        result = subprocess.run(["cmake", "-S", src, "-B", os.path.join(src, "build"),
                                 f"-DCMAKE_PREFIX_PATH={prefix}"],
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        message = expected.format(src=src)
        flat = " ".join(result.stdout.split())
        if result.returncode == 0 or message not in flat:
            fail(f"'{call}' should fail with '{message}', got exit "
                 f"{result.returncode}:\n{result.stdout}")
        print(f"PASS {call}: {message}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--readelf", default="llvm-readelf-22")
    args = parser.parse_args()
    work = os.path.abspath(args.work_dir)
    os.makedirs(work, exist_ok=True)
    prefix = os.path.join(work, "prefix")
    install(args.build_dir, prefix)
    consumer(args.source_dir, prefix, work, "Ninja")
    consumer(args.source_dir, prefix, work, "Unix Makefiles")
    makefile_consumer(args.source_dir, prefix, work)
    cross(args.source_dir, prefix, work, args.readelf)
    cuda_consumer(args.source_dir, prefix, work)
    bad_calls(args.source_dir, prefix, work)
    print("PASS install-consumer")


if __name__ == "__main__":
    main()
