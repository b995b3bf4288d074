"""JavaScript (Node.js): checked once per source with ``node --check`` (a syntax error is
CE), then run by ``node`` for each test.

V8 reserves gigabytes of address space it never touches, so memory is bounded by the slot's
cgroup and by V8's own heap limit (``--max-old-space-size``), not by RLIMIT_AS. An
``assert`` program is MultiPL-E's solution followed by a generated block in place of the
test block's ``test()``: it evaluates each ``assert.deepEqual``'s first argument in order
and writes the value as one line of tagged JSON on the result descriptor at once. The
writer is preloaded (``--require``) before the solution runs and holds its own copies of
the built-ins it uses, so patching ``require('assert')``, ``JSON`` or ``Object.prototype``
changes nothing; the expected values never enter the program, the judges compare outside
(:mod:`judges.assert_values`), and a program that exits early has emitted fewer values.
"""

from __future__ import annotations

import re

from ..values import Outcome
from . import Language, Source, register
from .syntax import block, call_args, mask, split_top, statements

_TEST = re.compile(r"\bfunction\s+(\w+)\s*\(\s*\)\s*\{")
_DEEP_EQUAL = re.compile(r"\s*assert\s*\.\s*deepEqual\s*\(")
_ALIAS = re.compile(r"\s*(?:let|const|var)\s+(\w+)\s*=\s*([A-Za-z_$][\w$.]*)\s*\Z")
_REQUIRE = re.compile(r"\s*(?:const|let|var)\s+assert\s*=\s*require\s*\(\s*['\"](?:node:)?assert"
                      r"['\"]\s*\)\s*\Z")
_CALL = re.compile(r"\s*(\w+)\s*\(\s*\)\s*\Z")
_QUOTED = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'', re.S)

# Tags: {"$js": "undefined" | "NaN" | "Infinity" | "-Infinity" | "hole" | "symbol" |
# "function" | "bigint" (v: digits) | "map" (v: [[k, v]…]) | "set" (v: […]) | "date" (v: ms) |
# "boxed" (v) | "array+" (an array with extra own keys, v: […]) | "object" (an object with a
# "$js" key, v: [[k, v]…]) | "tag" (an object whose toStringTag is not Object: tag, v: {…}) |
# "deep" (nesting or size past the bound)}.
_PRELOAD = r"""'use strict';
(() => {
  const fs = require('fs');
  const writeSync = fs.writeSync, stringify = JSON.stringify, isArray = Array.isArray;
  const keys = Object.keys, toTag = Object.prototype.toString, has = Object.prototype.hasOwnProperty;
  const call = Function.prototype.call;
  const c = (f) => call.bind(f);
  const tagOf = c(toTag), hasOwn = c(has), bigintString = c(BigInt.prototype.toString);
  const mapForEach = c(Map.prototype.forEach), setForEach = c(Set.prototype.forEach);
  const getTime = c(Date.prototype.getTime), valueOfNumber = c(Number.prototype.valueOf);
  const valueOfString = c(String.prototype.valueOf), valueOfBoolean = c(Boolean.prototype.valueOf);
  const MAX_NODES = 1000000, MAX_DEPTH = 200;
  let nodes = 0;
  const num = (v) => v !== v ? '{"$js":"NaN"}' : v === Infinity ? '{"$js":"Infinity"}'
    : v === -Infinity ? '{"$js":"-Infinity"}' : stringify(v);
  const ser = (v, depth) => {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) return '{"$js":"deep"}';
    switch (typeof v) {
      case 'undefined': return '{"$js":"undefined"}';
      case 'boolean': return v ? 'true' : 'false';
      case 'number': return num(v);
      case 'string': return stringify(v);
      case 'bigint': return '{"$js":"bigint","v":"' + bigintString(v) + '"}';
      case 'symbol': return '{"$js":"symbol"}';
      case 'function': return '{"$js":"function"}';
    }
    if (v === null) return 'null';
    const tag = tagOf(v), d = depth + 1;
    if (isArray(v)) {
      let out = '[', n = v.length;
      if (n > MAX_NODES) return '{"$js":"deep"}';
      let holes = 0;
      for (let i = 0; i < n; i++) {
        if (i) out += ',';
        if (hasOwn(v, i)) out += ser(v[i], d); else { out += '{"$js":"hole"}'; holes++; }
      }
      out += ']';
      return keys(v).length + holes === n ? out : '{"$js":"array+","v":' + out + '}';
    }
    if (tag === '[object Map]') {
      let out = '{"$js":"map","v":[', first = true;
      mapForEach(v, (val, key) => { out += (first ? '' : ',') + '[' + ser(key, d) + ',' + ser(val, d) + ']'; first = false; });
      return out + ']}';
    }
    if (tag === '[object Set]') {
      let out = '{"$js":"set","v":[', first = true;
      setForEach(v, (val) => { out += (first ? '' : ',') + ser(val, d); first = false; });
      return out + ']}';
    }
    if (tag === '[object Date]') return '{"$js":"date","v":' + num(getTime(v)) + '}';
    if (tag === '[object Number]') return '{"$js":"boxed","v":' + num(valueOfNumber(v)) + '}';
    if (tag === '[object String]') return '{"$js":"boxed","v":' + stringify(valueOfString(v)) + '}';
    if (tag === '[object Boolean]') return '{"$js":"boxed","v":' + (valueOfBoolean(v) ? 'true' : 'false') + '}';
    const ks = keys(v);
    let out = '{', plain = true;
    for (let i = 0; i < ks.length; i++) {
      if (ks[i] === '$js') plain = false;
      out += (i ? ',' : '') + stringify(ks[i]) + ':' + ser(v[ks[i]], d);
    }
    out += '}';
    if (!plain) {
      out = '{"$js":"object","v":[';
      for (let i = 0; i < ks.length; i++) out += (i ? ',' : '') + '[' + stringify(ks[i]) + ',' + ser(v[ks[i]], d) + ']';
      out += ']}';
    }
    return tag === '[object Object]' ? out : '{"$js":"tag","tag":' + stringify(tag) + ',"v":' + out + '}';
  };
  const emit = (v) => { nodes = 0; writeSync(3, ser(v, 0) + '\n'); };
  Object.defineProperty(globalThis, '__dj_emit', { value: emit, writable: false, configurable: false, enumerable: false });
})();
"""


