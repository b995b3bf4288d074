"""Interactive problems: a program and its interactor in real sandboxes, judged as the
pipeline judges them (expand, execute, the interactor's verdict), and through ``score``."""

from __future__ import annotations

import json
import os
from dataclasses import replace

import pandas as pd
import pytest

from conftest import SAMPLE, in_ci
from pipeline import datasets, execute, expand, io, score
from pipeline.config import Config
from pipeline.sandbox import Interactor, Limits, Program, Status
from pipeline.sandbox.interactive import PEER_KEY

# A guessing game: INPUT holds "n x"; the interactor tells n, answers each guess with <, >
# or =, and decides: 0 found, 1 not found in 30 guesses or the program left, 2 malformed.
GUESS = '''import sys
n, x = map(int, open(sys.argv[1]).read().split())
out = open(sys.argv[2], "w")
print(n, flush=True)
for asked in range(1, 31):
    line = sys.stdin.readline()
    if not line:
        out.write(f"the program left after {asked - 1} guesses")
        sys.exit(1)
    if not line.strip().isdigit():
        out.write(f"guess {asked} is not a number: {line.strip()[:20]!r}")
        sys.exit(2)
    guess = int(line)
    if guess == x:
        print("=", flush=True)
        out.write(f"found in {asked}")
        sys.exit(0)
    print("<" if x < guess else ">", flush=True)
out.write("30 guesses")
sys.exit(1)
'''
GUESS_CPP = r'''#include <cstdio>
#include <fstream>
int main(int argc, char** argv) {
  std::ifstream in(argv[1]);
  long long n, x;
  in >> n >> x;
  FILE* out = std::fopen(argv[2], "w");
  std::printf("%lld\n", n);
  std::fflush(stdout);
  for (int asked = 1; asked <= 30; ++asked) {
    long long guess;
    if (std::scanf("%lld", &guess) != 1) { std::fprintf(out, "no guess"); return 1; }
    if (guess == x) {
      std::printf("=\n");
      std::fflush(stdout);
      std::fprintf(out, "found in %d", asked);
      return 0;
    }
    std::printf(x < guess ? "<\n" : ">\n");
    std::fflush(stdout);
  }
  std::fprintf(out, "30 guesses");
  return 1;
}
'''
SEARCH = '''import sys
n = int(input())
lo, hi = 1, n
while True:
    guess = (lo + hi) // 2
    print(guess, flush=True)
    answer = sys.stdin.readline().strip()
    if answer in ("=", ""):
        break
    if answer == "<":
        hi = guess - 1
    else:
        lo = guess + 1
'''
SEARCH_CPP = r'''#include <iostream>
#include <string>
int main() {
  long long n;
  std::cin >> n;
  long long lo = 1, hi = n;
  while (true) {
    long long guess = (lo + hi) / 2;
    std::cout << guess << std::endl;          // endl flushes
    std::string answer;
    if (!(std::cin >> answer) || answer == "=") break;
    if (answer == "<") hi = guess - 1; else lo = guess + 1;
  }
}
'''
INPUTS = ["100 42\n", "1000 1\n", "1000000 999999\n"]


def judge(pool, code, interactor=GUESS, inputs=INPUTS, *, language="python",
          interactor_language=None, outputs=None, time_limit_s=1.0, **config):
    """Each test's (verdict, score, message), judged as the pipeline judges them."""
    problem = {"problem_id": "p", "kind": "interactive", "interactor": interactor,
               "interactor_language": interactor_language, "time_limit_s": time_limit_s,
               "tests": [{"input": i, "output": (outputs or {}).get(k, "")}
                         for k, i in enumerate(inputs)]}
    cfg = Config.load(overrides=config)
    problems = io.read_problems([problem])
    solutions = io.read_solutions([{"problem_id": "p", "solution_id": "s", "code": code,
                                    "language": language}], problems)
    rows = expand.expand_partition(solutions.to_pandas(), expand.resolve(problems, cfg))
    t = execute.execute_partition(rows, pool.run_batch, cfg)
    return [(str(v), None if pd.isna(s) else float(s), m)
            for v, s, m in zip(t["verdict"], t["score"], t["message"])]


