"""Go (the go command, CGO off): compiled once per source, the binary run for each test.

The Go runtime reserves address space it never touches, so memory is bounded by the slot's
cgroup, not by RLIMIT_AS. An ``assert`` program is MultiPL-E's: a ``_test.go`` file (the
solution and a table-driven ``Test…`` function) built by ``go test -c``, with a
``TestMain`` added in the same package that writes the completion marker only when every
test passed (a failed test is WA; ``os.Exit`` in the solution never reaches the marker).
"""

from __future__ import annotations

import re

from ..values import Outcome
from . import MARKER, Language, Source, register

_PACKAGE = re.compile(r"^\s*package\s+(\w+)", re.M)
_TEST_MAIN = """package %s

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		os.NewFile(3, "result").Write([]byte(`%s`))
	}
	os.Exit(code)
}
"""


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
        text = f"{code}\n{call}\n"
        found = _PACKAGE.search(text)
        package = found.group(1) if found else "main"
        return Source({"main_test.go": text, "dj_main_test.go": _TEST_MAIN % (package, MARKER)},
                      ("{bin}/main",),
                      compile=(("go", "test", "-c", "-o", "main", "main_test.go",
                                "dj_main_test.go"),))

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        if outcome.exit_code == 0 and outcome.signal is None:
            return None
        if "out of memory" in stderr:
            return "MemoryError"
        if b"--- FAIL" in outcome.stdout:
            return "AssertionError"
        return None


register(Go())
