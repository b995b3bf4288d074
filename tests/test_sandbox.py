"""Each kind and judge through the real sandbox and the execute stage (no cluster needed)."""

from __future__ import annotations

import os
import signal
import time

import pandas as pd
import pytest

from conftest import in_ci
from pipeline.config import Config
from pipeline.execute import execute_partition
from pipeline.expand import expand_partition, resolve
from pipeline.io import read_problems, read_solutions
from pipeline.sandbox import Limits, Program, Status

TYPING = "from typing import List, Optional, Dict\n"


def judge(pool, code, tests, kind="stdio", judge=None, entry_point=None, prelude=None,
          time_limit_s=2.0, memory_limit_mb=256, early_exit=False):
    """Score one solution on one problem; return its per-test rows."""
    problems = read_problems([{"problem_id": "p", "kind": kind, "entry_point": entry_point,
                               "judge": judge, "prelude": prelude, "time_limit_s": time_limit_s,
                               "memory_limit_mb": memory_limit_mb,
                               "tests": [{"input": i, "output": o} for i, o in tests]}])
    solutions = read_solutions([{"problem_id": "p", "solution_id": "s", "code": code}], problems)
    config = Config().replace(early_exit=early_exit, wall_factor=1.5)
    rows = expand_partition(solutions.to_pandas(), resolve(problems, config))
    return execute_partition(rows, pool.run_batch, config)


def verdicts(result: pd.DataFrame) -> list[str]:
    return result["verdict"].tolist()


def test_isolation_level(pool):
    if in_ci():
        assert pool.level == "full"
    assert pool.level in ("full", "rootless", "none")


# ------------------------------------------------------------------------------ stdio

@pytest.mark.parametrize("code,verdict", [
    ("a, b = map(int, input().split())\nprint(a + b)", "AC"),
    ("a, b = map(int, input().split())\nprint(a - b)", "WA"),
    ("a, b = map(int, input().split())\nprint(a + b, end='')", "AC"),          # no final newline
    ("a, b = map(int, input().split())\nprint(a + b, '  ')", "AC"),            # trailing spaces
    ("import sys\na, b = map(int, input().split())\nsys.stdout.write(f'{a+b}\\r\\n')", "AC"),
    ("a, b = map(int, input().split())\nprint(a + b)\nprint()\nprint()", "AC"),  # blank lines
    ("a, b = map(int, input().split())\nprint(a + b)\nprint(0)", "WA"),        # extra line
    ("print(", "CE"),
    ("raise ValueError('boom')", "RE"),
    ("a, b = map(int, input().split())\nprint(a + b)\nexit()", "AC"),
    ("a, b = map(int, input().split())\nprint(a + b)\nquit()", "AC"),
    ("import sys\na, b = map(int, input().split())\nprint(a + b)\nsys.exit(3)", "RE"),
    ("import sys\nsys.exit(0)\nprint(3)", "WA"),
    ("import os\nos._exit(0)", "WA"),
    ("import sys\na, b = map(int, sys.stdin.buffer.read().split())\nprint(a + b)", "AC"),
    ("a, b = map(int, open(0).read().split())\nprint(a + b)", "AC"),
    ("import sys\nprint(sum(int(x) for line in sys.stdin for x in line.split()))", "AC"),
    ("import os\nos.write(1, b'3\\n')", "AC"),
    ("import sys\nsys.stdout.buffer.write(b'3\\n')", "AC"),
    ("a, b = map(int, input().split())\nprint(a + b, flush=True)\nwhile True: pass", "TLE"),
    ("import time\nprint(3, flush=True)\ntime.sleep(60)", "TLE"),
    ("while True: pass", "TLE"),
    ("x = bytearray(10 ** 10)", "MLE"),
    ("import sys\nwhile True: sys.stdout.write('x' * 65536)", "OLE"),
    ("input()\ninput()", "RE"),                                      # EOFError at end of input
    ("import threading\n"
     "def main():\n    a, b = map(int, input().split()); print(a + b)\n"
     "threading.stack_size(1 << 26)\nt = threading.Thread(target=main); t.start()", "AC"),
    ("import sys\nsys.setrecursionlimit(10 ** 6)\n"
     "def f(n): return 0 if n == 0 else 1 + f(n - 1)\n"
     "a, b = map(int, input().split())\nf(10 ** 5)\nprint(a + b)", "AC"),
])
def test_stdio(pool, code, verdict):
    result = judge(pool, code, [("1 2\n", "3\n")], time_limit_s=1.0)
    assert verdicts(result) == [verdict], result["message"].tolist()


