# ===- test/firmware/tiny_table.py - The MLPerf Tiny table ----------------===#
#
# Prints the table of docs/firmware.md from the summaries run_firmware.py
# wrote for the MLPerf Tiny models on one target (--summary): flash (the
# model's code and weights), RAM (the workspace, and the inputs and
# outputs the caller owns), the instructions one inference takes under
# QEMU, and the workspace microTVM with CMSIS-NN published for the int8
# models in MLPerf Tiny v1.0 (closed division, OctoML).
#
# Usage: tiny_table.py SUMMARY.json ...
#
# ===--------------------------------------------------------------------===#

import json
import sys

# The published int8 workspaces, in bytes.
MICROTVM_WORKSPACE = {"kws": 17232, "vww": 64800, "ic": 66112, "ad": 1160}
TITLES = {"kws": "KWS DS-CNN", "vww": "VWW MobileNetV1 x0.25", "ic": "IC ResNet-8",
          "ad": "AD autoencoder"}


def kib(n):
    return "%.1f KiB" % (n / 1024.0)


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: tiny_table.py SUMMARY.json ...")
    rows = []
    for path in sys.argv[1:]:
        with open(path) as f:
            rows.append(json.load(f))
    order = list(MICROTVM_WORKSPACE)

    def base(name):
        return name[:-len("_int8")] if name.endswith("_int8") else name

    rows.sort(key=lambda r: (order.index(base(r["model"])) if base(r["model"]) in order
                             else len(order), r["model"]))
    print("| model | target | code | weights | workspace | live bound | inputs + outputs "
          "| instructions | microTVM workspace (int8) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        instructions = r.get("instructions")
        name = base(r["model"])
        published = MICROTVM_WORKSPACE.get(name)
        title = TITLES.get(name, name) + (" int8" if r["model"] != name else " float")
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            title, r["target"], kib(r["code_bytes"]),
            kib(r["weights_bytes"]), kib(r["workspace_bytes"]), kib(r["live_bytes_bound"]),
            kib(r["input_bytes"] + r["output_bytes"]),
            "{:,}".format(instructions) if instructions else "-",
            kib(published) if published else "-"))


if __name__ == "__main__":
    main()
