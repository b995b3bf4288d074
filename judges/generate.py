"""Write a checker with an LLM, and retry until one is valid.

The prompt is a template (``configs/judges/generate.md``; ``{statement}`` and ``{examples}``
are filled in) sent to any OpenAI-compatible endpoint (:class:`~judges.llm.LLM`). An answer
is invalid when it holds no Python code block, does not compile, or does not read its
argument files; when a ``validate`` function is given, also when the checker fails
validation. Each retry tells the model what was wrong with its previous answer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from .llm import LLM, LLMError
from .validate import Report

PROMPT = Path(__file__).resolve().parents[1] / "configs" / "judges" / "generate.md"
_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n(.*?)```", re.S)


@dataclass
class Generated:
    """The outcome of :func:`generate`: a valid checker (``source``) or ``None``."""

    source: str | None
    model: str
    prompt_sha256: str
    attempts: int
    report: Report | None = None
    errors: list[str] = field(default_factory=list)


def extract_code(answer: str) -> str | None:
    """The last Python (or unlabelled) fenced block of an answer.

    >>> extract_code("Here:\\n```python\\nimport sys\\n```\\nDone.")
    'import sys\\n'
    >>> extract_code("I cannot write this checker.") is None
    True
    """
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(answer)]
    python = [b for lang, b in blocks if lang in ("python", "python3", "py", "")]
    return python[-1] if python else None


def static_problem(source: str | None) -> str | None:
    """Why a checker cannot be right before running it, or ``None``.

    >>> static_problem("import sys\\nprint(open(sys.argv[2]).read())")
    >>> static_problem("def f(:")
    'does not compile: invalid syntax (line 1)'
    """
    if source is None:
        return "the answer holds no Python code block"
    try:
        compile(source, "checker.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        return f"does not compile: {getattr(exc, 'msg', exc)} (line {getattr(exc, 'lineno', '?')})"
    if "argv" not in source:
        return "does not read its argument files (sys.argv)"
    return None


def examples_text(tests: Sequence[tuple[str, str]], n: int = 3, clip: int = 800) -> str:
    parts = []
    for k, (inp, out) in enumerate(tests[:n]):
        parts.append(f"--- input {k + 1}\n{inp[:clip]}\n--- expected output {k + 1}\n{out[:clip]}")
    return "\n".join(parts)


def prompt_hash(template: str) -> str:
    return hashlib.sha256(template.encode()).hexdigest()


def generate(statement: str, tests: Sequence[tuple[str, str]], llm: LLM, *,
             validate: Callable[[str], Report] | None = None, attempts: int = 3,
             prompt: Path = PROMPT) -> Generated:
    """Ask for a checker up to ``attempts`` times; return the first valid one."""
    template = Path(prompt).read_text()
    result = Generated(None, llm.model, prompt_hash(template), 0)
    messages = [{"role": "user", "content": template.replace("{statement}", statement)
                 .replace("{examples}", examples_text(tests))}]
    for attempt in range(1, attempts + 1):
        result.attempts = attempt
        try:
            answer = llm.chat(messages)
        except LLMError as exc:
            result.errors.append(f"attempt {attempt}: {exc}")
            break
        source = extract_code(answer)
        problem = static_problem(source)
        if problem is None and validate is not None:
            report = validate(source)
            result.report = report
            problem = None if report.accepted else report.summary()
        if problem is None:
            result.source = source
            return result
        result.errors.append(f"attempt {attempt}: {problem}")
        messages += [{"role": "assistant", "content": answer},
                     {"role": "user", "content": f"That checker is not usable: {problem}. "
                      "Write a corrected complete checker in one ```python code block."}]
    return result