def test_right_answer_then_hang_is_tle_not_ac(pool):
    code = "print(3, flush=True)\nimport time\ntime.sleep(100)"
    result = judge(pool, code, [("", "3\n")], time_limit_s=0.5)
    assert verdicts(result) == ["TLE"]
    assert result.loc[0, "wall_s"] >= 1.5 * 0.5 + 1.0 - 0.05


def test_cpu_time_is_reported(pool):
    code = "x = 0\nfor i in range(3 * 10 ** 6): x += i\nprint(x)"
    result = judge(pool, code, [("", str(sum(range(3 * 10 ** 6))))])
    assert verdicts(result) == ["AC"]
    assert 0.05 < result.loc[0, "time_s"] < 2.0


def test_huge_integers_print(pool):
    import sys
    sys.set_int_max_str_digits(0)          # Python caps int->str at 4,300 digits by default
    code = "print(7 ** 20000)"
    assert verdicts(judge(pool, code, [("", str(7 ** 20000))])) == ["AC"]


def test_big_integers_under_float_judge(pool):
    big = 2 ** 200
    tests = [("", f"{big}\n")]
    assert verdicts(judge(pool, f"print({big})", tests, judge="float:1e-6")) == ["AC"]
    assert verdicts(judge(pool, f"print({big + 1})", tests, judge="float:1e-6")) == ["WA"]
    assert verdicts(judge(pool, "print(1/3)", [("", "0.333333")], judge="float:1e-6")) == ["AC"]
    assert verdicts(judge(pool, "print(0.33)", [("", "0.333333")], judge="float:1e-6")) == ["WA"]


def test_each_test_has_fresh_state(pool):
    code = ("import os, math\n"
            "seen = os.path.exists('cache.txt') or math.pi != 3.141592653589793\n"
            "open('cache.txt', 'w').write('x')\nmath.pi = 3\n"
            "print('dirty' if seen else 'clean')")
    result = judge(pool, code, [("", "clean")] * 3)
    assert verdicts(result) == ["AC", "AC", "AC"]


def test_early_exit_skips_the_rest(pool):
    code = "n = int(input())\nprint(n if n != 2 else -1)"
    tests = [("1", "1"), ("2", "2"), ("3", "3")]
    assert verdicts(judge(pool, code, tests, early_exit=True)) == ["AC", "WA", "SKIP"]
    assert verdicts(judge(pool, code, tests)) == ["AC", "WA", "AC"]


# ------------------------------------------------------------------------------ function

@pytest.mark.parametrize("code,tests,verdict", [
    ("def f(a, b): return a + b", [("[1, 2]", "3")], "AC"),
    ("def f(a, b): return a - b", [("[1, 2]", "3")], "WA"),
    ("def f(a, b): return (a, b)", [("[1, 2]", "[1, 2]")], "AC"),             # tuple vs list
    ("def f(a, b): return [a, (b, a)]", [("[1, 2]", "[1, [2, 1]]")], "AC"),
    ("def f(a, b=10): return a * b", [('{"a": 2, "b": 5}', "10"), ('{"a": 3}', "30")], "AC"),
    ("def f(a, /, b): return a + b", [('{"a": 1, "b": 2}', "3")], "RE"),
    ("def f(a, b): return {a, b}", [("[1, 2]", "[1, 2]")], "WA"),            # set: not allowed
    ("def f(a, b): return True", [("[1, 2]", "1")], "WA"),                  # bool is not int
    ("def f(a, b): return {'s': a + b}", [("[1, 2]", '{"s": 3}')], "AC"),
    ("def f(a, b): return 1 / 0", [("[1, 2]", "3")], "RE"),
    ("def f(a, b): return None", [("[1, 2]", "null")], "AC"),
    ("def f(a, b):\n    while True: pass", [("[1, 2]", "3")], "TLE"),
    ("def g(a, b): return a + b", [("[1, 2]", "3")], "RE"),                 # no entry point
    ("import sys\ndef f(a, b): sys.exit(0)", [("[1, 2]", "3")], "WA"),
    ("def f(a, b): return 3\nif __name__ == '__main__':\n    input()", [("[1, 2]", "3")], "AC"),
    ("class Always:\n    def __eq__(self, o): return True\n"
     "def f(a, b): return Always()", [("[1, 2]", "3")], "WA"),
    ("class I(int): pass\ndef f(a, b): return I(3)", [("[1, 2]", "3")], "WA"),  # subclass refused
])
def test_function(pool, code, tests, verdict):
    result = judge(pool, code, tests, kind="function", entry_point="f", time_limit_s=1.0)
    assert set(verdicts(result)) == {verdict}, result["message"].tolist()


