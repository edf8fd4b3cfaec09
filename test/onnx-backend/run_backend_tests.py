#!/usr/bin/python3
# ===- test/onnx-backend/run_backend_tests.py - ONNX conformance runner -=== #
#
# Runs Kiln over the ONNX backend test data (the node, pytorch-converted,
# pytorch-operator and simple suites, as installed under
# /usr/share/libonnx-testdata/data). Every test's model.onnx is compiled
# with `kilnc --emit=shared` into WORK/<suite>/<test>.so, then each of its
# test_data_set_* directories is run through `kiln-run`, which compares the
# outputs with output_K.pb at the ONNX backend tolerances (rtol 1e-3,
# atol 1e-7). A kilnc or kiln-run failure, or a call that runs past its
# timeout, fails the test. Tests that need what Kiln does not aim to
# support (training operators, sequence / optional / string values, random
# generators, non-tensor model inputs or outputs) are found from the model
# itself and reported as out of scope instead of failures.
#
# Kiln compiles static shapes. When kilnc reports that it needs a graph
# input at compile time (an operand that fixes a shape, such as Slice
# bounds or Resize scales, or a symbolic input dimension), its message
# names the input and the flag that binds it; the runner follows that hint
# as a user would, with the value (`--const-input name=@input_K.pb`) or
# shape (`--shape`) from the first data set, and counts such passes apart.
#
# Known failures are listed in xfail.txt (`<suite>/<test>  # <reason>`).
# A listed failure is expected; an unlisted failure and a listed test that
# passes are both unexpected, and any unexpected result makes the exit
# status 1. `--update-xfail` rewrites the list from the current results.
# When the test data is not installed the runner exits with 77, which the
# CMake tests declare as their skip code.
#
# ===------------------------------------------------------------------=== #

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data"
ALL_SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
DEFAULT_XFAIL = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             "xfail.txt")

# The ONNX backend tests' own tolerances. Do not widen them here.
RTOL = "1e-3"
ATOL = "1e-7"
CALL_TIMEOUT_S = 60
SKIP_EXIT_CODE = 77
REASON_MAX_CHARS = 100

# Operator types Kiln does not aim to support; a model that uses one of
# them (at any graph depth) is out of scope.
TRAINING_OPS = {"Adagrad", "Adam", "Momentum", "Gradient"}
RANDOM_OPS = {"RandomNormal", "RandomNormalLike", "RandomUniform",
              "RandomUniformLike", "Bernoulli", "Multinomial"}
STRING_OPS = {"StringNormalizer", "StringConcat", "StringSplit",
              "RegexFullMatch"}
SEQUENCE_OPTIONAL_OPS = {"ConcatFromSequence", "SplitToSequence",
                         "Optional", "OptionalHasElement",
                         "OptionalGetElement"}


def sanitize_identifier(stem):
    """Return the C prefix kilnc derives from an output file's stem."""
    ident = re.sub(r"[^A-Za-z0-9_]", "_", stem)
    if not ident or ident[0].isdigit():
        ident = "_" + ident
    return ident


# ---------------------------------------------------------------------------
# Reading the model
# ---------------------------------------------------------------------------

def iter_graphs(graph):
    """Yield `graph` and every subgraph held in its nodes' attributes."""
    yield graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("g"):
                yield from iter_graphs(attr.g)
            for sub in attr.graphs:
                yield from iter_graphs(sub)


def type_kind(type_proto):
    """Describe a TypeProto: 'tensor', 'string', or the non-tensor kind."""
    kind = type_proto.WhichOneof("value")
    if kind == "tensor_type":
        import onnx
        if type_proto.tensor_type.elem_type == onnx.TensorProto.STRING:
            return "string"
        return "tensor"
    if kind is None:
        return "unknown"
    return kind.replace("_type", "")


