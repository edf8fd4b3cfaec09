# ===- test/firmware/run_firmware.py - Models on boards under QEMU -------===#
#
# Compiles a model with kilnc for the host and for one target, builds a
# program around it (firmware_check.c by default, or an example's
# main.c) with Kiln's board support (runtime/firmware), runs it natively
# and on the target (QEMU's system emulator for boards, qemu-user for
# Linux), and checks:
#   - both print "kiln: ok" and exit 0;
#   - the target's outputs match the host's: floats within --rtol of the
#     largest host value, integers bit-exact;
#   - the memory report agrees with the header, the object and the image:
#     its workspace is the header's NAME_WORKSPACE_SIZE and the size of the
#     image's static workspace array (nm -S), its code and weights
#     sections are the object's as the target's own `size -A` reads them;
#   - the canary (firmware_check.c): nothing past the workspace is
#     written, and the highest byte written is within 64 bytes of its end;
#   - the plan: the workspace is within --plan-slack (10%) of the live-bytes
#     bound, the most bytes live at one step.
# Bare-metal boards run under `-icount shift=0`, so firmware_check.c can
# print the instructions one inference takes (kiln_board_instructions).
# --summary writes what was measured as JSON, for tiny_table.py.
# A target whose compiler or QEMU is missing is skipped with a message
# (exit status 77, ctest's SKIP_RETURN_CODE).
#
# Usage: run_firmware.py --kilnc KILNC --model M.onnx --target T --source-dir SRC
#                        --work DIR [--program main.c] [--kilnc-arg=ARG ...]
#                        [--summary OUT.json]
#
# ===--------------------------------------------------------------------===#

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

SKIP = 77

# Each target: kilnc flags, the C compiler and its flags, the board
# support, and how the program runs.


def qemu_system(emulator, machine, *extra):
    """A QEMU system emulator running an image, its semihosting on the
    host's console."""
    return [emulator, "-M", machine, "-icount", "shift=0"] + list(extra) + [
        "-nographic", "-monitor", "none", "-serial", "none", "-semihosting-config",
        "enable=on,target=native", "-kernel"]


CORTEX_M = {
    "cc": "arm-none-eabi-gcc",
    "size": "arm-none-eabi-size",
    "board": ["board_semihost.c", "semihost_arm.c", "startup_cortex_m.c", "counter_cortex_m.c"],
    "libs": ["--specs=nano.specs", "-lm", "-lc", "-lgcc", "-lnosys"],
}
RV32 = {
    "cc": "riscv64-unknown-elf-gcc",
    "size": "riscv64-unknown-elf-size",
    "board": ["board_semihost.c", "semihost_riscv.c", "startup_riscv.S", "trap_riscv.c",
              "counter_riscv.c"],
    "libs": ["--specs=picolibc.specs", "-lm", "-lc", "-lgcc"],
    "ld": "riscv32-virt.ld",
    "qemu": qemu_system("qemu-system-riscv32", "virt", "-bios", "none"),
}
TARGETS = {
    "cortex-m4": dict(CORTEX_M, kilnc=["--target=thumbv7em-none-eabihf", "--cpu=cortex-m4"],
                      cflags=["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard",
                              "-mfpu=fpv4-sp-d16", "-DKILN_BOARD_CLOCK_HZ=25000000"],
                      ld="mps2-an386.ld",
                      qemu=qemu_system("qemu-system-arm", "mps2-an386")),
    "cortex-m33": dict(CORTEX_M,
                       kilnc=["--target=thumbv8m.main-none-eabihf", "--cpu=cortex-m33"],
                       cflags=["-mcpu=cortex-m33", "-mthumb", "-mfloat-abi=hard",
                               "-mfpu=fpv5-sp-d16", "-DKILN_BOARD_CLOCK_HZ=20000000"],
                       ld="mps2-an505.ld",
                       qemu=qemu_system("qemu-system-arm", "mps2-an505")),
    "rv32imac": dict(RV32, kilnc=["--target=riscv32-unknown-elf", "--features=+m,+a,+c"],
                     cflags=["-march=rv32imac", "-mabi=ilp32", "-mcmodel=medany"]),
    "rv32imafc": dict(RV32, kilnc=["--target=riscv32-unknown-elf", "--features=+m,+a,+f,+c"],
                      cflags=["-march=rv32imafc", "-mabi=ilp32f", "-mcmodel=medany"]),
    "aarch64-linux": {
        "kilnc": ["--target=aarch64-unknown-linux-gnu"],
        "cc": "aarch64-linux-gnu-gcc", "size": "aarch64-linux-gnu-size",
        "cflags": ["-static", "-O2"], "board": ["board_hosted.c"], "hosted": True,
        "libs": ["-lm", "-lpthread"], "qemu": ["qemu-aarch64"],
    },
    "riscv64-linux": {
        "kilnc": ["--target=riscv64-unknown-linux-gnu", "--features=+m,+a,+f,+d,+c"],
        "cc": "riscv64-linux-gnu-gcc", "size": "riscv64-linux-gnu-size",
        "cflags": ["-static", "-O2"], "board": ["board_hosted.c"], "hosted": True,
        "libs": ["-lm", "-lpthread"], "qemu": ["qemu-riscv64"],
    },
}