def test_function_floats_use_the_problem_judge(pool):
    code = "def f(a, b): return a / b"
    tests = [("[1, 3]", "0.3333333")]
    assert verdicts(judge(pool, code, tests, kind="function", entry_point="f",
                          judge="float:1e-6")) == ["AC"]
    assert verdicts(judge(pool, code, tests, kind="function", entry_point="f")) == ["WA"]


def test_leetcode_solution_method_with_typing_prelude(pool):
    code = ("class Solution:\n"
            "    def __init__(self): self.calls = 0\n"
            "    def twoSum(self, nums: List[int], target: int) -> List[int]:\n"
            "        self.calls += 1\n"
            "        assert self.calls == 1, 'instance reused across tests'\n"
            "        seen: Dict[int, int] = {}\n"
            "        for i, x in enumerate(nums):\n"
            "            if target - x in seen: return [seen[target - x], i]\n"
            "            seen[x] = i\n")
    tests = [('{"nums": [2, 7, 11, 15], "target": 9}', "[0, 1]"), ("[[3, 2, 4], 6]", "[1, 2]")]
    result = judge(pool, code, tests, kind="function", entry_point="twoSum", prelude=TYPING)
    assert verdicts(result) == ["AC", "AC"], result["message"].tolist()
    # Without the prelude the annotations fail at class definition.
    result = judge(pool, code, tests, kind="function", entry_point="twoSum")
    assert set(verdicts(result)) == {"RE"}
    # A solution opening with a __future__ import still compiles after the prelude.
    future = "from __future__ import annotations\n" + code
    result = judge(pool, future, tests, kind="function", entry_point="twoSum", prelude=TYPING)
    assert verdicts(result) == ["AC", "AC"], result["message"].tolist()


# ------------------------------------------------------------------------------ assert

@pytest.mark.parametrize("code,verdict", [
    ("def add(a, b): return a + b", "AC"),
    ("def add(a, b): return a - b", "WA"),
    ("def add(a, b): raise KeyError(a)", "RE"),
    ("import sys\nsys.exit(0)\ndef add(a, b): return a + b", "WA"),
    ("import os\nos._exit(0)", "WA"),
    ("def add(a, b): return a +", "CE"),
    ("def add(a, b):\n    while True: pass", "TLE"),
])
def test_assert(pool, code, verdict):
    tests = [("assert add(1, 2) == 3\nassert add(2, 2) == 4", "")]
    result = judge(pool, code, tests, kind="assert", entry_point="add", time_limit_s=1.0)
    assert verdicts(result) == [verdict], result["message"].tolist()


def test_assert_test_exiting_early_is_not_a_pass(pool):
    tests = [("import sys\nsys.exit(0)\nassert add(1, 2) == 4", "")]
    assert verdicts(judge(pool, "def add(a, b): return a + b", tests, kind="assert")) == ["WA"]


# ------------------------------------------------------------------------------ lifecycle

def test_set_order_is_the_same_on_every_slot_and_after_a_restart(pool):
    # The order of a set of strings follows the interpreter's hash seed; it must not
    # depend on which slot (or which incarnation of a runner) ran the test.
    prog = Program("print(list({'w%d' % i for i in range(40)}))")
    outputs = {slot.run(prog, Limits()).stdout for slot in pool.slots}
    with pool.slot() as slot:
        os.kill(slot.runner_pid, signal.SIGKILL)
        time.sleep(0.2)
        outputs.add(slot.run(prog, Limits()).stdout)
    assert len(outputs) == 1 and outputs.pop().startswith(b"['w")


def test_a_dead_runner_is_restarted_and_the_test_retried(pool):
    with pool.slot() as slot:
        slot.run(Program("print(1)"), Limits())
        before = slot.restarts
        os.kill(slot.runner_pid, signal.SIGKILL)
        time.sleep(0.2)
        out = slot.run(Program("print(2)"), Limits())
        assert out.stdout == b"2\n" and slot.restarts == before + 1


def test_a_hung_runner_is_replaced_and_the_test_retried():
    from pipeline.sandbox import SlotPool

    with SlotPool(1, isolation="full" if in_ci() else "auto", retries=1) as p:
        slot = p.slots[0]
        slot.run(Program("print(1)"), Limits())
        os.kill(slot.runner_pid, signal.SIGSTOP)       # a hung runner
        started = time.monotonic()
        out = p.run(Program("print(2)"), Limits(cpu_s=0.2, wall_s=0.5))
        # The hung runner is killed after wall + grace and the test retried on a fresh one.
        assert out.status is Status.EXITED and out.stdout == b"2\n"
        assert out.restarts == 1 and time.monotonic() - started < 20
