#!/usr/bin/env python3
"""Median latency of one benchmark model in PyTorch (eager, no_grad):
`torch_bench.py NAME THREADS RUNS` prints {"median_ms": ...}."""
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402


def main():
    name, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    module, x = models.build(name)
    times = []
    with torch.no_grad():
        module(x)
        for _ in range(runs):
            t0 = time.perf_counter()
            module(x)
            times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    print(json.dumps({"median_ms": times[len(times) // 2]}))


if __name__ == "__main__":
    main()