def run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit("FAIL: %s exited with %d\n%s%s" % (" ".join(cmd), result.returncode,
                                                      result.stdout, result.stderr))
    return result


def compile_model(args, flags, out_dir, name):
    os.makedirs(out_dir, exist_ok=True)
    obj = os.path.join(out_dir, name + ".o")
    report = os.path.join(out_dir, "memory.json")
    run([args.kilnc, args.model, "-o", obj, "--memory-report=" + report] + flags +
        args.kilnc_arg)
    with open(report) as f:
        return obj, json.load(f)


def header_workspace(header, name):
    with open(header) as f:
        m = re.search(r"#define %s_WORKSPACE_SIZE (\d+)u" % name.upper(), f.read())
    if not m:
        sys.exit("FAIL: %s has no %s_WORKSPACE_SIZE" % (header, name.upper()))
    return int(m.group(1))


def defines(name, report, model_dir):
    io = report["input_bytes"] + report["output_bytes"] + 16 * 32
    return ["-DKILN_MODEL=" + name, "-DKILN_MODEL_UPPER=" + name.upper(),
            '-DKILN_MODEL_HEADER="%s.h"' % name, "-DKILN_IO_BYTES=%d" % io, "-I", model_dir]


def runtime_sources(src, hosted):
    files = [os.path.join(src, "runtime", "src", "runtime.c")]
    if hosted:
        files.append(os.path.join(src, "runtime", "src", "parallel.c"))
    return files


def build_and_run_host(args, name, work):
    obj, report = compile_model(args, [], os.path.join(work, "host"), name)
    exe = os.path.join(work, "host", "program")
    fw = os.path.join(args.source_dir, "runtime", "firmware")
    cc = os.environ.get("CC", "cc").split()
    run(cc + ["-std=c99", "-O2", "-o", exe, args.program, os.path.join(fw, "board_hosted.c"),
              os.path.join(fw, "board_format.c"), obj, "-I", fw,
              "-I", os.path.join(args.source_dir, "runtime", "include")] +
        runtime_sources(args.source_dir, True) + defines(name, report, os.path.dirname(obj)) +
        ["-lm", "-lpthread"])
    return run([exe], timeout=300).stdout, report


