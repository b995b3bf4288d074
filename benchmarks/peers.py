"""Peers to race daskjudge against: verl's ``prime_code`` reward and a no-isolation floor.

* :func:`prime_code_run` scores ``(completion, ground_truth)`` pairs (see ``workload.to_verl``)
  exactly as verl does for the ``codecontests``/``apps``/``codeforces``/``taco`` data sources:
  ``default_compute_score`` -> ``prime_code.compute_score(completion, ground_truth,
  continuous=True)``, fanned out over a ``ProcessPoolExecutor`` like verl's prime reward manager.
  Needs ``pip install --no-deps verl`` (plus numpy); verl's top-level ``__init__`` imports
  torch and ray, so :func:`load_verl_reward_score` imports the reward package without running
  it (verl's own files are used unchanged).
* :func:`floor_run` is the speed floor: two long-lived warm interpreters that fork one child per
  test and ``exec`` the solution in it, with no rlimits, namespaces or seccomp.

Both pools are hosted by a fresh interpreter that imported only this file, whatever the caller
imported (see :func:`_clean_call`).

``python peers.py [N_TESTS]`` runs both on a small workload and prints throughput and agreement.
"""

from __future__ import annotations

import builtins
import gc
import importlib
import importlib.util
import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import types
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

_SCORE_TIMEOUT_S = 300.0  # verl's per-sample asyncio.wait_for budget


# -------------------------------------------------------------------------------------------
# verl prime_code
# -------------------------------------------------------------------------------------------

def load_verl_reward_score() -> types.ModuleType:
    """Import ``verl.utils.reward_score`` from an installed verl without its heavy imports.

    ``verl/__init__.py`` and ``verl/utils/__init__.py`` pull in torch, ray and transformers;
    the reward-score package itself needs only the standard library and numpy. Empty package
    modules for ``verl`` and ``verl.utils`` pointing at the installed directories are put in
    ``sys.modules`` first, so the real ``reward_score`` (and ``prime_code``) files load as is.
    """
    name = "verl.utils.reward_score"
    if name in sys.modules:
        return sys.modules[name]
    if "verl" not in sys.modules:
        spec = importlib.util.find_spec("verl")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("verl is not installed: pip install --no-deps verl")
        root = list(spec.submodule_search_locations)[0]
        for mod, path in (("verl", root), ("verl.utils", os.path.join(root, "utils"))):
            stub = types.ModuleType(mod)
            stub.__path__ = [path]
            sys.modules[mod] = stub
        sys.modules["verl"].utils = sys.modules["verl.utils"]  # type: ignore[attr-defined]
    return importlib.import_module(name)


def _prime_score(completion: str, ground_truth: dict) -> float:
    """One sample, as verl's reward manager evaluates it in a pool worker."""
    reward_score = load_verl_reward_score()
    result = reward_score.default_compute_score("codecontests", completion, ground_truth)
    return float(result if isinstance(result, (int, float, bool)) else result[0])


def prime_code_run(items: list[tuple[str, dict]], processes: int = 2) -> list[float]:
    """Score every ``(completion, ground_truth)`` with verl's prime_code; one float per item.

    Mirrors ``verl.workers.reward_manager.prime``: one ``ProcessPoolExecutor`` of ``processes``
    forked workers, one task per sample, 300 s per sample, and a failed or timed-out sample
    scores 0.0. Each sample forks its own manager and test process inside, as prime_code does.
    The pool is hosted by a fresh interpreter (see :func:`_clean_call`), so the caller's imports
    do not slow down those forks.
    """
    return _clean_call("_prime_pool", items, processes)


def _prime_pool(items: list[tuple[str, dict]], processes: int) -> list[float]:
    load_verl_reward_score()  # import once here so forked workers inherit it
    with ProcessPoolExecutor(max_workers=processes) as pool:
        futures = [pool.submit(_prime_score, c, gt) for c, gt in items]
        scores = []
        for fut in futures:
            try:
                scores.append(fut.result(timeout=_SCORE_TIMEOUT_S))
            except Exception:  # noqa: BLE001 - verl maps any failure to 0.0
                scores.append(0.0)
    return scores


