"""C++, JavaScript, Java, Go and Rust through the real pipeline: verdicts, MultiPL-E, compile once.

Every solution runs through :func:`pipeline.score` on the session's LocalCluster. A language
whose toolchain is missing on the host gives SE with the reason, so these tests fail there
(they never skip).

``assert`` tests in these languages are judged from the values the harness emits
(:mod:`judges.assert_values`): the parsers of test blocks and expected literals are tested
here without a sandbox, over every MultiPL-E row in ``tests/languages/multipl-e`` (or in the
folder named by ``DASKJUDGE_MULTIPL_E``, which holds the full ``humaneval-*.jsonl`` files),
and emitter and judge are tested together in the real sandbox.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pytest
import yaml

from conftest import in_ci
from judges.assert_values import expected_values, judge_values
from pipeline import score
from pipeline.sandbox import languages
from pipeline.sandbox.records import Record, RecordKind
from pipeline.sandbox.values import Outcome, Status

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
            "WA": "    return a < b ? a : b;\n",
            # the third call crashes: two values were emitted, the verdict is the crash's
            "RE": "    if (a == 49) { volatile long *p = nullptr; *p = 1; }\n"
                  "    while (b) { long t = a % b; a = b; b = t; }\n    return a;\n"},
        "HumanEval_23_strlen": {
            "early": "    return string.size();\n}\n"
                     "struct Quit { Quit() { std::exit(0); } } quit;\nlong unused() { return 0;\n"},
        "HumanEval_21_rescale_to_unit": {       # floats, compared exactly
            "AC": "    float lo = *std::min_element(numbers.begin(), numbers.end());\n"
                  "    float hi = *std::max_element(numbers.begin(), numbers.end());\n"
                  "    for (float &x : numbers) x = (x - lo) / (hi - lo);\n    return numbers;\n"},
        "HumanEval_51_remove_vowels": {         # strings with a newline
            "AC": "    std::string out;\n    for (char c : text)\n"
                  "        if (!strchr(\"aeiouAEIOU\", c)) out += c;\n    return out;\n"},
        "HumanEval_90_next_smallest": {         # std::optional and std::nullopt
            "AC": "    std::set<long> s(lst.begin(), lst.end());\n"
                  "    if (s.size() < 2) return std::nullopt;\n    return *std::next(s.begin());\n"},
        "HumanEval_103_rounded_avg": {          # MultiPL-E's Union_ return type
            "AC": "    if (n > m) return -1;\n    long s = n + m, avg = s / 2;\n"
                  "    if (s % 2 && avg % 2) avg += 1;\n    std::string bits;\n"
                  "    do { bits = char('0' + avg % 2) + bits; avg /= 2; } while (avg);\n"
                  "    return std::string(\"0b\") + bits;\n"},
        "HumanEval_111_histogram": {            # std::map
            "AC": "    std::map<std::string,long> count, out;\n    std::stringstream in(test);\n"
                  "    std::string w;\n    long best = 0;\n"
                  "    while (in >> w) best = std::max(best, ++count[w]);\n"
                  "    for (auto &kv : count) if (kv.second == best) out.insert(kv);\n"
                  "    return out;\n"},
        "HumanEval_136_largest_smallest_integers": {    # a tuple of optionals
            "AC": "    std::optional<long> neg, pos;\n    for (long x : lst) {\n"
                  "        if (x < 0 && (!neg || x > *neg)) neg = x;\n"
                  "        if (x > 0 && (!pos || x < *pos)) pos = x;\n    }\n"
                  "    return std::make_tuple(neg, pos);\n"},
    },
    "javascript": {
        "HumanEval_13_greatest_common_divisor": {
            "AC": "  while (b) { [a, b] = [b, a % b]; }\n  return a;\n}\n",
            "WA": "  return Math.min(a, b);\n}\n"},
        "HumanEval_23_strlen": {
            "early": "  return string.length;\n}\nprocess.exit(0);\n"},
        "HumanEval_21_rescale_to_unit": {
            "AC": "  const lo = Math.min(...numbers), hi = Math.max(...numbers);\n"
                  "  return numbers.map((x) => (x - lo) / (hi - lo));\n}\n"},
        "HumanEval_51_remove_vowels": {         # its test block has raw newlines in strings
            "AC": "  return text.replace(/[aeiou]/gi, '');\n}\n"},
        "HumanEval_90_next_smallest": {         # undefined
            "AC": "  const s = [...new Set(lst)].sort((a, b) => a - b);\n"
                  "  return s.length < 2 ? undefined : s[1];\n}\n"},
        "HumanEval_103_rounded_avg": {
            "AC": "  if (n > m) return -1;\n  let avg = Math.floor((n + m) / 2);\n"
                  "  if ((n + m) % 2 && avg % 2) avg += 1;\n  return '0b' + avg.toString(2);\n}\n"},
        "HumanEval_111_histogram": {            # objects, key order free
            "AC": "  const count = {};\n  for (const w of test.split(' ').filter(Boolean))\n"
                  "    count[w] = (count[w] || 0) + 1;\n"
                  "  const best = Math.max(0, ...Object.values(count));\n  const out = {};\n"
                  "  for (const [k, v] of Object.entries(count)) if (v === best) out[k] = v;\n"
                  "  return out;\n}\n"},
        "HumanEval_136_largest_smallest_integers": {
            "AC": "  const neg = lst.filter((x) => x < 0), pos = lst.filter((x) => x > 0);\n"
                  "  return [neg.length ? Math.max(...neg) : undefined,\n"
                  "          pos.length ? Math.min(...pos) : undefined];\n}\n"},
    },
    "java": {
        "HumanEval_13_greatest_common_divisor": {
            "AC": "        while (b != 0) { long t = a % b; a = b; b = t; }\n        return a;\n",
            "WA": "        return Math.min(a, b);\n"},
        "HumanEval_23_strlen": {
            "early": "        System.exit(0);\n        return 0;\n"},
        "HumanEval_21_rescale_to_unit": {       # ArrayList<Float>: Float.equals
            "AC": "        float lo = Collections.min(numbers), hi = Collections.max(numbers);\n"
                  "        ArrayList<Float> out = new ArrayList<>();\n"
                  "        for (float x : numbers) out.add((x - lo) / (hi - lo));\n"
                  "        return out;\n"},
        "HumanEval_51_remove_vowels": {
            "AC": "        return text.replaceAll(\"[aeiouAEIOU]\", \"\");\n"},
        "HumanEval_90_next_smallest": {         # Optional
            "AC": "        TreeSet<Long> s = new TreeSet<>(lst);\n"
                  "        if (s.size() < 2) return Optional.empty();\n"
                  "        s.pollFirst();\n        return Optional.of(s.first());\n"},
        "HumanEval_111_histogram": {            # HashMap
            "AC": "        HashMap<String,Long> count = new HashMap<>(), out = new HashMap<>();\n"
                  "        long best = 0;\n"
                  "        for (String w : test.split(\" \")) {\n"
                  "            if (w.isEmpty()) continue;\n"
                  "            count.merge(w, 1l, Long::sum);\n"
                  "            best = Math.max(best, count.get(w));\n        }\n"
                  "        for (Map.Entry<String,Long> e : count.entrySet())\n"
                  "            if (e.getValue() == best) out.put(e.getKey(), e.getValue());\n"
                  "        return out;\n"},
    },
    "go": {   # the prompts import only testing and fmt: no way out with status 0
        "HumanEval_13_greatest_common_divisor": {
            "AC": "    for b != 0 {\n        a, b = b, a%b\n    }\n    return a\n}\n",
            "WA": "    if a < b {\n        return a\n    }\n    return b\n}\n"},
        "HumanEval_23_strlen": {
            "AC": "    return len(myString)\n}\n"},
        "HumanEval_21_rescale_to_unit": {       # %v of float64s
            "AC": "    lo, hi := numbers[0], numbers[0]\n    for _, x := range numbers {\n"
                  "        if x < lo { lo = x }\n        if x > hi { hi = x }\n    }\n"
                  "    out := make([]float64, len(numbers))\n"
                  "    for i, x := range numbers { out[i] = (x - lo) / (hi - lo) }\n"
                  "    return out\n}\n"},
        "HumanEval_51_remove_vowels": {
            "AC": "    out := []rune{}\n    for _, c := range text {\n"
                  "        switch c {\n        case 'a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U':\n"
                  "        default:\n            out = append(out, c)\n        }\n    }\n"
                  "    return string(out)\n}\n"},
        "HumanEval_111_histogram": {            # %v sorts map keys
            "AC": "    count := map[string]int{}\n    best := 0\n    word := \"\"\n"
                  "    for _, c := range test + \" \" {\n"
                  "        if c != ' ' { word += string(c); continue }\n"
                  "        if word == \"\" { continue }\n        count[word]++\n"
                  "        if count[word] > best { best = count[word] }\n        word = \"\"\n    }\n"
                  "    out := map[string]int{}\n"
                  "    for k, v := range count { if v == best { out[k] = v } }\n"
                  "    return out\n}\n"},
        "HumanEval_136_largest_smallest_integers": {    # nil in []interface{}
            "AC": "    var neg, pos interface{}\n    for _, x := range lst {\n"
                  "        if x < 0 && (neg == nil || x > neg.(int)) { neg = x }\n"
                  "        if x > 0 && (pos == nil || x < pos.(int)) { pos = x }\n    }\n"
                  "    return []interface{}{neg, pos}\n}\n"},
    },
    "rust": {
        "HumanEval_13_greatest_common_divisor": {
            "AC": "    let (mut a, mut b) = (a, b);\n    while b != 0 {\n        let t = a % b;\n"
                  "        a = b;\n        b = t;\n    }\n    a\n",
            "WA": "    a.min(b)\n"},
        "HumanEval_23_strlen": {
            "early": "    std::process::exit(0)\n"},
        "HumanEval_21_rescale_to_unit": {
            "AC": "    let lo = numbers.iter().cloned().fold(f64::INFINITY, f64::min);\n"
                  "    let hi = numbers.iter().cloned().fold(f64::NEG_INFINITY, f64::max);\n"
                  "    numbers.iter().map(|x| (x - lo) / (hi - lo)).collect()\n"},
        "HumanEval_51_remove_vowels": {
            "AC": "    text.chars().filter(|c| !\"aeiouAEIOU\".contains(*c)).collect()\n"},
        "HumanEval_90_next_smallest": {         # Option
            "AC": "    let mut s = lst.clone();\n    s.sort();\n    s.dedup();\n"
                  "    s.get(1).copied()\n"},
        "HumanEval_111_histogram": {            # HashMap: Debug order is random
            "AC": "    let mut count: HashMap<String, isize> = HashMap::new();\n"
                  "    for w in test.split_whitespace() { *count.entry(w.to_string()).or_insert(0) += 1; }\n"
                  "    let best = count.values().cloned().max().unwrap_or(0);\n"
                  "    count.into_iter().filter(|(_, v)| *v == best).collect()\n"},
        "HumanEval_136_largest_smallest_integers": {
            "AC": "    (lst.iter().filter(|x| **x < 0).max().copied(),\n"
                  "     lst.iter().filter(|x| **x > 0).min().copied())\n"},
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


def _rows(tag: str, folder: Path = HERE / "multipl-e") -> list[dict]:
    return [json.loads(line) for line in
            (folder / f"humaneval-{tag}.jsonl").read_text().splitlines() if line.strip()]


def _multiple_rows():
    problems, solutions, expected = [], [], {}
    for lang, tag in MULTIPLE.items():
        for row in _rows(tag):
            if row["name"] not in COMPLETIONS[lang]:
                continue
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
            assert message.startswith("assertion 1: ") and " gave 3, expected " in message, message
        if name == "RE":
            assert "SIGSEGV" in message, message
        if name == "early":
            assert "before the test finished" in message, message


def _build_stats(dask_worker, code: str) -> dict:
    from pipeline.worker import PLUGIN_NAME
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
    assert o.status is Status.SANDBOX_ERROR
    assert o.message == ("the cobol-test toolchain is missing on this host: cobc-not-installed "
                         "not found (install the Debian package gnucobol)")


def test_unknown_language_is_refused_with_the_reason(pool):
    from pipeline.sandbox import Limits, Program

    [o] = pool.run_batch([Program("x", language="brainfuck")], [Limits()])
    assert o.status is Status.SANDBOX_ERROR and o.message.startswith("unknown language 'brainfuck'")


# ------------------------------------------------------------- assert tests: test blocks
SURVEY = Path(os.environ.get("DASKJUDGE_MULTIPL_E") or HERE / "multipl-e")
MODULES = {"cpp": languages.cpp, "javascript": languages.javascript, "java": languages.java,
           "go": languages.go, "rust": languages.rust}


def test_every_multipl_e_test_block_and_expected_value_is_read():
    """Every block cuts into one assertion per test call, and every expected side reads."""
    counted = {}
    for lang, tag in MULTIPLE.items():
        rows = _rows(tag, SURVEY)
        assert rows, SURVEY
        n = 0
        for row in rows:
            pairs = MODULES[lang].assertions(row["tests"])
            calls = (len(re.findall(r"^\s*assert\(", row["tests"], re.M)) if lang == "java"
                     else row["tests"].count("candidate("))
            assert len(pairs) == calls, row["name"]
            assert all(a and e for a, e in pairs), row["name"]
            assert len(expected_values(lang, row["tests"])) == calls, row["name"]
            n += calls
        counted[lang] = (len(rows), n)
    if SURVEY == HERE / "multipl-e":
        assert counted == {"cpp": (18, 127), "javascript": (18, 127), "java": (15, 99),
                           "go": (13, 89), "rust": (14, 92)}, counted


def _block(lang: str, *pairs: tuple[str, str], op: str = "==") -> str:
    """A test block in MultiPL-E's form for ``lang`` with these (actual, expected) sides."""
    if lang == "cpp":
        body = "".join(f"    assert({a} == {e});\n" for a, e in pairs)
        return f"}}\nint main() {{\n    auto candidate = f;\n{body}}}\n"
    if lang == "javascript":
        body = "".join(f"  assert.deepEqual({a},{e});\n" for a, e in pairs)
        return (f"const assert = require('node:assert');\n\n\nfunction test() {{\n"
                f"  let candidate = f;\n{body}}}\n\ntest();\n")
    if lang == "java":
        body = "".join(f"    assert({a} == {e});\n" if op == "==" else f"    assert({a}.equals({e}));\n"
                       for a, e in pairs)
        return f"    }}\n    public static void main(String[] args) {{\n{body}    }}\n\n}}\n"
    if lang == "go":
        rows = "".join(f"     {{ actual: {a}, expected: {e} }},\n" for a, e in pairs)
        return ("func TestF(t *testing.T) {\n  candidate := f\n\ttype test struct {\n"
                "\t\tactual   interface{}\n\t\texpected interface{}\n\t}\n   tests := []test{\n"
                f"{rows}   }}\n\n\tfor i, tc := range tests {{\n"
                '\t\tt.Run(fmt.Sprintf("test num % d", i), func(t *testing.T) {\n'
                '\t\t\tif fmt.Sprintf("%v", tc.actual) != fmt.Sprintf("%v", tc.expected) {\n'
                "\t\t\t\tt.Errorf(\"expected '%s', got '%s'\", tc.expected, tc.actual)\n"
                "\t\t\t}\n\t\t})\n\t}\n}\n")
    body = "".join(f"    assert_eq!({a}, {e});\n" for a, e in pairs)
    return f"}}\n\nfn main() {{\n    let candidate = f;\n{body}}}\n"


