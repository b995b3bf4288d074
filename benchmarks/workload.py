"""Synthetic, deterministic workloads for the speed benchmarks.

Everything here is plain Python (standard library, pandas, pyarrow): expected outputs are
computed by the generator itself, no candidate code is run.

* :func:`make_workload` — small realistic problems (stdin/stdout and function-call) with several
  solutions each: about 70 % correct, 20 % wrong answer, 5 % runtime error and 5 % correct but
  slow (~50 ms of busy work per test). No solution loops forever, so a run is bounded.
* :func:`make_trivial` — one echo problem, for per-test overhead measurements.
* :func:`to_verl` — the same solutions as ``(completion, ground_truth)`` pairs in the form verl's
  ``prime_code`` reward expects (APPS ``input_output`` layout).

Both tables follow daskjudge's problems/solutions schema. ``solutions`` carries one extra
column, ``category`` (``correct``/``wrong``/``error``/``slow``), which the pipeline passes through.
"""

from __future__ import annotations

import json
import random
from typing import Callable

import pandas as pd

Test = dict[str, str]
# A family builds (tests, code variants by category) for a problem with k tests.
Family = Callable[[random.Random, int], tuple[list[Test], dict[str, list[str]]]]

MOD = 10**9 + 7
_BUSY = ("import time\n_t0 = time.perf_counter()\n"
         "while time.perf_counter() - _t0 < 0.05:\n    pass\n")
_BUSY_FN = ("import time\ndef _busy():\n    t0 = time.perf_counter()\n"
            "    while time.perf_counter() - t0 < 0.05:\n        pass\n")
# 20 solutions: 14 correct, 4 wrong, 1 error, 1 slow.
_DECK = ["correct"] * 14 + ["wrong"] * 4 + ["error", "slow"]
# What RL rollouts early in training look like: fewer correct, and an infinite loop now and
# then (a loop at import time hangs stdio and function solutions alike).
_RL_DECK = ["correct"] * 9 + ["wrong"] * 7 + ["error"] * 2 + ["slow", "loop"]
_LOOP = "while True:\n    pass\n"


def _ints(xs: list[int]) -> str:
    return " ".join(map(str, xs))


def _size(i: int, k: int, small: int, big: int) -> int:
    """Size for test ``i`` of ``k``: the first ten tests are small, later ones grow to ``big``."""
    if i < 10:
        return small + i
    return small + 10 + (big - small - 10) * (i - 9) // max(1, k - 10)


def _slow(correct: list[str]) -> list[str]:
    return [_BUSY + correct[0]]


# -------------------------------------------------------------------------------------------
# stdin/stdout families
# -------------------------------------------------------------------------------------------