def build_and_run_target(args, name, work, target):
    spec = TARGETS[target]
    tools = [spec["cc"], spec["qemu"][0]]
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        print("SKIP: %s needs %s; scripts/setup.sh installs them" % (target, ", ".join(missing)))
        sys.exit(SKIP)
    obj, report = compile_model(args, spec["kilnc"], os.path.join(work, target), name)
    check_sections(spec, obj, report)
    fw = os.path.join(args.source_dir, "runtime", "firmware")
    image = os.path.join(work, target, "program.elf")
    hosted = spec.get("hosted", False)
    cmd = [spec["cc"], "-std=gnu99", "-O2", "-ffunction-sections", "-fdata-sections"]
    cmd += spec["cflags"] + ["-o", image, args.program, obj, os.path.join(fw, "board_format.c")]
    cmd += [os.path.join(fw, b) for b in spec["board"]]
    cmd += runtime_sources(args.source_dir, hosted)
    cmd += ["-I", fw, "-I", os.path.join(args.source_dir, "runtime", "include")]
    cmd += defines(name, report, os.path.dirname(obj))
    if not hosted:
        cmd += ["-nostartfiles", "-Wl,--gc-sections", "-L", fw, "-T", spec["ld"],
                "-Wl,-Map=" + image + ".map"]
    cmd += spec["libs"]
    run(cmd)
    check_image(spec, image, report, args.program)
    result = subprocess.run(spec["qemu"] + [image], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        sys.exit("FAIL: %s on %s exited with %d\n%s%s" % (args.program, target,
                                                            result.returncode, result.stdout,
                                                            result.stderr))
    # Semihosting writes to QEMU's stderr.
    return result.stdout + result.stderr, report


def check_sections(spec, obj, report):
    """The report's sections are the object's, read by the target's size."""
    if shutil.which(spec["size"]) is None:
        return
    sizes = {}
    for line in run([spec["size"], "-A", obj]).stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            sizes[parts[0]] = sizes.get(parts[0], 0) + int(parts[1])
    for key in ("code_sections", "weights_sections"):
        for section, size in report[key].items():
            if sizes.get(section) != size:
                sys.exit("FAIL: the memory report gives %s %d bytes, %s says %s" %
                         (section, size, spec["size"], sizes.get(section)))
    text = sum(v for k, v in sizes.items() if k == ".text" or k.startswith(".text."))
    if text != report["code_bytes"]:
        sys.exit("FAIL: the report's code_bytes %d is not the object's .text, %d" %
                 (report["code_bytes"], text))


def check_image(spec, image, report, program):
    """The linked image's static workspace array is the report's size (plus
    firmware_check.c's canary bytes)."""
    nm = spec["size"].replace("-size", "-nm")
    if shutil.which(nm) is None:
        return
    sizes = {}
    for line in run([nm, "-S", image]).stdout.splitlines():
        parts = line.split()
        if len(parts) == 4:
            sizes[parts[3]] = int(parts[1], 16)
    if "workspace" not in sizes:
        sys.exit("FAIL: %s has no workspace array" % image)
    canary = 256 if os.path.basename(program) == "firmware_check.c" else 0
    if sizes["workspace"] != report["workspace_bytes"] + canary:
        sys.exit("FAIL: the image's workspace array is %d bytes; the report's workspace is %d "
                 "(+%d canary bytes)" % (sizes["workspace"], report["workspace_bytes"], canary))
    print("image: the workspace array is %d bytes, the report's %d + %d canary bytes" %
          (sizes["workspace"], report["workspace_bytes"], canary))


def parse(output, where):
    if "kiln: ok" not in output:
        sys.exit("FAIL: %s did not finish:\n%s" % (where, output))
    workspace = None
    instructions = None
    outputs = []
    for line in output.splitlines():
        m = re.match(r"kiln: workspace (\d+) touched (\d+)", line)
        if m:
            workspace = (int(m.group(1)), int(m.group(2)))
            continue
        m = re.match(r"kiln: instructions (\d+)", line)
        if m:
            instructions = int(m.group(1))
            continue
        m = re.match(r"kiln: output (\d+) (\w+) (\d+)", line)
        if m:
            outputs.append((m.group(2), int(m.group(3)), []))
            continue
        if outputs and re.match(r"^[0-9a-f ]+$", line):
            outputs[-1][2].extend(int(w, 16) for w in line.split())
    return workspace, instructions, outputs


def as_float(word):
    import struct
    return struct.unpack("<f", struct.pack("<I", word))[0]


def compare(host, target, rtol, where):
    if len(host) != len(target):
        sys.exit("FAIL: %s printed %d outputs, the host %d" % (where, len(target), len(host)))
    for i, ((hd, hn, hv), (td, tn, tv)) in enumerate(zip(host, target)):
        if (hd, hn) != (td, tn) or len(hv) != hn or len(tv) != tn:
            sys.exit("FAIL: output %d: %s has %s x %d, the host %s x %d" %
                     (i, where, td, tn, hd, hn))
        if hd == "f32":
            h = [as_float(w) for w in hv]
            t = [as_float(w) for w in tv]
            scale = max(abs(v) for v in h) or 1.0
            err = max(abs(a - b) for a, b in zip(h, t)) / scale
            print("output %d: f32 x %d, max error %.3g of the largest value" % (i, hn, err))
            if not err <= rtol:
                sys.exit("FAIL: output %d on %s is off by %.3g (tolerance %g)" %
                         (i, where, err, rtol))
        elif hv != tv:
            bad = sum(a != b for a, b in zip(hv, tv))
            sys.exit("FAIL: output %d (%s) on %s differs from the host in %d of %d elements" %
                     (i, hd, where, bad, hn))
        else:
            print("output %d: %s x %d, bit-exact" % (i, hd, hn))


def check_workspace(workspace, report, header_size, where, canary):
    if workspace is None:
        if canary:
            sys.exit("FAIL: %s printed no workspace line" % where)
        return
    size, touched = workspace
    if size != report["workspace_bytes"] or size != header_size:
        sys.exit("FAIL: %s: the program's workspace is %d, the report's %d, the header's %d" %
                 (where, size, report["workspace_bytes"], header_size))
    if touched > size or touched + 64 < size:
        sys.exit("FAIL: %s wrote up to byte %d of a %d-byte workspace: the reported size "
                 "is not what the model needs" % (where, touched, size))
    print("%s: workspace %d bytes, written up to %d" % (where, size, touched))


def check_plan(report, slack, where):
    """The planner packs within `slack` of the live-bytes bound."""
    bound = report["live_bytes_bound"]
    size = report["workspace_bytes"]
    print("%s: workspace %d bytes, live-bytes bound %d (%.1f%% over)" %
          (where, size, bound, 100.0 * (size - bound) / bound if bound else 0.0))
    if size > bound * (1 + slack):
        sys.exit("FAIL: %s: the workspace, %d bytes, is more than %g%% over the live-bytes "
                 "bound, %d" % (where, size, 100 * slack, bound))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kilnc", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--target", required=True, choices=sorted(TARGETS))
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--program")
    parser.add_argument("--name", default="model")
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--kilnc-arg", action="append", default=[])
    parser.add_argument("--plan-slack", type=float, default=0.10)
    parser.add_argument("--summary")
    args = parser.parse_args()
    canary = args.program is None
    if canary:
        args.program = os.path.join(args.source_dir, "test", "firmware", "firmware_check.c")
    work = args.work
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)

    spec = TARGETS[args.target]
    if any(shutil.which(t) is None for t in (spec["cc"], spec["qemu"][0])):
        build_and_run_target(args, args.name, work, args.target)  # prints SKIP, exits
    host_out, host_report = build_and_run_host(args, args.name, work)
    host_ws, _, host_outputs = parse(host_out, "the host")
    check_workspace(host_ws, host_report,
                    header_workspace(os.path.join(work, "host", args.name + ".h"), args.name),
                    "host", canary)
    target_out, report = build_and_run_target(args, args.name, work, args.target)
    target_ws, instructions, target_outputs = parse(target_out, args.target)
    check_workspace(target_ws, report,
                    header_workspace(os.path.join(work, args.target, args.name + ".h"),
                                     args.name), args.target, canary)
    check_plan(report, args.plan_slack, args.target)
    compare(host_outputs, target_outputs, args.rtol, args.target)
    if instructions is not None:
        print("%s: %d instructions per inference" % (args.target, instructions))
    if args.summary:
        summary = {key: report[key] for key in (
            "workspace_bytes", "live_bytes_bound", "weights_bytes", "code_bytes",
            "input_bytes", "output_bytes")}
        summary.update(model=args.name, target=args.target, instructions=instructions)
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
    print("PASS: %s on %s matches the host" % (os.path.basename(args.model), args.target))


if __name__ == "__main__":
    main()
