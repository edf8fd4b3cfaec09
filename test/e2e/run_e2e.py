# ===- test/e2e/run_e2e.py - Kiln end-to-end numerics suite ------------===#
#
# Compiles the PyTorch reference models of make_models.py with kilnc, runs
# the generated code and compares what it computes with PyTorch's output.
# For every model it checks, each on its own line:
#
#   NAME compile   kilnc writes NAME.o and NAME.h
#   NAME nm        the object has no undefined malloc/calloc/realloc/free
#                  (nor aligned_alloc/posix_memalign/memalign)
#   NAME           harness.c, compiled with $CC (default cc) against NAME.h
#                  and linked with NAME.o + libkiln_rt.a, reproduces
#                  PyTorch's output: max|kiln - torch| / max|torch| <= 1e-4
#   NAME kiln-run  kilnc --emit=shared + kiln-run --relative-max-error 1e-4
#
# and for the MLP exported with a dynamic batch dimension (mlp_dynamic):
#
#   mlp_dynamic no-shape  kilnc without --shape exits with status 1 and an
#                         error that mentions --shape
#
# followed by the four checks above with --shape input=1x784.
#
# A check whose prerequisite failed is reported as FAIL too (never skipped).
# The last line is exactly "N passed, M failed"; the exit status is 1 when
# any check failed.
#
# Usage:
#   /usr/bin/python3 run_e2e.py --kilnc PATH --kiln-run PATH
#       --runtime-lib PATH/libkiln_rt.a --runtime-include DIR --work DIR
#       [--models mlp,cnn,...] [--model-dir DIR] [-O2]
#
# Models come from --model-dir (default WORK/models); when it holds no
# manifest.json, make_models.py is run once to create them there.
#
# ===--------------------------------------------------------------------===#

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = 1e-4  # max|kiln - torch| / max|torch|; never widen this.
ALL_MODELS = ["mlp", "cnn", "resnet18", "transformer", "mlp_dynamic"]
FORBIDDEN = {"malloc", "calloc", "realloc", "free",
             "aligned_alloc", "posix_memalign", "memalign"}
KILNC_TIMEOUT = 1200
RUN_TIMEOUT = 600


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        line = "%s %s" % ("PASS" if ok else "FAIL", what)
        if detail:
            line += " (%s)" % detail
        print(line, flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok

    def note(self, text):
        for line in text.rstrip("\n").splitlines():
            print("# " + line, flush=True)


def run(cmd, timeout, cwd=None):
    """Runs cmd; returns (exit status, stdout, stderr, seconds)."""
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout,
                           universal_newlines=True, errors="replace")
        code, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        code = None
        out = e.stdout or ""
        err = (e.stderr or "") + "\ntimed out after %d s" % timeout
        if isinstance(out, bytes):
            out = out.decode("utf-8", "replace")
        if isinstance(err, bytes):
            err = err.decode("utf-8", "replace")
    except OSError as e:
        code, out, err = None, "", str(e)
    return code, out, err, time.monotonic() - start


