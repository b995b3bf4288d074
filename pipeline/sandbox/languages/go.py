"""Go (the go command, CGO off): compiled once per source, the binary run for each test.

The Go runtime reserves address space it never touches, so memory is bounded by the slot's
cgroup, not by RLIMIT_AS. An ``assert`` program is MultiPL-E's: a ``_test.go`` file (the
solution and a table-driven ``Test…`` function) built by ``go test -c``. The test function
is replaced by one that evaluates each row's ``actual`` in order and writes
``fmt.Sprintf("%v", actual)`` (the test's own comparison form) as one JSON string per line
on the result descriptor at once. The ``expected`` column never enters the program: the
judges render it as ``%v`` would and compare outside (:mod:`judges.assert_values`), and a
program that exits early (``os.Exit`` in an ``init``, say) has emitted fewer values.
"""

from __future__ import annotations

import re

from ..values import Outcome
from . import Language, Source, register
from .syntax import block, mask, split_top, statements

# ``[ \t]*``, not ``\s*``: a ``\s*`` after ``^`` ran from every line start over all the
# blank lines below it, and a solution of 20 kB of newlines took 0.9 s to prepare here.
_PACKAGE = re.compile(r"^[ \t]*package\s+(\w+)", re.M)
_TEST = re.compile(r"\bfunc\s+(Test\w*)\s*\(\s*(\w+)\s+\*\s*testing\s*\.\s*T\s*\)\s*\{")
_TABLE = re.compile(r"\b(\w+)\s*:=\s*\[\]\s*(\w+)\s*\{")
_ALIAS = re.compile(r"^[ \t]*(\w+)\s*:=\s*([A-Za-z_][\w.]*)[ \t]*;?[ \t]*$", re.M)
_COMPARE = re.compile(r'fmt\.Sprintf\("%v",\s*(\w+)\.actual\)\s*!=\s*fmt\.Sprintf\("%v",\s*\1\.expected\)')
_EMITTER = """package %s

import (
	"encoding/json"
	"os"
)

var djValues = os.NewFile(3, "values")

func djEmit(s string) {
	b, _ := json.Marshal(s)
	djValues.Write(append(b, '\\n'))
}
"""


def _steps(tests: str) -> tuple[str, list[str], list[tuple[str, str]]]:
    """``(text before the test function, its new body, (actual, expected) pairs)``."""
    masked = mask(tests, "go")
    start, brace, end = block(tests, masked, _TEST)
    name, t = _TEST.match(masked, start).groups()
    if tests[end + 1:].strip():
        raise ValueError("code after the test function")
    body, mbody = tests[brace + 1:end], masked[brace + 1:end]
    if not _COMPARE.search(re.sub(r"\s+", " ", body)):
        raise ValueError('the test does not compare fmt.Sprintf("%v", …) of actual and expected')
    tstart, tbrace, tend = block(body, mbody, _TABLE)
    steps = []
    for m in _ALIAS.finditer(mbody[:tstart]):
        # the original table used the alias; the emits may not, and Go refuses an unused one
        steps += [f"{m.group(1)} := {m.group(2)}", f"_ = {m.group(1)}"]
    pairs = []
    for entry, mentry in statements(body[tbrace + 1:tend], mbody[tbrace + 1:tend], ","):
        e, me = entry.strip(), mentry.strip()
        if not (me.startswith("{") and me.endswith("}")):
            raise ValueError(f"not a {{ actual: …, expected: … }} row: {e[:200]}")
        fields = {}
        for field in split_top(e[1:-1], ",", "go"):
            if not field.strip():
                continue
            key, *value = split_top(field, ":", "go")
            fields[key.strip()] = ":".join(value).strip()
        if set(fields) != {"actual", "expected"} or not all(fields.values()):
            raise ValueError(f"not a {{ actual: …, expected: … }} row: {e[:200]}")
        pairs.append((fields["actual"], fields["expected"]))
        steps.append(f'djEmit(fmt.Sprintf("%v", {fields["actual"]}))')
    if not pairs:
        raise ValueError("no rows in the test table")
    lines = "".join(f"\t{s.strip()}\n" for s in steps)
    return tests[:start], [f"func {name}({t} *testing.T) {{\n{lines}}}\n"], pairs


def assertions(test_block: str) -> list[tuple[str, str]]:
    """The ``(actual, expected)`` expressions of a MultiPL-E Go test table, in order.

    >>> assertions('func TestF(t *testing.T) {\\n  candidate := f\\n  type test struct {\\n'
    ...            '    actual interface{}\\n    expected interface{}\\n  }\\n  tests := []test{\\n'
    ...            '    { actual: candidate("a", 1), expected: map[string]int{"a": 1} },\\n  }\\n'
    ...            '  for i, tc := range tests {\\n    t.Run(fmt.Sprintf("%d", i), func(t *testing.T) {\\n'
    ...            '      if fmt.Sprintf("%v", tc.actual) != fmt.Sprintf("%v", tc.expected) {\\n'
    ...            '        t.Errorf("no")\\n      }\\n    })\\n  }\\n}\\n')
    [('candidate("a", 1)', 'map[string]int{"a": 1}')]
    """
    return _steps(test_block)[2]


def assert_program(code: str, tests: str) -> str:
    """The solution and a test function that emits each row's ``actual``."""
    try:
        head, func, _ = _steps(tests)
    except ValueError:
        # An unreadable block emits nothing; the judges report it (SE), not the program.
        found = _TEST.search(mask(tests, "go"))
        head = tests[:found.start()] if found else ""
        func = ["func TestDjValues(t *testing.T) {\n\t_ = fmt.Sprint()\n}\n"]
    return f"{code}\n{head}{func[0]}"


class Go(Language):
    name = "go"
    aliases = ("golang",)
    tools = ("go",)
    package = "golang-go"
    compile = (("go", "build", "-o", "main", "main.go"),)
    compile_env = {"GOCACHE": "{scratch}/.gocache", "GOPATH": "{scratch}/.gopath",
                   "GO111MODULE": "off", "CGO_ENABLED": "0"}
    keep = ("main",)
    address_space = False
    processes = 32          # the runtime's own threads

    def source(self, code: str, mode: str, call: str) -> Source:
        if mode != "assert":
            return Source({"main.go": code}, ("{bin}/main",))
        text = assert_program(code, call)
        found = _PACKAGE.search(text)
        package = found.group(1) if found else "main"
        return Source({"main_test.go": text, "dj_values_test.go": _EMITTER % package},
                      ("{bin}/main",),
                      compile=(("go", "test", "-c", "-o", "main", "main_test.go",
                                "dj_values_test.go"),))

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        if outcome.exit_code == 0 and outcome.signal is None:
            return None
        if "out of memory" in stderr:
            return "MemoryError"
        if b"--- FAIL" in outcome.stdout:
            return "AssertionError"
        return None


register(Go())