def inspect_model(path):
    """Read a model; return (runtime input names, op types, out-of-scope
    reason or None)."""
    import onnx
    model = onnx.load(path)
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    initializers |= {t.name for t in graph.sparse_initializer}
    runtime_inputs = [v.name for v in graph.input if v.name not in initializers]

    ops = []
    string_tensors = False
    graphs = list(iter_graphs(graph))
    for function in model.functions:
        class _Fn:  # a function body looks enough like a graph for iter_graphs
            node = function.node
        graphs.extend(iter_graphs(_Fn))
    for g in graphs:
        for node in g.node:
            ops.append(node.op_type)
            for attr in node.attribute:
                if attr.HasField("t") and attr.t.data_type == onnx.TensorProto.STRING:
                    string_tensors = True
                if attr.strings and node.op_type == "Constant":
                    string_tensors = True
        for value in list(getattr(g, "value_info", [])) + \
                list(getattr(g, "input", [])) + list(getattr(g, "output", [])):
            kind = type_kind(value.type)
            if kind == "string":
                string_tensors = True
        for init in getattr(g, "initializer", []):
            if init.data_type == onnx.TensorProto.STRING:
                string_tensors = True

    reason = None
    for role, values in (("input", graph.input), ("output", graph.output)):
        for value in values:
            kind = type_kind(value.type)
            if kind not in ("tensor", "string"):
                reason = "non-tensor %s '%s' (%s)" % (role, value.name, kind)
                break
        if reason:
            break
    if reason is None:
        for op in ops:
            if op in TRAINING_OPS:
                reason = "training op '%s'" % op
            elif op in RANDOM_OPS:
                reason = "random generator op '%s'" % op
            elif op in STRING_OPS:
                reason = "string op '%s'" % op
            elif op.startswith("Sequence") or op in SEQUENCE_OPTIONAL_OPS:
                reason = "sequence/optional op '%s'" % op
            if reason:
                break
    if reason is None and string_tensors:
        reason = "string tensors"
    return runtime_inputs, sorted(set(ops)), reason


# ---------------------------------------------------------------------------
# Running the tools
# ---------------------------------------------------------------------------

def run_tool(cmd, timeout):
    """Run `cmd` in its own process group; return (rc, stdout+stderr text,
    stderr text). rc is None on timeout, negative when killed by a
    signal."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return None, "", ""
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    return proc.returncode, out + err, err


def crash_signal(rc):
    """The signal name if `rc` says the process died of a signal."""
    if rc is None:
        return None
    if rc < 0:
        num = -rc
    elif rc in (128 + signal.SIGABRT, 128 + signal.SIGSEGV,
                128 + signal.SIGBUS, 128 + signal.SIGFPE,
                128 + signal.SIGILL):
        num = rc - 128
    else:
        return None
    try:
        return signal.Signals(num).name
    except ValueError:
        return "signal %d" % num


PATH_RE = re.compile(r"(?:/[^\s:'\"(),]+)+")
TIMING_RE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:ms|us|ns|s|sec|seconds)\b")


def clean_text(text, test=None):
    """Make a message stable and short: no absolute paths (only their last
    component is kept), the compiled test's file name as <test>.so, no
    timings, no leading `model.onnx: ` (every test's model has that
    name), on one line."""
    text = PATH_RE.sub(lambda m: os.path.basename(m.group(0)) or m.group(0),
                       text)
    if test:
        text = text.replace(test + ".so", "<test>.so")
    text = TIMING_RE.sub("<time>", text)
    text = " ".join(text.split())
    if text.startswith("model.onnx: "):
        text = text[len("model.onnx: "):]
    return text


def clean_reason(text, test=None):
    """clean_text, then cut to about REASON_MAX_CHARS characters."""
    text = clean_text(text, test)
    if len(text) > REASON_MAX_CHARS:
        text = text[:REASON_MAX_CHARS - 3].rstrip() + "..."
    return text


def first_line(text, prefer_errors=True):
    """The first meaningful line of a tool's output: the first line naming
    an error if there is one (warnings can come before it), else the first
    non-empty line."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    if prefer_errors:
        for line in lines:
            if re.search(r"\berror\b", line, re.IGNORECASE):
                return line
    return lines[0] if lines else ""


def data_sets(test_dir):
    def index(name):
        m = re.search(r"(\d+)$", name)
        return int(m.group(1)) if m else -1
    sets = [d for d in os.listdir(test_dir)
            if d.startswith("test_data_set_")
            and os.path.isdir(os.path.join(test_dir, d))]
    return sorted(sets, key=index)


def numbered_files(directory, prefix):
    pattern = re.compile(r"^%s_(\d+)\.pb$" % prefix)
    found = []
    for name in os.listdir(directory):
        m = pattern.match(name)
        if m:
            found.append((int(m.group(1)), os.path.join(directory, name)))
    return [path for _, path in sorted(found)]


CONST_HINT_RE = re.compile(r"--const-input (\S+?)=\.\.\.")
SHAPE_HINT_RE = re.compile(r"graph input '([^']+)' dimension \d+ is symbolic.*"
                           r"bind it with --shape")


