# Checks a --memory-report JSON against the header and the object it
# describes, and the plan against itself: used by memory-report.test.
import json
import re
import subprocess
import sys

report_path, header_path, object_path = sys.argv[1:4]
report = json.load(open(report_path))
header = open(header_path).read()
macro = re.search(r"#define (\w+)_WORKSPACE_SIZE (\d+)u", header)
assert macro and int(macro.group(2)) == report["workspace_bytes"], (macro, report)
print("workspace_bytes %d matches %s_WORKSPACE_SIZE" % (report["workspace_bytes"],
                                                        macro.group(1)))

peak = report["peak_op"]
live = report["live_at_peak"]
assert live and all(b["first_step"] <= peak["step"] <= b["last_step"] for b in live)
assert max(b["offset"] + b["size"] for b in live) == report["workspace_bytes"]
assert sum(b["bytes"] for b in live) == peak["live_bytes"]
# No two buffers live at the same step overlap.
for a in report["buffers"]:
    for b in report["buffers"]:
        if a is not b and a["first_step"] <= b["last_step"] and b["first_step"] <= a["last_step"]:
            assert a["offset"] + a["size"] <= b["offset"] or b["offset"] + b["size"] <= a["offset"]
print("peak %s (%s) reaches the end of the workspace" % (peak["node"], peak["op"]))

sections = {}
readobj = subprocess.run(["llvm-readelf", "-S", "-W", object_path], capture_output=True,
                         text=True, check=True).stdout
for line in readobj.splitlines():
    m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
    if m:
        sections[m.group(1)] = sections.get(m.group(1), 0) + int(m.group(2), 16)
assert report["code_bytes"] == sections[".text"], (report["code_bytes"], sections)
print("code_bytes %d matches .text" % report["code_bytes"])
for name, size in sorted(report["weights_sections"].items()):
    assert sections.get(name) == size, (name, size, sections.get(name))
    print("weights %s %d matches" % (name, size))