@pytest.mark.parametrize("lang", sorted(MODULES))
def test_assertions_keep_order_and_exact_text(lang):
    pairs = [("candidate(1, \"a, b == c\")", "(2)"), ("candidate((std_vec(3)))", "\"x)\"")]
    if lang == "go":
        pairs = [("candidate(1, \"a, b: c\")", "2"), ("candidate([]int{3})", '"x}"')]
    if lang == "rust":
        pairs = [("candidate(1, \"a, b == c\")", "(2, 3)"), ("candidate(vec![3])", '"x)"')]
    assert MODULES[lang].assertions(_block(lang, *pairs)) == pairs


def test_java_assertions_tell_equals_from_identity():
    block = ("    }\n    public static void main(String[] args) {\n"
             "    assert(f((1l)) == (2l));\n    assert(g(\"a\").equals((Optional.of(\"b\"))));\n"
             "    assert(h().get(0).equals(Pair.with(1l, 2l)));\n    }\n\n}\n")
    assert languages.java.comparisons(block) == [
        ("f((1l))", "==", "(2l)"), ('g("a")', "equals", '(Optional.of("b"))'),
        ("h().get(0)", "equals", "Pair.with(1l, 2l)")]


@pytest.mark.parametrize("lang, block", [
    ("cpp", "}\nint main() {\n    assert(candidate(1) != 2);\n}\n"),
    ("cpp", "}\nint main() {\n    auto candidate = f;\n}\n"),
    ("cpp", "}\nint main() {\n    printf(\"%d\", candidate(1));\n    assert(candidate(1) == 1);\n}\n"),
    ("cpp", "assert(candidate(1) == 1);\n"),
    ("javascript", "function test() {\n  assert.strictEqual(candidate(1), 1);\n}\ntest();\n"),
    ("javascript", "function test() {\n  assert.deepEqual(candidate(1));\n}\ntest();\n"),
    ("javascript", "console.log(1);\nfunction test() {\n  assert.deepEqual(candidate(1), 1);\n}\ntest();\n"),
    ("java", "    }\n    public static void main(String[] args) {\n    assert(f(1) > (2l));\n    }\n}\n"),
    ("java", "    }\n    public static void main(String[] args) {\n    f(1);\n    }\n}\n"),
    ("go", "func TestF(t *testing.T) {\n  tests := []test{\n    { actual: f(1), expected: 1 },\n  }\n}\n"),
    ("rust", "}\nfn main() {\n    assert!(candidate(1) > 2);\n}\n"),
    ("rust", "}\nfn main() {\n    assert_eq!(candidate(1));\n}\n"),
    ("rust", "}\nfn main() {\n    assert_eq!(candidate(1), (1);\n}\n"),
])
def test_a_block_that_is_not_the_regular_form_is_refused_with_the_reason(lang, block):
    with pytest.raises(ValueError) as err:
        MODULES[lang].assertions(block)
    assert str(err.value)
    with pytest.raises(ValueError):
        judge_values(lang, block, ["1"])


