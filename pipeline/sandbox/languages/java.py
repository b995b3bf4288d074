"""Java (OpenJDK): compiled once per source by ``javac``, the classes run by ``java``.

The JVM reserves far more address space than it uses, so memory is bounded by the slot's
cgroup and by the heap limit (``-Xmx``), never by RLIMIT_AS. The main class is the
top-level class that declares ``main``; the file is named after the public class, if any.
An ``assert`` program is MultiPL-E's (``class Problem`` whose ``main`` holds the asserts):
it runs with ``-ea`` through a small launcher class that calls that ``main`` and writes the
completion marker only when it returned.
"""

from __future__ import annotations

import re

from ..values import Outcome
from . import MARKER, Language, Source, register

_CLASS = re.compile(r"\b(public\s+)?(?:(?:final|abstract|static|strictfp)\s+)*class\s+([A-Za-z_$][\w$]*)")
_MAIN = re.compile(r"\bstatic\s+(?:final\s+)?(?:public\s+)?void\s+main\s*\(")
_NOISE = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
_JVM = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto")

_LAUNCHER = """public class DjAssert {
    public static void main(String[] args) throws Throwable {
        %s.main(args);
        try (java.io.FileOutputStream out = new java.io.FileOutputStream("/proc/self/fd/3")) {
            out.write("%s".getBytes());
        }
    }
}
"""


def top_level_classes(code: str) -> list[tuple[str, bool, bool]]:
    """``(name, public, declares main)`` of each top-level class, in order.

    >>> top_level_classes('class A { static class B { public static void main(String[] a) {} } }\\n'
    ...                   'public class Main { public static void main(String[] x) {} }')
    [('A', False, True), ('Main', True, True)]
    """
    text = _NOISE.sub(lambda m: " " * len(m.group()), code)   # same offsets, no strings
    found, depth, at = [], 0, 0
    for m in _CLASS.finditer(text):
        depth += text.count("{", at, m.start()) - text.count("}", at, m.start())
        at = m.start()
        if depth:
            continue
        start = text.find("{", m.end())
        if start < 0:
            break
        level, end = 0, len(text)
        for i in range(start, len(text)):
            level += {"{": 1, "}": -1}.get(text[i], 0)
            if level == 0:
                end = i
                break
        found.append((m.group(2), bool(m.group(1)), bool(_MAIN.search(text, start, end))))
    return found


class Java(Language):
    name = "java"
    aliases = ("java17", "java11", "java8")
    tools = ("javac", "java")
    package = "default-jdk-headless"
    keep = ("*.class",)
    address_space = False
    processes = 64          # the JVM's own threads (GC, compiler, finaliser, signals …)

    def source(self, code: str, mode: str, call: str) -> Source:
        text = f"{code}\n{call}\n" if mode == "assert" else code
        classes = top_level_classes(text)
        public = [name for name, pub, _ in classes if pub]
        mains = [name for name, _, has_main in classes if has_main]
        file = f"{public[0] if public else 'Main'}.java"
        main = (public if public and public[0] in mains else mains or public or ["Main"])[0]
        files = {file: text}
        flags = ()
        if mode == "assert":
            files["DjAssert.java"] = _LAUNCHER % (main, MARKER.replace('"', '\\"'))
            main, flags = "DjAssert", ("-ea",)
        return Source(files, ("java", "-Xmx{mem}m", "-Xss64m", *_JVM, *flags,
                              "-cp", "{bin}", main))

    def compile_commands(self, pch: str | None) -> tuple[tuple[str, ...], ...]:
        return (("javac", "-J-Xmx512m", *(f"-J{f}" for f in _JVM), "-encoding", "UTF-8",
                 "-nowarn", "-d", ".", "@sources"),)

    def error_type(self, stderr: str, outcome: Outcome) -> str | None:
        if outcome.exit_code == 0 and outcome.signal is None:
            return None
        if "java.lang.OutOfMemoryError" in stderr:
            return "MemoryError"
        if "java.lang.AssertionError" in stderr:
            return "AssertionError"
        m = re.search(r"Exception in thread \"main\" ([\w.$]+)", stderr)
        return m.group(1).rsplit(".", 1)[-1] if m else None


register(Java())