def prime_equivalent(passed: list[bool], kind: str = "stdio") -> float:
    """The score prime_code (continuous) should give a solution with these per-test results.

    1.0 when every test passes. Otherwise prime_code re-runs the first ten tests one by one and
    scores the fraction passed; but those per-test cases drop ``fn_name``, so a function
    solution is then run as a stdin program that prints nothing and scores 0.0.
    """
    if all(passed):
        return 1.0
    if kind == "function":
        return 0.0
    head = passed[:10]
    return sum(head) / len(head)


# -------------------------------------------------------------------------------------------
# warm-fork floor
# -------------------------------------------------------------------------------------------

_WARM = ("sys", "os", "math", "json", "re", "collections", "itertools", "functools", "heapq",
         "bisect", "string", "random", "time", "typing", "io")
_memfds: tuple[int, int] | None = None


def _warm_worker() -> None:
    """Pool initializer: import common modules, make the two memfds, freeze the heap."""
    global _memfds
    for mod in _WARM:
        importlib.import_module(mod)
    _memfds = (os.memfd_create("stdin"), os.memfd_create("stdout"))
    gc.freeze()


def _child(code: types.CodeType, kind: str, entry: str | None, args: Any, fd_in: int,
           fd_out: int, limit_s: float) -> None:
    """In the forked child: wire stdin/stdout to the memfds, run the solution, ``_exit``."""
    status = 1
    try:
        os.dup2(fd_in, 0)
        os.dup2(fd_out, 1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        sys.stderr = open(2, "w", closefd=False)
        signal.setitimer(signal.ITIMER_REAL, 3 * limit_s + 1)  # wall backstop, default action kills
        g: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        try:
            exec(code, g)
            if kind == "function":
                fn = g.get(entry) if entry in g else getattr(g["Solution"](), str(entry))
                result = fn(**args) if isinstance(args, dict) else fn(*args)
                sys.stdout.write(json.dumps(result))
            status = 0
        except SystemExit as e:
            status = 0 if e.code in (None, 0) else 1
        sys.stdout.flush()
    except BaseException:  # noqa: BLE001 - any failure is a runtime error
        status = 1
    os._exit(status)


def _same(kind: str, got: str, want: str) -> bool:
    if kind == "function":
        try:
            return json.loads(got) == json.loads(want)
        except ValueError:
            return False
    a, b = got.strip().splitlines(), want.strip().splitlines()
    return len(a) == len(b) and all(x.strip() == y.strip() for x, y in zip(a, b))


def _floor_solution(task: tuple) -> list[bool]:
    """Run one solution on the tests of its problem in this warm worker; pass flag per test.

    With early exit it stops at the first failing test (the rest count as failed).
    """
    code_text, kind, entry, tests, limit_s, early_exit = task
    assert _memfds is not None
    fd_in, fd_out = _memfds
    try:
        code = compile(code_text, "<solution>", "exec")
    except (SyntaxError, ValueError):
        return [False] * len(tests)
    results = []
    for test in tests:
        args = json.loads(test["input"]) if kind == "function" else None
        os.ftruncate(fd_in, 0)
        if kind == "stdio":
            os.pwrite(fd_in, test["input"].encode(), 0)
        os.lseek(fd_in, 0, os.SEEK_SET)
        os.ftruncate(fd_out, 0)
        os.lseek(fd_out, 0, os.SEEK_SET)
        pid = os.fork()
        if pid == 0:
            _child(code, kind, entry, args, fd_in, fd_out, limit_s)
        _, status = os.waitpid(pid, 0)
        size = os.fstat(fd_out).st_size
        out = os.pread(fd_out, size, 0).decode(errors="replace")
        results.append(os.waitstatus_to_exitcode(status) == 0 and _same(kind, out, test["output"]))
        if early_exit and not results[-1]:
            return results + [False] * (len(tests) - len(results))
    return results


def floor_run(problems: pd.DataFrame, solutions: pd.DataFrame,
              processes: int = 2, early_exit: bool = False) -> list[list[bool]]:
    """Run every solution on every test of its problem; per-test pass flags, in solution order.

    ``processes`` long-lived workers each fork one child per test from an already-warm
    interpreter; stdin and stdout are memfds; stdio output is compared line by line with
    surrounding whitespace stripped, function results as JSON values. No limits beyond a wall
    backstop of three times the problem's time limit, no isolation: a floor, not a judge.
    """
    by_id = {row.problem_id: row for row in problems.itertuples(index=False)}
    tasks = []
    for sol in solutions.itertuples(index=False):
        p = by_id[sol.problem_id]
        entry = p.entry_point if isinstance(p.entry_point, str) else None
        tasks.append((sol.code, p.kind, entry, list(p.tests), float(p.time_limit_s), early_exit))
    return _clean_call("_floor_pool", tasks, processes)


def _floor_pool(tasks: list[tuple], processes: int) -> list[list[bool]]:
    with ProcessPoolExecutor(max_workers=processes, initializer=_warm_worker) as pool:
        return list(pool.map(_floor_solution, tasks, chunksize=4))


# -------------------------------------------------------------------------------------------
# fresh host interpreter
# -------------------------------------------------------------------------------------------

def _clean_call(name: str, *args: Any) -> Any:
    """Run ``name(*args)`` of this module in a fresh interpreter and return its result.

    Forking is several times slower from a process that has imported pandas or pyarrow (more
    page tables to copy), so both peers' pools are hosted by an interpreter that has imported
    only this file (plus numpy for prime_code, which prime_code itself imports). Arguments and
    result travel as pickles through temporary files; stdout and stderr stay the caller's.
    """
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "args.pkl"), os.path.join(tmp, "result.pkl")
        with open(src, "wb") as f:
            pickle.dump((name, args), f)
        safe_path = ["-P"] if sys.version_info >= (3, 11) else []  # no script dir on sys.path
        subprocess.run([sys.executable, *safe_path, os.path.abspath(__file__), "--call", src, dst],
                       check=True)
        with open(dst, "rb") as f:
            return pickle.load(f)