SECRET = "dj-expected-4f1c"


@pytest.mark.parametrize("lang", sorted(MODULES))
def test_expected_sides_never_reach_the_program(lang):
    """Nothing of an expected expression is in any file of the build."""
    expected = {"cpp": f'std::string("{SECRET}")', "javascript": f'["{SECRET}"]',
                "java": f'(new ArrayList<String>(Arrays.asList("{SECRET}")))',
                "go": f'[]string{{"{SECRET}"}}', "rust": f'vec![String::from("{SECRET}")]'}[lang]
    block = _block(lang, ("candidate(1)", expected), ("candidate(2)", expected), op="equals")
    assert len(MODULES[lang].assertions(block)) == 2
    source = languages.get(lang).source("int x;", "assert", block)
    assert all(SECRET not in text for text in source.files.values())
    assert any("candidate(1)" in text and "candidate(2)" in text for text in source.files.values())


# ------------------------------------------------------- assert tests: judging values
CASES = {   # language: [(expected expression, emitted line, accepted)]
    "cpp": [
        ("(6.0f)", "6", True), ("(6.0f)", "6.0000004768371582", False),
        ("(float(-1))", "-1", True), ("2.5f", "2.5", True),
        ("(std::make_tuple(3.9f, 4.0f))", "[3.9000000953674316,4]", True),
        ("(std::make_tuple(3.9f, 4.0f))", "[3.8999999999999999,4]", False),   # 3.9 is not 3.9f
        ("(std::vector<float>({(float)0.0f, (float)0.25f}))", "[0,0.25]", True),
        ("(std::map<std::string,long>({{\"a\", 2}, {\"b\", 2}}))", '{"$map":[["b",2],["a",2]]}', True),
        ("(std::map<std::string,long>({{\"a\", 2}, {\"b\", 2}}))", '{"$map":[["a",2]]}', False),
        ("(std::map<std::string,long>({{\"a\", 2}}))", '[["a",2]]', False),
        ("(std::map<std::string,long>())", '{"$map":[]}', True),
        ("std::nullopt", "null", True), ("std::nullopt", "0", False), ("(2)", "null", False),
        ("std::make_tuple(std::optional<long>(-1), std::optional<long>(std::nullopt))", "[-1,null]", True),
        ("std::make_tuple(-2, 1)", "[-2,1]", True), ("std::make_tuple(-2, 1)", "[-2,1,0]", False),
        ('("bcdf\\nghjklm")', '"bcdf\\u000aghjklm"', True), ('("a\\"b")', '"a\\"b"', True),
        ('("a")', '"b"', False), ('("é")', '"é"', True), ('("lm")', '["l","m"]', False),
        ("(true)", "true", True), ("(false)", "true", False), ("(true)", "1", True),
        ("(std::vector<long>({(long)1, (long)-1}))", "[1,-1]", True),
        ("(std::vector<long>({(long)1, (long)-1}))", "[-1,1]", False),
        ("(std::vector<long>())", "[]", True), ("(std::vector<std::string>())", '[""]', False),
        ('"0b11"', '"0b11"', True), ("-1", '"-1"', False), ("-1", "-1", True),
        ("(std::vector<std::tuple<long, long>>({(std::tuple<long, long>)std::make_tuple(0, 1)}))",
         "[[0,1]]", True),
        ("(0)", '{"$unprintable":true}', False), ("(0)", "", False), ("(0)", "{", False),
        ("(0)", "NaN", False), ("(1e308)", "Infinity", False),
    ],
    "javascript": [
        ("0", '"0"', True), ("0", '""', True), ("0", "false", True), ("0", "null", False),
        ("undefined", "null", True), ("undefined", '{"$js":"undefined"}', True),
        ("[undefined, 1]", "[null,1]", True), ("NaN", '{"$js":"NaN"}', True),
        ("Infinity", '"Infinity"', True), ("[1, 2]", '{"0":1,"1":2}', False),
        ('{"a": 2, "b": 2}', '{"b":2,"a":2}', True), ('{"a": 2}', '{"a":2,"b":0}', False),
        ("[4, 9]", "[4,9]", True), ('["1"]', "[1]", True), ("[4, 9]", "[9,4]", False),
        ("[]", '{"$js":"array+","v":[]}', False), ("{}", '{"$js":"tag","tag":"[object Promise]","v":{}}', False),
        ("1", '{"$js":"boxed","v":1}', False), ("[undefined]", '[{"$js":"hole"}]', False),
        ("10n", "10", True), ("10", '{"$js":"bigint","v":"10"}', True),
        ('{"$js": 1}', '{"$js":"object","v":[["$js",1]]}', True),
        ('"bcdf\nghjklm"', '"bcdf\\nghjklm"', True), ("0.3", "0.30000000000000004", False),
        ("[[0, 0], [1, 4]]", "[[0,0],[1,4]]", True), ('["cdedc", true]', '["cdedc",1]', True),
        ("0", '{"$js":"deep"}', False), ("0", "[", False),
    ],
    "java": [
        ("(0l)", "0", True), ("(6.0f)", "6.0", True), ("(float)-1l", "-1.0", True),
        ("(6.0f)", "6.000000476837158", False), ("(1l)", "1.0", True), ("(true)", "1", False),
        ("(new ArrayList<Long>(Arrays.asList((long)1l)))", "[1]", True),
        ("(new ArrayList<Long>(Arrays.asList((long)1l)))", "[1.0]", False),
        ("(new ArrayList<Float>(Arrays.asList((float)0.0f)))", "[-0.0]", False),
        ("(new ArrayList<Float>(Arrays.asList(Float.NaN)))", "[NaN]", True),
        ("(new ArrayList<Float>(Arrays.asList((float)0.1f)))", "[0.10000000149011612]", True),
        ("(new ArrayList<Float>(Arrays.asList((float)0.1f)))", "[0.1]", False),
        ("Optional.of(2l)", '{"$optional":[2]}', True), ("Optional.empty()", '{"$optional":[]}', True),
        ("Optional.of(2l)", "2", False), ("Optional.empty()", "null", False),
        ("(Pair.with(8l, 13l))", '{"$tuple":[8,13]}', True), ("(Pair.with(8l, 13l))", "[8,13]", False),
        ("Pair.with(Optional.of(Optional.empty()), Optional.of(1l))",
         '{"$tuple":[{"$optional":[]},{"$optional":[1]}]}', False),          # as Java: never equal
        ('(new HashMap<String,Long>(Map.of("a", 2l, "b", 2l)))', '{"$map":[["b",2],["a",2]]}', True),
        ('(new HashMap<String,Long>())', '{"$map":[]}', True),
        ('("lm")', '"lm"', True), ('("lm")', '{"$char":"l"}', False),
        ("(0l)", '{"$object":"Problem$Always"}', False), ("(0l)", "0l", False),
    ],
    "go": [
        ("[]float64{0.0, 1.0}", '"[0 1]"', True), ('map[string]int{"b": 2, "a": 1}', '"map[a:1 b:2]"', True),
        ('map[string]int{"b": 2, "a": 1}', '"map[b:2 a:1]"', False),
        ("[]interface{}{nil, 1}", '"[<nil> 1]"', True), ("1.0", '"1"', True),
        ("1000000.0", '"1e+06"', True), ("0.00001", '"1e-05"', True), ("123456.5", '"123456.5"', True),
        ('"x"', '"x"', True), ('"x"', '"\\"x\\""', False), ("0", "0", False), ("0", '"0"', True),
        ("[]string{}", '"[]"', True), ('[]interface{}{"cdedc", true}', '"[cdedc true]"', True),
        ("[][]int{[]interface{}{0, 0}, []interface{}{1, 4}}", '"[[0 0] [1 4]]"', True),
        ("-1", '"-1"', True), ("'a'", '"97"', True),
    ],
    "rust": [
        ("vec![1, 2]", '"[1, 2]"', True), ("vec![1, 2]", '"[2, 1]"', False),
        ('HashMap::from([(String::from("a"), 2), (String::from("b"), 1)])', '"{\\"b\\": 1, \\"a\\": 2}"', True),
        ('HashMap::from([(String::from("a"), 2)])', '"{\\"a\\": 3}"', False), ("HashMap::from([])", '"{}"', True),
        ("(Some(-1), None)", '"(Some(-1), None)"', True), ("Some(2)", '"2"', False), ("None", '"None"', True),
        ("0.5", '"0.5"', True), ("0.1", '"0.1000000001"', False), ("1.0", '"1.0"', True),
        ('String::from("a\\nb")', '"\\"a\\\\nb\\""', True), ('String::from("a")', '"\'a\'"', False),
        ('"x".to_string()', '"\\"x\\""', True), ("Vec::<isize>::new()", '"[]"', True),
        ("(String::from(\"bcd\"), false)", '"(\\"bcd\\", false)"', True),
        ("vec![(0, 0), (1, 4)]", '"[(0, 0), (1, 4)]"', True), ("'a'", '"\'a\'"', True),
        ("1e-7", '"1e-7"', True), ("-0.5", '"-0.5"', True), ("(8, 13)", '"[8, 13]"', False),
        ("0", "0", False), ("0", '"Foo { x: 0 }"', False), ("0", '"(((("', False),
    ],
}


