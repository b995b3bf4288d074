"""Verdicts a program cannot forge: the split ``assert`` path, defensive records, big
integers, CPU of every process, System V state, isolation that never steps down.

The hostile programs themselves are fixtures in ``tests/hostile/`` (70 to 90); here are
the behaviours a correct program relies on through the same paths, and the pure pieces.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipeline.sandbox import (Limits, Program, Record, RecordKind, SandboxError, SlotPool,
                              isolation, records)
from pipeline.sandbox.inside import wire
from test_sandbox import judge, verdicts

# ------------------------------------------------------------------ the split assert path

NODE = """
class Node:
    def __init__(self, val, left=None, right=None):
        self.val, self.left, self.right = val, left, right


def height(root):
    if root is None:
        return 0
    return 1 + max(height(root.left), height(root.right))
"""


@pytest.mark.parametrize("code,test,verdict", [
    # A solution's objects built and wired up by the test (MBPP's trees): handles.
    (NODE, "root = Node(1)\nroot.left = Node(2)\nroot.left.left = Node(3)\n"
           "assert height(root) == 3\nassert root.left.val == 2\n", "AC"),
    (NODE, "root = Node(1)\nassert height(root) == 2\n", "WA"),
    # In-place mutation of an argument is seen by the test.
    ("def sort_in_place(a):\n    a.sort()\n",
     "a = [3, 1, 2]\nsort_in_place(a)\nassert a == [1, 2, 3]\n", "AC"),
    ("def fill(d):\n    d['k'] = {1, 2}\n", "d = {}\nfill(d)\nassert d == {'k': {1, 2}}\n", "AC"),
    # Exceptions cross with their builtin type; a test may expect one.
    ("def f(x):\n    raise ValueError('no')\n",
     "try:\n    f(1)\n    assert False\nexcept ValueError as e:\n    assert 'no' in str(e)\n", "AC"),
    ("def f(x):\n    return {}[x]\n", "f(1)\n", "RE"),
    # Generators, iteration, len, membership, truthiness, str.
    ("def gen(n):\n    yield from range(n)\n", "assert list(gen(4)) == [0, 1, 2, 3]\n"
     "assert sum(gen(5)) == 10\n", "AC"),
    ("def words(s):\n    return map(str.upper, s.split())\n",
     "assert list(words('a b')) == ['A', 'B']\n", "AC"),
    ("class Box:\n    def __init__(self):\n        self.items = [1, 2]\n"
     "    def __len__(self):\n        return 2\n    def __contains__(self, x):\n        return x in self.items\n"
     "    def __str__(self):\n        return 'box'\n",
     "b = Box()\nassert len(b) == 2 and 1 in b and 3 not in b and str(b) == 'box' and b\n", "AC"),
    # Rich values come back as the right builtin types.
    ("import collections\ndef f():\n    P = collections.namedtuple('P', 'x y')\n"
     "    return P(1, 2), collections.Counter('aab'), frozenset({1}), 2 + 3j, b'x', (1,)\n",
     "p, c, fs, z, b, t = f()\nassert p == (1, 2) and p.x == 1 and c['a'] == 2\n"
     "assert fs == {1} and z.imag == 3 and b == b'x' and t == (1,)\n", "AC"),
    ("import decimal, fractions\ndef f():\n    return decimal.Decimal('1.5'), fractions.Fraction(1, 3)\n",
     "d, q = f()\nassert d == 1.5 and q * 3 == 1\n", "AC"),
    # Integers of any size cross both ways.
    ("import math\ndef fact(n):\n    return math.factorial(n)\n",
     "import math\nassert fact(3000) == math.factorial(3000)\nassert fact(10 ** 0 * 2) == 2\n", "AC"),
    # The test's floats and modules are its own; a solution's module name is re-imported.
    ("import math\ndef area(r):\n    return math.pi * r * r\n",
     "assert math.isclose(area(2), 12.566370614359172)\n", "AC"),
    ("import sys\ndef size(t):\n    return sys.getsizeof(t)\n",
     "assert size((1, 2)) == sys.getsizeof((1, 2))\n", "AC"),
    # Leaving mid-test is never a pass; a crash or a hang keeps its verdict.
    ("import sys\ndef f(x):\n    sys.exit(0)\n", "assert f(1) == 1\n", "WA"),
    ("import os\ndef f(x):\n    os._exit(0)\n", "assert f(1) == 1\n", "WA"),
    ("import ctypes\ndef f(x):\n    ctypes.string_at(0)\n", "assert f(1) == 1\n", "RE"),
    ("def f(x):\n    while True:\n        pass\n", "assert f(1) == 1\n", "TLE"),
    ("def f(x):\n    return [0] * (1 << 40)\n", "assert f(1) == 1\n", "MLE"),
    # A solution's truthy object passes a truthiness assert, as in plain Python.
    ("class T:\n    def __bool__(self):\n        return True\ndef ok(x):\n    return T()\n",
     "assert ok(1)\n", "AC"),
    # A handle equals only itself: the same object twice is equal, a lookalike is not.
    ("class K:\n    pass\nk = K()\ndef same():\n    return k\n", "assert same() == same()\n", "AC"),
    ("def f():\n    return [1, object()]\n", "assert f() == [1, 2]\n", "WA"),
    # A test exception the solution raises at import time is the solution's.
    ("raise AssertionError('at import')\ndef f(): pass\n", "assert f() is None\n", "WA"),
    ("def f(:\n", "assert f() is None\n", "CE"),
])
def test_assert_through_the_test_process(pool, code, test, verdict):
    result = judge(pool, code, [(test, "")], kind="assert", time_limit_s=1.0)
    assert verdicts(result) == [verdict], result["message"].tolist()


def test_assert_test_code_defines_helpers_and_sees_solution_names(pool):
    # HumanEval's shape: a check function taking the candidate, called with its name.
    test = ("METADATA = {}\n\ndef check(candidate):\n    assert candidate([1, 2]) == 3\n"
            "    assert candidate([]) == 0\n\ncheck(total)\n")
    assert verdicts(judge(pool, "def total(xs):\n    return sum(xs)\n", [(test, "")],
                          kind="assert")) == ["AC"]
    assert verdicts(judge(pool, "def total(xs):\n    return len(xs)\n", [(test, "")],
                          kind="assert")) == ["WA"]


def test_a_record_without_the_secret_is_not_believed(pool):
    # The supervisor checks the secret: a record of the right shape written by the
    # candidate on the only descriptor it holds (the test process's reply pipe) is garbled.
    code = "import os\nos.write(3, b'{\"status\": \"completed\"}')\ndef f():\n    return 1\n"
    out = pool.run(Program(code, mode="assert", call="assert f() == 2\n"), Limits())
    assert out.record.kind is RecordKind.GARBLED, out.record


# ------------------------------------------------------------------------- pure pieces

def test_records_are_parsed_defensively():
    assert records.parse(b"") is None
    for raw in (b"[1]", b'"completed"', b"{\"status\": 7}", b"\xff{", b"1" * 6000, b"[" * 100000):
        assert records.parse(raw).kind is RecordKind.GARBLED, raw[:20]
    big = records.parse(b'{"status": "returned", "value": "1", "exit_code": ' + b"9" * 5000 + b"}")
    assert big == Record(RecordKind.RETURNED, value="1", exit_code=1)
    assert records.parse(b'{"status": "completed", "nonce": "x"}', nonce="y").kind is RecordKind.GARBLED
    # Only a compiled harness's run makes a values record; bytes saying so are garbled.
    assert records.parse(b'{"status": "values", "values": ["1"]}').kind is RecordKind.GARBLED
    assert records.loads("1" + "0" * 5000) == records.loads("1" + "0" * 5000)
    assert records.loads("1" + "0" * 5000) != records.loads("1" + "0" * 4999 + "1")


def test_wire_round_trips_data_and_refuses_other_objects():
    import collections

    value = [None, True, 1 << 100, 1.5, float("inf"), "s\ud800", (1, [2]), {(1, 2): {3}},
             frozenset({4}), b"\x00\xff", bytearray(b"a"), 1 - 2j, range(1, 9, 2),
             collections.OrderedDict(a=1), collections.Counter("ab"),
             collections.defaultdict(list, {1: [2]}), collections.deque([1], 3)]
    back = wire.decode(wire.encode(value, None), None)
    assert back == value and [type(v) for v in back] == [type(v) for v in value]
    assert back[-2].default_factory is list and back[-1].maxlen == 3

    class Sneaky(int):
        pass

    with pytest.raises(wire.NotPlain):
        wire.encode(Sneaky(1), None)
    assert wire.encode([Sneaky(1)], lambda o: 7) == [{"$": "h", "i": 7}]   # element by element
    for bad in ({"$": "nope"}, {"$": "nt", "n": "x y", "f": [], "v": []}, {"$": "dd", "f": "os", "v": []},
                {"$": "h", "i": 1}, {"$": "F", "v": [1, 0]}, {"$": "d", "v": [[1]]}):
        with pytest.raises(wire.Broken):
            wire.decode(bad, None)


def test_only_pure_builtins_and_modules_cross_by_name():
    # What crosses by name runs in the test process, beside the secret (hostile #91, #92).
    import builtins
    import math

    assert wire.decode(wire.encode([len, sorted, int, ValueError, math], None), None) == [
        len, sorted, int, ValueError, math]
    for name in ("breakpoint", "exec", "eval", "open", "getattr", "globals", "input", "print"):
        assert wire.encode(getattr(builtins, name), lambda o: 7) == {"$": "h", "i": 7}
        with pytest.raises(wire.Broken):
            wire.decode({"$": "B", "n": name}, None)
    for module in ("os", "sys", "pdb", "unittest.__main__", "typing", "importlib"):
        with pytest.raises(wire.Broken):
            wire.decode({"$": "m", "n": module}, None)
    with pytest.raises(wire.Broken):
        wire.decode({"$": "m", "n": ["math"]}, None)


def test_the_disk_cache_of_builds_keeps_to_its_budget(tmp_path):
    from pipeline.sandbox.build import Build, Builds

    builds = Builds(cache_dir=tmp_path, disk_bytes=10_000)
    for i in range(20):
        builds._store(Build(f"{i:02d}" + "0" * 62, files={"main": b"x" * 1000}))
    kept = sorted(p.name[:2] for p in tmp_path.glob("*/*"))
    assert sum(p.stat().st_size for p in tmp_path.glob("*/*")) <= 10_000
    assert kept and kept[-1] == "19"            # the newest stay


def test_float_judge_reads_ascii_numbers_and_big_integers_exactly():
    from judges import get

    f = get("float:1e-6")
    assert f.check("1" + "0" * 5000, "+" + "1" + "0" * 5000)[0]
    assert not f.check("1" + "0" * 5000, "1" + "0" * 4999 + "1")[0]
    assert not f.check(str(10 ** 400), "2e400")[0] and f.check(str(10 ** 400), "1e400")[0]
    assert not f.check("\u0664\u0662", "42")[0] and not f.check("4_2", "42")[0]
    assert not f.check("\uff14\uff12.0", "42")[0] and f.check("42.0000001", "42")[0]


def test_tle_message_never_reads_under_the_limit():
    import signal

    from judges import decide, get
    from pipeline.sandbox.values import Outcome, Status

    o = Outcome(status=Status.EXITED, signal=signal.SIGXCPU, cpu_s=1.94)
    verdict, message = decide("stdio", o, cpu_limit_s=2.0, expected="", comparator=get("lines"))
    assert verdict.value == "TLE" and message == "killed at the cpu time limit 2 s"


# ------------------------------------------------------------------------ isolation

def test_isolation_none_as_root_refuses_an_unreadable_interpreter(monkeypatch):
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp())
    try:
        base.chmod(0o755)
        home = base / "home"
        (home / "lib").mkdir(parents=True)
        home.chmod(0o700)
        assert isolation.unreadable_for_others(home / "lib") == home
        home.chmod(0o755)
        assert isolation.unreadable_for_others(home / "lib") is None
    finally:
        shutil.rmtree(base)
    why = isolation.unavailable("none")
    blocked = isolation.unreadable_for_others(Path(os.path.realpath(sys.base_prefix)))
    if os.geteuid() == 0 and blocked is not None:
        assert why is not None and str(blocked) in why
        monkeypatch.setenv("CI", "false")       # CI refuses ``none`` before this check
        with pytest.raises(SandboxError, match="cannot enter"):
            SlotPool(1, isolation="none").start()
    else:
        assert why is None


STDLIB = ("glob", "socket", "hashlib", "sqlite3", "csv", "pathlib", "subprocess", "uuid",
          "zlib", "struct", "base64", "secrets", "bisect", "email", "xml.dom.minidom")


def test_standard_modules_import_while_the_host_is_busy(tmp_path):
    """Slots started and used while other processes load the host (CPU and file churn,
    as package installs do): every slot comes up at the available level and every
    standard module imports. A start that fell back below it once made this RE."""
    level = isolation.candidates("auto")[0]
    churn = ("import os, shutil, sys\nd = sys.argv[1]\nwhile True:\n"
             "    os.makedirs(d, exist_ok=True)\n    [open(f'{d}/{i}', 'w').write('x' * 4096) for i in range(200)]\n"
             "    shutil.rmtree(d)\n")
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    hogs.append(subprocess.Popen([sys.executable, "-c", churn, str(tmp_path / "churn")]))
    code = "".join(f"import {m}\n" for m in STDLIB) + "print('ok')\n"
    try:
        for _ in range(3):
            with SlotPool(2, isolation="auto") as pool:
                assert pool.level == level
                results = []

                def run():
                    results.extend(pool.run_batch([Program(code)] * 20, [Limits(cpu_s=5)] * 20))

                threads = [threading.Thread(target=run) for _ in range(2)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert len(results) == 40
                bad = [o for o in results if o.stdout != b"ok\n"]
                assert not bad, bad[0].stderr[-500:]
    finally:
        for h in hogs:
            h.kill()
            h.wait()


def test_builtin_names_cross_by_name_and_the_entry_point_may_shadow_one(pool):
    # MBPP 533 passes a builtin type; MBPP 126's entry point is named ``sum``.
    code = ("def remove_datatype(t, kind):\n    return [e for e in t if not isinstance(e, kind)]\n"
            "def apply(f, x):\n    return f(x), f\n")
    test = ("assert remove_datatype((4, 7.7, 'a'), int) == [7.7, 'a']\n"
            "assert apply(len, [1, 2]) == (2, len)\n")
    assert verdicts(judge(pool, code, [(test, "")], kind="assert",
                          entry_point="remove_datatype")) == ["AC"]
    code = "def sum(a, b):\n    return a * b\n"
    assert verdicts(judge(pool, code, [("assert sum(3, 4) == 12\n", "")], kind="assert",
                          entry_point="sum")) == ["AC"]
    # Any other builtin a solution redefines is still the real one for the test.
    code = "def abs(x):\n    return 0\ndef f(x):\n    return x\n"
    assert verdicts(judge(pool, code, [("assert abs(f(3) - 4) < 1e-9\n", "")], kind="assert",
                          entry_point="f")) == ["WA"]