class Bindings:
    """The --const-input and --shape flags a test needs, taken from kilnc's
    hints and filled from the first data set's input files."""

    def __init__(self, runtime_inputs, input_files):
        self.files = dict(zip(runtime_inputs, input_files))
        self.constants = {}   # name -> TensorProto file
        self.shapes = {}      # name -> "AxB"

    def flags(self):
        out = []
        for name in sorted(self.shapes):
            out += ["--shape", "%s=%s" % (name, self.shapes[name])]
        for name in sorted(self.constants):
            out += ["--const-input", "%s=@%s" % (name, self.constants[name])]
        return out

    def follow(self, stderr):
        """Add the bindings kilnc asks for; False when there is none new."""
        import onnx
        added = False
        for name in CONST_HINT_RE.findall(stderr):
            if name in self.files and name not in self.constants:
                self.constants[name] = self.files[name]
                added = True
        for name in SHAPE_HINT_RE.findall(stderr):
            if name not in self.files or name in self.shapes \
                    or name in self.constants:
                continue
            dims = list(onnx.load_tensor(self.files[name]).dims)
            if 0 in dims:
                # Kiln has no empty tensors; an empty input can only be a
                # compile-time value (an empty axes list, say).
                self.constants[name] = self.files[name]
            else:
                self.shapes[name] = "x".join(map(str, dims)) or "scalar"
            added = True
        return added

    def differing(self, input_files):
        """The name of a bound input whose file in another data set holds
        other bytes than the one bound, or None."""
        for name, path in zip(self.files, input_files):
            if name in self.constants:
                with open(self.constants[name], "rb") as a, \
                        open(path, "rb") as b:
                    if a.read() != b.read():
                        return name
        return None


def run_test(args, suite, test):
    """Compile and run one test; return its result record."""
    test_dir = os.path.join(args.data_dir, suite, test)
    model_path = os.path.join(test_dir, "model.onnx")
    result = {"suite": suite, "test": test, "id": "%s/%s" % (suite, test),
              "status": "fail", "reason": "", "ops": [], "crash": None,
              "stage": None}
    start = time.monotonic()
    try:
        runtime_inputs, ops, out_of_scope = inspect_model(model_path)
    except Exception as e:  # an unreadable model is a failure, not a skip
        result["reason"] = clean_reason("cannot read model: %s" % e)
        result["stage"] = "load"
        return result
    result["ops"] = ops
    if out_of_scope:
        result["status"] = "out-of-scope"
        result["reason"] = out_of_scope
        return result

    out_dir = os.path.join(args.work, suite)
    os.makedirs(out_dir, exist_ok=True)
    so_path = os.path.join(out_dir, test + ".so")
    log_path = os.path.join(out_dir, test + ".log")
    if os.path.exists(so_path):
        os.remove(so_path)
    log = []

    sets = data_sets(test_dir)
    first_inputs = (numbered_files(os.path.join(test_dir, sets[0]), "input")
                    if sets else [])
    bindings = Bindings(runtime_inputs, first_inputs)
    while True:
        cmd = [args.kilnc, model_path, "--emit=shared", "-o", so_path]
        cmd += bindings.flags()
        rc, output, stderr = run_tool(cmd, CALL_TIMEOUT_S)
        log.append("$ " + " ".join(cmd) + "\n" + output +
                   "[exit status %s]\n" % ("timeout" if rc is None else rc))
        # kilnc names the graph inputs it needs at compile time (values with
        # --const-input, shapes with --shape): a user follows those hints
        # with their own values; here they come from the first data set.
        if rc == 0 or crash_signal(rc) or not bindings.follow(stderr):
            break
    result["bound"] = sorted(bindings.constants)
    if rc != 0:
        result["stage"] = "kilnc"
        sig = crash_signal(rc)
        if rc is None:
            result["reason"] = "timeout"
        elif sig:
            result["crash"] = "kilnc"
            line = first_line(stderr)
            result["reason"] = clean_reason(
                "kilnc crashed (%s)%s" % (sig, ": " + line if line else ""),
                test)
        else:
            line = first_line(stderr) or "kilnc exited with status %d" % rc
            result["reason"] = clean_reason(line, test)
            result["detail"] = clean_text(line, test)
        write_log(log_path, log)
        return result

    symbol = sanitize_identifier(test) + "_model"
    if not sets:
        result["reason"] = "no test_data_set_* directory"
        result["stage"] = "data"
        write_log(log_path, log)
        return result
    for data_set in sets:
        set_dir = os.path.join(test_dir, data_set)
        inputs = numbered_files(set_dir, "input")
        outputs = numbered_files(set_dir, "output")
        # input_K.pb belongs to the K-th graph input that is not an
        # initializer; kiln-run takes inputs by position, in model order.
        if len(inputs) != len(runtime_inputs):
            result["stage"] = "data"
            result["reason"] = ("%s: %d input files for %d runtime inputs"
                                % (data_set, len(inputs), len(runtime_inputs)))
            write_log(log_path, log)
            return result
        differing = bindings.differing(inputs)
        if differing:
            result["stage"] = "data"
            result["reason"] = ("%s: input '%s' is bound at compile time but "
                                "differs from test_data_set_0"
                                % (data_set, differing))
            write_log(log_path, log)
            return result
        cmd = [args.kiln_run, so_path, "--model-symbol", symbol, "--quiet",
               "--rtol", RTOL, "--atol", ATOL]
        for name, path in zip(runtime_inputs, inputs):
            if name not in bindings.constants:
                cmd += ["--input", path]
        for path in outputs:
            cmd += ["--expected", path]
        rc, output, _ = run_tool(cmd, CALL_TIMEOUT_S)
        log.append("$ " + " ".join(cmd) + "\n" + output +
                   "[exit status %s]\n" % ("timeout" if rc is None else rc))
        if rc != 0:
            result["stage"] = "kiln-run"
            sig = crash_signal(rc)
            prefix = "" if data_set == "test_data_set_0" else data_set + ": "
            if rc is None:
                result["reason"] = "timeout"
            elif sig:
                result["crash"] = "kiln-run"
                line = first_line(output, prefer_errors=False)
                result["reason"] = clean_reason(
                    "%skiln-run crashed (%s)%s" % (prefix, sig,
                                                   ": " + line if line else ""),
                    test)
            else:
                line = (first_line(output, prefer_errors=False)
                        or "kiln-run exited with status %d" % rc)
                result["reason"] = clean_reason(prefix + line, test)
                result["detail"] = clean_text(prefix + line, test)
            write_log(log_path, log)
            return result
    result["status"] = "pass"
    result["seconds"] = round(time.monotonic() - start, 3)
    write_log(log_path, log)
    return result