@pytest.mark.parametrize("lang", sorted(CASES))
def test_judge_values_compares_as_the_original_assertion(lang):
    wrong = []
    for expected, line, accepted in CASES[lang]:
        op = "==" if lang == "java" and not expected.startswith(("(new", "Optional", "(Pair", "Pair", '("')) else "equals"
        block = _block(lang, ("candidate(1)", expected), op=op)
        n, mismatch = judge_values(lang, block, [line])
        assert n == 1
        if (mismatch is None) != accepted:
            wrong.append((expected, line, accepted, mismatch))
        if mismatch is not None:
            assert mismatch[0] == 0 and "candidate(1) gave " in mismatch[1], mismatch
    assert not wrong, wrong


def test_judge_values_reports_the_first_mismatch_and_counts_every_assertion():
    block = _block("cpp", ("candidate(1)", "(1)"), ("candidate(2)", "(4)"), ("candidate(3)", "(9)"))
    assert judge_values("cpp", block, ["1", "4", "9"]) == (3, None)
    assert judge_values("cpp", block, ["1", "4"]) == (3, None)          # fewer: the caller's call
    assert judge_values("cpp", block, ["1", "4", "9", "16"]) == (3, None)
    assert judge_values("c++", block, ["1", "5", "0"]) == (3, (1, "candidate(2) gave 5, expected (4)"))
    assert judge_values("cpp", block, []) == (3, None)


