"""Take the program out of a model's answer: fenced Markdown blocks, by a named rule.

Rules (``RULES``):

- ``last_block``: the last fenced block whose info string names the language (any alias,
  e.g. ``py`` or ``python3`` for Python), else the last block with no info string; ``None``
  when there is neither. Blocks in another language are never taken.
- ``any_block``: the last fenced block, whatever its info string.
- ``whole``: the whole text (``None`` when it is blank).

Fences are lines opening with three or more backticks or tildes (up to three spaces of
indent), closed by a line of the same character at least as long. A final block that is
never closed (a generation cut off by its token limit) still counts, with a partial closing
fence at its end dropped. What to do with ``None`` is the caller's choice (the ``on_missing``
setting of the reward and of the dataset adapters).

>>> extract_code("Here:\\n```python\\nprint(1)\\n```\\nand better:\\n```py\\nprint(2)\\n```")
'print(2)\\n'
>>> extract_code("no code here") is None
True
"""

from __future__ import annotations

import re

RULES = ("last_block", "any_block", "whole")

ALIASES = {
    "python": ("python", "py", "python3", "py3", "pypy", "pypy3", "python2", "py2"),
    "cpp": ("cpp", "c++", "cc", "cxx", "hpp"),
    "c": ("c", "h"),
    "java": ("java",),
    "javascript": ("javascript", "js", "node", "nodejs", "jsx", "mjs"),
    "typescript": ("typescript", "ts", "tsx"),
    "go": ("go", "golang"),
    "rust": ("rust", "rs"),
    "kotlin": ("kotlin", "kt"),
    "csharp": ("csharp", "c#", "cs"),
    "ruby": ("ruby", "rb"),
    "bash": ("bash", "sh", "shell", "zsh"),
}
_NAME = {alias: lang for lang, names in ALIASES.items() for alias in names}

_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^`]*$")


def language_of(info: str) -> str | None:
    """The language an info string names (first word, braces and dots dropped), or None.

    >>> language_of("Python3"), language_of("{.cpp}"), language_of("py title=a.py"), language_of("")
    ('python', 'cpp', 'python', None)
    """
    word = info.strip().split(maxsplit=1)[0] if info.strip() else ""
    word = word.strip("{}").lstrip(".").lower()
    return _NAME.get(word, word or None)


def blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block as (info string, code), in order; an unclosed last block included.

    >>> blocks("a\\n~~~\\nx = 1\\n~~~\\n```js\\nf()\\n``")
    [('', 'x = 1\\n'), ('js', 'f()\\n')]
    """
    out: list[tuple[str, str]] = []
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i].rstrip("\r\n"))
        if not m:
            i += 1
            continue
        fence, info = m.group(1), m.group(2)
        body: list[str] = []
        i += 1
        closed = False
        while i < len(lines):
            stripped = lines[i].strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                closed = True
                i += 1
                break
            body.append(lines[i])
            i += 1
        if not closed and body:
            # Cut off mid-fence: a last line of only ` or ~ is the start of a closing fence.
            last = body[-1].strip()
            if last and set(last) == {fence[0]}:
                body.pop()
        out.append((info, "".join(body)))
    return out


def extract_code(text: str, *, language: str = "python", rule: str = "last_block") -> str | None:
    """The program in ``text`` by ``rule`` (see the module docstring), or None.

    >>> answer = "```\\nplain\\n```\\n```cpp\\nint main(){}\\n```"
    >>> extract_code(answer), extract_code(answer, rule="any_block")
    ('plain\\n', 'int main(){}\\n')
    >>> extract_code("```python\\nprint(3)", rule="last_block")
    'print(3)'
    >>> extract_code("  \\n", rule="whole") is None
    True
    """
    if rule not in RULES:
        raise ValueError(f"unknown extract rule {rule!r}; expected one of {', '.join(RULES)}")
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"extract_code takes a string, got {type(text).__name__}")
    if rule == "whole":
        return text if text.strip() else None
    found = blocks(text)
    if rule == "any_block":
        return found[-1][1] if found else None
    want = language_of(language) or language
    named = [code for info, code in found if info and language_of(info) == want]
    if named:
        return named[-1]
    bare = [code for info, code in found if not info]
    return bare[-1] if bare else None
