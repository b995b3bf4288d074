"""What the machine itself gives: the CPU loop of ``scaling.py``'s workload in one process
with the other core idle, in one process with the other core kept busy, and in two
processes at once (no Dask, no sandbox).

    python benchmarks/cores.py [--rounds 7]

On a shared virtual machine one core's speed depends on what else runs, on the machine and
on its host, and it drifts from minute to minute: ``two_process_speedup`` (two loops at once
against one alone) and ``alone_vs_other_busy`` (the loop's time alone over its time beside a
busy core) show how far, so that a scaling figure can be read against them.
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


def spin(stop) -> None:
    while not stop.is_set():
        pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--loops", type=int, default=60)
    args = ap.parse_args()
    alone, beside, pair = [], [], []
    with mp.Pool(2) as pool:
        for _ in range(args.rounds):
            alone.append(busy(args.loops))
            stop = mp.Event()
            spinner = mp.Process(target=spin, args=(stop,))
            spinner.start()
            time.sleep(0.2)
            beside.append(busy(args.loops))
            stop.set()
            spinner.join()
            t = time.perf_counter()
            pool.map(busy, [args.loops, args.loops])
            pair.append(time.perf_counter() - t)
    med = statistics.median
    print(json.dumps({
        "loop_alone_s": round(med(alone), 3), "loop_beside_busy_core_s": round(med(beside), 3),
        "two_loops_at_once_s": round(med(pair), 3),
        "two_process_speedup": round(2 * med(alone) / med(pair), 2),
        "alone_vs_other_busy": round(med(alone) / med(beside), 2),
        "rounds_s": {"alone": [round(x, 3) for x in alone],
                     "beside_busy": [round(x, 3) for x in beside],
                     "pair": [round(x, 3) for x in pair]},
    }, indent=2))


if __name__ == "__main__":
    main()