def verdicts(results):
    return [v for v, _, _ in results]


def leftovers(pool) -> list:
    """Processes of any slot's two uids, and anything left in a slot's scratch tmpfs."""
    found = []
    for slot in pool.slots:
        uids = {slot.info()["uid"], slot.info()["peer_uid"]}
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    if os.stat(f"/proc/{name}").st_uid in uids:
                        found.append(("process", name))
                except FileNotFoundError:
                    pass
        if slot.level in ("full", "rootless"):
            found += [("scratch", n) for n in os.listdir(f"/proc/{slot.runner_pid}/root/sb")]
    return found


# --------------------------------------------------------------------------- verdicts

def test_right_program_is_ac_and_a_wrong_one_wa(pool):
    assert verdicts(judge(pool, SEARCH)) == ["AC", "AC", "AC"]
    wrong = SEARCH.replace('if answer == "<"', 'if answer == ">"')     # searches the wrong way
    got = judge(pool, wrong)
    assert verdicts(got) == ["WA", "WA", "WA"]
    assert all(m == "interactor: 30 guesses" for _, _, m in got)
    assert [s for _, s, _ in got] == [0.0, 0.0, 0.0]


def test_each_test_has_its_own_input(pool):
    # Guessing test 0's number everywhere is right on test 0 only.
    got = judge(pool, "input()\nprint(42, flush=True)\ninput()\n")
    assert verdicts(got) == ["AC", "WA", "WA"]


@pytest.mark.parametrize("code,needle", [
    ("n = input()\nn = input()\n", "idle"),                      # waits on the pipe for nothing
    ("import sys\nn = int(input())\nsys.stdout.write(f'{n // 2}\\n')\nsys.stdin.readline()\n",
     "idle"),                                                    # never flushes its question
    ("import time\ntime.sleep(60)\n", "did not read what the interactor wrote"),
    ("input()\nwhile True:\n    pass\n", "cpu time|killed at the cpu time limit|still running"),
])
def test_a_hanging_program_is_tle(pool, code, needle):
    import re
    got = judge(pool, code, inputs=INPUTS[:1], time_limit_s=0.5)
    assert verdicts(got) == ["TLE"] and re.search(needle, got[0][2]), got
    assert leftovers(pool) == []


@pytest.mark.parametrize("code", [
    # Writes without reading: the interactor rejects it and ends; the rest is drained.
    "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n",
    # Floods numbers the interactor keeps reading until its 30 guesses are used up.
    "import sys\nwhile True:\n    sys.stdout.write('1\\n' * 10000)\n",
])
def test_a_program_flooding_the_pipe_fails_and_leaves_nothing(pool, code):
    got = judge(pool, code, inputs=INPUTS[:1], time_limit_s=1.0)
    assert verdicts(got)[0] in ("TLE", "OLE", "WA"), got
    assert leftovers(pool) == []
    assert verdicts(judge(pool, SEARCH, inputs=INPUTS[:1])) == ["AC"]    # the runner serves on


def test_an_interactor_reading_a_flood_to_its_end_costs_the_program_its_time(pool):
    drinker = "import sys\nfor line in sys.stdin:\n    pass\nsys.exit(1)\n"
    got = judge(pool, "import sys\nwhile True:\n    sys.stdout.write('1\\n' * 10000)\n",
                interactor=drinker, inputs=INPUTS[:1], time_limit_s=0.5)
    assert verdicts(got)[0] in ("TLE", "OLE"), got
    assert leftovers(pool) == []


def test_a_program_that_exits_early_is_wa(pool):
    got = judge(pool, "n = int(input())\nprint(n // 2, flush=True)\n")
    assert verdicts(got) == ["WA", "WA", "WA"]
    assert got[0][2] == "interactor: the program left after 1 guesses"


