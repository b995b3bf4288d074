"""C++ (GNU g++, C++17, -O2): compiled once per source, the binary run for each test.

``#include <bits/stdc++.h>`` as a program's first include is read from a precompiled header
(:func:`pch`): 0.5 s of CPU per compile instead of 2.9 s (measured on the project machine).
The header is the toolchain's, not the program's, so it is built on the host, once per
machine and compiler, and the sandbox sees it read-only at ``/pch``.

An ``assert`` program is MultiPL-E's solution with a generated ``main`` in place of the test
block's: it evaluates each assertion's left-hand side in order and writes its value as one
line of JSON on the result descriptor at once (a template emitter, placed after the
program's leading includes so that the PCH still applies and so that no macro of the program
can reach it). The right-hand sides never enter the program: the judges compare the lines
with them outside (:mod:`judges.assert_values`), so a redefined ``assert``, a forged
record or an ``operator==`` of the program's own decides nothing; a program that ends early
has simply emitted fewer values.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path

from ..values import Outcome
from . import Language, Source, register
from .syntax import block, call_args, mask, split_top, statements

FLAGS = ("-std=c++17", "-O2", "-pipe", "-DONLINE_JUDGE")

_MAIN = re.compile(r"\bint\s+main\s*\(\s*(?:void)?\s*\)\s*\{")
_LEADING = re.compile(r"\A(?:[ \t]*(?:#[^\n]*|//[^\n]*)?\n)*")
_ASSERT = re.compile(r"\s*assert\s*\(")
_ALIAS = re.compile(r"\s*(?:const\s+)?auto\s*&?\s*(\w+)\s*=\s*(?:&\s*)?([A-Za-z_][\w:]*)\s*\Z")

# MultiPL-E gives a function that returns "one of several types" an untagged union whose
# operator== reads whichever member it is asked for. Made a struct that records which
# constructor ran, it can be printed: the emitter prints the member that was set.
_UNION = re.compile(r"\bunion\s+(Union_\w+)\s*\{")
_UNION_CTOR = re.compile(r"(\b(Union_\w+)\s*\(\s*[^()]*?\b_f(\d+)\s*\)\s*:\s*f\3\s*\(\s*_f\3\s*\))")

_MEMBERS = 8
_EMITTER = r"""
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <unistd.h>
namespace dj_values {
template <class T, class = void> struct is_range : std::false_type {};
template <class T> struct is_range<T, std::void_t<decltype(std::begin(std::declval<const T&>())),
    decltype(std::end(std::declval<const T&>()))>> : std::true_type {};
template <class T, class = void> struct is_map : std::false_type {};
template <class T> struct is_map<T, std::void_t<typename T::key_type, typename T::mapped_type>>
    : std::true_type {};
template <class T, class = void> struct is_set : std::false_type {};
template <class T> struct is_set<T, std::void_t<typename T::key_type>> : std::true_type {};
template <class T, class = void> struct is_tuple : std::false_type {};
template <class T> struct is_tuple<T, std::void_t<decltype(std::tuple_size<T>::value)>>
    : std::true_type {};
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_variant : std::false_type {};
template <class... T> struct is_variant<std::variant<T...>> : std::true_type {};
template <class T, class = void> struct is_union : std::false_type {};
template <class T> struct is_union<T, std::void_t<decltype(std::declval<const T&>().dj_which)>>
    : std::true_type {};
%(members)s
template <class T> void put(std::string& out, const T& v);
template <class T> void put_union(std::string& out, const T& v);

inline void put_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') { out += '\\'; out += (char)c; }
    else if (c < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%%04x", c); out += b; }
    else out += (char)c;
  }
  out += '"';
}

inline void put_double(std::string& out, double d) {
  if (std::isnan(d)) { out += "NaN"; return; }
  if (std::isinf(d)) { out += d > 0 ? "Infinity" : "-Infinity"; return; }
  char b[40];
  std::snprintf(b, sizeof b, "%%.17g", d);   // 17 digits: the exact double
  out += b;
}

