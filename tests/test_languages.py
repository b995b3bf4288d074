"""C++, JavaScript, Java, Go and Rust through the real pipeline: verdicts, MultiPL-E, compile once.

Every solution runs through :func:`pipeline.score` on the session's LocalCluster. A language
whose toolchain is missing on the host gives SE with the reason, so these tests fail there
(they never skip).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import yaml

from conftest import in_ci
from pipeline import score

HERE = Path(__file__).parent / "languages"
VERDICTS = yaml.safe_load((HERE / "verdicts.yaml").read_text())
LANGS = sorted(VERDICTS["solutions"])
MULTIPLE = {"cpp": "cpp", "javascript": "js", "java": "java", "go": "go", "rust": "rs"}

# Completions written for the MultiPL-E sample, with the verdict each must get (one compile
# each). ``early`` ends the process with status 0 before the test block runs: never a pass.
COMPLETIONS = {
    "cpp": {
        "HumanEval_13_greatest_common_divisor": {
            "AC": "    while (b) { long t = a % b; a = b; b = t; }\n    return a;\n",
            "WA": "    return a < b ? a : b;\n"},
        "HumanEval_23_strlen": {
            "early": "    return string.size();\n}\n"
                     "struct Quit { Quit() { std::exit(0); } } quit;\nlong unused() { return 0;\n"},
    },
    "javascript": {
        "HumanEval_13_greatest_common_divisor": {
            "AC": "  while (b) { [a, b] = [b, a % b]; }\n  return a;\n}\n",
            "WA": "  return Math.min(a, b);\n}\n"},
        "HumanEval_23_strlen": {
            "early": "  return string.length;\n}\nprocess.exit(0);\n"},
    },
    "java": {
        "HumanEval_13_greatest_common_divisor": {
            "AC": "        while (b != 0) { long t = a % b; a = b; b = t; }\n        return a;\n",
            "WA": "        return Math.min(a, b);\n"},
        "HumanEval_23_strlen": {
            "early": "        System.exit(0);\n        return 0;\n"},
    },
    "go": {   # the prompts import only testing and fmt: no way out with status 0
        "HumanEval_13_greatest_common_divisor": {
            "AC": "    for b != 0 {\n        a, b = b, a%b\n    }\n    return a\n}\n",
            "WA": "    if a < b {\n        return a\n    }\n    return b\n}\n"},
        "HumanEval_23_strlen": {
            "AC": "    return len(myString)\n}\n"},
    },
    "rust": {
        "HumanEval_13_greatest_common_divisor": {
            "AC": "    let (mut a, mut b) = (a, b);\n    while b != 0 {\n        let t = a % b;\n"
                  "        a = b;\n        b = t;\n    }\n    a\n",
            "WA": "    a.min(b)\n"},
        "HumanEval_23_strlen": {
            "early": "    std::process::exit(0)\n"},
    },
}


def _config(**extra) -> dict:
    return {"time_limit_s": 1.0, "memory_limit_mb": 256, "isolation": "full" if in_ci() else "auto",
            "keep_output": 4096, **extra}


@pytest.fixture(scope="module")
def verdict_run(client):
    problems = [{"problem_id": "sum", "kind": "stdio", "tests": VERDICTS["tests"]}]
    solutions = [{"problem_id": "sum", "solution_id": f"{lang}-{want}", "language": lang,
                  "code": code}
                 for lang in LANGS for want, code in VERDICTS["solutions"][lang].items()]
    return score(problems, solutions, client=client, config=_config())


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("want", ["AC", "WA", "CE", "RE", "TLE"])
def test_stdio_verdicts(verdict_run, lang, want):
    rows = verdict_run.tests[verdict_run.tests["solution_id"] == f"{lang}-{want}"]
    assert len(rows) == 2
    assert rows["verdict"].astype(str).tolist() == [want, want], rows["message"].tolist()
    sol = verdict_run.solutions.set_index("solution_id").loc[f"{lang}-{want}"]
    assert sol["language"] == lang
    if want == "CE":
        message = rows["message"].iloc[0]
        assert "error" in message.lower() and len(message) <= 500, message


def _multiple_rows():
    problems, solutions, expected = [], [], {}
    for lang, tag in MULTIPLE.items():
        for line in (HERE / "multipl-e" / f"humaneval-{tag}.jsonl").read_text().splitlines():
            row = json.loads(line)
            prompt = row["prompt"]
            if lang == "java":
                prompt = prompt.replace("import org.javatuples.*;\n", "")   # see NOTICE.md
            pid = f"{lang}/{row['name']}"
            problems.append({"problem_id": pid, "kind": "assert",
                             "tests": [{"input": row["tests"], "output": ""}]})
            for name, completion in COMPLETIONS[lang][row["name"]].items():
                solutions.append({"problem_id": pid, "solution_id": name, "language": lang,
                                  "code": prompt + completion})
                expected[(pid, name)] = "WA" if name == "early" else name
    return problems, solutions, expected


def test_multipl_e_humaneval(client):
    problems, solutions, expected = _multiple_rows()
    result = score(problems, solutions, client=client, config=_config(time_limit_s=5.0))
    got = {(r.problem_id, r.solution_id): (r.verdict, r.message)
           for r in result.tests.itertuples()}
    assert {k: v[0] for k, v in got.items()} == expected, got
    for (pid, name), (verdict, message) in got.items():
        if name == "WA":
            assert "AssertionError" in message, message
        if name == "early":
            assert "before the test finished" in message, message


def _build_stats(dask_worker, code: str) -> dict:
    from pipeline.execute import PLUGIN_NAME
    from pipeline.sandbox import build, languages

    level = dask_worker.plugins[PLUGIN_NAME].pool.level
    cpp = languages.get("cpp")
    key = build.key(cpp, cpp.source(code, "stdio", ""),
                    cpp.compile_commands(languages.pch_for(cpp, level)))
    return build.BUILDS.stats.get(key, {})


def test_cpp_with_twenty_tests_is_compiled_once(client):
    # A fresh source (never compiled on this machine), 20 tests cut into four partitions so
    # that both slots of the worker run some of them.
    code = ("#include <bits/stdc++.h>\n// %s\nint main() { long long n; std::cin >> n; "
            "std::cout << n * n << std::endl; }\n" % uuid.uuid4())
    problems = [{"problem_id": "square", "kind": "stdio",
                 "tests": [{"input": f"{i}\n", "output": f"{i * i}\n"} for i in range(20)]}]
    solutions = [{"problem_id": "square", "solution_id": "s", "language": "c++", "code": code}]
    result = score(problems, solutions, client=client, config=_config(partitions=4))
    assert result.tests["verdict"].astype(str).tolist() == ["AC"] * 20
    [stats] = client.run(_build_stats, code=code).values()
    assert stats["compiled"] == 1, stats
    assert stats["compiled"] + stats["disk"] + stats["memory"] > 1, stats   # asked again, reused


def test_missing_toolchain_is_reported(pool, monkeypatch):
    from pipeline.sandbox import Limits, Program, languages

    class Cobol(languages.Language):
        name = "cobol-test"
        tools = ("cobc-not-installed",)
        package = "gnucobol"

    monkeypatch.setitem(languages._REGISTRY, "cobol-test", Cobol())   # this test only
    [o] = pool.run_batch([Program("DISPLAY 'HI'.", language="cobol-test")], [Limits()])
    assert o.status == "sandbox_error"
    assert o.message == ("the cobol-test toolchain is missing on this host: cobc-not-installed "
                         "not found (install the Debian package gnucobol)")


def test_function_kind_and_unknown_language_are_refused_with_the_reason(pool):
    from pipeline.sandbox import Limits, Program

    [o] = pool.run_batch([Program("int f() { return 1; }", mode="function", call="[]",
                                  entry_point="f", language="cpp")], [Limits()])
    assert (o.status, o.message) == ("sandbox_error", "a cpp solution needs a stdio or assert "
                                     "problem: the function kind is Python only")
    [o] = pool.run_batch([Program("x", language="brainfuck")], [Limits()])
    assert o.status == "sandbox_error" and o.message.startswith("unknown language 'brainfuck'")