def _aplusb(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    tests = []
    for i in range(k):
        hi = 10**6 if i < 10 else 10**(6 + i)
        a, b = rng.randint(-hi, hi), rng.randint(1, hi)
        if i >= 10 and i % 2:
            a = abs(a) + 2**31  # overflows a 32-bit sum: only the late tests catch it
        tests.append({"input": f"{a} {b}\n", "output": f"{a + b}\n"})
    correct = ["a, b = map(int, input().split())\nprint(a + b)\n",
               "import sys\nx = sys.stdin.read().split()\nprint(int(x[0]) + int(x[1]))\n"]
    return tests, {
        "correct": correct,
        "wrong": ["a, b = map(int, input().split())\nprint(a - b)\n",
                  "a, b = map(int, input().split())\ns = a + b\n"
                  "if s > 2**31 - 1:\n    s -= 2**32\nprint(s)\n"],
        "error": ["a, b = map(int, input().split())\nc = int(input())\nprint(a + b + c)\n"],
        "slow": _slow(correct),
    }


def _sum_list(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    tests = []
    for i in range(k):
        n = _size(i, k, 2, 1000)
        xs = [rng.choice([-1, 1]) * rng.randint(1, 10**9) for _ in range(n)]
        tests.append({"input": f"{n}\n{_ints(xs)}\n", "output": f"{sum(xs)}\n"})
    correct = ["n = int(input())\nxs = list(map(int, input().split()))\nprint(sum(xs))\n",
               "import sys\ndata = sys.stdin.read().split()\nn = int(data[0])\n"
               "print(sum(map(int, data[1:1 + n])))\n",
               "n = int(input())\ntotal = 0\nfor x in input().split():\n    total += int(x)\n"
               "print(total)\n"]
    return tests, {
        "correct": correct,
        "wrong": ["n = int(input())\nxs = list(map(int, input().split()))\nprint(sum(xs[1:]))\n",
                  "n = int(input())\nxs = list(map(int, input().split()))\n"
                  "print(sum(abs(x) for x in xs))\n"],
        "error": ["n = int(input())\nxs = list(map(int, input().split()))\ntotal = 0\n"
                  "for i in range(n + 1):\n    total += xs[i]\nprint(total)\n"],
        "slow": _slow(correct),
    }


def _sort_numbers(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    tests = []
    for i in range(k):
        n = _size(i, k, 3, 1000)
        if i < 10:  # distinct values: a de-duplicating solution survives the first ten tests
            xs = rng.sample(range(-10**6, 10**6), n)
        else:
            xs = [rng.randint(-50, 50) for _ in range(n)]
        tests.append({"input": f"{n}\n{_ints(xs)}\n", "output": f"{_ints(sorted(xs))}\n"})
    correct = ["n = int(input())\nxs = list(map(int, input().split()))\nxs.sort()\nprint(*xs)\n",
               "import sys\ndata = sys.stdin.read().split()\n"
               "print(' '.join(map(str, sorted(int(t) for t in data[1:]))))\n"]
    return tests, {
        "correct": correct,
        "wrong": ["n = int(input())\nxs = list(map(int, input().split()))\n"
                  "print(*sorted(xs, reverse=True))\n",
                  "n = int(input())\nxs = list(map(int, input().split()))\n"
                  "print(*sorted(set(xs)))\n"],
        "error": ["n = int(input())\nxs = list(map(int, input().split()))\n"
                  "print(' '.join(sorted(xs)))\n"],
        "slow": _slow(correct),
    }


_WORDS = "alpha beta gamma delta judge dask arrow test case input output line word".split()


def _count_words(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    tests = []
    for i in range(k):
        n_lines = 1 if i < 3 else 1 + i
        lines = []
        for _ in range(n_lines):
            words = rng.choices(_WORDS, k=rng.randint(1, 12))
            sep = "  " if rng.random() < 0.3 else " "
            lines.append(sep.join(words))
        text = "\n".join(lines) + "\n"
        tests.append({"input": text, "output": f"{len(text.split())}\n"})
    correct = ["import sys\nprint(len(sys.stdin.read().split()))\n",
               "import sys\ntotal = 0\nfor line in sys.stdin:\n    total += len(line.split())\n"
               "print(total)\n",
               "total = 0\nwhile True:\n    try:\n        line = input()\n    except EOFError:\n"
               "        break\n    total += len(line.split())\nprint(total)\n"]
    return tests, {
        "correct": correct,
        "wrong": ["print(len(input().split()))\n",
                  "import sys\nprint(sys.stdin.read().strip().count(' ') + 1)\n"],
        "error": ["n = int(input())\nprint(sum(len(input().split()) for _ in range(n)))\n"],
        "slow": _slow(correct),
    }


def _fib_mod(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    tests = []
    for i in range(k):
        n = rng.randint(2, 40) if i < 10 else rng.randint(50, 20000)
        a, b = 0, 1
        for _ in range(n):
            a, b = b, (a + b) % MOD
        tests.append({"input": f"{n}\n", "output": f"{a}\n"})
    correct = ["n = int(input())\na, b = 0, 1\nfor _ in range(n):\n"
               "    a, b = b, (a + b) % 1000000007\nprint(a)\n",
               "MOD = 10**9 + 7\n\ndef fib(n):\n    if n == 0:\n        return (0, 1)\n"
               "    a, b = fib(n >> 1)\n    c = a * ((2 * b - a) % MOD) % MOD\n"
               "    d = (a * a + b * b) % MOD\n"
               "    return (d, (c + d) % MOD) if n & 1 else (c, d)\n\n"
               "print(fib(int(input()))[0])\n"]
    return tests, {
        "correct": correct,
        "wrong": ["n = int(input())\na, b = 0, 1\nfor _ in range(n):\n    a, b = b, a + b\n"
                  "print(a)\n",
                  "n = int(input())\na, b = 0, 1\nfor _ in range(n + 1):\n"
                  "    a, b = b, (a + b) % 1000000007\nprint(a)\n"],
        "error": ["n = int(input())\nfib = [0, 1]\nfor i in range(2, n):\n"
                  "    fib.append((fib[-1] + fib[-2]) % 1000000007)\nprint(fib[n])\n"],
        "slow": _slow(correct),
    }


def _prefix_sums(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    tests = []
    for i in range(k):
        n = _size(i, k, 5, 1000)
        q = n
        xs = [rng.randint(-10**6, 10**6) for _ in range(n)]
        pre = [0]
        for x in xs:
            pre.append(pre[-1] + x)
        queries = [(1, n)] + [tuple(sorted(rng.sample(range(1, n + 1), 2))) for _ in range(q - 1)]
        body = "".join(f"{lo} {hi}\n" for lo, hi in queries)
        out = "".join(f"{pre[hi] - pre[lo - 1]}\n" for lo, hi in queries)
        tests.append({"input": f"{n} {q}\n{_ints(xs)}\n{body}", "output": out})
    correct = ["import sys\ndata = sys.stdin.read().split()\nn, q = int(data[0]), int(data[1])\n"
               "pre = [0] * (n + 1)\nfor i in range(n):\n"
               "    pre[i + 1] = pre[i] + int(data[2 + i])\n"
               "out = []\npos = 2 + n\nfor _ in range(q):\n"
               "    lo, hi = int(data[pos]), int(data[pos + 1])\n    pos += 2\n"
               "    out.append(pre[hi] - pre[lo - 1])\nprint('\\n'.join(map(str, out)))\n",
               "from itertools import accumulate\nn, q = map(int, input().split())\n"
               "pre = [0] + list(accumulate(map(int, input().split())))\nfor _ in range(q):\n"
               "    lo, hi = map(int, input().split())\n    print(pre[hi] - pre[lo - 1])\n"]
    return tests, {
        "correct": correct,
        "wrong": ["from itertools import accumulate\nn, q = map(int, input().split())\n"
                  "pre = [0] + list(accumulate(map(int, input().split())))\nfor _ in range(q):\n"
                  "    lo, hi = map(int, input().split())\n    print(pre[hi - 1] - pre[lo - 1])\n"],
        "error": ["from itertools import accumulate\nn, q = map(int, input().split())\n"
                  "pre = list(accumulate(map(int, input().split())))\nfor _ in range(q):\n"
                  "    lo, hi = map(int, input().split())\n    print(pre[hi] - pre[lo - 1])\n"],
        "slow": _slow(correct),
    }


# -------------------------------------------------------------------------------------------
# function-call families (input: JSON array of positional arguments, output: JSON value)
# -------------------------------------------------------------------------------------------

def _fn_tests(cases: list[tuple[list, object]]) -> list[Test]:
    return [{"input": json.dumps(args), "output": json.dumps(want)} for args, want in cases]


def _slow_fn(code: str, entry: str) -> list[str]:
    return [_BUSY_FN + code + f"\n_impl = {entry}\n\ndef {entry}(*args):\n    _busy()\n"
            "    return _impl(*args)\n"]


def _max_subarray(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    cases = []
    for i in range(k):
        n = _size(i, k, 1, 500)
        lo, hi = (-100, 100) if i < 10 or i % 2 else (-100, -1)  # all-negative arrays come late
        nums = [rng.randint(lo, hi) for _ in range(n)]
        best, cur = nums[0], 0
        for x in nums:
            cur = max(x, cur + x)
            best = max(best, cur)
        cases.append(([nums], best))
    correct = ["def max_subarray(nums):\n    best = cur = nums[0]\n    for x in nums[1:]:\n"
               "        cur = max(x, cur + x)\n        best = max(best, cur)\n    return best\n"]
    return _fn_tests(cases), {
        "correct": correct,
        "wrong": ["def max_subarray(nums):\n    best = cur = 0\n    for x in nums:\n"
                  "        cur = max(0, cur + x)\n        best = max(best, cur)\n    return best\n",
                  "def max_subarray(nums):\n    return sum(x for x in nums if x > 0)\n"],
        "error": ["def max_subarray(nums):\n"
                  "    return max(nums[i] + nums[i + 1] for i in range(len(nums)))\n"],
        "slow": _slow_fn(correct[0], "max_subarray"),
    }


def _two_sum(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    cases = []
    for i in range(k):
        n = _size(i, k, 2, 400)
        nums = rng.sample(range(1, 10**6, 2), n)  # odd values: only one pair sums to target
        a, b = sorted(rng.sample(range(n), 2))
        nums[b] = nums[b] + 1  # the only even value... make the pair unique
        cases.append(([nums, nums[a] + nums[b]], [a, b]))
    correct = ["def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n"
               "        if target - x in seen:\n            return [seen[target - x], i]\n"
               "        seen[x] = i\n    return []\n"]
    return _fn_tests(cases), {
        "correct": correct,
        "wrong": ["def two_sum(nums, target):\n    seen = {}\n    for i, x in enumerate(nums):\n"
                  "        if target - x in seen:\n            return [i, seen[target - x]]\n"
                  "        seen[x] = i\n    return []\n"],
        "error": ["def two_sum(nums, target):\n    seen = {x: i for i, x in enumerate(nums)}\n"
                  "    for i, x in enumerate(nums):\n        if seen[target - x] != i:\n"
                  "            return [i, seen[target - x]]\n"],
        "slow": _slow_fn(correct[0], "two_sum"),
    }


def _is_palindrome(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    cases = []
    for i in range(k):
        half = "".join(rng.choices("abcXYZ", k=rng.randint(0, 4 + 3 * i)))
        s = half + rng.choice(["", "q", ", ", "!"]) + half[::-1].swapcase()
        if rng.random() < 0.4:
            s = s + "z"
        t = "".join(c.lower() for c in s if c.isalnum())
        cases.append(([s], t == t[::-1]))
    cases[rng.randrange(k)] = ([", !"], True)
    correct = ["def is_palindrome(s):\n    t = [c.lower() for c in s if c.isalnum()]\n"
               "    return t == t[::-1]\n"]
    return _fn_tests(cases), {
        "correct": correct,
        "wrong": ["def is_palindrome(s):\n    return s == s[::-1]\n"],
        "error": ["def is_palindrome(s):\n    t = ''.join(c.lower() for c in s if c.isalnum())\n"
                  "    if t[0] != t[-1]:\n        return False\n    return t == t[::-1]\n"],
        "slow": _slow_fn(correct[0], "is_palindrome"),
    }


def _reverse_words(rng: random.Random, k: int) -> tuple[list[Test], dict[str, list[str]]]:
    cases = []
    for i in range(k):
        words = rng.choices(_WORDS, k=rng.randint(2, 3 + 2 * i))
        s = "  ".join(words) if rng.random() < 0.3 else " ".join(words)
        cases.append(([s], " ".join(s.split()[::-1])))
    correct = ["class Solution:\n    def reverse_words(self, s):\n"
               "        return ' '.join(reversed(s.split()))\n"]
    return _fn_tests(cases), {
        "correct": correct,
        "wrong": ["class Solution:\n    def reverse_words(self, s):\n        return s[::-1]\n"],
        "error": ["class Solution:\n    def reverse_words(self, s):\n"
                  "        return str.join(s.split()[::-1])\n"],
        "slow": [_BUSY_FN + "class Solution:\n    def reverse_words(self, s):\n        _busy()\n"
                 "        return ' '.join(reversed(s.split()))\n"],
    }


# name -> (kind, entry_point, family, weight)
FAMILIES: dict[str, tuple[str, str | None, Family, int]] = {
    "aplusb": ("stdio", None, _aplusb, 3),
    "sum_list": ("stdio", None, _sum_list, 3),
    "sort_numbers": ("stdio", None, _sort_numbers, 3),
    "count_words": ("stdio", None, _count_words, 3),
    "fib_mod": ("stdio", None, _fib_mod, 3),
    "prefix_sums": ("stdio", None, _prefix_sums, 3),
    "max_subarray": ("function", "max_subarray", _max_subarray, 1),
    "two_sum": ("function", "two_sum", _two_sum, 1),
    "is_palindrome": ("function", "is_palindrome", _is_palindrome, 1),
    "reverse_words": ("function", "reverse_words", _reverse_words, 1),
}


def _problem_row(pid: str, kind: str, tests: list[Test], entry: str | None) -> dict:
    return {"problem_id": pid, "kind": kind, "tests": tests, "entry_point": entry, "judge": None,
            "checker": None, "time_limit_s": 2.0, "memory_limit_mb": 512, "prelude": None}


def _frames(problems: list[dict], solutions: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = pd.DataFrame(problems, columns=list(_problem_row("", "", [], None)))
    # string dtype even when all null, so the Arrow/Parquet schema says string, not null
    p = p.astype({"entry_point": "str", "judge": "str", "checker": "str", "prelude": "str",
                  "time_limit_s": "float64", "memory_limit_mb": "int64"})
    s = pd.DataFrame(solutions,
                     columns=["problem_id", "solution_id", "language", "code", "category"])
    return p, s


def make_workload(n_tests: int = 6000, seed: int = 0, solutions_per_problem: int = 8,
                  rl: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build ``(problems, solutions)`` with about ``n_tests`` (solution, test) executions.

    Problems have 12–20 tests, so every one has tests past the tenth; problems are added until
    the total reaches ``n_tests`` (it may exceed it by less than one problem's worth).
    Categories of solutions are dealt from a shuffled deck of 14 correct / 4 wrong / 1 error /
    1 slow. Some wrong solutions only fail after the tenth test, as real ones often do.
    With ``rl`` the deck is 9 correct / 7 wrong / 2 error / 1 slow / 1 infinite loop.
    Deterministic for a given ``seed``.
    """
    rng = random.Random(seed)
    names = list(FAMILIES)
    weights = [FAMILIES[n][3] for n in names]
    problems: list[dict] = []
    solutions: list[dict] = []
    deck: list[str] = []
    total = 0
    while total < n_tests:
        name = rng.choices(names, weights)[0]
        kind, entry, family, _ = FAMILIES[name]
        k = rng.randint(12, 20)
        tests, variants = family(rng, k)
        pid = f"{name}-{len(problems):04d}"
        problems.append(_problem_row(pid, kind, tests, entry))
        for j in range(solutions_per_problem):
            if not deck:
                deck = (_RL_DECK if rl else _DECK)[:]
                rng.shuffle(deck)
            category = deck.pop()
            code = _LOOP + rng.choice(variants["correct"]) if category == "loop" else \
                rng.choice(variants[category])
            solutions.append({"problem_id": pid, "solution_id": f"s{j:02d}", "language": "python",
                              "code": code, "category": category})
        total += k * solutions_per_problem
    return _frames(problems, solutions)


def make_trivial(n_tests: int = 6000,
                 tests_per_solution: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One echo problem (input ``1``, output ``1``) and enough copies of ``print(input())`` for
    ``n_tests`` executions (rounded up to whole solutions): per-test overhead, nothing else."""
    tests = [{"input": "1\n", "output": "1\n"}] * tests_per_solution
    n_solutions = -(-n_tests // tests_per_solution)
    solutions = [{"problem_id": "echo", "solution_id": f"s{j:05d}", "language": "python",
                  "code": "print(input())\n", "category": "correct"} for j in range(n_solutions)]
    return _frames([_problem_row("echo", "stdio", tests, None)], solutions)


def to_verl(problems: pd.DataFrame, solutions: pd.DataFrame) -> list[tuple[str, dict]]:
    """One ``(completion, ground_truth)`` per solution row, as verl's ``prime_code`` takes them.

    The completion is the code in a fenced python block after a line of prose. The ground truth is
    APPS-style ``{"inputs": [...], "outputs": [...]}``; for function problems it adds ``fn_name``,
    each input becomes one JSON value per line (prime_code ``json.loads`` each line into one
    positional argument) and each output stays JSON text. Keyword-argument (JSON object) inputs
    have no APPS form and are rejected.
    """
    by_id = {row.problem_id: row for row in problems.itertuples(index=False)}
    items: list[tuple[str, dict]] = []
    for sol in solutions.itertuples(index=False):
        prob = by_id[sol.problem_id]
        tests = list(prob.tests)
        truth: dict = {"outputs": [t["output"] for t in tests]}
        if prob.kind == "function":
            inputs = []
            for t in tests:
                args = json.loads(t["input"])
                if not isinstance(args, list):
                    raise ValueError(f"{sol.problem_id}: keyword arguments have no APPS form")
                inputs.append("\n".join(json.dumps(a) for a in args))
            truth = {"inputs": inputs, **truth, "fn_name": prob.entry_point}
        elif prob.kind == "stdio":
            truth = {"inputs": [t["input"] for t in tests], **truth}
        else:
            raise ValueError(f"{sol.problem_id}: kind {prob.kind!r} has no APPS form")
        items.append((f"Here is my solution.\n\n```python\n{sol.code}```\n", truth))
    return items