template <class T> void put(std::string& out, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::nullopt_t> || std::is_same_v<T, std::nullptr_t>
                       || std::is_same_v<T, std::monostate>) {
    out += "null";
  } else if constexpr (std::is_enum_v<T>) {
    put(out, static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_integral_v<T>) {
    if constexpr (std::is_signed_v<T>) out += std::to_string((long long)v);
    else out += std::to_string((unsigned long long)v);
  } else if constexpr (std::is_floating_point_v<T>) {
    put_double(out, (double)v);
  } else if constexpr (std::is_pointer_v<T> && std::is_convertible_v<T, const char*>) {
    if (v) put_string(out, v); else out += "null";
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    put_string(out, std::string_view(v));
  } else if constexpr (is_optional<T>::value) {
    if (v) put(out, *v); else out += "null";
  } else if constexpr (is_variant<T>::value) {
    if (v.valueless_by_exception()) out += "null";
    else std::visit([&](const auto& x) { put(out, x); }, v);
  } else if constexpr (is_union<T>::value) {
    put_union(out, v);
  } else if constexpr (is_map<T>::value || is_set<T>::value || is_range<T>::value) {
    out += is_map<T>::value ? "{\"$map\":[" : is_set<T>::value ? "{\"$set\":[" : "[";
    bool first = true;
    for (const auto& x : v) {
      if (!first) out += ',';
      first = false;
      if constexpr (is_map<T>::value) {
        out += '['; put(out, x.first); out += ','; put(out, x.second); out += ']';
      } else {
        put(out, x);
      }
    }
    out += is_map<T>::value || is_set<T>::value ? "]}" : "]";
  } else if constexpr (is_tuple<T>::value) {
    out += '[';
    std::apply([&](const auto&... xs) {
      bool first = true;
      ((out += first ? "" : ",", first = false, put(out, xs)), ...);
    }, v);
    out += ']';
  } else {
    out += "{\"$unprintable\":true}";
  }
}

template <class T> void put_union(std::string& out, const T& v) {
  switch (v.dj_which) {
%(cases)s
  }
  out += "{\"$unprintable\":true}";
}