GARBAGE = ["", " ", "{", "[" * 100_000, "]", '"', '"\\', "-", "1e999", "-1e999", "NaN", "nul",
           "\x00", "\ud800", "\ufffd", '"' + "a" * 1_000_000 + '"', '{"$map": 5}', '{"$map": [[1]]}',
           '{"$set": {}}', '{"$optional": 1}', '{"$optional": [1, 2]}', '{"$tuple": null}',
           '{"$char": 5}', '{"$js": "object", "v": 5}', '{"$js": "bigint", "v": "x"}',
           '{"$js": "bigint"}', '{"$js": 5}', '{"$js": "object", "v": [[1]]}', "[1,", "1 2",
           '"\\u{zz}"', '"(((((((("', '"' + "[" * 50_000 + '"', '"' + "Some(" * 50_000 + '"',
           '"\\"\\\\u{110000}\\""', '"\'ab\'"', '"{1: 2, 3}"', '"inf"', '"- 1"', '"1e99999"',
           "[" * 1000 + "]" * 1000, '{"a": ' * 5000 + "1" + "}" * 5000]


@pytest.mark.parametrize("lang", sorted(CASES))
def test_judge_values_never_raises_on_what_a_program_emits(lang):
    expected = {"cpp": "(std::map<std::string,long>({{\"a\", 2}}))", "javascript": '{"a": [2]}',
                "java": "(new HashMap<String,Long>(Map.of(\"a\", 2l)))",
                "go": 'map[string]int{"a": 2}', "rust": 'HashMap::from([(String::from("a"), 2)])'}
    block = _block(lang, *[("candidate(1)", expected[lang])] * 3, op="equals")
    for line in GARBAGE:
        n, mismatch = judge_values(lang, block, [line])
        assert n == 3 and mismatch is not None and mismatch[0] == 0, (line[:40], mismatch)
    class Hostile:
        def __repr__(self):
            raise RuntimeError("no")

    for values in (None, 5, "12", b"1\n2", [None, 5, b"x", object(), 1.5], iter(["{"]), {"a": 1},
                   [Hostile()]):
        n, mismatch = judge_values(lang, block, values)
        assert n == 3
    # a flood is refused unread, in little time
    n, mismatch = judge_values(lang, block, ["[" + "1," * 4_000_000 + "1]"])
    assert mismatch[1].startswith("candidate(1) gave a value of 8000003 characters"), mismatch