def test_crashing_program_is_re_even_when_the_interactor_then_fails(pool):
    # The interactor crashes on what the program left behind: the program's RE comes first.
    fragile = "import time\nprint(5, flush=True)\ntime.sleep(0.2)\nint(input())\n"
    got = judge(pool, "input()\nprint('oops', flush=True)\nraise SystemExit(3)\n",
                interactor=fragile, inputs=INPUTS[:1])
    assert verdicts(got) == ["RE"]


def test_after_the_interactor_decided_the_program_cannot_change_the_verdict(pool):
    decides_wa = "import sys\nsys.exit(1)\n"
    talks_on = "import time\ntime.sleep(0.2)\nprint(42, flush=True)\nprint('=' * 100000)\n"
    assert verdicts(judge(pool, talks_on, interactor=decides_wa, inputs=INPUTS[:1])) == ["WA"]
    late_ac = SEARCH + "print('=' * 100000)\n"
    # What it writes after an AC is read and dropped: no broken pipe, no RE, still AC.
    assert verdicts(judge(pool, late_ac, inputs=INPUTS[:1])) == ["AC"]
    # Its own end still counts, as for any program.
    assert verdicts(judge(pool, SEARCH + "raise SystemExit(4)\n", inputs=INPUTS[:1])) == ["RE"]
    assert verdicts(judge(pool, SEARCH + "while True:\n    pass\n", inputs=INPUTS[:1],
                          time_limit_s=0.5)) == ["TLE"]


def test_syntax_error_is_ce(pool):
    assert verdicts(judge(pool, "n = int(input(\n", inputs=INPUTS[:1])) == ["CE"]


# --------------------------------------------------------------------------- the interactor