template <class T> void emit(const T& v) {
  std::string out;
  put(out, v);
  out += '\n';
  const char* p = out.data();
  size_t n = out.size();
  while (n) {
    ssize_t w = ::write(3, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= (size_t)w;
  }
}
}  // namespace dj_values
""" % {
    "members": "\n".join(
        f"template <class T, class = void> struct has_f{i} : std::false_type {{}};\n"
        f"template <class T> struct has_f{i}<T, std::void_t<decltype(std::declval<const T&>()"
        f".f{i})>> : std::true_type {{}};" for i in range(_MEMBERS)),
    "cases": "\n".join(
        f"    case {i}: if constexpr (has_f{i}<T>::value) {{ put(out, v.f{i}); return; }} break;"
        for i in range(_MEMBERS)),
}


def _steps(tests: str) -> tuple[str, list[str], list[tuple[str, str]]]:
    """``(text before main, statements of the new main, assertions)`` of a test block."""
    masked = mask(tests, "cpp")
    start, brace, end = block(tests, masked, _MAIN)
    if tests[end + 1:].strip():
        raise ValueError("code after the test block's main")
    steps, pairs = [], []
    for piece, mpiece in statements(tests[brace + 1:end], masked[brace + 1:end]):
        inner = call_args(piece, mpiece, _ASSERT)
        if inner is not None:
            sides = split_top(inner, "==", "cpp")
            if len(sides) != 2:
                raise ValueError(f"not an assert(ACTUAL == EXPECTED): {piece.strip()[:200]}")
            actual, expected = (s.strip() for s in sides)
            if not actual or not expected:
                raise ValueError(f"empty side in {piece.strip()[:200]}")
            pairs.append((actual, expected))
            steps.append(f"dj_values::emit({actual});")
        elif _ALIAS.match(mpiece) and "\n" not in piece.strip():
            steps.append(piece.strip() + ";")
        else:
            raise ValueError(f"not an assert or an alias in main: {piece.strip()[:200]}")
    if not pairs:
        raise ValueError("no assert(...) in the test block's main")
    return tests[:start], steps, pairs


def assertions(test_block: str) -> list[tuple[str, str]]:
    """The ``(actual, expected)`` expressions of a MultiPL-E C++ test block, in order.

    >>> assertions("}\\nint main() {\\n  auto candidate = f;\\n  assert(candidate((1), (2)) == (3));\\n"
    ...            "  assert(candidate(2, 3) == -1);\\n}\\n")
    [('candidate((1), (2))', '(3)'), ('candidate(2, 3)', '-1')]
    """
    return _steps(test_block)[2]


def _tagged_unions(code: str) -> str:
    if "Union_" not in code:
        return code
    code = _UNION_CTOR.sub(r"\1, dj_which(\3)", code)
    return _UNION.sub(r"struct \1 { int dj_which = -1;", code)


def assert_program(code: str, tests: str) -> str:
    """The solution and a ``main`` that emits the value of each assertion's left side.

    >>> src = assert_program("#include <cassert>\\nint f() { return 1; }",
    ...                      "int main() { auto candidate = f; assert(candidate() == 7); }")
    >>> src.index("#include <cassert>") < src.index("namespace dj_values") < src.index("int f()")
    True
    >>> src[src.index("int main"):].split()
    ['int', 'main()', '{', 'auto', 'candidate', '=', 'f;', 'dj_values::emit(candidate());', 'return', '0;', '}']
    """
    lead = _LEADING.match(code).end()          # keep the includes first: the PCH needs it
    try:
        head, steps, _ = _steps(tests)
    except ValueError:
        # An unreadable block emits nothing; the judges report it (SE), not the program.
        found = _MAIN.search(mask(tests, "cpp"))
        head, steps = (tests[:found.start()] if found else ""), []
    body = "".join(f"    {s}\n" for s in steps)
    return (code[:lead] + _EMITTER + _tagged_unions(code[lead:]) + "\n" + head
            + "int main() {\n" + body + "    return 0;\n}\n")


class Cpp(Language):
    name = "cpp"
    aliases = ("c++", "cpp17", "gnu++17", "cxx")
    tools = ("g++",)
    package = "g++"
    keep = ("main",)

    def source(self, code: str, mode: str, call: str) -> Source:
        text = assert_program(code, call) if mode == "assert" else code
        return Source({"main.cpp": text}, ("{bin}/main",))

    def compile_commands(self, pch: str | None) -> tuple[tuple[str, ...], ...]:
        include = ("-I", pch, "-Winvalid-pch") if pch else ()
        return (("g++", *FLAGS, *include, "-o", "main", "main.cpp"),)

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        if "std::bad_alloc" in stderr:
            return "MemoryError"
        return None


LANGUAGE = register(Cpp())

PCH_ROOT = "/pch"
"""Where the sandbox sees :func:`pch_root`."""
_PCH_LOCK = threading.Lock()


def pch_root() -> Path:
    """The host folder of precompiled headers (bound read-only into every sandbox)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "daskjudge" / "pch"


def pch(level: str | None) -> str | None:
    """The ``-I`` folder holding ``bits/stdc++.h.gch`` for :data:`FLAGS`, as a program
    compiled at isolation ``level`` sees it; built on first use. ``None`` when it cannot
    be built (compiles then read the header itself)."""
    cpp = LANGUAGE
    if cpp.missing():
        return None
    tag = hashlib.sha256((cpp.version + repr(FLAGS)).encode()).hexdigest()[:16]
    folder = pch_root() / tag
    gch = folder / "bits" / "stdc++.h.gch"
    with _PCH_LOCK:
        if not gch.exists() and not _build_pch(gch):
            return None
    return f"{PCH_ROOT}/{tag}" if level in ("full", "rootless") else str(folder)


def _build_pch(gch: Path) -> bool:
    try:
        gch.parent.mkdir(parents=True, exist_ok=True)
        with open(pch_root() / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)            # one build per machine
            if gch.exists():
                return True
            pre = subprocess.run(["g++", *FLAGS, "-x", "c++", "-E", "-"], capture_output=True,
                                 input=b"#include <bits/stdc++.h>\n", timeout=120)
            m = re.search(rb'^# 1 "([^"]+/bits/stdc\+\+\.h)"', pre.stdout, re.M)
            if m is None:
                return False
            fd, tmp = tempfile.mkstemp(dir=gch.parent, suffix=".gch")
            os.close(fd)
            r = subprocess.run(["g++", *FLAGS, "-x", "c++-header", m.group(1).decode(),
                                "-o", tmp], capture_output=True, timeout=600)
            if r.returncode:
                os.unlink(tmp)
                return False
            os.chmod(tmp, 0o644)
            os.replace(tmp, gch)
            return True
    except (OSError, subprocess.SubprocessError):
        return False
