"""What the machine itself gives from a second core: the CPU loop of ``scaling.py``'s
workload run in one process, then in two processes at once (no Dask, no sandbox).

    python benchmarks/cores.py [--rounds 5]

The speed-up printed is the ceiling for any two-slot layout on this machine: two vCPUs that
share a physical core, or a host that steals time, give less than 2x to anyone.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import time


def busy(n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        s = 0
        for i in range(350000):     # the loop of scaling.BUSY
            s += i
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--loops", type=int, default=150)
    args = ap.parse_args()
    speedups = []
    with mp.Pool(2) as pool:
        for _ in range(args.rounds):
            one = busy(args.loops)
            t = time.perf_counter()
            pool.map(busy, [args.loops, args.loops])
            two = time.perf_counter() - t
            speedups.append(round(2 * one / two, 2))
    print(json.dumps({"two_process_speedup": statistics.median(speedups), "rounds": speedups}))


if __name__ == "__main__":
    main()