def test_judge_values_refuses_an_unknown_language_or_an_unreadable_expected_value():
    block = _block("cpp", ("candidate(1)", "(1)"))
    for language in ("python", "cobol"):
        with pytest.raises(ValueError):
            judge_values(language, block, ["1"])
    with pytest.raises(ValueError, match="cannot read the expected value"):
        judge_values("cpp", _block("cpp", ("candidate(1)", "some_global")), ["1"])
    for block_or_language in ((None, "cpp"), (["x"], "cpp"), (block, None), (block, 5)):
        with pytest.raises(ValueError):
            judge_values(block_or_language[1], block_or_language[0], ["1"])


def test_record_of_an_assert_run_is_the_complete_lines_and_the_error():
    cpp = languages.get("cpp")
    o = Outcome(status=Status.EXITED, exit_code=0, raw_record=b'1\n"a\xff"\n[2,')
    assert cpp.record(o, "assert") == Record(RecordKind.VALUES, values=("1", '"a\ufffd"'))
    o = Outcome(status=Status.EXITED, exit_code=134, stderr=b"terminate called after throwing an "
                b"instance of 'std::bad_alloc'\n", raw_record=b"1\n")
    assert cpp.record(o, "assert").type == "MemoryError"
    assert cpp.record(o, "stdio").kind is RecordKind.RAISED
    assert cpp.record(Outcome(status=Status.EXITED, exit_code=0), "stdio") is None
    flood = Outcome(status=Status.EXITED, exit_code=0, raw_record=b"7\n" * (languages.MAX_VALUES + 5))
    assert len(cpp.record(flood, "assert").values) == languages.MAX_VALUES
    java = languages.get("java")
    o = Outcome(status=Status.EXITED, exit_code=1, raw_record=b"",
                stderr=b'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space\n')
    assert java.record(o, "assert").type == "MemoryError"