def write_log(path, chunks):
    with open(path, "w") as f:
        f.write("\n".join(chunks))


# ---------------------------------------------------------------------------
# The expected-failure list
# ---------------------------------------------------------------------------

XFAIL_HEADER = """\
# test/onnx-backend/xfail.txt - Expected failures of the ONNX backend tests
#
# The ONNX backend tests (suites node, pytorch-converted, pytorch-operator
# and simple) that Kiln is known to fail today, one per line as
# `<suite>/<test>  # <reason>`, sorted; the reason is the first line of the
# failure. run_backend_tests.py treats a listed failure as expected and a
# listed test that passes as an unexpected pass, so the list must stay
# exact: regenerate it with `run_backend_tests.py ... --update-xfail` and
# delete a line when the test it names is fixed.
"""


def read_xfail(path):
    entries = {}
    if not path or not os.path.exists(path):
        return entries
    with open(path) as f:
        for line in f:
            stripped = line.strip()
            if not stripped or stripped.startswith("#"):
                continue
            name, _, reason = stripped.partition("#")
            entries[name.strip()] = reason.strip()
    return entries


def write_xfail(path, entries):
    with open(path, "w") as f:
        f.write(XFAIL_HEADER)
        f.write("\n")
        for name in sorted(entries):
            f.write("%s  # %s\n" % (name, entries[name]))


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Run Kiln on the ONNX backend test data.")
    p.add_argument("--kilnc", required=True, help="path of kilnc")
    p.add_argument("--kiln-run", required=True, help="path of kiln-run")
    p.add_argument("--work", required=True,
                   help="directory for compiled models and logs")
    p.add_argument("--suite", default=",".join(ALL_SUITES),
                   help="comma-separated suites (default: all four)")
    p.add_argument("--filter", default=None,
                   help="only run tests whose <suite>/<test> matches REGEX")
    p.add_argument("--jobs", type=int, default=2,
                   help="number of tests run in parallel (default 2)")
    p.add_argument("--xfail", default=DEFAULT_XFAIL,
                   help="expected-failure list (default: xfail.txt next to "
                        "this script)")
    p.add_argument("--update-xfail", action="store_true",
                   help="rewrite the expected-failure list from the results "
                        "(entries of tests not run are kept)")
    p.add_argument("--data-dir", default=DEFAULT_DATA_DIR,
                   help="root of the test data (default %s)" % DEFAULT_DATA_DIR)
    p.add_argument("--verbose", action="store_true",
                   help="print every failing test with its reason")
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    suites = [s for s in args.suite.split(",") if s]
    for suite in suites:
        if suite not in ALL_SUITES:
            print("error: unknown suite '%s' (known: %s)"
                  % (suite, ", ".join(ALL_SUITES)), file=sys.stderr)
            return 2
    missing = [s for s in suites
               if not os.path.isdir(os.path.join(args.data_dir, s))]
    if missing:
        print("SKIP: ONNX backend test data not found under %s (%s)"
              % (args.data_dir, ", ".join(missing)))
        return SKIP_EXIT_CODE
    for tool in (args.kilnc, args.kiln_run):
        if not os.access(tool, os.X_OK):
            print("error: %s is not an executable" % tool, file=sys.stderr)
            return 2
    try:
        import onnx  # noqa: F401
    except ImportError:
        print("error: the onnx Python package is needed (run with a Python "
              "that has it)", file=sys.stderr)
        return 2
    args.kilnc = os.path.abspath(args.kilnc)
    args.kiln_run = os.path.abspath(args.kiln_run)
    args.work = os.path.abspath(args.work)
    pattern = re.compile(args.filter) if args.filter else None

    tests = []
    for suite in suites:
        for test in sorted(os.listdir(os.path.join(args.data_dir, suite))):
            if not os.path.isfile(os.path.join(args.data_dir, suite, test,
                                               "model.onnx")):
                continue
            if pattern and not pattern.search("%s/%s" % (suite, test)):
                continue
            tests.append((suite, test))

    xfail = read_xfail(args.xfail)
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda st: run_test(args, *st), tests))
    elapsed = time.monotonic() - start

    passed = 0
    unexpected = []
    for r in results:
        listed = r["id"] in xfail
        if r["status"] == "pass":
            passed += 1
            if listed:
                r["unexpected"] = "unexpected pass"
                unexpected.append(r)
        elif r["status"] == "fail":
            if not listed:
                r["unexpected"] = "unexpected failure"
                unexpected.append(r)

    if args.verbose:
        for r in results:
            if r["status"] == "fail":
                print("FAIL %s: %s%s" % (
                    r["id"], r["reason"],
                    "" if "unexpected" in r else " (expected)"))
    # Unexpected results are what make the run fail; always name them.
    for r in unexpected:
        if r["status"] == "pass":
            print("UNEXPECTED PASS %s (listed in %s)"
                  % (r["id"], os.path.basename(args.xfail)))
        elif not args.verbose:
            print("UNEXPECTED FAIL %s: %s" % (r["id"], r["reason"]))
    crashes = [r for r in results if r["crash"]]
    for r in crashes:
        print("CRASH %s: %s" % (r["id"], r["reason"]))

    os.makedirs(args.work, exist_ok=True)
    with open(os.path.join(args.work, "results.json"), "w") as f:
        json.dump({"seconds": round(elapsed, 1), "results": results}, f,
                  indent=1)

    if args.update_xfail:
        run_ids = {r["id"] for r in results}
        entries = {k: v for k, v in xfail.items() if k not in run_ids}
        for r in results:
            if r["status"] == "fail":
                entries[r["id"]] = r["reason"]
        write_xfail(args.xfail, entries)
        print("wrote %s (%d entries)" % (args.xfail, len(entries)))
        unexpected = []

    for suite in suites:
        rs = [r for r in results if r["suite"] == suite]
        p = sum(r["status"] == "pass" for r in rs)
        f = sum(r["status"] == "fail" for r in rs)
        s = sum(r["status"] == "out-of-scope" for r in rs)
        b = sum(r["status"] == "pass" and bool(r.get("bound")) for r in rs)
        rate = "%.1f%%" % (100.0 * p / (p + f)) if p + f else "n/a"
        print("%s: %d passed, %d failed, %d out of scope (pass rate %s); "
              "%d of the passes bind inputs with --const-input"
              % (suite, p, f, s, rate, b))
    print("time: %.1f s" % elapsed)
    print("%d passed, %d failed" % (passed, len(unexpected)))
    return 1 if unexpected else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