def _steps(tests: str) -> tuple[list[str], list[tuple[str, str]]]:
    masked = mask(tests, "js")
    start, brace, end = block(tests, masked, _TEST)
    name = _TEST.match(masked, start).group(1)
    for outer, mouter in ((tests[:start], masked[:start]), (tests[end + 1:], masked[end + 1:])):
        for piece, mpiece in statements(outer, mouter):
            call = _CALL.match(mpiece)
            if not (_REQUIRE.match(piece) or (call and call.group(1) == name)):
                raise ValueError(f"unexpected code around the test function: {piece.strip()[:200]}")
    steps, pairs = [], []
    for piece, mpiece in statements(tests[brace + 1:end], masked[brace + 1:end]):
        args = call_args(piece, mpiece, _DEEP_EQUAL)
        if args is not None:
            parts = [p.strip() for p in split_top(args, ",", "js")]
            if len(parts) < 2 or not parts[0] or not parts[1] or any(not p for p in parts[2:]):
                raise ValueError(f"not an assert.deepEqual(ACTUAL, EXPECTED): {piece.strip()[:200]}")
            pairs.append((parts[0], parts[1]))
            steps.append(f"__dj_emit({_escape_newlines(parts[0])});")
        elif _ALIAS.match(mpiece) and "\n" not in piece.strip():
            steps.append(piece.strip() + ";")
        else:
            raise ValueError(f"not an assert.deepEqual or an alias in {name}(): {piece.strip()[:200]}")
    if not pairs:
        raise ValueError("no assert.deepEqual(...) in the test block")
    return steps, pairs


def _escape_newlines(expr: str) -> str:
    """Raw newlines inside quoted strings written as ``\\n``: one MultiPL-E test has them,
    which no JavaScript parser accepts."""
    return _QUOTED.sub(lambda m: m.group().replace("\r", "\\r").replace("\n", "\\n"), expr)


def assertions(test_block: str) -> list[tuple[str, str]]:
    """The ``(actual, expected)`` expressions of a MultiPL-E JavaScript test block.

    >>> assertions("const assert = require('node:assert');\\nfunction test() {\\n"
    ...            "  let candidate = f;\\n  assert.deepEqual(candidate([1, 2], 'a,b'),[3]);\\n}\\ntest();\\n")
    [("candidate([1, 2], 'a,b')", '[3]')]
    """
    return _steps(test_block)[1]


def assert_program(code: str, tests: str) -> str:
    """The solution, then a block that emits the value of each assertion's first argument."""
    try:
        steps = _steps(tests)[0]
    except ValueError:
        steps = []          # an unreadable block emits nothing; the judges report it (SE)
    body = "".join(f"  {s}\n" for s in steps)
    return f"{code}\n;(function () {{\n{body}}})();\n"


class JavaScript(Language):
    name = "javascript"
    aliases = ("js", "node", "nodejs")
    tools = ("node",)
    package = "nodejs"
    compile = (("node", "--check", "main.js"),)
    keep = ("*.js",)
    address_space = False
    processes = 32          # node starts ~7 threads (V8 workers, libuv pool) before any code

    def source(self, code: str, mode: str, call: str) -> Source:
        run = ("node", "--max-old-space-size={mem}", "--stack-size=8000")
        if mode != "assert":
            return Source({"main.js": code}, (*run, "{bin}/main.js"))
        return Source({"main.js": assert_program(code, call), "dj_values.js": _PRELOAD},
                      (*run, "--require", "{bin}/dj_values.js", "{bin}/main.js"))

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        if outcome.exit_code == 0 and outcome.signal is None:
            return None
        if "heap out of memory" in stderr or "Allocation failed" in stderr:
            return "MemoryError"
        if "AssertionError" in stderr:
            return "AssertionError"
        return None


register(JavaScript())