@pytest.mark.parametrize("interactor,needle", [
    ("print(5, flush=True)\ninput()\nraise KeyError('its own bug')\n",
     "interactor crashed: KeyError"),
    ("print(5, flush=True)\nint(input()) + 'x'\n", "interactor crashed: TypeError"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", "signal 11"),
    ("import sys\nprint('bad input file', file=sys.stderr)\nsys.exit(3)\n", "FAIL"),
    ("import sys\nsys.exit(5)\n", "exit code 5"),
    ("import sys\nsys.exit(7)\n", "no score"),
    ("import sys\nprint('points 1.5', file=sys.stderr)\nsys.exit(7)\n", "no score"),
    ("def broken(:\n", "does not compile"),
    ("#include <cstdio>\nint main() { std::printf(\"5\\n\"); std::fflush(stdout);"
     " return *(volatile int*)nullptr; }\n", "signal 11"),
    ("#include <cstdio>\nint main( {}\n", "does not compile"),
])
def test_an_interactor_that_crashes_is_se(pool, interactor, needle):
    got = judge(pool, SEARCH, interactor=interactor, inputs=INPUTS[:1])
    assert verdicts(got) == ["SE"] and needle in got[0][2], got
    assert got[0][1] is None                                   # SE has no score


def test_an_interactor_that_crashes_at_the_end_of_its_input_blames_the_program(pool):
    # input() at EOF raises EOFError: only the program, by leaving early, can cause it.
    careless = "print(5, flush=True)\nfor _ in range(3):\n    input()\n"
    got = judge(pool, "input()\nprint(1, flush=True)\n", interactor=careless, inputs=INPUTS[:1])
    assert verdicts(got) == ["WA"] and "EOFError" in got[0][2]


TELLS_AND_LEAVES = "n = int(input())\nprint(n, flush=True)\n"
TELLS_AND_WAITS = "n = int(input())\nprint(n, flush=True)\ninput()\n"


@pytest.mark.parametrize("interactor,program,needle", [
    ("print(5, flush=True)\nwhile True:\n    pass\n", TELLS_AND_LEAVES,
     "cpu time|did not end|still computing"),                                 # CPU
    ("b = bytearray(3 << 30)\n", TELLS_AND_WAITS, "out of memory"),          # memory
    ("import sys\nwhile True:\n    sys.stderr.write('x' * 65536)\n", TELLS_AND_WAITS,
     "stderr passed its cap"),
    # Hangs once the program has ended: its own hang.
    ("import sys, time\nprint(5, flush=True)\nsys.stdin.read()\ntime.sleep(60)\n",
     TELLS_AND_LEAVES, "did not end"),
    # Never reads the program's answer: its own hang, not the program's idleness.
    ("import time\nprint(5, flush=True)\ntime.sleep(60)\n", TELLS_AND_WAITS, "did not read"),
])
def test_an_interactor_over_its_limits_is_se(pool, interactor, program, needle):
    import re
    got = judge(pool, program, interactor=interactor, inputs=INPUTS[:1], time_limit_s=1.0,
                checker_time_limit_s=1.0, checker_memory_limit_mb=256)
    assert verdicts(got) == ["SE"] and re.search(needle, got[0][2]), got
    assert leftovers(pool) == []


@pytest.mark.parametrize("interactor,verdict,points", [
    ("import sys\nopen(sys.argv[2], 'w').write('0.25 three of twelve')\nsys.exit(7)\n",
     "WA", 0.25),
    ("import sys\nprint('points 0.75 nearly', file=sys.stderr)\nsys.exit(7)\n", "WA", 0.75),
    ("import sys\nopen(sys.argv[2], 'w').write('1')\nsys.exit(7)\n", "AC", 1.0),
    ("import sys\nopen(sys.argv[2], 'w').write('0 nothing')\nsys.exit(7)\n", "WA", 0.0),
])
def test_exit_code_7_gives_points(pool, interactor, verdict, points):
    got = judge(pool, "pass\n", interactor=interactor, inputs=INPUTS[:1])
    assert got[0][:2] == (verdict, points), got


def test_the_interactor_gets_its_files_and_the_answer_when_there_is_one(pool):
    # INPUT OUTPUT [ANSWER], each a file of its own scratch; OUTPUT starts empty.
    show = ("import os, sys\nfiles = [os.path.basename(a) for a in sys.argv[1:]]\n"
            "data = [open(a).read() for a in sys.argv[1:]]\n"
            "sys.stderr.write(repr((files, data, sorted(os.listdir('.')))))\nsys.exit(1)\n")
    got = judge(pool, "pass\n", interactor=show, inputs=["7 3\n", "8 4\n"], outputs={1: "yes"})
    assert got[0][2].endswith("(['input.txt', 'output.txt'], ['7 3\\n', ''], "
                              "['input.txt', 'output.txt'])"), got
    assert got[1][2].endswith("(['input.txt', 'output.txt', 'answer.txt'], ['8 4\\n', '', "
                              "'yes'], ['answer.txt', 'input.txt', 'output.txt'])"), got


def test_cpu_is_each_sides_own(pool):
    busy = ("import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3:\n"
            "    pass\nprint(5, flush=True)\nimport sys\nsys.exit(0 if input() == '25' else 1)\n")
    peer = Interactor(busy, files={"input.txt": b""}, argv=("input.txt", "output.txt"),
                      limits=Limits(cpu_s=2))
    o = pool.run(Program("print(int(input()) ** 2, flush=True)", interactor=peer), Limits())
    assert (o.status, o.exit_code, o.interactor.exit_code) == (Status.EXITED, 0, 0)
    assert o.interactor.cpu_s >= 0.3 > o.cpu_s


# --------------------------------------------------------------------------- languages

def test_cpp_program_with_a_python_interactor(pool):
    assert verdicts(judge(pool, SEARCH_CPP, language="cpp")) == ["AC", "AC", "AC"]
    wrong = SEARCH_CPP.replace('answer == "<"', 'answer == ">"')
    assert verdicts(judge(pool, wrong, language="cpp")) == ["WA", "WA", "WA"]


def test_python_program_with_a_cpp_interactor(pool):
    got = judge(pool, SEARCH, interactor=GUESS_CPP, interactor_language="cpp")
    assert verdicts(got) == ["AC", "AC", "AC"]
    got = judge(pool, "n = input()\nprint(1, flush=True)\n", interactor=GUESS_CPP,
                interactor_language="cpp")
    assert verdicts(got) == ["WA", "AC", "WA"] and got[0][2] == "interactor: no guess"


JS_SEARCH = r'''
const rl = require("readline").createInterface({input: process.stdin});
let lo = 1, hi = 0, guess = 0, first = true;
rl.on("line", (line) => {
  if (first) { first = false; hi = parseInt(line); }
  else if (line === "=") { rl.close(); return; }
  else if (line === "<") hi = guess - 1; else lo = guess + 1;
  guess = Math.floor((lo + hi) / 2);
  process.stdout.write(guess + "\n");
});
'''
JAVA_SEARCH = r'''
import java.io.*;
public class Main {
  public static void main(String[] a) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    long n = Long.parseLong(in.readLine().trim()), lo = 1, hi = n;
    while (true) {
      long g = (lo + hi) / 2;
      System.out.println(g);
      System.out.flush();
      String r = in.readLine();
      if (r == null || r.equals("=")) break;
      if (r.equals("<")) hi = g - 1; else lo = g + 1;
    }
  }
}
'''


@pytest.mark.parametrize("language,code", [("javascript", JS_SEARCH), ("java", JAVA_SEARCH)])
def test_other_languages_talk_to_an_interactor(pool, language, code):
    assert verdicts(judge(pool, code, language=language, time_limit_s=2.0)) == ["AC"] * 3


def test_cpp_program_with_a_cpp_interactor(pool):
    assert verdicts(judge(pool, SEARCH_CPP, language="cpp", interactor=GUESS_CPP,
                          interactor_language="cpp")) == ["AC", "AC", "AC"]


def _peek(keys: list[str], out: str) -> str:
    """A program that tries to list, read and run each of these builds (``/builds`` itself
    cannot be listed: the keys are handed in), printing how each look ended to ``out``."""
    return (f"import os, subprocess, sys\nfor key in {keys!r}:\n"
            "    folder = '/builds/' + key\n"
            "    for look in (lambda: os.listdir(folder), lambda: open(folder + '/main', 'rb').read(1),\n"
            "                 lambda: subprocess.run([folder + '/main'], input=b'', capture_output=True,\n"
            "                                timeout=1)):\n"
            "        try:\n            look()\n"
            f"            print('ran', key, file={out})\n"
            "        except OSError as e:\n"
            f"            print(type(e).__name__, key, file={out})\n")


def test_a_compiled_interactor_is_readable_by_its_own_uid_only(pool):
    for _ in pool.slots:        # both slots, so that each has installed the interactor
        with pool.slot() as slot:
            got, error = slot.run_batch(*_guess_batch())
            assert error is None and got[0].interactor.exit_code == 0
            keys = [k for k in slot._installed if k.startswith(PEER_KEY)]
            assert keys
            denied = [f"PermissionError {k}" for k in keys for _ in range(3)]
            # After its tests, from a program of another problem ...
            o = slot.run(Program(_peek(keys, "sys.stdout")), Limits())
            assert o.stdout.decode().splitlines() == denied
            # ... and during them, from the program talking to it, while it runs its build.
            programs, limits = _guess_batch()
            programs = [replace(programs[0], code=_peek(keys, "sys.stderr") + SEARCH)]
            got, error = slot.run_batch(programs, limits)
            assert error is None and got[0].interactor.exit_code == 0
            assert got[0].stderr.decode().splitlines() == denied


def _guess_batch():
    peer = Interactor(GUESS_CPP, language="cpp", files={"input.txt": b"100 42"},
                      argv=("input.txt", "output.txt"))
    return [Program(SEARCH, interactor=peer)], [Limits()]


# --------------------------------------------------------------------------- problems table

@pytest.mark.parametrize("row,needle", [
    ({"kind": "interactive"}, "column 'interactor': is missing"),
    ({"kind": "stdio", "interactor": "pass"}, "column 'interactor': is for interactive"),
    ({"kind": "interactive", "interactor": "pass", "judge": "tokens"},
     "judged by its interactor"),
    ({"kind": "interactive", "interactor": "pass", "interactor_language": "cobol"},
     "column 'interactor_language': language 'cobol' is not supported"),
])
def test_problems_table_checks_interactive_rows(row, needle):
    with pytest.raises(io.InputError, match=needle):
        io.read_problems([{"problem_id": "p", "tests": [{"input": "1", "output": ""}], **row}])
    ok = io.read_problems([{"problem_id": "p", "kind": "interactive", "interactor": "pass",
                            "interactor_language": "c++", "tests": [{"input": "1"}]}])
    assert ok.column("interactor_language").to_pylist() == ["cpp"]


# --------------------------------------------------------------------------- pipeline

def test_interactive_problems_through_the_pipeline(client):
    problems = [json.loads(line) for line in (SAMPLE / "problems.jsonl").read_text().splitlines()]
    solutions = [json.loads(line) for line in (SAMPLE / "solutions.jsonl").read_text().splitlines()]
    guess = [p for p in problems if p["problem_id"] == "guess_number"]
    sols = [s for s in solutions if s["problem_id"] == "guess_number"]
    sols.append({"problem_id": "guess_number", "solution_id": "cpp_search", "language": "cpp",
                 "code": SEARCH_CPP, "expected_verdict": "AC", "expected_score": 1.0})
    r = score(guess, sols, client=client, config={"isolation": "full" if in_ci() else "auto"})
    s = r.solutions.set_index("solution_id")
    assert s["verdict"].astype(str).to_dict() == s["expected_verdict"].astype(str).to_dict()
    assert s["score"].astype(float).to_dict() == s["expected_score"].astype(float).to_dict()
    assert r.complete and r.summary["verdicts"]["TLE"] == 3
    p = r.problems.set_index("problem_id").loc["guess_number"]
    assert (p["n_accepted"], p["max_score"], p["mean_score"]) == (2, 1.0, pytest.approx(2.5 / 6))


def test_openr1_codeforces_interactive_rows(client):
    ds = datasets.load("codeforces", DATA_CF)
    by_id = {p["problem_id"]: p for p in ds.problems.to_pylist()}
    assert sorted(by_id) == ["9001A", "9001B", "9001C"]
    assert by_id["9001A"]["kind"] == "stdio"
    assert (by_id["9001B"]["kind"], by_id["9001B"]["interactor_language"]) == ("interactive", "python")
    assert (by_id["9001C"]["kind"], by_id["9001C"]["interactor_language"]) == ("interactive", "cpp")
    assert any("9001D" in n and "no interactor" in n for n in ds.notes)
    assert any("9001E" in n and "no official tests" in n for n in ds.notes)
    sols = [{"problem_id": pid, "solution_id": sid, "code": code}
            for pid in ("9001B", "9001C")
            for sid, code in (("search", SEARCH), ("guess_42", "input()\nprint(42, flush=True)\ninput()\n"))]
    r = score(ds.problems, sols, client=client, config={"isolation": "full" if in_ci() else "auto"})
    got = {(p, s): v for p, s, v in zip(r.solutions["problem_id"], r.solutions["solution_id"],
                                        r.solutions["verdict"].astype(str))}
    assert got == {("9001B", "search"): "AC", ("9001B", "guess_42"): "WA",
                   ("9001C", "search"): "AC", ("9001C", "guess_42"): "WA"}


DATA_CF = SAMPLE.parents[1] / "tests" / "data" / "datasets" / "openr1-codeforces-interactive.jsonl"
