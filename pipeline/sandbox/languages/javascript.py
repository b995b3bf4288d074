"""JavaScript (Node.js): checked once per source with ``node --check`` (a syntax error is
CE), then run by ``node`` for each test.

V8 reserves gigabytes of address space it never touches, so memory is bounded by the slot's
cgroup and by V8's own heap limit (``--max-old-space-size``), not by RLIMIT_AS. An
``assert`` program is MultiPL-E's (the solution, then a test block that calls ``test()``);
a line after the block writes the completion marker, reached only when every assertion
passed and nothing ended the process first.
"""

from __future__ import annotations

import json

from ..values import Outcome
from . import MARKER, Language, Source, register


class JavaScript(Language):
    name = "javascript"
    aliases = ("js", "node", "nodejs")
    tools = ("node",)
    package = "nodejs"
    compile = (("node", "--check", "main.js"),)
    keep = ("main.js",)
    address_space = False
    processes = 32          # node starts ~7 threads (V8 workers, libuv pool) before any code

    def source(self, code: str, mode: str, call: str) -> Source:
        text = code
        if mode == "assert":
            text = (f"{code}\n{call}\n;require('fs').writeSync(3, {json.dumps(MARKER)});\n")
        return Source({"main.js": text},
                      ("node", "--max-old-space-size={mem}", "--stack-size=8000",
                       "{bin}/main.js"))

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        if outcome.exit_code == 0 and outcome.signal is None:
            return None
        if "heap out of memory" in stderr or "Allocation failed" in stderr:
            return "MemoryError"
        if "AssertionError" in stderr:
            return "AssertionError"
        return None


register(JavaScript())
