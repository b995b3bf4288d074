"""What compiling costs, with and without the build cache and the precompiled header, and
what one test costs per language once its build exists.

    python benchmarks/languages.py [--rounds 5] [--tests 64] [--out benchmarks/results-languages.json]

Everything runs on one warm sandbox slot (full isolation where the host allows), without a
cluster: the figures are the sandbox layer's own.

- compile: a fresh source (never seen before, so no cache can answer) compiled in the
  sandbox; for C++ once reading ``bits/stdc++.h`` from the precompiled header and once
  parsing it; then the same source asked again in the same process (memory) and from a
  new process's view (a fresh build cache over the same disk folder). CPU seconds are the
  compiler's (kernel-measured), wall seconds include the sandbox round trip.
- per test: a trivial stdio program (read two integers, print the sum), ``--tests`` tests
  sent as the pipeline sends them (batches of 32), wall time per test; Python alongside.

Each figure is the median over ``--rounds``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pipeline.sandbox import Limits, Program, SlotPool, build, languages  # noqa: E402

SUM = {
    "python": "a, b = map(int, input().split())\nprint(a + b)\n",
    "cpp": "#include <bits/stdc++.h>\nusing namespace std;\n// %s\n"
           "int main() { long long a, b; cin >> a >> b; cout << a + b << endl; }\n",
    "javascript": "// %s\nconst [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/)"
                  ".map(Number);\nconsole.log(a + b);\n",
    "java": "import java.util.*;\n// %s\npublic class Main { public static void main(String[] x) "
            "{ Scanner in = new Scanner(System.in); System.out.println(in.nextLong() + in.nextLong()); } }\n",
    "go": "package main\n// %s\nimport \"fmt\"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); "
          "fmt.Println(a + b) }\n",
    "rust": "// %s\nuse std::io::Read;\nfn main() { let mut s = String::new(); "
            "std::io::stdin().read_to_string(&mut s).unwrap(); let v: Vec<i64> = "
            "s.split_whitespace().map(|x| x.parse().unwrap()).collect(); println!(\"{}\", v[0] + v[1]); }\n",
}


def compile_once(slot, builds, lang, code, pch):
    source = lang.source(code, "stdio", "")
    start = time.perf_counter()
    b = builds.get(lang, source, pch, slot._compile)
    wall = time.perf_counter() - start
    assert b.error is None, b.error
    return b.seconds, wall


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--tests", type=int, default=64)
    ap.add_argument("--out", default=str(HERE / "results-languages.json"))
    args = ap.parse_args()
    results: dict = {"compile": {}, "per_test_ms": {}}
    with SlotPool(1) as pool, tempfile.TemporaryDirectory() as disk:
        slot = pool.slots[0]
        level = pool.level
        results["isolation"] = level
        for name in ("cpp", "javascript", "java", "go", "rust"):
            lang = languages.get(name)
            variants = {"fresh": languages.pch_for(lang, level)}
            if name == "cpp":
                variants = {"fresh, precompiled header": variants["fresh"],
                            "fresh, no precompiled header": None}
            rows: dict[str, list] = {k: [] for k in (*variants, "memory cache", "disk cache")}
            for _ in range(args.rounds):
                for label, pch in variants.items():
                    builds = build.Builds(cache_dir=Path(disk))
                    code = SUM[name] % uuid.uuid4()
                    rows[label].append(compile_once(slot, builds, lang, code, pch))
                # the last fresh source again: this process, then a new process's cache
                start = time.perf_counter()
                builds.get(lang, lang.source(code, "stdio", ""), pch, slot._compile)
                rows["memory cache"].append((0.0, time.perf_counter() - start))
                other = build.Builds(cache_dir=Path(disk))
                start = time.perf_counter()
                other.get(lang, lang.source(code, "stdio", ""), pch, slot._compile)
                rows["disk cache"].append((0.0, time.perf_counter() - start))
                assert other.stats and all(s["compiled"] == 0 for s in other.stats.values())
            results["compile"][name] = {
                label: {"cpu_s": round(statistics.median(c for c, _ in v), 3),
                        "wall_s": round(statistics.median(w for _, w in v), 4)}
                for label, v in rows.items()}
            print(name, json.dumps(results["compile"][name]), flush=True)

        for name in ("python", "cpp", "javascript", "java", "go", "rust"):
            code = SUM[name] % "per-test" if "%s" in SUM[name] else SUM[name]
            programs = [Program(code, stdin=f"{i} {i}\n".encode(), language=name)
                        for i in range(args.tests)]
            limits = [Limits(cpu_s=5)] * args.tests
            pool.run_batch(programs[:1], limits[:1])                 # build and install once
            per = []
            for _ in range(args.rounds):
                start = time.perf_counter()
                for i in range(0, args.tests, 32):
                    outs = pool.run_batch(programs[i:i + 32], limits[i:i + 32])
                    assert [o.stdout for o in outs] == [f"{2 * j}\n".encode()
                                                        for j in range(i, i + len(outs))], outs[0]
                per.append((time.perf_counter() - start) / args.tests * 1000)
            results["per_test_ms"][name] = round(statistics.median(per), 2)
            print(name, "per test ms", results["per_test_ms"][name], flush=True)
    results["rounds"], results["tests"] = args.rounds, args.tests
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