# ------------------------------------------- assert tests: emitter and judge, in the sandbox
# Each case is returned by a function of the program and is the expected side of its
# assertion: the judge must accept every value the real harness emits for it. One build
# per language.
ORACLE = {
    "cpp": [("long", "(-9000000000)"), ("bool", "(false)"), ("float", "(6.0f)"), ("float", "(float(-1))"),
            ("double", "(0.1)"), ("double", "(1e-300)"), ("std::string", '("a\\"b\\\\c\\nd\\té")'),
            ("std::string", '("")'), ("std::vector<long>", "(std::vector<long>())"),
            ("std::vector<std::string>", '(std::vector<std::string>({(std::string)"x", (std::string)"y"}))'),
            ("std::vector<float>", "(std::vector<float>({(float)0.0f, (float)0.25f, (float)3.9f}))"),
            ("std::tuple<long, long>", "(std::make_tuple(8, 13))"),
            ("std::tuple<float, float>", "(std::make_tuple(3.9f, 4.0f))"),
            ("std::tuple<std::string, bool>", '(std::make_tuple("cdedc", true))'),
            ("std::optional<long>", "std::nullopt"), ("std::optional<std::string>", '"x"'),
            ("std::tuple<std::optional<long>, std::optional<long>>",
             "std::make_tuple(std::optional<long>(-1), std::optional<long>(std::nullopt))"),
            ("std::map<std::string,long>", '(std::map<std::string,long>({{"b", 4}, {"a", 1}}))'),
            ("std::map<std::string,long>", "(std::map<std::string,long>())"),
            ("std::vector<std::tuple<long, long>>",
             "(std::vector<std::tuple<long, long>>({(std::tuple<long, long>)std::make_tuple(2, 2)}))"),
            ("std::vector<std::vector<long>>", "(std::vector<std::vector<long>>({{1, 2}, {}}))"),
            ("char", "'a'"), ("std::set<long>", "(std::set<long>({3, 1}))")],
    "javascript": [("", "0"), ("", "-1.5"), ("", '"a\\"b\\\\c\\nd\\té\\u2028"'), ("", "true"),
                   ("", "undefined"), ("", "null"), ("", "NaN"), ("", "[undefined, 1]"),
                   ("", '{"a": 2, "b": [1, {"c": null}]}'), ("", "[[0, 0], [1, 4]]"), ("", "{}"),
                   ("", "[]"), ("", "10n"), ("", "-Infinity"), ("", '{"$js": "undefined"}'),
                   ("", "0.1"), ("", "1e21")],
    "java": [("long", "(0l)", "=="), ("boolean", "(true)", "=="), ("float", "(6.0f)", "=="),
             ("float", "(float)-1l", "=="), ("double", "(0.1)", "=="),
             ("String", '("a\\"b\\\\c\\nd\\té")', "equals"),
             ("ArrayList<Long>", "(new ArrayList<Long>(Arrays.asList((long)4l, (long)-9l)))", "equals"),
             ("ArrayList<String>", "(new ArrayList<String>(Arrays.asList()))", "equals"),
             ("ArrayList<Float>", "(new ArrayList<Float>(Arrays.asList((float)0.0f, (float)3.9f)))", "equals"),
             ("Optional<Long>", "Optional.of(2l)", "equals"), ("Optional<String>", "Optional.empty()", "equals"),
             ("HashMap<String,Long>", '(new HashMap<String,Long>(Map.of("a", 2l, "b", 2l)))', "equals"),
             ("HashMap<String,Long>", "(new HashMap<String,Long>())", "equals")],
    "go": [("", "0"), ("", "-7"), ("", "2.5"), ("", "1.0"), ("", "1000000.0"), ("", "0.00001"),
           ("", "123456789.0"), ("", '"a\\"b\\\\c\\nd\\té"'), ("", "true"), ("", "[]int{4, 9}"),
           ("", "[]int{}"), ("", '[]string{"a", "as"}'), ("", "[]interface{}{nil, 1}"),
           ("", '[]interface{}{"cdedc", true}'), ("", "[]float64{0.0, 0.25, 1.0}"),
           ("", 'map[string]int{"r": 1, "t": 1, "g": 1}'), ("", "map[string]int{}"),
           ("", "[][]int{[]int{0, 0}, []int{1, 4}}"), ("", "[][]interface{}{}"), ("", "'a'")],
    "rust": [("isize", "-9000000000"), ("bool", "false"), ("f64", "6.0"), ("f64", "0.1"),
             ("f64", "1e-7"), ("f64", "-0.0"), ("String", 'String::from("a\\"b\\\\c\\nd\\té\\u{1}")'),
             ("Vec<isize>", "Vec::<isize>::new()"), ("Vec<isize>", "vec![4, 4, -4]"),
             ("Vec<String>", 'vec![String::from("a"), String::from("as")]'),
             ("(isize, isize)", "(8, 13)"), ("Option<isize>", "Some(2)"), ("Option<String>", "None"),
             ("(Option<isize>, Option<isize>)", "(Some(-1), None)"),
             ("HashMap<String, isize>", 'HashMap::from([(String::from("a"), 2), (String::from("b"), 2), (String::from("c"), 3)])'),
             ("HashMap<String, isize>", "HashMap::from([])"), ("Vec<(isize, isize)>", "vec![(0, 0), (1, 4)]"),
             ("(String, bool)", '(String::from("cdedc"), true)'), ("Vec<f64>", "vec![0.0, 0.25, 1.0]"),
             ("char", "'a'")],
}


