"""Special judges: the checker contracts, run in a real sandbox, and through the pipeline."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from conftest import ROOT
from judges import JudgeSpecError, Verdict, get
from judges.checker import limits
from pipeline import score

CHECKERS = ROOT / "data" / "checkers"

# A testlib-order checker: tokens of OUTPUT must equal tokens of ANSWER.
TOKENS = "import sys\na, b = (open(p).read().split() for p in sys.argv[2:4])\nsys.exit(0 if a == b else 1)\n"


def judge(pool, spec, source, items, limit=None):
    return get(spec).judge(pool.run_batch, source, items, limit)


@pytest.mark.parametrize("source,verdict,needle", [
    (TOKENS, Verdict.AC, ""),
    ("import sys; print('1st token differs', file=sys.stderr); sys.exit(1)", Verdict.WA, "1st token differs"),
    ("import sys; sys.exit(2)", Verdict.WA, "presentation"),
    ("import os; os._exit(1)", Verdict.WA, "exit code 1"),
    ("import sys; print('bad answer file', file=sys.stderr); sys.exit(3)", Verdict.SE, "testlib FAIL"),
    ("import sys; sys.exit(7)", Verdict.SE, "exit code 7"),
    ("raise KeyError('boom')", Verdict.SE, "checker crashed: KeyError"),
    ("1 = 1", Verdict.SE, "checker does not compile"),
    ("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", Verdict.SE, "signal 11"),
    ("while True: pass", Verdict.SE, "over its limit|checker hung"),   # CPU, or wall on a busy host
    ("import time; time.sleep(60)", Verdict.SE, "checker hung"),
    ("print('x' * (4 << 20))", Verdict.SE, "output cap"),
    ("b = bytearray(2 << 30)", Verdict.SE, "checker crashed: MemoryError"),
])
def test_testlib_contract_exit_codes_and_failures(pool, source, verdict, needle):
    [(got, message)] = judge(pool, "checker", source, [("", b"1 2\n", "1 2")],
                             limits(time_limit_s=1, memory_limit_mb=256))
    assert got is verdict and re.search(needle, message)
    assert got is not Verdict.AC or source == TOKENS       # a broken checker never passes


def test_checker_sees_its_files_in_contract_order(pool):
    # Print which role each argv slot holds; the verdict message carries it back.
    source = ("import sys\nprint(' '.join(open(p).read() for p in sys.argv[1:]), file=sys.stderr)\n"
              "sys.exit(1)\n")
    items = [("IN", b"OUT", "ANS")]
    assert judge(pool, "checker", source, items)[0][1].endswith("IN OUT ANS")
    cms = source.replace("sys.exit(1)", "print(0)")
    assert judge(pool, "checker:cms", cms, items)[0][1].endswith("IN ANS OUT")
    assert judge(pool, "checker:openr1", cms, items)[0][1].endswith("IN ANS OUT")


def test_checker_runs_with_files_only_readable(pool):
    source = "import sys\nopen(sys.argv[3], 'w').write('1 2')\n"
    [(v, message)] = judge(pool, "checker", source, [("", b"x", "1 2")])
    assert v is Verdict.SE and "PermissionError" in message


@pytest.mark.parametrize("spec,stdout,verdict", [
    ("checker:cms", "1", Verdict.AC), ("checker:cms", "1.0\n", Verdict.AC),
    ("checker:cms", "0.5", Verdict.WA), ("checker:cms", "0", Verdict.WA),
    ("checker:cms", "", Verdict.SE), ("checker:cms", "ok", Verdict.SE),
    ("checker:cms", "1.5", Verdict.SE), ("checker:cms", "nan", Verdict.SE),
    ("checker:openr1", "1", Verdict.AC), ("checker:openr1", "100", Verdict.AC),
    ("checker:openr1", "0", Verdict.WA), ("checker:openr1", "1.0", Verdict.WA),
    ("checker:openr1", "", Verdict.SE), ("checker:openr1", "yes", Verdict.SE),
])
def test_score_contracts(pool, spec, stdout, verdict):
    source = f"print({stdout!r}, end='')"
    assert judge(pool, spec, source, [("", b"", "")])[0][0] is verdict
    crash = judge(pool, spec, f"print({stdout!r}); raise SystemExit(4)", [("", b"", "")])
    assert crash[0][0] is Verdict.SE                         # non-zero exit is never a score


def test_checker_specs():
    assert get("checker").spec == "checker" and get("checker:cms").spec == "checker:cms"
    with pytest.raises(JudgeSpecError, match="testlib, cms, openr1"):
        get("checker:ioi")
    with pytest.raises(TypeError):
        get("checker").check("a", "a")


def test_checker_column_is_required_and_stdio_only():
    from pipeline.config import Config, ConfigError
    from pipeline.io import InputError, read_problems
    t = [{"input": "", "output": ""}]
    with pytest.raises(InputError, match=r"row 0 \(problem_id 'a'\), column 'checker': is missing"):
        read_problems([{"problem_id": "a", "kind": "stdio", "judge": "checker", "tests": t}])
    with pytest.raises(InputError, match="column 'judge': a checker judges stdio problems only"):
        read_problems([{"problem_id": "a", "kind": "function", "entry_point": "f", "judge": "checker",
                        "checker": "pass", "tests": [{"input": "[]", "output": "1"}]}])
    with pytest.raises(ConfigError, match="cannot be the default"):
        Config.load(overrides={"judge": "checker"})


# ----------------------------------------------------------------------- through the pipeline

def _tables():
    problems = pd.read_json(CHECKERS / "problems.jsonl", lines=True)
    solutions = pd.read_json(CHECKERS / "solutions.jsonl", lines=True)
    return problems, solutions


@pytest.fixture(scope="module")
def with_checkers(client):
    problems, solutions = _tables()
    return score(problems, solutions, client=client)


def test_multiple_answer_and_float_problems_are_judged_right_by_their_checkers(with_checkers):
    s = with_checkers.solutions
    wrong = s[s["verdict"].astype(str) != s["expected_verdict"].astype(str)]
    assert wrong.empty, wrong[["problem_id", "solution_id", "verdict", "expected_verdict"]]
    assert with_checkers.complete
    assert set(s["verdict"].astype(str)) == {"AC", "WA"}
    t = with_checkers.tests
    assert t[t["verdict"] == "WA"]["message"].str.startswith("checker").all()


def test_the_same_problems_fail_correct_solutions_under_exact_matching(client, with_checkers):
    problems, solutions = _tables()
    plain = problems.assign(judge=None, checker=None)
    exact = score(plain, solutions, client=client, config={"judge": "lines"})
    by = exact.solutions.set_index("solution_id")["verdict"].astype(str)
    # Correct references whose output differs from the expected output: AC with the checker,
    # WA when matched against the one expected output.
    for sid in ("reference_last_pair", "reversed_indices", "reference_full_precision",
                "reference_scientific", "reference_descending", "one_per_line"):
        assert by[sid] == "WA", sid
        assert with_checkers.solutions.set_index("solution_id")["verdict"].astype(str)[sid] == "AC"
    assert by["first_pair"] == "AC"          # the one that prints exactly the expected output


def test_candidate_never_sees_the_expected_output(client):
    problems, _ = _tables()
    snoop = ("import os, glob\nfound = [p for d in ('/sb', '/tmp', '..') for p in\n"
             "         glob.glob(d + '/**/answer.txt', recursive=True)]\n"
             "print(1 if found or os.listdir('.') else 0)\n")
    sols = pd.DataFrame([{"problem_id": "circle_area", "solution_id": "snoop", "code": snoop}])
    r = score(problems.iloc[[1]], sols, client=client)
    # Scratch is empty and no answer file is reachable: it prints 0, which the checker
    # rejects against the real areas (a leak would print 1, also WA, but the message says which).
    assert (r.tests["verdict"] == "WA").all()
    assert r.tests["message"].str.contains("got 0$").all(), r.tests["message"].tolist()


def test_checker_failure_is_se_through_the_pipeline(client):
    problems, solutions = _tables()
    hung = problems.iloc[[1]].assign(checker="import time\ntime.sleep(30)\n")
    r = score(hung, solutions[solutions["solution_id"] == "reference_full_precision"],
              client=client, config={"checker_time_limit_s": 0.5, "early_exit": True})
    assert r.tests["verdict"].tolist() == ["SE", "SKIP", "SKIP", "SKIP"]
    assert "checker hung" in r.tests["message"][0]
    assert not r.complete and r.solutions["accepted"].isna().all()


# ----------------------------------------------------------------------- C++ checkers

CPP_TOKENS = r"""#include <fstream>
#include <iostream>
#include <string>
#include <vector>
int main(int argc, char** argv) {
  if (argc < 4) return 3;
  std::ifstream out(argv[2]), ans(argv[3]);
  std::vector<std::string> a, b;
  std::string s;
  while (out >> s) a.push_back(s);
  while (ans >> s) b.push_back(s);
  if (a.size() != b.size()) { std::cerr << "expected " << b.size() << " tokens\n"; return 1; }
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) { std::cerr << "token " << i + 1 << " differs\n"; return 1; }
  if (a.empty()) *(volatile int*)nullptr = 1;      // crash on an empty answer
  return 0;
}
"""


def test_cpp_checker_is_compiled_once_and_run_in_the_sandbox(pool):
    from pipeline.sandbox import build, languages
    items = [("", b"1 2\n", "1  2"), ("", b"1 3", "1 2"), ("", b"1", "1 2"), ("", b"", "")]
    cpp = languages.get("cpp")
    key = build.key(cpp, cpp.source(CPP_TOKENS, "script", ""),
                    cpp.compile_commands(languages.pch_for(cpp, pool.level)))
    got = judge(pool, "checker", CPP_TOKENS, items)
    assert [v for v, _ in got] == [Verdict.AC, Verdict.WA, Verdict.WA, Verdict.SE]
    assert "token 2 differs" in got[1][1] and "signal 11" in got[3][1]
    stats = dict(build.BUILDS.stats[key])
    assert stats["compiled"] + stats["disk"] == 1         # compiled, or found on disk, once
    assert judge(pool, "checker", CPP_TOKENS, items[:1])[0][0] is Verdict.AC  # cached binary
    assert build.BUILDS.stats[key] == dict(stats, memory=stats["memory"] + 1)


def test_cpp_checker_through_the_pipeline(client):
    problems, solutions = _tables()
    cpp = problems.iloc[[1]].assign(checker=CPP_TOKENS)        # exact tokens, in C++
    sols = pd.DataFrame([
        {"problem_id": "circle_area", "solution_id": "six_decimals",
         "code": "import math\nr = float(input())\nprint(f'{math.pi * r * r:.6f}')\n"},
        {"problem_id": "circle_area", "solution_id": "pi_is_3_14",
         "code": "r = float(input())\nprint(f'{3.14 * r * r:.6f}')\n"}])
    r = score(cpp, sols, client=client)
    assert r.solutions.set_index("solution_id")["verdict"].astype(str).to_dict() == {
        "six_decimals": "AC", "pi_is_3_14": "WA"}


def test_cpp_checker_that_does_not_compile_is_se(pool):
    got = judge(pool, "checker", "#include <cstdio>\nint main( { return 0; }\n",
                [("", b"1", "1"), ("", b"2", "1")])
    assert all(v is Verdict.SE and "does not compile" in m and "error" in m for v, m in got)