def first_error(text, limit=3):
    """The first few error lines of a tool's output, on one line."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    errors = []
    seen = set()
    for l in lines:
        if "error" not in l.lower() and "undefined" not in l.lower():
            continue
        key = re.sub(r"\(\.text\+0x[0-9a-f]+\)|/usr/bin/ld: ", "", l)
        if key not in seen:  # one line per distinct linker complaint
            seen.add(key)
            errors.append(l)
    errors = errors or lines
    msg = " | ".join(errors[:limit])
    if len(errors) > limit:
        msg += " | ... (%d more)" % (len(errors) - limit)
    return msg or "no output"


def unsupported_ops(text):
    return sorted(set(re.findall(r"op '([^']+)' (?:of domain '[^']*' )?is not supported",
                                 text)))


def find_nm():
    for name in ("llvm-nm-22", "llvm-nm", "nm"):
        path = shutil.which(name)
        if path:
            return path
    return None


def undefined_symbols(nm, obj):
    code, out, err, _ = run([nm, "-u", obj], 120)
    if code != 0:
        return None, first_error(err or out)
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if parts:
            syms.append(parts[-1])
    return syms, ""


def relative_error(actual, expected):
    """max|a - e| / max|e|, or inf when a is not finite or shapes differ."""
    if actual.shape != expected.shape:
        return float("inf"), "shape %s, expected %s" % (actual.shape, expected.shape)
    if not np.all(np.isfinite(actual)):
        bad = int(np.count_nonzero(~np.isfinite(actual)))
        return float("inf"), "%d non-finite values of %d" % (bad, actual.size)
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    diff = float(np.max(np.abs(a - e))) if a.size else 0.0
    ref = float(np.max(np.abs(e))) if e.size else 0.0
    rel = diff / ref if ref > 0 else diff
    return rel, "max abs error %.3g, max abs reference %.3g" % (diff, ref)


class Suite:
    def __init__(self, args, report):
        self.args = args
        self.report = report
        self.cc = shlex.split(os.environ.get("CC") or "cc")
        self.nm = find_nm()
        self.model_dir = os.path.abspath(
            args.model_dir or os.path.join(args.work, "models"))
        self.manifest = None

    # -- models -------------------------------------------------------------
    def ensure_models(self):
        manifest_path = os.path.join(self.model_dir, "manifest.json")
        if not os.path.exists(manifest_path):
            self.report.note("making models in %s" % self.model_dir)
            code, out, err, secs = run(
                [self.args.python, os.path.join(HERE, "make_models.py"),
                 self.model_dir, "--set", self.args.model_set], RUN_TIMEOUT)
            if code != 0 or not os.path.exists(manifest_path):
                self.report.check(False, "make_models",
                                  "exit %s: %s" % (code, first_error(err + out, 5)))
                return False
            self.report.note("made models in %.1f s" % secs)
        with open(manifest_path) as f:
            self.manifest = json.load(f)
        return True

    def model_file(self, name, suffix):
        return os.path.join(self.model_dir, name + suffix)

    # -- steps --------------------------------------------------------------
    def kilnc(self, name, out, extra):
        onnx = self.model_file(name, ".onnx")
        cmd = [self.args.kilnc, onnx, "-o", out, "--name", name,
               "-" + self.args.opt] + self.args.kilnc_arg + extra
        return run(cmd, KILNC_TIMEOUT)

    def compile_object(self, name, wdir, shape_args):
        obj = os.path.join(wdir, name + ".o")
        code, out, err, secs = self.kilnc(name, obj, shape_args + ["--time"])
        with open(os.path.join(wdir, "kilnc-time.txt"), "w") as f:
            f.write(out + err)
        hdr = os.path.join(wdir, name + ".h")
        ok = code == 0 and os.path.exists(obj) and os.path.exists(hdr)
        if ok:
            self.report.check(True, "%s compile" % name, "kilnc %.2f s" % secs)
        else:
            detail = "kilnc exit %s: %s" % (code, first_error(err + out))
            ops = unsupported_ops(err + out)
            if ops:
                detail += "; unsupported ops: " + ", ".join(ops)
            if code == 0:
                detail = "kilnc exited 0 but did not write %s and %s" % (obj, hdr)
            self.report.check(False, "%s compile" % name, detail)
        return ok, obj

    def check_nm(self, name, obj, have_obj):
        what = "%s nm" % name
        if not have_obj:
            return self.report.check(False, what, "no object: kilnc failed")
        if not self.nm:
            return self.report.check(False, what, "no llvm-nm-22, llvm-nm or nm found")
        syms, err = undefined_symbols(self.nm, obj)
        if syms is None:
            return self.report.check(False, what, "nm failed: " + err)
        bad = sorted(s for s in syms if s.lstrip("_") in FORBIDDEN)
        if bad:
            return self.report.check(False, what, "undefined allocator symbols: " +
                                     ", ".join(bad))
        return self.report.check(True, what, "undefined: " + (", ".join(syms) or "none"))

    def check_harness(self, name, wdir, obj, have_obj):
        what = name
        entry = self.manifest["models"][name]
        if not have_obj:
            return self.report.check(False, what, "not run: kilnc failed")
        exe = os.path.join(wdir, name + "_harness")
        cmd = self.cc + [
            "-std=c99", "-pedantic", "-Wall", "-Wextra", "-O2",
            "-I" + wdir, "-I" + self.args.runtime_include,
            "-DKILN_MODEL_HEADER=\"%s.h\"" % name,
            "-DKILN_MODEL=%s_model" % name,
            "-DKILN_PREFIX=%s" % name,
            "-DKILN_UPPER_PREFIX=%s" % name.upper(),
            os.path.join(HERE, "harness.c"), obj, self.args.runtime_lib,
            "-lm", "-o", exe]
        code, out, err, _ = run(cmd, RUN_TIMEOUT)
        if code != 0:
            return self.report.check(False, what, "cc failed: " + first_error(err + out, 4))
        if err.strip():
            self.report.note("%s: compiler warnings building the harness:\n%s" % (name, err))

        in_bins, out_bins, refs = [], [], []
        for i in range(len(entry["inputs"])):
            x = np.load(self.model_file(name, ".input%d.npy" % i))
            path = os.path.join(wdir, "input%d.bin" % i)
            np.ascontiguousarray(x).astype(x.dtype.newbyteorder("<")).tofile(path)
            in_bins.append(path)
        for i in range(len(entry["outputs"])):
            refs.append(np.load(self.model_file(name, ".output%d.npy" % i)))
            out_bins.append(os.path.join(wdir, "output%d.bin" % i))
        code, out, err, secs = run([exe] + in_bins + out_bins, RUN_TIMEOUT)
        if code != 0:
            return self.report.check(False, what, "harness exit %s: %s" %
                                     (code, first_error(err + out, 4)))
        worst, details = 0.0, []
        for i, ref in enumerate(refs):
            try:
                got = np.fromfile(out_bins[i], dtype=ref.dtype.newbyteorder("<"))
            except OSError as e:
                return self.report.check(False, what, "cannot read output %d: %s" % (i, e))
            if got.size == ref.size:
                got = got.reshape(ref.shape)
            rel, detail = relative_error(got, ref)
            worst = max(worst, rel)
            details.append(detail)
        ok = worst <= TOLERANCE
        detail = "relative error %.2g" % worst
        if not ok:
            detail += "; " + "; ".join(details) + "; limit %g" % TOLERANCE
        return self.report.check(ok, what, detail)

    def check_kiln_run(self, name, wdir, shape_args):
        what = "%s kiln-run" % name
        entry = self.manifest["models"][name]
        so = os.path.join(wdir, name + ".so")
        code, out, err, _ = self.kilnc(name, so, shape_args + ["--emit=shared"])
        if code != 0 or not os.path.exists(so):
            detail = "kilnc --emit=shared exit %s: %s" % (code, first_error(err + out))
            ops = unsupported_ops(err + out)
            if ops:
                detail += "; unsupported ops: " + ", ".join(ops)
            return self.report.check(False, what, detail)
        cmd = [self.args.kiln_run, so]
        for i in range(len(entry["inputs"])):
            cmd += ["--input", self.model_file(name, ".input%d.npy" % i)]
        for i in range(len(entry["outputs"])):
            cmd += ["--expected", self.model_file(name, ".output%d.npy" % i)]
        cmd += ["--relative-max-error", "%g" % TOLERANCE]
        code, out, err, _ = run(cmd, RUN_TIMEOUT)
        text = (out + err).strip()
        rels = re.findall(r"relative ([0-9.eE+-]+|nan|inf)", text)
        if code == 0:
            detail = "relative error " + ", ".join(rels) if rels else first_error(text)
            return self.report.check(True, what, detail)
        return self.report.check(False, what, "kiln-run exit %s: %s" %
                                 (code, " | ".join(text.splitlines()[-4:]) or "no output"))

    def check_no_shape_fails(self, name, wdir):
        what = "%s no-shape" % name
        obj = os.path.join(wdir, name + "-noshape.o")
        code, out, err, _ = self.kilnc(name, obj, [])
        text = (err + out).strip()
        if code == 1 and "--shape" in text:
            return self.report.check(True, what, "kilnc exit 1: " + first_error(text, 1))
        return self.report.check(False, what, "expected exit 1 and an error mentioning "
                                 "--shape, got exit %s: %s" % (code, first_error(text)))

    # -- one model ------------------------------------------------------------
    def run_model(self, name):
        if name not in self.manifest["models"]:
            return self.report.check(False, name, "not in %s/manifest.json" % self.model_dir)
        entry = self.manifest["models"][name]
        wdir = os.path.join(os.path.abspath(self.args.work), name)
        shutil.rmtree(wdir, ignore_errors=True)
        os.makedirs(wdir)
        shape_args = []
        if entry.get("dynamic"):
            self.check_no_shape_fails(name, wdir)
            for inp in entry["inputs"]:
                shape_args += ["--shape", "%s=%s" % (
                    inp["name"], "x".join(str(d) for d in inp["shape"]))]
        have_obj, obj = self.compile_object(name, wdir, shape_args)
        self.check_nm(name, obj, have_obj)
        self.check_harness(name, wdir, obj, have_obj)
        if not self.args.no_kiln_run:
            self.check_kiln_run(name, wdir, shape_args)


def main():
    ap = argparse.ArgumentParser(
        description="Kiln's end-to-end numerics suite: compiles the models of "
        "make_models.py with kilnc and checks the generated code against "
        "PyTorch (relative error <= %g)." % TOLERANCE)
    ap.add_argument("--kilnc", required=True)
    ap.add_argument("--kiln-run", required=True)
    ap.add_argument("--kilnc-arg", action="append", default=[],
                    help="an extra kilnc argument for every model, such as "
                         "--sanitize=address in a sanitizer build; repeatable")
    ap.add_argument("--runtime-lib", required=True, help="path of libkiln_rt.a")
    ap.add_argument("--runtime-include", required=True,
                    help="directory holding kiln/runtime.h")
    ap.add_argument("--work", required=True, help="scratch directory")
    ap.add_argument("--models", default=",".join(ALL_MODELS),
                    help="comma-separated subset of: " + ", ".join(ALL_MODELS))
    ap.add_argument("--model-dir", help="where make_models.py's output is "
                    "(default WORK/models; made there when missing)")
    ap.add_argument("--python", default=sys.executable,
                    help="interpreter for make_models.py (default: this one)")
    ap.add_argument("--model-set", default="core", choices=["core", "families"],
                    help="which make_models.py set to make when the model "
                    "directory has none (default core)")
    ap.add_argument("--no-kiln-run", action="store_true",
                    help="check only the object linked into the C harness, "
                    "not the --emit=shared + kiln-run path")
    ap.add_argument("-O", dest="opt", default="2", type=lambda s: "O" + s.lstrip("O"),
                    help="kilnc optimization level, e.g. -O2 (default)")
    args = ap.parse_args()

    names = [m.strip() for m in args.models.split(",") if m.strip()]
    os.makedirs(args.work, exist_ok=True)
    report = Report()
    suite = Suite(args, report)
    if suite.ensure_models():
        for name in names:
            suite.run_model(name)
    print("%d passed, %d failed" % (report.passed, report.failed), flush=True)
    return 1 if report.failed or not report.passed else 0


if __name__ == "__main__":
    sys.exit(main())