def _oracle(lang: str) -> tuple[str, str]:
    cases = ORACLE[lang]
    if lang == "cpp":
        funcs = "".join(f"{t} f{i}() {{ return {e}; }}\n" for i, (t, e) in enumerate(cases))
        return ("#include<bits/stdc++.h>\n" + funcs + "long f(long x) {\n",
                _block(lang, *[(f"f{i}()", e) for i, (_, e) in enumerate(cases)]))
    if lang == "javascript":
        funcs = "".join(f"function f{i}() {{ return {e}; }}\n" for i, (_, e) in enumerate(cases))
        return (funcs + "function f(x){\n}\n",
                _block(lang, *[(f"f{i}()", e) for i, (_, e) in enumerate(cases)]))
    if lang == "java":
        funcs = "".join(f"    public static {t} f{i}() {{ return {e}; }}\n"
                        for i, (t, e, _) in enumerate(cases))
        body = "".join(f"    assert(f{i}() == {e});\n" if op == "==" else f"    assert(f{i}().equals({e}));\n"
                       for i, (_, e, op) in enumerate(cases))
        return ("import java.util.*;\nclass Problem {\n" + funcs
                + "    public static long f(long x) {\n        return x;\n",
                f"    }}\n    public static void main(String[] args) {{\n{body}    }}\n\n}}\n")
    if lang == "go":
        funcs = "".join(f"func f{i}() interface{{}} {{ return {e} }}\n" for i, (_, e) in enumerate(cases))
        return ('package f_test\n\nimport (\n    "testing"\n    "fmt"\n)\n\n' + funcs
                + "func f(x int) int {\n    return x\n}\n",
                _block(lang, *[(f"f{i}()", e) for i, (_, e) in enumerate(cases)]))
    funcs = "".join(f"fn f{i}() -> {t} {{ {e} }}\n" for i, (t, e) in enumerate(cases))
    return ("use std::collections::HashMap;\n" + funcs + "fn f(x: isize) -> isize {\n    x\n",
            _block(lang, *[(f"f{i}()", e) for i, (_, e) in enumerate(cases)]))


@pytest.mark.parametrize("lang", sorted(ORACLE))
def test_every_emitted_value_equals_the_literal_it_was_made_from(pool, lang):
    from pipeline.sandbox import Limits, Program

    code, block = _oracle(lang)
    [o] = pool.run_batch([Program(code, mode="assert", call=block, language=lang)],
                         [Limits(cpu_s=5)])
    assert o.status is Status.EXITED and o.exit_code == 0, (o, o.stderr[-2000:])
    values = list(o.record.values)
    assert judge_values(lang, block, values) == (len(ORACLE[lang]), None), values
    assert len(values) == len(ORACLE[lang])
    # and a value one step off is caught, as the original assertion would catch it
    off = values[:-1] + ["0" if values[-1] != "0" else "1"]
    assert judge_values(lang, block, off)[1][0] == len(values) - 1


# (expected literal, actual JavaScript expression): node's own assert.deepEqual decides.
NODE_CASES = [("0", '"0"'), ("0", '""'), ("0", "false"), ("0", "null"), ("0", "-0"), ("1", '" 1 "'),
              ("16", '"0x10"'), ("undefined", "null"), ("[undefined, 1]", "[null, 1]"),
              ("NaN", "NaN"), ("NaN", '"NaN"'), ("Infinity", '"Infinity"'),
              ("[1, 2]", "({0: 1, 1: 2})"), ('{"a": 2, "b": 2}', "({b: 2, a: 2})"),
              ('{"a": 2}', "({a: 2, b: 0})"), ('{"a": 2}', "({a: '2'})"), ('["1"]', "[1]"),
              ("[]", "Object.assign([], {x: 1})"), ("{}", "Promise.resolve(1)"), ("{}", "new Map()"),
              ("1", "new Number(1)"), ("[undefined]", "[,]"), ("{}", "[]"),
              ('{"x": 1}', "new (class A { constructor() { this.x = 1; } })()"),
              ("1", "1n"), ("10n", '"10"'), ("[[1, 2]]", "[[1, '2']]"), ("[false]", '[""]'),
              ("0.3", "0.1 + 0.2"), ('"abc"', "new String('abc')"), ("{}", "(() => {})"),
              ('"1,2"', "[1, 2]"), ('{"a": undefined}', "({})"), ('{"a": undefined}', "({a: null})"),
              ("[]", "new Set()"), ('{"$js": "undefined"}', "undefined"),
              ('{"$js": "undefined"}', '({$js: "undefined"})')]


def test_javascript_judge_agrees_with_node_deep_equal(pool):
    from pipeline.sandbox import Limits, Program

    funcs = "".join(f"function f{i}() {{ return {a}; }}\n" for i, (_, a) in enumerate(NODE_CASES))
    checks = "".join(f"try {{ assert.deepEqual(f{i}(), {e}); verdicts.push(true); }} "
                     f"catch (err) {{ verdicts.push(false); }}\n" for i, (e, _) in enumerate(NODE_CASES))
    code = (funcs + "const assert = require('assert');\nconst verdicts = [];\n" + checks
            + "console.log(JSON.stringify(verdicts));\nfunction f(x){\n}\n")
    blocks = [_block("javascript", (f"f{i}()", e)) for i, (e, _) in enumerate(NODE_CASES)]
    outcomes = pool.run_batch([Program(code, mode="assert", call=b, language="javascript")
                               for b in blocks], [Limits(cpu_s=5)] * len(blocks))
    node = json.loads(outcomes[0].stdout)
    assert len(node) == len(NODE_CASES)
    for case, verdict, o, block in zip(NODE_CASES, node, outcomes, blocks):
        n, mismatch = judge_values("javascript", block, list(o.record.values))
        assert (mismatch is None) == verdict, (case, verdict, o.record.values, mismatch)