def _serve_call(src: str, dst: str) -> None:
    with open(src, "rb") as f:
        name, args = pickle.load(f)
    result = globals()[name](*args)
    with open(dst, "wb") as f:
        pickle.dump(result, f)


# -------------------------------------------------------------------------------------------
# smoke test
# -------------------------------------------------------------------------------------------

def _smoke(n_tests: int) -> None:
    import time
    from collections import Counter

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from workload import make_trivial, make_workload, to_verl

    for label, (problems, solutions) in (("workload", make_workload(n_tests)),
                                         ("trivial", make_trivial(n_tests))):
        n = sum(len(by) for by in solutions.merge(problems, on="problem_id")["tests"])
        t0 = time.perf_counter()
        floor = floor_run(problems, solutions)
        t_floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        prime = prime_code_run(to_verl(problems, solutions))
        t_prime = time.perf_counter() - t0
        kinds = solutions.merge(problems, on="problem_id")["kind"]
        want = [prime_equivalent(f, k) for f, k in zip(floor, kinds)]
        agree = sum(abs(a - b) < 1e-9 for a, b in zip(prime, want))
        print(f"{label}: {len(solutions)} solutions, {n} tests")
        print(f"  floor      {t_floor:7.2f} s  {n / t_floor:8.1f} tests/s")
        print(f"  prime_code {t_prime:7.2f} s  {n / t_prime:8.1f} tests/s")
        print(f"  prime == prime_equivalent(floor): {agree}/{len(prime)}")
        full: Counter = Counter()
        for cat, f, s in zip(solutions["category"], floor, prime):
            full[cat, "floor_all_pass"] += all(f)
            full[cat, "prime_1.0"] += s == 1.0
            full[cat, "n"] += 1
        for cat in sorted({c for c, _ in full}):
            print(f"  {cat:8s} n={full[cat, 'n']:4d}"
                  f"  floor all-pass={full[cat, 'floor_all_pass']:4d}"
                  f"  prime 1.0={full[cat, 'prime_1.0']:4d}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--call"]:
        _serve_call(sys.argv[2], sys.argv[3])
        sys.exit(0)
    _smoke(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
